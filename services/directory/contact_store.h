// SQL of the contacts table (the persons attached to actors: personal data). Every method runs
// in the caller's transaction; libpqxx exceptions propagate to db::Pool, which maps them to
// statuses.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "common/db/pool.h"
#include "maillage/directory/v1/contact.pb.h"

namespace maillage::directory {

// A page of rows of a keyset query: the contacts and the sort key of each (as text).
struct ContactPage {
  std::vector<v1::Contact> contacts;
  std::vector<std::string> sort_keys;
};

// A contact locked by the caller's transaction, with every name it had (NamesOf: the current
// one first).
struct LockedContact {
  v1::Contact contact;
  std::vector<std::string> names;
};

class ContactStore {
 public:
  // The contact `id` under actor `actor_id`; NOT_FOUND (CONTACT_NOT_FOUND) when there is none.
  // `for_update` locks the row.
  static absl::StatusOr<v1::Contact> Get(pqxx::work& txn, int64_t actor_id, int64_t id,
                                         bool for_update);
  // The same in one round trip outside any transaction (a prepared statement through
  // db::Pool::Query), for GetContact.
  static absl::StatusOr<v1::Contact> Read(db::Pool& pool, db::Deadline deadline, int64_t actor_id,
                                          int64_t id);
  // The contact `id` under whichever actor holds it now; nullopt when there is none.
  static absl::optional<v1::Contact> ById(pqxx::work& txn, int64_t id, bool for_update = false);
  // The contact `id`, under actor `actor_id` (0: under whichever actor holds it now), locked,
  // with its names, in one round trip (a second one, NamesOf, only when a concurrent write
  // changed the row while this one waited for its lock: the names read with the row may then
  // miss a merge); NOT_FOUND (CONTACT_NOT_FOUND) when there is none.
  static absl::StatusOr<LockedContact> LockWithNames(pqxx::work& txn, int64_t id, int64_t actor_id);

  // Contacts of actor `actor_id` (0: of every actor) matching `where` (SQL over alias `c` with
  // parameters $2..$n in `params`, $1 being the actor), ordered by `order_by` after
  // `keyset_where`, at most `limit` rows; `sort_key_sql` gives the cursor key.
  static ContactPage List(pqxx::work& txn, int64_t actor_id, const std::string& where,
                          const std::string& keyset_where, const std::string& order_by,
                          const std::string& sort_key_sql, const std::vector<std::string>& params,
                          int limit);
  // The other contacts (not `except_id`) with the same e-mail address, ignoring case.
  static std::vector<v1::Contact> WithEmail(pqxx::work& txn, const std::string& email,
                                            int64_t except_id);
  // Contacts whose retain_until is before `today` (ISO date), oldest first, at most `limit`,
  // locked (SKIP LOCKED: a contact being written is left for the next pass).
  static std::vector<v1::Contact> RetentionExpired(pqxx::work& txn, const std::string& today,
                                                   int limit);

  // Inserts a validated, normalised contact under `actor_id`; returns it as stored.
  static v1::Contact Insert(pqxx::work& txn, int64_t actor_id, const v1::Contact& contact);
  // Writes every writable field of a validated contact, bumps its revision; returns it as
  // stored.
  static v1::Contact Update(pqxx::work& txn, int64_t id, const v1::Contact& contact);
  // The statement that removes the row (ended by ';'), to send with others.
  static std::string DeleteSql(int64_t id);
};

}  // namespace maillage::directory
