// Dotted field paths of request messages ("book.author.name"), as path variables and query
// parameters name them.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace maillage::gateway {

using FieldChain = std::vector<const google::protobuf::FieldDescriptor*>;

// The fields that `path` walks through from `type`, the last one being the named field. Each
// part is a proto field name, or also its JSON name (lowerCamelCase) when `accept_json_names`.
// INVALID_ARGUMENT naming the part when a part names no field or when a field before the last
// is not a singular message.
// The field of `type` whose JSON name (lowerCamelCase) is `json_name`, or null.
const google::protobuf::FieldDescriptor* FindFieldByJsonName(
    const google::protobuf::Descriptor* type, absl::string_view json_name);

absl::StatusOr<FieldChain> ResolveFieldPath(const google::protobuf::Descriptor* type,
                                            absl::string_view path, bool accept_json_names);

}  // namespace maillage::gateway
