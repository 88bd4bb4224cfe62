#include "common/api/change_outbox.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/pagination.h"
#include "common/db/pool.h"
#include "common/status/errors.h"

namespace maillage::api {
namespace {

constexpr char kLock[] = "SELECT pg_advisory_xact_lock($1)";
// Followed by the quoted event type, resource name and snapshot (or NULL), then " FROM outbox".
constexpr char kInsertHead[] =
    "INSERT INTO outbox (sequence, event_type, resource_name, snapshot) "
    "SELECT GREATEST(COALESCE(max(sequence), 0), (SELECT pruned_through FROM outbox_state)) + 1, ";
// The events after $1 (at most $2) and, on every row, the pruning point; one row of NULLs with
// the pruning point when there is none.
constexpr char kSelect[] =
    "SELECT o.sequence, o.event_type, o.resource_name, "
    "(extract(epoch from o.commit_time) * 1000000)::bigint, o.snapshot, s.pruned_through "
    "FROM outbox_state s LEFT JOIN LATERAL (SELECT * FROM outbox WHERE sequence > $1 "
    "ORDER BY sequence LIMIT $2) o ON true ORDER BY o.sequence";
constexpr char kPrune[] =
    "WITH cut AS (SELECT max(sequence) AS through FROM outbox "
    " WHERE commit_time < 'epoch'::timestamptz + $1::bigint * interval '1 microsecond'), "
    "gone AS (DELETE FROM outbox WHERE sequence <= (SELECT through FROM cut) RETURNING 1) "
    "UPDATE outbox_state SET pruned_through = GREATEST(pruned_through, "
    " COALESCE((SELECT through FROM cut), 0)) RETURNING (SELECT count(*) FROM gone)";

constexpr absl::string_view kFingerprint = "outbox";

}  // namespace

void AppendOutboxEvent(pqxx::work& txn, absl::string_view event_type,
                       absl::string_view resource_name, const google::protobuf::Message* snapshot) {
  // Two statements: in READ COMMITTED the insert's snapshot, taken after the lock was granted,
  // sees every event committed while it waited.
  std::string bytes = snapshot ? snapshot->SerializeAsString() : std::string();
  db::ExecAtCommit(
      txn,
      absl::StrCat(
          "SELECT pg_advisory_xact_lock(", kOutboxLock, "); ", kInsertHead,
          txn.quote(std::string(event_type)), ", ", txn.quote(std::string(resource_name)), ", ",
          snapshot == nullptr
              ? "NULL"
              : txn.quote_raw(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()),
          " FROM outbox;"));
}

absl::StatusOr<OutboxPage> ReadOutbox(pqxx::work& txn, const std::string& since, int page_size,
                                      absl::string_view domain) {
  absl::StatusOr<int> size = EffectivePageSize(page_size, domain, 100);
  if (!size.ok()) return size.status();
  int64_t after = 0;
  if (!since.empty()) {
    absl::StatusOr<PageCursor> cursor = DecodePageToken(since, kFingerprint, domain);
    if (!cursor.ok() || cursor->keys.size() != 1 || !absl::SimpleAtoi(cursor->keys[0], &after) ||
        after < 0) {
      return InvalidField(domain, "since", "not a cursor returned by this feed");
    }
  }
  pqxx::result rows = txn.exec_params(kSelect, after, *size + 1);
  const int64_t pruned_through = rows.empty() ? 0 : rows[0][5].as<int64_t>();
  if (!since.empty() && after < pruned_through) {
    return FailedPrecondition(
        domain, "CHANGE_CURSOR_EXPIRED",
        "the changes after this cursor were pruned (the feed keeps them for a limited time): "
        "read the lists again, then follow the feed from an empty `since`",
        {{"since", absl::StrCat(after)}, {"oldest_kept_after", absl::StrCat(pruned_through)}});
  }
  OutboxPage page;
  int64_t last = std::max(after, pruned_through);
  int count = 0;
  for (const auto& row : rows) {
    if (row[0].is_null()) break;
    if (count == *size) break;
    OutboxEvent event;
    event.sequence = row[0].as<int64_t>();
    event.event_type = row[1].as<std::string>();
    event.resource_name = row[2].as<std::string>();
    event.commit_time = absl::FromUnixMicros(row[3].as<int64_t>());
    if (!row[4].is_null()) {
      event.has_snapshot = true;
      event.snapshot = pqxx::binarystring(row[4]).str();
    }
    last = event.sequence;
    page.events.push_back(std::move(event));
    ++count;
  }
  page.caught_up = !(rows.size() > static_cast<size_t>(*size) && !rows[0][0].is_null());
  page.next_cursor = EncodePageToken(kFingerprint, PageCursor{{absl::StrCat(last)}});
  return page;
}

int64_t PruneOutbox(pqxx::work& txn, absl::Time cutoff) {
  txn.exec_params(kLock, kOutboxLock);
  return txn.exec_params(kPrune, absl::ToUnixMicros(cutoff))[0][0].as<int64_t>();
}

}  // namespace maillage::api
