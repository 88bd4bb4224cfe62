// Buffered log lines, for a process whose hot path logs a line per request (the gateway's
// access log): one write per batch instead of one per line.
//
//   maillage::log::BufferLines(std::chrono::milliseconds(100));  // after log::Init
//   ...
//   maillage::log::StopBuffering();  // at the end of main (also run by exit())
#pragma once

#include <chrono>

namespace maillage::log {

// Info and debug lines are kept in memory and written together every `interval` (one write
// instead of one per line) or past 64 KiB; a warning or an error is written at once, after the
// lines before it. Nothing is lost on a clean stop: StopBuffering (or Flush) writes what waits,
// and StopBuffering runs at exit(); a process killed outright loses at most `interval`.
// For a process whose hot path logs a line per request (the gateway's access log).
void BufferLines(std::chrono::milliseconds interval);
// Writes the lines waiting now.
void Flush();
// Writes the lines waiting and goes back to one write per line.
void StopBuffering();

}  // namespace maillage::log
