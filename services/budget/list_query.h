// One list query of the budget service: a filter compiled from the request, an order, keyset
// pagination and the next page token, the same way for actions, budgets, lines and grants.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/api/filter.h"

namespace maillage::budget {

struct ListSpec {
  // The query is "SELECT <columns>, <sort key>::text, <id_sql> FROM <from_where> AND <filter>
  // AND <keyset> ORDER BY ... LIMIT ...", `from_where` ending in the scope's WHERE condition
  // with `scope_params` as $1..$n.
  std::string columns;
  std::string from_where;
  std::vector<std::string> scope_params;
  const api::FilterSchema* filter_schema = nullptr;
  const api::SortSchema* sort_schema = nullptr;
  std::string default_order;
  std::string id_sql;  // the row id, last column of the keyset
  // The request: what the page token is bound to includes `scope_params`.
  std::string filter;
  std::string order_by;
  int page_size = 0;
  std::string page_token;
};

struct ListPage {
  pqxx::result rows;  // the first `count` rows are the page (one more may follow)
  int count = 0;
  std::string next_page_token;
};

// Runs `spec`. INVALID_ARGUMENT for a negative page size, a bad filter, order_by or page
// token (or a token of another query).
absl::StatusOr<ListPage> RunList(pqxx::work& txn, const ListSpec& spec);

}  // namespace maillage::budget
