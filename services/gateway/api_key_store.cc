#include "services/gateway/api_key_store.h"

#include "absl/strings/str_cat.h"
#include "common/api/filter.h"
#include "common/api/pagination.h"
#include "common/api/resource_name.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/gateway/http_errors.h"

namespace maillage::gateway {
namespace {

// The computed state of a key: revoked wins over expired.
constexpr char kStateSql[] =
    "CASE WHEN revoke_time IS NOT NULL THEN 'API_KEY_STATE_REVOKED' "
    "WHEN expire_time IS NOT NULL AND expire_time <= now() THEN 'API_KEY_STATE_EXPIRED' "
    "ELSE 'API_KEY_STATE_ACTIVE' END";

std::string Columns() {
  return absl::StrCat(
      "id, prefix, display_name, role, ", kStateSql,
      " AS state, " MAILLAGE_SQL_MICROS("expire_time") ", " MAILLAGE_SQL_MICROS("revoke_time")
      ", revoke_reason, " MAILLAGE_SQL_MICROS("last_use_time") ", "
      MAILLAGE_SQL_MICROS("create_time") ", creator, rate_limit_rps, "
      "rate_limit_burst, revision");
}

v1::ApiKey KeyFromRow(const pqxx::row& row) {
  v1::ApiKey key;
  key.set_name(api::ResourceName("apiKeys", row[0].as<int64_t>()));
  key.set_prefix(row[1].as<std::string>());
  key.set_display_name(row[2].as<std::string>());
  v1::Role role = v1::ROLE_UNSPECIFIED;
  v1::Role_Parse(row[3].as<std::string>(), &role);
  key.set_role(role);
  v1::ApiKeyState state = v1::API_KEY_STATE_UNSPECIFIED;
  v1::ApiKeyState_Parse(row[4].as<std::string>(), &state);
  key.set_state(state);
  db::ReadMicros(row[5], key.mutable_expire_time());
  db::ReadMicros(row[6], key.mutable_revoke_time());
  key.set_revoke_reason(row[7].as<std::string>());
  db::ReadMicros(row[8], key.mutable_last_use_time());
  db::ReadMicros(row[9], key.mutable_create_time());
  key.set_creator(row[10].as<std::string>());
  if (!row[11].is_null()) {
    key.mutable_rate_limit()->set_requests_per_second(row[11].as<int>());
    key.mutable_rate_limit()->set_burst(row[12].is_null() ? 0 : row[12].as<int>());
  }
  key.set_etag(row[13].as<std::string>());
  return key;
}

const api::FilterSchema& KeyFilterSchema() {
  using T = api::FilterField::Type;
  static const auto* const schema = new api::FilterSchema{
      {"role", {"role", T::kEnum, "ROLE_", {"ADMIN", "STAFF", "FUNDER", "PARTNER"}}},
      {"state", {kStateSql, T::kEnum, "API_KEY_STATE_", {"ACTIVE", "EXPIRED", "REVOKED"}}},
      {"display_name", {"display_name", T::kString}},
      {"creator", {"creator", T::kString}},
      {"create_time", {"create_time", T::kTimestamp}},
      {"expire_time", {"expire_time", T::kTimestamp}},
      {"last_use_time", {"last_use_time", T::kTimestamp}},
  };
  return *schema;
}

const api::SortSchema& KeySortSchema() {
  static const auto* const schema = new api::SortSchema{
      {"create_time", {"create_time", "timestamptz"}},
      {"display_name", {"display_name", "text"}},
      {"last_use_time", {"COALESCE(last_use_time, '-infinity')", "timestamptz"}},
  };
  return *schema;
}

}  // namespace

absl::StatusOr<v1::ApiKey> ApiKeyStore::Get(db::Deadline deadline, const std::string& name) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                            api::ParseResourceId(name, "apiKeys", "name", kGatewayDomain));
  const std::string sql = absl::StrCat("SELECT ", Columns(), " FROM api_keys WHERE id = $1");
  return pool_.ReadOnly<v1::ApiKey>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ApiKey> {
    pqxx::result rows = txn.exec_params(sql, id);
    if (rows.empty()) {
      return NotFound(kGatewayDomain, "API_KEY_NOT_FOUND",
                      absl::StrCat("API key ", name, " does not exist"), {{"name", name}});
    }
    return KeyFromRow(rows[0]);
  });
}

absl::StatusOr<v1::ListApiKeysResponse> ApiKeyStore::List(db::Deadline deadline,
                                                          const v1::ListApiKeysRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(int page_size,
                            api::EffectivePageSize(request.page_size(), kGatewayDomain));
  MAILLAGE_ASSIGN_OR_RETURN(api::SqlCondition where,
                            api::CompileFilter(request.filter(), KeyFilterSchema(), 1,
                                               kGatewayDomain));
  MAILLAGE_ASSIGN_OR_RETURN(api::OrderBy order,
                            api::ParseOrderBy(request.order_by(), KeySortSchema(), "create_time",
                                              kGatewayDomain));
  const std::string fingerprint = api::QueryFingerprint({request.filter(), request.order_by()});
  api::PageCursor cursor;
  if (!request.page_token().empty()) {
    MAILLAGE_ASSIGN_OR_RETURN(cursor, api::DecodePageToken(request.page_token(), fingerprint,
                                                           kGatewayDomain));
    MAILLAGE_RETURN_IF_ERROR(api::CheckKeysetCursor(cursor, kGatewayDomain));
  }
  api::KeysetClause keyset = api::MakeKeysetClause(
      order, "id", cursor, static_cast<int>(where.params.size()) + 1);
  std::vector<std::string> params = where.params;
  params.insert(params.end(), keyset.params.begin(), keyset.params.end());
  const std::string sql = absl::StrCat("SELECT ", Columns(), ", (", order.sort.sql,
                                       ")::text FROM api_keys WHERE ", where.sql, " AND ",
                                       keyset.where, " ORDER BY ", keyset.order_by, " LIMIT ",
                                       page_size + 1);
  return pool_.ReadOnly<v1::ListApiKeysResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListApiKeysResponse> {
        pqxx::result rows = txn.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
        v1::ListApiKeysResponse response;
        for (int i = 0; i < static_cast<int>(rows.size()) && i < page_size; ++i) {
          *response.add_api_keys() = KeyFromRow(rows[i]);
        }
        if (static_cast<int>(rows.size()) > page_size) {
          const pqxx::row& last = rows[page_size - 1];
          response.set_next_page_token(api::EncodePageToken(
              fingerprint, {{last[14].as<std::string>(), last[0].as<std::string>()}}));
        }
        return response;
      });
}

}  // namespace maillage::gateway
