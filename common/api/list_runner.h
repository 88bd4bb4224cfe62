// The whole List read over one table in a call: the request prepared as PrepareList does (its
// page size, token, filter and order_by against the collection's schema), the query run with
// keyset pagination in the caller's transaction, the page cut and its next page token.
//
//   api::SqlListSpec spec;
//   spec.columns = "a.key, a.title";
//   spec.from_where = "actions a WHERE a.owner = $1";   // the scope, its parameters below
//   spec.scope_params = {owner};
//   spec.filter_schema = kFilters;  spec.sort_schema = kSorts;
//   spec.default_order = "code";    spec.id_sql = "a.id";
//   spec.filter = req.filter(); spec.order_by = req.order_by();
//   spec.page_size = req.page_size(); spec.page_token = req.page_token();
//   MAILLAGE_ASSIGN_OR_RETURN(api::SqlListPage page, api::RunSqlList(txn, spec, kDomain));
//   for (int i = 0; i < page.count; ++i) Add(page.rows[i]);
//   response.set_next_page_token(page.next_page_token);
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/api/filter.h"

namespace maillage::api {

struct SqlListSpec {
  // The query is "SELECT <columns>, <sort key>::text, <id_sql> FROM <from_where> AND <filter>
  // AND <keyset> ORDER BY ... LIMIT ...", `from_where` ending in the scope's WHERE condition
  // with `scope_params` as $1..$n.
  std::string columns;
  std::string from_where;
  std::vector<std::string> scope_params;
  const FilterSchema* filter_schema = nullptr;
  const SortSchema* sort_schema = nullptr;
  std::string default_order;
  std::string id_sql;  // the row id, last column of the keyset
  // The request. The page token is bound to it and to `scope_params`.
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

// Runs `spec` in `txn`. INVALID_ARGUMENT (ErrorInfo domain `domain`) naming the field for a
// negative page size, a bad filter or order_by, or a page token malformed or issued for another
// query.
absl::StatusOr<SqlListPage> RunSqlList(pqxx::work& txn, const SqlListSpec& spec,
                                       absl::string_view domain);

}  // namespace maillage::api
