// Resolution of dotted field paths against message descriptors.
#include "services/gateway/routing/field_path.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace maillage::gateway {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

const FieldDescriptor* FindFieldByJsonName(const Descriptor* type, absl::string_view json_name) {
  for (int i = 0; i < type->field_count(); ++i) {
    if (type->field(i)->json_name() == json_name) return type->field(i);
  }
  return nullptr;
}

absl::StatusOr<FieldChain> ResolveFieldPath(const Descriptor* type, absl::string_view path,
                                            bool accept_json_names) {
  FieldChain chain;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (type == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", path, "\": ", chain.back()->name(), " is not a singular message"));
    }
    const std::string name(part);
    const FieldDescriptor* field = type->FindFieldByName(name);
    if (field == nullptr && accept_json_names) field = FindFieldByJsonName(type, name);
    if (field == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", path, "\": ", type->full_name(), " has no field \"", part, "\""));
    }
    chain.push_back(field);
    type = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !field->is_repeated()
               ? field->message_type()
               : nullptr;
  }
  return chain;
}

}  // namespace maillage::gateway
