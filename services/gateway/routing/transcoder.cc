// Request building and response printing for HTTP/JSON routes, through reflection only.
#include "services/gateway/routing/transcoder.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/api/update_mask.h"
#include "common/log/log.h"
#include "common/server/utf8_fields.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/gateway/errors/http_errors.h"
#include "services/gateway/routing/field_path.h"
#include "services/gateway/routing/json_printer.h"

namespace maillage::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Where a text value comes from, for the error reason.
enum class Source { kPath, kQuery };

absl::Status BadValue(Source source, absl::string_view field, absl::string_view description) {
  return InvalidRequestField(
      source == Source::kPath ? "INVALID_PATH_VARIABLE" : "INVALID_QUERY_PARAMETER", field,
      description);
}

// The offset of the first byte of `s` that does not start a valid UTF-8 sequence, npos if none.
size_t InvalidUtf8Offset(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t extra;
    uint32_t code;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return i;
    }
    if (i + extra >= s.size()) return i;
    for (size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      code = (code << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return i;
    }
    i += extra + 1;
  }
  return absl::string_view::npos;
}

bool IsValidUtf8(absl::string_view s) { return InvalidUtf8Offset(s) == absl::string_view::npos; }

// Timestamp, Duration and FieldMask: JSON strings in proto3 JSON.
bool HasStringForm(const Descriptor* type) {
  const std::string& name = type->full_name();
  return name == "google.protobuf.Timestamp" || name == "google.protobuf.Duration" ||
         name == "google.protobuf.FieldMask";
}

bool IsWrapper(const Descriptor* type) {
  return type->file()->name() == "google/protobuf/wrappers.proto";
}

