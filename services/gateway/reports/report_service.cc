#include "services/gateway/reports/report_service.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/caller.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "google/protobuf/util/time_util.h"
#include "services/gateway/access/own_call.h"
#include "services/gateway/errors/http_errors.h"
#include "services/gateway/reports/report_page.h"

namespace maillage::gateway {
namespace {

// Time kept after the backend calls to build and send the report before the caller's deadline.
constexpr std::chrono::milliseconds kAnswerMargin(250);
constexpr int kMinYear = 2000;
constexpr int kMaxYear = 2100;

// "actions/{id}" with the budget service's id rule: 1 to 63 of [a-z0-9-], a letter first.
bool IsActionName(const std::string& name) {
  constexpr absl::string_view kPrefix = "actions/";
  if (!absl::StartsWith(name, kPrefix)) return false;
  absl::string_view id = absl::string_view(name).substr(kPrefix.size());
  if (id.empty() || id.size() > 63 || !absl::ascii_islower(id[0])) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-';
  });
}

}  // namespace

absl::StatusOr<v1::ActionReport> ReportServiceImpl::Build(grpc::ServerContext& context,
                                                          const std::string& action,
                                                          int year) const {
  FieldViolations violations;
  if (!IsActionName(action)) {
    violations.Add("action",
                   "must be \"actions/{action}\" with an id of 1 to 63 characters "
                   "[a-z0-9-] starting with a letter");
  }
  if (year < kMinYear || year > kMaxYear) {
    violations.Add("year", absl::StrCat("must be a year from ", kMinYear, " to ", kMaxYear));
  }
  if (!violations.empty()) return violations.ToStatus(kGatewayDomain);

  const auto now = std::chrono::system_clock::now();
  auto deadline = now + max_backend_time_;
  if (context.deadline() < deadline + kAnswerMargin) {
    deadline = std::max(now, context.deadline() - kAnswerMargin);
  }
  ReportCaller caller{log::CurrentRequestId(), log::CurrentTraceparent(), std::nullopt};
  if (const auth::Principal* principal = auth::CurrentCaller()) caller.principal = *principal;
  ReportInputs inputs = sources_.Fetch(action, year, deadline, caller);

  if (!inputs.budget.ok() && inputs.budget.status().code() == absl::StatusCode::kNotFound) {
    return inputs.budget.status();
  }
  // A funder's report exists only for an action the budget service says it funds: without that
  // answer (refused, or the budget service down), nothing of the report is given.
  if (caller.principal.has_value() &&
      caller.principal->role == ::maillage::gateway::v1::ROLE_FUNDER && !inputs.budget.ok()) {
    return inputs.budget.status();
  }
  if (!inputs.budget.ok() && !inputs.meetings.ok() && !inputs.directory.ok()) {
    return Unavailable(
        kGatewayDomain, "REPORT_BACKENDS_UNAVAILABLE",
        absl::StrCat("no backend answered: budget ", inputs.budget.status().message(),
                     "; meetings ", inputs.meetings.status().message(), "; directory ",
                     inputs.directory.status().message()));
  }
  for (const auto& [backend, status] :
       {std::pair<const char*, absl::Status>{"budget", inputs.budget.status()},
        {"meetings", inputs.meetings.status()},
        {"directory", inputs.directory.status()}}) {
    if (!status.ok()) {
      log::Warn("report section partial", {{"backend", backend},
                                           {"code", std::string(StatusCodeName(status.code()))},
                                           {"error", std::string(status.message())}});
    }
  }
  return BuildActionReport(inputs, google::protobuf::util::TimeUtil::GetCurrentTime());
}

grpc::Status ReportServiceImpl::GetActionReport(grpc::ServerContext* context,
                                                const v1::GetActionReportRequest* request,
                                                v1::ActionReport* response) {
  OwnCall call(*context, access_, door_, "/maillage.gateway.v1.ReportService/GetActionReport");
  if (!call.ok()) return call.Finish(ToGrpcStatus(call.status(), kGatewayDomain));
  absl::StatusOr<v1::ActionReport> report = Build(*context, request->action(), request->year());
  if (!report.ok()) return call.Finish(ToGrpcStatus(report.status(), kGatewayDomain), request);
  *response = std::move(*report);
  return call.Finish(grpc::Status::OK, request, response);
}

grpc::Status ReportServiceImpl::GetActionReportPage(grpc::ServerContext* context,
                                                    const v1::GetActionReportPageRequest* request,
                                                    google::api::HttpBody* response) {
  OwnCall call(*context, access_, door_, "/maillage.gateway.v1.ReportService/GetActionReportPage");
  if (!call.ok()) return call.Finish(ToGrpcStatus(call.status(), kGatewayDomain));
  absl::StatusOr<v1::ActionReport> report = Build(*context, request->action(), request->year());
  if (!report.ok()) return call.Finish(ToGrpcStatus(report.status(), kGatewayDomain), request);
  response->set_content_type("text/html; charset=utf-8");
  response->set_data(RenderReportPage(*report));
  return call.Finish(grpc::Status::OK, request);
}

}  // namespace maillage::gateway
