// Contacts, personal-data requests and relationships (see contact_registry.h).
#include "services/directory/contact_registry.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/etag.h"
#include "common/api/filter.h"
#include "common/api/list_query.h"
#include "common/api/resource_name.h"
#include "common/api/update_mask.h"
#include "common/db/idempotency.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_fields.h"
#include "services/directory/actor_registry.h"
#include "services/directory/actor_store.h"
#include "services/directory/change_feed.h"

namespace maillage::directory {
namespace {

using v1::Contact;
using v1::Relationship;

constexpr int kMaxNameChars = 200;
constexpr int kMaxRelationshipDescription = 2000;
constexpr int kMaxEraseReason = 500;

// ---------------------------------------------------------------------------------------------
// Contacts: SQL.

const std::string& ContactColumns() {
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

constexpr char kContactWritableColumns[] =
    "given_name, family_name, job_title, email, phone, elected_official, legal_basis, "
    "consent_grant_time, consent_withdraw_time, consent_purpose, consent_evidence, source, "
    "retain_until";
constexpr char kContactWritableValues[] =
    "$1, $2, $3, $4, $5, $6::boolean, $7, "
    "'epoch'::timestamptz + NULLIF($8, '')::bigint * interval '1 microsecond', "
    "'epoch'::timestamptz + NULLIF($9, '')::bigint * interval '1 microsecond', $10, $11, $12, "
    "NULLIF($13, '')::date";

std::string MicrosParam(bool present, const google::protobuf::Timestamp& t) {
  if (!present) return "";
  return absl::StrCat(t.seconds() * 1000000 + t.nanos() / 1000);
}

std::vector<std::string> ContactParams(const Contact& c) {
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

Contact ContactFromRow(const pqxx::row& row) {
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

absl::StatusOr<Contact> LoadContact(pqxx::work& txn, int64_t actor_id, int64_t contact_id,
                                    bool for_update) {
  pqxx::result rows =
      txn.exec_params(absl::StrCat("SELECT ", ContactColumns(),
                                   " FROM contacts c WHERE c.id = $1 AND c.actor_id = $2",
                                   for_update ? " FOR UPDATE" : ""),
                      contact_id, actor_id);
  if (rows.empty()) {
    std::string name = absl::StrCat("actors/", actor_id, "/contacts/", contact_id);
    return NotFound(kDomain, "CONTACT_NOT_FOUND", absl::StrCat("contact ", name, " does not exist"),
                    {{"name", name}});
  }
  return ContactFromRow(rows[0]);
}

absl::StatusOr<std::vector<int64_t>> ContactIds(const std::string& name, absl::string_view field) {
  return api::ParseResourceIds(name, {"actors", "contacts"}, field, kDomain);
}

void TrimContact(Contact& c) {
  for (std::string* s : {c.mutable_given_name(), c.mutable_family_name(), c.mutable_job_title(),
                         c.mutable_email(), c.mutable_phone(), c.mutable_source()}) {
    absl::string_view stripped = absl::StripAsciiWhitespace(*s);
    if (stripped.size() != s->size()) *s = std::string(stripped);
  }
  c.clear_create_time();
  c.clear_update_time();
}

absl::Status CheckContact(const Contact& c, absl::string_view prefix) {
  FieldViolations v;
  auto path = [&](absl::string_view field) { return absl::StrCat(prefix, field); };
  if (c.given_name().empty() && c.family_name().empty()) {
    v.Add(path("family_name"), "given_name or family_name is required");
  }
  CheckText(c.given_name(), kMaxNameChars, path("given_name"), v);
  CheckText(c.family_name(), kMaxNameChars, path("family_name"), v);
  CheckText(c.job_title(), kMaxNameChars, path("job_title"), v);
  CheckText(c.email(), kMaxShortText, path("email"), v);
  CheckText(c.source(), kMaxShortText, path("source"), v);
  if (!c.email().empty() && !IsEmailShaped(c.email())) {
    v.Add(path("email"), "an e-mail address such as prenom.nom@example.org");
  }
  if (!c.phone().empty() && !IsPhoneShaped(c.phone())) {
    v.Add(path("phone"), "4 to 20 digits with spaces, dots or dashes and an optional leading +");
  }
  if (c.legal_basis() == v1::LEGAL_BASIS_UNSPECIFIED || !v1::LegalBasis_IsValid(c.legal_basis())) {
    v.Add(path("legal_basis"), "required: CONSENT, LEGITIMATE_INTEREST, CONTRACT, ...");
  }
  if (c.legal_basis() == v1::LEGAL_BASIS_CONSENT && !c.consent().has_grant_time()) {
    v.Add(path("consent.grant_time"), "required when legal_basis is CONSENT");
  }
  if (c.consent().has_withdraw_time() && c.consent().has_grant_time() &&
      c.consent().withdraw_time().seconds() < c.consent().grant_time().seconds()) {
    v.Add(path("consent.withdraw_time"), "before grant_time");
  }
  CheckText(c.consent().purpose(), kMaxShortText, path("consent.purpose"), v);
  CheckText(c.consent().evidence(), kMaxShortText, path("consent.evidence"), v);
  if (c.has_retain_until() && !IsValidDate(c.retain_until())) {
    v.Add(path("retain_until"), "not a valid date");
  }
  return v.ToStatus(kDomain);
}

// The actor `id` for a write under it: NOT_FOUND, or FAILED_PRECONDITION when merged.
absl::Status CheckWritableParent(pqxx::work& txn, int64_t id) {
  MAILLAGE_ASSIGN_OR_RETURN(v1::Actor actor, ActorStore::Get(txn, id));
  if (actor.state() == v1::ACTOR_STATE_MERGED) {
    return FailedPrecondition(
        kDomain, "ACTOR_MERGED",
        absl::StrCat("actor ", actor.name(), " was merged into ", actor.merged_into()),
        {{"name", actor.name()}, {"merged_into", actor.merged_into()}});
  }
  return absl::OkStatus();
}

// The parent id of a list (`actors/-` → 0 for every actor). NOT_FOUND for an unknown actor.
absl::StatusOr<int64_t> ListParent(pqxx::work& txn, const std::string& parent) {
  if (parent == "actors/-") return int64_t{0};
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(parent, "actors", "parent", kDomain));
  MAILLAGE_RETURN_IF_ERROR(ActorStore::Get(txn, id).status());
  return id;
}

// ---------------------------------------------------------------------------------------------
// Relationships: SQL.

const std::string& RelationshipColumns() {
  static const auto* const kColumns = new std::string(absl::StrCat(
      "r.id, r.actor_id, r.type, r.other_actor_id, r.start_date::text, r.end_date::text, "
      "r.description, ",
      MAILLAGE_SQL_MICROS("r.create_time"), ", ", MAILLAGE_SQL_MICROS("r.update_time"),
      ", r.revision"));
  return *kColumns;
}

Relationship RelationshipFromRow(const pqxx::row& row) {
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

absl::StatusOr<Relationship> LoadRelationship(pqxx::work& txn, int64_t actor_id, int64_t id,
                                              bool for_update) {
  pqxx::result rows =
      txn.exec_params(absl::StrCat("SELECT ", RelationshipColumns(),
                                   " FROM relationships r WHERE r.id = $1 AND r.actor_id = $2",
                                   for_update ? " FOR UPDATE" : ""),
                      id, actor_id);
  if (rows.empty()) {
    std::string name = absl::StrCat("actors/", actor_id, "/relationships/", id);
    return NotFound(kDomain, "RELATIONSHIP_NOT_FOUND",
                    absl::StrCat("relationship ", name, " does not exist"), {{"name", name}});
  }
  return RelationshipFromRow(rows[0]);
}

absl::StatusOr<std::vector<int64_t>> RelationshipIds(const std::string& name,
                                                     absl::string_view field) {
  return api::ParseResourceIds(name, {"actors", "relationships"}, field, kDomain);
}

void CheckRelationshipDates(const Relationship& r, absl::string_view prefix, FieldViolations& v) {
  if (r.has_start_date() && !IsValidDate(r.start_date())) {
    v.Add(absl::StrCat(prefix, "start_date"), "not a valid date");
  }
  if (r.has_end_date() && !IsValidDate(r.end_date())) {
    v.Add(absl::StrCat(prefix, "end_date"), "not a valid date");
  } else if (r.has_end_date() && r.has_start_date() &&
             DateKey(r.end_date()) < DateKey(r.start_date())) {
    v.Add(absl::StrCat(prefix, "end_date"), "before start_date");
  }
  CheckText(r.description(), kMaxRelationshipDescription, absl::StrCat(prefix, "description"), v);
}

constexpr char kOverlappingRelationship[] =
    "SELECT id FROM relationships WHERE actor_id = $1 AND other_actor_id = $2 AND type = $3 "
    "AND daterange(start_date, end_date, '[]') && "
    "daterange(NULLIF($4, '')::date, NULLIF($5, '')::date, '[]') LIMIT 1";

}  // namespace

absl::optional<Contact> ContactById(pqxx::work& txn, int64_t id) {
  pqxx::result rows = txn.exec_params(
      absl::StrCat("SELECT ", ContactColumns(), " FROM contacts c WHERE c.id = $1"), id);
  if (rows.empty()) return absl::nullopt;
  return ContactFromRow(rows[0]);
}

absl::optional<Relationship> RelationshipById(pqxx::work& txn, int64_t id) {
  pqxx::result rows = txn.exec_params(
      absl::StrCat("SELECT ", RelationshipColumns(), " FROM relationships r WHERE r.id = $1"), id);
  if (rows.empty()) return absl::nullopt;
  return RelationshipFromRow(rows[0]);
}

// ---------------------------------------------------------------------------------------------
// Contacts.

absl::StatusOr<Contact> ContactRegistry::Get(db::Deadline deadline,
                                             const v1::GetContactRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(auto ids, ContactIds(request.name(), "name"));
  return pool_.ReadOnly<Contact>(
      deadline, [&](pqxx::work& txn) { return LoadContact(txn, ids[0], ids[1], false); });
}

absl::StatusOr<v1::ListContactsResponse> ContactRegistry::List(
    db::Deadline deadline, const v1::ListContactsRequest& request) {
  using Type = api::FilterField::Type;
  static const auto* const kFilter = new api::FilterSchema{
      {"elected_official", {"c.elected_official", Type::kBool}},
      {"legal_basis",
       {"c.legal_basis",
        Type::kEnum,
        "LEGAL_BASIS_",
        {"CONSENT", "LEGITIMATE_INTEREST", "CONTRACT", "LEGAL_OBLIGATION", "PUBLIC_TASK"}}},
      {"consent_withdrawn", {"(c.consent_withdraw_time IS NOT NULL)", Type::kBool}},
      // Case-insensitive (collation of migration 0002).
      {"email", {"(c.email COLLATE directory_case_insensitive)", Type::kString}},
  };
  static const auto* const kSort = new api::SortSchema{
      {"family_name", {"(c.family_name || ' ' || c.given_name) COLLATE \"fr-FR-x-icu\"", "text"}},
      {"create_time", {"c.create_time", "timestamptz"}},
      {"update_time", {"c.update_time", "timestamptz"}},
  };
  MAILLAGE_ASSIGN_OR_RETURN(
      api::ListQuery query,
      api::PrepareList({request.page_size(), request.page_token(), request.filter(),
                        request.order_by(), absl::StrCat("contacts\x1f", request.parent())},
                       {*kFilter, *kSort, "family_name", "c.id"}, kDomain, 2));
  const api::SqlCondition& where = query.where;
  const api::KeysetClause& keyset = query.keyset;
  return pool_.ReadOnly<v1::ListContactsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListContactsResponse> {
        MAILLAGE_ASSIGN_OR_RETURN(int64_t parent, ListParent(txn, request.parent()));
        std::vector<std::string> params = {absl::StrCat(parent)};
        for (std::string& param : query.Params()) params.push_back(std::move(param));
        pqxx::result rows = txn.exec_params(
            absl::StrCat("SELECT ", ContactColumns(), ", (", query.order.sort.sql,
                         ")::text FROM contacts c WHERE ($1::bigint = 0 OR c.actor_id = $1) AND ",
                         where.sql, " AND ", keyset.where, " ORDER BY ", keyset.order_by, " LIMIT ",
                         query.page_size + 1),
            pqxx::prepare::make_dynamic_params(params));
        v1::ListContactsResponse response;
        for (int i = 0; i < static_cast<int>(rows.size()) && i < query.page_size; ++i) {
          *response.add_contacts() = ContactFromRow(rows[i]);
        }
        if (static_cast<int>(rows.size()) > query.page_size) {
          const auto& last = rows[query.page_size - 1];
          response.set_next_page_token(
              api::NextPageToken(query, last[18].as<std::string>(), last[0].as<std::string>()));
        }
        return response;
      });
}

absl::StatusOr<Contact> ContactRegistry::Create(db::Deadline deadline,
                                                const v1::CreateContactRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t actor_id,
                            api::ParseResourceId(request.parent(), "actors", "parent", kDomain));
  Contact contact = request.contact();
  TrimContact(contact);
  MAILLAGE_RETURN_IF_ERROR(CheckContact(contact, "contact."));
  return pool_.Transact<Contact>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<Contact> {
    return db::RunIdempotent<Contact>(
        txn, request.request_id(), "CreateContact", request, kDomain,
        [&]() -> absl::StatusOr<Contact> {
          MAILLAGE_RETURN_IF_ERROR(CheckWritableParent(txn, actor_id));
          std::vector<std::string> params = ContactParams(contact);
          params.push_back(absl::StrCat(actor_id));
          pqxx::result rows =
              txn.exec_params(absl::StrCat("INSERT INTO contacts AS c (", kContactWritableColumns,
                                           ", actor_id) VALUES (", kContactWritableValues,
                                           ", $14) RETURNING ", ContactColumns()),
                              pqxx::prepare::make_dynamic_params(params));
          Contact created = ContactFromRow(rows[0]);
          AppendChange(txn, v1::CHANGE_KIND_CREATED, v1::CHANGED_RESOURCE_TYPE_CONTACT,
                       created.name(), &created);
          return created;
        });
  });
}

absl::StatusOr<Contact> ContactRegistry::Update(db::Deadline deadline,
                                                const v1::UpdateContactRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(auto ids, ContactIds(request.contact().name(), "contact.name"));
  return pool_.Transact<Contact>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<Contact> {
    MAILLAGE_ASSIGN_OR_RETURN(Contact current, LoadContact(txn, ids[0], ids[1], true));
    MAILLAGE_RETURN_IF_ERROR(
        api::CheckEtag(request.contact().etag(), current.etag(), current.name(), kDomain));
    MAILLAGE_ASSIGN_OR_RETURN(
        Contact updated,
        api::ApplyUpdateMask(current, request.contact(), request.update_mask(), kDomain));
    TrimContact(updated);
    MAILLAGE_RETURN_IF_ERROR(CheckContact(updated, "contact."));
    std::vector<std::string> params = ContactParams(updated);
    params.push_back(absl::StrCat(ids[1]));
    pqxx::result rows = txn.exec_params(
        absl::StrCat("UPDATE contacts AS c SET (", kContactWritableColumns, ") = (",
                     kContactWritableValues,
                     "), revision = c.revision + 1, update_time = now() WHERE c.id = $14 "
                     "RETURNING ",
                     ContactColumns()),
        pqxx::prepare::make_dynamic_params(params));
    Contact stored = ContactFromRow(rows[0]);
    AppendChange(txn, v1::CHANGE_KIND_UPDATED, v1::CHANGED_RESOURCE_TYPE_CONTACT, stored.name(),
                 &stored);
    return stored;
  });
}

