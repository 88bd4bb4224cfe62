// SireneImporter: ImportSireneExtract — an INSEE SIRENE establishments extract read chunk by
// chunk (memory grows with the rows kept, the territory's active establishments, never with
// the file), then applied in one transaction: enrich the actors matched by SIRET, SIREN or
// RNA, optionally create the missing ESS establishments, record the extract in provenance.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "maillage/directory/v1/directory_service.pb.h"

namespace maillage::directory {

class SireneImporter {
 public:
  explicit SireneImporter(db::Pool& pool) : pool_(pool) {}

  // `next_chunk` fills the next bytes of the file and returns true, or returns false at the
  // end. INVALID_ARGUMENT for missing options or extract date, a missing column, a malformed
  // CSV or invalid UTF-8; nothing is written then.
  absl::StatusOr<v1::ImportSireneExtractResponse> Import(
      db::Deadline deadline, const v1::SireneImportOptions& options,
      const std::function<bool(std::string*)>& next_chunk);

 private:
  db::Pool& pool_;
};

}  // namespace maillage::directory
