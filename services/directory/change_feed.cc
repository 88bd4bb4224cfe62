// The change feed: append under an advisory lock, read after a cursor (see change_feed.h).
#include "services/directory/change_feed.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/pagination.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_fields.h"

namespace maillage::directory {
namespace {

constexpr char kLockFeed[] = "SELECT pg_advisory_xact_lock($1)";
constexpr char kInsertChange[] =
    "INSERT INTO changes (sequence, kind, resource_type, resource_name, merged_into, snapshot) "
    "SELECT COALESCE(max(sequence), 0) + 1, $1, $2, $3, $4, CASE WHEN $6 THEN $5::bytea END "
    "FROM changes "
    "RETURNING sequence";
constexpr char kSelectChangesAfter[] =
    "SELECT sequence, kind, resource_type, resource_name, merged_into, "
    MAILLAGE_SQL_MICROS("commit_time") ", snapshot "
    "FROM changes WHERE sequence > $1 ORDER BY sequence LIMIT $2";
constexpr char kSelectChangesOf[] =
    "SELECT sequence, kind, resource_type, resource_name, merged_into, "
    MAILLAGE_SQL_MICROS("commit_time") ", snapshot "
    "FROM changes WHERE resource_name = $1 ORDER BY sequence";
constexpr char kForgetSnapshots[] =
    "UPDATE changes SET snapshot = NULL WHERE resource_name = $1 AND snapshot IS NOT NULL";

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

int64_t AppendChange(pqxx::work& txn, v1::ChangeKind kind, v1::ChangedResourceType type,
                     absl::string_view resource_name, const google::protobuf::Message* snapshot,
                     absl::string_view merged_into) {
  txn.exec_params(kLockFeed, kChangeFeedLock);
  std::string bytes = snapshot ? snapshot->SerializeAsString() : std::string();
  pqxx::binarystring blob(bytes.data(), bytes.size());
  pqxx::result row = txn.exec_params(kInsertChange, v1::ChangeKind_Name(kind),
                                     v1::ChangedResourceType_Name(type), std::string(resource_name),
                                     std::string(merged_into), blob, snapshot != nullptr);
  return row[0][0].as<int64_t>();
}

absl::StatusOr<v1::ListChangesResponse> ListChanges(pqxx::work& txn,
                                                    const v1::ListChangesRequest& request) {
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
  pqxx::result rows = txn.exec_params(kSelectChangesAfter, since, size + 1);
  v1::ListChangesResponse response;
  int64_t last = since;
  for (int i = 0; i < static_cast<int>(rows.size()) && i < size; ++i) {
    *response.add_changes() = ChangeFromRow(rows[i]);
    last = response.changes().rbegin()->sequence();
  }
  response.set_caught_up(static_cast<int>(rows.size()) <= size);
  response.set_next_cursor(CursorFor(last));
  return response;
}

std::vector<v1::Change> ChangesOf(pqxx::work& txn, absl::string_view resource_name) {
  std::vector<v1::Change> changes;
  for (const auto& row : txn.exec_params(kSelectChangesOf, std::string(resource_name))) {
    changes.push_back(ChangeFromRow(row));
  }
  return changes;
}

void ForgetSnapshots(pqxx::work& txn, absl::string_view resource_name) {
  txn.exec_params(kForgetSnapshots, std::string(resource_name));
}

}  // namespace maillage::directory
