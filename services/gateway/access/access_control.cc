#include "services/gateway/access/access_control.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/caller.h"
#include "common/auth/permissions.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "google/protobuf/duration.pb.h"
#include "google/rpc/error_details.pb.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {
namespace {

absl::Status Unauthenticated(absl::string_view reason, absl::string_view message) {
  return MakeError(absl::StatusCode::kUnauthenticated, kGatewayDomain, reason, message);
}

}  // namespace

void SetRetryDelay(absl::Status& status, absl::Duration wait) {
  google::rpc::RetryInfo retry;
  const int64_t millis = std::max<int64_t>(1, absl::ToInt64Milliseconds(wait) + 1);
  retry.mutable_retry_delay()->set_seconds(millis / 1000);
  retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>(millis % 1000) * 1000000);
  SetRetryInfo(status, retry);
}

auth::Principal Caller::principal(const std::string& request_id) const {
  auth::Principal principal{key_name, role, 0, request_id};
  principal.funder_id = funder_id;
  return principal;
}

std::optional<absl::Duration> RateLimiter::Take(int64_t key_id, double rps, int burst,
                                                absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = buckets_.try_emplace(key_id, Bucket{static_cast<double>(burst), now});
  Bucket& bucket = it->second;
  if (!inserted) {
    const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - bucket.updated));
    bucket.tokens = std::min<double>(burst, bucket.tokens + elapsed * rps);
    bucket.updated = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  return absl::Seconds((1 - bucket.tokens) / rps);
}

AccessControl::AccessControl(ApiKeyStore& keys, AuditStore& audit, AccessOptions options)
    : keys_(keys),
      audit_(audit),
      options_(options),
      pre_auth_(options.pre_auth),
      refusals_(audit, options.refusal_audit),
      refused_family_(prometheus::BuildCounter()
                          .Name("gateway_refused_calls_total")
                          .Help("Calls refused by the gateway's access control, by gRPC code")
                          .Register(options.metrics ? *options.metrics : own_metrics_)),
      lookups_(prometheus::BuildCounter()
                   .Name("gateway_api_key_lookups_total")
                   .Help("API keys looked up in the gateway's database (cache misses)")
                   .Register(options.metrics ? *options.metrics : own_metrics_)
                   .Add({})) {}

