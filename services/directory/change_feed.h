// The directory's change feed (transactional outbox): every write appends its changes in the
// same transaction, numbered in commit order, and ListChanges reads them back after a cursor.
//
// Numbering: AppendChange takes a transaction-level advisory lock (kChangeFeedLock) and numbers
// the change max(sequence) + 1. The lock is held until the writer commits, so a later writer
// numbers its changes only once the earlier one is visible: a reader that sees sequence n
// already sees every change numbered below n. Call AppendChange last in the transaction, just
// before the commit, so that the lock is held briefly.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "maillage/directory/v1/change.pb.h"
#include "maillage/directory/v1/directory_service.pb.h"

namespace maillage::directory {

// Key of the advisory lock that orders the feed.
inline constexpr int64_t kChangeFeedLock = 0x6d61696c6c616765;  // "maillage"

// Appends a change and returns its sequence. `snapshot` (an Actor, Contact or Relationship) may
// be null (DELETED, ERASED).
int64_t AppendChange(pqxx::work& txn, v1::ChangeKind kind, v1::ChangedResourceType type,
                     absl::string_view resource_name, const google::protobuf::Message* snapshot,
                     absl::string_view merged_into = "");

// The changes after the request's cursor. INVALID_ARGUMENT for a malformed cursor or a negative
// page size.
absl::StatusOr<v1::ListChangesResponse> ListChanges(pqxx::work& txn,
                                                    const v1::ListChangesRequest& request);

// The changes of one resource, oldest first (for ExportPersonData).
std::vector<v1::Change> ChangesOf(pqxx::work& txn, absl::string_view resource_name);

// Removes the snapshots of every change of `resource_name` (ErasePerson).
void ForgetSnapshots(pqxx::work& txn, absl::string_view resource_name);

}  // namespace maillage::directory
