#include "bench/load.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <thread>

namespace maillage::bench {

double LoadResult::percentile_ms(double q) const {
  if (latencies_ms.empty()) return 0;
  size_t index = static_cast<size_t>(q * (latencies_ms.size() - 1));
  return latencies_ms[index];
}

LoadResult RunClosedLoop(int in_flight, std::chrono::milliseconds duration,
                         const std::function<bool(int worker)>& call, int64_t max_calls) {
  constexpr size_t kMaxSamplesPerWorker = 200000;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> calls{0}, errors{0};
  std::mutex mu;
  std::condition_variable done;
  std::atomic<int64_t> started{0};
  std::vector<double> all;
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < in_flight; ++w) {
    workers.emplace_back([&, w] {
      std::vector<double> mine;
      mine.reserve(4096);
      while (!stop.load(std::memory_order_relaxed)) {
        if (max_calls > 0 && started.fetch_add(1) >= max_calls) {
          std::lock_guard<std::mutex> lock(mu);
          stop = true;
          done.notify_all();
          break;
        }
        auto t0 = std::chrono::steady_clock::now();
        bool ok = call(w);
        auto t1 = std::chrono::steady_clock::now();
        calls.fetch_add(1, std::memory_order_relaxed);
        if (!ok) errors.fetch_add(1, std::memory_order_relaxed);
        if (mine.size() < kMaxSamplesPerWorker) {
          mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      all.insert(all.end(), mine.begin(), mine.end());
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    done.wait_for(lock, duration, [&] { return stop.load(); });
  }
  stop = true;
  for (auto& t : workers) t.join();
  LoadResult result;
  result.in_flight = in_flight;
  result.calls = calls;
  result.errors = errors;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(all.begin(), all.end());
  result.latencies_ms = std::move(all);
  return result;
}

void PrintResult(const std::string& name, const LoadResult& r, const LoadResult* ceiling,
                 const std::string& ceiling_name) {
  std::printf(
      "%-44s %4d in flight %10.0f /s  p50 %7.3f ms  p99 %7.3f ms  p99.9 %7.3f ms  "
      "errors %lld",
      name.c_str(), r.in_flight, r.qps(), r.percentile_ms(0.5), r.percentile_ms(0.99),
      r.percentile_ms(0.999), static_cast<long long>(r.errors));
  if (ceiling != nullptr && ceiling->qps() > 0) {
    std::printf("  ratio %.2f of %s", r.qps() / ceiling->qps(), ceiling_name.c_str());
  }
  std::printf("\n");
  std::fflush(stdout);
}

double PeakRssMib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

double CpuSeconds(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command (in parentheses, which may hold spaces): utime and stime are the
  // 12th and 13th from there.
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 1; i <= 13 && fields >> field; ++i) {
    if (i >= 12) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

int64_t ContextSwitches(int pid) {
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code error;
  int64_t total = 0;
  bool any = false;
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    std::ifstream status(task.path() / "status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0 ||
          line.rfind("nonvoluntary_ctxt_switches:", 0) == 0) {
        total += std::stoll(line.substr(line.find(':') + 1));
        any = true;
      }
    }
  }
  return any ? total : -1;
}

double MachineBusySeconds() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  stat >> cpu;  // "cpu": the sum over every core
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  double busy = 0;
  for (int i = 0; i < 8; ++i) {
    double ticks = 0;
    if (!(stat >> ticks)) break;
    if (i != 3 && i != 4) busy += ticks;
  }
  return busy / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace maillage::bench
