// Fetches what a report needs from the three services over gRPC, one backend per thread so
// that they answer in parallel, every call bounded by one deadline. A backend's failure is its
// input's status (see ReportInputs); it never stops the other two.
//
//   ReportSources sources(directory_channel, meetings_channel, budget_channel);
//   ReportInputs inputs = sources.Fetch("actions/fa3", 2023, deadline, caller);
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/auth/caller.h"
#include "common/log/log.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "services/gateway/reports/report_builder.h"

namespace maillage::gateway {

// Who asks for the report, taken on the thread serving the request and passed on to each
// backend call.
struct ReportCaller {
  std::string request_id;
  std::string traceparent;
  // Who the report is for (auth::CurrentCaller() of the serving thread); each backend call
  // carries it as a freshly signed principal (server::MakeChannel's channels do it).
  std::optional<auth::Principal> principal;
};

// The caller's context on a thread that fetches for it (request id and traceparent for the logs
// and the outgoing metadata, and the caller's principal), for the scope's lifetime. Every
// backend call of the reports is made inside one.
class ReportCallScope {
 public:
  explicit ReportCallScope(const ReportCaller& caller);

 private:
  log::ScopedRequestContext request_;
  std::optional<auth::CallerScope> caller_;
};

// The one place a backend call of the reports is prepared: deadline, request id and traceparent
// (server::PrepareClientContext); the principal is added by the channel (see ReportCaller).
void PrepareReportCall(grpc::ClientContext& context, std::chrono::system_clock::time_point deadline,
                       const ReportCaller& caller);

class ReportSources {
 public:
  ReportSources(std::shared_ptr<grpc::Channel> directory, std::shared_ptr<grpc::Channel> meetings,
                std::shared_ptr<grpc::Channel> budget);

  // The inputs of the report on `action` ("actions/{id}", already validated) for `year`.
  // Each backend's status is that of the first of its calls that failed (DEADLINE_EXCEEDED at
  // `deadline`, UNAVAILABLE when unreachable, or its own error such as NOT_FOUND).
  ReportInputs Fetch(const std::string& action, int year,
                     std::chrono::system_clock::time_point deadline,
                     const ReportCaller& caller) const;

 private:
  std::shared_ptr<grpc::Channel> directory_, meetings_, budget_;
};

}  // namespace maillage::gateway
