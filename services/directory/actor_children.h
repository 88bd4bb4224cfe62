// What the resources stored under an actor (contacts, relationships) share: the parent checks
// of a write and of a list, and their update masks.
#pragma once

#include <algorithm>
#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/errors.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/directory/actor_fields.h"

namespace maillage::directory {

// The actor `id` for a write under it: NOT_FOUND, or FAILED_PRECONDITION (ACTOR_MERGED) when
// merged.
absl::Status CheckWritableParent(pqxx::work& txn, int64_t id);

// The parent id of a list (`actors/-` → 0 for every actor). NOT_FOUND for an unknown actor,
// INVALID_ARGUMENT (field "parent") for a malformed name.
absl::StatusOr<int64_t> ListParent(pqxx::work& txn, const std::string& parent);

// Applies an update mask to a message for the allowed top-level `paths` (and `nested` ones):
// "*" means every path of `paths`, an empty mask every field set in `patch`. INVALID_ARGUMENT
// (field "update_mask") naming the unknown, immutable or output-only paths.
template <typename Message>
absl::StatusOr<Message> ApplyChildMask(const Message& current, const Message& patch,
                                       const google::protobuf::FieldMask& mask,
                                       const std::vector<std::string>& paths,
                                       const std::vector<std::string>& nested) {
  google::protobuf::FieldMask effective;
  if (mask.paths_size() == 1 && mask.paths(0) == "*") {
    for (const std::string& p : paths) effective.add_paths(p);
  } else if (mask.paths_size() == 0) {
    std::vector<const google::protobuf::FieldDescriptor*> set_fields;
    patch.GetReflection()->ListFields(patch, &set_fields);
    for (const auto* field : set_fields) {
      if (std::find(paths.begin(), paths.end(), field->name()) != paths.end()) {
        effective.add_paths(field->name());
      }
    }
  } else {
    std::vector<std::string> bad;
    for (const std::string& p : mask.paths()) {
      if (std::find(paths.begin(), paths.end(), p) == paths.end() &&
          std::find(nested.begin(), nested.end(), p) == nested.end()) {
        bad.push_back(p);
      }
      effective.add_paths(p);
    }
    if (!bad.empty()) {
      return InvalidField(
          kDomain, "update_mask",
          absl::StrCat("unknown, immutable or output-only paths: ", absl::StrJoin(bad, ", "),
                       "; writable: ", absl::StrJoin(paths, ", ")));
    }
  }
  Message result = current;
  google::protobuf::util::FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, effective, options, &result);
  return result;
}

}  // namespace maillage::directory
