// Shared pieces of the meetings service's List methods: enum filter fields read from the
// proto descriptors, and the page arithmetic around api::MakeKeysetClause.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/api/filter.h"
#include "common/api/pagination.h"
#include "google/protobuf/descriptor.h"

namespace maillage::meetings {

// A kEnum filter field on `sql` accepting every value of `descriptor` but UNSPECIFIED, written
// with or without `prefix`.
api::FilterField EnumField(const std::string& sql,
                           const google::protobuf::EnumDescriptor* descriptor,
                           const std::string& prefix);

// Everything a list query needs once the request is read: the compiled filter (parameters
// from $1), the keyset clause after it, the effective page size and the fingerprint.
struct ListQuery {
  api::SqlCondition where;
  api::OrderBy order;
  api::KeysetClause keyset;
  int page_size = 0;
  std::string fingerprint;
};

// INVALID_ARGUMENT for a bad page size, filter, order_by or token (also a token of another
// query). `scope` is added to the fingerprint (e.g. the parent).
absl::StatusOr<ListQuery> PrepareList(int page_size, const std::string& page_token,
                                      const std::string& filter, const std::string& order_by,
                                      const std::string& scope, const api::FilterSchema& filters,
                                      const api::SortSchema& sorts,
                                      const std::string& default_order, const std::string& id_sql);

// The next page token after a page that ended with (`sort_key`, `id`).
std::string NextPageToken(const ListQuery& query, const std::string& sort_key, int64_t id);

}  // namespace maillage::meetings
