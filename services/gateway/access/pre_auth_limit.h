// The pre-authentication limit: a token bucket per client address for the authentication
// attempts that cost the gateway something, so that a flood of made-up keys is refused (429)
// before it reaches the database.
//
//   PreAuthLimit limit({.rps = 20, .burst = 100, .max_addresses = 100000});
//   if (std::optional<absl::Duration> wait = limit.Take(ClientAddressOfPeer(peer), absl::Now()))
//     ... RESOURCE_EXHAUSTED, retry after *wait ...
//
// What is charged is the caller's choice (AccessControl: every key it must look up in the
// database or refuse; a key answered from its cache costs nothing). Memory is bounded: at
// `max_addresses`, buckets that have refilled (their address idle for burst / rps) are dropped;
// when none has, a new address is refused until one does (fail closed).
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace maillage::gateway {

struct PreAuthLimitOptions {
  double rps = 20;  // tokens per second per address
  int burst = 100;  // bucket size per address
  size_t max_addresses = 100000;
};

class PreAuthLimit {
 public:
  explicit PreAuthLimit(PreAuthLimitOptions options) : options_(options) {}

  // Takes a token for `address` at `now`: nullopt when allowed, otherwise how long until one is
  // available.
  std::optional<absl::Duration> Take(absl::string_view address, absl::Time now);

  // Addresses with a bucket.
  size_t size() const;

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };
  // Drops the buckets that are full again at `now`; true when one was dropped.
  bool DropRefilled(absl::Time now);

  const PreAuthLimitOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// The address a limit is kept for, from a gRPC peer ("ipv4:10.0.0.7:5123" → "10.0.0.7",
// "ipv6:[2001:db8::1]:443" → "2001:db8::1"); other forms are kept whole.
std::string ClientAddressOfPeer(absl::string_view peer);

}  // namespace maillage::gateway
