// OpenAPI 3.0.3 document of the gateway: path templates → OpenAPI paths, descriptors → proto3
// JSON schemas.
#include "services/gateway/docs/openapi.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/api/field_behavior.pb.h"
#include "google/protobuf/descriptor.pb.h"
#include "nlohmann/json.hpp"
#include "services/gateway/docs/contract.h"
#include "services/gateway/routing/transcoder.h"
#include "services/gateway/routing/upload_routes.h"

namespace maillage::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;
using nlohmann::json;

constexpr char kSchemaRefPrefix[] = "#/components/schemas/";
constexpr char kErrorSchema[] = "Error";
constexpr int kMaxQueryDepth = 3;    // levels of nested messages offered as `a.b.c` parameters
constexpr int kMaxExampleDepth = 3;  // levels of nested messages filled in examples

// A path parameter of an OpenAPI path.
struct PathParameter {
  std::string name;
  std::string description;
  const FieldDescriptor* field = nullptr;  // the field it fills alone, when it fills one alone
};

struct ConvertedPath {
  std::string path;
  std::vector<PathParameter> parameters;
};

// The field at dotted proto `field_path` from `type`, or null.
const FieldDescriptor* FieldAt(const Descriptor* type, absl::string_view field_path) {
  const FieldDescriptor* field = nullptr;
  for (absl::string_view part : absl::StrSplit(field_path, '.')) {
    if (type == nullptr) return nullptr;
    field = type->FindFieldByName(std::string(part));
    if (field == nullptr) return nullptr;
    type = field->message_type();
  }
  return field;
}

// "actor.display_name" in JSON names: "actor.displayName".
std::string JsonFieldPath(const Descriptor* type, absl::string_view field_path) {
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(field_path, '.')) {
    const FieldDescriptor* field =
        type == nullptr ? nullptr : type->FindFieldByName(std::string(part));
    parts.push_back(field == nullptr ? std::string(part) : field->json_name());
    type = field == nullptr ? nullptr : field->message_type();
  }
  return absl::StrJoin(parts, ".");
}

ConvertedPath ConvertPath(const PathTemplate& path, const Descriptor* request) {
  using Kind = PathTemplate::SegmentKind;
  const std::vector<PathTemplate::Segment>& segments = path.segments();
  std::vector<const PathTemplate::Variable*> variable_of(segments.size(), nullptr);
  for (const PathTemplate::Variable& v : path.variables()) {
    for (size_t i = v.begin; i < v.end && i < segments.size(); ++i) variable_of[i] = &v;
  }
  // First the OpenAPI form of every segment, then the parameters that describe them.
  std::map<std::string, int> uses;
  std::vector<std::string> parts(segments.size());
  for (size_t i = 0; i < segments.size(); ++i) {
    const PathTemplate::Segment& segment = segments[i];
    if (segment.kind == Kind::kLiteral) {
      parts[i] = segment.literal;
      continue;
    }
    const PathTemplate::Variable* variable = variable_of[i];
    const bool previous_is_literal = i > 0 && segments[i - 1].kind == Kind::kLiteral;
    std::string base;
    if (variable != nullptr && variable->end - variable->begin == 1 &&
        segment.kind == Kind::kWildcard) {
      base = JsonFieldPath(request, variable->field_path);
    } else if (previous_is_literal) {
      base = segments[i - 1].literal + (segment.kind == Kind::kWildcard ? "Id" : "Path");
    } else if (variable != nullptr) {
      base = JsonFieldPath(request, variable->field_path) +
             (segment.kind == Kind::kWildcard ? "Id" : "Path");
    } else {
      base = "segment";
    }
    const int n = ++uses[base];
    parts[i] = absl::StrCat("{", n == 1 ? base : absl::StrCat(base, n), "}");
  }
  ConvertedPath converted;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (segments[i].kind == Kind::kLiteral) continue;
    const PathTemplate::Variable* variable = variable_of[i];
    PathParameter parameter;
    parameter.name = parts[i].substr(1, parts[i].size() - 2);
    if (variable == nullptr) {
      parameter.description = "A path segment matched by the route and not used by the method.";
    } else {
      const std::string field = JsonFieldPath(request, variable->field_path);
      if (variable->end - variable->begin == 1 && segments[i].kind == Kind::kWildcard) {
        parameter.field = FieldAt(request, variable->field_path);
        parameter.description = absl::StrCat("Fills `", field, "`.");
      } else {
        std::vector<std::string> pattern(parts.begin() + variable->begin,
                                         parts.begin() + variable->end);
        parameter.description =
            absl::StrCat("Part of `", field, "`, which is `", absl::StrJoin(pattern, "/"), "`.");
        if (segments[i].kind == Kind::kDoubleWildcard) {
          absl::StrAppend(&parameter.description, " This part may span several segments.");
        }
      }
    }
    converted.parameters.push_back(std::move(parameter));
  }
  converted.path = absl::StrCat("/", absl::StrJoin(parts, "/"));
  if (!path.verb().empty()) absl::StrAppend(&converted.path, ":", path.verb());
  return converted;
}

