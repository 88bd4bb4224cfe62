// PersonalDataRequests: what the directory does when a person exercises their rights over the
// contact that holds them (GDPR art. 15 and 17), and the erasures it makes on its own.
//
// A person is followed through merges: MergeActors moves a contact (same id) from actors/A to
// actors/B, so its history sits under actors/A/contacts/N and actors/B/contacts/N. Export and
// erasure accept any of those names and cover all of them (NamesOf in change_feed.h).
//
// Forgetting a person (ForgetPerson) leaves no personal data in the directory: the contact row
// goes, the snapshots of every change under any of its names are cleared, the idempotency
// records whose response held it are forgotten (db::ForgetRequestsAbout), a change is appended
// (ERASED; DELETED for a DeleteContact) so that followers of the feed (meetings) anonymise their
// copies, and a line without personal data goes to the erasure journal (ErasureStore). An
// ErasePerson, a DeleteContact, the end of the retention period (retain_until) and a replay
// after a restore all forget the same way.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "maillage/directory/v1/directory_service.pb.h"
#include "services/directory/erasure_store.h"

namespace maillage::directory {

// A line of the erasure journal exported before a restore (deploy/README.md, "Erasures and
// restores"): when the person was forgotten, and every name the contact had.
struct ErasureJournalEntry {
  absl::Time erase_time;
  std::vector<std::string> names;
};

// The SQL that exports the journal of a directory database as ParseErasureJournal reads it
// (psql -At -c "<query>"): one line per erasure, "<erase time in Unix microseconds><TAB><names
// separated by spaces>".
inline constexpr char kExportErasureJournalSql[] =
    "SELECT (extract(epoch FROM erase_time) * 1000000)::bigint || E'\t' || "
    "array_to_string(CASE WHEN cardinality(names) > 0 THEN names ELSE ARRAY[contact_name] END, "
    "' ') FROM erasures ORDER BY id";

// The entries of a journal in that format (empty lines and lines starting with '#' skipped).
// INVALID_ARGUMENT naming the line for a malformed one.
absl::StatusOr<std::vector<ErasureJournalEntry>> ParseErasureJournal(absl::string_view text);

// Forgets the person behind `contact` (its row locked by the caller's transaction) for `cause`,
// with the transaction's COMMIT (db::ExecAtCommit: the feed's lock is held only while the COMMIT
// runs). `names`: every name the contact had (NamesOf, the current one first), or empty to look
// them up.
void ForgetPerson(pqxx::work& txn, const v1::Contact& contact, ErasureCause cause,
                  const std::string& reason, std::vector<std::string> names = {});
// The same at once, for a caller that needs the receipt of the journal line (ErasePerson): one
// round trip, after which the feed's lock is held until COMMIT (call it last).
v1::ErasePersonResponse ForgetPersonWithReceipt(pqxx::work& txn, const v1::Contact& contact,
                                                ErasureCause cause, const std::string& reason,
                                                const std::vector<std::string>& names);

class PersonalDataRequests {
 public:
  explicit PersonalDataRequests(db::Pool& pool) : pool_(pool) {}

  // Everything held about the person, under every name the contact had. NOT_FOUND
  // (CONTACT_NOT_FOUND); INVALID_ARGUMENT for a malformed name.
  absl::StatusOr<v1::ExportPersonDataResponse> Export(const v1::ExportPersonDataRequest& request,
                                                      db::Deadline deadline);
  // Forgets the person (by its current or a former name). After a DeleteContact (which forgot
  // the person already) it records the erasure and returns a receipt too. NOT_FOUND
  // (CONTACT_NOT_FOUND) for an unknown contact or one already erased (the metadata names the
  // receipt); INVALID_ARGUMENT for a malformed name, a missing or too long reason.
  absl::StatusOr<v1::ErasePersonResponse> Erase(const v1::ErasePersonRequest& request,
                                                db::Deadline deadline);

  // Forgets the contacts whose retain_until is before the day of `now` (Europe/Paris), in
  // transactions of at most 200; returns how many. The directory runs it as a periodic job.
  absl::StatusOr<int64_t> EraseExpired(absl::Time now);

  // Forgets again the persons of a journal taken before a restore: a contact that came back
  // with the restore (same id, created before the erasure) is forgotten (cause
  // RESTORE_REPLAY), and the snapshots and idempotency records of the others are cleared.
  // Applying a journal twice changes nothing more. Returns how many contacts came back and
  // were forgotten again. INVALID_ARGUMENT for an entry whose names are not contacts.
  absl::StatusOr<int64_t> ReplayErasures(const std::vector<ErasureJournalEntry>& journal);

 private:
  db::Pool& pool_;
};

}  // namespace maillage::directory
