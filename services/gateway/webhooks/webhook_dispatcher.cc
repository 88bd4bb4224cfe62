#include "services/gateway/webhooks/webhook_dispatcher.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "services/gateway/webhooks/webhook_signature.h"

namespace maillage::gateway {
namespace {

constexpr auth::Role kAudiences[] = {v1::ROLE_ADMIN, v1::ROLE_PARTNER};

std::chrono::system_clock::time_point In(std::chrono::seconds seconds) {
  return std::chrono::system_clock::now() + seconds;
}

}  // namespace

WebhookDispatcher::WebhookDispatcher(WebhookStore& store, const WebhookClient& client,
                                     std::vector<FeedSource*> sources,
                                     WebhookDispatcherOptions options)
    : store_(store), client_(client), sources_(std::move(sources)), options_(options) {}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

bool WebhookDispatcher::MayReceive(auth::Role role, const std::string& event_type,
                                   bool* known) const {
  *known = event_type == "*";
  if (*known) return true;
  for (const FeedSource* source : sources_) {
    const std::vector<std::string>& types = source->event_types();
    if (std::find(types.begin(), types.end(), event_type) == types.end()) continue;
    *known = true;
    return auth::Allowed(role, source->method());
  }
  return false;
}

void WebhookDispatcher::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (running_) return;
  running_ = true;
  threads_.emplace_back(&WebhookDispatcher::FollowLoop, this);
  threads_.emplace_back(&WebhookDispatcher::ClaimLoop, this);
  for (int i = 0; i < options_.workers; ++i) {
    threads_.emplace_back(&WebhookDispatcher::WorkerLoop, this);
  }
}

void WebhookDispatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!running_) return;
    running_ = false;
    queue_.clear();  // leased, not sent: the lease expires and they go again
  }
  claim_cv_.notify_all();
  work_cv_.notify_all();
  follow_cv_.notify_all();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

void WebhookDispatcher::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  claim_cv_.notify_one();
}

void WebhookDispatcher::FollowLoop() {
  const auto interval = absl::ToChronoMilliseconds(options_.poll_interval);
  std::unique_lock<std::mutex> lock(mu_);
  while (running_) {
    lock.unlock();
    bool more = false;
    for (FeedSource* source : sources_) {
      for (auth::Role role : kAudiences) {
        if (!auth::Allowed(role, source->method())) continue;
        absl::StatusOr<std::string> cursor =
            store_.Cursor(In(std::chrono::seconds(10)), source->name(), role);
        if (!cursor.ok()) {
          log::Warn("webhooks: cannot read a feed cursor",
                    {{"feed", source->name()}, {"error", std::string(cursor.status().message())}});
          continue;
        }
        absl::StatusOr<FeedPage> page = source->Read(*cursor, role, In(std::chrono::seconds(10)));
        if (!page.ok() && page.status().code() == absl::StatusCode::kFailedPrecondition) {
          // The feed pruned past our cursor (the gateway was away longer than its retention):
          // start again from the oldest change it keeps; events already stored are skipped.
          log::Error("webhooks: feed cursor expired, reading the feed again from its start",
                     {{"feed", source->name()}});
          page = source->Read("", role, In(std::chrono::seconds(10)));
        }
        if (!page.ok()) {
          log::Warn("webhooks: cannot read a feed",
                    {{"feed", source->name()}, {"error", std::string(page.status().message())}});
          continue;
        }
        if (page->events.empty() && page->next_cursor == *cursor) continue;
        absl::StatusOr<int64_t> queued = store_.AppendEvents(
            In(std::chrono::seconds(30)), source->name(), role, page->events, page->next_cursor);
        if (!queued.ok()) {
          log::Warn("webhooks: cannot store events",
                    {{"feed", source->name()}, {"error", std::string(queued.status().message())}});
          continue;
        }
        if (*queued > 0) Wake();
        if (!page->caught_up) more = true;
      }
    }
    lock.lock();
    if (!more) follow_cv_.wait_for(lock, interval, [&] { return !running_; });
  }
}

void WebhookDispatcher::ClaimLoop() {
  const auto interval = absl::ToChronoMilliseconds(options_.poll_interval);
  std::unique_lock<std::mutex> lock(mu_);
  while (running_) {
    const int free = options_.workers - busy_ - static_cast<int>(queue_.size());
    woken_ = false;
    if (free > 0) {
      lock.unlock();
      absl::StatusOr<std::vector<DueDelivery>> due =
          store_.ClaimDue(In(std::chrono::seconds(10)), free, options_.lease);
      lock.lock();
      if (!due.ok()) {
        log::Warn("webhooks: cannot claim deliveries",
                  {{"error", std::string(due.status().message())}});
      } else if (!due->empty()) {
        for (DueDelivery& d : *due) queue_.push_back(std::move(d));
        work_cv_.notify_all();
        continue;  // there may be more
      }
    }
    claim_cv_.wait_for(lock, interval, [&] { return !running_ || woken_; });
  }
}

void WebhookDispatcher::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    work_cv_.wait(lock, [&] { return !running_ || !queue_.empty(); });
    if (!running_) return;
    DueDelivery delivery = std::move(queue_.front());
    queue_.pop_front();
    ++busy_;
    lock.unlock();
    Deliver(delivery);
    lock.lock();
    --busy_;
    woken_ = true;
    claim_cv_.notify_one();  // a worker is free, and this subscription's next event is due
  }
}

void WebhookDispatcher::Deliver(const DueDelivery& delivery) {
  const std::string id = absl::StrCat("evt_", delivery.event_id);
  const absl::Time now = absl::Now();
  const int64_t timestamp = absl::ToUnixSeconds(now);
  WebhookStore::Outcome outcome;
  outcome.attempt_time = now;
  absl::StatusOr<std::string> signature =
      SignWebhook(delivery.secret, id, timestamp, delivery.payload);
  if (!signature.ok()) {
    outcome.error = "the subscription's secret is unusable";
  } else {
    WebhookResponse response = client_.Post(
        delivery.url,
        {absl::StrCat("webhook-id: ", id), absl::StrCat("webhook-timestamp: ", timestamp),
         absl::StrCat("webhook-signature: ", *signature)},
        delivery.payload);
    outcome.http_status = response.http_status;
    outcome.delivered = response.delivered;
    outcome.error = response.error;
    outcome.duration = absl::FromChrono(response.duration);
  }
  absl::StatusOr<bool> disabled =
      store_.RecordAttempt(In(std::chrono::seconds(10)), delivery, outcome, options_.retry);
  if (!disabled.ok()) {
    log::Warn("webhooks: cannot record an attempt (the event will be sent again)",
              {{"event", id}, {"error", std::string(disabled.status().message())}});
  } else if (*disabled) {
    log::Warn("webhooks: subscription disabled after persistent failure",
              {{"subscription", absl::StrCat("webhookSubscriptions/", delivery.subscription_id)},
               {"error", outcome.error}});
  }
}

}  // namespace maillage::gateway
