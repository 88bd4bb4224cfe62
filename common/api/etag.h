// Optimistic concurrency (AIP-154), the same in every service. A resource's etag comes from its
// revision; a write that carries an etag applies only to the version it names.
//
//   MAILLAGE_RETURN_IF_ERROR(api::CheckEtag(request.meeting().etag(), current.etag(),
//                                           current.name(), kDomain));
//
// An empty requested etag skips the check. Over HTTP the gateway also reads it from `If-Match`
// and returns the resource's etag as the `ETag` header.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace maillage::api {

// OK when `requested` is empty or equals `current`; otherwise ABORTED with ErrorInfo reason
// ETAG_MISMATCH in `domain` and metadata {name, requested_etag, current_etag}.
absl::Status CheckEtag(absl::string_view requested, absl::string_view current,
                       absl::string_view name, absl::string_view domain);

}  // namespace maillage::api
