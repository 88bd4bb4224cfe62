// Prometheus metrics of the HTTP door: http_requests_total{method,route,code} and the histogram
// http_request_duration_seconds{method,route}. `route` is the path template that matched
// ("/v1/{name=actors/*}"), or "unmatched", so that the label set stays bounded.
#pragma once

#include "absl/strings/string_view.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace maillage::gateway {

class HttpMetrics {
 public:
  // Registers the families in `registry`, which must outlive this object.
  explicit HttpMetrics(prometheus::Registry& registry);

  void Record(absl::string_view method, absl::string_view route, int http_status, double seconds);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& duration_;
};

}  // namespace maillage::gateway
