// Update masks (AIP-134), one meaning in every service. What a field is comes from its proto,
// where each resource declares it with google.api.field_behavior:
//   OUTPUT_ONLY, IDENTIFIER   set by the server: never written by an update
//   IMMUTABLE                 set at creation only
//   any other field           writable
// and the field `etag` is the concurrency token (see etag.h), never an update path.
//
//   MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting merged,
//       api::ApplyUpdateMask(current, request.meeting(), request.update_mask(), kDomain));
//
// What `update_mask` means, everywhere:
//   empty           the writable fields populated in the request's resource (a scalar other
//                   than its default or with presence set, a message present, a non-empty list)
//   "*"             every writable field (of a oneof, only the member set in the request)
//   "title", "place.venue"   those fields; fields outside the mask are left as they are
//   an output-only path      ignored (so a client may send back what it read)
//   an immutable path        INVALID_ARGUMENT, field violation on "update_mask" naming it
//   an unknown path          INVALID_ARGUMENT, field violation on "update_mask" naming it
// A message or list named in the mask is replaced as a whole (an unset message clears it), but
// the output-only and immutable parts of a message are kept: "provenance" means its writable
// fields.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/message.h"

namespace maillage::api {

// How an update may touch a field (from its google.api.field_behavior; `etag` is kOutputOnly).
enum class FieldRole { kWritable, kOutputOnly, kImmutable };
FieldRole RoleOf(const google::protobuf::FieldDescriptor& field);

// The mask to apply to a resource of `patch`'s type, every path a writable one (see above).
// INVALID_ARGUMENT (ErrorInfo domain `domain`, one field violation on "update_mask" per bad
// path) for an immutable or unknown path.
absl::StatusOr<google::protobuf::FieldMask> EffectiveUpdateMask(
    const google::protobuf::FieldMask& mask, const google::protobuf::Message& patch,
    absl::string_view domain);

// Copies the fields of `effective` (an EffectiveUpdateMask) from `patch` onto `target`:
// messages and lists replaced, not merged. Both messages have the same type.
void MergeUpdate(const google::protobuf::Message& patch,
                 const google::protobuf::FieldMask& effective, google::protobuf::Message* target);

// `current` with the fields of `mask` taken from `patch`; errors as EffectiveUpdateMask.
template <typename Resource>
absl::StatusOr<Resource> ApplyUpdateMask(const Resource& current, const Resource& patch,
                                         const google::protobuf::FieldMask& mask,
                                         absl::string_view domain) {
  absl::StatusOr<google::protobuf::FieldMask> effective = EffectiveUpdateMask(mask, patch, domain);
  if (!effective.ok()) return effective.status();
  Resource merged = current;
  MergeUpdate(patch, *effective, &merged);
  return merged;
}

// Whether `effective` writes the field `path` or a part of it ("place" covers "place.venue" and
// is covered by it).
bool MaskTouches(const google::protobuf::FieldMask& effective, absl::string_view path);

}  // namespace maillage::api
