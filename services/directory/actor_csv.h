// The CSV columns of actors, shared by ExportActors and ImportActors (which reads them back,
// see ParseActorFile). The JSON exports are in actor_exchange_formats.h.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
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

// Reads `request.csv_data()` with its separator and column mapping: the part of ImportActors
// that needs no database. INVALID_ARGUMENT (field csv_data or column_mapping[...]) for an
// empty file, invalid UTF-8, a malformed CSV, a missing header or display_name column, a
// mapping to an unknown column; bad cells are the rows' problems, not errors.
absl::StatusOr<ParsedActorFile> ParseActorFile(const v1::ImportActorsRequest& request);

}  // namespace maillage::directory