bool HasBehavior(const FieldDescriptor* field, google::api::FieldBehavior behavior) {
  const auto& options = field->options();
  for (int i = 0; i < options.ExtensionSize(google::api::field_behavior); ++i) {
    if (options.GetExtension(google::api::field_behavior, i) == behavior) return true;
  }
  return false;
}

// The JSON schema of a well-known type that has its own JSON form, or null.
json WellKnownSchema(const Descriptor* type) {
  const std::string& name = type->full_name();
  auto nullable = [](json schema) {
    schema["nullable"] = true;
    return schema;
  };
  if (name == "google.protobuf.Timestamp") {
    return {{"type", "string"}, {"format", "date-time"}, {"example", "2024-05-17T09:30:00Z"}};
  }
  if (name == "google.protobuf.Duration") {
    return {{"type", "string"},
            {"pattern", "^-?[0-9]+(\\.[0-9]{1,9})?s$"},
            {"example", "1.5s"},
            {"description", "A duration in seconds with an `s` suffix."}};
  }
  if (name == "google.protobuf.FieldMask") {
    return {{"type", "string"},
            {"example", "displayName,address.city"},
            {"description", "Comma-separated lowerCamelCase field paths."}};
  }
  if (name == "google.protobuf.Struct") {
    return {{"type", "object"}, {"additionalProperties", true}};
  }
  if (name == "google.protobuf.Value") return {{"description", "Any JSON value."}};
  if (name == "google.protobuf.ListValue") {
    return {{"type", "array"}, {"items", json::object()}};
  }
  if (name == "google.protobuf.Any") {
    return {{"type", "object"},
            {"properties", {{"@type", {{"type", "string"}}}}},
            {"required", json::array({"@type"})},
            {"additionalProperties", true}};
  }
  if (name == "google.protobuf.Empty") return {{"type", "object"}};
  if (name == "google.protobuf.Int64Value" || name == "google.protobuf.UInt64Value") {
    return nullable({{"type", "string"}, {"format", "int64"}});
  }
  if (name == "google.protobuf.Int32Value") {
    return nullable({{"type", "integer"}, {"format", "int32"}});
  }
  if (name == "google.protobuf.UInt32Value") {
    return nullable({{"type", "integer"}, {"format", "int64"}, {"minimum", 0}});
  }
  if (name == "google.protobuf.DoubleValue") {
    return nullable({{"type", "number"}, {"format", "double"}});
  }
  if (name == "google.protobuf.FloatValue") {
    return nullable({{"type", "number"}, {"format", "float"}});
  }
  if (name == "google.protobuf.BoolValue") return nullable({{"type", "boolean"}});
  if (name == "google.protobuf.StringValue") return nullable({{"type", "string"}});
  if (name == "google.protobuf.BytesValue") {
    return nullable({{"type", "string"}, {"format", "byte"}});
  }
  return nullptr;
}

// Well-known types that a query parameter can carry in their JSON string form.
bool IsQueryScalarMessage(const Descriptor* type) {
  const std::string& name = type->full_name();
  return name == "google.protobuf.Timestamp" || name == "google.protobuf.Duration" ||
         name == "google.protobuf.FieldMask" ||
         (absl::StartsWith(name, "google.protobuf.") && absl::EndsWith(name, "Value") &&
          name != "google.protobuf.Value" && name != "google.protobuf.ListValue");
}

json RawContent() { return {{"schema", {{"type", "string"}, {"format", "binary"}}}}; }

// The schemas of the messages and enums the operations use, named once every type is known.
class SchemaCatalog {
 public:
  explicit SchemaCatalog(const ContractComments& comments) : comments_(comments) {}

