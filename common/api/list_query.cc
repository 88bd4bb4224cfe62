// List request preparation (see list_query.h).
#include "common/api/list_query.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/status_macros.h"

namespace maillage::api {

absl::StatusOr<ListPage> ReadListPage(int page_size, absl::string_view page_token,
                                      std::initializer_list<absl::string_view> query,
                                      absl::string_view domain) {
  ListPage page;
  MAILLAGE_ASSIGN_OR_RETURN(page.size, EffectivePageSize(page_size, domain));
  page.fingerprint = QueryFingerprint(query);
  if (!page_token.empty()) {
    MAILLAGE_ASSIGN_OR_RETURN(page.cursor, DecodePageToken(page_token, page.fingerprint, domain));
  }
  return page;
}

std::vector<std::string> ListQuery::Params() const {
  std::vector<std::string> params = where.params;
  params.insert(params.end(), keyset.params.begin(), keyset.params.end());
  return params;
}

absl::StatusOr<ListQuery> PrepareList(const ListRequest& request, const ListSchema& schema,
                                      absl::string_view domain, int first_param) {
  ListQuery query;
  // The default order may carry its direction ("id desc"): parsed as if the client had asked it.
  MAILLAGE_ASSIGN_OR_RETURN(
      query.order, ParseOrderBy(request.order_by.empty() ? schema.default_order : request.order_by,
                                schema.sorts, schema.default_order, domain));
  MAILLAGE_ASSIGN_OR_RETURN(ListPage page,
                            ReadListPage(request.page_size, request.page_token,
                                         {request.scope, request.filter, query.order.field,
                                          query.order.descending ? "desc" : "asc"},
                                         domain));
  if (!page.cursor.empty()) MAILLAGE_RETURN_IF_ERROR(CheckKeysetCursor(page.cursor, domain));
  query.page_size = page.size;
  query.fingerprint = std::move(page.fingerprint);
  MAILLAGE_ASSIGN_OR_RETURN(query.where,
                            CompileFilter(request.filter, schema.filters, first_param, domain));
  query.keyset = MakeKeysetClause(query.order, schema.id_sql, page.cursor,
                                  first_param + static_cast<int>(query.where.params.size()));
  return query;
}

std::string NextPageToken(const ListQuery& query, absl::string_view sort_key,
                          absl::string_view id) {
  return EncodePageToken(query.fingerprint, {{std::string(sort_key), std::string(id)}});
}

std::string NextPageToken(const ListQuery& query, absl::string_view sort_key, int64_t id) {
  return NextPageToken(query, sort_key, absl::StrCat(id));
}

FilterField EnumField(const std::string& sql, const google::protobuf::EnumDescriptor* descriptor,
                      const std::string& prefix) {
  FilterField field{sql, FilterField::Type::kEnum, prefix, {}};
  for (int i = 0; i < descriptor->value_count(); ++i) {
    absl::string_view name = descriptor->value(i)->name();
    if (absl::EndsWith(name, "_UNSPECIFIED")) continue;
    absl::ConsumePrefix(&name, prefix);
    field.enum_names.emplace_back(name);
  }
  return field;
}

}  // namespace maillage::api
