// Closed-loop load for the benchmarks: `in_flight` workers each call again as soon as their
// previous call returns, for a fixed duration; latencies of every call are kept (bounded) to
// report percentiles. Every benchmark of bench/ uses this one loop, so its figures and the
// ceilings it prints beside them are measured the same way.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace maillage::bench {

struct LoadResult {
  int in_flight = 0;
  int64_t calls = 0;
  int64_t errors = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;  // sorted

  double qps() const { return seconds > 0 ? (calls - errors) / seconds : 0; }
  // The q-quantile (0..1) of the latencies, in milliseconds.
  double percentile_ms(double q) const;
};

// Runs `call(worker)` from `in_flight` threads for `duration`, or until `max_calls` calls have
// been made when it is positive (for calls that consume a prepared supply: deletes...). `call`
// returns true on success.
LoadResult RunClosedLoop(int in_flight, std::chrono::milliseconds duration,
                         const std::function<bool(int worker)>& call, int64_t max_calls = 0);

// Prints "name  qps  p50  p99  p99.9  errors  [ratio to ceiling]" on one line.
void PrintResult(const std::string& name, const LoadResult& result,
                 const LoadResult* ceiling = nullptr, const std::string& ceiling_name = "");

// Peak resident set size (VmHWM) of a process, in MiB; -1 when unknown.
double PeakRssMib(int pid);

// CPU time (user + system, every thread) a process has used so far, in seconds; -1 when
// unknown. The difference over a phase divided by its calls is the process's CPU per call,
// a figure that the machine's load changes much less than the calls per second.
double CpuSeconds(int pid);

// Context switches (voluntary + involuntary, summed over every thread alive now) of a process;
// -1 when unknown. Per call: the thread hand-offs a call costs (each wait for another thread
// is a voluntary switch).
int64_t ContextSwitches(int pid);

// CPU time the whole machine has spent busy (every core, every process: /proc/stat), in
// seconds. Per call over a phase: what a call costs in all (client, servers, database,
// kernel), which bounds the calls per second when the cores are saturated.
double MachineBusySeconds();

}  // namespace maillage::bench