absl::StatusOr<v1::DeleteContactResponse> ContactRegistry::Delete(
    db::Deadline deadline, const v1::DeleteContactRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(auto ids, ContactIds(request.name(), "name"));
  return pool_.Transact<v1::DeleteContactResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::DeleteContactResponse> {
        MAILLAGE_ASSIGN_OR_RETURN(Contact current, LoadContact(txn, ids[0], ids[1], true));
        MAILLAGE_RETURN_IF_ERROR(
            api::CheckEtag(request.etag(), current.etag(), current.name(), kDomain));
        txn.exec_params("DELETE FROM contacts WHERE id = $1", ids[1]);
        AppendChange(txn, v1::CHANGE_KIND_DELETED, v1::CHANGED_RESOURCE_TYPE_CONTACT,
                     current.name(), nullptr);
        return v1::DeleteContactResponse();
      });
}

absl::StatusOr<v1::ExportPersonDataResponse> ContactRegistry::ExportPersonData(
    db::Deadline deadline, const v1::ExportPersonDataRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(auto ids, ContactIds(request.name(), "name"));
  return pool_.ReadOnly<v1::ExportPersonDataResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ExportPersonDataResponse> {
        v1::ExportPersonDataResponse response;
        MAILLAGE_ASSIGN_OR_RETURN(*response.mutable_contact(),
                                  LoadContact(txn, ids[0], ids[1], false));
        MAILLAGE_ASSIGN_OR_RETURN(v1::Actor actor, ActorStore::Get(txn, ids[0]));
        response.set_actor(actor.name());
        response.set_actor_display_name(actor.display_name());
        for (v1::Change& change : ChangesOf(txn, response.contact().name())) {
          *response.add_changes() = std::move(change);
        }
        if (!response.contact().email().empty()) {
          pqxx::result rows = txn.exec_params(
              absl::StrCat("SELECT ", ContactColumns(),
                           " FROM contacts c WHERE lower(c.email) = lower($1) AND c.id <> $2 "
                           "ORDER BY c.id"),
              response.contact().email(), ids[1]);
          for (const auto& row : rows) *response.add_same_email_contacts() = ContactFromRow(row);
        }
        pqxx::result now = txn.exec("SELECT " MAILLAGE_SQL_MICROS("now()"));
        db::ReadMicros(now[0][0], response.mutable_export_time());
        return response;
      });
}

