#include "common/server/bounded_workers.h"

#include <chrono>
#include <utility>

#include "common/server/memory.h"

namespace maillage::server {

BoundedWorkers::BoundedWorkers(BoundedWorkersOptions options) : max_queued_(options.max_queued) {
  for (int i = 0; i < options.threads; ++i) threads_.emplace_back([this] { Run(); });
}

BoundedWorkers::~BoundedWorkers() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

bool BoundedWorkers::Submit(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() + running_ >= threads_.size() + max_queued_) return false;
    queue_.push_back(std::move(task));
  }
  ready_.notify_one();
  return true;
}

size_t BoundedWorkers::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size() + running_;
}

void BoundedWorkers::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    const auto start = std::chrono::steady_clock::now();
    task();
    task = nullptr;  // what the task captured (a request, its upload) is freed before the trim
    ReleaseMemoryAfterCall(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    lock.lock();
    --running_;
  }
}

}  // namespace maillage::server
