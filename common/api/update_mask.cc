// Update masks (see update_mask.h).
#include "common/api/update_mask.h"

#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "google/api/field_behavior.pb.h"
#include "google/protobuf/util/field_mask_util.h"

namespace maillage::api {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FieldMask;
using google::protobuf::Message;

constexpr int kMaxDepth = 8;  // recursive messages stop being expanded here

bool IsSingularMessage(const FieldDescriptor& field) {
  return !field.is_repeated() && field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
}

// Whether a message of `type` has a field that an update must not write, at any depth.
bool HasProtectedPart(const Descriptor& type, int depth) {
  if (depth > kMaxDepth) return false;
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor& field = *type.field(i);
    if (RoleOf(field) != FieldRole::kWritable) return true;
    if (IsSingularMessage(field) && HasProtectedPart(*field.message_type(), depth + 1)) {
      return true;
    }
  }
  return false;
}

// Adds `path` (naming `field`) to `out`, or the writable parts of it when the field is a
// message with protected parts.
void AddWritable(const std::string& path, const FieldDescriptor& field, int depth,
                 std::vector<std::string>& out) {
  if (!IsSingularMessage(field) || !HasProtectedPart(*field.message_type(), depth + 1)) {
    out.push_back(path);
    return;
  }
  const Descriptor& type = *field.message_type();
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor& child = *type.field(i);
    if (RoleOf(child) != FieldRole::kWritable) continue;
    AddWritable(absl::StrCat(path, ".", child.name()), child, depth + 1, out);
  }
}

bool Populated(const Message& message, const FieldDescriptor& field) {
  const auto* reflection = message.GetReflection();
  if (field.is_repeated()) return reflection->FieldSize(message, &field) > 0;
  return reflection->HasField(message, &field);
}

// The field a path names and the role of the path (the first non-writable field on the way
// decides); nullptr for a path that names no field.
struct ResolvedPath {
  const FieldDescriptor* field = nullptr;
  FieldRole role = FieldRole::kWritable;
};

ResolvedPath Resolve(const Descriptor& type, absl::string_view path) {
  ResolvedPath resolved;
  const Descriptor* current = &type;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (current == nullptr) return {};
    const FieldDescriptor* field = current->FindFieldByName(std::string(part));
    if (field == nullptr) return {};
    if (resolved.role == FieldRole::kWritable) resolved.role = RoleOf(*field);
    resolved.field = field;
    current = IsSingularMessage(*field) ? field->message_type() : nullptr;
  }
  return resolved;
}

}  // namespace

FieldRole RoleOf(const FieldDescriptor& field) {
  if (field.name() == "etag" && field.type() == FieldDescriptor::TYPE_STRING) {
    return FieldRole::kOutputOnly;
  }
  const auto& options = field.options();
  FieldRole role = FieldRole::kWritable;
  for (int i = 0; i < options.ExtensionSize(google::api::field_behavior); ++i) {
    switch (options.GetExtension(google::api::field_behavior, i)) {
      case google::api::OUTPUT_ONLY:
      case google::api::IDENTIFIER:
        return FieldRole::kOutputOnly;
      case google::api::IMMUTABLE:
        role = FieldRole::kImmutable;
        break;
      default:
        break;
    }
  }
  return role;
}

absl::StatusOr<FieldMask> EffectiveUpdateMask(const FieldMask& mask, const Message& patch,
                                              absl::string_view domain) {
  const Descriptor& type = *patch.GetDescriptor();
  std::vector<std::string> paths;
  bool all = false;
  for (const std::string& path : mask.paths()) all = all || path == "*";
  if (mask.paths().empty() || all) {
    for (int i = 0; i < type.field_count(); ++i) {
      const FieldDescriptor& field = *type.field(i);
      if (RoleOf(field) != FieldRole::kWritable) continue;
      bool in_oneof = field.real_containing_oneof() != nullptr;
      if ((!all || in_oneof) && !Populated(patch, field)) continue;
      AddWritable(field.name(), field, 0, paths);
    }
  }
  FieldViolations violations;
  for (const std::string& path : mask.paths()) {
    if (path == "*") continue;
    ResolvedPath resolved = Resolve(type, path);
    if (resolved.field == nullptr) {
      violations.Add("update_mask",
                     absl::StrCat("unknown field \"", path, "\" (", type.full_name(), ")"));
    } else if (resolved.role == FieldRole::kImmutable) {
      violations.Add("update_mask",
                     absl::StrCat("immutable field \"", path, "\": set at creation only"));
    } else if (resolved.role == FieldRole::kWritable && !all) {
      AddWritable(path, *resolved.field, 0, paths);
    }
  }
  if (!violations.empty()) return violations.ToStatus(domain);
  FieldMask effective;
  std::set<std::string> seen;
  for (std::string& path : paths) {
    if (seen.insert(path).second) effective.add_paths(std::move(path));
  }
  return effective;
}

void MergeUpdate(const Message& patch, const FieldMask& effective, Message* target) {
  google::protobuf::util::FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, effective, options, target);
}

bool MaskTouches(const FieldMask& effective, absl::string_view path) {
  for (const std::string& p : effective.paths()) {
    if (p == path || absl::StartsWith(p, absl::StrCat(path, ".")) ||
        absl::StartsWith(path, absl::StrCat(p, "."))) {
      return true;
    }
  }
  return false;
}

}  // namespace maillage::api
