// CSV lines with neutralised cells (see csv_writer.h).
#include "common/csv/csv_writer.h"

#include "absl/strings/str_cat.h"

namespace maillage::csv {
namespace {

// The characters that make a spreadsheet read a cell as a formula (OWASP), and the apostrophe
// that marks a neutralised cell.
bool IsTrigger(char c) {
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' || c == '\'';
}

}  // namespace

std::string NeutralizeCell(absl::string_view cell) {
  if (!cell.empty() && IsTrigger(cell[0])) return absl::StrCat("'", cell);
  return std::string(cell);
}

std::string RestoreCell(absl::string_view cell) {
  if (cell.size() >= 2 && cell[0] == '\'' && IsTrigger(cell[1])) {
    return std::string(cell.substr(1));
  }
  return std::string(cell);
}

std::string CsvLine(const std::vector<std::string>& cells, char separator) {
  std::string line;
  const char special[] = {'"', '\r', '\n', separator, '\0'};
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += separator;
    const std::string cell = NeutralizeCell(cells[i]);
    if (cell.find_first_of(special) == std::string::npos) {
      line += cell;
      continue;
    }
    line += '"';
    for (char c : cell) {
      if (c == '"') line += '"';
      line += c;
    }
    line += '"';
  }
  return line + "\r\n";
}

}  // namespace maillage::csv
