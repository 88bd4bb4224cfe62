// Shared pieces of the List methods (see list_query.h).
#include "services/meetings/list_query.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/status_macros.h"
#include "services/meetings/meeting_rules.h"

namespace maillage::meetings {

api::FilterField EnumField(const std::string& sql,
                           const google::protobuf::EnumDescriptor* descriptor,
                           const std::string& prefix) {
  api::FilterField field{sql, api::FilterField::Type::kEnum, prefix, {}};
  for (int i = 0; i < descriptor->value_count(); ++i) {
    absl::string_view name = descriptor->value(i)->name();
    if (absl::EndsWith(name, "_UNSPECIFIED")) continue;
    absl::ConsumePrefix(&name, prefix);
    field.enum_names.emplace_back(name);
  }
  return field;
}

absl::StatusOr<ListQuery> PrepareList(int page_size, const std::string& page_token,
                                      const std::string& filter, const std::string& order_by,
                                      const std::string& scope, const api::FilterSchema& filters,
                                      const api::SortSchema& sorts,
                                      const std::string& default_order, const std::string& id_sql) {
  ListQuery query;
  MAILLAGE_ASSIGN_OR_RETURN(query.page_size, api::EffectivePageSize(page_size, kDomain));
  MAILLAGE_ASSIGN_OR_RETURN(query.where, api::CompileFilter(filter, filters, 1, kDomain));
  MAILLAGE_ASSIGN_OR_RETURN(query.order,
                            api::ParseOrderBy(order_by, sorts, default_order, kDomain));
  query.fingerprint = api::QueryFingerprint({scope, filter, order_by});
  api::PageCursor cursor;
  if (!page_token.empty()) {
    MAILLAGE_ASSIGN_OR_RETURN(cursor, api::DecodePageToken(page_token, query.fingerprint, kDomain));
    MAILLAGE_RETURN_IF_ERROR(api::CheckKeysetCursor(cursor, kDomain));
  }
  query.keyset = api::MakeKeysetClause(query.order, id_sql, cursor,
                                       static_cast<int>(query.where.params.size()) + 1);
  return query;
}

std::string NextPageToken(const ListQuery& query, const std::string& sort_key, int64_t id) {
  return api::EncodePageToken(query.fingerprint, {{sort_key, absl::StrCat(id)}});
}

}  // namespace maillage::meetings