absl::StatusOr<ApiKeyRecord> AccessControl::Authenticate(
    absl::string_view api_key, absl::string_view client_address,
    std::chrono::system_clock::time_point deadline) {
  const absl::Time now = absl::Now();
  absl::StatusOr<ApiKeyText> text =
      api_key.empty()
          ? Unauthenticated("API_KEY_MISSING",
                            absl::StrCat("this API needs a key: send it in the ", kApiKeyHeader,
                                         " header (HTTP) or metadata (gRPC), or as "
                                         "Authorization: Bearer <key>"))
          : ParseApiKeyText(api_key);
  std::string secret_hash;
  std::optional<ApiKeyRecord> record;
  bool known = false;  // the cache answers for this prefix (a key, or none)
  // A key whose cache entry has expired but matches it was valid a moment ago: its refresh is
  // not an unknown key's lookup (and a database outage must not turn it into a 429).
  bool seen_before = false;
  if (text.ok()) {
    secret_hash = HashApiKeySecret(text->secret);
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(text->prefix);
    if (it != cache_.end() && now - it->second.fetched < options_.cache_ttl) {
      record = it->second.record;
      known = true;
    } else if (it != cache_.end() && it->second.record.has_value() &&
               SameHash(it->second.record->secret_hash, secret_hash)) {
      seen_before = true;
    } else if (auto unknown = unknown_prefixes_.find(text->prefix);
               unknown != unknown_prefixes_.end() && now - unknown->second < options_.cache_ttl) {
      known = true;
    }
  }
  // A valid key answered from the cache costs nothing: it is let through at once.
  const bool valid_cached = known && record.has_value() && !record->revoke_time.has_value() &&
                            (!record->expire_time.has_value() || *record->expire_time > now) &&
                            SameHash(record->secret_hash, secret_hash);
  if (valid_cached) {
    Touch(*record, now, deadline);
    return *std::move(record);
  }
  // Anything else (a lookup, or a refusal) is charged to the client's address first.
  std::optional<absl::Duration> wait;
  if (!seen_before) wait = pre_auth_.Take(client_address, now);
  if (wait.has_value()) {
    absl::Status limited = MakeError(
        absl::StatusCode::kResourceExhausted, kGatewayDomain, "TOO_MANY_AUTHENTICATION_ATTEMPTS",
        absl::StrCat("too many unknown or refused API keys from ", client_address, "; retry later"),
        {{"client_address", std::string(client_address)}});
    SetRetryDelay(limited, *wait);
    return limited;
  }
  if (!text.ok()) return text.status();
  if (!known) {
    lookups_.Increment();
    absl::StatusOr<std::optional<ApiKeyRecord>> found = keys_.FindByPrefix(deadline, text->prefix);
    if (!found.ok()) {
      return Unavailable(
          kGatewayDomain, "API_KEY_LOOKUP_FAILED",
          absl::StrCat("the API key cannot be checked now: ", found.status().message()));
    }
    record = *std::move(found);
    std::lock_guard<std::mutex> lock(mu_);
    if (record.has_value()) {
      CacheEntry& entry = cache_[text->prefix];
      entry.record = record;
      entry.fetched = now;
    } else {
      // Bounded: when full, the expired entries go; when none has, the prefix is not kept
      // (its next try costs a lookup again, and a token of its address).
      if (unknown_prefixes_.size() >= options_.max_unknown_prefixes) {
        for (auto it = unknown_prefixes_.begin(); it != unknown_prefixes_.end();) {
          it = now - it->second >= options_.cache_ttl ? unknown_prefixes_.erase(it) : std::next(it);
        }
      }
      if (unknown_prefixes_.size() < options_.max_unknown_prefixes) {
        unknown_prefixes_[text->prefix] = now;
      }
    }
  }
  if (!record.has_value() || !SameHash(record->secret_hash, secret_hash)) {
    return Unauthenticated("API_KEY_INVALID", "the API key is not valid");
  }
  if (record->revoke_time.has_value()) {
    return Unauthenticated("API_KEY_REVOKED",
                           absl::StrCat("the API key ", record->prefix, " has been revoked"));
  }
  if (record->expire_time.has_value() && *record->expire_time <= now) {
    return Unauthenticated("API_KEY_EXPIRED",
                           absl::StrCat("the API key ", record->prefix, " has expired"));
  }
  Touch(*record, now, deadline);
  return *std::move(record);
}

void AccessControl::Touch(const ApiKeyRecord& key, absl::Time now,
                          std::chrono::system_clock::time_point deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    CacheEntry& entry = cache_[key.prefix];
    if (now - entry.last_use_written < options_.last_use_resolution) return;
    entry.last_use_written = now;
  }
  absl::Status touched = keys_.TouchLastUse(deadline, key.id);
  if (!touched.ok()) {
    log::Warn("cannot record the last use of an API key",
              {{"key", key.name}, {"error", std::string(touched.message())}});
  }
}

void AccessControl::Refused(CallRecord record, const absl::Status& status) {
  record.outcome = status.code();
  if (record.transport == v1::TRANSPORT_HTTP && record.http_status == 0) {
    record.http_status = HttpStatusOf(static_cast<int>(status.code()));
  }
  refused_family_.Add({{"code", std::string(StatusCodeName(status.code()))}}).Increment();
  refusals_.Record(record, v1::AUDIT_REASON_ACCESS_DENIED);
}

absl::StatusOr<Caller> AccessControl::Admit(absl::string_view api_key, absl::string_view method,
                                            std::chrono::system_clock::time_point deadline,
                                            const CallRecord& context) {
  CallRecord record = context;
  record.method = std::string(method);
  absl::StatusOr<ApiKeyRecord> key = Authenticate(api_key, context.client_address, deadline);
  if (!key.ok()) {
    if (key.status().code() != absl::StatusCode::kUnavailable) Refused(record, key.status());
    return key.status();
  }
  Caller caller{key->id, key->name, key->prefix, key->role, key->funder_id};
  return AdmitCaller(caller, method, key->rate_limit_rps, key->rate_limit_burst, record);
}

