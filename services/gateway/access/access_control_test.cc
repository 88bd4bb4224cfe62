// Keys, authentication, permissions, rate limits and audit against a real PostgreSQL.
#include "services/gateway/access/access_control.h"

#include <thread>

#include "common/status/errors.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "services/gateway/access/api_key_text.h"
#include "services/gateway/access/test_database.h"

using maillage::testing::IsOk;

namespace maillage::gateway {

namespace {

constexpr char kGetActor[] = "/maillage.directory.v1.DirectoryService/GetActor";
constexpr char kCreateActor[] = "/maillage.directory.v1.DirectoryService/CreateActor";
constexpr char kListContacts[] = "/maillage.directory.v1.DirectoryService/ListContacts";
constexpr char kCreateKey[] = "/maillage.gateway.v1.GatewayAdminService/CreateApiKey";

db::Deadline Soon() { return std::chrono::system_clock::now() + std::chrono::seconds(10); }

class AccessControlTest : public ::testing::Test {
 protected:
  AccessControlTest() : keys_(pool_), audit_(pool_) {}
  AccessOptions Fast() {
    AccessOptions options;
    options.cache_ttl = absl::ZeroDuration();
    return options;
  }
  // A new key's text.
  std::string NewKey(v1::Role role, int rps = 0, int burst = 0) {
    v1::CreateApiKeyRequest request;
    request.mutable_api_key()->set_display_name("test key");
    request.mutable_api_key()->set_role(role);
    request.mutable_api_key()->mutable_rate_limit()->set_requests_per_second(rps);
    request.mutable_api_key()->mutable_rate_limit()->set_burst(burst);
    absl::StatusOr<v1::CreateApiKeyResponse> created = keys_.Create(Soon(), request, "test");
    EXPECT_THAT(created, IsOk()) << created.status();
    return created.ok() ? created->key() : "";
  }
  std::string Reason(const absl::Status& status) {
    auto info = GetErrorInfo(status);
    return info.has_value() ? info->reason() : "<none>";
  }
  std::vector<v1::AuditEntry> AuditLines() {
    v1::ListAuditEntriesRequest request;
    request.set_page_size(1000);
    absl::StatusOr<v1::ListAuditEntriesResponse> page = audit_.List(Soon(), request);
    EXPECT_THAT(page, IsOk()) << page.status();
    return {page->audit_entries().begin(), page->audit_entries().end()};
  }

  GatewayTestDatabase database_;
  db::Pool& pool_ = database_.pool();
  ApiKeyStore keys_;
  AuditStore audit_;
};

TEST_F(AccessControlTest, CreatedKeyAuthenticatesWithItsRoleAndIsStoredOnlyAsAHash) {
  AccessControl access(keys_, audit_, Fast());
  const std::string key = NewKey(v1::ROLE_STAFF);
  absl::StatusOr<Caller> caller = access.Admit(key, kCreateActor, Soon());
  ASSERT_THAT(caller, IsOk()) << caller.status();
  EXPECT_EQ(caller->role, v1::ROLE_STAFF);
  EXPECT_EQ(caller->key_name, "apiKeys/1");
  EXPECT_EQ(caller->principal("r").key_name, "apiKeys/1");

  const std::string secret = key.substr(key.rfind('_') + 1);
  absl::Status search = pool_.Transact(Soon(), [&](pqxx::work& txn) {
    pqxx::result rows = txn.exec_params(
        "SELECT count(*) FROM api_keys WHERE secret_hash LIKE '%' || $1 || '%' "
        "OR prefix LIKE '%' || $1 || '%' OR display_name LIKE '%' || $1 || '%'",
        secret);
    EXPECT_EQ(rows[0][0].as<int>(), 0) << "the secret is stored in clear";
    return absl::OkStatus();
  });
  ASSERT_THAT(search, IsOk()) << search;
}

TEST_F(AccessControlTest, MissingMalformedWrongRevokedAndExpiredKeysAreRefused) {
  AccessControl access(keys_, audit_, Fast());
  const std::string key = NewKey(v1::ROLE_ADMIN);
  NewKey(v1::ROLE_ADMIN);  // so the first is not the last admin key
  EXPECT_EQ(Reason(access.Admit("", kGetActor, Soon()).status()), "API_KEY_MISSING");
  EXPECT_EQ(Reason(access.Admit("Bearer abc", kGetActor, Soon()).status()), "API_KEY_INVALID");
  std::string wrong = key;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  absl::StatusOr<Caller> refused = access.Admit(wrong, kGetActor, Soon());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Reason(refused.status()), "API_KEY_INVALID");
  ApiKeyText unknown = NewApiKeyText();
  EXPECT_EQ(Reason(access.Admit(unknown.text(), kGetActor, Soon()).status()), "API_KEY_INVALID");

