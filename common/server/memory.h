// How every maillage process keeps its resident size near what it uses (glibc malloc), whether
// its threads serve gRPC (server.h, interceptors.h) or HTTP (the gateway's workers,
// bounded_workers.h):
//
//   int main() {
//     server::LimitAllocatorArenas();  // first, before any thread (service::InitProcess does it)
//     ...
//   }
//   // on the thread that served a call, once it is over and its buffers freed:
//   server::ReleaseMemoryAfterCall(seconds);
//
// Why: glibc gives each thread that allocates an arena of its own (up to 8 per core, 16 here),
// and an arena keeps the pages of the largest call it served after the call frees them. A
// process serving large calls on many threads (the gateway's 64 HTTP workers) kept that peak
// once per arena: maillage-directory reached 229 MiB over four 5,000-row imports, the gateway
// grew from 56 to 126 MiB over ten. Two arenas bound it; giving the freed pages back after a
// long call (malloc_trim, a few milliseconds) brings the resident size back down between calls.
#pragma once

#include <cstdint>

namespace maillage::server {

// The arenas a maillage process allocates from, unless MALLOC_ARENA_MAX is set (it wins).
inline constexpr int kAllocatorArenas = 2;
// A call that lasted this long (an import, an export...) gives its freed memory back.
inline constexpr double kLongCallSeconds = 0.1;

// Caps glibc's arenas at kAllocatorArenas (mallopt M_ARENA_MAX) unless MALLOC_ARENA_MAX is set.
// Call it before threads start: an arena made before stays, and once a process has more than 8
// arenas glibc no longer reads the setting. Idempotent.
void LimitAllocatorArenas();

// The most arenas this process may have: MALLOC_ARENA_MAX when set to a positive number (glibc
// applies it itself), else kAllocatorArenas (LimitAllocatorArenas). For tests and diagnostics.
int AllocatorArenaLimit();

// The number of arenas glibc allocates from in this process (malloc_info's heaps); -1 when it
// cannot be read. For tests and diagnostics.
int AllocatorArenas();

// After a call that lasted `seconds` on this thread: when that is kLongCallSeconds or more,
// gives the free pages of every arena back to the system (malloc_trim) and returns true.
bool ReleaseMemoryAfterCall(double seconds);

// How many times ReleaseMemoryAfterCall gave memory back in this process, for tests.
int64_t MemoryReleases();

}  // namespace maillage::server