  const ContractComments& comments() const { return comments_; }
  // Records `type` and every message and enum reachable from its fields.
  void Collect(const Descriptor* type) {
    if (WellKnownSchema(type) != nullptr || !messages_.insert(type).second) return;
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (field->is_map()) field = field->message_type()->map_value();
      if (field->message_type() != nullptr) Collect(field->message_type());
      if (field->enum_type() != nullptr) enums_.insert(field->enum_type());
    }
  }

  // Gives every collected type its component name: its name within its package
  // ("Actor", "Actor.Kind"), or its full name when two packages share that name.
  void AssignNames() {
    std::map<std::string, int> count = {{kErrorSchema, 1}};
    auto relative = [](const std::string& full_name, const std::string& package) {
      return package.empty() ? full_name : full_name.substr(package.size() + 1);
    };
    for (const Descriptor* m : messages_) ++count[relative(m->full_name(), m->file()->package())];
    for (const EnumDescriptor* e : enums_) ++count[relative(e->full_name(), e->file()->package())];
    auto name = [&](const std::string& full_name, const std::string& package) {
      std::string short_name = relative(full_name, package);
      return count[short_name] == 1 ? short_name : full_name;
    };
    for (const Descriptor* m : messages_) {
      names_[m->full_name()] = name(m->full_name(), m->file()->package());
    }
    for (const EnumDescriptor* e : enums_) {
      names_[e->full_name()] = name(e->full_name(), e->file()->package());
    }
  }

  // A schema for a value of `type`: a reference to its component, or its well-known form.
  json MessageSchema(const Descriptor* type) const {
    json well_known = WellKnownSchema(type);
    if (well_known != nullptr) return well_known;
    return Ref(type->full_name());
  }

  // The schema of one value of `field` (ignoring repetition).
  json ValueSchema(const FieldDescriptor* field) const {
    switch (field->type()) {
      case FieldDescriptor::TYPE_INT64:
      case FieldDescriptor::TYPE_SINT64:
      case FieldDescriptor::TYPE_SFIXED64:
        return {{"type", "string"}, {"format", "int64"}};
      case FieldDescriptor::TYPE_UINT64:
      case FieldDescriptor::TYPE_FIXED64:
        return {{"type", "string"}, {"format", "uint64"}};
      case FieldDescriptor::TYPE_INT32:
      case FieldDescriptor::TYPE_SINT32:
      case FieldDescriptor::TYPE_SFIXED32:
        return {{"type", "integer"}, {"format", "int32"}};
      case FieldDescriptor::TYPE_UINT32:
      case FieldDescriptor::TYPE_FIXED32:
        return {{"type", "integer"}, {"format", "int64"}, {"minimum", 0}};
      case FieldDescriptor::TYPE_DOUBLE:
        return {{"type", "number"}, {"format", "double"}};
      case FieldDescriptor::TYPE_FLOAT:
        return {{"type", "number"}, {"format", "float"}};
      case FieldDescriptor::TYPE_BOOL:
        return {{"type", "boolean"}};
      case FieldDescriptor::TYPE_STRING:
        return {{"type", "string"}};
      case FieldDescriptor::TYPE_BYTES:
        return {{"type", "string"}, {"format", "byte"}};
      case FieldDescriptor::TYPE_ENUM:
        return Ref(field->enum_type()->full_name());
      case FieldDescriptor::TYPE_MESSAGE:
      case FieldDescriptor::TYPE_GROUP:
        return MessageSchema(field->message_type());
    }
    return json::object();
  }

  // The schema of `field` with its repetition, map form and behaviours.
  json FieldSchema(const FieldDescriptor* field) const {
    json schema;
    if (field->is_map()) {
      schema = {{"type", "object"},
                {"additionalProperties", ValueSchema(field->message_type()->map_value())}};
    } else if (field->is_repeated()) {
      schema = {{"type", "array"}, {"items", ValueSchema(field)}};
    } else {
      schema = ValueSchema(field);
    }
    std::vector<std::string> notes;
    if (std::string comment = comments_.Of(field); !comment.empty()) notes.push_back(comment);
    if (const auto* oneof = field->containing_oneof(); oneof != nullptr && !oneof->is_synthetic()) {
      std::vector<std::string> members;
      for (int i = 0; i < oneof->field_count(); ++i) {
        members.push_back(oneof->field(i)->json_name());
      }
      notes.push_back(absl::StrCat("Member of oneof `", oneof->name(), "`: at most one of ",
                                   absl::StrJoin(members, ", "), " is set."));
    }
    if (HasBehavior(field, google::api::IMMUTABLE)) {
      notes.push_back("Immutable: set at creation only.");
    }
    const bool output_only = HasBehavior(field, google::api::OUTPUT_ONLY);
    if (notes.empty() && !output_only) return schema;
    // Siblings of a $ref are ignored in OpenAPI 3.0: wrap it.
    if (schema.contains("$ref")) schema = {{"allOf", json::array({schema})}};
    if (output_only) schema["readOnly"] = true;
    if (!notes.empty()) {
      std::string description = absl::StrJoin(notes, " ");
      if (schema.contains("description")) {
        description = absl::StrCat(schema["description"].get<std::string>(), " ", description);
      }
      schema["description"] = description;
    }
    return schema;
  }

  // components/schemas: every collected type, and the error envelope.
  json Components() const {
    json schemas = json::object();
    for (const Descriptor* m : messages_) schemas[names_.at(m->full_name())] = Message(m);
    for (const EnumDescriptor* e : enums_) {
      json values = json::array();
      for (int i = 0; i < e->value_count(); ++i) values.push_back(e->value(i)->name());
      std::string description = comments_.Of(e);
      if (!description.empty()) absl::StrAppend(&description, "\n\n");
      absl::StrAppend(&description, "`", e->full_name(), "`.");
      for (int i = 0; i < e->value_count(); ++i) {
        std::string value_comment = comments_.Of(e->value(i));
        if (value_comment.empty()) continue;
        absl::StrAppend(&description, "\n- `", e->value(i)->name(), "`: ", value_comment);
      }
      schemas[names_.at(e->full_name())] = {
          {"type", "string"}, {"enum", values}, {"description", description}};
    }
    schemas[kErrorSchema] = ErrorEnvelope();
    return schemas;
  }

 private:
  json Ref(const std::string& full_name) const {
    return {{"$ref", absl::StrCat(kSchemaRefPrefix, names_.at(full_name))}};
  }

  json Message(const Descriptor* type) const {
    json properties = json::object();
    json required = json::array();
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      properties[field->json_name()] = FieldSchema(field);
      if (HasBehavior(field, google::api::REQUIRED)) required.push_back(field->json_name());
    }
    json schema = {{"type", "object"}, {"properties", properties}};
    std::string description = comments_.Of(type);
    if (!description.empty()) absl::StrAppend(&description, "\n\n");
    absl::StrAppend(&description, "`", type->full_name(), "`.");
    for (int i = 0; i < type->oneof_decl_count(); ++i) {
      const auto* oneof = type->oneof_decl(i);
      if (oneof->is_synthetic()) continue;
      std::vector<std::string> members;
      for (int k = 0; k < oneof->field_count(); ++k) {
        members.push_back(oneof->field(k)->json_name());
      }
      absl::StrAppend(&description, "\n\nOneof `", oneof->name(), "`: at most one of ",
                      absl::StrJoin(members, ", "), ".");
    }
    schema["description"] = description;
    if (!required.empty()) schema["required"] = required;
    return schema;
  }

  static json ErrorEnvelope() {
    json detail = {{"type", "object"},
                   {"properties", {{"@type", {{"type", "string"}}}}},
                   {"required", json::array({"@type"})},
                   {"additionalProperties", true},
                   {"description",
                    "A google.rpc detail (ErrorInfo, BadRequest, PreconditionFailure, RetryInfo, "
                    "...) in proto3 JSON with its `@type`."}};
    json error = {
        {"type", "object"},
        {"required", json::array({"code", "message", "status"})},
        {"properties",
         {{"code", {{"type", "integer"}, {"format", "int32"}, {"description", "HTTP status."}}},
          {"message", {{"type", "string"}}},
          {"status",
           {{"type", "string"}, {"description", "google.rpc.Code name, e.g. NOT_FOUND."}}},
          {"details", {{"type", "array"}, {"items", detail}}}}}};
    return {{"type", "object"},
            {"required", json::array({"error"})},
            {"properties", {{"error", error}}},
            {"description", "The AIP-193 error envelope of every failed request."}};
  }

  std::set<const Descriptor*, bool (*)(const Descriptor*, const Descriptor*)> messages_{
      [](const Descriptor* a, const Descriptor* b) { return a->full_name() < b->full_name(); }};
  std::set<const EnumDescriptor*, bool (*)(const EnumDescriptor*, const EnumDescriptor*)> enums_{
      [](const EnumDescriptor* a, const EnumDescriptor* b) {
        return a->full_name() < b->full_name();
      }};
  std::map<std::string, std::string> names_;  // full name → component name
  const ContractComments& comments_;
};

