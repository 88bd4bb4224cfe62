// The echo service of tests and benchmarks (see test_echo_service.h).
#include "common/server/test_echo_service.h"

#include <chrono>
#include <thread>
#include <utility>

#include "common/log/log.h"
#include "common/server/interceptors.h"

namespace maillage::server {

TestEchoService::TestEchoService(std::string label) : label_(std::move(label)) {}

grpc::Status TestEchoService::Echo(grpc::ServerContext* context,
                                   const maillage::testing::v1::EchoRequest* request,
                                   maillage::testing::v1::EchoResponse* response) {
  echo_calls_started_.fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_seen_ = {log::CurrentRequestId(), log::CurrentTraceparent()};
  }
  // Waits like a well-behaved handler: gives up when the call is cancelled.
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(request->delay_ms());
  while (std::chrono::steady_clock::now() < until) {
    if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  response->set_message(request->message());
  response->set_request_id(RequestId(*context));
  response->set_served_by(label_);
  return grpc::Status::OK;
}

grpc::Status TestEchoService::Fail(grpc::ServerContext*,
                                   const maillage::testing::v1::FailRequest* request,
                                   maillage::testing::v1::FailResponse*) {
  return grpc::Status(static_cast<grpc::StatusCode>(request->code()), request->message());
}

TestEchoService::Seen TestEchoService::last_seen() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_seen_;
}

}  // namespace maillage::server