  v1::RevokeApiKeyRequest revoke;
  revoke.set_name("apiKeys/1");
  revoke.set_reason("clé divulguée");
  absl::StatusOr<v1::ApiKey> revoked = keys_.Revoke(Soon(), revoke);
  ASSERT_THAT(revoked, IsOk()) << revoked.status();
  EXPECT_EQ(revoked->state(), v1::API_KEY_STATE_REVOKED);
  EXPECT_EQ(revoked->revoke_reason(), "clé divulguée");
  EXPECT_EQ(Reason(access.Admit(key, kGetActor, Soon()).status()), "API_KEY_REVOKED");

  absl::Status expire = pool_.Transact(Soon(), [](pqxx::work& txn) {
    txn.exec("UPDATE api_keys SET expire_time = now() - interval '1 second' WHERE id = 2");
    return absl::OkStatus();
  });
  ASSERT_THAT(expire, IsOk());
  absl::StatusOr<v1::ApiKey> second = keys_.Get(Soon(), "apiKeys/2");
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->state(), v1::API_KEY_STATE_EXPIRED);
}

TEST_F(AccessControlTest, RevocationThroughThisGatewayAppliesAtOnceDespiteTheCache) {
  AccessOptions options;
  options.cache_ttl = absl::Hours(1);
  AccessControl access(keys_, audit_, options);
  NewKey(v1::ROLE_ADMIN);
  const std::string key = NewKey(v1::ROLE_PARTNER);
  ASSERT_THAT(access.Admit(key, kGetActor, Soon()), IsOk());
  v1::RevokeApiKeyRequest revoke;
  revoke.set_name("apiKeys/2");
  absl::StatusOr<v1::ApiKey> revoked = keys_.Revoke(Soon(), revoke);
  ASSERT_THAT(revoked, IsOk());
  EXPECT_THAT(access.Admit(key, kGetActor, Soon()), IsOk()) << "cached: the cache TTL applies";
  access.Forget(revoked->prefix());
  EXPECT_EQ(Reason(access.Admit(key, kGetActor, Soon()).status()), "API_KEY_REVOKED");
}

