#include "services/gateway/access/audit_store.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/filter.h"
#include "common/api/list_query.h"
#include "common/api/list_runner.h"
#include "common/api/resource_name.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/code.pb.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {
namespace {

// outcome_code (an integer google.rpc.Code) as its name, for filters.
std::string OutcomeNameSql() {
  std::string sql = "CASE outcome_code";
  const google::protobuf::EnumDescriptor* codes = google::rpc::Code_descriptor();
  for (int i = 0; i < codes->value_count(); ++i) {
    absl::StrAppend(&sql, " WHEN ", codes->value(i)->number(), " THEN '", codes->value(i)->name(),
                    "'");
  }
  absl::StrAppend(&sql, " ELSE 'UNKNOWN' END");
  return sql;
}

std::vector<std::string> OutcomeNames() {
  std::vector<std::string> names;
  const google::protobuf::EnumDescriptor* codes = google::rpc::Code_descriptor();
  for (int i = 0; i < codes->value_count(); ++i) names.push_back(codes->value(i)->name());
  return names;
}

constexpr char kColumns[] =
    "a.id, (extract(epoch FROM a.time) * 1000000)::bigint, a.key_id, a.key_prefix, a.role, "
    "a.grpc_method, a.transport, a.http_method, a.path, a.resource, a.request_id, "
    "a.outcome_code, a.http_status, a.reason, a.personal_data, a.duration_ms, a.call_count, "
    "a.client_address, a.staff_account_id";

v1::AuditEntry EntryFromRow(const pqxx::row& row) {
  v1::AuditEntry entry;
  entry.set_name(api::ResourceName("auditEntries", row[0].as<int64_t>()));
  *entry.mutable_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row[1].as<int64_t>());
  if (!row[2].is_null()) entry.set_api_key(api::ResourceName("apiKeys", row[2].as<int64_t>()));
  entry.set_api_key_prefix(row[3].is_null() ? "" : row[3].as<std::string>());
  v1::Role role = v1::ROLE_UNSPECIFIED;
  if (!row[4].is_null()) v1::Role_Parse(row[4].as<std::string>(), &role);
  entry.set_role(role);
  entry.set_method(row[5].as<std::string>());
  entry.set_transport(row[6].as<std::string>() == "grpc" ? v1::TRANSPORT_GRPC : v1::TRANSPORT_HTTP);
  entry.set_http_method(row[7].is_null() ? "" : row[7].as<std::string>());
  entry.set_http_path(row[8].is_null() ? "" : row[8].as<std::string>());
  entry.set_resource(row[9].is_null() ? "" : row[9].as<std::string>());
  entry.set_request_id(row[10].as<std::string>());
  entry.set_outcome(static_cast<google::rpc::Code>(row[11].as<int>()));
  entry.set_http_status(row[12].is_null() ? 0 : row[12].as<int>());
  v1::AuditReason reason = v1::AUDIT_REASON_UNSPECIFIED;
  v1::AuditReason_Parse(row[13].as<std::string>(), &reason);
  entry.set_reason(reason);
  entry.set_personal_data_read(row[14].as<bool>());
  entry.set_duration_ms(row[15].is_null() ? 0 : static_cast<int32_t>(row[15].as<double>()));
  entry.set_call_count(row[16].as<int>());
  entry.set_client_address(row[17].is_null() ? "" : row[17].as<std::string>());
  if (!row[18].is_null()) {
    entry.set_staff_account(api::ResourceName("staffAccounts", row[18].as<int64_t>()));
  }
  return entry;
}

const api::FilterSchema& AuditFilterSchema() {
  using T = api::FilterField::Type;
  static const auto* const schema = new api::FilterSchema{
      {"api_key", {"'apiKeys/' || a.key_id::text", T::kString}},
      {"api_key_prefix", {"COALESCE(a.key_prefix, '')", T::kString}},
      {"role",
       {"COALESCE(a.role, 'ROLE_UNSPECIFIED')",
        T::kEnum,
        "ROLE_",
        {"UNSPECIFIED", "ADMIN", "STAFF", "FUNDER", "PARTNER"}}},
      {"method", {"a.grpc_method", T::kString}},
      {"transport",
       {"CASE a.transport WHEN 'grpc' THEN 'TRANSPORT_GRPC' ELSE 'TRANSPORT_HTTP' END",
        T::kEnum,
        "TRANSPORT_",
        {"HTTP", "GRPC"}}},
      {"http_method", {"COALESCE(a.http_method, '')", T::kString}},
      {"resource", {"COALESCE(a.resource, '')", T::kString}},
      {"request_id", {"a.request_id", T::kString}},
      {"outcome", {OutcomeNameSql(), T::kEnum, "", OutcomeNames()}},
      {"reason",
       {"a.reason",
        T::kEnum,
        "AUDIT_REASON_",
        {"WRITE", "PERSONAL_DATA_READ", "ACCESS_DENIED", "LOGIN", "SHARE_LINK_USE"}}},
      {"personal_data_read", {"a.personal_data", T::kBool}},
      {"client_address", {"COALESCE(a.client_address, '')", T::kString}},
      {"call_count", {"a.call_count", T::kInt}},
      {"staff_account", {"COALESCE('staffAccounts/' || a.staff_account_id::text, '')", T::kString}},
      {"time", {"a.time", T::kTimestamp}},
  };
  return *schema;
}

