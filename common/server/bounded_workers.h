// A fixed set of threads for blocking work handed over by an event loop (gRPC's callback
// threads, an asynchronous HTTP listener), with a bounded queue: when it is full, Submit refuses
// and the caller answers at once (UNAVAILABLE, 503) instead of queueing without end. After a
// task that lasted long (an upload, an export), the thread gives the memory it freed back to the
// system (memory.h: ReleaseMemoryAfterCall), as the gRPC servers do after a long call.
//
//   BoundedWorkers workers({.threads = 8, .max_queued = 1024});
//   if (!workers.Submit([=] { ... })) ... refuse the call ...
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace maillage::server {

struct BoundedWorkersOptions {
  int threads = 8;
  size_t max_queued = 1024;  // tasks waiting for a thread (none free); 0: refuse when all busy
};

class BoundedWorkers {
 public:
  explicit BoundedWorkers(BoundedWorkersOptions options);
  // Runs the tasks already queued, then joins the threads.
  ~BoundedWorkers();
  BoundedWorkers(const BoundedWorkers&) = delete;
  BoundedWorkers& operator=(const BoundedWorkers&) = delete;

  // Queues `task`; false (task dropped) when every thread is busy and max_queued tasks are
  // waiting already.
  bool Submit(std::function<void()> task);

  // Tasks queued or running.
  size_t pending() const;

 private:
  void Run();

  const size_t max_queued_;
  mutable std::mutex mu_;
  size_t running_ = 0;
  std::condition_variable ready_;
  bool stopping_ = false;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
};

}  // namespace maillage::server
