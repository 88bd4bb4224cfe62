// The CSV columns of actors, shared by ExportActors and ImportActors (which reads them back,
// see ParseActorFile). The JSON exports are in actor_exchange_formats.h.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "common/csv/csv_reader.h"
#include "common/csv/spreadsheet_text.h"
#include "google/protobuf/field_mask.pb.h"
#include "maillage/directory/v1/actor.pb.h"
#include "maillage/directory/v1/directory_service.pb.h"

namespace maillage::directory {

// The column names, in file order: `name`, `display_name`, ..., `provenance.last_verified_date`
// (see ImportActorsRequest in directory_service.proto).
const std::vector<std::string>& ActorCsvColumns();

// The cells of `actor` for ActorCsvColumns(): lists joined with `|`, dates YYYY-MM-DD, enums
// without their prefix, empty cells for unset values.
std::vector<std::string> ActorCsvCells(const v1::Actor& actor);

// One data row of an import file, read without the database.
struct ParsedActorRow {
  int line = 0;
  v1::Actor actor;                   // values of the columns present
  google::protobuf::FieldMask mask;  // the writable paths present in the file
  std::string name;                  // the `name` cell
  std::vector<std::pair<std::string, std::string>> problems;  // (field, reason)
};

// The file of an ImportActorsRequest, read without the database.
struct ParsedActorFile {
  v1::ImportActorsResponse report;               // detected_separator and ignored_columns
  std::map<std::string, std::string> header_of;  // actor column → file header
  bool has_source_column = false;                // provenance.source is a column
  std::vector<ParsedActorRow> rows;
};

// The file of an ImportActorsRequest read a batch of rows at a time (ImportActors applies each
// batch before reading the next, so that the parsed rows of a large file are never all held):
// the CSV reader is fed 64 KiB slices of the request's bytes (converted to UTF-8 slice by slice
// for Windows-1252), the rows parsed as they complete.
//
//   MAILLAGE_ASSIGN_OR_RETURN(std::unique_ptr<ActorFileReader> file,
//   ActorFileReader::Open(request)); std::vector<ParsedActorRow> rows; for (bool more = true;
//   more;) {
//     MAILLAGE_ASSIGN_OR_RETURN(more, file->NextBatch(1000, rows));
//     Apply(rows);
//   }
class ActorFileReader {
 public:
  // Checks the file as a whole and reads its header. INVALID_ARGUMENT as ParseActorFile for an
  // empty file, invalid UTF-8, a missing header or display_name column, a mapping to an unknown
  // column. `request` must outlive the reader.
  static absl::StatusOr<std::unique_ptr<ActorFileReader>> Open(
      const v1::ImportActorsRequest& request);

  // detected_separator, detected_encoding and ignored_columns.
  const v1::ImportActorsResponse& report() const { return report_; }
  const std::map<std::string, std::string>& header_of() const { return header_of_; }
  bool has_source_column() const { return has_source_column_; }

  // The next rows (at most `max_rows`) in `rows` (replaced); false once the file is read
  // (`rows` may then hold its last rows). INVALID_ARGUMENT (field csv_data) for a malformed CSV.
  absl::StatusOr<bool> NextBatch(size_t max_rows, std::vector<ParsedActorRow>& rows);

 private:
  ActorFileReader(absl::string_view bytes, csv::TextEncoding encoding, char separator);
  absl::optional<csv::CsvRecord> NextRecord();

  absl::string_view bytes_;
  csv::TextEncoding encoding_;
  csv::CsvReader reader_;
  size_t fed_ = 0;
  bool finished_ = false;
  std::map<std::string, size_t> columns_;  // actor column → index in the file
  std::map<std::string, std::string> header_of_;
  bool has_source_column_ = false;
  v1::ImportActorsResponse report_;
};

// Reads `request.csv_data()` whole with its separator and column mapping (ActorFileReader to
// the end): the part of ImportActors that needs no database. INVALID_ARGUMENT (field csv_data or
// column_mapping[...]) for an empty file, invalid UTF-8, a malformed CSV, a missing header or
// display_name column, a mapping to an unknown column; bad cells are the rows' problems, not
// errors.
absl::StatusOr<ParsedActorFile> ParseActorFile(const v1::ImportActorsRequest& request);

}  // namespace maillage::directory