absl::StatusOr<v1::ErasePersonResponse> ContactRegistry::ErasePerson(
    db::Deadline deadline, const v1::ErasePersonRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(auto ids, ContactIds(request.name(), "name"));
  std::string reason(absl::StripAsciiWhitespace(request.reason()));
  FieldViolations v;
  if (reason.empty()) v.Add("reason", "required, without personal data");
  CheckText(reason, kMaxEraseReason, "reason", v);
  MAILLAGE_RETURN_IF_ERROR(v.ToStatus(kDomain));
  return pool_.Transact<v1::ErasePersonResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ErasePersonResponse> {
        return db::RunIdempotent<v1::ErasePersonResponse>(
            txn, request.request_id(), "ErasePerson", request, kDomain,
            [&]() -> absl::StatusOr<v1::ErasePersonResponse> {
              MAILLAGE_ASSIGN_OR_RETURN(Contact current, LoadContact(txn, ids[0], ids[1], true));
              txn.exec_params("DELETE FROM contacts WHERE id = $1", ids[1]);
              ForgetSnapshots(txn, current.name());
              int64_t sequence =
                  AppendChange(txn, v1::CHANGE_KIND_ERASED, v1::CHANGED_RESOURCE_TYPE_CONTACT,
                               current.name(), nullptr);
              pqxx::result rows = txn.exec_params(
                  "INSERT INTO erasures (contact_name, reason, change_sequence) "
                  "VALUES ($1, $2, $3) "
                  "RETURNING id, " MAILLAGE_SQL_MICROS("erase_time"),
                  current.name(), reason, sequence);
              v1::ErasePersonResponse response;
              response.set_receipt_id(absl::StrCat("erasures/", rows[0][0].as<int64_t>()));
              response.set_contact(current.name());
              db::ReadMicros(rows[0][1], response.mutable_erase_time());
              response.set_reason(reason);
              response.set_change_sequence(sequence);
              return response;
            });
      });
}

