#include "common/log/log.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <thread>

#include "absl/strings/str_format.h"
#include "common/log/log_buffer.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace maillage::log {
namespace {

struct State {
  std::mutex mu;
  std::string service = "maillage";
  std::atomic<int> min_level{static_cast<int>(Level::kInfo)};
  std::shared_ptr<spdlog::logger> logger;
  // BufferLines: info and debug lines wait in `pending` (in order, under `buffer_mu`) for the
  // flusher; a warning or an error flushes them and itself at once.
  std::atomic<bool> buffered{false};
  std::mutex buffer_mu;
  std::condition_variable buffer_wake;
  std::string pending;
  bool buffer_stopping = false;
  std::thread flusher;
};

// Past this many bytes waiting, the writer flushes them itself.
constexpr size_t kMaxPendingBytes = 64 * 1024;

State& GetState() {
  static State* const state = [] {
    auto* s = new State;
    s->logger = spdlog::stderr_logger_mt("maillage_json");
    s->logger->set_pattern("%v");
    s->logger->set_level(spdlog::level::trace);
    s->logger->flush_on(spdlog::level::trace);
    return s;
  }();
  return *state;
}

// Writes the lines waiting (buffer_mu held) as one write: the sink ends the last with a newline.
void FlushLocked(State& state) {
  if (state.pending.empty()) return;
  state.pending.pop_back();
  state.logger->info(state.pending);
  state.pending.clear();
}

void Emit(State& state, Level level, const std::string& line) {
  if (state.buffered.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(state.buffer_mu);
    if (state.buffered.load(std::memory_order_relaxed)) {
      state.pending.append(line);
      state.pending.push_back('\n');
      if (level >= Level::kWarn || state.pending.size() >= kMaxPendingBytes) FlushLocked(state);
      return;
    }
  }
  state.logger->info(line);
}

thread_local std::string tls_request_id;
thread_local std::string tls_traceparent;

absl::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

// Writes `value` as `width` decimal digits at `out` (zero-padded).
void PutDigits(char* out, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// "2026-12-07T16:29:52.894078Z", written by hand: absl::StrFormat took a fifth of the cost of
// an access-log line.
std::string NowRfc3339() {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
      1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::string out = "0000-00-00T00:00:00.000000Z";
  PutDigits(&out[0], tm.tm_year + 1900, 4);
  PutDigits(&out[5], tm.tm_mon + 1, 2);
  PutDigits(&out[8], tm.tm_mday, 2);
  PutDigits(&out[11], tm.tm_hour, 2);
  PutDigits(&out[14], tm.tm_min, 2);
  PutDigits(&out[17], tm.tm_sec, 2);
  PutDigits(&out[20], micros, 6);
  return out;
}

// Whether the byte is copied as is into a JSON string: printable ASCII but '"' and '\\'.
bool IsPlainJsonByte(unsigned char c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; }

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid.
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t len;
  uint32_t min;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  uint32_t cp = c & (0xFF >> (len + 1));
  for (size_t k = 1; k < len; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

void Init(absl::string_view service, absl::string_view level) {
  State& state = GetState();
  {
    std::lock_guard<std::mutex> lock(state.mu);
    state.service = std::string(service);
  }
  Level l = Level::kInfo;
  if (level == "debug") l = Level::kDebug;
  if (level == "warn") l = Level::kWarn;
  if (level == "error") l = Level::kError;
  state.min_level = static_cast<int>(l);
}

void AppendJsonString(std::string& out, absl::string_view value) {
  out.push_back('"');
  for (size_t i = 0; i < value.size();) {
    // Runs of plain bytes (nearly every byte of a log line) are copied at once.
    size_t plain = i;
    while (plain < value.size() && IsPlainJsonByte(static_cast<unsigned char>(value[plain]))) {
      ++plain;
    }
    if (plain > i) {
      out.append(value.data() + i, plain - i);
      i = plain;
      continue;
    }
    auto c = static_cast<unsigned char>(value[i]);
    size_t len = Utf8SequenceLength(value, i);
    if (len == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
      continue;
    }
    if (len > 1) {
      out.append(value.data() + i, len);
    } else if (c == '"') {
      out.append("\\\"");
    } else if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '\r') {
      out.append("\\r");
    } else if (c == '\t') {
      out.append("\\t");
    } else if (c < 0x20 || c == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(escaped, sizeof escaped);
    } else {
      out.push_back(static_cast<char>(c));
    }
    i += len;
  }
  out.push_back('"');
}

namespace {

// FormatLine with the request id and traceparent fields after `fields` when not empty.
std::string FormatLineWithIds(absl::string_view ts, Level level, absl::string_view service,
                              absl::string_view msg, const Fields& fields,
                              absl::string_view request_id, absl::string_view traceparent) {
  std::string out;
  out.reserve(256 + msg.size());
  auto add = [&out](absl::string_view key, absl::string_view value) {
    if (out.size() > 1) out.push_back(',');
    AppendJsonString(out, key);
    out.push_back(':');
    AppendJsonString(out, value);
  };
  out.push_back('{');
  add("ts", ts);
  add("level", LevelName(level));
  add("service", service);
  add("msg", msg);
  for (const auto& [key, value] : fields) add(key, value);
  if (!request_id.empty()) add("request_id", request_id);
  if (!traceparent.empty()) add("traceparent", traceparent);
  out.push_back('}');
  return out;
}

}  // namespace

std::string FormatLine(absl::string_view ts, Level level, absl::string_view service,
                       absl::string_view msg, const Fields& fields) {
  return FormatLineWithIds(ts, level, service, msg, fields, "", "");
}

bool Enabled(Level level) {
  return static_cast<int>(level) >= GetState().min_level.load(std::memory_order_relaxed);
}

void Write(Level level, absl::string_view msg, const Fields& fields) {
  State& state = GetState();
  if (static_cast<int>(level) < state.min_level.load(std::memory_order_relaxed)) return;
  std::string service;
  {
    std::lock_guard<std::mutex> lock(state.mu);
    service = state.service;
  }
  Emit(state, level,
       FormatLineWithIds(NowRfc3339(), level, service, msg, fields, tls_request_id,
                         tls_traceparent));
}

void BufferLines(std::chrono::milliseconds interval) {
  State& state = GetState();
  std::lock_guard<std::mutex> lock(state.buffer_mu);
  if (state.buffered.load(std::memory_order_relaxed)) return;
  static std::once_flag at_exit;
  std::call_once(at_exit, [] { std::atexit(StopBuffering); });
  state.buffer_stopping = false;
  state.flusher = std::thread([&state, interval] {
    std::unique_lock<std::mutex> lock(state.buffer_mu);
    while (!state.buffer_stopping) {
      state.buffer_wake.wait_for(lock, interval);
      FlushLocked(state);
    }
  });
  state.buffered.store(true, std::memory_order_release);
}

void Flush() {
  State& state = GetState();
  std::lock_guard<std::mutex> lock(state.buffer_mu);
  FlushLocked(state);
}

void StopBuffering() {
  State& state = GetState();
  std::thread flusher;
  {
    std::lock_guard<std::mutex> lock(state.buffer_mu);
    FlushLocked(state);
    state.buffered.store(false, std::memory_order_relaxed);
    state.buffer_stopping = true;
    flusher = std::move(state.flusher);
  }
  state.buffer_wake.notify_all();
  if (flusher.joinable()) flusher.join();
}

ScopedRequestContext::ScopedRequestContext(std::string request_id, std::string traceparent)
    : previous_request_id_(std::move(tls_request_id)),
      previous_traceparent_(std::move(tls_traceparent)) {
  tls_request_id = std::move(request_id);
  tls_traceparent = std::move(traceparent);
}

ScopedRequestContext::~ScopedRequestContext() {
  tls_request_id = std::move(previous_request_id_);
  tls_traceparent = std::move(previous_traceparent_);
}

const std::string& CurrentRequestId() { return tls_request_id; }
const std::string& CurrentTraceparent() { return tls_traceparent; }

}  // namespace maillage::log
