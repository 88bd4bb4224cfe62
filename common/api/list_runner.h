// The whole List read over one table in a call: the request prepared as PrepareList does (its
// page size, token, filter and order_by against the collection's schema), the query run with
// keyset pagination in the caller's transaction, the page cut and its next page token.
//
//   api::SqlListSpec spec;
//   spec.columns = "a.key, a.title";
//   spec.from_where = "actions a WHERE a.owner = $1";   // the scope, its parameters below
//   spec.scope_params = {owner};
//   spec.filter_schema = kFilters;  spec.sort_schema = kSorts;
//   spec.default_order = "code";    spec.id_sql = "a.id";   // or "code desc"
//   spec.collection = "actions";    // optional: names the list in its page tokens
//   spec.filter = req.filter(); spec.order_by = req.order_by();
//   spec.page_size = req.page_size(); spec.page_token = req.page_token();
//   MAILLAGE_ASSIGN_OR_RETURN(api::SqlListPage page, api::RunSqlList(txn, spec, kDomain));
//   for (int i = 0; i < page.count; ++i) Add(page.rows[i]);
//   response.set_next_page_token(page.next_page_token);
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/api/filter.h"
#include "common/api/list_query.h"
#include "common/db/pool.h"

namespace maillage::api {

struct SqlListSpec {
  // The query is "SELECT <columns>, <sort key>::text, <id_sql> FROM <from_where> AND <filter>
  // AND <keyset> ORDER BY ... LIMIT ...", `from_where` ending in the scope's WHERE condition
  // with `scope_params` as $1..$n.
  std::string columns;
  std::string from_where;
  std::vector<std::string> scope_params;
  // Null schemas: no field to filter on; one order, "id" (the row id `id_sql`, a bigint).
  const FilterSchema* filter_schema = nullptr;
  const SortSchema* sort_schema = nullptr;
  std::string default_order;  // "code", or with its direction: "id desc"
  std::string id_sql;         // the row id, last column of the keyset
  // Names the list in its page tokens, so that a token of another list with the same scope is
  // refused ("shareLinks"). Empty: the tokens are bound to the scope only.
  std::string collection;
  // The request. The page token is bound to it and to `collection` and `scope_params`.
  std::string filter;
  std::string order_by;
  int page_size = 0;
  std::string page_token;
};

struct SqlListPage {
  pqxx::result rows;  // the first `count` rows are the page (one more may follow)
  int count = 0;
  std::string next_page_token;
};

// The spec of a List request (page_size, page_token, filter, order_by) over the rows of
// `from_where` (the scope's parameters `scope_params`) with the fields and order of `schema`
// (which must outlive the spec).
//
//   static const api::ListSchema kSchema{KeyFilters(), KeySorts(), "create_time", "k.id"};
//   api::SqlListSpec spec = api::TableList(request, kSchema, kColumns, "api_keys k WHERE TRUE");
template <typename Request>
SqlListSpec TableList(const Request& request, const ListSchema& schema, std::string columns,
                      std::string from_where, std::vector<std::string> scope_params = {}) {
  SqlListSpec spec;
  spec.columns = std::move(columns);
  spec.from_where = std::move(from_where);
  spec.scope_params = std::move(scope_params);
  spec.filter_schema = &schema.filters;
  spec.sort_schema = &schema.sorts;
  spec.default_order = schema.default_order;
  spec.id_sql = schema.id_sql;
  spec.filter = request.filter();
  spec.order_by = request.order_by();
  spec.page_size = request.page_size();
  spec.page_token = request.page_token();
  return spec;
}

// The spec of a list whose request has neither filter nor order_by (only page_size and
// page_token): the rows of `from_where` in the order of their id `id_sql`, the oldest or the
// newest first, with page tokens bound to `collection` and `scope_params`.
//
//   api::SqlListSpec spec = api::RowIdList(request, "shareLinks", api::RowOrder::kNewestFirst,
//       "l.id", "l.id, l.kind", "share_links l WHERE l.issuer = $1", {issuer});
enum class RowOrder { kOldestFirst, kNewestFirst };
template <typename Request>
SqlListSpec RowIdList(const Request& request, std::string collection, RowOrder order,
                      std::string id_sql, std::string columns, std::string from_where,
                      std::vector<std::string> scope_params) {
  SqlListSpec spec;
  spec.columns = std::move(columns);
  spec.from_where = std::move(from_where);
  spec.scope_params = std::move(scope_params);
  spec.default_order = order == RowOrder::kNewestFirst ? "id desc" : "id";
  spec.id_sql = std::move(id_sql);
  spec.collection = std::move(collection);
  spec.page_size = request.page_size();
  spec.page_token = request.page_token();
  return spec;
}

// Runs `spec` in `txn`. INVALID_ARGUMENT (ErrorInfo domain `domain`) naming the field for a
// negative page size, a bad filter or order_by, or a page token malformed or issued for another
// query.
absl::StatusOr<SqlListPage> RunSqlList(pqxx::work& txn, const SqlListSpec& spec,
                                       absl::string_view domain);

// The whole List method: `spec` run in a read-only transaction of `pool`, `add_row(response,
// row)` for each row of the page, then the response's next_page_token. RunSqlList's errors.
//
//   return api::ReadSqlList<v1::ListShareLinksResponse>(
//       pool_, deadline, spec, kDomain, [](v1::ListShareLinksResponse& page, const pqxx::row& row)
//       {
//         *page.add_share_links() = FromRow(row);
//       });
template <typename Response, typename AddRow>
absl::StatusOr<Response> ReadSqlList(db::Pool& pool, db::Deadline deadline, const SqlListSpec& spec,
                                     absl::string_view domain, AddRow add_row) {
  return pool.ReadOnly<Response>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<Response> {
    absl::StatusOr<SqlListPage> page = RunSqlList(txn, spec, domain);
    if (!page.ok()) return page.status();
    Response response;
    for (int i = 0; i < page->count; ++i) add_row(response, page->rows[i]);
    response.set_next_page_token(page->next_page_token);
    return response;
  });
}

}  // namespace maillage::api
