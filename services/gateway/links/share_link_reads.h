// The one read each kind of share link grants: the gRPC method it calls, the request it sends,
// the extension of its URL and the content type of its answer.
//
//   const ShareLinkRead* read = ReadOfKind(link.kind());  // nullptr for UNSPECIFIED
//   std::unique_ptr<google::protobuf::Message> request = RequestOf(link);
//   backend call of read->method with *request ...
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "maillage/gateway/v1/share_link.pb.h"

namespace maillage::gateway {

struct ShareLinkRead {
  v1::ShareLinkKind kind;
  const char* method;        // "/maillage.meetings.v1.MeetingsService/GetActionCalendar"
  const char* extension;     // ".ics", after the token in the URL
  const char* content_type;  // of the answer
};

// The read of `kind`, or nullptr for a kind that is none.
const ShareLinkRead* ReadOfKind(v1::ShareLinkKind kind);

// The request message of `link`'s read (GetActionCalendarRequest with its action,
// GetActionReportPageRequest with action and year, ExportActorsRequest GEOJSON with the filter).
std::unique_ptr<google::protobuf::Message> RequestOf(const v1::ShareLink& link);

// How long a link lasts when its issuer does not say, and the longest it may.
inline constexpr absl::Duration kDefaultShareLinkLifetime = absl::Hours(24 * 30);
inline constexpr absl::Duration kMaxShareLinkLifetime = absl::Hours(24 * 365);

// OK when `link` (kind, action, report_year, filter, description, expire_time) may be issued at
// `now`: INVALID_ARGUMENT with one field violation per bad field (`share_link.` + field).
absl::Status ValidateShareLink(const v1::ShareLink& link, absl::Time now);

// OK when `role` may grant `link`'s read: the permission table lets it call the method and the
// method's answer carries no personal data; PERMISSION_DENIED (SHARE_LINK_NOT_ALLOWED)
// otherwise.
absl::Status MayGrant(v1::Role role, v1::ShareLinkKind kind);

}  // namespace maillage::gateway