const api::SortSchema& AuditSortSchema() {
  static const auto* const schema = new api::SortSchema{{"time", {"a.time", "timestamptz"}}};
  return *schema;
}

}  // namespace

std::string ResourceOf(const google::protobuf::Message& request,
                       const google::protobuf::Message* answer) {
  for (const google::protobuf::Message* message : {&request, answer}) {
    if (message == nullptr) continue;
    for (const char* field_name : {"name", "parent"}) {
      const auto* field = message->GetDescriptor()->FindFieldByName(field_name);
      if (field == nullptr || field->is_repeated() ||
          field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
        continue;
      }
      std::string value = message->GetReflection()->GetString(*message, field);
      if (!value.empty()) return value;
      if (message == answer) break;  // only the answer's name
    }
  }
  return "";
}

absl::Status AuditStore::Record(db::Deadline deadline, const CallRecord& record,
                                v1::AuditReason reason) {
  std::optional<int64_t> key_id, staff_account_id;
  if (record.key_id != 0) key_id = record.key_id;
  if (record.staff_account_id != 0) staff_account_id = record.staff_account_id;
  std::optional<std::string> role, http_method, path, resource, prefix;
  if (record.role != v1::ROLE_UNSPECIFIED) role = v1::Role_Name(record.role);
  if (!record.http_method.empty()) http_method = record.http_method;
  if (!record.http_path.empty()) path = record.http_path;
  if (!record.resource.empty()) resource = record.resource;
  if (!record.key_prefix.empty()) prefix = record.key_prefix;
  std::optional<std::string> client_address;
  if (!record.client_address.empty()) client_address = record.client_address;
  std::optional<int> http_status;
  if (record.http_status != 0) http_status = record.http_status;
  return pool_.Transact(deadline, [&](pqxx::work& txn) {
    txn.exec_params(
        "INSERT INTO audit_log (key_id, key_prefix, role, grpc_method, transport, http_method, "
        "path, resource, request_id, outcome_code, http_status, reason, personal_data, "
        "duration_ms, call_count, client_address, staff_account_id) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        key_id, prefix, role, record.method,
        record.transport == v1::TRANSPORT_GRPC ? "grpc" : "http", http_method, path, resource,
        record.request_id, static_cast<int>(record.outcome), http_status,
        v1::AuditReason_Name(reason), reason == v1::AUDIT_REASON_PERSONAL_DATA_READ,
        absl::ToDoubleMilliseconds(record.duration), std::max(1, record.call_count), client_address,
        staff_account_id);
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> AuditStore::Purge(absl::Time cutoff) {
  constexpr int64_t kBatch = 10000;
  int64_t purged = 0;
  while (true) {
    MAILLAGE_ASSIGN_OR_RETURN(
        int64_t batch,
        pool_.Transact<int64_t>(
            std::chrono::system_clock::now() + std::chrono::minutes(5),
            [&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
              return txn
                  .exec_params(
                      "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE time < "
                      "'epoch'::timestamptz + $1::bigint * interval '1 microsecond' "
                      "ORDER BY time, id LIMIT $2)",
                      absl::ToUnixMicros(cutoff), kBatch)
                  .affected_rows();
            }));
    purged += batch;
    if (batch < kBatch) return purged;
  }
}

service::PeriodicJob AuditRetentionJob(AuditStore& audit, absl::Duration retention,
                                       absl::Duration interval) {
  return {"audit_log retention", interval,
          [&audit, retention](absl::Time now) { return audit.Purge(now - retention); }};
}

absl::StatusOr<v1::AuditEntry> AuditStore::Get(db::Deadline deadline, const std::string& name) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                            api::ParseResourceId(name, "auditEntries", "name", kGatewayDomain));
  const std::string sql = absl::StrCat("SELECT ", kColumns, " FROM audit_log a WHERE a.id = $1");
  return pool_.ReadOnly<v1::AuditEntry>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::AuditEntry> {
        pqxx::result rows = txn.exec_params(sql, id);
        if (rows.empty()) {
          return NotFound(kGatewayDomain, "AUDIT_ENTRY_NOT_FOUND",
                          absl::StrCat("audit entry ", name, " does not exist"), {{"name", name}});
        }
        return EntryFromRow(rows[0]);
      });
}

absl::StatusOr<v1::ListAuditEntriesResponse> AuditStore::List(
    db::Deadline deadline, const v1::ListAuditEntriesRequest& request) {
  static const api::ListSchema kSchema{AuditFilterSchema(), AuditSortSchema(), "time desc", "a.id"};
  return api::ReadSqlList<v1::ListAuditEntriesResponse>(
      pool_, deadline, api::TableList(request, kSchema, kColumns, "audit_log a WHERE TRUE"),
      kGatewayDomain, [](v1::ListAuditEntriesResponse& page, const pqxx::row& row) {
        *page.add_audit_entries() = EntryFromRow(row);
      });
}

}  // namespace maillage::gateway
