// Structured logs: one JSON object per line on stderr, through spdlog.
//
//   maillage::log::Info("server started", {{"port", "9101"}});
//   maillage::log::Error("database error", {{"sqlstate", "XX000"}, {"request_id", id}});
//
// Every line has "ts" (RFC 3339 UTC, microseconds), "level", "service", "msg", then the fields
// given, then the request id and traceparent of the current call when the server set them
// (see ScopedRequestContext). Values are strings, escaped as JSON.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace maillage::log {

using Fields = std::vector<std::pair<std::string, std::string>>;

enum class Level { kDebug, kInfo, kWarn, kError };

// Sets the "service" field of every line and the minimum level ("debug", "info", "warn",
// "error"). Call once at start-up; before it, the service is "maillage" and the level info.
void Init(absl::string_view service, absl::string_view level);

void Write(Level level, absl::string_view msg, const Fields& fields = {});
// Whether a line of `level` would be written (to skip building the fields of one that would not).
bool Enabled(Level level);
inline void Debug(absl::string_view msg, const Fields& fields = {}) {
  Write(Level::kDebug, msg, fields);
}
inline void Info(absl::string_view msg, const Fields& fields = {}) {
  Write(Level::kInfo, msg, fields);
}
inline void Warn(absl::string_view msg, const Fields& fields = {}) {
  Write(Level::kWarn, msg, fields);
}
inline void Error(absl::string_view msg, const Fields& fields = {}) {
  Write(Level::kError, msg, fields);
}

// The JSON line for these values, without the trailing newline (exposed for tests).
std::string FormatLine(absl::string_view ts, Level level, absl::string_view service,
                       absl::string_view msg, const Fields& fields);

// Appends `value` to `out` as a JSON string literal (quotes included), escaping control
// characters and replacing invalid UTF-8 with U+FFFD.
void AppendJsonString(std::string& out, absl::string_view value);

// The request id and traceparent of the call running on this thread, set by the server's
// interceptor for the duration of a handler and added to every line logged meanwhile.
class ScopedRequestContext {
 public:
  ScopedRequestContext(std::string request_id, std::string traceparent);
  ~ScopedRequestContext();
  ScopedRequestContext(const ScopedRequestContext&) = delete;
  ScopedRequestContext& operator=(const ScopedRequestContext&) = delete;

 private:
  std::string previous_request_id_;
  std::string previous_traceparent_;
};

// The current thread's request id ("" outside a call).
const std::string& CurrentRequestId();
const std::string& CurrentTraceparent();

}  // namespace maillage::log
