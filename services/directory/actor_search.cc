// SearchActors (see actor_search.h).
#include "services/directory/actor_search.h"

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/api/list_query.h"
#include "common/api/pagination.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_fields.h"
#include "services/directory/actor_registry.h"
#include "services/directory/actor_store.h"

namespace maillage::directory {
namespace {

using v1::Actor;

constexpr int kMaxSearchQuery = 200;
// Above any real position; keeps a forged token's rank + page size within int.
constexpr int kMaxRank = 1'000'000'000;
// How many of the newest actors a tier reads first (see SearchActors).
constexpr int kNewestRows = 2000;

// Where a page starts: the tier and the id of the last row of the previous page, and that
// row's rank. A token carries the three as text.
struct SearchCursor {
  int score = ActorStore::SearchTiers().front() + 1;  // above every tier: from the start
  int64_t after_id = 0;
  int rank = 0;
};

absl::StatusOr<SearchCursor> ReadCursor(const api::PageCursor& cursor) {
  SearchCursor position;
  if (cursor.empty()) return position;
  if (cursor.keys.size() != 3 || !absl::SimpleAtoi(cursor.keys[0], &position.score) ||
      !absl::SimpleAtoi(cursor.keys[1], &position.after_id) ||
      !absl::SimpleAtoi(cursor.keys[2], &position.rank) || position.rank < 0 ||
      position.rank > kMaxRank) {
    return InvalidField(kDomain, "page_token", "not a page token returned by SearchActors");
  }
  return position;
}

}  // namespace

absl::StatusOr<v1::SearchActorsResponse> SearchActors(db::Pool& pool, db::Deadline deadline,
                                                      const v1::SearchActorsRequest& request) {
  std::string query(absl::StripAsciiWhitespace(request.query()));
  FieldViolations violations;
  if (query.empty()) violations.Add("query", "required: the words to look for");
  CheckText(query, kMaxSearchQuery, "query", violations);
  MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kDomain));
  MAILLAGE_ASSIGN_OR_RETURN(api::ListPage page,
                            api::ReadListPage(request.page_size(), request.page_token(),
                                              {"search", query, request.filter()}, kDomain));
  MAILLAGE_ASSIGN_OR_RETURN(SearchCursor cursor, ReadCursor(page.cursor));
  MAILLAGE_ASSIGN_OR_RETURN(api::SqlCondition where,
                            CompileActorFilter(request.filter(), "ACTOR_STATE_ACTIVE"));

  return pool.ReadOnly<v1::SearchActorsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::SearchActorsResponse> {
        v1::SearchActorsResponse response;
        const std::string tsquery = ActorStore::SearchQuery(txn, query);
        if (tsquery.empty()) return response;  // only stop words

        const int wanted = page.size + 1;         // one more tells whether a next page exists
        std::vector<std::pair<int, Actor>> rows;  // score, actor
        for (int score : ActorStore::SearchTiers()) {
          if (score > cursor.score) continue;  // before the page
          if (static_cast<int>(rows.size()) >= wanted) break;
          const int64_t before_id = score == cursor.score ? cursor.after_id : 0;
          const int limit = wanted - static_cast<int>(rows.size());
          // First among the newest rows: a common word fills its page there, even when the
          // planner misjudges words that always come together ("atelier vélo"). Otherwise
          // every row, the planner's way: the GIN index for a rare word.
          std::vector<Actor> tier_rows = ActorStore::ReadSearchTier(
              txn, score, tsquery, where.sql, where.params, before_id, limit, kNewestRows);
          if (static_cast<int>(tier_rows.size()) < limit) {
            tier_rows = ActorStore::ReadSearchTier(txn, score, tsquery, where.sql, where.params,
                                                   before_id, limit, /*newest=*/0);
          }
          for (Actor& actor : tier_rows) rows.emplace_back(score, std::move(actor));
        }

        for (int i = 0; i < static_cast<int>(rows.size()) && i < page.size; ++i) {
          v1::ActorSearchResult* result = response.add_results();
          *result->mutable_actor() = rows[i].second;
          result->set_score(rows[i].first);
          result->set_rank(cursor.rank + i + 1);
        }
        if (static_cast<int>(rows.size()) > page.size) {
          const auto& [score, last] = rows[page.size - 1];
          response.set_next_page_token(api::EncodePageToken(
              page.fingerprint,
              {{absl::StrCat(score), last.name().substr(std::string("actors/").size()),
                absl::StrCat(cursor.rank + page.size)}}));
        }
        return response;
      });
}

}  // namespace maillage::directory