// Sets (or appends to, when repeated) the scalar `field` of `message` from `text`.
absl::Status SetScalar(Message& message, const FieldDescriptor& field, absl::string_view text,
                       absl::string_view name, Source source) {
  const Reflection& r = *message.GetReflection();
  const bool add = field.is_repeated();
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(text, &v)) return BadValue(source, name, "not a 32-bit integer");
      add ? r.AddInt32(&message, &field, v) : r.SetInt32(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(text, &v)) return BadValue(source, name, "not a 64-bit integer");
      add ? r.AddInt64(&message, &field, v) : r.SetInt64(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!absl::SimpleAtoi(text, &v) || absl::StartsWith(text, "-")) {
        return BadValue(source, name, "not an unsigned 32-bit integer");
      }
      add ? r.AddUInt32(&message, &field, v) : r.SetUInt32(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(text, &v) || absl::StartsWith(text, "-")) {
        return BadValue(source, name, "not an unsigned 64-bit integer");
      }
      add ? r.AddUInt64(&message, &field, v) : r.SetUInt64(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v;
      if (!absl::SimpleAtod(text, &v)) return BadValue(source, name, "not a number");
      add ? r.AddDouble(&message, &field, v) : r.SetDouble(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      float v;
      if (!absl::SimpleAtof(text, &v)) return BadValue(source, name, "not a number");
      add ? r.AddFloat(&message, &field, v) : r.SetFloat(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (text == "true" || text == "1") {
        v = true;
      } else if (text == "false" || text == "0") {
        v = false;
      } else {
        return BadValue(source, name, "not a boolean (true or false)");
      }
      add ? r.AddBool(&message, &field, v) : r.SetBool(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const google::protobuf::EnumValueDescriptor* value =
          field.enum_type()->FindValueByName(std::string(text));
      int number;
      if (value == nullptr && absl::SimpleAtoi(text, &number)) {
        value = field.enum_type()->FindValueByNumber(number);
      }
      if (value == nullptr) {
        return BadValue(source, name, absl::StrCat("not a value of ", field.enum_type()->name()));
      }
      add ? r.AddEnumValue(&message, &field, value->number())
          : r.SetEnumValue(&message, &field, value->number());
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string v;
      if (field.type() == FieldDescriptor::TYPE_BYTES) {
        if (!absl::Base64Unescape(text, &v) && !absl::WebSafeBase64Unescape(text, &v)) {
          return BadValue(source, name, "not base64");
        }
      } else if (!IsValidUtf8(text)) {
        return BadValue(source, name, "not valid UTF-8");
      } else {
        v = std::string(text);
      }
      add ? r.AddString(&message, &field, std::move(v))
          : r.SetString(&message, &field, std::move(v));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  return BadValue(source, name, "cannot be set from text");
}

// Sets the field at the end of `chain` (from ResolveFieldPath) in `root` from `text`. The last
// field is a scalar, an enum, a wrapper, or a Timestamp/Duration/FieldMask.
absl::Status SetFromText(Message& root, const FieldChain& chain, absl::string_view text,
                         absl::string_view name, Source source) {
  Message* message = &root;
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    message = message->GetReflection()->MutableMessage(message, chain[i]);
  }
  const FieldDescriptor& leaf = *chain.back();
  if (leaf.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    return SetScalar(*message, leaf, text, name, source);
  }
  const Reflection& r = *message->GetReflection();
  Message* target =
      leaf.is_repeated() ? r.AddMessage(message, &leaf) : r.MutableMessage(message, &leaf);
  if (IsWrapper(leaf.message_type())) {
    return SetScalar(*target, *leaf.message_type()->FindFieldByName("value"), text, name, source);
  }
  std::string json;
  log::AppendJsonString(json, text);
  if (!google::protobuf::util::JsonStringToMessage(json, target).ok()) {
    return BadValue(source, name, absl::StrCat("not a valid ", leaf.message_type()->name()));
  }
  return absl::OkStatus();
}

// Why the query cannot set the field at the end of `chain`, or "" when it can.
std::string QueryProblem(const FieldChain& chain) {
  const FieldDescriptor& leaf = *chain.back();
  if (leaf.is_map()) return "a map field cannot be set from the query string";
  if (leaf.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !IsWrapper(leaf.message_type()) &&
      !HasStringForm(leaf.message_type())) {
    return "a message field cannot be set as a whole from the query string";
  }
  return "";
}

std::string ProtoPath(const FieldChain& chain) {
  return absl::StrJoin(chain, ".",
                       [](std::string* out, const FieldDescriptor* f) { out->append(f->name()); });
}

// A JSON parse error of protobuf as an INVALID_ARGUMENT naming the field. Protobuf 3.21 writes
// "(a.b) c: Cannot find field." for an unknown field, "(a.b): invalid value ..." for a value of
// the wrong type, and a message with a caret line for malformed JSON.
absl::Status JsonError(absl::string_view message, absl::string_view prefix) {
  message = message.substr(0, message.find('\n'));
  auto qualified = [&](absl::string_view path) {
    return prefix.empty() ? std::string(path) : absl::StrCat(prefix, ".", path);
  };
  absl::string_view head = message;
  if (absl::ConsumeSuffix(&head, ": Cannot find field.")) {
    std::string path;
    if (absl::ConsumePrefix(&head, "(")) {
      size_t close = head.find(") ");
      if (close != absl::string_view::npos) {
        path = absl::StrCat(head.substr(0, close), ".", head.substr(close + 2));
      }
    } else {
      path = std::string(head);
    }
    if (!path.empty())
      return InvalidRequestField("UNKNOWN_FIELD", qualified(path), "unknown field");
  }
  if (absl::ConsumePrefix(&head, "(")) {
    size_t close = head.find("): ");
    if (close != absl::string_view::npos && close > 0) {
      return InvalidRequestField("INVALID_FIELD_VALUE", qualified(head.substr(0, close)),
                                 head.substr(close + 3));
    }
  }
  return InvalidRequestField("MALFORMED_JSON", prefix.empty() ? "body" : prefix,
                             absl::StrCat("not valid JSON: ", absl::StripAsciiWhitespace(message)));
}

// The JSON path ("book.tags[1]", keys as written) of the string value that holds byte
// `offset` of `json`, for naming the field of a bad byte; "" at the top level or in a key.
std::string JsonPathAt(absl::string_view json, size_t offset) {
  struct Frame {
    bool object;
    bool expecting_key;
    std::string key;
    int index;
  };
  std::vector<Frame> stack;
  auto path = [&] {
    std::string out;
    for (const Frame& f : stack) {
      if (f.object) {
        if (f.expecting_key) return std::string();
        absl::StrAppend(&out, out.empty() ? "" : ".", f.key);
      } else {
        absl::StrAppend(&out, "[", f.index, "]");
      }
    }
    return out;
  };
  for (size_t i = 0; i < json.size() && i <= offset; ++i) {
    char c = json[i];
    if (c == '{' || c == '[') {
      stack.push_back({c == '{', c == '{', "", 0});
    } else if ((c == '}' || c == ']') && !stack.empty()) {
      stack.pop_back();
    } else if (c == ',' && !stack.empty()) {
      stack.back().object ? void(stack.back().expecting_key = true) : void(++stack.back().index);
    } else if (c == ':' && !stack.empty() && stack.back().object) {
      stack.back().expecting_key = false;
    } else if (c == '"') {
      size_t end = i + 1;
      while (end < json.size() && json[end] != '"') end += json[end] == '\\' ? 2 : 1;
      if (offset < end) return path();
      if (!stack.empty() && stack.back().object && stack.back().expecting_key) {
        stack.back().key = std::string(json.substr(i + 1, end - i - 1));
      }
      i = end;
    }
  }
  return "";
}

// The offset of the first \u escape of `json` that is half of a surrogate pair without its
// other half (it would decode to no character), npos if none.
size_t LoneSurrogateOffset(absl::string_view json) {
  auto escape_at = [&](size_t i) -> int {  // the code unit of a \uXXXX at i, or -1
    if (i + 6 > json.size() || json[i] != '\\' || json[i + 1] != 'u') return -1;
    int code = 0;
    for (size_t k = i + 2; k < i + 6; ++k) {
      char c = json[k];
      int digit = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : -1;
      if (digit < 0) return -1;
      code = code * 16 + digit;
    }
    return code;
  };
  for (size_t i = 0; i < json.size(); ++i) {
    if (json[i] != '\\') continue;
    int code = escape_at(i);
    if (code < 0) {
      ++i;  // another escape: skip its character
      continue;
    }
    if (code >= 0xD800 && code <= 0xDBFF) {
      int low = escape_at(i + 6);
      if (low < 0xDC00 || low > 0xDFFF) return i;
      i += 11;
    } else if (code >= 0xDC00 && code <= 0xDFFF) {
      return i;
    } else {
      i += 5;
    }
  }
  return absl::string_view::npos;
}

absl::Status ParseJson(absl::string_view json, Message& target, absl::string_view prefix) {
  // JSON text must be UTF-8 (RFC 8259), and a \u escape of half a surrogate pair decodes to no
  // character: either inside a string names that string's field.
  size_t bad = InvalidUtf8Offset(json);
  if (bad == absl::string_view::npos) bad = LoneSurrogateOffset(json);
  if (bad != absl::string_view::npos) {
    std::string path = JsonPathAt(json, bad);
    std::string field = path.empty()          ? std::string(prefix.empty() ? "body" : prefix)
                        : prefix.empty()      ? path
                        : path.front() == '[' ? absl::StrCat(prefix, path)
                                              : absl::StrCat(prefix, ".", path);
    return InvalidRequestField("INVALID_FIELD_VALUE", field, "not valid UTF-8");
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  google::protobuf::util::Status status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &target, options);
  if (!status.ok()) return JsonError(status.message().ToString(), prefix);
  return absl::OkStatus();
}

void SetHttpBody(Message& http_body, const HttpRequestParts& parts) {
  const Reflection& r = *http_body.GetReflection();
  const Descriptor* type = http_body.GetDescriptor();
  r.SetString(&http_body, type->FindFieldByName("content_type"), std::string(parts.content_type));
  r.SetString(&http_body, type->FindFieldByName("data"), std::string(parts.body));
}

// Fills `request` from the HTTP body according to `route.body`.
absl::Status ApplyBody(const Route& route, const HttpRequestParts& parts, Message& request) {
  if (route.body.empty() || absl::StripAsciiWhitespace(parts.body).empty()) {
    return absl::OkStatus();
  }
  if (route.body == "*") {
    if (IsHttpBody(request.GetDescriptor())) {
      SetHttpBody(request, parts);
      return absl::OkStatus();
    }
    return ParseJson(parts.body, request, "");
  }
  const FieldDescriptor* field = request.GetDescriptor()->FindFieldByName(route.body);
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !field->is_repeated()) {
    Message* target = request.GetReflection()->MutableMessage(&request, field);
    if (IsHttpBody(field->message_type())) {
      SetHttpBody(*target, parts);
      return absl::OkStatus();
    }
    return ParseJson(parts.body, *target, field->name());
  }
  // A scalar or repeated body field: the body is one JSON value, checked as such before it is
  // wrapped as the value of that field, so that it cannot smuggle other fields in.
  google::protobuf::Value value;
  absl::Status single = ParseJson(parts.body, value, field->name());
  if (!single.ok()) return single;
  return ParseJson(absl::StrCat("{\"", field->json_name(), "\":", parts.body, "}"), request, "");
}

absl::Status ApplyQuery(const Route& route, const HttpRequestParts& parts, Message& request,
                        bool& update_mask_given) {
  std::set<std::string> singular_seen;
  for (const auto& [key, value] : *parts.query) {
    if (key.empty()) {  // "?=x": nothing to name but the query string itself
      return InvalidRequestField("UNKNOWN_QUERY_PARAMETER", "query_string",
                                 "a parameter has no name (\"=value\")");
    }
    absl::StatusOr<FieldChain> chain =
        ResolveFieldPath(request.GetDescriptor(), key, /*accept_json_names=*/true);
    if (!chain.ok()) {
      return InvalidRequestField(
          "UNKNOWN_QUERY_PARAMETER", key,
          absl::StrCat("names no field of ", request.GetDescriptor()->full_name()));
    }
    if (route.body == "*") {
      return InvalidRequestField("UNKNOWN_QUERY_PARAMETER", key,
                                 "every field of this request is read from the body");
    }
    const std::string path = ProtoPath(*chain);
    if (!route.body.empty() && chain->front()->name() == route.body) {
      return InvalidRequestField("UNKNOWN_QUERY_PARAMETER", key, "is read from the body");
    }
    for (const VariableBinding& binding : *parts.path_bindings) {
      if (path == binding.field_path || absl::StartsWith(path, binding.field_path + ".") ||
          absl::StartsWith(binding.field_path, path + ".")) {
        return InvalidRequestField("UNKNOWN_QUERY_PARAMETER", key, "is set by the path");
      }
    }
    if (std::string problem = QueryProblem(*chain); !problem.empty()) {
      return InvalidRequestField("UNKNOWN_QUERY_PARAMETER", key, problem);
    }
    if (!chain->back()->is_repeated() && !singular_seen.insert(path).second) {
      return InvalidRequestField("INVALID_QUERY_PARAMETER", key, "given more than once");
    }
    if (chain->size() == 1 && chain->front()->name() == "update_mask") update_mask_given = true;
    absl::Status set = SetFromText(request, *chain, value, key, Source::kQuery);
    if (!set.ok()) return set;
  }
  return absl::OkStatus();
}

// A PATCH without an explicit update_mask updates the top-level fields its body names, less
// the etag and the output-only ones (google.api.field_behavior, see common/api/update_mask.h).
void DeriveUpdateMask(const Route& route, const HttpRequestParts& parts, Message& request) {
  if (route.http_method != "PATCH" || route.body.empty() || route.body == "*") return;
  const Descriptor* type = request.GetDescriptor();
  const FieldDescriptor* mask_field = type->FindFieldByName("update_mask");
  const FieldDescriptor* resource_field = type->FindFieldByName(route.body);
  if (mask_field == nullptr || mask_field->is_repeated() ||
      mask_field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
      mask_field->message_type()->full_name() != "google.protobuf.FieldMask" ||
      resource_field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
      resource_field->is_repeated()) {
    return;
  }
  google::protobuf::Struct keys;
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(parts.body.data(), parts.body.size()), &keys)
           .ok()) {
    return;
  }
  const Descriptor* resource = resource_field->message_type();
  std::vector<const FieldDescriptor*> fields;
  for (const auto& [key, unused] : keys.fields()) {
    const FieldDescriptor* f = resource->FindFieldByName(key);
    if (f == nullptr) f = FindFieldByJsonName(resource, key);
    // Never the etag nor what the server sets: a client may send back what it read.
    if (f != nullptr && api::RoleOf(*f) != api::FieldRole::kOutputOnly) fields.push_back(f);
  }
  std::sort(fields.begin(), fields.end(), [](const FieldDescriptor* a, const FieldDescriptor* b) {
    return a->number() < b->number();
  });
  Message* mask = request.GetReflection()->MutableMessage(&request, mask_field);
  const FieldDescriptor* paths = mask->GetDescriptor()->FindFieldByName("paths");
  for (const FieldDescriptor* f : fields) mask->GetReflection()->AddString(mask, paths, f->name());
}

