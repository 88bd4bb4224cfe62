// Resource names ("actors/42", "actors/42/contacts/7") as API_CONVENTIONS defines them:
// collection words and positive numeric ids, built and parsed in one place.
//
//   MAILLAGE_ASSIGN_OR_RETURN(int64_t id, ParseResourceId(req.name(), "actors", "name", kDomain));
//   MAILLAGE_ASSIGN_OR_RETURN(auto ids, ParseResourceIds(name, {"actors", "contacts"}, "name",
//   kDomain)); actor.set_name(ResourceName("actors", id));
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace maillage::api {

// "<collection>/<id>".
std::string ResourceName(absl::string_view collection, int64_t id);

// The id of `name` == "<collection>/<id>" (id a positive decimal integer). INVALID_ARGUMENT
// naming `field` and the expected pattern otherwise.
absl::StatusOr<int64_t> ParseResourceId(absl::string_view name, absl::string_view collection,
                                        absl::string_view field, absl::string_view domain);

// The ids of a nested name such as "actors/1/contacts/2" for collections {"actors",
// "contacts"}. INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::vector<int64_t>> ParseResourceIds(
    absl::string_view name, std::initializer_list<absl::string_view> collections,
    absl::string_view field, absl::string_view domain);

}  // namespace maillage::api
