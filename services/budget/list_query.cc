// Lists with filter, order and keyset pagination.
#include "services/budget/list_query.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/pagination.h"
#include "common/status/status_macros.h"

namespace maillage::budget {
namespace {
constexpr absl::string_view kDomain = "budget.maillage";
}  // namespace

absl::StatusOr<ListPage> RunList(pqxx::work& txn, const ListSpec& spec) {
  MAILLAGE_ASSIGN_OR_RETURN(int size, api::EffectivePageSize(spec.page_size, kDomain));
  MAILLAGE_ASSIGN_OR_RETURN(api::OrderBy order, api::ParseOrderBy(spec.order_by, *spec.sort_schema,
                                                                  spec.default_order, kDomain));
  std::string scope = absl::StrJoin(spec.scope_params, "\x1f");
  std::string fingerprint =
      api::QueryFingerprint({scope, spec.filter, order.field, order.descending ? "desc" : "asc"});
  api::PageCursor cursor;
  if (!spec.page_token.empty()) {
    MAILLAGE_ASSIGN_OR_RETURN(cursor, api::DecodePageToken(spec.page_token, fingerprint, kDomain));
    MAILLAGE_RETURN_IF_ERROR(api::CheckKeysetCursor(cursor, kDomain));
  }
  std::vector<std::string> params = spec.scope_params;
  MAILLAGE_ASSIGN_OR_RETURN(api::SqlCondition where,
                            api::CompileFilter(spec.filter, *spec.filter_schema,
                                               static_cast<int>(params.size()) + 1, kDomain));
  params.insert(params.end(), where.params.begin(), where.params.end());
  api::KeysetClause keyset =
      api::MakeKeysetClause(order, spec.id_sql, cursor, static_cast<int>(params.size()) + 1);
  params.insert(params.end(), keyset.params.begin(), keyset.params.end());
  std::string sql =
      absl::StrCat("SELECT ", spec.columns, ", (", order.sort.sql, ")::text, ", spec.id_sql,
                   " FROM ", spec.from_where, " AND (", where.sql, ") AND ", keyset.where,
                   " ORDER BY ", keyset.order_by, " LIMIT ", size + 1);
  ListPage page;
  page.rows = txn.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
  page.count = std::min(static_cast<int>(page.rows.size()), size);
  if (page.rows.size() > static_cast<size_t>(size)) {
    const pqxx::row last = page.rows[size - 1];
    int columns = static_cast<int>(last.size());
    api::PageCursor next{{last[columns - 2].c_str(), last[columns - 1].c_str()}};
    page.next_page_token = api::EncodePageToken(fingerprint, next);
  }
  return page;
}

}  // namespace maillage::budget
