// The outgoing HTTP(S) POST of one webhook delivery, on libcurl, with the SSRF guards:
//   - the scheme is https (http only with `allow_plain_http`, for tests and closed networks);
//   - the host is resolved here and every address checked with the AddressFilter; libcurl is
//     then pinned to the address checked (CURLOPT_RESOLVE), so a DNS answer that changes between
//     the check and the connection (rebinding) cannot redirect it;
//   - redirects are never followed (a 3xx is a failed attempt), proxies from the environment
//     are ignored;
//   - connect and total timeouts; the response body is read up to `max_response_bytes`, then
//     the transfer stops (the status line already counts).
// Blocking: call it from a delivery worker, never from a gRPC callback.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "services/gateway/webhooks/address_filter.h"

namespace maillage::gateway {

struct WebhookClientOptions {
  AddressFilter filter;
  bool allow_plain_http = false;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{10000};
  size_t max_response_bytes = 4096;
  // CA bundle for https; empty: the system's.
  std::string ca_file;
};

struct WebhookResponse {
  int http_status = 0;     // 0: no answer
  bool delivered = false;  // 2xx
  std::string error;       // empty when delivered
  std::chrono::microseconds duration{0};
  std::string body;  // at most max_response_bytes
};

class WebhookClient {
 public:
  explicit WebhookClient(WebhookClientOptions options);

  // POSTs `body` (application/json) with `headers` ("name: value") to `url`. Never throws;
  // every failure is in the response's error.
  WebhookResponse Post(const std::string& url, const std::vector<std::string>& headers,
                       const std::string& body) const;

  // OK when `url` is well formed with an allowed scheme (INVALID_ARGUMENT otherwise); the
  // address is checked only at delivery.
  absl::Status CheckUrl(const std::string& url) const;

 private:
  WebhookClientOptions options_;
};

}  // namespace maillage::gateway
