// maillage.gateway.v1.ReportService served by the gateway itself: the funder's yearly report on
// an action, composed on each call from the three services (report_sources.h, in parallel,
// bounded by the call's deadline less a margin kept to answer) and returned as data
// (report_builder.h) or as the printable French page (report_page.h). Nothing is stored.
#pragma once

#include <chrono>

#include "maillage/gateway/v1/report_service.grpc.pb.h"
#include "services/gateway/access/access_control.h"
#include "services/gateway/access/own_call.h"
#include "services/gateway/reports/report_sources.h"

namespace maillage::gateway {

class ReportServiceImpl final : public v1::ReportService::Service {
 public:
  // `sources` and `access` must outlive the service; `door`: how calls to this instance are
  // admitted (own_call.h). `max_backend_time` bounds the backend calls of one report when the
  // caller's deadline is later (or unset).
  ReportServiceImpl(const ReportSources& sources, AccessControl& access, OwnDoor door,
                    std::chrono::milliseconds max_backend_time = std::chrono::seconds(8))
      : sources_(sources), access_(access), door_(door), max_backend_time_(max_backend_time) {}

  // UNAUTHENTICATED / PERMISSION_DENIED as every own call (own_call.h); INVALID_ARGUMENT naming
  // `action` or `year` when malformed; NOT_FOUND when the budget service does not know the action;
  // UNAVAILABLE when no backend answered; otherwise the report, with partial_sections for the
  // backends that failed.
  grpc::Status GetActionReport(grpc::ServerContext* context,
                               const v1::GetActionReportRequest* request,
                               v1::ActionReport* response) override;
  // The same report as "text/html; charset=utf-8", same errors.
  grpc::Status GetActionReportPage(grpc::ServerContext* context,
                                   const v1::GetActionReportPageRequest* request,
                                   google::api::HttpBody* response) override;

 private:
  absl::StatusOr<v1::ActionReport> Build(grpc::ServerContext& context, const std::string& action,
                                         int year) const;

  const ReportSources& sources_;
  AccessControl& access_;
  const OwnDoor door_;
  const std::chrono::milliseconds max_backend_time_;
};

}  // namespace maillage::gateway
