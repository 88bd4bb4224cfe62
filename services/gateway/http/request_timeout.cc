// Parsing of the timeout headers of an HTTP request.
#include "services/gateway/http/request_timeout.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {
namespace {

using std::chrono::milliseconds;

absl::Status BadHeader(absl::string_view header, absl::string_view expected) {
  return InvalidRequestField("INVALID_REQUEST_TIMEOUT", header, expected);
}

// Rounds up so that a sub-millisecond timeout stays positive.
milliseconds ToMilliseconds(absl::Duration d) {
  return milliseconds(absl::ToInt64Milliseconds(absl::Ceil(d, absl::Milliseconds(1))));
}

absl::StatusOr<milliseconds> ParseGrpcTimeout(absl::string_view text) {
  constexpr absl::string_view kExpected = "expected 1 to 8 digits and a unit among H M S m u n";
  if (text.size() < 2 || text.size() > 9) return BadHeader("grpc-timeout", kExpected);
  int64_t amount;
  absl::string_view digits = text.substr(0, text.size() - 1);
  if (!std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(digits, &amount)) {
    return BadHeader("grpc-timeout", kExpected);
  }
  absl::Duration d;
  switch (text.back()) {
    case 'H':
      d = absl::Hours(amount);
      break;
    case 'M':
      d = absl::Minutes(amount);
      break;
    case 'S':
      d = absl::Seconds(amount);
      break;
    case 'm':
      d = absl::Milliseconds(amount);
      break;
    case 'u':
      d = absl::Microseconds(amount);
      break;
    case 'n':
      d = absl::Nanoseconds(amount);
      break;
    default:
      return BadHeader("grpc-timeout", kExpected);
  }
  if (d <= absl::ZeroDuration()) return BadHeader("grpc-timeout", "must be positive");
  return ToMilliseconds(d);
}

absl::StatusOr<milliseconds> ParseRequestTimeout(absl::string_view text) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d)) {
    return BadHeader("X-Request-Timeout", "expected a duration such as \"1.5s\" or \"300ms\"");
  }
  if (d <= absl::ZeroDuration()) return BadHeader("X-Request-Timeout", "must be positive");
  return ToMilliseconds(d);
}

}  // namespace

absl::StatusOr<milliseconds> RequestTimeout(absl::string_view x_request_timeout,
                                            absl::string_view grpc_timeout,
                                            const TimeoutPolicy& policy) {
  milliseconds timeout = policy.max_timeout;
  bool given = false;
  if (!x_request_timeout.empty()) {
    absl::StatusOr<milliseconds> t = ParseRequestTimeout(x_request_timeout);
    if (!t.ok()) return t.status();
    timeout = std::min(timeout, *t);
    given = true;
  }
  if (!grpc_timeout.empty()) {
    absl::StatusOr<milliseconds> t = ParseGrpcTimeout(grpc_timeout);
    if (!t.ok()) return t.status();
    timeout = std::min(timeout, *t);
    given = true;
  }
  return given ? timeout : std::min(policy.default_timeout, policy.max_timeout);
}

}  // namespace maillage::gateway
