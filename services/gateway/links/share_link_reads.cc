#include "services/gateway/links/share_link_reads.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/permissions.h"
#include "common/status/errors.h"
#include "maillage/directory/v1/directory_service.pb.h"
#include "maillage/gateway/v1/report_service.pb.h"
#include "maillage/meetings/v1/meetings_service.pb.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {
namespace {

constexpr ShareLinkRead kReads[] = {
    {v1::SHARE_LINK_KIND_ACTION_CALENDAR, "/maillage.meetings.v1.MeetingsService/GetActionCalendar",
     ".ics", "text/calendar; charset=utf-8"},
    {v1::SHARE_LINK_KIND_ACTION_REPORT, "/maillage.gateway.v1.ReportService/GetActionReportPage",
     ".html", "text/html; charset=utf-8"},
    {v1::SHARE_LINK_KIND_DIRECTORY_GEOJSON, "/maillage.directory.v1.DirectoryService/ExportActors",
     ".geojson", "application/geo+json"},
};

constexpr size_t kMaxDescription = 500;
constexpr size_t kMaxFilter = 1000;
constexpr size_t kMaxAction = 80;

// "actions/<letters, digits, - or _>".
bool IsActionName(const std::string& name) {
  if (!absl::StartsWith(name, "actions/") || name.size() > kMaxAction) return false;
  const absl::string_view id = absl::string_view(name).substr(8);
  if (id.empty()) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

}  // namespace

const ShareLinkRead* ReadOfKind(v1::ShareLinkKind kind) {
  for (const ShareLinkRead& read : kReads) {
    if (read.kind == kind) return &read;
  }
  return nullptr;
}

std::unique_ptr<google::protobuf::Message> RequestOf(const v1::ShareLink& link) {
  switch (link.kind()) {
    case v1::SHARE_LINK_KIND_ACTION_CALENDAR: {
      auto request = std::make_unique<meetings::v1::GetActionCalendarRequest>();
      request->set_action(link.action());
      return request;
    }
    case v1::SHARE_LINK_KIND_ACTION_REPORT: {
      auto request = std::make_unique<v1::GetActionReportPageRequest>();
      request->set_action(link.action());
      request->set_year(link.report_year());
      return request;
    }
    case v1::SHARE_LINK_KIND_DIRECTORY_GEOJSON: {
      auto request = std::make_unique<directory::v1::ExportActorsRequest>();
      request->set_format(directory::v1::EXPORT_FORMAT_GEOJSON);
      request->set_filter(link.filter());
      return request;
    }
    default:
      return nullptr;
  }
}

absl::Status ValidateShareLink(const v1::ShareLink& link, absl::Time now) {
  FieldViolations violations;
  const v1::ShareLinkKind kind = link.kind();
  if (ReadOfKind(kind) == nullptr) {
    violations.Add("share_link.kind",
                   "required: SHARE_LINK_KIND_ACTION_CALENDAR, SHARE_LINK_KIND_ACTION_REPORT or "
                   "SHARE_LINK_KIND_DIRECTORY_GEOJSON");
  }
  const bool of_action =
      kind == v1::SHARE_LINK_KIND_ACTION_CALENDAR || kind == v1::SHARE_LINK_KIND_ACTION_REPORT;
  if (of_action && !IsActionName(link.action())) {
    violations.Add("share_link.action", "required: an action's name, e.g. \"actions/1\"");
  } else if (!of_action && !link.action().empty()) {
    violations.Add("share_link.action", "only for the calendar and report links");
  }
  if (kind == v1::SHARE_LINK_KIND_ACTION_REPORT) {
    if (link.report_year() < 2000 || link.report_year() > 2100) {
      violations.Add("share_link.report_year", "required: a year between 2000 and 2100");
    }
  } else if (link.report_year() != 0) {
    violations.Add("share_link.report_year", "only for the report links");
  }
  if (kind != v1::SHARE_LINK_KIND_DIRECTORY_GEOJSON && !link.filter().empty()) {
    violations.Add("share_link.filter", "only for the GeoJSON links");
  } else if (link.filter().size() > kMaxFilter) {
    violations.Add("share_link.filter", absl::StrCat("at most ", kMaxFilter, " characters"));
  }
  if (link.description().size() > kMaxDescription) {
    violations.Add("share_link.description",
                   absl::StrCat("at most ", kMaxDescription, " characters"));
  }
  if (link.has_expire_time()) {
    const absl::Time expire = TimeOf(link.expire_time());
    if (expire <= now) {
      violations.Add("share_link.expire_time", "must be in the future");
    } else if (expire > now + kMaxShareLinkLifetime) {
      violations.Add("share_link.expire_time", "at most 365 days from now");
    }
  }
  if (!violations.empty()) return violations.ToStatus(kGatewayDomain);
  return absl::OkStatus();
}

absl::Status MayGrant(v1::Role role, v1::ShareLinkKind kind) {
  const ShareLinkRead* read = ReadOfKind(kind);
  if (read != nullptr && auth::Allowed(role, read->method) &&
      !auth::CarriesPersonalData(read->method)) {
    return absl::OkStatus();
  }
  const std::string kind_name = v1::ShareLinkKind_Name(kind);
  return PermissionDenied(kGatewayDomain, "SHARE_LINK_NOT_ALLOWED",
                          absl::StrCat("role ", v1::Role_Name(role),
                                       " may not grant the read of a ", kind_name, " link"),
                          {{"role", v1::Role_Name(role)}, {"kind", kind_name}});
}

}  // namespace maillage::gateway