// ---------------------------------------------------------------------------------------------
// Relationships.

absl::StatusOr<Relationship> ContactRegistry::GetRelationship(
    db::Deadline deadline, const v1::GetRelationshipRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(auto ids, RelationshipIds(request.name(), "name"));
  return pool_.ReadOnly<Relationship>(
      deadline, [&](pqxx::work& txn) { return LoadRelationship(txn, ids[0], ids[1], false); });
}

absl::StatusOr<v1::ListRelationshipsResponse> ContactRegistry::ListRelationships(
    db::Deadline deadline, const v1::ListRelationshipsRequest& request) {
  using Type = api::FilterField::Type;
  static const auto* const kFilter = new api::FilterSchema{
      {"type", {"r.type", Type::kEnum, "RELATIONSHIP_TYPE_", {"MEMBER_OF", "PARTNER_OF"}}},
      {"other_actor", {"('actors/' || r.other_actor_id)", Type::kString}},
      {"current",
       {"((r.start_date IS NULL OR r.start_date <= current_date) AND "
        "(r.end_date IS NULL OR r.end_date >= current_date))",
        Type::kBool}},
  };
  static const auto* const kSort = new api::SortSchema{
      {"create_time", {"r.create_time", "timestamptz"}},
      {"start_date", {"COALESCE(r.start_date, '0001-01-01'::date)", "date"}},
  };
  MAILLAGE_ASSIGN_OR_RETURN(
      api::ListQuery query,
      api::PrepareList({request.page_size(), request.page_token(), request.filter(),
                        request.order_by(), absl::StrCat("relationships\x1f", request.parent())},
                       {*kFilter, *kSort, "create_time", "r.id"}, kDomain, 2));
  const api::SqlCondition& where = query.where;
  const api::KeysetClause& keyset = query.keyset;
  return pool_.ReadOnly<v1::ListRelationshipsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListRelationshipsResponse> {
        MAILLAGE_ASSIGN_OR_RETURN(int64_t parent, ListParent(txn, request.parent()));
        std::vector<std::string> params = {absl::StrCat(parent)};
        for (std::string& param : query.Params()) params.push_back(std::move(param));
        pqxx::result rows = txn.exec_params(
            absl::StrCat("SELECT ", RelationshipColumns(), ", (", query.order.sort.sql,
                         ")::text FROM relationships r WHERE ($1::bigint = 0 OR r.actor_id = $1) "
                         "AND ",
                         where.sql, " AND ", keyset.where, " ORDER BY ", keyset.order_by, " LIMIT ",
                         query.page_size + 1),
            pqxx::prepare::make_dynamic_params(params));
        v1::ListRelationshipsResponse response;
        for (int i = 0; i < static_cast<int>(rows.size()) && i < query.page_size; ++i) {
          *response.add_relationships() = RelationshipFromRow(rows[i]);
        }
        if (static_cast<int>(rows.size()) > query.page_size) {
          const auto& last = rows[query.page_size - 1];
          response.set_next_page_token(
              api::NextPageToken(query, last[10].as<std::string>(), last[0].as<std::string>()));
        }
        return response;
      });
}

