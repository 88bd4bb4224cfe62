// SQL of the relationships table (dated links between actors, stored under the actor they start
// from). Every method runs in the caller's transaction; libpqxx exceptions propagate to
// db::Pool, which maps them to statuses.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "common/db/pool.h"
#include "maillage/directory/v1/relationship.pb.h"

namespace maillage::directory {

// A page of rows of a keyset query: the relationships and the sort key of each (as text).
struct RelationshipPage {
  std::vector<v1::Relationship> relationships;
  std::vector<std::string> sort_keys;
};

class RelationshipStore {
 public:
  // The relationship `id` under actor `actor_id`; NOT_FOUND (RELATIONSHIP_NOT_FOUND) when there
  // is none. `for_update` locks the row.
  static absl::StatusOr<v1::Relationship> Get(pqxx::work& txn, int64_t actor_id, int64_t id,
                                              bool for_update);
  // The same in one round trip outside any transaction (a prepared statement through
  // db::Pool::Query), for GetRelationship.
  static absl::StatusOr<v1::Relationship> Read(db::Pool& pool, db::Deadline deadline,
                                               int64_t actor_id, int64_t id);
  // The relationship `id` under whichever actor holds it now; nullopt when there is none.
  static absl::optional<v1::Relationship> ById(pqxx::work& txn, int64_t id);

  // Relationships of actor `actor_id` (0: of every actor) matching `where` (SQL over alias `r`
  // with parameters $2..$n in `params`, $1 being the actor), ordered by `order_by` after
  // `keyset_where`, at most `limit` rows; `sort_key_sql` gives the cursor key.
  static RelationshipPage List(pqxx::work& txn, int64_t actor_id, const std::string& where,
                               const std::string& keyset_where, const std::string& order_by,
                               const std::string& sort_key_sql,
                               const std::vector<std::string>& params, int limit);
  // The id of a relationship of the same type between the same actors whose dates overlap
  // [start, end] (ISO dates, "" for open); nullopt when there is none.
  static absl::optional<int64_t> FindOverlapping(pqxx::work& txn, int64_t actor_id,
                                                 int64_t other_actor_id, const std::string& type,
                                                 const std::string& start, const std::string& end);

  // Inserts a validated relationship; returns it as stored.
  static v1::Relationship Insert(pqxx::work& txn, int64_t actor_id,
                                 const v1::Relationship& relationship, int64_t other_actor_id);
  // Writes the dates and the description, bumps the revision; returns it as stored.
  static v1::Relationship Update(pqxx::work& txn, int64_t id, const v1::Relationship& relationship);
  // Removes the row.
  static void Delete(pqxx::work& txn, int64_t id);
};

}  // namespace maillage::directory
