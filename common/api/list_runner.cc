// Lists over one table (see list_runner.h).
#include "common/api/list_runner.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/list_query.h"
#include "common/status/status_macros.h"

namespace maillage::api {

absl::StatusOr<SqlListPage> RunSqlList(pqxx::work& txn, const SqlListSpec& spec,
                                       absl::string_view domain) {
  std::string scope = absl::StrJoin(spec.scope_params, "\x1f");
  if (!spec.collection.empty()) scope = absl::StrCat(spec.collection, "\x1e", scope);
  static const auto* const kNoFilter = new FilterSchema();
  const SortSchema by_id{{"id", {spec.id_sql, "bigint"}}};
  MAILLAGE_ASSIGN_OR_RETURN(
      ListQuery query,
      PrepareList({spec.page_size, spec.page_token, spec.filter, spec.order_by, std::move(scope)},
                  {spec.filter_schema != nullptr ? *spec.filter_schema : *kNoFilter,
                   spec.sort_schema != nullptr ? *spec.sort_schema : by_id, spec.default_order,
                   spec.id_sql},
                  domain, static_cast<int>(spec.scope_params.size()) + 1));
  std::vector<std::string> params = spec.scope_params;
  for (std::string& param : query.Params()) params.push_back(std::move(param));
  std::string sql = absl::StrCat("SELECT ", spec.columns, ", (", query.order.sort.sql, ")::text, ",
                                 spec.id_sql, " FROM ", spec.from_where, " AND (", query.where.sql,
                                 ") AND ", query.keyset.where, " ORDER BY ", query.keyset.order_by,
                                 " LIMIT ", query.page_size + 1);
  SqlListPage page;
  page.rows = txn.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
  page.count = CutPage(
      query, page.rows.size(),
      [&](int i) {
        const pqxx::row row = page.rows[i];
        const int columns = static_cast<int>(row.size());
        return std::make_pair(std::string(row[columns - 2].c_str()),
                              std::string(row[columns - 1].c_str()));
      },
      &page.next_page_token);
  return page;
}

}  // namespace maillage::api