// Query parameters for the fields of `type` under `proto_prefix` not in `bound`.
void AddQueryParameters(const SchemaCatalog& catalog, const Descriptor* type,
                        const std::string& proto_prefix, const std::string& json_prefix,
                        const std::set<std::string>& bound, std::vector<const Descriptor*>& stack,
                        json& parameters) {
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    const std::string proto_path = proto_prefix + field->name();
    const std::string json_path = json_prefix + field->json_name();
    if (bound.count(proto_path) > 0 || field->is_map()) continue;
    const Descriptor* message = field->message_type();
    if (message != nullptr && !IsQueryScalarMessage(message)) {
      const bool on_stack = std::find(stack.begin(), stack.end(), message) != stack.end();
      if (field->is_repeated() || WellKnownSchema(message) != nullptr || on_stack ||
          static_cast<int>(stack.size()) >= kMaxQueryDepth) {
        continue;
      }
      stack.push_back(message);
      AddQueryParameters(catalog, message, proto_path + ".", json_path + ".", bound, stack,
                         parameters);
      stack.pop_back();
      continue;
    }
    json parameter = {{"name", json_path}, {"in", "query"}, {"required", false}};
    if (field->is_repeated()) {
      parameter["schema"] = {{"type", "array"}, {"items", catalog.ValueSchema(field)}};
      parameter["style"] = "form";
      parameter["explode"] = true;
    } else {
      parameter["schema"] = catalog.ValueSchema(field);
    }
    std::string description = catalog.comments().Of(field);
    if (HasBehavior(field, google::api::REQUIRED)) {
      description = description.empty() ? "Required." : absl::StrCat("Required. ", description);
    }
    if (!description.empty()) parameter["description"] = description;
    parameters.push_back(parameter);
  }
}

