// A service's change outbox: the events of its state changes appended in the same transaction
// as the change, numbered in commit order, read back after an opaque cursor by a feed RPC
// (meetings' ListMeetingChanges, budget's ListBudgetChanges; the directory's ListChanges is the
// model, with its own table). The gateway follows these feeds to push webhooks.
//
// Tables (each service's own migration):
//   CREATE TABLE outbox (sequence bigint PRIMARY KEY, event_type text NOT NULL,
//     resource_name text NOT NULL, commit_time timestamptz NOT NULL DEFAULT now(),
//     snapshot bytea);
//   CREATE TABLE outbox_state (pruned_through bigint NOT NULL);  -- one row, 0
//
// Numbering: AppendOutboxEvent takes a transaction-level advisory lock and numbers the event
// max(sequence) + 1, so a later writer numbers its events only once the earlier one has
// committed: a reader that sees sequence n already sees every event numbered below n. Both are
// sent with the transaction's COMMIT (db::ExecAtCommit: one round trip, so the lock is held only
// while it runs; a read later in the same transaction does not see the event).
//
//   AppendOutboxEvent(txn, "meeting.closed", meeting.name(), &meeting);
//   MAILLAGE_ASSIGN_OR_RETURN(OutboxPage page, ReadOutbox(txn, request.since(),
//                                                         request.page_size(), kDomain));
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"

namespace maillage::api {

// Key of the advisory lock that orders an outbox (each service has its own database).
inline constexpr int64_t kOutboxLock = 0x6f7574626f78;  // "outbox"

// Appends an event at COMMIT; `snapshot` (the resource right after the change) may be null.
void AppendOutboxEvent(pqxx::work& txn, absl::string_view event_type,
                       absl::string_view resource_name, const google::protobuf::Message* snapshot);

struct OutboxEvent {
  int64_t sequence = 0;
  std::string event_type;
  std::string resource_name;
  absl::Time commit_time;
  bool has_snapshot = false;
  std::string snapshot;  // serialized
};

// Copies an event's sequence, type, resource name and commit time into a feed's change message
// (BudgetChange, MeetingChange: the same four fields); the snapshot is the caller's.
template <typename Change>
void SetChangeHeader(const OutboxEvent& event, Change* change) {
  change->set_sequence(event.sequence);
  change->set_event_type(event.event_type);
  change->set_resource_name(event.resource_name);
  const int64_t micros = absl::ToUnixMicros(event.commit_time);
  change->mutable_commit_time()->set_seconds(micros / 1000000);
  change->mutable_commit_time()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
}

struct OutboxPage {
  std::vector<OutboxEvent> events;
  std::string next_cursor;  // never empty; `since` when nothing came
  bool caught_up = true;    // false: more are ready, ask again at once
};

// The events after `since` ("" from the oldest kept), at most `page_size` (0 → 100, above
// 1000 → 1000, negative → INVALID_ARGUMENT). INVALID_ARGUMENT (field "since") for a cursor this
// function did not make; FAILED_PRECONDITION (CHANGE_CURSOR_EXPIRED) for a cursor older than
// the pruning point (read the lists again, then follow from "").
absl::StatusOr<OutboxPage> ReadOutbox(pqxx::work& txn, const std::string& since, int page_size,
                                      absl::string_view domain);

// Deletes the events committed before `cutoff` (a prefix, under the lock); returns how many.
int64_t PruneOutbox(pqxx::work& txn, absl::Time cutoff);

}  // namespace maillage::api
