// Reference lists as CSV files: rows by column name and errors naming file, line and field.
#include "common/csv/coded_list.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/csv/csv_reader.h"
#include "common/status/errors.h"

namespace maillage::csv {

absl::StatusOr<std::vector<NamedRow>> ReadNamedRows(absl::string_view text,
                                                    const std::vector<std::string>& required,
                                                    absl::string_view source,
                                                    absl::string_view domain) {
  if (!IsValidUtf8(text)) {
    return InvalidField(domain, "reference", absl::StrCat(source, ": not valid UTF-8"));
  }
  CsvReader reader(DetectSeparator(text.substr(0, text.find('\n'))));
  reader.Feed(text);
  reader.Finish();
  std::vector<std::string> header;
  std::vector<NamedRow> rows;
  while (auto record = reader.Next()) {
    if (header.empty()) {
      for (const std::string& name : record->fields) {
        header.push_back(std::string(absl::StripAsciiWhitespace(name)));
      }
      for (const std::string& column : required) {
        if (std::find(header.begin(), header.end(), column) == header.end()) {
          return InvalidField(domain, column,
                              absl::StrCat(source, " line 1: missing column ", column));
        }
      }
      continue;
    }
    NamedRow row;
    for (size_t i = 0; i < header.size() && i < record->fields.size(); ++i) {
      row[header[i]] = std::string(absl::StripAsciiWhitespace(record->fields[i]));
    }
    for (const std::string& column : header) row.emplace(column, "");
    row["#line"] = absl::StrCat(record->line);
    rows.push_back(std::move(row));
  }
  if (!reader.status().ok()) {
    return InvalidField(domain, "reference", absl::StrCat(source, ": ", reader.status().message()));
  }
  if (header.empty())
    return InvalidField(domain, "reference", absl::StrCat(source, ": empty file"));
  return rows;
}

absl::Status BadCell(absl::string_view source, const NamedRow& row, absl::string_view field,
                     absl::string_view what, absl::string_view domain) {
  return InvalidField(
      domain, field,
      absl::StrCat(source, " line ", row.at("#line"), ", field ", field, ": ", what));
}

bool IsListCode(absl::string_view code) {
  return !code.empty() && code.size() <= 64 && std::all_of(code.begin(), code.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-';
  });
}

absl::StatusOr<std::vector<CodedEntry>> ParseCodedEntries(absl::string_view text,
                                                          absl::string_view source,
                                                          absl::string_view domain) {
  absl::StatusOr<std::vector<NamedRow>> rows =
      ReadNamedRows(text, {"code", "display_name", "description"}, source, domain);
  if (!rows.ok()) return rows.status();
  std::vector<CodedEntry> entries;
  std::set<std::string> seen;
  for (const NamedRow& row : *rows) {
    CodedEntry e{row.at("code"), row.at("display_name"), row.at("description")};
    if (!IsListCode(e.code)) {
      return BadCell(source, row, "code",
                     absl::StrCat("'", e.code, "' must be lower case letters, digits, dashes"),
                     domain);
    }
    if (e.display_name.empty()) return BadCell(source, row, "display_name", "empty", domain);
    if (!seen.insert(e.code).second) return BadCell(source, row, "code", "duplicate", domain);
    entries.push_back(std::move(e));
  }
  return entries;
}

absl::StatusOr<std::string> ReadListFile(absl::string_view variable, const std::string& path,
                                         absl::string_view domain) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFound(domain, "REFERENCE_FILE_NOT_FOUND",
                    absl::StrCat(variable, ": cannot read ", path));
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace maillage::csv