// The first sentence of `comment` (up to ". " or the end of its first paragraph).
std::string FirstSentence(const std::string& comment) {
  std::string paragraph = comment.substr(0, comment.find("\n\n"));
  size_t end = paragraph.find(". ");
  size_t newline_end = paragraph.find(".\n");
  end = std::min(end, newline_end);
  std::string sentence = end == std::string::npos ? paragraph : paragraph.substr(0, end + 1);
  std::replace(sentence.begin(), sentence.end(), '\n', ' ');
  return sentence;
}

// The google.rpc.Code names and their HTTP statuses, in the order of code.proto.
constexpr std::pair<const char*, int> kCodes[] = {{"CANCELLED", 499},
                                                  {"UNKNOWN", 500},
                                                  {"INVALID_ARGUMENT", 400},
                                                  {"DEADLINE_EXCEEDED", 504},
                                                  {"NOT_FOUND", 404},
                                                  {"ALREADY_EXISTS", 409},
                                                  {"PERMISSION_DENIED", 403},
                                                  {"RESOURCE_EXHAUSTED", 429},
                                                  {"FAILED_PRECONDITION", 400},
                                                  {"ABORTED", 409},
                                                  {"OUT_OF_RANGE", 400},
                                                  {"UNIMPLEMENTED", 501},
                                                  {"INTERNAL", 500},
                                                  {"UNAVAILABLE", 503},
                                                  {"DATA_LOSS", 500},
                                                  {"UNAUTHENTICATED", 401}};

// The error answers of every API call, whatever the method: the gateway's own (key, permission,
// rate limits, request) and a backend that cannot be reached.
const std::vector<std::pair<std::string, std::string>>& CommonErrors() {
  static const auto* const errors = new std::vector<std::pair<std::string, std::string>>{
      {"INVALID_ARGUMENT",
       "`MALFORMED_JSON`, `UNKNOWN_FIELD`, `INVALID_FIELD_VALUE`, `UNKNOWN_QUERY_PARAMETER`, "
       "`INVALID_QUERY_PARAMETER`, `INVALID_HEADER`, `INVALID_PATH_VARIABLE`, "
       "`INVALID_REQUEST_TIMEOUT` (domain gateway.maillage)"},
      {"UNAUTHENTICATED",
       "`API_KEY_MISSING`, `API_KEY_INVALID`, `API_KEY_REVOKED`, `API_KEY_EXPIRED`"},
      {"PERMISSION_DENIED", "`PERMISSION_DENIED`: the key's role may not call this method"},
      {"RESOURCE_EXHAUSTED",
       "`RATE_LIMITED`, `TOO_MANY_AUTHENTICATION_ATTEMPTS` (with a `Retry-After` header)"},
      {"UNAVAILABLE", "the service behind the gateway cannot be reached; retry later"},
      {"DEADLINE_EXCEEDED", "the call did not end within its deadline"},
  };
  return *errors;
}

// Whether `word` occurs in `text` as a whole UPPER_SNAKE_CASE word.
bool HasWord(const std::string& text, const std::string& word) {
  auto is_word_char = [](char c) {
    return absl::ascii_isupper(c) || absl::ascii_isdigit(c) || c == '_';
  };
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const size_t end = at + word.size();
    if ((at == 0 || !is_word_char(text[at - 1])) &&
        (end == text.size() || !is_word_char(text[end]))) {
      return true;
    }
  }
  return false;
}

