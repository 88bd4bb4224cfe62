// Who may come in: the one sequence the gateway runs for every public call, HTTP or gRPC.
//
//   absl::StatusOr<Caller> caller = access.Admit(api_key_header, method, deadline);
//   if (!caller.ok()) ... answer 401 / 403 / 429 (RESOURCE_EXHAUSTED with RetryInfo) ...
//   {
//     auth::CallerScope scope(caller->principal(request_id));  // signed onto the backend call
//     status = backend.Call(...);
//   }
//   access.Audit({...});  // writes a line when the call must be audited (ShouldAudit)
//
// Admit: the key's text is parsed, its prefix looked up (cached for `cache_ttl`: a revocation
// made through this gateway applies at once; one made elsewhere within cache_ttl), the secret's
// hash compared in constant time; expired and revoked keys are refused; then the permission
// table (common/auth/permissions.h) for the key's role and the method; then the key's token
// bucket (its own rate limit or the gateway's default).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/db/pool.h"
#include "maillage/gateway/v1/audit_entry.pb.h"
#include "maillage/gateway/v1/gateway_admin_service.pb.h"
#include "services/gateway/access/api_key_store.h"
#include "services/gateway/access/audit_store.h"
#include "services/gateway/access/call_admission.h"

namespace maillage::gateway {

// The header (HTTP) and metadata key (gRPC) that carries the API key.
inline constexpr char kApiKeyHeader[] = "x-api-key";

struct AccessOptions {
  double default_rps = 50;  // requests per second per key, when the key sets none
  int default_burst = 100;  // bucket size per key, when the key sets none
  absl::Duration cache_ttl = absl::Seconds(5);
  absl::Duration last_use_resolution = absl::Minutes(1);  // last_use_time is written this often
};

// An authenticated key.
struct Caller {
  int64_t key_id = 0;
  std::string key_name;  // "apiKeys/7"
  std::string prefix;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string funder_id;  // ROLE_FUNDER: the funder the key speaks for (signed in the principal)
  // The principal the gateway signs for the backend call.
  auth::Principal principal(const std::string& request_id) const;
};

// Token buckets, one per key.
class RateLimiter {
 public:
  // Takes a token for `key_id` (rate `rps`, bucket `burst`) at `now`; nullopt when allowed,
  // otherwise how long until a token is available.
  std::optional<absl::Duration> Take(int64_t key_id, double rps, int burst, absl::Time now);

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };
  std::mutex mu_;
  std::map<int64_t, Bucket> buckets_;
};

class AccessControl {
 public:
  // `keys` and `audit` must outlive this object.
  AccessControl(ApiKeyStore& keys, AuditStore& audit, AccessOptions options);

  // The caller, or the status to answer: UNAUTHENTICATED (API_KEY_MISSING, API_KEY_INVALID,
  // API_KEY_EXPIRED, API_KEY_REVOKED), PERMISSION_DENIED (PERMISSION_DENIED with role and
  // method), RESOURCE_EXHAUSTED (RATE_LIMITED, with RetryInfo), or UNAVAILABLE when the key
  // cannot be looked up. A refusal by the permission table is audited here.
  absl::StatusOr<Caller> Admit(absl::string_view api_key, absl::string_view method,
                               std::chrono::system_clock::time_point deadline,
                               const CallRecord& context = {});

  // Drops the cached entry of `prefix` (after a revocation).
  void Forget(const std::string& prefix);

  // True when a call to `method` ending with `outcome` is written to the audit log: every
  // write (whatever its outcome), every successful read of personal data, every refusal by the
  // permission table.
  static bool ShouldAudit(absl::string_view method, absl::StatusCode outcome);

  // Writes `record` to the audit log when ShouldAudit says so. A failure is logged, not
  // returned: the call it describes has already been answered.
  void Audit(const CallRecord& record);

 private:
  struct CacheEntry {
    std::optional<ApiKeyRecord> record;
    absl::Time fetched;
    absl::Time last_use_written;
  };
  absl::StatusOr<ApiKeyRecord> Authenticate(absl::string_view api_key,
                                            std::chrono::system_clock::time_point deadline);

  ApiKeyStore& keys_;
  AuditStore& audit_;
  const AccessOptions options_;
  RateLimiter limiter_;
  std::mutex mu_;
  std::map<std::string, CacheEntry> cache_;  // by prefix
};

// The admission of native gRPC calls (grpc_passthrough.h) by `access`: the x-api-key metadata,
// the permission table and the rate limit; the backend call gets the signed principal; the
// audit line is written when the call ends (without the resource: the pass-through does not
// decode messages).
Admit AdmitNativeGrpc(AccessControl& access);

}  // namespace maillage::gateway
