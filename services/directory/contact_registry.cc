// Contacts: the persons attached to actors (see contact_registry.h).
#include "services/directory/contact_registry.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/api/etag.h"
#include "common/api/filter.h"
#include "common/api/list_query.h"
#include "common/api/resource_name.h"
#include "common/api/update_mask.h"
#include "common/db/idempotency.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_children.h"
#include "services/directory/actor_fields.h"
#include "services/directory/actor_registry.h"
#include "services/directory/change_feed.h"
#include "services/directory/contact_store.h"
#include "services/directory/personal_data_requests.h"

namespace maillage::directory {
namespace {

using v1::Contact;

constexpr int kMaxNameChars = 200;

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

}  // namespace

absl::StatusOr<Contact> ContactRegistry::Get(const v1::GetContactRequest& request,
                                             db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(auto ids, ContactIds(request.name(), "name"));
  return ContactStore::Read(pool_, deadline, ids[0], ids[1]);
}

absl::StatusOr<v1::ListContactsResponse> ContactRegistry::List(
    const v1::ListContactsRequest& request, db::Deadline deadline) {
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
  return pool_.ReadOnly<v1::ListContactsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListContactsResponse> {
        MAILLAGE_ASSIGN_OR_RETURN(int64_t parent, ListParent(txn, request.parent()));
        ContactPage page = ContactStore::List(txn, parent, query.where.sql, query.keyset.where,
                                              query.keyset.order_by, query.order.sort.sql,
                                              query.Params(), query.page_size + 1);
        v1::ListContactsResponse response;
        for (int i = 0; i < static_cast<int>(page.contacts.size()) && i < query.page_size; ++i) {
          *response.add_contacts() = std::move(page.contacts[i]);
        }
        if (static_cast<int>(page.contacts.size()) > query.page_size) {
          const Contact& last = response.contacts(query.page_size - 1);
          MAILLAGE_ASSIGN_OR_RETURN(auto last_ids, ContactIds(last.name(), "name"));
          response.set_next_page_token(api::NextPageToken(
              query, page.sort_keys[query.page_size - 1], absl::StrCat(last_ids[1])));
        }
        return response;
      });
}

absl::StatusOr<Contact> ContactRegistry::Create(const v1::CreateContactRequest& request,
                                                db::Deadline deadline) {
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
          Contact created = ContactStore::Insert(txn, actor_id, contact);
          AppendChange(txn, v1::CHANGE_KIND_CREATED, v1::CHANGED_RESOURCE_TYPE_CONTACT,
                       created.name(), &created);
          return created;
        });
  });
}

absl::StatusOr<Contact> ContactRegistry::Update(const v1::UpdateContactRequest& request,
                                                db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(auto ids, ContactIds(request.contact().name(), "contact.name"));
  return pool_.Transact<Contact>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<Contact> {
    MAILLAGE_ASSIGN_OR_RETURN(Contact current, ContactStore::Get(txn, ids[0], ids[1], true));
    MAILLAGE_RETURN_IF_ERROR(
        api::CheckEtag(request.contact().etag(), current.etag(), current.name(), kDomain));
    MAILLAGE_ASSIGN_OR_RETURN(
        Contact updated,
        api::ApplyUpdateMask(current, request.contact(), request.update_mask(), kDomain));
    TrimContact(updated);
    MAILLAGE_RETURN_IF_ERROR(CheckContact(updated, "contact."));
    Contact stored = ContactStore::Update(txn, ids[1], updated);
    AppendChange(txn, v1::CHANGE_KIND_UPDATED, v1::CHANGED_RESOURCE_TYPE_CONTACT, stored.name(),
                 &stored);
    return stored;
  });
}

absl::StatusOr<v1::DeleteContactResponse> ContactRegistry::Delete(
    const v1::DeleteContactRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(auto ids, ContactIds(request.name(), "name"));
  return pool_.Transact<v1::DeleteContactResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::DeleteContactResponse> {
        // One round trip for the row and its names, the rest with the COMMIT.
        MAILLAGE_ASSIGN_OR_RETURN(LockedContact current,
                                  ContactStore::LockWithNames(txn, ids[1], ids[0]));
        MAILLAGE_RETURN_IF_ERROR(api::CheckEtag(request.etag(), current.contact.etag(),
                                                current.contact.name(), kDomain));
        ForgetPerson(txn, current.contact, ErasureCause::kDeleteContact, "DeleteContact",
                     std::move(current.names));
        return v1::DeleteContactResponse();
      });
}

}  // namespace maillage::directory
