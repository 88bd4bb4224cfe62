#include "services/gateway/access/api_key_store.h"

#include "absl/strings/str_cat.h"
#include "common/api/etag.h"
#include "common/api/filter.h"
#include "common/api/list_query.h"
#include "common/api/list_runner.h"
#include "common/api/pagination.h"
#include "common/api/resource_name.h"
#include "common/db/idempotency.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "services/gateway/errors/http_errors.h"

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
      "rate_limit_burst, revision, funder_id");
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
  key.set_funder_id(row[14].as<std::string>());
  return key;
}

const api::FilterSchema& KeyFilterSchema() {
  using T = api::FilterField::Type;
  static const auto* const schema = new api::FilterSchema{
      {"role", {"role", T::kEnum, "ROLE_", {"ADMIN", "STAFF", "FUNDER", "PARTNER"}}},
      {"state", {kStateSql, T::kEnum, "API_KEY_STATE_", {"ACTIVE", "EXPIRED", "REVOKED"}}},
      {"display_name", {"display_name", T::kString}},
      {"creator", {"creator", T::kString}},
      {"funder_id", {"funder_id", T::kString}},
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

constexpr int kMaxDisplayName = 200;
constexpr int kMaxRateLimit = 1'000'000;

absl::StatusOr<v1::ApiKey> GetKey(pqxx::work& txn, int64_t id, const std::string& name) {
  pqxx::result rows =
      txn.exec_params(absl::StrCat("SELECT ", Columns(), " FROM api_keys WHERE id = $1"), id);
  if (rows.empty()) {
    return NotFound(kGatewayDomain, "API_KEY_NOT_FOUND",
                    absl::StrCat("API key ", name, " does not exist"), {{"name", name}});
  }
  return KeyFromRow(rows[0]);
}

absl::Status CheckNewKey(const v1::ApiKey& key) {
  FieldViolations violations;
  if (key.display_name().empty()) {
    violations.Add("api_key.display_name", "required");
  } else if (key.display_name().size() > kMaxDisplayName) {
    violations.Add("api_key.display_name", absl::StrCat("at most ", kMaxDisplayName, " bytes"));
  }
  if (key.role() == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(key.role())) {
    violations.Add("api_key.role", "required: ROLE_ADMIN, ROLE_STAFF, ROLE_FUNDER or ROLE_PARTNER");
  }
  if (key.role() == v1::ROLE_FUNDER && !IsFunderId(key.funder_id())) {
    violations.Add("api_key.funder_id",
                   "required for a ROLE_FUNDER key: the funder_id the actions list it under "
                   "(1 to 63 characters [a-z0-9-] starting with a letter, e.g. "
                   "\"dijon-metropole\")");
  } else if (key.role() != v1::ROLE_FUNDER && !key.funder_id().empty()) {
    violations.Add("api_key.funder_id", "only a ROLE_FUNDER key names a funder");
  }
  if (key.has_expire_time()) {
    const int64_t micros =
        google::protobuf::util::TimeUtil::TimestampToMicroseconds(key.expire_time());
    if (absl::FromUnixMicros(micros) <= absl::Now()) {
      violations.Add("api_key.expire_time", "must be in the future");
    }
  }
  const v1::RateLimit& limit = key.rate_limit();
  if (limit.requests_per_second() < 0 || limit.requests_per_second() > kMaxRateLimit) {
    violations.Add("api_key.rate_limit.requests_per_second",
                   absl::StrCat("between 0 (the gateway's default) and ", kMaxRateLimit));
  }
  if (limit.burst() < 0 || limit.burst() > kMaxRateLimit) {
    violations.Add("api_key.rate_limit.burst",
                   absl::StrCat("between 0 (the gateway's default) and ", kMaxRateLimit));
  }
  return violations.ToStatus(kGatewayDomain);
}

}  // namespace

absl::StatusOr<v1::CreateApiKeyResponse> ApiKeyStore::Create(db::Deadline deadline,
                                                             const v1::CreateApiKeyRequest& request,
                                                             const std::string& creator) {
  MAILLAGE_RETURN_IF_ERROR(CheckNewKey(request.api_key()));
  const v1::ApiKey& spec = request.api_key();
  std::optional<int64_t> expire_micros;
  if (spec.has_expire_time()) {
    expire_micros = google::protobuf::util::TimeUtil::TimestampToMicroseconds(spec.expire_time());
  }
  std::optional<int> rps, burst;
  if (spec.rate_limit().requests_per_second() > 0) rps = spec.rate_limit().requests_per_second();
  if (spec.rate_limit().burst() > 0) burst = spec.rate_limit().burst();
  std::string text;  // set only when this call creates the key
  absl::StatusOr<v1::CreateApiKeyResponse> created = pool_.Transact<v1::CreateApiKeyResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::CreateApiKeyResponse> {
        text.clear();
        return db::RunIdempotent<v1::CreateApiKeyResponse>(
            txn, request.request_id(), "CreateApiKey", request, kGatewayDomain,
            [&]() -> absl::StatusOr<v1::CreateApiKeyResponse> {
              const ApiKeyText key = NewApiKeyText();
              pqxx::result rows = txn.exec_params(
                  "INSERT INTO api_keys (prefix, secret_hash, display_name, role, expire_time, "
                  "creator, rate_limit_rps, rate_limit_burst, funder_id) VALUES ($1, $2, $3, $4, "
                  "to_timestamp($5::bigint / 1e6), $6, $7, $8, $9) RETURNING id",
                  key.prefix, HashApiKeySecret(key.secret), spec.display_name(),
                  v1::Role_Name(spec.role()), expire_micros, creator, rps, burst, spec.funder_id());
              const int64_t id = rows[0][0].as<int64_t>();
              v1::CreateApiKeyResponse response;
              MAILLAGE_ASSIGN_OR_RETURN(*response.mutable_api_key(),
                                        GetKey(txn, id, api::ResourceName("apiKeys", id)));
              text = key.text();  // never part of the recorded response
              return response;
            });
      });
  if (!created.ok()) return created.status();
  created->set_key(text);
  return created;
}

