// The directory's change feed (transactional outbox): every write appends its changes in the
// same transaction, numbered in commit order, and ListChanges reads them back after a cursor.
//
// Numbering: AppendChange takes a transaction-level advisory lock (kChangeFeedLock) and numbers
// the change max(sequence) + 1. The lock is held until the writer commits, so a later writer
// numbers its changes only once the earlier one is visible: a reader that sees sequence n
// already sees every change numbered below n. AppendChange sends the lock and the insert with
// the transaction's COMMIT (db::ExecAtCommit: one round trip, the lock held only while it
// runs); AppendChangeAndThenSql makes the same with a statement of the caller that reads the
// sequence, sent with the COMMIT too or, when the caller needs its result, as the last
// statement before the COMMIT, so that the lock is held briefly.
//
// Retention: changes committed more than the retention period ago (env
// MAILLAGE_CHANGE_RETENTION_DAYS, default 400 days) are deleted by ChangeFeedRetentionJob,
// oldest first, and `change_feed_state.pruned_through` records the last sequence removed. A cursor
// below that point has missed changes: ListChanges answers FAILED_PRECONDITION
// (CHANGE_CURSOR_EXPIRED) and the partner resyncs (reads the lists, then the feed from an empty
// `since`). Numbering continues above the pruning point even when every row is gone.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "common/service/periodic_jobs.h"
#include "google/protobuf/message.h"
#include "maillage/directory/v1/change.pb.h"
#include "maillage/directory/v1/directory_service.pb.h"

namespace maillage::directory {

// Key of the advisory lock that orders the feed.
inline constexpr int64_t kChangeFeedLock = 0x6d61696c6c616765;  // "maillage"

// Appends a change with the transaction's COMMIT (see above: a read later in the same
// transaction does not see it). `snapshot` (an Actor, Contact or Relationship) may be null
// (DELETED, ERASED).
void AppendChange(pqxx::work& txn, v1::ChangeKind kind, v1::ChangedResourceType type,
                  absl::string_view resource_name, const google::protobuf::Message* snapshot,
                  absl::string_view merged_into = "");

// The query string that appends a change without snapshot (DELETED, ERASED) and runs `then`
// in the same round trip: the feed's lock, then one statement in which `then` reads the new
// change's sequence from `appended` (a CTE of one row, column `sequence`); ends with ';'. Send
// it with txn.exec when the result of `then` is needed (the feed's lock is then held until
// COMMIT: make it the transaction's last statement), else with db::ExecAtCommit.
std::string AppendChangeAndThenSql(pqxx::work& txn, v1::ChangeKind kind,
                                   v1::ChangedResourceType type, absl::string_view resource_name,
                                   absl::string_view then);

// A change to append later (AppendChanges), with its snapshot already serialized.
struct PendingChange {
  v1::ChangeKind kind = v1::CHANGE_KIND_UNSPECIFIED;
  v1::ChangedResourceType type = v1::CHANGED_RESOURCE_TYPE_UNSPECIFIED;
  std::string resource_name;
  bool has_snapshot = false;
  std::string snapshot;
  std::string merged_into;
};

// Appends `changes` in their order with one statement, as AppendChange would one by one
// (imports collect their changes and append them last, holding the feed's lock briefly).
void AppendChanges(pqxx::work& txn, const std::vector<PendingChange>& changes);

// The serialized size a page of ListChanges stays under (half the 8 MiB message limit of
// common/server/client.h, which leaves room for the envelope and the gateway's JSON): a page
// holds at most page_size changes and stops before the change that would cross this budget,
// with at least one change, so that 1,000 snapshots of 10,000-character descriptions never
// make a page that no client can receive.
inline constexpr size_t kMaxChangePageBytes = 4 << 20;

// The changes after the request's cursor, at most `max_page_bytes` of them serialized (see
// kMaxChangePageBytes; caught_up is false when the budget cut the page). INVALID_ARGUMENT for a
// malformed cursor or a negative page size; FAILED_PRECONDITION (CHANGE_CURSOR_EXPIRED) for a
// cursor older than the pruning point.
absl::StatusOr<v1::ListChangesResponse> ListChanges(pqxx::work& txn,
                                                    const v1::ListChangesRequest& request,
                                                    size_t max_page_bytes = kMaxChangePageBytes);

// The changes of the resources named `resource_names`, oldest first (for ExportPersonData).
std::vector<v1::Change> ChangesOf(pqxx::work& txn, const std::vector<std::string>& resource_names);

// Every name the resource `resource_name` of type `type` had or has, following its MERGED
// changes both ways (a contact moved by MergeActors from actors/A to actors/B is
// actors/A/contacts/N then actors/B/contacts/N): `resource_name` first, then the others in
// the order of the feed. One prepared statement (NamesOfSql).
std::vector<std::string> NamesOf(pqxx::work& txn, v1::ChangedResourceType type,
                                 const std::string& resource_name);
// NamesOf as an SQL expression of type text[], for a statement that reads the names with the
// resource: `name_sql` is the SQL of the name to start from (a parameter, or an expression
// over the resource's row).
std::string NamesOfSql(v1::ChangedResourceType type, absl::string_view name_sql);

// Deletes the changes committed before `cutoff` (a prefix of the feed, under the feed's lock);
// returns how many went and the pruning point.
struct PruneResult {
  int64_t deleted = 0;
  int64_t pruned_through = 0;
};
PruneResult PruneChanges(pqxx::work& txn, absl::Time cutoff);

// The periodic job (common/service/periodic_jobs.h) that prunes the changes older than
// `retention` at the jobs' clock, every `interval`; returns how many changes went.
service::PeriodicJob ChangeFeedRetentionJob(db::Pool& pool, absl::Duration retention,
                                            absl::Duration interval);

// Removes the snapshots of every change of the resources named `resource_names` (an erasure),
// with the transaction's COMMIT (db::ExecAtCommit).
void ForgetSnapshots(pqxx::work& txn, const std::vector<std::string>& resource_names);
// The statement of ForgetSnapshots (ended by ';'), to send with others.
std::string ForgetSnapshotsSql(pqxx::work& txn, const std::vector<std::string>& resource_names);

}  // namespace maillage::directory