// The top-level JSON objects of `body`, separated by whitespace. Only their boundaries are
// found here (strings and nesting respected); the parser checks each object afterwards.
absl::StatusOr<std::vector<absl::string_view>> SplitJsonObjects(absl::string_view body) {
  std::vector<absl::string_view> objects;
  size_t i = 0;
  while (true) {
    while (i < body.size() && absl::ascii_isspace(body[i])) ++i;
    if (i == body.size()) return objects;
    if (body[i] != '{') {
      return InvalidRequestField("MALFORMED_JSON", "body",
                                 absl::StrCat("expected a JSON object at offset ", i));
    }
    const size_t start = i;
    int depth = 0;
    bool in_string = false;
    for (; i < body.size(); ++i) {
      const char c = body[i];
      if (in_string) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if ((c == '}' || c == ']') && --depth == 0) {
        ++i;
        break;
      }
    }
    if (depth != 0 || in_string) {
      return InvalidRequestField("MALFORMED_JSON", "body",
                                 absl::StrCat("unterminated JSON object at offset ", start));
    }
    objects.push_back(body.substr(start, i - start));
  }
}

const Message* PrototypeOf(const Descriptor* type) {
  return google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
}

absl::Status NotCompiledIn(const Descriptor* type) {
  return absl::InternalError(absl::StrCat(type->full_name(), " is not a compiled-in message"));
}

