// HTTP/JSON ⇄ protobuf for one route, driven by descriptors only (no per-method code).
//
// Request: the body (the route's body field, or the whole request for "*") is read as proto3
// JSON, unknown fields refused; path variables then fill their (nested) fields; every other
// field may come from the query string: nested `author.name=x`, repeated `tag=a&tag=b`, enums by
// name, 64-bit integers, booleans, bytes in base64, Timestamp/Duration/FieldMask/wrappers in
// their JSON string form. A PATCH without an explicit update_mask gets the mask of the top-level
// keys of its body. A google.api.HttpBody body field takes the raw body and its content type.
//
// Response: proto3 JSON with lowerCamelCase names and every primitive field emitted, so that
// `false`, `0` and `""` do not vanish; int64 as strings, enums by name.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "services/gateway/routing/path_template.h"
#include "services/gateway/routing/route_table.h"

namespace maillage::gateway {

// The parts of an HTTP request that make the request message.
struct HttpRequestParts {
  const std::vector<VariableBinding>* path_bindings = nullptr;     // from RouteTable::Lookup
  const std::multimap<std::string, std::string>* query = nullptr;  // decoded; may be null
  absl::string_view body;
  absl::string_view content_type;  // for a google.api.HttpBody body field
  // Headers that stand for request fields (AIP-154, RFC 9110): If-Match fills the etag (of the
  // request, else of its body's resource), Idempotency-Key fills request_id. Empty: absent.
  absl::string_view if_match;
  absl::string_view idempotency_key;
};

// The value of an ETag response header for `answer`: its top-level `etag` field quoted as an
// RFC 9110 entity-tag ("\"7\""); empty when it has none (or one that cannot be quoted).
std::string EtagHeaderOf(const google::protobuf::Message& answer);

// A new request message of `route`'s method built from `parts`. INVALID_ARGUMENT with an
// ErrorInfo in domain gateway.maillage and a BadRequest naming the field when: the body is not
// JSON (MALFORMED_JSON) or names an unknown field (UNKNOWN_FIELD) or has a value of the wrong
// type (INVALID_FIELD_VALUE); a path variable does not fit its field (INVALID_PATH_VARIABLE); a
// query parameter names no field, a field set by the path or the body, a map or message field
// (UNKNOWN_QUERY_PARAMETER), has a bad value or repeats a singular field
// (INVALID_QUERY_PARAMETER); a string field of the message built holds invalid UTF-8, e.g. raw
// bytes or a lone surrogate escape in a JSON string (INVALID_FIELD_VALUE, path in proto names);
// an If-Match that is not one entity-tag, or that differs from the etag of the body, or an
// Idempotency-Key that differs from the body's request_id (INVALID_HEADER, field naming the
// header). A PATCH without update_mask gets the mask of the body's top-level keys, less `etag`
// and the fields marked OUTPUT_ONLY or IDENTIFIER.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> TranscodeRequest(
    const Route& route, const HttpRequestParts& parts);

// The request messages of a client-streaming `route` (body "*", no path variables): the body
// is a sequence of JSON objects separated by whitespace (newline-delimited JSON fits), one
// message each; an empty body is an empty stream. INVALID_ARGUMENT as TranscodeRequest when an
// object is malformed or has unknown fields (the field is prefixed with the object's index,
// "[2].title"), and UNKNOWN_QUERY_PARAMETER for any query parameter.
absl::StatusOr<std::vector<std::unique_ptr<google::protobuf::Message>>> TranscodeRequestStream(
    const Route& route, const HttpRequestParts& parts);

// `message` as proto3 JSON (see above); INTERNAL if it cannot be printed (an Any of a type not
// compiled in).
absl::StatusOr<std::string> MessageToJson(const google::protobuf::Message& message);

// true for google.api.HttpBody, whose responses are served raw.
bool IsHttpBody(const google::protobuf::Descriptor* type);

}  // namespace maillage::gateway
