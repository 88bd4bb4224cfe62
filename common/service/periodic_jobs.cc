#include "common/service/periodic_jobs.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace maillage::service {
namespace {

class RealClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace

const Clock& Clock::Real() {
  static const RealClock* const kClock = new RealClock();
  return *kClock;
}

absl::Time ManualClock::Now() const {
  std::lock_guard<std::mutex> lock(mu_);
  return now_;
}

void ManualClock::Set(absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ = now;
}

void ManualClock::Advance(absl::Duration by) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ += by;
}

PeriodicJobs::~PeriodicJobs() { Stop(); }

void PeriodicJobs::Add(PeriodicJob job) {
  std::lock_guard<std::mutex> lock(run_mu_);
  entries_.push_back({std::move(job)});
}

int PeriodicJobs::RunDue() {
  std::lock_guard<std::mutex> lock(run_mu_);
  int ran = 0;
  for (Entry& entry : entries_) {
    absl::Time now = clock_.Now();
    if (entry.ran && now < entry.last_run + entry.job.interval) continue;
    entry.ran = true;
    entry.last_run = now;
    ++ran;
    absl::StatusOr<int64_t> affected = entry.job.run(now);
    if (!affected.ok()) {
      log::Warn("periodic job failed; retried at its next interval",
                {{"job", entry.job.name}, {"error", affected.status().ToString()}});
    } else if (*affected > 0) {
      log::Info("periodic job done", {{"job", entry.job.name}, {"rows", absl::StrCat(*affected)}});
    }
  }
  return ran;
}

void PeriodicJobs::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] {
    while (true) {
      RunDue();
      absl::Duration wait = absl::Minutes(1);
      {
        std::lock_guard<std::mutex> lock(run_mu_);
        absl::Time now = clock_.Now();
        for (const Entry& entry : entries_) {
          wait = std::min(wait, entry.last_run + entry.job.interval - now);
        }
      }
      wait = std::max(wait, absl::Milliseconds(10));
      std::unique_lock<std::mutex> lock(mu_);
      if (wake_.wait_for(lock, absl::ToChronoMilliseconds(wait), [this] { return stopping_; })) {
        return;
      }
    }
  });
}

void PeriodicJobs::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace maillage::service