// The string field `name` of `request`, or else of the message its body field holds; null
// (and `owner` untouched) when neither has one.
const FieldDescriptor* HeaderTarget(const Route& route, Message& request, const std::string& name,
                                    Message*& owner) {
  owner = &request;
  const FieldDescriptor* field = request.GetDescriptor()->FindFieldByName(name);
  if (field == nullptr && !route.body.empty() && route.body != "*") {
    const FieldDescriptor* body = request.GetDescriptor()->FindFieldByName(route.body);
    if (body != nullptr && body->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        !body->is_repeated() && !IsHttpBody(body->message_type())) {
      owner = request.GetReflection()->MutableMessage(&request, body);
      field = owner->GetDescriptor()->FindFieldByName(name);
    }
  }
  if (field == nullptr || field->is_repeated() ||
      field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
    return nullptr;
  }
  return field;
}

// Sets the field a header stands for; INVALID_HEADER when the body already says otherwise.
absl::Status SetFromHeader(const Route& route, Message& request, const std::string& field_name,
                           const std::string& value, absl::string_view header) {
  Message* owner = nullptr;
  const FieldDescriptor* field = HeaderTarget(route, request, field_name, owner);
  if (field == nullptr) return absl::OkStatus();  // this method has no such field
  const std::string current = owner->GetReflection()->GetString(*owner, field);
  if (!current.empty() && current != value) {
    return InvalidRequestField("INVALID_HEADER", header,
                               absl::StrCat("says \"", value, "\" where the body's ", field_name,
                                            " says \"", current, "\""));
  }
  owner->GetReflection()->SetString(owner, field, value);
  return absl::OkStatus();
}

