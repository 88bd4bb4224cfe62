// ActorImporter: ImportActors — a CSV file (comma or semicolon, the columns of ExportActors or
// mapped headers) applied as an idempotent upsert, all or nothing, or checked only
// (validate_only) with a report per row. The file is parsed without the database
// (actor_csv.h), then applied in one transaction by an ImportRun (actor_importer.cc), one
// method per step: read the candidates once (ActorStore::MatchCandidates into an ActorIndex,
// actor_index.h), apply each row against the index (match, create or update), insert the new
// actors together, append the changes last.
#pragma once

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "maillage/directory/v1/directory_service.pb.h"

namespace maillage::directory {

class ActorImporter {
 public:
  explicit ActorImporter(db::Pool& pool) : pool_(pool) {}

  // The report of the import (see ImportActors in directory_service.proto). INVALID_ARGUMENT
  // for an empty file, invalid UTF-8, a malformed CSV, a missing header, a mapping to an
  // unknown column, or (without validate_only) any rejected row, naming the first 100
  // problems as `rows[N].field`; nothing is written then.
  absl::StatusOr<v1::ImportActorsResponse> Import(const v1::ImportActorsRequest& request,
                                                  db::Deadline deadline);

 private:
  db::Pool& pool_;
};

}  // namespace maillage::directory