// The admission of native gRPC calls on gRPC's own thread: only what Admit would let in at once
// from the cache, nothing that needs the database or an audit line, and no longer than the
// cache: a key revoked elsewhere is refused again within MAILLAGE_KEY_CACHE_TTL.
TEST_F(AccessControlTest, AdmissionFromTheCacheOnlyLetsInWhatAdmitWouldWithoutBlocking) {
  AccessOptions options;
  options.cache_ttl = absl::Milliseconds(300);
  AccessControl access(keys_, audit_, options);
  NewKey(v1::ROLE_ADMIN);
  const std::string partner = NewKey(v1::ROLE_PARTNER, /*rps=*/1, /*burst=*/3);
  EXPECT_FALSE(access.AdmitFromCache(partner, kGetActor).has_value()) << "not looked up yet";
  EXPECT_FALSE(access.AdmitFromCache("", kGetActor).has_value());
  EXPECT_FALSE(access.AdmitFromCache("mlg_nope", kGetActor).has_value());
  ASSERT_THAT(access.Admit(partner, kGetActor, Soon()), IsOk());             // token 1 of 3
  std::optional<Caller> cached = access.AdmitFromCache(partner, kGetActor);  // token 2
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ(cached->key_name, "apiKeys/2");
  EXPECT_EQ(cached->role, v1::ROLE_PARTNER);
  std::string wrong = partner;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  EXPECT_FALSE(access.AdmitFromCache(wrong, kGetActor).has_value()) << "another secret";
  EXPECT_FALSE(access.AdmitFromCache(partner, kListContacts).has_value())
      << "a refusal is Admit's (audited)";
  ASSERT_TRUE(access.AdmitFromCache(partner, kGetActor).has_value());  // token 3
  EXPECT_FALSE(access.AdmitFromCache(partner, kGetActor).has_value()) << "its bucket is empty";
  EXPECT_EQ(Reason(access.Admit(partner, kGetActor, Soon()).status()), "RATE_LIMITED");
  EXPECT_TRUE(AuditLines().empty()) << "nothing audited by the cache's admissions";

  // Revoked through this gateway: at once. Revoked elsewhere: once the cache entry expires.
  const std::string staff = NewKey(v1::ROLE_STAFF);
  ASSERT_THAT(access.Admit(staff, kGetActor, Soon()), IsOk());
  ASSERT_TRUE(access.AdmitFromCache(staff, kGetActor).has_value());
  v1::RevokeApiKeyRequest revoke;
  revoke.set_name("apiKeys/3");
  absl::StatusOr<v1::ApiKey> revoked = keys_.Revoke(Soon(), revoke);
  ASSERT_THAT(revoked, IsOk());
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  EXPECT_FALSE(access.AdmitFromCache(staff, kGetActor).has_value()) << "past the cache TTL";
  EXPECT_EQ(Reason(access.Admit(staff, kGetActor, Soon()).status()), "API_KEY_REVOKED");
  EXPECT_FALSE(access.AdmitFromCache(staff, kGetActor).has_value()) << "cached as revoked";
  const std::string admin = NewKey(v1::ROLE_ADMIN);
  ASSERT_THAT(access.Admit(admin, kGetActor, Soon()), IsOk());
  ASSERT_TRUE(access.AdmitFromCache(admin, kGetActor).has_value());
  access.Forget(admin.substr(4, 8));  // mlg_<8 prefix>_...
  EXPECT_FALSE(access.AdmitFromCache(admin, kGetActor).has_value()) << "forgotten: looked up";
}

TEST_F(AccessControlTest, TheLastAdminKeyCannotBeRevoked) {
  NewKey(v1::ROLE_ADMIN);
  NewKey(v1::ROLE_STAFF);
  v1::RevokeApiKeyRequest revoke;
  revoke.set_name("apiKeys/1");
  absl::StatusOr<v1::ApiKey> refused = keys_.Revoke(Soon(), revoke);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(refused.status()), "LAST_ADMIN_KEY");
  revoke.set_name("apiKeys/2");
  EXPECT_THAT(keys_.Revoke(Soon(), revoke), IsOk());
  EXPECT_THAT(keys_.Revoke(Soon(), revoke), IsOk()) << "revoking twice returns the key";
}

TEST_F(AccessControlTest, PermissionTableRefusalsAreForbiddenAndAudited) {
  AccessControl access(keys_, audit_, Fast());
  const std::string partner = NewKey(v1::ROLE_PARTNER);
  EXPECT_THAT(access.Admit(partner, kGetActor, Soon()), IsOk());
  CallRecord context;
  context.request_id = "req-denied";
  context.http_method = "GET";
  absl::StatusOr<Caller> denied = access.Admit(partner, kListContacts, Soon(), context);
  ASSERT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Reason(denied.status()), "PERMISSION_DENIED");
  EXPECT_EQ(access.Admit(partner, kCreateKey, Soon()).status().code(),
            absl::StatusCode::kPermissionDenied);

  std::vector<v1::AuditEntry> lines = AuditLines();
  ASSERT_EQ(lines.size(), 2u);
  const v1::AuditEntry& first = lines.back();  // newest first
  EXPECT_EQ(first.reason(), v1::AUDIT_REASON_ACCESS_DENIED);
  EXPECT_EQ(first.method(), kListContacts);
  EXPECT_EQ(first.api_key(), "apiKeys/1");
  EXPECT_EQ(first.role(), v1::ROLE_PARTNER);
  EXPECT_EQ(first.request_id(), "req-denied");
  EXPECT_EQ(first.outcome(), google::rpc::PERMISSION_DENIED);
  EXPECT_EQ(first.http_status(), 403);
}

