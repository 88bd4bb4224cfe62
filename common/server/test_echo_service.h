// maillage.testing.v1.EchoService for tests and benchmarks of the server bootstrap: echoes a
// message after an optional delay, fails on demand, and records what its handler saw.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "maillage/testing/v1/echo.grpc.pb.h"

namespace maillage::server {

class TestEchoService final : public maillage::testing::v1::EchoService::Service {
 public:
  // `label` is returned as EchoResponse.served_by.
  explicit TestEchoService(std::string label = "");

  // Returns the message, the call's RequestId() and the label, after request->delay_ms()
  // (CANCELLED if the call is cancelled meanwhile).
  grpc::Status Echo(grpc::ServerContext* context, const maillage::testing::v1::EchoRequest* request,
                    maillage::testing::v1::EchoResponse* response) override;
  // Returns the status {request->code(), request->message()}.
  grpc::Status Fail(grpc::ServerContext* context, const maillage::testing::v1::FailRequest* request,
                    maillage::testing::v1::FailResponse* response) override;

  // What the last Echo handler found in maillage::log's context of its thread.
  struct Seen {
    std::string thread_request_id;
    std::string thread_traceparent;
  };
  Seen last_seen() const;
  // Echo calls whose handler has started.
  int echo_calls_started() const { return echo_calls_started_.load(); }

 private:
  const std::string label_;
  std::atomic<int> echo_calls_started_{0};
  mutable std::mutex mu_;
  Seen last_seen_;
};

}  // namespace maillage::server
