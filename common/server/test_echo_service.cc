// The echo service of tests and benchmarks (see test_echo_service.h).
#include "common/server/test_echo_service.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/server/interceptors.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"

namespace maillage::server {
namespace {

namespace echo = maillage::testing::v1;

// Sleeps `delay_ms`, polling for cancellation; false when the call was cancelled meanwhile.
bool WaitUnlessCancelled(grpc::ServerContext& context, int delay_ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms);
  while (std::chrono::steady_clock::now() < until) {
    if (context.IsCancelled()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return !context.IsCancelled();
}

}  // namespace

TestEchoService::TestEchoService(std::string label) : label_(std::move(label)) {}

grpc::Status TestEchoService::Echo(grpc::ServerContext* context,
                                   const maillage::testing::v1::EchoRequest* request,
                                   maillage::testing::v1::EchoResponse* response) {
  echo_calls_started_.fetch_add(1);
  calls_started_.fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_seen_ = {log::CurrentRequestId(), log::CurrentTraceparent(), {}, context->deadline()};
    for (const auto& [key, value] : context->client_metadata()) {
      std::string name(key.data(), key.size());
      if (absl::StartsWith(name, "grpc-")) continue;
      last_seen_.metadata.emplace(std::move(name), std::string(value.data(), value.size()));
    }
  }
  if (!label_.empty()) context->AddInitialMetadata("x-echo-served-by", label_);
  // Waits like a well-behaved handler: gives up when the call is cancelled.
  if (!WaitUnlessCancelled(*context, request->delay_ms())) {
    cancelled_calls_.fetch_add(1);
    return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
  }
  response->set_message(request->message());
  response->set_request_id(RequestId(*context));
  response->set_served_by(label_);
  return grpc::Status::OK;
}

grpc::Status TestEchoService::Fail(grpc::ServerContext* context,
                                   const maillage::testing::v1::FailRequest* request,
                                   maillage::testing::v1::FailResponse*) {
  calls_started_.fetch_add(1);
  if (request->reason().empty()) {
    return grpc::Status(static_cast<grpc::StatusCode>(request->code()), request->message());
  }
  context->AddTrailingMetadata("x-echo-reason", request->reason());
  return ToGrpcStatus(MakeError(static_cast<absl::StatusCode>(request->code()), "echo.maillage",
                                request->reason(), request->message()),
                      "echo.maillage");
}

grpc::Status TestEchoService::Collect(grpc::ServerContext* context,
                                      grpc::ServerReader<echo::EchoRequest>* reader,
                                      echo::CollectResponse* response) {
  calls_started_.fetch_add(1);
  echo::EchoRequest request;
  while (reader->Read(&request)) {
    collect_messages_received_.fetch_add(1);
    if (response->count() > 0) response->mutable_messages()->append(",");
    response->mutable_messages()->append(request.message());
    response->set_count(response->count() + 1);
  }
  if (context->IsCancelled()) {
    cancelled_calls_.fetch_add(1);
    return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
  }
  return grpc::Status::OK;
}

grpc::Status TestEchoService::Expand(grpc::ServerContext* context,
                                     const echo::ExpandRequest* request,
                                     grpc::ServerWriter<echo::EchoResponse>* writer) {
  calls_started_.fetch_add(1);
  const std::string padding(static_cast<size_t>(std::max(request->padding_bytes(), 0)), 'x');
  for (int i = 0; i < request->count(); ++i) {
    echo::EchoResponse response;
    response.set_message(absl::StrCat(request->message(), "-", i, padding));
    response.set_served_by(label_);
    if (!WaitUnlessCancelled(*context, request->delay_ms()) || !writer->Write(response)) {
      cancelled_calls_.fetch_add(1);
      return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    }
    expand_messages_sent_.fetch_add(1);
  }
  if (request->fail_code() != 0) {
    return grpc::Status(static_cast<grpc::StatusCode>(request->fail_code()), request->message());
  }
  return grpc::Status::OK;
}

grpc::Status TestEchoService::Chat(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<echo::EchoResponse, echo::EchoRequest>* stream) {
  calls_started_.fetch_add(1);
  echo::EchoRequest request;
  while (stream->Read(&request)) {
    echo::EchoResponse response;
    response.set_message(request.message());
    response.set_request_id(RequestId(*context));
    response.set_served_by(label_);
    if (!WaitUnlessCancelled(*context, request.delay_ms()) || !stream->Write(response)) break;
  }
  if (context->IsCancelled()) {
    cancelled_calls_.fetch_add(1);
    return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
  }
  return grpc::Status::OK;
}

TestEchoService::Seen TestEchoService::last_seen() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_seen_;
}

}  // namespace maillage::server
