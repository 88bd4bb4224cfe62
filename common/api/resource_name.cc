#include "common/api/resource_name.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace maillage::api {

std::string ResourceName(absl::string_view collection, int64_t id) {
  return absl::StrCat(collection, "/", id);
}

absl::StatusOr<int64_t> ParseResourceId(absl::string_view name, absl::string_view collection,
                                        absl::string_view field, absl::string_view domain) {
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<int64_t> parsed,
                            ParseResourceIds(name, {collection}, field, domain));
  return parsed[0];
}

absl::StatusOr<std::vector<int64_t>> ParseResourceIds(
    absl::string_view name, std::initializer_list<absl::string_view> collections,
    absl::string_view field, absl::string_view domain) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  std::vector<int64_t> ids;
  bool ok = parts.size() == 2 * collections.size();
  size_t i = 0;
  for (absl::string_view collection : collections) {
    if (!ok) break;
    int64_t id = 0;
    ok = parts[i] == collection && parts[i + 1].size() <= 18 &&
         absl::SimpleAtoi(parts[i + 1], &id) && id > 0 &&
         parts[i + 1].find_first_not_of("0123456789") == absl::string_view::npos;
    ids.push_back(id);
    i += 2;
  }
  if (!ok) {
    std::vector<std::string> pattern;
    for (absl::string_view collection : collections) {
      pattern.push_back(absl::StrCat(collection, "/{id}"));
    }
    return InvalidField(domain, field,
                        absl::StrCat("expected a resource name like ", absl::StrJoin(pattern, "/"),
                                     " with a positive numeric id"));
  }
  return ids;
}

}  // namespace maillage::api
