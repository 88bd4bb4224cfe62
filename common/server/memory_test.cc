// memory.h: the allocator settings of every maillage process, and the memory given back after
// a long task on the workers that serve HTTP (bounded_workers.h).
#include "common/server/memory.h"

#include <chrono>
#include <thread>

#include "common/server/bounded_workers.h"
#include "common/testing/allocating_threads.h"
#include "gtest/gtest.h"

namespace maillage::server {
namespace {

TEST(MemoryTest, ThreadsShareTheLimitedArenas) {
  LimitAllocatorArenas();
  testing::RunAllocatingThreads(16);  // without the limit: 16 arenas on 2 cores
  EXPECT_GE(AllocatorArenas(), 1);
  EXPECT_LE(AllocatorArenas(), AllocatorArenaLimit());  // MALLOC_ARENA_MAX, when set, wins
}

TEST(MemoryTest, OnlyALongCallGivesMemoryBack) {
  const int64_t before = MemoryReleases();
  EXPECT_FALSE(ReleaseMemoryAfterCall(kLongCallSeconds / 2));
  EXPECT_EQ(MemoryReleases(), before);
  EXPECT_TRUE(ReleaseMemoryAfterCall(kLongCallSeconds));
  EXPECT_EQ(MemoryReleases(), before + 1);
}

TEST(MemoryTest, AWorkerGivesMemoryBackAfterALongTask) {
  BoundedWorkers workers({.threads = 1, .max_queued = 1});
  const int64_t before = MemoryReleases();
  ASSERT_TRUE(workers.Submit(
      [] { std::this_thread::sleep_for(std::chrono::duration<double>(kLongCallSeconds * 1.5)); }));
  // The release follows the task on the worker's thread: wait for it (at most 10 s).
  for (int i = 0; i < 1000 && MemoryReleases() == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(MemoryReleases(), before + 1);
}

}  // namespace
}  // namespace maillage::server
