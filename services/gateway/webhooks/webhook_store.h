// WebhookStore: the gateway's webhook tables (migrations/0006_webhooks.sql). Three users:
//   - WebhookServiceImpl: subscriptions of a caller (owner key, or every one for ADMIN),
//     their attempts, re-enabling and replay;
//   - the feed followers (WebhookDispatcher): AppendEvents stores a page of a feed's events,
//     queues one delivery per matching subscription and moves the feed's cursor, in one
//     transaction, so that a restart resumes exactly where the last page ended;
//   - the delivery workers: ClaimDue leases the oldest undelivered event of each active
//     subscription (one in flight per subscription: commit order), RecordAttempt logs the
//     attempt and removes the delivery, or schedules the retry and disables the subscription
//     whose oldest event has failed for longer than `disable_after`.
// Methods return the pool's statuses (common/db/pool.h) and, for the service's calls,
// NOT_FOUND (WEBHOOK_SUBSCRIPTION_NOT_FOUND), ABORTED (ETAG_MISMATCH), INVALID_ARGUMENT.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/permissions.h"
#include "common/db/pool.h"
#include "common/service/periodic_jobs.h"
#include "maillage/gateway/v1/webhook_service.pb.h"

namespace maillage::gateway {

// Who calls the service: the key that subscribes, and its role.
struct WebhookCaller {
  int64_t key_id = 0;
  auth::Role role = v1::ROLE_UNSPECIFIED;
};

// One event read from a feed, ready to send.
struct FeedEvent {
  int64_t sequence = 0;       // the feed's position
  std::string event_type;     // "actor.updated"
  std::string resource_name;  // "actors/12"
  absl::Time commit_time;
  std::string payload;  // the JSON body
};

// A delivery leased to a worker.
struct DueDelivery {
  int64_t subscription_id = 0;
  int64_t event_id = 0;
  std::string url;
  std::string secret;
  std::string event_type;
  std::string resource_name;
  std::string payload;
  int attempts = 0;  // before this one
};

struct RetryPolicy {
  absl::Duration base = absl::Seconds(5);          // first retry after this
  absl::Duration max = absl::Hours(1);             // retries at most this far apart
  absl::Duration disable_after = absl::Hours(72);  // failing this long: disabled
};

class WebhookStore {
 public:
  explicit WebhookStore(db::Pool& pool) : pool_(pool) {}

  // `subscription` is validated by the caller (url, event_types); the secret is made here.
  absl::StatusOr<v1::WebhookSubscription> Create(db::Deadline deadline, const WebhookCaller& caller,
                                                 const v1::WebhookSubscription& subscription);
  absl::StatusOr<v1::WebhookSubscription> Get(db::Deadline deadline, const WebhookCaller& caller,
                                              const std::string& name);
  absl::StatusOr<v1::ListWebhookSubscriptionsResponse> List(
      db::Deadline deadline, const WebhookCaller& caller,
      const v1::ListWebhookSubscriptionsRequest& request);
  // Writes url, event_types and description of `merged` (the current resource with the update
  // applied) if `etag` is empty or current.
  absl::StatusOr<v1::WebhookSubscription> Update(db::Deadline deadline, const WebhookCaller& caller,
                                                 const v1::WebhookSubscription& merged,
                                                 const std::string& etag);
  absl::Status Delete(db::Deadline deadline, const WebhookCaller& caller, const std::string& name);
  absl::StatusOr<v1::WebhookSubscription> Enable(db::Deadline deadline, const WebhookCaller& caller,
                                                 const std::string& name);
  absl::StatusOr<v1::ListWebhookAttemptsResponse> ListAttempts(
      db::Deadline deadline, const WebhookCaller& caller,
      const v1::ListWebhookAttemptsRequest& request);
  absl::StatusOr<int64_t> Replay(db::Deadline deadline, const WebhookCaller& caller,
                                 const std::string& name, absl::Time start);

  // --- feeds ---
  // The cursor of `source` read as `role` ("" at first).
  absl::StatusOr<std::string> Cursor(db::Deadline deadline, const std::string& source,
                                     auth::Role role);
  // Stores `events` (already stored ones are skipped), queues their deliveries, and moves the
  // cursor to `next_cursor`: one transaction. A contact.erased or contact.deleted event strips
  // the events stored about that person (under all its names) down to name and sequence, as
  // the directory strips its own feed. Returns how many deliveries were queued.
  absl::StatusOr<int64_t> AppendEvents(db::Deadline deadline, const std::string& source,
                                       auth::Role role, const std::vector<FeedEvent>& events,
                                       const std::string& next_cursor);

  // --- deliveries ---
  // Leases at most `limit` due deliveries for `lease`: the oldest undelivered event of active
  // subscriptions (owner key neither revoked nor expired) that have none in flight.
  absl::StatusOr<std::vector<DueDelivery>> ClaimDue(db::Deadline deadline, int limit,
                                                    absl::Duration lease);
  struct Outcome {
    int http_status = 0;
    bool delivered = false;
    std::string error;
    absl::Time attempt_time;
    absl::Duration duration;
  };
  // Logs the attempt; removes the delivery when delivered, else schedules its retry (and
  // disables the subscription, per `policy`). Returns true when it disabled the subscription.
  absl::StatusOr<bool> RecordAttempt(db::Deadline deadline, const DueDelivery& delivery,
                                     const Outcome& outcome, const RetryPolicy& policy);

  // Deletes events committed before `cutoff` that no delivery waits for, and attempts older
  // than `cutoff`. Returns how many rows went.
  absl::StatusOr<int64_t> Purge(absl::Time cutoff);

 private:
  db::Pool& pool_;
};

// The periodic job (common/service/periodic_jobs.h) of the events' and attempts' retention.
service::PeriodicJob WebhookRetentionJob(WebhookStore& store, absl::Duration retention,
                                         absl::Duration interval);

// The delay before retry number `attempts` (1 for the first retry): base * 2^(attempts-1),
// at most `policy.max`.
absl::Duration RetryDelay(const RetryPolicy& policy, int attempts);

}  // namespace maillage::gateway
