// The requests of the persons themselves, and the erasures of the directory (see
// personal_data_requests.h).
#include "services/directory/personal_data_requests.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/resource_name.h"
#include "common/db/idempotency.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_fields.h"
#include "services/directory/actor_store.h"
#include "services/directory/change_feed.h"
#include "services/directory/contact_store.h"

namespace maillage::directory {
namespace {

constexpr int kMaxEraseReason = 500;
constexpr int kRetentionBatch = 200;

absl::StatusOr<std::vector<int64_t>> ContactIds(const std::string& name, absl::string_view field) {
  return api::ParseResourceIds(name, {"actors", "contacts"}, field, kDomain);
}

absl::Status ContactNotFound(const std::string& name, absl::string_view why) {
  return NotFound(kDomain, "CONTACT_NOT_FOUND", absl::StrCat("contact ", name, why),
                  {{"name", name}});
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The contact `id` when `name` is its current name or a former one, with every name it had;
// NOT_FOUND otherwise. For a read (Export): ErasePerson locks it (ContactStore::LockWithNames).
absl::StatusOr<LockedContact> FindPerson(pqxx::work& txn, const std::string& name, int64_t id) {
  absl::optional<v1::Contact> contact = ContactStore::ById(txn, id);
  if (!contact) return ContactNotFound(name, " does not exist");
  std::vector<std::string> names = NamesOf(txn, v1::CHANGED_RESOURCE_TYPE_CONTACT, contact->name());
  if (!Contains(names, name)) return ContactNotFound(name, " does not exist");
  return LockedContact{std::move(*contact), std::move(names)};
}

// The statements that clear what the feed and the idempotency records hold about `names`
// (ended by ';').
std::string ForgetNamesSql(pqxx::work& txn, const std::vector<std::string>& names) {
  return absl::StrCat(ForgetSnapshotsSql(txn, names), db::ForgetRequestsAboutSql(txn, names));
}

// The same with the transaction's COMMIT.
void ForgetNames(pqxx::work& txn, const std::vector<std::string>& names) {
  db::ExecAtCommit(txn, ForgetNamesSql(txn, names));
}

// The statements that remove the contact and clear what is held about its names.
std::string ForgetPersonSql(pqxx::work& txn, const v1::Contact& contact,
                            const std::vector<std::string>& names) {
  absl::StatusOr<std::vector<int64_t>> ids = ContactIds(contact.name(), "name");
  return absl::StrCat(ContactStore::DeleteSql(ids.ok() ? (*ids)[1] : 0),
                      ForgetNamesSql(txn, names));
}

v1::ChangeKind ForgottenKind(ErasureCause cause) {
  return cause == ErasureCause::kDeleteContact ? v1::CHANGE_KIND_DELETED : v1::CHANGE_KIND_ERASED;
}

}  // namespace

void ForgetPerson(pqxx::work& txn, const v1::Contact& contact, ErasureCause cause,
                  const std::string& reason, std::vector<std::string> names) {
  if (names.empty()) names = NamesOf(txn, v1::CHANGED_RESOURCE_TYPE_CONTACT, contact.name());
  // Everything with the COMMIT, the feed's lock last (held only while the COMMIT runs).
  db::ExecAtCommit(txn, ForgetPersonSql(txn, contact, names));
  ErasureStore::RecordAtCommit(txn, names, reason, cause, ForgottenKind(cause));
}

v1::ErasePersonResponse ForgetPersonWithReceipt(pqxx::work& txn, const v1::Contact& contact,
                                                ErasureCause cause, const std::string& reason,
                                                const std::vector<std::string>& names) {
  // One round trip: the deletion and the forgetting, then the feed's lock, the change and the
  // journal line that the receipt reads.
  return ErasureStore::Record(txn, names, reason, cause, ForgottenKind(cause),
                              ForgetPersonSql(txn, contact, names));
}

absl::StatusOr<v1::ExportPersonDataResponse> PersonalDataRequests::Export(
    const v1::ExportPersonDataRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(auto ids, ContactIds(request.name(), "name"));
  return pool_.ReadOnly<v1::ExportPersonDataResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ExportPersonDataResponse> {
        MAILLAGE_ASSIGN_OR_RETURN(LockedContact person, FindPerson(txn, request.name(), ids[1]));
        v1::ExportPersonDataResponse response;
        *response.mutable_contact() = person.contact;
        MAILLAGE_ASSIGN_OR_RETURN(auto current_ids, ContactIds(person.contact.name(), "name"));
        MAILLAGE_ASSIGN_OR_RETURN(v1::Actor actor, ActorStore::Get(txn, current_ids[0]));
        response.set_actor(actor.name());
        response.set_actor_display_name(actor.display_name());
        for (v1::Change& change : ChangesOf(txn, person.names)) {
          *response.add_changes() = std::move(change);
        }
        if (!response.contact().email().empty()) {
          for (v1::Contact& other :
               ContactStore::WithEmail(txn, response.contact().email(), ids[1])) {
            *response.add_same_email_contacts() = std::move(other);
          }
        }
        pqxx::result now = txn.exec("SELECT " MAILLAGE_SQL_MICROS("now()"));
        db::ReadMicros(now[0][0], response.mutable_export_time());
        return response;
      });
}

absl::StatusOr<v1::ErasePersonResponse> PersonalDataRequests::Erase(
    const v1::ErasePersonRequest& request, db::Deadline deadline) {
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
              absl::StatusOr<LockedContact> person = ContactStore::LockWithNames(txn, ids[1], 0);
              if (person.ok() && Contains(person->names, request.name())) {
                return ForgetPersonWithReceipt(txn, person->contact, ErasureCause::kErasePerson,
                                               reason, person->names);
              }
              // Gone already: deleted (then erase it for the record), or erased.
              std::vector<std::string> names =
                  NamesOf(txn, v1::CHANGED_RESOURCE_TYPE_CONTACT, request.name());
              absl::optional<ErasureRecord> previous = ErasureStore::Latest(txn, names);
              if (!previous) return ContactNotFound(request.name(), " does not exist");
              if (previous->cause != ErasureCause::kDeleteContact) {
                return NotFound(
                    kDomain, "CONTACT_NOT_FOUND",
                    absl::StrCat("contact ", request.name(), " was erased (",
                                 previous->receipt.receipt_id(), ")"),
                    {{"name", request.name()}, {"receipt_id", previous->receipt.receipt_id()}});
              }
              ForgetNames(txn, names);
              std::vector<std::string> ordered = {previous->receipt.contact()};
              for (const std::string& n : names) {
                if (n != ordered[0]) ordered.push_back(n);
              }
              return ErasureStore::Record(txn, ordered, reason, ErasureCause::kErasePerson,
                                          v1::CHANGE_KIND_ERASED);
            });
      });
}

