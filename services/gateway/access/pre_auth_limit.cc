#include "services/gateway/access/pre_auth_limit.h"

#include <algorithm>

#include "absl/strings/strip.h"

namespace maillage::gateway {

std::optional<absl::Duration> PreAuthLimit::Take(absl::string_view address, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(std::string(address));
  if (it == buckets_.end()) {
    if (buckets_.size() >= options_.max_addresses && !DropRefilled(now)) {
      return absl::Seconds(1 / options_.rps);  // full of active addresses: fail closed
    }
    it = buckets_.emplace(std::string(address), Bucket{static_cast<double>(options_.burst), now})
             .first;
  }
  Bucket& bucket = it->second;
  const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - bucket.updated));
  bucket.tokens = std::min<double>(options_.burst, bucket.tokens + elapsed * options_.rps);
  bucket.updated = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  return absl::Seconds((1 - bucket.tokens) / options_.rps);
}

bool PreAuthLimit::DropRefilled(absl::Time now) {
  const size_t before = buckets_.size();
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double elapsed = absl::ToDoubleSeconds(now - it->second.updated);
    if (it->second.tokens + elapsed * options_.rps >= options_.burst) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  return buckets_.size() < before;
}

size_t PreAuthLimit::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buckets_.size();
}

std::string ClientAddressOfPeer(absl::string_view peer) {
  if (absl::ConsumePrefix(&peer, "ipv4:")) {
    return std::string(peer.substr(0, peer.rfind(':')));
  }
  if (absl::ConsumePrefix(&peer, "ipv6:")) {
    if (absl::ConsumePrefix(&peer, "[")) return std::string(peer.substr(0, peer.find(']')));
    return std::string(peer);
  }
  return std::string(peer);
}

}  // namespace maillage::gateway
