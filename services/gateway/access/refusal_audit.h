// The audit of refused calls (401, 403, and the 429 of the pre-authentication limit), with
// repeated refusals aggregated: per (client address, key prefix, method, transport, outcome)
// and window, the first refusal is written at once as a line of its own, the others of the
// window as one line whose call_count says how many they were (written when the window ends).
// A flood of refusals thus costs at most two lines per window and tally, not one per call.
//
//   RefusalAudit refusals(audit_store, {.window = absl::Minutes(1)});
//   refusals.Record(call_record, v1::AUDIT_REASON_ACCESS_DENIED);
//
// Memory is bounded by `max_tallies`: past it, refusals are counted in one tally per method,
// transport and outcome whose address is "*".
#pragma once

#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/time/time.h"
#include "services/gateway/access/audit_store.h"

namespace maillage::gateway {

struct RefusalAuditOptions {
  absl::Duration window = absl::Minutes(1);
  size_t max_tallies = 10000;
};

class RefusalAudit {
 public:
  // `store` must outlive this object. Starts the thread that writes the aggregated lines.
  RefusalAudit(AuditStore& store, RefusalAuditOptions options);
  // Writes what is pending, then stops the thread.
  ~RefusalAudit();
  RefusalAudit(const RefusalAudit&) = delete;
  RefusalAudit& operator=(const RefusalAudit&) = delete;

  // Records a refused call (record.outcome its code). The first of its window is written before
  // this returns (a failure is logged); the others only counted.
  void Record(const CallRecord& record, v1::AuditReason reason);

  // Writes every pending aggregated line now, whatever its window (tests, shutdown).
  void Flush();

 private:
  using TallyKey = std::tuple<std::string, std::string, std::string, int, int>;
  struct Tally {
    absl::Time window_start;
    int pending = 0;  // refusals counted since the line written at the window's start
    CallRecord last;  // the latest of them (request id, path)
    v1::AuditReason reason = v1::AUDIT_REASON_ACCESS_DENIED;
  };
  // Takes from `tallies_` the lines due at `now` (every one when `all`).
  std::vector<std::pair<CallRecord, v1::AuditReason>> TakeDue(absl::Time now, bool all);
  void Write(const CallRecord& record, v1::AuditReason reason);
  void Run();

  AuditStore& store_;
  const RefusalAuditOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<TallyKey, Tally> tallies_;
  std::thread flusher_;
};

}  // namespace maillage::gateway