absl::StatusOr<Caller> AccessControl::AdmitCaller(const Caller& caller, absl::string_view method,
                                                  int rate_limit_rps, int rate_limit_burst,
                                                  const CallRecord& context) {
  CallRecord record = context;
  record.method = std::string(method);
  // Who it is, for messages: a key by its prefix, a person by the account's name.
  const std::string who = caller.staff_account_id != 0
                              ? absl::StrCat("the account ", caller.key_name)
                              : absl::StrCat("the API key ", caller.prefix);
  // The caller's bucket first: one calling what it may not call is limited like any other.
  const double rps = rate_limit_rps > 0 ? rate_limit_rps : options_.default_rps;
  const int burst = rate_limit_burst > 0 ? rate_limit_burst : options_.default_burst;
  // Keys and accounts have buckets of their own: accounts under negative ids.
  const int64_t bucket = caller.staff_account_id != 0 ? -caller.staff_account_id : caller.key_id;
  if (std::optional<absl::Duration> wait = limiter_.Take(bucket, rps, burst, absl::Now())) {
    absl::Status limited =
        MakeError(absl::StatusCode::kResourceExhausted, kGatewayDomain, "RATE_LIMITED",
                  absl::StrCat(who, " is over its rate limit (", rps, " requests/s, burst ", burst,
                               "); retry later"),
                  {{"requests_per_second", absl::StrCat(rps)}, {"burst", absl::StrCat(burst)}});
    SetRetryDelay(limited, *wait);
    return limited;
  }
  if (!auth::Allowed(caller.role, method)) {
    const std::string role = v1::Role_Name(caller.role);
    absl::Status denied =
        PermissionDenied(kGatewayDomain, "PERMISSION_DENIED",
                         absl::StrCat(who, " (role ", role, ") may not call ", method),
                         {{"role", role}, {"method", std::string(method)}});
    record.key_id = caller.key_id;
    record.key_prefix = caller.prefix;
    record.staff_account_id = caller.staff_account_id;
    record.role = caller.role;
    Refused(record, denied);
    return denied;
  }
  return caller;
}

std::optional<Caller> AccessControl::AdmitFromCache(absl::string_view api_key,
                                                    absl::string_view method) {
  if (api_key.empty()) return std::nullopt;
  absl::StatusOr<ApiKeyText> text = ParseApiKeyText(api_key);
  if (!text.ok()) return std::nullopt;
  const absl::Time now = absl::Now();
  std::optional<ApiKeyRecord> record;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(text->prefix);
    if (it == cache_.end() || !it->second.record.has_value() ||
        now - it->second.fetched >= options_.cache_ttl ||
        now - it->second.last_use_written >= options_.last_use_resolution) {
      return std::nullopt;  // a lookup, or the last use to write: Admit, on a worker
    }
    record = it->second.record;
  }
  if (record->revoke_time.has_value() ||
      (record->expire_time.has_value() && *record->expire_time <= now) ||
      !SameHash(record->secret_hash, HashApiKeySecret(text->secret)) ||
      !auth::Allowed(record->role, method)) {
    return std::nullopt;  // refused: Admit audits it
  }
  const double rps = record->rate_limit_rps > 0 ? record->rate_limit_rps : options_.default_rps;
  const int burst =
      record->rate_limit_burst > 0 ? record->rate_limit_burst : options_.default_burst;
  if (limiter_.Take(record->id, rps, burst, now).has_value()) return std::nullopt;  // no token
  return Caller{record->id, record->name, record->prefix, record->role, record->funder_id};
}

void AccessControl::Forget(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.erase(prefix);
}

bool AccessControl::ShouldAudit(absl::string_view method, absl::StatusCode outcome) {
  const auth::MethodRule* rule = auth::FindRule(method);
  if (rule == nullptr) return outcome == absl::StatusCode::kPermissionDenied;
  if (!rule->read_only) return true;
  if (outcome == absl::StatusCode::kPermissionDenied) return true;
  return rule->personal_data && outcome == absl::StatusCode::kOk;
}

void AccessControl::Audit(const CallRecord& record) {
  if (!ShouldAudit(record.method, record.outcome)) return;
  const auth::MethodRule* rule = auth::FindRule(record.method);
  v1::AuditReason reason = v1::AUDIT_REASON_WRITE;
  if (record.outcome == absl::StatusCode::kPermissionDenied) {
    reason = v1::AUDIT_REASON_ACCESS_DENIED;
  } else if (rule != nullptr && rule->read_only) {
    reason = v1::AUDIT_REASON_PERSONAL_DATA_READ;
  }
  absl::Status written =
      audit_.Record(std::chrono::system_clock::now() + std::chrono::seconds(5), record, reason);
  if (!written.ok()) {
    log::Error("cannot write the audit line", {{"method", record.method},
                                               {"request_id", record.request_id},
                                               {"error", std::string(written.message())}});
  }
}

