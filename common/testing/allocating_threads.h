// Threads that each allocate while all the others are alive, for tests of the allocator's
// arenas (common/server/memory.h): glibc gives each such thread an arena of its own, up to its
// limit (8 per core unless M_ARENA_MAX caps it).
//
//   RunAllocatingThreads(16);
//   EXPECT_LE(server::AllocatorArenas(), server::kAllocatorArenas);
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace maillage::testing {

// Starts `count` threads, each allocating a few KiB and holding them until every thread has,
// then joins them.
inline void RunAllocatingThreads(int count) {
  std::mutex mu;
  std::condition_variable all_allocated;
  int allocated = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i) {
    threads.emplace_back([&] {
      auto block = std::make_unique<char[]>(4096);
      block[0] = 1;
      std::unique_lock<std::mutex> lock(mu);
      if (++allocated == count) all_allocated.notify_all();
      all_allocated.wait(lock, [&] { return allocated == count; });
    });
  }
  for (std::thread& thread : threads) thread.join();
}

}  // namespace maillage::testing
