// Invalid UTF-8 in proto3 `string` fields, answered as INVALID_ARGUMENT naming the field.
//
// Native gRPC: protobuf refuses to parse a request whose string field holds invalid UTF-8, and
// gRPC would answer INTERNAL before any handler runs. The server interceptor (interceptors.h)
// turns that answer into INVALID_ARGUMENT with a BadRequest naming the field path
// ("actor.display_name"), taken from protobuf's parse diagnostic (captured per thread by
// CaptureUtf8ParseErrors: the synchronous server parses and intercepts on one thread) and
// located in the method's request type. When protobuf names no field of that type (another
// malformation of the wire bytes), the violation names "request".
//
// Messages built from another encoding (the gateway's JSON and query strings) are checked with
// FindInvalidUtf8Field before they are sent.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace maillage::server {

// The path of the first string field (not bytes) of `message`, depth first in field order,
// whose value is not valid UTF-8: "actor.address.lines[1]", "labels[\"k\"]" for a map value;
// "" when every string is valid.
std::string FindInvalidUtf8Field(const google::protobuf::Message& message);

// Installs (once per process) a protobuf log handler that records, for the current thread, the
// field protobuf names when it refuses to parse invalid UTF-8, then passes every message on
// to the handler that was installed before.
void CaptureUtf8ParseErrors();

// The full name ("pkg.Message.field") of the field of the last UTF-8 parse failure on this
// thread, and forgets it; "" when none.
std::string TakeUtf8ParseErrorField();

// The path from `root` to the field `field_full_name` ("maillage.directory.v1.Actor.display_name"
// from CreateActorRequest → "actor.display_name"), breadth first; "" when `root` does not reach
// it (a stale diagnostic of another parse is then not taken for this request's).
std::string FieldPathTo(const google::protobuf::Descriptor* root,
                        absl::string_view field_full_name);

}  // namespace maillage::server