absl::StatusOr<int64_t> PersonalDataRequests::EraseExpired(absl::Time now) {
  absl::TimeZone paris;
  if (!absl::LoadTimeZone("Europe/Paris", &paris)) paris = absl::UTCTimeZone();
  std::string today = absl::FormatTime("%Y-%m-%d", now, paris);
  int64_t erased = 0;
  while (true) {
    MAILLAGE_ASSIGN_OR_RETURN(
        int64_t batch,
        pool_.Transact<int64_t>(
            std::chrono::system_clock::now() + std::chrono::minutes(5),
            [&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
              std::vector<v1::Contact> expired =
                  ContactStore::RetentionExpired(txn, today, kRetentionBatch);
              for (const v1::Contact& contact : expired) {
                ForgetPerson(txn, contact, ErasureCause::kRetentionExpired,
                             absl::StrCat("retain_until ",
                                          db::DateParam(true, contact.retain_until()), " reached"));
              }
              return static_cast<int64_t>(expired.size());
            }));
    erased += batch;
    if (batch < kRetentionBatch) return erased;
  }
}

absl::StatusOr<std::vector<ErasureJournalEntry>> ParseErasureJournal(absl::string_view text) {
  std::vector<ErasureJournalEntry> entries;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> parts = absl::StrSplit(line, '\t');
    int64_t micros = 0;
    ErasureJournalEntry entry;
    if (parts.size() == 2 && absl::SimpleAtoi(parts[0], &micros)) {
      entry.erase_time = absl::FromUnixMicros(micros);
      for (absl::string_view name : absl::StrSplit(parts[1], ' ', absl::SkipEmpty())) {
        if (!ContactIds(std::string(name), "journal").ok()) {
          entry.names.clear();
          break;
        }
        entry.names.emplace_back(name);
      }
    }
    if (entry.names.empty()) {
      return InvalidField(kDomain, "journal",
                          absl::StrCat("line ", line_number,
                                       ": expected <erase time in Unix microseconds><TAB><contact "
                                       "names separated by spaces>"));
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

absl::StatusOr<int64_t> PersonalDataRequests::ReplayErasures(
    const std::vector<ErasureJournalEntry>& journal) {
  int64_t forgotten = 0;
  for (const ErasureJournalEntry& entry : journal) {
    const std::vector<std::string>& names = entry.names;
    if (names.empty()) continue;
    MAILLAGE_ASSIGN_OR_RETURN(auto ids, ContactIds(names[0], "journal"));
    MAILLAGE_ASSIGN_OR_RETURN(
        bool came_back,
        pool_.Transact<bool>(
            std::chrono::system_clock::now() + std::chrono::minutes(5),
            [&](pqxx::work& txn) -> absl::StatusOr<bool> {
              absl::StatusOr<LockedContact> contact = ContactStore::LockWithNames(txn, ids[1], 0);
              // A contact created after the erasure is another person (ids restart from the
              // backup's sequence).
              if (contact.ok() && absl::FromUnixSeconds(contact->contact.create_time().seconds()) <=
                                      entry.erase_time) {
                ForgetPerson(txn, contact->contact, ErasureCause::kRestoreReplay,
                             "erased before the restore of an older backup", contact->names);
                return true;
              }
              std::vector<std::string> all = names;
              for (const std::string& n :
                   NamesOf(txn, v1::CHANGED_RESOURCE_TYPE_CONTACT, names[0])) {
                if (!Contains(all, n)) all.push_back(n);
              }
              ForgetNames(txn, all);
              return false;
            }));
    if (came_back) ++forgotten;
  }
  return forgotten;
}

}  // namespace maillage::directory