void AccessControl::AuditLogin(const CallRecord& record) {
  // A flood of refused attempts is written in runs, as the other refusals.
  if (record.outcome == absl::StatusCode::kResourceExhausted) {
    refusals_.Record(record, v1::AUDIT_REASON_LOGIN);
    return;
  }
  absl::Status written = audit_.Record(std::chrono::system_clock::now() + std::chrono::seconds(5),
                                       record, v1::AUDIT_REASON_LOGIN);
  if (!written.ok()) {
    log::Error("cannot write the audit line of a login",
               {{"method", record.method}, {"error", std::string(written.message())}});
  }
}

std::string PresentedApiKey(absl::string_view x_api_key, absl::string_view authorization) {
  if (!x_api_key.empty()) return std::string(x_api_key);
  authorization = absl::StripAsciiWhitespace(authorization);
  constexpr absl::string_view kBearer = "bearer ";
  if (authorization.size() <= kBearer.size() ||
      !absl::EqualsIgnoreCase(authorization.substr(0, kBearer.size()), kBearer)) {
    return "";
  }
  return std::string(absl::StripLeadingAsciiWhitespace(authorization.substr(kBearer.size())));
}

namespace {

// The x-api-key (or bearer token) and the audit record of a native gRPC call.
CallRecord NativeGrpcRecord(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
                            const std::string& method, const std::string& peer,
                            std::string& api_key) {
  auto value = [&](const char* key) {
    auto it = metadata.find(key);
    return it == metadata.end() ? std::string() : std::string(it->second.data(), it->second.size());
  };
  CallRecord record;
  record.transport = v1::TRANSPORT_GRPC;
  record.method = method;
  record.request_id = value("x-request-id");
  record.client_address = ClientAddressOfPeer(peer);
  api_key = PresentedApiKey(value(kApiKeyHeader), value(kAuthorizationHeader));
  return record;
}

// The admitted call of `caller`: its principal signed for this one method, and the audit line
// written when the call ends, when it needs one.
AdmittedCall AdmittedNativeGrpc(AccessControl& access, const Caller& caller, CallRecord record) {
  record.key_id = caller.key_id;
  record.key_prefix = caller.prefix;
  record.role = caller.role;
  // Signed for this one method, as server::MakeChannel's channels sign the others.
  auth::Principal principal = caller.principal(record.request_id);
  principal.audience = record.method;
  principal.expire_unix_ms = absl::ToUnixMillis(absl::Now() + auth::kOutgoingLifetime);
  AdmittedCall admitted;
  admitted.metadata.emplace_back(auth::kPrincipalMetadataKey,
                                 auth::SignPrincipal(principal, auth::ProcessSecret()));
  const absl::Time start = absl::Now();
  admitted.done_wanted = [method = record.method](const grpc::Status& status) {
    return AccessControl::ShouldAudit(method, static_cast<absl::StatusCode>(status.error_code()));
  };
  admitted.done = [&access, record, start](const grpc::Status& status) mutable {
    record.outcome = static_cast<absl::StatusCode>(status.error_code());
    record.duration = absl::Now() - start;
    access.Audit(record);
  };
  return admitted;
}

}  // namespace

Admit AdmitNativeGrpc(AccessControl& access) {
  return [&access](const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
                   const std::string& method,
                   const std::string& peer) -> absl::StatusOr<AdmittedCall> {
    std::string api_key;
    CallRecord record = NativeGrpcRecord(metadata, method, peer, api_key);
    absl::StatusOr<Caller> caller = access.Admit(
        api_key, method, std::chrono::system_clock::now() + std::chrono::seconds(5), record);
    if (!caller.ok()) return caller.status();
    return AdmittedNativeGrpc(access, *caller, std::move(record));
  };
}

AdmitWithoutBlocking AdmitNativeGrpcFromCache(AccessControl& access) {
  return
      [&access](const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
                const std::string& method, const std::string& peer) -> std::optional<AdmittedCall> {
        std::string api_key;
        CallRecord record = NativeGrpcRecord(metadata, method, peer, api_key);
        std::optional<Caller> caller = access.AdmitFromCache(api_key, method);
        if (!caller.has_value()) return std::nullopt;
        return AdmittedNativeGrpc(access, *caller, std::move(record));
      };
}

}  // namespace maillage::gateway
