// Lists with filter, order and keyset pagination.
#include "services/budget/list_query.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/list_query.h"
#include "common/status/status_macros.h"

namespace maillage::budget {
namespace {
constexpr absl::string_view kDomain = "budget.maillage";
}  // namespace

absl::StatusOr<ListPage> RunList(pqxx::work& txn, const ListSpec& spec) {
  MAILLAGE_ASSIGN_OR_RETURN(
      api::ListQuery query,
      api::PrepareList({spec.page_size, spec.page_token, spec.filter, spec.order_by,
                        absl::StrJoin(spec.scope_params, "\x1f")},
                       {*spec.filter_schema, *spec.sort_schema, spec.default_order, spec.id_sql},
                       kDomain, static_cast<int>(spec.scope_params.size()) + 1));
  std::vector<std::string> params = spec.scope_params;
  for (std::string& param : query.Params()) params.push_back(std::move(param));
  std::string sql = absl::StrCat("SELECT ", spec.columns, ", (", query.order.sort.sql, ")::text, ",
                                 spec.id_sql, " FROM ", spec.from_where, " AND (", query.where.sql,
                                 ") AND ", query.keyset.where, " ORDER BY ", query.keyset.order_by,
                                 " LIMIT ", query.page_size + 1);
  const int size = query.page_size;
  ListPage page;
  page.rows = txn.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
  page.count = std::min(static_cast<int>(page.rows.size()), size);
  if (page.rows.size() > static_cast<size_t>(size)) {
    const pqxx::row last = page.rows[size - 1];
    int columns = static_cast<int>(last.size());
    page.next_page_token =
        api::NextPageToken(query, last[columns - 2].c_str(), last[columns - 1].c_str());
  }
  return page;
}

}  // namespace maillage::budget
