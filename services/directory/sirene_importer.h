// SireneImporter: ImportSireneExtract — an INSEE SIRENE establishments extract read chunk by
// chunk (memory grows with the rows kept, the territory's active establishments, never with
// the file), then applied in batches of kept rows, each batch one transaction that commits:
// enrich the actors matched by SIRET, SIREN or RNA, optionally create the missing ESS
// establishments, record the extract in provenance. A batch appends its changes last, so the
// change feed's lock (change_feed.h) is held for a moment per batch, and every other directory
// write goes on during a department-sized import.
//
// A failure stops the import after the batches already committed; the error says how far it
// went. Importing the same extract again is safe: the rows already applied match their actors
// and change nothing, the others are applied.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "maillage/directory/v1/directory_service.pb.h"

namespace maillage::directory {

// The next bytes of the stream: of the establishments file (INSEE's StockEtablissement, or an
// extract already joined with the legal units' columns), or, after it, of the legal units file
// (StockUniteLegale).
struct SireneChunk {
  std::string data;
  bool legal_units = false;
};

class SireneImporter {
 public:
  // Kept rows per transaction: a few hundred milliseconds of work.
  static constexpr size_t kDefaultBatchSize = 500;

  explicit SireneImporter(db::Pool& pool, size_t batch_size = kDefaultBatchSize)
      : pool_(pool), batch_size_(batch_size > 0 ? batch_size : 1) {}

  // `next_chunk` fills the next chunk and returns true, or returns false at the end: the
  // establishments file, then (unless it carries denominationUniteLegale and the other legal
  // unit columns) StockUniteLegale, joined by siren. Establishments are read with their
  // address (number, repetition, street type and name, complement, postal code, city).
  // INVALID_ARGUMENT for missing options or extract date, a missing column (field `data` or
  // `legal_units_data`), establishments after legal units, a malformed CSV or invalid UTF-8;
  // nothing is written then. The report counts every kept row. When a
  // batch fails, its error (the pool's code and reason) with, in its ErrorInfo metadata,
  // `applied_rows` (kept rows of the batches committed before it), `kept_rows`,
  // `enriched_count`, `created_count` and `unchanged_count` of those batches. With a
  // request_id, the report is recorded with the last batch: a replay returns it.
  absl::StatusOr<v1::ImportSireneExtractResponse> Import(
      const v1::SireneImportOptions& options, db::Deadline deadline,
      const std::function<bool(SireneChunk*)>& next_chunk);

 private:
  db::Pool& pool_;
  const size_t batch_size_;
};

}  // namespace maillage::directory