absl::StatusOr<v1::ApiKey> ApiKeyStore::Revoke(db::Deadline deadline,
                                               const v1::RevokeApiKeyRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(
      int64_t id, api::ParseResourceId(request.name(), "apiKeys", "name", kGatewayDomain));
  return pool_.Transact<v1::ApiKey>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ApiKey> {
    // Serializes revocations, so that two admins revoking the last two admin keys at once
    // cannot both succeed.
    txn.exec("LOCK TABLE api_keys IN SHARE ROW EXCLUSIVE MODE");
    MAILLAGE_ASSIGN_OR_RETURN(v1::ApiKey key, GetKey(txn, id, request.name()));
    MAILLAGE_RETURN_IF_ERROR(
        api::CheckEtag(request.etag(), key.etag(), request.name(), kGatewayDomain));
    if (key.state() == v1::API_KEY_STATE_REVOKED) return key;
    if (key.role() == v1::ROLE_ADMIN && key.state() == v1::API_KEY_STATE_ACTIVE) {
      pqxx::result others = txn.exec_params(
          absl::StrCat("SELECT count(*) FROM api_keys WHERE id <> $1 AND role = 'ROLE_ADMIN' AND ",
                       kStateSql, " = 'API_KEY_STATE_ACTIVE'"),
          id);
      if (others[0][0].as<int64_t>() == 0) {
        return FailedPrecondition(
            kGatewayDomain, "LAST_ADMIN_KEY",
            absl::StrCat("API key ", request.name(),
                         " is the last active ADMIN key: create another admin key first"),
            {{"name", request.name()}});
      }
    }
    txn.exec_params(
        "UPDATE api_keys SET revoke_time = now(), revoke_reason = $2, revision = revision + 1 "
        "WHERE id = $1",
        id, request.reason());
    return GetKey(txn, id, request.name());
  });
}