absl::StatusOr<Relationship> ContactRegistry::CreateRelationship(
    db::Deadline deadline, const v1::CreateRelationshipRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t actor_id,
                            api::ParseResourceId(request.parent(), "actors", "parent", kDomain));
  const Relationship& r = request.relationship();
  FieldViolations v;
  if (r.type() == v1::RELATIONSHIP_TYPE_UNSPECIFIED || !v1::RelationshipType_IsValid(r.type())) {
    v.Add("relationship.type", "required: MEMBER_OF or PARTNER_OF");
  }
  absl::StatusOr<int64_t> other_id =
      api::ParseResourceId(r.other_actor(), "actors", "relationship.other_actor", kDomain);
  if (!other_id.ok()) {
    v.Add("relationship.other_actor", "an actor name such as actors/3");
  } else if (*other_id == actor_id) {
    v.Add("relationship.other_actor", "an actor cannot be linked to itself");
  }
  CheckRelationshipDates(r, "relationship.", v);
  MAILLAGE_RETURN_IF_ERROR(v.ToStatus(kDomain));
  return pool_.Transact<Relationship>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<Relationship> {
        return db::RunIdempotent<Relationship>(
            txn, request.request_id(), "CreateRelationship", request, kDomain,
            [&]() -> absl::StatusOr<Relationship> {
              MAILLAGE_RETURN_IF_ERROR(CheckWritableParent(txn, actor_id));
              absl::StatusOr<v1::Actor> other = ActorStore::Get(txn, *other_id);
              if (!other.ok() || other->state() == v1::ACTOR_STATE_MERGED) {
                return FailedPrecondition(
                    kDomain, other.ok() ? "ACTOR_MERGED" : "OTHER_ACTOR_NOT_FOUND",
                    absl::StrCat("other_actor ", r.other_actor(),
                                 other.ok() ? " was merged" : " does not exist"),
                    {{"other_actor", r.other_actor()}});
              }
              std::string start = db::DateParam(r.has_start_date(), r.start_date());
              std::string end = db::DateParam(r.has_end_date(), r.end_date());
              std::string type = v1::RelationshipType_Name(r.type());
              pqxx::result overlap =
                  txn.exec_params(kOverlappingRelationship, actor_id, *other_id, type, start, end);
              if (!overlap.empty()) {
                std::string existing = absl::StrCat("actors/", actor_id, "/relationships/",
                                                    overlap[0][0].as<int64_t>());
                return AlreadyExists(kDomain, "RELATIONSHIP_ALREADY_EXISTS",
                                     absl::StrCat(existing,
                                                  " already links these actors over "
                                                  "these dates"),
                                     {{"existing_relationship", existing}});
              }
              pqxx::result rows = txn.exec_params(
                  absl::StrCat("INSERT INTO relationships AS r (actor_id, type, other_actor_id, "
                               "start_date, end_date, description) VALUES ($1, $2, $3, "
                               "NULLIF($4, '')::date, NULLIF($5, '')::date, $6) RETURNING ",
                               RelationshipColumns()),
                  actor_id, type, *other_id, start, end, r.description());
              Relationship created = RelationshipFromRow(rows[0]);
              AppendChange(txn, v1::CHANGE_KIND_CREATED, v1::CHANGED_RESOURCE_TYPE_RELATIONSHIP,
                           created.name(), &created);
              return created;
            });
      });
}