// If-Match (one entity-tag, strong or weak; "*" means any version) and Idempotency-Key.
absl::Status ApplyHeaders(const Route& route, const HttpRequestParts& parts, Message& request) {
  absl::string_view if_match = absl::StripAsciiWhitespace(parts.if_match);
  if (!if_match.empty() && if_match != "*") {
    absl::string_view tag = if_match;
    absl::ConsumePrefix(&tag, "W/");
    if (tag.size() < 2 || tag.front() != '"' || tag.back() != '"' ||
        tag.substr(1, tag.size() - 2).find('"') != absl::string_view::npos) {
      return InvalidRequestField("INVALID_HEADER", "If-Match",
                                 "one entity-tag in double quotes, as the ETag header gave it");
    }
    absl::Status set = SetFromHeader(route, request, "etag",
                                     std::string(tag.substr(1, tag.size() - 2)), "If-Match");
    if (!set.ok()) return set;
  }
  absl::string_view key = absl::StripAsciiWhitespace(parts.idempotency_key);
  if (!key.empty()) {
    absl::Status set =
        SetFromHeader(route, request, "request_id", std::string(key), "Idempotency-Key");
    if (!set.ok()) return set;
  }
  return absl::OkStatus();
}

}  // namespace

std::string EtagHeaderOf(const Message& answer) {
  const FieldDescriptor* field = answer.GetDescriptor()->FindFieldByName("etag");
  if (field == nullptr || field->is_repeated() ||
      field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
    return "";
  }
  const std::string etag = answer.GetReflection()->GetString(answer, field);
  if (etag.empty()) return "";
  for (char c : etag) {  // etagc of RFC 9110: visible ASCII but the double quote
    if (c == '"' || c < 0x21 || c > 0x7E) return "";
  }
  return absl::StrCat("\"", etag, "\"");
}

