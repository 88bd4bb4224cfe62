#include "common/server/memory.h"

#include <malloc.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace maillage::server {
namespace {

std::atomic<int64_t> releases{0};

}  // namespace

void LimitAllocatorArenas() {
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, kAllocatorArenas);
}

int AllocatorArenaLimit() {
  const char* set = std::getenv("MALLOC_ARENA_MAX");
  if (set == nullptr) return kAllocatorArenas;
  const int value = std::atoi(set);
  // glibc ignores a value that is not a positive number and keeps its default: 8 per core.
  return value > 0 ? value : 8 * static_cast<int>(std::thread::hardware_concurrency());
}

int AllocatorArenas() {
  char* text = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&text, &size);
  if (out == nullptr) return -1;
  malloc_info(0, out);
  std::fclose(out);
  int arenas = 0;
  for (const char* at = text; (at = std::strstr(at, "<heap nr=")) != nullptr; ++at) ++arenas;
  std::free(text);
  return arenas;
}

bool ReleaseMemoryAfterCall(double seconds) {
  if (seconds < kLongCallSeconds) return false;
  malloc_trim(0);
  releases.fetch_add(1, std::memory_order_relaxed);
  return true;
}

int64_t MemoryReleases() { return releases.load(std::memory_order_relaxed); }

}  // namespace maillage::server