absl::StatusOr<Relationship> ContactRegistry::UpdateRelationship(
    db::Deadline deadline, const v1::UpdateRelationshipRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(auto ids,
                            RelationshipIds(request.relationship().name(), "relationship.name"));
  return pool_.Transact<Relationship>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<Relationship> {
        MAILLAGE_ASSIGN_OR_RETURN(Relationship current,
                                  LoadRelationship(txn, ids[0], ids[1], true));
        MAILLAGE_RETURN_IF_ERROR(
            api::CheckEtag(request.relationship().etag(), current.etag(), current.name(), kDomain));
        MAILLAGE_ASSIGN_OR_RETURN(
            Relationship updated,
            api::ApplyUpdateMask(current, request.relationship(), request.update_mask(), kDomain));
        FieldViolations v;
        CheckRelationshipDates(updated, "relationship.", v);
        MAILLAGE_RETURN_IF_ERROR(v.ToStatus(kDomain));
        pqxx::result rows = txn.exec_params(
            absl::StrCat("UPDATE relationships AS r SET start_date = NULLIF($2, '')::date, "
                         "end_date = NULLIF($3, '')::date, description = $4, "
                         "revision = r.revision + 1, update_time = now() WHERE r.id = $1 "
                         "RETURNING ",
                         RelationshipColumns()),
            ids[1], db::DateParam(updated.has_start_date(), updated.start_date()),
            db::DateParam(updated.has_end_date(), updated.end_date()), updated.description());
        Relationship stored = RelationshipFromRow(rows[0]);
        AppendChange(txn, v1::CHANGE_KIND_UPDATED, v1::CHANGED_RESOURCE_TYPE_RELATIONSHIP,
                     stored.name(), &stored);
        return stored;
      });
}

absl::StatusOr<v1::DeleteRelationshipResponse> ContactRegistry::DeleteRelationship(
    db::Deadline deadline, const v1::DeleteRelationshipRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(auto ids, RelationshipIds(request.name(), "name"));
  return pool_.Transact<v1::DeleteRelationshipResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::DeleteRelationshipResponse> {
        MAILLAGE_ASSIGN_OR_RETURN(Relationship current,
                                  LoadRelationship(txn, ids[0], ids[1], true));
        MAILLAGE_RETURN_IF_ERROR(
            api::CheckEtag(request.etag(), current.etag(), current.name(), kDomain));
        txn.exec_params("DELETE FROM relationships WHERE id = $1", ids[1]);
        AppendChange(txn, v1::CHANGE_KIND_DELETED, v1::CHANGED_RESOURCE_TYPE_RELATIONSHIP,
                     current.name(), nullptr);
        return v1::DeleteRelationshipResponse();
      });
}

}  // namespace maillage::directory
