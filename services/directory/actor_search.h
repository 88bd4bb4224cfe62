// SearchActors: French full text over the actors' names and descriptions, with accents and case
// folded and typos corrected word by word against the words the actors use
// (directory_search_query in migrations/0003_search_tiers.sql: "economie solidare" looks for
// econom & solidair).
//
// Ranking, in two tiers, and within a tier the newest actor first:
//   score 2: the display name holds every word;
//   score 1: the words are found in the names and description together, not all in the
//            display name.
// Each tier is read through an index in that order with a LIMIT, first among the 2,000 newest
// actors, so a search reads about a page of rows however many actors match; the second tier is
// read only when the first does not fill the page. (Ranking every match by ts_rank cost 100 ms and
// more for a common word on 100,000 actors.)
#pragma once

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "maillage/directory/v1/directory_service.pb.h"

namespace maillage::directory {

// INVALID_ARGUMENT naming `query` (empty, over 200 characters), `filter` or `page_token`.
absl::StatusOr<v1::SearchActorsResponse> SearchActors(db::Pool& pool, db::Deadline deadline,
                                                      const v1::SearchActorsRequest& request);

}  // namespace maillage::directory
