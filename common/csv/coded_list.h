// Lists of reference data given as CSV files with a header: read by column name, with errors
// that name the file, the line and the field. Shared by the services whose lists are data
// (the directory's communes, network categories and themes; the meetings' own kinds).
//
//   absl::StatusOr<std::vector<csv::CodedEntry>> kinds = csv::ParseCodedEntries(
//       text, "MAILLAGE_MEETING_KINDS_FILE /etc/maillage/kinds.csv", kDomain);
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace maillage::csv {

// A row by column name; "#line" holds its line number in the file.
using NamedRow = std::map<std::string, std::string>;

// The data rows of `text` (separator detected from the header: `,` or `;`), cells trimmed.
// INVALID_ARGUMENT (ErrorInfo domain `domain`) naming `source` for a file that is not UTF-8,
// is empty or is malformed, and naming the column (as the field) when one of `required` is
// missing from the header.
absl::StatusOr<std::vector<NamedRow>> ReadNamedRows(absl::string_view text,
                                                    const std::vector<std::string>& required,
                                                    absl::string_view source,
                                                    absl::string_view domain);

// INVALID_ARGUMENT for the cell `field` of `row`: "<source> line <n>, field <field>: <what>",
// with a field violation on `field`.
absl::Status BadCell(absl::string_view source, const NamedRow& row, absl::string_view field,
                     absl::string_view what, absl::string_view domain);

// One entry of a coded list (code,display_name,description).
struct CodedEntry {
  std::string code;
  std::string display_name;
  std::string description;
};

// Whether `code` is a list code: 1 to 64 lower case letters, digits and dashes.
bool IsListCode(absl::string_view code);

// The entries of a CSV with the header code,display_name,description, in file order.
// INVALID_ARGUMENT naming `source`, the line and the field for a malformed or duplicate code
// or an empty display_name.
absl::StatusOr<std::vector<CodedEntry>> ParseCodedEntries(absl::string_view text,
                                                          absl::string_view source,
                                                          absl::string_view domain);

// The content of the file `path` given by the environment variable `variable`. NOT_FOUND
// (reason REFERENCE_FILE_NOT_FOUND) naming both when it cannot be read.
absl::StatusOr<std::string> ReadListFile(absl::string_view variable, const std::string& path,
                                         absl::string_view domain);

}  // namespace maillage::csv
