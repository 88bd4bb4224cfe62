// SQL of the actors table and of the lookups that validate an actor (communes, categories,
// themes, identifiers already taken). Every method runs in the caller's transaction; libpqxx
// exceptions propagate to db::Pool, which maps them to statuses.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "common/db/pool.h"
#include "maillage/directory/v1/actor.pb.h"

namespace maillage::directory {

// An actor already holding an identifier, and the rule that found it.
struct IdentifierOwner {
  int64_t actor_id = 0;
  std::string matched_by;  // "siret", "siren_and_name" or "rna"
};

// A page of rows of a keyset query: the actors and the sort key of the last one (as text).
struct ActorPage {
  std::vector<v1::Actor> actors;
  std::vector<std::string> sort_keys;  // one per actor
};

class ActorStore {
 public:
  // The SELECT list that ActorFromRow reads, over the alias `a`.
  static const std::string& Columns();
  // An actor from a row whose first columns are Columns().
  static v1::Actor ActorFromRow(const pqxx::row& row);

  // The actor `id`; NOT_FOUND (ACTOR_NOT_FOUND) when there is none. `for_update` locks the row.
  static absl::StatusOr<v1::Actor> Get(pqxx::work& txn, int64_t id, bool for_update = false);

  // The same read as Get outside any transaction, in one round trip (db::Pool::Query): for the
  // GetActor calls, the hottest read of the suite.
  static absl::StatusOr<v1::Actor> Read(db::Pool& pool, db::Deadline deadline, int64_t id);

  // Inserts a validated, normalised actor (state ACTIVE) and returns it as stored.
  static v1::Actor Insert(pqxx::work& txn, const v1::Actor& actor);
  // Inserts validated, normalised actors with one statement; returns them as stored, in order.
  static std::vector<v1::Actor> InsertMany(pqxx::work& txn, const std::vector<v1::Actor>& actors);
  // Writes every writable field of a validated actor, bumps its revision; returns it as stored.
  static v1::Actor Update(pqxx::work& txn, int64_t id, const v1::Actor& actor);
  // Sets the state (ACTIVE or ARCHIVED), bumps the revision; returns the actor as stored.
  static v1::Actor SetState(pqxx::work& txn, int64_t id, v1::ActorState state);
  // Removes an unreferenced actor for good.
  static void Delete(pqxx::work& txn, int64_t id);
  // Whether contacts, relationships or merged actors point to the actor.
  static bool IsReferenced(pqxx::work& txn, int64_t id);

  // The current INSEE code of `code` (itself, or the commune a former code merged into);
  // nullopt when it is not a commune of the territory.
  static absl::optional<std::string> CurrentCommune(pqxx::work& txn, const std::string& code);
  // The codes of `codes` absent from `table` ("network_categories" or "themes").
  static std::vector<std::string> UnknownCodes(pqxx::work& txn, const std::string& table,
                                               const std::vector<std::string>& codes);
  // Another actor (not merged, other than `self_id`) with the same SIRET, the same SIREN and
  // display name (ignoring case and accents), or the same RNA, in that order of rules.
  static absl::optional<IdentifierOwner> FindIdentifierOwner(pqxx::work& txn,
                                                             const v1::Actor& actor,
                                                             int64_t self_id);

  // Actors matching `where` (SQL over alias `a` with parameters $1..$n in `params`), ordered by
  // `order_by` after `keyset_where`, at most `limit` rows; `sort_key_sql` gives the cursor key.
  static ActorPage List(pqxx::work& txn, const std::string& where, const std::string& keyset_where,
                        const std::string& order_by, const std::string& sort_key_sql,
                        const std::vector<std::string>& params, int limit);
  // How many actors match `where`.
  static int64_t Count(pqxx::work& txn, const std::string& where,
                       const std::vector<std::string>& params);
};

}  // namespace maillage::directory
