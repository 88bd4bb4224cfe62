// The time an HTTP request gives its backend call: a default, or what the client asks for in
// the X-Request-Timeout or grpc-timeout header, within a maximum.
#pragma once

#include <chrono>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace maillage::gateway {

struct TimeoutPolicy {
  std::chrono::milliseconds default_timeout{10000};
  std::chrono::milliseconds max_timeout{60000};
};

// The timeout of a request whose X-Request-Timeout header is `x_request_timeout` (a duration
// such as "1.5s", "300ms", "2m") and grpc-timeout header is `grpc_timeout` (gRPC's form: up to
// 8 digits and a unit among H M S m u n, "250m"); "" means absent. The smaller of the two when
// both are given, `policy.default_timeout` when neither, never above `policy.max_timeout`.
// INVALID_ARGUMENT (INVALID_REQUEST_TIMEOUT, naming the header) when a value does not parse or
// is not positive.
absl::StatusOr<std::chrono::milliseconds> RequestTimeout(absl::string_view x_request_timeout,
                                                         absl::string_view grpc_timeout,
                                                         const TimeoutPolicy& policy);

}  // namespace maillage::gateway
