// What the resources stored under an actor (contacts, relationships) share: the parent checks
// of a write and of a list (their update masks: common/api/update_mask.h).
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "services/directory/actor_fields.h"

namespace maillage::directory {

// The actor `id` for a write under it: NOT_FOUND, or FAILED_PRECONDITION (ACTOR_MERGED) when
// merged.
absl::Status CheckWritableParent(pqxx::work& txn, int64_t id);
// The same check of an actor already read (or the error of its reading).
absl::Status CheckWritableParent(const absl::StatusOr<v1::Actor>& actor);

// The parent id of a list (`actors/-` → 0 for every actor). NOT_FOUND for an unknown actor,
// INVALID_ARGUMENT (field "parent") for a malformed name.
absl::StatusOr<int64_t> ListParent(pqxx::work& txn, const std::string& parent);

}  // namespace maillage::directory
