// WebhookDispatcher: the gateway's push side. Two kinds of threads, started once the schema is
// migrated and stopped before the pool goes:
//   - one follower reads every FeedSource for every audience role whose permission table lets
//     it call the feed, from the cursors kept in the database (WebhookStore::AppendEvents
//     stores a page, queues its deliveries and moves the cursor in one transaction: a restart
//     neither loses nor duplicates an event);
//   - a claimer leases due deliveries (the oldest undelivered event of each subscription, so
//     one subscription has one event in flight and receives them in commit order) for a fixed
//     pool of `workers` threads, which sign and POST them (webhook_client.h, bounded by its
//     timeouts) and record each attempt. A slow or dead receiver thus holds at most one worker,
//     for at most the client's timeout, and never delays another subscription's events beyond
//     that; a failed delivery is retried with exponential backoff (RetryPolicy) and the
//     subscription disabled once its oldest event has failed for `disable_after`.
// Database errors are logged and retried at the next tick; a lease that its worker could not
// record expires and the event is sent again (at least once).
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "services/gateway/webhooks/feed_source.h"
#include "services/gateway/webhooks/webhook_client.h"
#include "services/gateway/webhooks/webhook_store.h"

namespace maillage::gateway {

struct WebhookDispatcherOptions {
  int workers = 8;
  // How often an idle follower reads the feeds and an idle claimer looks for due deliveries.
  absl::Duration poll_interval = absl::Seconds(1);
  RetryPolicy retry;
  // How long a worker holds a delivery: past it, another may send it again.
  absl::Duration lease = absl::Seconds(60);
};

class WebhookDispatcher {
 public:
  WebhookDispatcher(WebhookStore& store, const WebhookClient& client,
                    std::vector<FeedSource*> sources, WebhookDispatcherOptions options);
  ~WebhookDispatcher();

  void Start();
  void Stop();  // waits for the attempts in flight to end (at most the client's timeout)

  // A role may subscribe to `event_type` ("*" included) when it is produced by a feed the
  // permission table lets it read. INVALID_ARGUMENT-worthy when unknown (returns false in
  // `known`).
  bool MayReceive(auth::Role role, const std::string& event_type, bool* known) const;

 private:
  void FollowLoop();
  void ClaimLoop();
  void WorkerLoop();
  void Deliver(const DueDelivery& delivery);
  void Wake();

  WebhookStore& store_;
  const WebhookClient& client_;
  std::vector<FeedSource*> sources_;
  const WebhookDispatcherOptions options_;

  std::mutex mu_;
  std::condition_variable claim_cv_;   // the claimer: a worker is free, or events came
  std::condition_variable work_cv_;    // the workers: deliveries are queued
  std::condition_variable follow_cv_;  // the follower: stop
  std::deque<DueDelivery> queue_;
  int busy_ = 0;
  bool woken_ = false;
  bool running_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace maillage::gateway
