// maillage.testing.v1.EchoService for tests and benchmarks of the server bootstrap: echoes a
// message after an optional delay, fails on demand, streams in the three streaming shapes, and
// records what its handlers saw.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "maillage/testing/v1/echo.grpc.pb.h"

namespace maillage::server {

class TestEchoService final : public maillage::testing::v1::EchoService::Service {
 public:
  // `label` is returned as EchoResponse.served_by.
  explicit TestEchoService(std::string label = "");

  // Returns the message, the call's RequestId() and the label, after request->delay_ms()
  // (CANCELLED if the call is cancelled meanwhile). With a label, sends the initial metadata
  // "x-echo-served-by: <label>".
  grpc::Status Echo(grpc::ServerContext* context, const maillage::testing::v1::EchoRequest* request,
                    maillage::testing::v1::EchoResponse* response) override;
  // Returns the status {request->code(), request->message()}; with request->reason(), an
  // ErrorInfo {reason, "echo.maillage"} in the details and "x-echo-reason" trailing metadata.
  grpc::Status Fail(grpc::ServerContext* context, const maillage::testing::v1::FailRequest* request,
                    maillage::testing::v1::FailResponse* response) override;
  // The streaming methods described in echo.proto. A handler that finds its call cancelled
  // returns CANCELLED and counts it in cancelled_calls().
  grpc::Status Collect(grpc::ServerContext* context,
                       grpc::ServerReader<maillage::testing::v1::EchoRequest>* reader,
                       maillage::testing::v1::CollectResponse* response) override;
  grpc::Status Expand(grpc::ServerContext* context,
                      const maillage::testing::v1::ExpandRequest* request,
                      grpc::ServerWriter<maillage::testing::v1::EchoResponse>* writer) override;
  grpc::Status Chat(grpc::ServerContext* context,
                    grpc::ServerReaderWriter<maillage::testing::v1::EchoResponse,
                                             maillage::testing::v1::EchoRequest>* stream) override;

  // What the last Echo handler saw: maillage::log's context of its thread, the client metadata
  // of the call (grpc-* and the HTTP/2 pseudo headers left out) and its deadline.
  struct Seen {
    std::string thread_request_id;
    std::string thread_traceparent;
    std::multimap<std::string, std::string> metadata;
    std::chrono::system_clock::time_point deadline;
  };
  Seen last_seen() const;
  // Calls whose handler has started, per method (Echo; any of the five).
  int echo_calls_started() const { return echo_calls_started_.load(); }
  int calls_started() const { return calls_started_.load(); }
  // Handlers that ended because their call was cancelled (by the client or its deadline).
  int cancelled_calls() const { return cancelled_calls_.load(); }
  // Responses Expand has written so far, requests Collect has read so far (all calls).
  int expand_messages_sent() const { return expand_messages_sent_.load(); }
  int collect_messages_received() const { return collect_messages_received_.load(); }

 private:
  const std::string label_;
  std::atomic<int> echo_calls_started_{0};
  std::atomic<int> calls_started_{0};
  std::atomic<int> cancelled_calls_{0};
  std::atomic<int> expand_messages_sent_{0};
  std::atomic<int> collect_messages_received_{0};
  mutable std::mutex mu_;
  Seen last_seen_;
};

}  // namespace maillage::server