TEST_F(AccessControlTest, RateLimitRefusesBeyondTheBurstWithARetryDelay) {
  AccessControl access(keys_, audit_, Fast());
  const std::string key = NewKey(v1::ROLE_STAFF, /*rps=*/1, /*burst=*/3);
  for (int i = 0; i < 3; ++i) ASSERT_THAT(access.Admit(key, kGetActor, Soon()), IsOk()) << i;
  absl::StatusOr<Caller> limited = access.Admit(key, kGetActor, Soon());
  ASSERT_EQ(limited.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Reason(limited.status()), "RATE_LIMITED");
  std::optional<google::rpc::RetryInfo> retry = GetRetryInfo(limited.status());
  ASSERT_TRUE(retry.has_value());
  EXPECT_GT(retry->retry_delay().seconds() * 1000 + retry->retry_delay().nanos() / 1000000, 0);
  EXPECT_LE(retry->retry_delay().seconds(), 1);
  const std::string other = NewKey(v1::ROLE_STAFF, 1, 3);
  EXPECT_THAT(access.Admit(other, kGetActor, Soon()), IsOk()) << "each key has its own bucket";
}

// A flood of made-up keys from one address: each costs a lookup until the address's
// pre-authentication bucket is empty, then 429 without any lookup. An unknown prefix is looked
// up once (negative cache), and a valid key already checked is let in from that address too.
TEST_F(AccessControlTest, UnknownKeysAreLimitedPerAddressBeforeAnyLookup) {
  AccessOptions options;
  options.pre_auth.rps = 1;
  options.pre_auth.burst = 5;
  AccessControl access(keys_, audit_, options);
  const std::string valid = NewKey(v1::ROLE_STAFF);
  CallRecord flooder;
  flooder.client_address = "10.0.0.66";
  int refused = 0, limited = 0;
  for (int i = 0; i < 50; ++i) {
    absl::Status status = access.Admit(NewApiKeyText().text(), kGetActor, Soon(), flooder).status();
    if (status.code() == absl::StatusCode::kUnauthenticated) ++refused;
    if (status.code() == absl::StatusCode::kResourceExhausted &&
        Reason(status) == "TOO_MANY_AUTHENTICATION_ATTEMPTS") {
      ++limited;
      EXPECT_TRUE(GetRetryInfo(status).has_value());
    }
  }
  EXPECT_EQ(refused, 5);
  EXPECT_EQ(limited, 45);
  EXPECT_EQ(access.key_lookups(), 5);

  CallRecord other;
  other.client_address = "10.0.0.7";
  const std::string unknown = NewApiKeyText().text();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Reason(access.Admit(unknown, kGetActor, Soon(), other).status()), "API_KEY_INVALID");
  }
  EXPECT_EQ(access.key_lookups(), 6) << "an unknown prefix is looked up once";
  ASSERT_THAT(access.Admit(valid, kGetActor, Soon(), other), IsOk());
  EXPECT_EQ(access.key_lookups(), 7);
  EXPECT_THAT(access.Admit(valid, kGetActor, Soon(), flooder), IsOk())
      << "a valid key answered from the cache costs the flooded address nothing";
  EXPECT_EQ(access.key_lookups(), 7);
}

// A valid key whose cache entry has expired is refreshed without a pre-authentication token: the
// limit is for unknown keys (a database outage made a valid client's refreshes 429s).
TEST_F(AccessControlTest, AKeyValidAMomentAgoIsNotChargedAsAnUnknownOne) {
  AccessOptions options = Fast();  // every entry expires at once: each call refreshes its key
  options.pre_auth.rps = 1;
  options.pre_auth.burst = 2;
  AccessControl access(keys_, audit_, options);
  const std::string valid = NewKey(v1::ROLE_STAFF);
  CallRecord client;
  client.client_address = "10.0.0.8";
  for (int i = 0; i < 20; ++i) {
    ASSERT_THAT(access.Admit(valid, kGetActor, Soon(), client), IsOk()) << "call " << i;
  }
  EXPECT_EQ(access.key_lookups(), 20);
  // The first call took one token: an unknown key has one left, then is limited.
  EXPECT_EQ(Reason(access.Admit(NewApiKeyText().text(), kGetActor, Soon(), client).status()),
            "API_KEY_INVALID");
  EXPECT_EQ(Reason(access.Admit(NewApiKeyText().text(), kGetActor, Soon(), client).status()),
            "TOO_MANY_AUTHENTICATION_ATTEMPTS");
  // The valid key's prefix with another secret is an unknown key too.
  std::string forged = valid;
  forged.back() = forged.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(Reason(access.Admit(forged, kGetActor, Soon(), client).status()),
            "TOO_MANY_AUTHENTICATION_ATTEMPTS");
}

