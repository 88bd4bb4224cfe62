// SQL of the contacts table (see contact_store.h).
#include "services/directory/contact_store.h"

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/db/pool.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_fields.h"
#include "services/directory/change_feed.h"

namespace maillage::directory {
namespace {

using v1::Contact;

const std::string& Columns() {
  static const auto* const kColumns = new std::string(
      absl::StrCat("c.id, c.actor_id, c.given_name, c.family_name, c.job_title, c.email, c.phone, "
                   "c.elected_official, c.legal_basis, ",
                   MAILLAGE_SQL_MICROS("c.consent_grant_time"), ", ",
                   MAILLAGE_SQL_MICROS("c.consent_withdraw_time"),
                   ", c.consent_purpose, c.consent_evidence, c.source, c.retain_until::text, ",
                   MAILLAGE_SQL_MICROS("c.create_time"), ", ", MAILLAGE_SQL_MICROS("c.update_time"),
                   ", c.revision"));
  return *kColumns;
}
constexpr int kColumnCount = 18;

constexpr char kWritableColumns[] =
    "given_name, family_name, job_title, email, phone, elected_official, legal_basis, "
    "consent_grant_time, consent_withdraw_time, consent_purpose, consent_evidence, source, "
    "retain_until";
constexpr char kWritableValues[] =
    "$1, $2, $3, $4, $5, $6::boolean, $7, "
    "'epoch'::timestamptz + NULLIF($8, '')::bigint * interval '1 microsecond', "
    "'epoch'::timestamptz + NULLIF($9, '')::bigint * interval '1 microsecond', $10, $11, $12, "
    "NULLIF($13, '')::date";

std::string MicrosParam(bool present, const google::protobuf::Timestamp& t) {
  if (!present) return "";
  return absl::StrCat(t.seconds() * 1000000 + t.nanos() / 1000);
}

// $1..$13 of kWritableValues.
std::vector<std::string> WritableParams(const Contact& c) {
  return {c.given_name(),
          c.family_name(),
          c.job_title(),
          c.email(),
          c.phone(),
          c.elected_official() ? "true" : "false",
          v1::LegalBasis_Name(c.legal_basis()),
          MicrosParam(c.consent().has_grant_time(), c.consent().grant_time()),
          MicrosParam(c.consent().has_withdraw_time(), c.consent().withdraw_time()),
          c.consent().purpose(),
          c.consent().evidence(),
          c.source(),
          db::DateParam(c.has_retain_until(), c.retain_until())};
}

Contact FromRow(const pqxx::row& row) {
  Contact c;
  c.set_name(absl::StrCat(api::ResourceName("actors", row[1].as<int64_t>()), "/",
                          api::ResourceName("contacts", row[0].as<int64_t>())));
  c.set_given_name(row[2].as<std::string>());
  c.set_family_name(row[3].as<std::string>());
  c.set_job_title(row[4].as<std::string>());
  c.set_email(row[5].as<std::string>());
  c.set_phone(row[6].as<std::string>());
  c.set_elected_official(row[7].as<bool>());
  v1::LegalBasis basis;
  if (v1::LegalBasis_Parse(row[8].as<std::string>(), &basis)) c.set_legal_basis(basis);
  google::protobuf::Timestamp t;
  if (db::ReadMicros(row[9], &t)) *c.mutable_consent()->mutable_grant_time() = t;
  if (db::ReadMicros(row[10], &t)) *c.mutable_consent()->mutable_withdraw_time() = t;
  std::string purpose = row[11].as<std::string>(), evidence = row[12].as<std::string>();
  if (!purpose.empty()) c.mutable_consent()->set_purpose(purpose);
  if (!evidence.empty()) c.mutable_consent()->set_evidence(evidence);
  c.set_source(row[13].as<std::string>());
  google::type::Date date;
  if (db::ReadDate(row[14], &date)) *c.mutable_retain_until() = date;
  db::ReadMicros(row[15], c.mutable_create_time());
  db::ReadMicros(row[16], c.mutable_update_time());
  c.set_etag(row[17].as<std::string>());
  return c;
}

absl::Status ContactNotFound(int64_t actor_id, int64_t id) {
  std::string name = absl::StrCat("actors/", actor_id, "/contacts/", id);
  return NotFound(kDomain, "CONTACT_NOT_FOUND", absl::StrCat("contact ", name, " does not exist"),
                  {{"name", name}});
}

}  // namespace

absl::StatusOr<Contact> ContactStore::Get(pqxx::work& txn, int64_t actor_id, int64_t id,
                                          bool for_update) {
  static const auto* const kRead = new db::Statement{
      "directory_get_contact",
      absl::StrCat("SELECT ", Columns(), " FROM contacts c WHERE c.id = $1 AND c.actor_id = $2")};
  static const auto* const kLock = new db::Statement{
      "directory_lock_contact",
      absl::StrCat("SELECT ", Columns(),
                   " FROM contacts c WHERE c.id = $1 AND c.actor_id = $2 FOR UPDATE")};
  pqxx::result rows = db::ExecPrepared(txn, for_update ? *kLock : *kRead,
                                       {absl::StrCat(id), absl::StrCat(actor_id)});
  if (rows.empty()) return ContactNotFound(actor_id, id);
  return FromRow(rows[0]);
}

absl::StatusOr<Contact> ContactStore::Read(db::Pool& pool, db::Deadline deadline, int64_t actor_id,
                                           int64_t id) {
  static const auto* const kStatement = new db::Statement{
      "directory_read_contact",
      absl::StrCat("SELECT ", Columns(), " FROM contacts c WHERE c.id = $1 AND c.actor_id = $2")};
  MAILLAGE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      pool.Query(deadline, *kStatement, {absl::StrCat(id), absl::StrCat(actor_id)}));
  if (rows.empty()) return ContactNotFound(actor_id, id);
  return FromRow(rows[0]);
}