absl::StatusOr<std::optional<ApiKeyRecord>> ApiKeyStore::FindByPrefix(db::Deadline deadline,
                                                                      const std::string& prefix) {
  return pool_.ReadOnly<std::optional<ApiKeyRecord>>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<std::optional<ApiKeyRecord>> {
        pqxx::result rows = txn.exec_params(
            "SELECT id, prefix, secret_hash, role, "
            "(extract(epoch FROM expire_time) * 1000000)::bigint, "
            "(extract(epoch FROM revoke_time) * 1000000)::bigint, "
            "COALESCE(rate_limit_rps, 0), COALESCE(rate_limit_burst, 0), funder_id "
            "FROM api_keys WHERE prefix = $1",
            prefix);
        if (rows.empty()) return std::optional<ApiKeyRecord>();
        const pqxx::row& row = rows[0];
        ApiKeyRecord record;
        record.id = row[0].as<int64_t>();
        record.name = api::ResourceName("apiKeys", record.id);
        record.prefix = row[1].as<std::string>();
        record.secret_hash = row[2].as<std::string>();
        v1::Role_Parse(row[3].as<std::string>(), &record.role);
        record.expire_time = db::ReadTime(row[4]);
        record.revoke_time = db::ReadTime(row[5]);
        record.rate_limit_rps = row[6].as<int>();
        record.rate_limit_burst = row[7].as<int>();
        record.funder_id = row[8].as<std::string>();
        return std::optional<ApiKeyRecord>(std::move(record));
      });
}

absl::Status ApiKeyStore::TouchLastUse(db::Deadline deadline, int64_t id) {
  return pool_.Transact(deadline, [&](pqxx::work& txn) {
    txn.exec_params("UPDATE api_keys SET last_use_time = now() WHERE id = $1", id);
    return absl::OkStatus();
  });
}

absl::Status ApiKeyStore::EnsureKey(db::Deadline deadline, const ApiKeyText& key, v1::Role role,
                                    const std::string& display_name) {
  return pool_.Transact(deadline, [&](pqxx::work& txn) -> absl::Status {
    txn.exec("LOCK TABLE api_keys IN SHARE ROW EXCLUSIVE MODE");
    pqxx::result rows =
        txn.exec_params("SELECT secret_hash FROM api_keys WHERE prefix = $1", key.prefix);
    if (!rows.empty()) {
      if (SameHash(rows[0][0].as<std::string>(), HashApiKeySecret(key.secret))) {
        return absl::OkStatus();
      }
      return FailedPrecondition(kGatewayDomain, "API_KEY_PREFIX_TAKEN",
                                absl::StrCat("another key already has the prefix ", key.prefix,
                                             ": choose another first admin key"),
                                {{"prefix", key.prefix}});
    }
    txn.exec_params(
        "INSERT INTO api_keys (prefix, secret_hash, display_name, role, creator) "
        "VALUES ($1, $2, $3, $4, 'bootstrap')",
        key.prefix, HashApiKeySecret(key.secret), display_name, v1::Role_Name(role));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::ApiKey> ApiKeyStore::Get(db::Deadline deadline, const std::string& name) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                            api::ParseResourceId(name, "apiKeys", "name", kGatewayDomain));
  return pool_.ReadOnly<v1::ApiKey>(deadline,
                                    [&](pqxx::work& txn) { return GetKey(txn, id, name); });
}

absl::StatusOr<v1::ListApiKeysResponse> ApiKeyStore::List(db::Deadline deadline,
                                                          const v1::ListApiKeysRequest& request) {
  static const api::ListSchema kSchema{KeyFilterSchema(), KeySortSchema(), "create_time",
                                       "k.id"};  // qualified: Columns() has an id too
  return api::ReadSqlList<v1::ListApiKeysResponse>(
      pool_, deadline, api::TableList(request, kSchema, Columns(), "api_keys k WHERE TRUE"),
      kGatewayDomain, [](v1::ListApiKeysResponse& page, const pqxx::row& row) {
        *page.add_api_keys() = KeyFromRow(row);
      });
}

bool IsFunderId(absl::string_view id) {
  bool ok = !id.empty() && id.size() <= 63 && id[0] >= 'a' && id[0] <= 'z';
  for (char c : id) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  return ok;
}

}  // namespace maillage::gateway