// The negative cache is bounded: past max_unknown_prefixes, a new unknown prefix is not kept.
TEST_F(AccessControlTest, TheCacheOfUnknownPrefixesIsBounded) {
  AccessOptions options;
  options.max_unknown_prefixes = 2;
  AccessControl access(keys_, audit_, options);
  std::vector<std::string> unknown;
  for (int i = 0; i < 3; ++i) unknown.push_back(NewApiKeyText().text());
  for (const std::string& key : unknown) access.Admit(key, kGetActor, Soon()).IgnoreError();
  EXPECT_EQ(access.key_lookups(), 3);
  access.Admit(unknown[0], kGetActor, Soon()).IgnoreError();
  access.Admit(unknown[1], kGetActor, Soon()).IgnoreError();
  EXPECT_EQ(access.key_lookups(), 3) << "the first two are cached";
  access.Admit(unknown[2], kGetActor, Soon()).IgnoreError();
  EXPECT_EQ(access.key_lookups(), 4) << "the third was not kept";
}

// Calls refused by the permission table use up the key's bucket like any other, and their
// audit comes in runs: the first refusal of a window has its own line, the rest one line with
// their count. Refused keys (401) likewise, per client address.
TEST_F(AccessControlTest, DeniedCallsAreRateLimitedAndAuditedInRuns) {
  AccessOptions options = Fast();
  options.refusal_audit.window = absl::Hours(1);
  AccessControl access(keys_, audit_, options);
  const std::string partner = NewKey(v1::ROLE_PARTNER, /*rps=*/1, /*burst=*/5);
  CallRecord context;
  context.client_address = "10.0.0.9";
  context.request_id = "req-denied";
  int denied = 0, limited = 0;
  for (int i = 0; i < 20; ++i) {
    absl::Status status = access.Admit(partner, kListContacts, Soon(), context).status();
    if (status.code() == absl::StatusCode::kPermissionDenied) ++denied;
    if (Reason(status) == "RATE_LIMITED") ++limited;
  }
  EXPECT_EQ(denied, 5);
  EXPECT_EQ(limited, 15);
  std::vector<v1::AuditEntry> lines = AuditLines();
  ASSERT_EQ(lines.size(), 1u) << "the first refusal at once, the others counted";
  EXPECT_EQ(lines[0].call_count(), 1);
  EXPECT_EQ(lines[0].client_address(), "10.0.0.9");
  EXPECT_EQ(lines[0].reason(), v1::AUDIT_REASON_ACCESS_DENIED);
  access.FlushRefusals();
  lines = AuditLines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].call_count(), 4);  // newest first
  EXPECT_EQ(lines[0].method(), kListContacts);
  EXPECT_EQ(lines[0].api_key_prefix(), lines[1].api_key_prefix());

  CallRecord stranger;
  stranger.client_address = "10.0.0.10";
  for (int i = 0; i < 30; ++i) access.Admit("", kGetActor, Soon(), stranger).IgnoreError();
  access.FlushRefusals();
  lines = AuditLines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].call_count() + lines[1].call_count(), 30);
  EXPECT_EQ(lines[0].outcome(), google::rpc::UNAUTHENTICATED);
  EXPECT_EQ(lines[0].client_address(), "10.0.0.10");
}

