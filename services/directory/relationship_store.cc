// SQL of the relationships table (see relationship_store.h).
#include "services/directory/relationship_store.h"

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/db/pool.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_fields.h"

namespace maillage::directory {
namespace {

using v1::Relationship;

const std::string& Columns() {
  static const auto* const kColumns = new std::string(absl::StrCat(
      "r.id, r.actor_id, r.type, r.other_actor_id, r.start_date::text, r.end_date::text, "
      "r.description, ",
      MAILLAGE_SQL_MICROS("r.create_time"), ", ", MAILLAGE_SQL_MICROS("r.update_time"),
      ", r.revision"));
  return *kColumns;
}
constexpr int kColumnCount = 10;

constexpr char kOverlapping[] =
    "SELECT id FROM relationships WHERE actor_id = $1 AND other_actor_id = $2 AND type = $3 "
    "AND daterange(start_date, end_date, '[]') && "
    "daterange(NULLIF($4, '')::date, NULLIF($5, '')::date, '[]') LIMIT 1";

Relationship FromRow(const pqxx::row& row) {
  Relationship r;
  r.set_name(absl::StrCat(api::ResourceName("actors", row[1].as<int64_t>()), "/",
                          api::ResourceName("relationships", row[0].as<int64_t>())));
  v1::RelationshipType type;
  if (v1::RelationshipType_Parse(row[2].as<std::string>(), &type)) r.set_type(type);
  r.set_other_actor(api::ResourceName("actors", row[3].as<int64_t>()));
  google::type::Date date;
  if (db::ReadDate(row[4], &date)) *r.mutable_start_date() = date;
  if (db::ReadDate(row[5], &date)) *r.mutable_end_date() = date;
  r.set_description(row[6].as<std::string>());
  db::ReadMicros(row[7], r.mutable_create_time());
  db::ReadMicros(row[8], r.mutable_update_time());
  r.set_etag(row[9].as<std::string>());
  return r;
}

absl::Status RelationshipNotFound(int64_t actor_id, int64_t id) {
  std::string name = absl::StrCat("actors/", actor_id, "/relationships/", id);
  return NotFound(kDomain, "RELATIONSHIP_NOT_FOUND",
                  absl::StrCat("relationship ", name, " does not exist"), {{"name", name}});
}

}  // namespace

absl::StatusOr<Relationship> RelationshipStore::Get(pqxx::work& txn, int64_t actor_id, int64_t id,
                                                    bool for_update) {
  static const auto* const kRead =
      new db::Statement{"directory_get_relationship",
                        absl::StrCat("SELECT ", Columns(),
                                     " FROM relationships r WHERE r.id = $1 AND r.actor_id = $2")};
  static const auto* const kLock = new db::Statement{
      "directory_lock_relationship",
      absl::StrCat("SELECT ", Columns(),
                   " FROM relationships r WHERE r.id = $1 AND r.actor_id = $2 FOR UPDATE")};
  pqxx::result rows = db::ExecPrepared(txn, for_update ? *kLock : *kRead,
                                       {absl::StrCat(id), absl::StrCat(actor_id)});
  if (rows.empty()) return RelationshipNotFound(actor_id, id);
  return FromRow(rows[0]);
}

absl::StatusOr<Relationship> RelationshipStore::Read(db::Pool& pool, db::Deadline deadline,
                                                     int64_t actor_id, int64_t id) {
  static const auto* const kStatement =
      new db::Statement{"directory_read_relationship",
                        absl::StrCat("SELECT ", Columns(),
                                     " FROM relationships r WHERE r.id = $1 AND r.actor_id = $2")};
  MAILLAGE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      pool.Query(deadline, *kStatement, {absl::StrCat(id), absl::StrCat(actor_id)}));
  if (rows.empty()) return RelationshipNotFound(actor_id, id);
  return FromRow(rows[0]);
}

absl::optional<Relationship> RelationshipStore::ById(pqxx::work& txn, int64_t id) {
  pqxx::result rows = txn.exec_params(
      absl::StrCat("SELECT ", Columns(), " FROM relationships r WHERE r.id = $1"), id);
  if (rows.empty()) return absl::nullopt;
  return FromRow(rows[0]);
}

RelationshipPage RelationshipStore::List(pqxx::work& txn, int64_t actor_id,
                                         const std::string& where, const std::string& keyset_where,
                                         const std::string& order_by,
                                         const std::string& sort_key_sql,
                                         const std::vector<std::string>& params, int limit) {
  std::vector<std::string> all = {absl::StrCat(actor_id)};
  all.insert(all.end(), params.begin(), params.end());
  pqxx::result rows = txn.exec_params(
      absl::StrCat("SELECT ", Columns(), ", (", sort_key_sql,
                   ")::text FROM relationships r WHERE ($1::bigint = 0 OR r.actor_id = $1) AND ",
                   where, " AND ", keyset_where, " ORDER BY ", order_by, " LIMIT ", limit),
      pqxx::prepare::make_dynamic_params(all));
  RelationshipPage page;
  for (const pqxx::row& row : rows) {
    page.relationships.push_back(FromRow(row));
    page.sort_keys.push_back(row[kColumnCount].as<std::string>());
  }
  return page;
}

absl::optional<int64_t> RelationshipStore::FindOverlapping(pqxx::work& txn, int64_t actor_id,
                                                           int64_t other_actor_id,
                                                           const std::string& type,
                                                           const std::string& start,
                                                           const std::string& end) {
  static const auto* const kStatement =
      new db::Statement{"directory_overlapping_relationship", kOverlapping};
  pqxx::result rows = db::ExecPrepared(
      txn, *kStatement, {absl::StrCat(actor_id), absl::StrCat(other_actor_id), type, start, end});
  if (rows.empty()) return absl::nullopt;
  return rows[0][0].as<int64_t>();
}

Relationship RelationshipStore::Insert(pqxx::work& txn, int64_t actor_id, const Relationship& r,
                                       int64_t other_actor_id) {
  static const auto* const kInsert = new db::Statement{
      "directory_insert_relationship",
      absl::StrCat("INSERT INTO relationships AS r (actor_id, type, other_actor_id, "
                   "start_date, end_date, description) VALUES ($1, $2, $3, "
                   "NULLIF($4, '')::date, NULLIF($5, '')::date, $6) RETURNING ",
                   Columns())};
  return FromRow(db::ExecPrepared(
      txn, *kInsert,
      {absl::StrCat(actor_id), v1::RelationshipType_Name(r.type()), absl::StrCat(other_actor_id),
       db::DateParam(r.has_start_date(), r.start_date()),
       db::DateParam(r.has_end_date(), r.end_date()), r.description()})[0]);
}

Relationship RelationshipStore::Update(pqxx::work& txn, int64_t id, const Relationship& r) {
  pqxx::result rows = txn.exec_params(
      absl::StrCat("UPDATE relationships AS r SET start_date = NULLIF($2, '')::date, "
                   "end_date = NULLIF($3, '')::date, description = $4, "
                   "revision = r.revision + 1, update_time = now() WHERE r.id = $1 "
                   "RETURNING ",
                   Columns()),
      id, db::DateParam(r.has_start_date(), r.start_date()),
      db::DateParam(r.has_end_date(), r.end_date()), r.description());
  return FromRow(rows[0]);
}

void RelationshipStore::Delete(pqxx::work& txn, int64_t id) {
  txn.exec_params("DELETE FROM relationships WHERE id = $1", id);
}

}  // namespace maillage::directory
