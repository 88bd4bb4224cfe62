// The first lines of every List method: the request's page size, page token, filter and
// order_by read against the resource's field tables, giving the SQL pieces of a keyset page.
//
//   static const api::ListSchema kSchema{kFilters, kSorts, "create_time", "p.id"};
//   MAILLAGE_ASSIGN_OR_RETURN(api::ListQuery query,
//       api::PrepareList({req.page_size(), req.page_token(), req.filter(), req.order_by(),
//                         req.parent()}, kSchema, kDomain));
//   ... WHERE <query.where.sql> AND <query.keyset.where> ORDER BY <query.keyset.order_by>
//       LIMIT query.page_size + 1   (parameters: query.Params())
//   if (more rows) next_page_token = api::NextPageToken(query, last sort key, last id);
//
// Lists that are not a filter over a table (categories, search results...) use ReadListPage.
// The whole read of such a page in one call, SQL included: RunSqlList (list_runner.h).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/api/filter.h"
#include "common/api/pagination.h"
#include "google/protobuf/descriptor.h"

namespace maillage::api {

// The page part of a request: effective size, the fingerprint of the query and where the
// previous page ended.
struct ListPage {
  int size = 0;
  std::string fingerprint;
  PageCursor cursor;  // empty for the first page
};

// INVALID_ARGUMENT for a negative page size, or a token malformed or issued for another query
// (`query` lists everything that shapes the query: collection, parent, filter, order...).
absl::StatusOr<ListPage> ReadListPage(int page_size, absl::string_view page_token,
                                      std::initializer_list<absl::string_view> query,
                                      absl::string_view domain);

// What a List request asks.
struct ListRequest {
  int page_size = 0;
  std::string page_token;
  std::string filter;
  std::string order_by;
  std::string scope;  // bound into the page token too: the parent, or the scope's parameters
};

// What a collection allows: the fields to filter and order on, the order when none is asked
// (a field of `sorts`, optionally followed by "desc": "create_time", "id desc"), and the SQL of
// the row id (the last key of the keyset).
struct ListSchema {
  const FilterSchema& filters;
  const SortSchema& sorts;
  std::string default_order;
  std::string id_sql;
};

// A prepared list query: the compiled filter (parameters from the `first_param` given to
// PrepareList), the keyset clause (parameters right after the filter's), the order, the
// effective page size and the fingerprint the next page token is bound to.
struct ListQuery {
  SqlCondition where;
  OrderBy order;
  KeysetClause keyset;
  int page_size = 0;
  std::string fingerprint;

  // The filter's parameters then the keyset's, in $n order.
  std::vector<std::string> Params() const;
};

// INVALID_ARGUMENT naming the field for a negative page size, a bad filter or order_by, or a
// page token that is malformed or was issued for another query (other scope, filter or order).
// "name" and "name asc" are the same order, so their tokens are interchangeable.
absl::StatusOr<ListQuery> PrepareList(const ListRequest& request, const ListSchema& schema,
                                      absl::string_view domain, int first_param = 1);

// The next page token after a page that ended with the row (`sort_key`, `id`).
std::string NextPageToken(const ListQuery& query, absl::string_view sort_key, absl::string_view id);
std::string NextPageToken(const ListQuery& query, absl::string_view sort_key, int64_t id);

// After reading up to query.page_size + 1 rows (`rows_read` of them): how many belong to the
// page, setting `next_page_token` to the token after the page's last row when a row follows
// it (left as is otherwise). `key_of(i)` gives row i's sort key and id, as a pair.
//
//   int count = api::CutPage(query, rows.size(), [&](int i) {
//     return std::make_pair(rows[i].sort_key, rows[i].id); }, response.mutable_next_page_token());
template <typename KeyOf>
int CutPage(const ListQuery& query, size_t rows_read, KeyOf key_of, std::string* next_page_token) {
  if (rows_read <= static_cast<size_t>(query.page_size)) return static_cast<int>(rows_read);
  auto [sort_key, id] = key_of(query.page_size - 1);
  *next_page_token = NextPageToken(query, sort_key, id);
  return query.page_size;
}

// A kEnum filter field on `sql` accepting every value of `descriptor` but *_UNSPECIFIED, written
// with or without `prefix` (the stored values are the full names).
FilterField EnumField(const std::string& sql, const google::protobuf::EnumDescriptor* descriptor,
                      const std::string& prefix);

}  // namespace maillage::api