// The count of a run is written when its window ends, without any further call.
TEST_F(AccessControlTest, ARunOfRefusalsIsWrittenWhenItsWindowEnds) {
  AccessOptions options;
  options.refusal_audit.window = absl::Milliseconds(200);
  AccessControl access(keys_, audit_, options);
  CallRecord stranger;
  stranger.client_address = "10.0.0.11";
  for (int i = 0; i < 10; ++i) access.Admit("", kGetActor, Soon(), stranger).IgnoreError();
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  std::vector<v1::AuditEntry> lines = AuditLines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].call_count(), 9);
}

TEST(PresentedApiKeyTest, TakesXApiKeyFirstThenABearerTokenOfAnyCase) {
  EXPECT_EQ(PresentedApiKey("mlg_a", "Bearer mlg_b"), "mlg_a");
  EXPECT_EQ(PresentedApiKey("", "Bearer mlg_b"), "mlg_b");
  EXPECT_EQ(PresentedApiKey("", "bearer   mlg_b "), "mlg_b");
  EXPECT_EQ(PresentedApiKey("", "BEARER mlg_b"), "mlg_b");
  EXPECT_EQ(PresentedApiKey("", "Basic bWxnOng="), "");
  EXPECT_EQ(PresentedApiKey("", "Bearer"), "");
  EXPECT_EQ(PresentedApiKey("", "Bearer "), "");
  EXPECT_EQ(PresentedApiKey("", ""), "");
}

TEST(RateLimiterTest, RefillsAtTheRate) {
  RateLimiter limiter;
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  EXPECT_FALSE(limiter.Take(1, 10, 2, t0).has_value());
  EXPECT_FALSE(limiter.Take(1, 10, 2, t0).has_value());
  std::optional<absl::Duration> wait = limiter.Take(1, 10, 2, t0);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, absl::Milliseconds(100));
  EXPECT_FALSE(limiter.Take(1, 10, 2, t0 + absl::Milliseconds(100)).has_value());
  EXPECT_TRUE(limiter.Take(1, 10, 2, t0 + absl::Milliseconds(100)).has_value());
  EXPECT_FALSE(limiter.Take(1, 10, 2, t0 + absl::Seconds(60)).has_value());
  EXPECT_FALSE(limiter.Take(1, 10, 2, t0 + absl::Seconds(60)).has_value());
  EXPECT_TRUE(limiter.Take(1, 10, 2, t0 + absl::Seconds(60)).has_value()) << "bucket capped";
}

TEST_F(AccessControlTest, WritesAndPersonalDataReadsAreAuditedOtherReadsAreNot) {
  EXPECT_TRUE(AccessControl::ShouldAudit(kCreateActor, absl::StatusCode::kOk));
  EXPECT_TRUE(AccessControl::ShouldAudit(kCreateActor, absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(AccessControl::ShouldAudit(kListContacts, absl::StatusCode::kOk));
  EXPECT_FALSE(AccessControl::ShouldAudit(kListContacts, absl::StatusCode::kNotFound));
  EXPECT_FALSE(AccessControl::ShouldAudit(kGetActor, absl::StatusCode::kOk));
  EXPECT_TRUE(AccessControl::ShouldAudit(kGetActor, absl::StatusCode::kPermissionDenied));

  AccessControl access(keys_, audit_, Fast());
  CallRecord write;
  write.key_id = 0;
  write.method = kCreateActor;
  write.resource = "actors/12";
  write.request_id = "req-w";
  write.transport = v1::TRANSPORT_GRPC;
  access.Audit(write);
  CallRecord read = write;
  read.method = kGetActor;
  access.Audit(read);
  std::vector<v1::AuditEntry> lines = AuditLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].resource(), "actors/12");
  EXPECT_EQ(lines[0].reason(), v1::AUDIT_REASON_WRITE);
  EXPECT_EQ(lines[0].transport(), v1::TRANSPORT_GRPC);

  v1::ListAuditEntriesRequest filtered;
  filtered.set_filter("resource = \"actors/12\" AND outcome = OK AND reason = WRITE");
  absl::StatusOr<v1::ListAuditEntriesResponse> page = audit_.List(Soon(), filtered);
  ASSERT_THAT(page, IsOk()) << page.status();
  EXPECT_EQ(page->audit_entries_size(), 1);
  filtered.set_filter("outcome != OK");
  EXPECT_EQ(audit_.List(Soon(), filtered)->audit_entries_size(), 0);
}

