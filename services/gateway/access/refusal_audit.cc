#include "services/gateway/access/refusal_audit.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "common/log/log.h"

namespace maillage::gateway {

RefusalAudit::RefusalAudit(AuditStore& store, RefusalAuditOptions options)
    : store_(store), options_(options), flusher_([this] { Run(); }) {}

RefusalAudit::~RefusalAudit() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  flusher_.join();
  Flush();
}

void RefusalAudit::Record(const CallRecord& record, v1::AuditReason reason) {
  const absl::Time now = absl::Now();
  TallyKey key{record.client_address, record.key_prefix, record.method,
               static_cast<int>(record.transport), static_cast<int>(record.outcome)};
  std::vector<std::pair<CallRecord, v1::AuditReason>> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tallies_.find(key);
    if (it == tallies_.end() && tallies_.size() >= options_.max_tallies) {
      key = TallyKey{"*", "", record.method, static_cast<int>(record.transport),
                     static_cast<int>(record.outcome)};
      it = tallies_.find(key);
    }
    if (it != tallies_.end() && now - it->second.window_start < options_.window) {
      it->second.pending += 1;
      it->second.last = record;
      it->second.last.client_address = std::get<0>(key);
      return;
    }
    if (it != tallies_.end() && it->second.pending > 0) {  // its window is over: due now
      CallRecord line = it->second.last;
      line.call_count = it->second.pending;
      due.emplace_back(std::move(line), it->second.reason);
    }
    Tally& tally = tallies_[key];
    tally = Tally{now, 0, record, reason};
  }
  for (const auto& [line, line_reason] : due) Write(line, line_reason);
  CallRecord first = record;
  first.call_count = 1;
  first.client_address = std::get<0>(key);
  Write(first, reason);
}

std::vector<std::pair<CallRecord, v1::AuditReason>> RefusalAudit::TakeDue(absl::Time now,
                                                                          bool all) {
  std::vector<std::pair<CallRecord, v1::AuditReason>> due;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = tallies_.begin(); it != tallies_.end();) {
    Tally& tally = it->second;
    if (!all && now - tally.window_start < options_.window) {
      ++it;
      continue;
    }
    if (tally.pending > 0) {
      CallRecord line = tally.last;
      line.call_count = tally.pending;
      due.emplace_back(std::move(line), tally.reason);
    }
    if (all) {  // the window goes on, its first line already written
      tally.pending = 0;
      ++it;
    } else {
      it = tallies_.erase(it);
    }
  }
  return due;
}

void RefusalAudit::Flush() {
  for (const auto& [line, reason] : TakeDue(absl::Now(), /*all=*/true)) Write(line, reason);
}

void RefusalAudit::Write(const CallRecord& record, v1::AuditReason reason) {
  absl::Status written =
      store_.Record(std::chrono::system_clock::now() + std::chrono::seconds(5), record, reason);
  if (!written.ok()) {
    log::Error("cannot write the audit line of a refused call",
               {{"method", record.method},
                {"client_address", record.client_address},
                {"error", std::string(written.message())}});
  }
}

void RefusalAudit::Run() {
  const auto tick = absl::ToChronoMilliseconds(
      std::clamp(options_.window / 4, absl::Milliseconds(10), absl::Seconds(1)));
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, tick);
    if (stopping_) break;
    lock.unlock();
    for (const auto& [line, reason] : TakeDue(absl::Now(), /*all=*/false)) Write(line, reason);
    lock.lock();
  }
}

}  // namespace maillage::gateway