// The UPPER_SNAKE_CASE words of `text` that are ErrorInfo reasons, i.e. contain an underscore
// and are not a code name nor an enum value of the request or response (e.g.
// ACTOR_ALREADY_EXISTS), in order of appearance, once each.
std::vector<std::string> ReasonsIn(const std::string& text,
                                   const std::set<std::string>& not_reasons) {
  std::vector<std::string> reasons;
  size_t i = 0;
  while (i < text.size()) {
    if (!absl::ascii_isupper(text[i]) ||
        (i > 0 && (absl::ascii_isalnum(text[i - 1]) || text[i - 1] == '_' || text[i - 1] == '.'))) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() &&
           (absl::ascii_isupper(text[end]) || absl::ascii_isdigit(text[end]) || text[end] == '_')) {
      ++end;
    }
    const bool followed = end < text.size() && (absl::ascii_islower(text[end]) || text[end] == '.');
    std::string word = text.substr(i, end - i);
    i = end;
    if (followed || word.find('_') == std::string::npos || word.back() == '_') continue;
    bool is_code = false;
    for (const auto& [code, http] : kCodes) is_code = is_code || word == code;
    if (is_code || not_reasons.count(word) > 0) continue;
    if (std::find(reasons.begin(), reasons.end(), word) == reasons.end()) reasons.push_back(word);
  }
  return reasons;
}

// Enum value names reachable from `type` (so that ACTOR_STATE_ACTIVE is not taken for a reason).
void CollectEnumValueNames(const Descriptor* type, std::set<const Descriptor*>& seen,
                           std::set<std::string>& names) {
  if (!seen.insert(type).second) return;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (field->enum_type() != nullptr) {
      for (int k = 0; k < field->enum_type()->value_count(); ++k) {
        const std::string& name = field->enum_type()->value(k)->name();
        names.insert(name);
        // Without the enum's prefix too (ACTIVE for ACTOR_STATE_ACTIVE).
        size_t cut = 0;
        while ((cut = name.find('_', cut + 1)) != std::string::npos)
          names.insert(name.substr(cut + 1));
      }
    }
    if (field->message_type() != nullptr) CollectEnumValueNames(field->message_type(), seen, names);
  }
}

// The responses of an operation for its errors: one per HTTP status, saying which codes and
// reasons the method's comment names for it, and the gateway's own ones. Every one refers to
// the Error envelope.
json ErrorResponses(const std::string& comment) {
  std::map<int, std::vector<std::string>> lines;  // HTTP status → description lines
  for (const auto& [code, http] : kCodes) {
    if (HasWord(comment, code))
      lines[http].push_back(absl::StrCat("`", code, "`: as the operation's description says."));
  }
  for (const auto& [code, text] : CommonErrors()) {
    for (const auto& [name, http] : kCodes) {
      if (code == name) lines[http].push_back(absl::StrCat("`", code, "` (any method): ", text));
    }
  }
  json responses = json::object();
  for (const auto& [http, text] : lines) {
    responses[std::to_string(http)] = {
        {"description", absl::StrJoin(text, "\n\n")},
        {"content",
         {{"application/json",
           {{"schema", {{"$ref", absl::StrCat(kSchemaRefPrefix, kErrorSchema)}}}}}}}};
  }
  return responses;
}

// An example value of `field` (one value, ignoring repetition): the first `e.g. "..."` or
// `e.g. `...`` of its comment for a string, else a value of its type.
// A request example leaves out output-only fields.
json ExampleValue(const SchemaCatalog& catalog, const FieldDescriptor* field, int depth,
                  bool request);

json ExampleMessage(const SchemaCatalog& catalog, const Descriptor* type, int depth, bool request) {
  const std::string& name = type->full_name();
  if (name == "google.protobuf.Timestamp") return "2024-05-17T09:30:00Z";
  if (name == "google.protobuf.Duration") return "1.5s";
  if (name == "google.protobuf.FieldMask") return "displayName";
  if (name == "google.type.Date") return {{"year", 2024}, {"month", 5}, {"day", 17}};
  if (IsHttpBody(type)) return {{"contentType", "text/csv"}, {"data", ""}};
  if (WellKnownSchema(type) != nullptr) return json::object();
  json example = json::object();
  if (depth >= kMaxExampleDepth) return example;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (field->containing_oneof() != nullptr && !field->containing_oneof()->is_synthetic() &&
        field->index_in_oneof() > 0) {
      continue;  // one member of a oneof
    }
    if (request && HasBehavior(field, google::api::OUTPUT_ONLY)) continue;
    if (field->is_map()) {
      example[field->json_name()] = {
          {"key", ExampleValue(catalog, field->message_type()->map_value(), depth + 1, request)}};
    } else if (field->is_repeated()) {
      example[field->json_name()] = json::array({ExampleValue(catalog, field, depth + 1, request)});
    } else {
      example[field->json_name()] = ExampleValue(catalog, field, depth + 1, request);
    }
  }
  return example;
}