TEST_F(AccessControlTest, CreateValidatesEveryFieldAndReplaysWithoutTheSecret) {
  v1::CreateApiKeyRequest bad;
  bad.mutable_api_key()->mutable_rate_limit()->set_requests_per_second(-1);
  bad.mutable_api_key()->mutable_expire_time()->set_seconds(1);
  absl::StatusOr<v1::CreateApiKeyResponse> refused = keys_.Create(Soon(), bad, "t");
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  for (const char* field : {"api_key.display_name", "api_key.role", "api_key.expire_time",
                            "api_key.rate_limit.requests_per_second"}) {
    EXPECT_NE(refused.status().message().find(field), absl::string_view::npos) << field;
  }

  v1::CreateApiKeyRequest request;
  request.mutable_api_key()->set_display_name("CRESS");
  request.mutable_api_key()->set_role(v1::ROLE_PARTNER);
  request.set_request_id("6f1c7d5e-8a0b-4c2d-9e3f-1a2b3c4d5e6f");
  absl::StatusOr<v1::CreateApiKeyResponse> first = keys_.Create(Soon(), request, "t");
  ASSERT_THAT(first, IsOk()) << first.status();
  EXPECT_FALSE(first->key().empty());
  absl::StatusOr<v1::CreateApiKeyResponse> replay = keys_.Create(Soon(), request, "t");
  ASSERT_THAT(replay, IsOk()) << replay.status();
  EXPECT_EQ(replay->api_key().name(), first->api_key().name());
  EXPECT_EQ(replay->key(), "") << "the secret is shown once";
  v1::ListApiKeysRequest list;
  EXPECT_EQ(keys_.List(Soon(), list)->api_keys_size(), 1);
}

TEST_F(AccessControlTest, EnsureKeyMakesTheFirstAdminKeyOnce) {
  AccessControl access(keys_, audit_, Fast());
  const ApiKeyText key = NewApiKeyText();
  ASSERT_THAT(keys_.EnsureKey(Soon(), key, v1::ROLE_ADMIN, "first admin key"), IsOk());
  ASSERT_THAT(keys_.EnsureKey(Soon(), key, v1::ROLE_ADMIN, "first admin key"), IsOk());
  absl::StatusOr<Caller> caller = access.Admit(key.text(), kCreateKey, Soon());
  ASSERT_THAT(caller, IsOk()) << caller.status();
  EXPECT_EQ(caller->role, v1::ROLE_ADMIN);
  ApiKeyText clash = NewApiKeyText();
  clash.prefix = key.prefix;
  EXPECT_EQ(keys_.EnsureKey(Soon(), clash, v1::ROLE_ADMIN, "x").code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(AccessControlTest, AuditRetentionJobDeletesLinesOlderThanTheRetentionOnItsClock) {
  CallRecord record;
  record.method = "/maillage.directory.v1.DirectoryService/CreateActor";
  record.request_id = "r";
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT(audit_.Record(Soon(), record, v1::AUDIT_REASON_WRITE), IsOk());
  }
  // One line written 100 days ago, one 10 days ago, one now.
  ASSERT_THAT(pool_.Transact(Soon(),
                             [](pqxx::work& txn) {
                               txn.exec(
                                   "UPDATE audit_log SET time = now() - interval '100 days' "
                                   "WHERE id = 1");
                               txn.exec(
                                   "UPDATE audit_log SET time = now() - interval '10 days' "
                                   "WHERE id = 2");
                               return absl::OkStatus();
                             }),
              IsOk());
  service::ManualClock clock(absl::Now());
  service::PeriodicJobs jobs(clock);
  jobs.Add(AuditRetentionJob(audit_, absl::Hours(24 * 30), absl::Hours(1)));
  jobs.RunDue();
  EXPECT_EQ(AuditLines().size(), 2u);
  clock.Advance(absl::Hours(24 * 25));  // the 10-day-old line is now 35 days old
  jobs.RunDue();
  std::vector<v1::AuditEntry> lines = AuditLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].name(), "auditEntries/3");
}

}  // namespace
}  // namespace maillage::gateway
