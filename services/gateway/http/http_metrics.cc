// Counters and latency histogram of HTTP requests.
#include "services/gateway/http/http_metrics.h"

#include <string>

namespace maillage::gateway {

HttpMetrics::HttpMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("http_requests_total")
                    .Help("HTTP requests answered by the gateway.")
                    .Register(registry)),
      duration_(prometheus::BuildHistogram()
                    .Name("http_request_duration_seconds")
                    .Help("Time from the request's arrival to the end of its response.")
                    .Register(registry)) {}

void HttpMetrics::Record(absl::string_view method, absl::string_view route, int http_status,
                         double seconds) {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  const std::string method_label(method);
  const std::string route_label(route);
  requests_
      .Add(
          {{"method", method_label}, {"route", route_label}, {"code", std::to_string(http_status)}})
      .Increment();
  duration_.Add({{"method", method_label}, {"route", route_label}}, kBuckets).Observe(seconds);
}

}  // namespace maillage::gateway