json ExampleValue(const SchemaCatalog& catalog, const FieldDescriptor* field, int depth,
                  bool request) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return ExampleMessage(catalog, field->message_type(), depth, request);
    case FieldDescriptor::CPPTYPE_ENUM: {
      const EnumDescriptor* type = field->enum_type();
      return type->value(type->value_count() > 1 ? 1 : 0)->name();
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      return false;
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT64:
      return "0";
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_UINT32:
      return 0;
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      return 0.0;
    case FieldDescriptor::CPPTYPE_STRING:
      break;
  }
  if (field->type() == FieldDescriptor::TYPE_BYTES) return "";
  const std::string comment = catalog.comments().Of(field);
  for (const char* marker : {"e.g. \"", "e.g. `", "Example: `"}) {
    const size_t at = comment.find(marker);
    if (at == std::string::npos) continue;
    const size_t begin = at + std::char_traits<char>::length(marker);
    const size_t end = comment.find(marker[std::char_traits<char>::length(marker) - 1], begin);
    if (end != std::string::npos && end > begin) return comment.substr(begin, end - begin);
  }
  return field->name() == "name" ? "" : "string";
}

json Operation(const Route& route, const ConvertedPath& path, const SchemaCatalog& catalog,
               const std::string& operation_id) {
  const MethodDescriptor* method = route.method;
  const Descriptor* request = method->input_type();
  json operation;
  operation["operationId"] = operation_id;
  operation["tags"] = json::array({method->service()->name()});
  const std::string comment = catalog.comments().Of(method);
  operation["summary"] = comment.empty() ? method->name() : FirstSentence(comment);
  std::string description = comment.empty() ? "" : absl::StrCat(comment, "\n\n");
  absl::StrAppend(&description, "gRPC: `", route.grpc_method, "`.");
  if (method->client_streaming()) {
    absl::StrAppend(&description,
                    " Client stream: the body is a sequence of JSON objects separated by "
                    "whitespace (newline-delimited JSON fits), one request message each.");
  }
  if (const UploadRoute* upload = FindUploadRoute(route.grpc_method); upload != nullptr) {
    absl::StrAppend(
        &description, " Raw file: the body may be the file itself (Content-Type ",
        absl::StrJoin(upload->media_types, " or "),
        upload->utf8_only ? ", charset utf-8" : ", charset utf-8 or windows-1252; absent: detected",
        "), at most ", upload->max_bytes,
        " bytes (413 BODY_TOO_LARGE past it, 415 for another "
        "type), the other fields of the request in the query string (lowerCamelCase",
        upload->options_field.empty()
            ? ""
            : absl::StrCat(", the fields of `", upload->options_field,
                           "`, a date as YYYY-MM-DD; the file is streamed to the service as it "
                           "arrives"),
        ").");
  }
  if (method->server_streaming()) {
    absl::StrAppend(&description,
                    " Server stream: the response is sent chunked, "
                    "google.api.HttpBody chunks raw, other messages as newline-delimited JSON.");
  }
  std::set<std::string> not_reasons;
  std::set<const Descriptor*> seen;
  CollectEnumValueNames(method->input_type(), seen, not_reasons);
  CollectEnumValueNames(method->output_type(), seen, not_reasons);
  const std::vector<std::string> reasons = ReasonsIn(comment, not_reasons);
  if (!reasons.empty()) {
    absl::StrAppend(&description, "\n\nErrorInfo reasons named above: `",
                    absl::StrJoin(reasons, "`, `"), "`.");
    operation["x-error-reasons"] = reasons;
  }
  operation["description"] = description;
  operation["x-grpc-method"] = route.grpc_method;

  json parameters = json::array();
  std::set<std::string> bound;
  for (const PathParameter& p : path.parameters) {
    json parameter = {{"name", p.name},
                      {"in", "path"},
                      {"required", true},
                      {"description", p.description},
                      {"schema", p.field != nullptr && p.field->message_type() == nullptr
                                     ? catalog.ValueSchema(p.field)
                                     : json{{"type", "string"}}}};
    parameters.push_back(parameter);
  }
  for (const PathTemplate::Variable& v : route.path.variables()) bound.insert(v.field_path);
  if (route.body != "*") {
    if (!route.body.empty()) bound.insert(route.body);
    std::vector<const Descriptor*> stack = {request};
    AddQueryParameters(catalog, request, "", "", bound, stack, parameters);
  }
  if (!parameters.empty()) operation["parameters"] = parameters;

  if (!route.body.empty()) {
    json content;
    if (route.body == "*") {
      if (IsHttpBody(request)) {
        content["*/*"] = RawContent();
      } else {
        content[method->client_streaming() ? "application/x-ndjson" : "application/json"] = {
            {"schema", catalog.MessageSchema(request)},
            {"example", ExampleMessage(catalog, request, 0, true)}};
      }
    } else {
      const FieldDescriptor* field = request->FindFieldByName(route.body);
      if (field->message_type() != nullptr && IsHttpBody(field->message_type())) {
        content["*/*"] = RawContent();
      } else {
        content["application/json"] = {
            {"schema", field->message_type() != nullptr && !field->is_repeated()
                           ? catalog.MessageSchema(field->message_type())
                           : catalog.FieldSchema(field)},
            {"example", field->message_type() != nullptr
                            ? ExampleMessage(catalog, field->message_type(), 0, true)
                            : ExampleValue(catalog, field, 0, true)}};
      }
    }
    if (const UploadRoute* upload = FindUploadRoute(route.grpc_method); upload != nullptr) {
      for (const std::string& type : upload->media_types) {
        content[type] = {{"schema", {{"type", "string"}, {"format", "binary"}}}};
      }
      operation["x-upload-max-bytes"] = upload->max_bytes;
    }
    operation["requestBody"] = {{"required", true}, {"content", content}};
  }

  const Descriptor* response = method->output_type();
  json ok_content;
  if (IsHttpBody(response)) {
    ok_content["application/octet-stream"] = RawContent();
    ok_content["text/*"] = RawContent();
  } else {
    ok_content[method->server_streaming() ? "application/x-ndjson" : "application/json"] = {
        {"schema", catalog.MessageSchema(response)},
        {"example", ExampleMessage(catalog, response, 0, false)}};
  }
  json responses = ErrorResponses(comment);
  responses["200"] = {{"description", "OK"}, {"content", ok_content}};
  responses["default"] = {{"$ref", "#/components/responses/Error"}};
  operation["responses"] = responses;
  return operation;
}

