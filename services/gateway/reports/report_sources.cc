#include "services/gateway/reports/report_sources.h"

#include <future>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/server/client.h"
#include "common/status/grpc_status.h"
#include "maillage/budget/v1/budget_service.grpc.pb.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"
#include "maillage/meetings/v1/meetings_service.grpc.pb.h"

namespace maillage::gateway {
namespace {

namespace bv1 = budget::v1;
namespace mv1 = meetings::v1;
namespace dv1 = directory::v1;

using Deadline = std::chrono::system_clock::time_point;

// Lists are read with the largest page the services allow, and at most this many pages.
constexpr int kPageSize = 1000;
constexpr int kMaxPages = 100;

// Calls `method` of `stub` once; the call's status.
template <typename Stub, typename Request, typename Response>
absl::Status CallOnce(Stub& stub,
                      grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                      const Request& request, Response* response, Deadline deadline,
                      const ReportCaller& caller) {
  grpc::ClientContext context;
  PrepareReportCall(context, deadline, caller);
  return FromGrpcStatus((stub.*method)(&context, request, response));
}

// Every page of a list: `append` receives each response.
template <typename Stub, typename Request, typename Response, typename Append>
absl::Status CallPages(
    Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
    Request request, Deadline deadline, const ReportCaller& caller, Append append) {
  request.set_page_size(kPageSize);
  for (int page = 0; page < kMaxPages; ++page) {
    Response response;
    absl::Status status = CallOnce(stub, method, request, &response, deadline, caller);
    if (!status.ok()) return status;
    append(response);
    if (response.next_page_token().empty()) return absl::OkStatus();
    request.set_page_token(response.next_page_token());
  }
  return absl::OkStatus();
}

absl::StatusOr<BudgetInputs> FetchBudget(bv1::BudgetService::Stub& stub, const std::string& action,
                                         int year, Deadline deadline, const ReportCaller& caller) {
  using S = bv1::BudgetService::Stub;
  BudgetInputs in;
  bv1::GetActionRequest get_action;
  get_action.set_name(action);
  absl::Status status = CallOnce(stub, &S::GetAction, get_action, &in.action, deadline, caller);
  if (!status.ok()) return status;

  bv1::GetFinancialReportRequest report;
  report.set_action(action);
  report.set_year(year);
  status = CallOnce(stub, &S::GetFinancialReport, report, &in.financial_report, deadline, caller);
  if (!status.ok()) return status;

  bv1::ListBudgetsRequest budgets;
  budgets.set_parent(action);
  budgets.set_filter(absl::StrCat("year = ", year));
  status = CallPages(
      stub, &S::ListBudgets, budgets, deadline, caller, [&](const bv1::ListBudgetsResponse& page) {
        in.budgets.insert(in.budgets.end(), page.budgets().begin(), page.budgets().end());
      });
  if (!status.ok()) return status;

  for (const std::string& name :
       {in.financial_report.forecast_budget(), in.financial_report.actual_budget()}) {
    if (name.empty()) continue;
    bv1::ValidateBudgetRequest validate;
    validate.set_name(name);
    status = CallOnce(stub, &S::ValidateBudget, validate, &in.validations[name], deadline, caller);
    if (!status.ok()) return status;
  }

  bv1::ListGrantsRequest grants;
  grants.set_parent(action);
  grants.set_filter(absl::StrCat("year = ", year));
  status = CallPages(
      stub, &S::ListGrants, grants, deadline, caller, [&](const bv1::ListGrantsResponse& page) {
        in.grants.insert(in.grants.end(), page.grants().begin(), page.grants().end());
      });
  if (!status.ok()) return status;
  return in;
}

absl::StatusOr<MeetingsInputs> FetchMeetings(mv1::MeetingsService::Stub& stub,
                                             const std::string& action, int year, Deadline deadline,
                                             const ReportCaller& caller) {
  using S = mv1::MeetingsService::Stub;
  MeetingsInputs in;
  mv1::GetIndicatorsRequest indicators;
  indicators.set_action(action);
  indicators.mutable_period_start()->set_year(year);
  indicators.mutable_period_start()->set_month(1);
  indicators.mutable_period_start()->set_day(1);
  indicators.mutable_period_end()->set_year(year);
  indicators.mutable_period_end()->set_month(12);
  indicators.mutable_period_end()->set_day(31);
  absl::Status status =
      CallOnce(stub, &S::GetIndicators, indicators, &in.indicators, deadline, caller);
  if (!status.ok()) return status;

  // A funder may not list meetings; once the budget service has said it funds the action (the
  // report service gives nothing otherwise), the gateway lists that action's meetings in its
  // own name (no personal data: participants are not part of a meeting).
  std::optional<auth::CallerScope> as_gateway;
  if (caller.principal.has_value() &&
      caller.principal->role == ::maillage::gateway::v1::ROLE_FUNDER) {
    as_gateway.emplace(
        auth::ServicePrincipal("gateway-reports", ::maillage::gateway::v1::ROLE_STAFF));
  }
  // The calendar year in Europe/Paris: 1 January is always in winter time (UTC+1).
  mv1::ListMeetingsRequest meetings;
  meetings.set_filter(absl::StrCat("action = \"", action, "\" AND start_time >= \"", year,
                                   "-01-01T00:00:00+01:00\" AND start_time < \"", year + 1,
                                   "-01-01T00:00:00+01:00\""));
  meetings.set_order_by("start_time");
  status = CallPages(stub, &S::ListMeetings, meetings, deadline, caller,
                     [&](const mv1::ListMeetingsResponse& page) {
                       in.meetings.insert(in.meetings.end(), page.meetings().begin(),
                                          page.meetings().end());
                     });
  if (!status.ok()) return status;
  return in;
}

absl::StatusOr<DirectoryInputs> FetchDirectory(dv1::DirectoryService::Stub& stub, Deadline deadline,
                                               const ReportCaller& caller) {
  using S = dv1::DirectoryService::Stub;
  DirectoryInputs in;
  // Without a state term the directory lists its ACTIVE actors only.
  absl::Status status =
      CallPages(stub, &S::ListActors, dv1::ListActorsRequest(), deadline, caller,
                [&](const dv1::ListActorsResponse& page) {
                  in.actors.insert(in.actors.end(), page.actors().begin(), page.actors().end());
                });
  if (!status.ok()) return status;
  status = CallPages(stub, &S::ListNetworkCategories, dv1::ListNetworkCategoriesRequest(), deadline,
                     caller, [&](const dv1::ListNetworkCategoriesResponse& page) {
                       in.network_categories.insert(in.network_categories.end(),
                                                    page.network_categories().begin(),
                                                    page.network_categories().end());
                     });
  if (!status.ok()) return status;
  status = CallPages(stub, &S::ListCommunes, dv1::ListCommunesRequest(), deadline, caller,
                     [&](const dv1::ListCommunesResponse& page) {
                       in.communes.insert(in.communes.end(), page.communes().begin(),
                                          page.communes().end());
                     });
  if (!status.ok()) return status;
  dv1::ListEssFamiliesResponse families;
  status = CallOnce(stub, &S::ListEssFamilies, dv1::ListEssFamiliesRequest(), &families, deadline,
                    caller);
  if (!status.ok()) return status;
  in.ess_families.assign(families.ess_families().begin(), families.ess_families().end());
  return in;
}

}  // namespace

ReportCallScope::ReportCallScope(const ReportCaller& caller)
    : request_(caller.request_id, caller.traceparent) {
  if (caller.principal.has_value()) caller_.emplace(*caller.principal);
}

void PrepareReportCall(grpc::ClientContext& context, std::chrono::system_clock::time_point deadline,
                       const ReportCaller& caller) {
  server::PrepareClientContext(context, deadline);
}

ReportSources::ReportSources(std::shared_ptr<grpc::Channel> directory,
                             std::shared_ptr<grpc::Channel> meetings,
                             std::shared_ptr<grpc::Channel> budget)
    : directory_(std::move(directory)),
      meetings_(std::move(meetings)),
      budget_(std::move(budget)) {}

ReportInputs ReportSources::Fetch(const std::string& action, int year, Deadline deadline,
                                  const ReportCaller& caller) const {
  auto budget = std::async(std::launch::async, [&] {
    ReportCallScope scope(caller);
    auto stub = bv1::BudgetService::NewStub(budget_);
    return FetchBudget(*stub, action, year, deadline, caller);
  });
  auto meetings = std::async(std::launch::async, [&] {
    ReportCallScope scope(caller);
    auto stub = mv1::MeetingsService::NewStub(meetings_);
    return FetchMeetings(*stub, action, year, deadline, caller);
  });
  ReportCallScope scope(caller);
  // The directory's figures (counts of actors, categories, communes; no personal data) are read
  // in the gateway's own name with the PARTNER role, so that every caller of the report gets
  // them — a funder's key may not read the directory itself.
  auth::CallerScope as_gateway(
      auth::ServicePrincipal("gateway-reports", ::maillage::gateway::v1::ROLE_PARTNER));
  auto stub = dv1::DirectoryService::NewStub(directory_);
  ReportInputs inputs;
  inputs.action = action;
  inputs.year = year;
  inputs.directory = FetchDirectory(*stub, deadline, caller);
  inputs.budget = budget.get();
  inputs.meetings = meetings.get();
  return inputs;
}

}  // namespace maillage::gateway
