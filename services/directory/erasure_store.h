// SQL of the erasure journal (table `erasures`): one line per person forgotten, without personal
// data: the contact's names, why, when, by what (ErasePerson, DeleteContact, the end of the
// retention period, a replay after a restore) and the change that announced it. Every method
// runs in the caller's transaction.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "maillage/directory/v1/change.pb.h"
#include "maillage/directory/v1/directory_service.pb.h"

namespace maillage::directory {

// What made the directory forget a person (column `erasures.cause`).
enum class ErasureCause { kErasePerson, kDeleteContact, kRetentionExpired, kRestoreReplay };

// A line of the journal.
struct ErasureRecord {
  v1::ErasePersonResponse receipt;
  ErasureCause cause = ErasureCause::kErasePerson;
};

class ErasureStore {
 public:
  // Records that the contact `names[0]` (and its former names, the rest of `names`) was
  // forgotten for `cause`, announced by the change `kind` of `names[0]` appended to the feed in
  // the same round trip (AppendChangeAndThenSql), after the statements `before` (ended by ';',
  // sent in the same query string ahead of the feed's lock); returns its receipt. The feed's
  // lock is held until COMMIT: make it the transaction's last statement.
  static v1::ErasePersonResponse Record(pqxx::work& txn, const std::vector<std::string>& names,
                                        const std::string& reason, ErasureCause cause,
                                        v1::ChangeKind kind, absl::string_view before = "");
  // The same with the transaction's COMMIT (db::ExecAtCommit), for a caller that needs no
  // receipt: the feed's lock is then held only while the COMMIT runs.
  static void RecordAtCommit(pqxx::work& txn, const std::vector<std::string>& names,
                             const std::string& reason, ErasureCause cause, v1::ChangeKind kind);
  // The latest line about any of `names`; nullopt when there is none.
  static absl::optional<ErasureRecord> Latest(pqxx::work& txn,
                                              const std::vector<std::string>& names);
};

}  // namespace maillage::directory
