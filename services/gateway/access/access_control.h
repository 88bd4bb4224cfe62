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
// hash compared in constant time; expired and revoked keys are refused; then the key's token
// bucket (its own rate limit or the gateway's default), which refused calls use up too; then
// the permission table (common/auth/permissions.h) for the key's role and the method.
//
// Before any of that costs the database, the pre-authentication limit (pre_auth_limit.h): a
// token per client address for every key that is not answered from the cache as valid (a key
// looked up, or refused); an address out of tokens gets RESOURCE_EXHAUSTED
// (TOO_MANY_AUTHENTICATION_ATTEMPTS) without a lookup. Unknown prefixes are cached too (at most
// `max_unknown_prefixes`, for `cache_ttl`), so the same made-up key is looked up once.
// Refusals (401, 403, and that 429) are audited through RefusalAudit, aggregated.
//
// Admit blocks while a key is looked up: native gRPC calls it off gRPC's callback threads
// (grpc_passthrough.h).
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
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/gateway/access/api_key_store.h"
#include "services/gateway/access/audit_store.h"
#include "services/gateway/access/call_admission.h"
#include "services/gateway/access/pre_auth_limit.h"
#include "services/gateway/access/refusal_audit.h"

namespace maillage::gateway {

// The header (HTTP) and metadata key (gRPC) that carries the API key.
inline constexpr char kApiKeyHeader[] = "x-api-key";
// The other header (HTTP) and metadata key (gRPC) that may carry it: `Authorization: Bearer
// <key>` (RFC 6750), for clients and tools that only know bearer tokens.
inline constexpr char kAuthorizationHeader[] = "authorization";

// The API key a request presents: its x-api-key when not empty, else the token of an
// `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750), else "" (which Admit
// refuses as API_KEY_MISSING). An Authorization of another scheme presents no key.
std::string PresentedApiKey(absl::string_view x_api_key, absl::string_view authorization);

struct AccessOptions {
  double default_rps = 50;  // requests per second per key, when the key sets none
  int default_burst = 100;  // bucket size per key, when the key sets none
  absl::Duration cache_ttl = absl::Seconds(5);
  absl::Duration last_use_resolution = absl::Minutes(1);  // last_use_time is written this often
  PreAuthLimitOptions pre_auth;                           // per client address, see above
  size_t max_unknown_prefixes = 100000;                   // the cache of prefixes no key has
  RefusalAuditOptions refusal_audit;
  // Where the counters go (gateway_api_key_lookups_total, gateway_refused_calls_total{code});
  // null: a registry of the object's own.
  prometheus::Registry* metrics = nullptr;
};

// An authenticated key, or a person logged in to the staff console (staff_account_id set).
struct Caller {
  int64_t key_id = 0;    // 0 for a person
  std::string key_name;  // "apiKeys/7", or "staffAccounts/3" for a person: the principal's name
  std::string prefix;    // the key's prefix, or the person's e-mail
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string funder_id;  // ROLE_FUNDER: the funder the key speaks for (signed in the principal)
  int64_t staff_account_id = 0;  // a person of the console (console/staff_sessions.h)
  // The principal the gateway signs for the backend call.
  auth::Principal principal(const std::string& request_id) const;
};

// Adds a RetryInfo of `wait` (rounded up to the millisecond) to `status`.
void SetRetryDelay(absl::Status& status, absl::Duration wait);

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
  // method), RESOURCE_EXHAUSTED (RATE_LIMITED, or TOO_MANY_AUTHENTICATION_ATTEMPTS for the
  // client address, with RetryInfo), or UNAVAILABLE when the key cannot be looked up.
  // `context.client_address` selects the pre-authentication bucket. Refusals are audited here
  // (aggregated, see RefusalAudit).
  absl::StatusOr<Caller> Admit(absl::string_view api_key, absl::string_view method,
                               std::chrono::system_clock::time_point deadline,
                               const CallRecord& context = {});

  // The checks that follow authentication, for a caller authenticated otherwise (a console
  // session): its token bucket (`rate_limit_rps` / `_burst`, 0 for the gateway's default) and
  // the permission table; refusals as Admit's.
  absl::StatusOr<Caller> AdmitCaller(const Caller& caller, absl::string_view method,
                                     int rate_limit_rps, int rate_limit_burst,
                                     const CallRecord& context = {});

  // The caller at once, without blocking, when Admit would let it in without touching the
  // database or auditing anything: a valid key answered from the cache (whose last use needs
  // no writing now), allowed `method` by the permission table, with a token in its bucket
  // (taken). nullopt otherwise: the call must go through Admit (nothing was charged).
  std::optional<Caller> AdmitFromCache(absl::string_view api_key, absl::string_view method);

  // Drops the cached entry of `prefix` (after a revocation).
  void Forget(const std::string& prefix);

  // True when a call to `method` ending with `outcome` is written to the audit log: every
  // write (whatever its outcome), every successful read of personal data, every refusal by the
  // permission table.
  static bool ShouldAudit(absl::string_view method, absl::StatusCode outcome);

  // Writes `record` to the audit log when ShouldAudit says so. A failure is logged, not
  // returned: the call it describes has already been answered.
  void Audit(const CallRecord& record);

  // Writes the audit line of a console login, failed login or logout (reason LOGIN; the
  // attempts refused by the login limits in runs, as other refusals).
  void AuditLogin(const CallRecord& record);

  // Writes the pending aggregated lines of refused calls now (tests).
  void FlushRefusals() { refusals_.Flush(); }

  // Keys looked up in the database since start.
  int64_t key_lookups() const { return static_cast<int64_t>(lookups_.Value()); }

 private:
  struct CacheEntry {
    std::optional<ApiKeyRecord> record;
    absl::Time fetched;
    absl::Time last_use_written;
  };
  absl::StatusOr<ApiKeyRecord> Authenticate(absl::string_view api_key,
                                            absl::string_view client_address,
                                            std::chrono::system_clock::time_point deadline);
  // Records the last use of a key, at most once per last_use_resolution.
  void Touch(const ApiKeyRecord& key, absl::Time now,
             std::chrono::system_clock::time_point deadline);
  // Audits a refusal and counts it.
  void Refused(CallRecord record, const absl::Status& status);

  ApiKeyStore& keys_;
  AuditStore& audit_;
  const AccessOptions options_;
  RateLimiter limiter_;
  PreAuthLimit pre_auth_;
  RefusalAudit refusals_;
  prometheus::Registry own_metrics_;
  prometheus::Family<prometheus::Counter>& refused_family_;
  prometheus::Counter& lookups_;
  std::mutex mu_;
  std::map<std::string, CacheEntry> cache_;             // by prefix: keys that exist
  std::map<std::string, absl::Time> unknown_prefixes_;  // prefixes of no key, when looked up
};

// The admission of native gRPC calls (grpc_passthrough.h) by `access`: the x-api-key metadata,
// the permission table and the rate limit; the backend call gets the signed principal; the
// audit line is written when the call ends (without the resource: the pass-through does not
// decode messages).
Admit AdmitNativeGrpc(AccessControl& access);
// The same admission when AdmitFromCache decides it (see AdmitWithoutBlocking).
AdmitWithoutBlocking AdmitNativeGrpcFromCache(AccessControl& access);

}  // namespace maillage::gateway