std::string Lower(absl::string_view text) { return absl::AsciiStrToLower(text); }

}  // namespace

std::string OpenApiPath(const PathTemplate& path) { return ConvertPath(path, nullptr).path; }

std::string BuildOpenApiDocument(const RouteTable& routes, const OpenApiInfo& info) {
  SchemaCatalog catalog(info.comments != nullptr ? *info.comments
                                                 : Contract::Embedded().comments());
  for (const Route& route : routes.routes()) {
    catalog.Collect(route.method->input_type());
    catalog.Collect(route.method->output_type());
  }
  catalog.AssignNames();

  json paths = json::object();
  std::map<std::string, std::string> services;  // tag → full name
  std::set<std::string> operation_ids;
  for (const Route& route : routes.routes()) {
    const MethodDescriptor* method = route.method;
    services[method->service()->name()] = method->service()->full_name();
    const std::string base_id = absl::StrCat(method->service()->name(), "_", method->name());
    std::string operation_id = base_id;
    for (int n = 2; !operation_ids.insert(operation_id).second; ++n) {
      operation_id = absl::StrCat(base_id, "_", n);
    }
    const ConvertedPath path = ConvertPath(route.path, method->input_type());
    paths[path.path][Lower(route.http_method)] = Operation(route, path, catalog, operation_id);
  }

  json tags = json::array();
  for (const auto& [name, full_name] : services) {
    std::string description;
    if (const auto* service =
            google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(full_name);
        service != nullptr) {
      description = catalog.comments().Of(service);
    }
    if (!description.empty()) absl::StrAppend(&description, "\n\n");
    absl::StrAppend(&description, "`", full_name, "`.");
    tags.push_back({{"name", name}, {"description", description}});
  }
  json document = {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", info.title}, {"version", info.version}, {"description", info.description}}},
      {"servers", json::array({{{"url", "/"}}})},
      {"tags", tags},
      {"paths", paths},
      {"security", json::array({{{"ApiKeyAuth", json::array()}}, {{"BearerAuth", json::array()}}})},
      {"components",
       {{"schemas", catalog.Components()},
        {"responses",
         {{"Error",
           {{"description", "An error, in the AIP-193 envelope."},
            {"content",
             {{"application/json",
               {{"schema", {{"$ref", absl::StrCat(kSchemaRefPrefix, kErrorSchema)}}}}}}}}}}},
        {"securitySchemes",
         {{"ApiKeyAuth",
           {{"type", "apiKey"},
            {"in", "header"},
            {"name", "x-api-key"},
            {"description", "An API key issued by the gateway's administrators."}}},
          {"BearerAuth",
           {{"type", "http"},
            {"scheme", "bearer"},
            {"bearerFormat", "mlg_<prefix>_<secret>"},
            {"description",
             "The same API key as `Authorization: Bearer <key>` (RFC 6750); x-api-key wins "
             "when both are sent."}}}}}}}};
  return document.dump(2);
}

}  // namespace maillage::gateway
