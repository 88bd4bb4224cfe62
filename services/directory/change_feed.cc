// The change feed: append under an advisory lock, read after a cursor (see change_feed.h).
#include "services/directory/change_feed.h"

#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/pagination.h"
#include "common/db/pool.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_fields.h"

namespace maillage::directory {
namespace {

constexpr char kLockFeed[] = "SELECT pg_advisory_xact_lock($1)";
// One change: the head, the quoted kind, resource type, resource name, merged_into and snapshot
// (NULL or bytea), the tail.
constexpr char kInsertChangeHead[] =
    "INSERT INTO changes (sequence, kind, resource_type, resource_name, merged_into, snapshot) "
    "SELECT GREATEST(COALESCE(max(sequence), 0), "
    "(SELECT pruned_through FROM change_feed_state)) + 1, ";
constexpr char kInsertChangeTail[] = " FROM changes RETURNING sequence";
// One statement (one snapshot): the changes after $1 and, on every row, how far the feed was
// pruned; a single row of NULLs with the pruning point when there is no change. At most $2
// changes, and none after the first whose snapshots, with those before it, pass $3 bytes (the
// page's byte budget: the caller keeps what fits, and the memory read stays near the budget);
// the last column is the snapshot bytes up to and including the row.
constexpr char kSelectChangesAfter[] =
    "SELECT c.sequence, c.kind, c.resource_type, c.resource_name, c.merged_into, "
    MAILLAGE_SQL_MICROS("c.commit_time") ", c.snapshot, s.pruned_through, "
    "c.bytes_before + COALESCE(octet_length(c.snapshot), 0) "
    "FROM change_feed_state s LEFT JOIN LATERAL (SELECT * FROM (SELECT *, "
    "sum(COALESCE(octet_length(snapshot), 0)) OVER (ORDER BY sequence) "
    "- COALESCE(octet_length(snapshot), 0) AS bytes_before "
    "FROM changes WHERE sequence > $1 ORDER BY sequence LIMIT $2) w "
    "WHERE w.bytes_before <= $3) c ON true ORDER BY c.sequence";
// Deletes the oldest changes, up to the last one committed before the cut-off $1 (Unix
// microseconds; a prefix of the feed, so that the pruning point says exactly what a cursor
// missed).
constexpr char kPrune[] =
    "WITH cut AS (SELECT max(sequence) AS through FROM changes "
    " WHERE commit_time < 'epoch'::timestamptz + $1::bigint * interval '1 microsecond'), "
    "gone AS (DELETE FROM changes WHERE sequence <= (SELECT through FROM cut) RETURNING 1) "
    "UPDATE change_feed_state SET pruned_through = GREATEST(pruned_through, "
    " COALESCE((SELECT through FROM cut), 0)) "
    "RETURNING (SELECT count(*) FROM gone), pruned_through";
constexpr char kInsertChanges[] =
    "INSERT INTO changes (sequence, kind, resource_type, resource_name, merged_into, snapshot) "
    "SELECT base.n + c.ord, c.kind, c.type, c.name, c.merged, "
    "CASE WHEN c.has THEN decode(c.snap, 'base64') END "
    "FROM (SELECT GREATEST(COALESCE(max(sequence), 0), "
    "(SELECT pruned_through FROM change_feed_state)) AS n FROM changes) base, "
    "unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[]) "
    "WITH ORDINALITY AS c(kind, type, name, merged, snap, has, ord)";
constexpr char kSelectChangesOf[] =
    "SELECT sequence, kind, resource_type, resource_name, merged_into, "
    MAILLAGE_SQL_MICROS("commit_time") ", snapshot "
    "FROM changes WHERE resource_name = ANY($1::text[]) ORDER BY sequence";
// Followed by the quoted names, "::text[]) AND snapshot IS NOT NULL".
constexpr char kForgetSnapshots[] = "UPDATE changes SET snapshot = NULL WHERE resource_name = ANY(";
// The cursor is opaque: a page token over the fingerprint "changes" holding the sequence.
constexpr absl::string_view kCursorFingerprint = "changes";

v1::Change ChangeFromRow(const pqxx::row& row) {
  v1::Change change;
  change.set_sequence(row[0].as<int64_t>());
  v1::ChangeKind kind;
  if (v1::ChangeKind_Parse(row[1].as<std::string>(), &kind)) change.set_kind(kind);
  v1::ChangedResourceType type;
  if (v1::ChangedResourceType_Parse(row[2].as<std::string>(), &type)) {
    change.set_resource_type(type);
  }
  change.set_resource_name(row[3].as<std::string>());
  change.set_merged_into(row[4].as<std::string>());
  db::ReadMicros(row[5], change.mutable_commit_time());
  if (!row[6].is_null()) {
    pqxx::binarystring bytes(row[6]);
    std::string data = bytes.str();
    switch (change.resource_type()) {
      case v1::CHANGED_RESOURCE_TYPE_ACTOR:
        change.mutable_actor()->ParseFromString(data);
        break;
      case v1::CHANGED_RESOURCE_TYPE_CONTACT:
        change.mutable_contact()->ParseFromString(data);
        break;
      case v1::CHANGED_RESOURCE_TYPE_RELATIONSHIP:
        change.mutable_relationship()->ParseFromString(data);
        break;
      default:
        break;
    }
  }
  return change;
}

std::string CursorFor(int64_t sequence) {
  return api::EncodePageToken(kCursorFingerprint, api::PageCursor{{absl::StrCat(sequence)}});
}

}  // namespace

namespace {

// The feed's lock and the insert of one change, as two statements of one query string: in READ
// COMMITTED each statement takes its own snapshot, so the insert's max(sequence) sees every
// change committed while it waited for the lock.
std::string AppendChangeSql(pqxx::work& txn, v1::ChangeKind kind, v1::ChangedResourceType type,
                            absl::string_view resource_name,
                            const google::protobuf::Message* snapshot,
                            absl::string_view merged_into) {
  std::string bytes = snapshot ? snapshot->SerializeAsString() : std::string();
  const std::string values = absl::StrCat(
      txn.quote(v1::ChangeKind_Name(kind)), ", ", txn.quote(v1::ChangedResourceType_Name(type)),
      ", ", txn.quote(std::string(resource_name)), ", ", txn.quote(std::string(merged_into)), ", ",
      snapshot == nullptr
          ? "NULL"
          : txn.quote_raw(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
  return absl::StrCat("SELECT pg_advisory_xact_lock(", kChangeFeedLock, "); ", kInsertChangeHead,
                      values, kInsertChangeTail, ";");
}

}  // namespace

void AppendChange(pqxx::work& txn, v1::ChangeKind kind, v1::ChangedResourceType type,
                  absl::string_view resource_name, const google::protobuf::Message* snapshot,
                  absl::string_view merged_into) {
  db::ExecAtCommit(txn, AppendChangeSql(txn, kind, type, resource_name, snapshot, merged_into));
}

std::string AppendChangeAndThenSql(pqxx::work& txn, v1::ChangeKind kind,
                                   v1::ChangedResourceType type, absl::string_view resource_name,
                                   absl::string_view then) {
  return absl::StrCat("SELECT pg_advisory_xact_lock(", kChangeFeedLock, "); WITH appended AS (",
                      kInsertChangeHead, txn.quote(v1::ChangeKind_Name(kind)), ", ",
                      txn.quote(v1::ChangedResourceType_Name(type)), ", ",
                      txn.quote(std::string(resource_name)), ", '', NULL", kInsertChangeTail, ") ",
                      then, ";");
}

void AppendChanges(pqxx::work& txn, const std::vector<PendingChange>& changes) {
  if (changes.empty()) return;
  std::vector<std::string> kinds, types, names, merged, snapshots, has;
  for (const PendingChange& c : changes) {
    kinds.push_back(v1::ChangeKind_Name(c.kind));
    types.push_back(v1::ChangedResourceType_Name(c.type));
    names.push_back(c.resource_name);
    merged.push_back(c.merged_into);
    snapshots.push_back(absl::Base64Escape(c.snapshot));
    has.push_back(c.has_snapshot ? "t" : "f");
  }
  txn.exec_params(kLockFeed, kChangeFeedLock);
  txn.exec_params(kInsertChanges, db::PgArray(kinds), db::PgArray(types), db::PgArray(names),
                  db::PgArray(merged), db::PgArray(snapshots), db::PgArray(has));
}

absl::StatusOr<v1::ListChangesResponse> ListChanges(pqxx::work& txn,
                                                    const v1::ListChangesRequest& request,
                                                    size_t max_page_bytes) {
  MAILLAGE_ASSIGN_OR_RETURN(int size, api::EffectivePageSize(request.page_size(), kDomain, 100));
  int64_t since = 0;
  if (!request.since().empty()) {
    absl::StatusOr<api::PageCursor> cursor =
        api::DecodePageToken(request.since(), kCursorFingerprint, kDomain);
    if (!cursor.ok() || cursor->keys.size() != 1 || !absl::SimpleAtoi(cursor->keys[0], &since) ||
        since < 0) {
      return InvalidField(kDomain, "since", "not a cursor returned by ListChanges");
    }
  }
  pqxx::result rows =
      txn.exec_params(kSelectChangesAfter, since, size + 1, static_cast<int64_t>(max_page_bytes));
  int64_t pruned_through = rows.empty() ? 0 : rows[0][7].as<int64_t>();
  if (!request.since().empty() && since < pruned_through) {
    return FailedPrecondition(
        kDomain, "CHANGE_CURSOR_EXPIRED",
        absl::StrCat("the changes after this cursor were pruned (the feed keeps them for a "
                     "limited time): read the lists again, then follow the feed from an empty "
                     "`since`"),
        {{"since", absl::StrCat(since)}, {"oldest_kept_after", absl::StrCat(pruned_through)}});
  }
  if (rows.size() == 1 && rows[0][0].is_null()) rows = pqxx::result();
  v1::ListChangesResponse response;
  int64_t last = std::max(since, pruned_through);
  size_t page_bytes = 0;
  bool cut = false;
  for (int i = 0; i < static_cast<int>(rows.size()) && i < size; ++i) {
    v1::Change change = ChangeFromRow(rows[i]);
    // Each repeated message costs its size plus a tag and a length prefix (at most 6 bytes).
    size_t bytes = change.ByteSizeLong() + 6;
    if (i > 0 && page_bytes + bytes > max_page_bytes) {
      cut = true;
      break;
    }
    page_bytes += bytes;
    last = change.sequence();
    *response.add_changes() = std::move(change);
  }
  // The statement leaves out the changes past the budget: when the snapshots it returned pass
  // it, more may follow.
  bool over_budget = !rows.empty() &&
                     rows[rows.size() - 1][8].as<int64_t>() > static_cast<int64_t>(max_page_bytes);
  response.set_caught_up(!cut && !over_budget && static_cast<int>(rows.size()) <= size);
  response.set_next_cursor(CursorFor(last));
  return response;
}

std::vector<v1::Change> ChangesOf(pqxx::work& txn, const std::vector<std::string>& resource_names) {
  std::vector<v1::Change> changes;
  for (const auto& row : txn.exec_params(kSelectChangesOf, db::PgArray(resource_names))) {
    changes.push_back(ChangeFromRow(row));
  }
  return changes;
}

PruneResult PruneChanges(pqxx::work& txn, absl::Time cutoff) {
  txn.exec_params(kLockFeed, kChangeFeedLock);
  pqxx::result row = txn.exec_params(kPrune, absl::ToUnixMicros(cutoff));
  return {row[0][0].as<int64_t>(), row[0][1].as<int64_t>()};
}

std::string NamesOfSql(v1::ChangedResourceType type, absl::string_view name_sql) {
  // Each branch of the LATERAL union has its index (changes_resource, changes_merged_into of
  // migration 0005): a join on `resource_name = n.name OR merged_into = n.name` can use
  // neither and reads every MERGED change.
  const std::string filter =
      absl::StrCat(" AND c.kind = 'CHANGE_KIND_MERGED' AND c.resource_type = '",
                   v1::ChangedResourceType_Name(type), "' AND c.merged_into <> ''");
  return absl::StrCat(
      "ARRAY(WITH RECURSIVE names(name, sequence) AS (SELECT (", name_sql,
      ")::text, 0::bigint UNION SELECT CASE WHEN m.resource_name = n.name THEN m.merged_into "
      "ELSE m.resource_name END, m.sequence FROM names n, LATERAL ("
      "SELECT c.resource_name, c.merged_into, c.sequence FROM changes c "
      "WHERE c.resource_name = n.name",
      filter,
      " UNION ALL SELECT c.resource_name, c.merged_into, c.sequence FROM changes c "
      "WHERE c.merged_into = n.name",
      filter, ") m) SELECT name FROM names GROUP BY name ORDER BY min(sequence), name)");
}

std::vector<std::string> NamesOf(pqxx::work& txn, v1::ChangedResourceType type,
                                 const std::string& resource_name) {
  static const auto* const kStatements = [] {
    auto* statements = new std::map<v1::ChangedResourceType, db::Statement>;
    for (auto t : {v1::CHANGED_RESOURCE_TYPE_ACTOR, v1::CHANGED_RESOURCE_TYPE_CONTACT,
                   v1::CHANGED_RESOURCE_TYPE_RELATIONSHIP}) {
      (*statements)[t] =
          db::Statement{absl::StrCat("directory_names_of_", v1::ChangedResourceType_Name(t)),
                        absl::StrCat("SELECT ", NamesOfSql(t, "$1"))};
    }
    return statements;
  }();
  auto it = kStatements->find(type);
  pqxx::result rows =
      it != kStatements->end()
          ? db::ExecPrepared(txn, it->second, {resource_name})
          : txn.exec_params(absl::StrCat("SELECT ", NamesOfSql(type, "$1")), resource_name);
  return db::ReadTextArray(rows[0][0]);
}

std::string ForgetSnapshotsSql(pqxx::work& txn, const std::vector<std::string>& resource_names) {
  return absl::StrCat(kForgetSnapshots, txn.quote(db::PgArray(resource_names)),
                      "::text[]) AND snapshot IS NOT NULL;");
}

void ForgetSnapshots(pqxx::work& txn, const std::vector<std::string>& resource_names) {
  db::ExecAtCommit(txn, ForgetSnapshotsSql(txn, resource_names));
}

service::PeriodicJob ChangeFeedRetentionJob(db::Pool& pool, absl::Duration retention,
                                            absl::Duration interval) {
  return {"change feed retention", interval, [&pool, retention](absl::Time now) {
            return pool.Transact<int64_t>(
                std::chrono::system_clock::now() + std::chrono::minutes(5),
                [&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
                  return PruneChanges(txn, now - retention).deleted;
                });
          }};
}

}  // namespace maillage::directory
