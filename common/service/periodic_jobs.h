// PeriodicJobs: the work a service does on its own schedule (retention purges, erasures at the
// end of a retention period), on one background thread, with a clock that tests control.
//
//   service::ManualClock clock(absl::FromUnixSeconds(1700000000));  // tests; Clock::Real() else
//   service::PeriodicJobs jobs(clock);
//   jobs.Add({"request_ids retention", absl::Hours(1), [&](absl::Time now) {
//     return pool.Transact<int64_t>(..., [&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
//       return db::PurgeRequestIds(txn, now - db::kRequestIdRetention);
//     });
//   }});
//   jobs.RunDue();                     // tests: runs what is due at clock.Now(), on this thread
//   clock.Advance(absl::Hours(25));
//   jobs.RunDue();
//   jobs.Start();                      // binaries: the same, on a thread, until Stop()
//
// A job runs first when RunDue is first called (or the thread starts), then each time its
// interval has passed on the clock since its last run. Failures are logged and retried at the
// next interval; a job that affected rows logs how many.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace maillage::service {

// The time as jobs see it.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // The system clock.
  static const Clock& Real();
};

// A clock that moves only when told (tests). Thread-safe.
class ManualClock : public Clock {
 public:
  explicit ManualClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override;
  void Set(absl::Time now);
  void Advance(absl::Duration by);

 private:
  mutable std::mutex mu_;
  absl::Time now_;
};

struct PeriodicJob {
  std::string name;  // in the logs, e.g. "audit_log retention"
  absl::Duration interval = absl::Hours(1);
  // Does one pass for the instant `now` of the jobs' clock; returns how many rows it affected.
  std::function<absl::StatusOr<int64_t>(absl::Time now)> run;
};

class PeriodicJobs {
 public:
  explicit PeriodicJobs(const Clock& clock = Clock::Real()) : clock_(clock) {}
  // Stops the thread.
  ~PeriodicJobs();
  PeriodicJobs(const PeriodicJobs&) = delete;
  PeriodicJobs& operator=(const PeriodicJobs&) = delete;

  // Before Start.
  void Add(PeriodicJob job);
  // Runs the jobs due at the clock's now, in the order they were added; returns how many ran.
  int RunDue();
  // Runs RunDue on a thread of its own until Stop (no-op when started). The thread wakes when
  // the next job is due by the clock, and at least once a minute.
  void Start();
  // Stops and joins the thread. Idempotent.
  void Stop();

 private:
  struct Entry {
    PeriodicJob job;
    bool ran = false;
    absl::Time last_run;
  };

  const Clock& clock_;
  std::mutex run_mu_;  // one RunDue at a time
  std::vector<Entry> entries_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace maillage::service
