// The files of a seed folder: the action in protobuf text format, CSV tables by column name.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/csv/csv_reader.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "tools/seed/seed.h"

namespace maillage::seed {
namespace {

constexpr char kActionFile[] = "action.textproto";

// Keeps the first parse error of a text-format file with its line (1-based) and column.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (error_.empty()) error_ = absl::StrCat("line ", line + 1, ":", column + 1, ": ", message);
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber, const std::string&) override {}
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

}  // namespace

absl::StatusOr<std::string> ReadSeedFile(const std::string& data_dir, const std::string& name) {
  std::string path = absl::StrCat(data_dir, "/", name);
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::StatusOr<std::vector<SeedRow>> ReadSeedCsv(const std::string& data_dir,
                                                 const std::string& name,
                                                 const std::vector<std::string>& required) {
  absl::StatusOr<std::string> text = ReadSeedFile(data_dir, name);
  if (!text.ok()) return text.status();
  csv::CsvReader reader(',');
  reader.Feed(*text);
  reader.Finish();
  std::vector<std::string> header;
  std::vector<SeedRow> rows;
  while (auto record = reader.Next()) {
    if (header.empty()) {
      for (const std::string& column : record->fields) {
        header.push_back(std::string(absl::StripAsciiWhitespace(column)));
      }
      for (const std::string& column : required) {
        if (std::find(header.begin(), header.end(), column) == header.end()) {
          return absl::InvalidArgumentError(absl::StrCat(name, " line ", record->line,
                                                         ": missing column ", column, " (needs ",
                                                         absl::StrJoin(required, ","), ")"));
        }
      }
      continue;
    }
    if (record->fields.size() > header.size()) {
      return absl::InvalidArgumentError(absl::StrCat(name, " line ", record->line, ": ",
                                                     record->fields.size(),
                                                     " fields, the header has ", header.size()));
    }
    SeedRow row;
    row.line = record->line;
    for (size_t i = 0; i < record->fields.size(); ++i) row.cells[header[i]] = record->fields[i];
    rows.push_back(std::move(row));
  }
  if (!reader.status().ok()) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": ", reader.status().message()));
  }
  return rows;
}

absl::StatusOr<budget::v1::Action> ReadSeedAction(const std::string& data_dir) {
  absl::StatusOr<std::string> text = ReadSeedFile(data_dir, kActionFile);
  if (!text.ok()) return text.status();
  budget::v1::Action action;
  google::protobuf::TextFormat::Parser parser;
  FirstError errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(*text, &action)) {
    return absl::InvalidArgumentError(absl::StrCat(kActionFile, " ", errors.error()));
  }
  for (const auto& [field, missing] : {std::pair<const char*, bool>{"code", action.code().empty()},
                                       {"title", action.title().empty()},
                                       {"start_year", action.start_year() == 0},
                                       {"end_year", action.end_year() == 0}}) {
    if (missing) {
      return absl::InvalidArgumentError(absl::StrCat(kActionFile, ", field ", field, ": required"));
    }
  }
  return action;
}

std::string SeedActionId(const budget::v1::Action& action) {
  return absl::AsciiStrToLower(action.code());
}

}  // namespace maillage::seed