absl::optional<Contact> ContactStore::ById(pqxx::work& txn, int64_t id, bool for_update) {
  pqxx::result rows =
      txn.exec_params(absl::StrCat("SELECT ", Columns(), " FROM contacts c WHERE c.id = $1",
                                   for_update ? " FOR UPDATE" : ""),
                      id);
  if (rows.empty()) return absl::nullopt;
  return FromRow(rows[0]);
}

absl::StatusOr<LockedContact> ContactStore::LockWithNames(pqxx::work& txn, int64_t id,
                                                          int64_t actor_id) {
  // The last two columns: whether the locked row is the version the statement's snapshot sees
  // (false when the lock waited for a concurrent write), and its names read in that snapshot.
  static const auto* const kStatement = new db::Statement{
      "directory_lock_contact_with_names",
      absl::StrCat(
          "SELECT ", Columns(),
          ", coalesce(c.xmin = (SELECT s.xmin FROM contacts s WHERE s.id = c.id), false), ",
          NamesOfSql(v1::CHANGED_RESOURCE_TYPE_CONTACT,
                     "'actors/' || c.actor_id || '/contacts/' || c.id"),
          " FROM contacts c WHERE c.id = $1 AND ($2::bigint = 0 OR c.actor_id = $2) "
          "FOR UPDATE OF c")};
  pqxx::result rows =
      db::ExecPrepared(txn, *kStatement, {absl::StrCat(id), absl::StrCat(actor_id)});
  if (rows.empty()) return ContactNotFound(actor_id, id);
  LockedContact locked{FromRow(rows[0]), {}};
  if (rows[0][kColumnCount].as<bool>()) {
    locked.names = db::ReadTextArray(rows[0][kColumnCount + 1]);
  } else {
    locked.names = NamesOf(txn, v1::CHANGED_RESOURCE_TYPE_CONTACT, locked.contact.name());
  }
  return locked;
}

ContactPage ContactStore::List(pqxx::work& txn, int64_t actor_id, const std::string& where,
                               const std::string& keyset_where, const std::string& order_by,
                               const std::string& sort_key_sql,
                               const std::vector<std::string>& params, int limit) {
  std::vector<std::string> all = {absl::StrCat(actor_id)};
  all.insert(all.end(), params.begin(), params.end());
  pqxx::result rows = txn.exec_params(
      absl::StrCat("SELECT ", Columns(), ", (", sort_key_sql,
                   ")::text FROM contacts c WHERE ($1::bigint = 0 OR c.actor_id = $1) AND ", where,
                   " AND ", keyset_where, " ORDER BY ", order_by, " LIMIT ", limit),
      pqxx::prepare::make_dynamic_params(all));
  ContactPage page;
  for (const pqxx::row& row : rows) {
    page.contacts.push_back(FromRow(row));
    page.sort_keys.push_back(row[kColumnCount].as<std::string>());
  }
  return page;
}

std::vector<Contact> ContactStore::WithEmail(pqxx::work& txn, const std::string& email,
                                             int64_t except_id) {
  std::vector<Contact> contacts;
  for (const pqxx::row& row :
       txn.exec_params(absl::StrCat("SELECT ", Columns(),
                                    " FROM contacts c WHERE lower(c.email) = lower($1) "
                                    "AND c.id <> $2 ORDER BY c.id"),
                       email, except_id)) {
    contacts.push_back(FromRow(row));
  }
  return contacts;
}

std::vector<Contact> ContactStore::RetentionExpired(pqxx::work& txn, const std::string& today,
                                                    int limit) {
  std::vector<Contact> contacts;
  for (const pqxx::row& row : txn.exec_params(
           absl::StrCat("SELECT ", Columns(),
                        " FROM contacts c WHERE c.retain_until < $1::date "
                        "ORDER BY c.retain_until, c.id LIMIT $2 FOR UPDATE SKIP LOCKED"),
           today, limit)) {
    contacts.push_back(FromRow(row));
  }
  return contacts;
}

Contact ContactStore::Insert(pqxx::work& txn, int64_t actor_id, const Contact& contact) {
  static const auto* const kInsert = new db::Statement{
      "directory_insert_contact",
      absl::StrCat("INSERT INTO contacts AS c (", kWritableColumns, ", actor_id) VALUES (",
                   kWritableValues, ", $14) RETURNING ", Columns())};
  std::vector<std::string> params = WritableParams(contact);
  params.push_back(absl::StrCat(actor_id));
  return FromRow(db::ExecPrepared(txn, *kInsert, params)[0]);
}

Contact ContactStore::Update(pqxx::work& txn, int64_t id, const Contact& contact) {
  static const auto* const kUpdate = new db::Statement{
      "directory_update_contact",
      absl::StrCat("UPDATE contacts AS c SET (", kWritableColumns, ") = (", kWritableValues,
                   "), revision = c.revision + 1, update_time = now() WHERE c.id = $14 "
                   "RETURNING ",
                   Columns())};
  std::vector<std::string> params = WritableParams(contact);
  params.push_back(absl::StrCat(id));
  return FromRow(db::ExecPrepared(txn, *kUpdate, params)[0]);
}

std::string ContactStore::DeleteSql(int64_t id) {
  return absl::StrCat("DELETE FROM contacts WHERE id = ", id, ";");
}

}  // namespace maillage::directory