bool IsHttpBody(const Descriptor* type) {
  return type != nullptr && type->full_name() == "google.api.HttpBody";
}

absl::StatusOr<std::unique_ptr<Message>> TranscodeRequest(const Route& route,
                                                          const HttpRequestParts& parts) {
  const Message* prototype = PrototypeOf(route.method->input_type());
  if (prototype == nullptr) return NotCompiledIn(route.method->input_type());
  std::unique_ptr<Message> request(prototype->New());

  absl::Status status = ApplyBody(route, parts, *request);
  if (!status.ok()) return status;

  static const std::vector<VariableBinding> kNoBindings;
  HttpRequestParts effective = parts;
  if (effective.path_bindings == nullptr) effective.path_bindings = &kNoBindings;
  for (const VariableBinding& binding : *effective.path_bindings) {
    absl::StatusOr<FieldChain> chain =
        ResolveFieldPath(request->GetDescriptor(), binding.field_path, /*accept_json_names=*/false);
    if (!chain.ok()) return BadValue(Source::kPath, binding.field_path, chain.status().message());
    status = SetFromText(*request, *chain, binding.value, binding.field_path, Source::kPath);
    if (!status.ok()) return status;
  }

  bool update_mask_given = false;
  if (effective.query != nullptr) {
    status = ApplyQuery(route, effective, *request, update_mask_given);
    if (!status.ok()) return status;
  }
  if (!update_mask_given) DeriveUpdateMask(route, effective, *request);
  status = ApplyHeaders(route, effective, *request);
  if (!status.ok()) return status;
  // JSON strings may carry bytes that are not UTF-8 (raw, or lone \uD800 surrogates): refused
  // here, naming the field, rather than by the backend's parser.
  std::string bad_text = server::FindInvalidUtf8Field(*request);
  if (!bad_text.empty()) {
    return InvalidRequestField("INVALID_FIELD_VALUE", bad_text, "not valid UTF-8");
  }
  return request;
}

absl::StatusOr<std::vector<std::unique_ptr<Message>>> TranscodeRequestStream(
    const Route& route, const HttpRequestParts& parts) {
  if (parts.query != nullptr && !parts.query->empty()) {
    const std::string& key = parts.query->begin()->first;
    return InvalidRequestField("UNKNOWN_QUERY_PARAMETER", key.empty() ? "query_string" : key,
                               "a streaming request takes its messages from the body only");
  }
  const Message* prototype = PrototypeOf(route.method->input_type());
  if (prototype == nullptr) return NotCompiledIn(route.method->input_type());
  absl::StatusOr<std::vector<absl::string_view>> objects = SplitJsonObjects(parts.body);
  if (!objects.ok()) return objects.status();
  std::vector<std::unique_ptr<Message>> requests;
  for (size_t i = 0; i < objects->size(); ++i) {
    requests.emplace_back(prototype->New());
    absl::Status parsed = ParseJson((*objects)[i], *requests.back(), absl::StrCat("[", i, "]"));
    if (!parsed.ok()) return parsed;
    std::string bad_text = server::FindInvalidUtf8Field(*requests.back());
    if (!bad_text.empty()) {
      return InvalidRequestField("INVALID_FIELD_VALUE", absl::StrCat("[", i, "].", bad_text),
                                 "not valid UTF-8");
    }
  }
  return requests;
}

absl::StatusOr<std::string> MessageToJson(const Message& message) {
  std::string json;
  if (PrintProto3Json(message, json)) return json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  google::protobuf::util::Status status =
      google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot print ", message.GetDescriptor()->full_name(),
                                            " as JSON: ", status.message().ToString()));
  }
  return out;
}

}  // namespace maillage::gateway
