// Security end to end: the four binaries and PostgreSQL, API keys created through the gateway,
// every role against every method (the matrix generated from the permission table) through
// HTTP and straight at the services, keys missing/malformed/revoked/expired, rate limits, the
// audit log, CORS.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/auth/permissions.h"
#include "common/auth/principal.h"
#include "common/testing/status_matchers.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "maillage/directory/v1/actor.pb.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"
#include "maillage/gateway/v1/gateway_admin_service.grpc.pb.h"
#include "maillage/gateway/v1/report_service.grpc.pb.h"
#include "services/gateway/routing/route_table.h"
#include "tests/e2e/suite.h"

using maillage::testing::IsOk;

namespace maillage::testing {
namespace {

namespace gw = ::maillage::gateway::v1;

class SecurityE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    suite_ = new Suite();
    // A funder's key names the funder it speaks for.
    for (gw::Role role : auth::AllRoles()) {
      keys_[role] = CreateKey(gw::Role_Name(role), role,
                              role == gw::ROLE_FUNDER ? R"(,"funderId":"dijon-metropole")" : "");
    }
  }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }

  static httplib::Client Http(const std::string& key) {
    httplib::Client client("127.0.0.1", suite_->ports().http);
    client.set_read_timeout(15, 0);
    if (!key.empty()) client.set_default_headers({{"x-api-key", key}});
    return client;
  }

  // A new key with `role` made by the admin through the API; returns its text.
  static std::string CreateKey(const std::string& name, gw::Role role,
                               const std::string& extra = "") {
    httplib::Client admin = Http(Suite::kAdminKey);
    const std::string body = absl::StrCat(R"({"displayName":")", name, R"(","role":")",
                                          gw::Role_Name(role), "\"", extra, "}");
    auto response = admin.Post("/v1/apiKeys", body, "application/json");
    EXPECT_TRUE(response) << "no answer";
    if (!response) return "";
    EXPECT_EQ(response->status, 200) << response->body;
    gw::CreateApiKeyResponse created;
    EXPECT_THAT(google::protobuf::util::JsonStringToMessage(response->body, &created), IsOk())
        << response->body;
    return created.key();
  }

  // "reason" of the AIP-193 envelope's ErrorInfo.
  static std::string ReasonOf(const std::string& body) {
    const std::string marker = "\"reason\":\"";
    size_t at = body.find(marker);
    if (at == std::string::npos) {
      at = body.find("\"reason\": \"");
      if (at == std::string::npos) return "";
      at += 11;
    } else {
      at += marker.size();
    }
    return body.substr(at, body.find('"', at) - at);
  }

  static Suite* suite_;
  static std::map<gw::Role, std::string> keys_;
};

constexpr char kDirectoryListActors[] = "/maillage.directory.v1.DirectoryService/ListActors";
constexpr char kBudgetListActions[] = "/maillage.budget.v1.BudgetService/ListActions";

Suite* SecurityE2eTest::suite_ = nullptr;
std::map<gw::Role, std::string> SecurityE2eTest::keys_;

// A concrete path for a route: every variable's `*`/`**` becomes "1".
std::string SamplePath(const gateway::Route& route) {
  std::string path = route.path.Shape();
  std::vector<std::string> parts = absl::StrSplit(path, '/');
  for (std::string& part : parts) {
    std::string verb;
    const size_t colon = part.find(':');
    if (colon != std::string::npos) {
      verb = part.substr(colon);
      part = part.substr(0, colon);
    }
    if (part == "*" || part == "**") part = "1";
    part += verb;
  }
  return absl::StrJoin(parts, "/");
}

const auth::MethodRule& RuleFor(const std::string& method) {
  const auth::MethodRule* rule = auth::FindRule(method);
  if (rule == nullptr) throw std::runtime_error("no rule for " + method);
  return *rule;
}

bool RoleAllowed(const auth::MethodRule& rule, gw::Role role) {
  return std::find(rule.roles.begin(), rule.roles.end(), role) != rule.roles.end();
}

TEST_F(SecurityE2eTest, EveryRoleAgainstEveryRouteFollowsThePermissionTable) {
  absl::StatusOr<gateway::RouteTable> routes =
      gateway::RouteTable::Build(gateway::GeneratedServicesInPackages(gateway::PublicPackages()));
  ASSERT_THAT(routes, IsOk()) << routes.status();
  std::set<std::string> covered;
  int allowed_calls = 0, denied_calls = 0;
  for (const gateway::Route& route : routes->routes()) {
    const auth::MethodRule& rule = RuleFor(route.grpc_method);
    covered.insert(route.grpc_method);
    const std::string path = SamplePath(route);
    for (gw::Role role : auth::AllRoles()) {
      // Never revoke the keys of this suite, never delete what other checks need: the call's
      // outcome past authorization does not matter here.
      if (route.grpc_method.find("RevokeApiKey") != std::string::npos) continue;
      httplib::Client http = Http(keys_[role]);
      httplib::Request request;
      request.method = route.http_method;
      request.path = path;
      if (!route.body.empty()) {
        request.body = route.method->client_streaming() ? "" : "{}";
        request.set_header("Content-Type", "application/json");
      }
      httplib::Response response;
      httplib::Error error = httplib::Error::Success;
      ASSERT_TRUE(http.send(request, response, error)) << route.http_method << " " << path;
      const std::string where = absl::StrCat(gw::Role_Name(role), " ", route.http_method, " ", path,
                                             " (", route.grpc_method, "): ", response.status, " ",
                                             response.body.substr(0, 300));
      EXPECT_NE(response.status, 401) << where;
      if (RoleAllowed(rule, role)) {
        ++allowed_calls;
        // The table lets the role through; a funder's key may still be refused what its funder
        // does not fund (the sample names nothing it funds), never by the table.
        const bool funder_scope =
            role == gw::ROLE_FUNDER && ReasonOf(response.body) == "ACTION_NOT_FUNDED";
        if (!funder_scope) EXPECT_NE(response.status, 403) << where;
      } else {
        ++denied_calls;
        EXPECT_EQ(response.status, 403) << where;
        EXPECT_EQ(ReasonOf(response.body), "PERMISSION_DENIED") << where;
      }
    }
  }
  EXPECT_GT(allowed_calls, 100);
  EXPECT_GT(denied_calls, 100);
  // Every rule with a route was exercised (the few methods without an HTTP rule are covered
  // straight at the services below).
  EXPECT_GT(covered.size(), 90u);
}

// Calls `method` (unary) of the service at `address` with an empty request and `principal`.
grpc::Status CallDirect(const std::string& address, const std::string& method,
                        const std::vector<std::string>& principals) {
  static std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  auto& channel = channels[address];
  if (channel == nullptr) {
    channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  }
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  for (const std::string& principal : principals) {
    context.AddMetadata(auth::kPrincipalMetadataKey, principal);
  }
  grpc::ByteBuffer request, response;  // an empty message
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
    std::lock_guard<std::mutex> lock(mu);
    status = std::move(s);
    done = true;
    cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  return status;
}

// A principal of `role` for `audience` (the method it may be presented to), as a gateway
// knowing `secret` would sign it.
std::string Sign(gw::Role role, const std::string& secret, const std::string& audience,
                 absl::Duration lifetime = absl::Seconds(30)) {
  return auth::SignPrincipal(
      {"tests/direct", role, absl::ToUnixMillis(absl::Now() + lifetime), "direct", audience},
      secret);
}

TEST_F(SecurityE2eTest, ServicesRefuseCallsWithoutAValidPrincipalAndApplyTheTableThemselves) {
  const std::map<std::string, int> port_of_package = {
      {"maillage.directory.v1", suite_->ports().directory},
      {"maillage.meetings.v1", suite_->ports().meetings},
      {"maillage.budget.v1", suite_->ports().budget},
  };
  int checked = 0;
  for (const auth::MethodRule& rule : auth::AllRules()) {
    const std::string service = rule.method.substr(1, rule.method.find('/', 1) - 1);
    const std::string package = service.substr(0, service.rfind('.'));
    auto port = port_of_package.find(package);
    if (port == port_of_package.end()) continue;  // the gateway's own services
    const google::protobuf::MethodDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
            absl::StrReplaceAll(rule.method.substr(1), {{"/", "."}}));
    ASSERT_NE(descriptor, nullptr) << rule.method;
    if (descriptor->client_streaming() || descriptor->server_streaming()) continue;
    const std::string address = absl::StrCat("127.0.0.1:", port->second);
    ++checked;

    grpc::Status none = CallDirect(address, rule.method, {});
    EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << rule.method << ": a handler without the check? " << none.error_message();
    grpc::Status forged =
        CallDirect(address, rule.method,
                   {Sign(gw::ROLE_ADMIN, "a-forged-secret-of-32-bytes-000", rule.method)});
    EXPECT_EQ(forged.error_code(), grpc::StatusCode::UNAUTHENTICATED) << rule.method;
    grpc::Status expired =
        CallDirect(address, rule.method,
                   {Sign(gw::ROLE_ADMIN, kTestPrincipalSecret, rule.method, absl::Seconds(-1))});
    EXPECT_EQ(expired.error_code(), grpc::StatusCode::UNAUTHENTICATED) << rule.method;
    // A genuine admin principal signed for another method (of this service or another) is a
    // sniffed token replayed elsewhere: refused.
    for (const std::string other : {kDirectoryListActors, kBudgetListActions}) {
      if (other == rule.method) continue;
      grpc::Status replayed =
          CallDirect(address, rule.method, {Sign(gw::ROLE_ADMIN, kTestPrincipalSecret, other)});
      EXPECT_EQ(replayed.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << rule.method << " accepted a principal signed for " << other;
    }
    for (gw::Role role : auth::AllRoles()) {
      grpc::Status status =
          CallDirect(address, rule.method, {Sign(role, kTestPrincipalSecret, rule.method)});
      if (RoleAllowed(rule, role)) {
        EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << gw::Role_Name(role) << " " << rule.method << ": " << status.error_message();
        EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << rule.method;
      } else {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << gw::Role_Name(role) << " " << rule.method << ": " << status.error_message();
      }
    }
  }
  EXPECT_GT(checked, 80);
}

TEST_F(SecurityE2eTest, MissingMalformedUnknownRevokedAndExpiredKeysAre401) {
  struct Case {
    std::string key;
    std::string reason;
  };
  const std::string revoked = CreateKey("to revoke", gw::ROLE_STAFF);
  std::vector<Case> cases = {
      {"", "API_KEY_MISSING"},
      {"not a key", "API_KEY_INVALID"},
      {"mlg_aaaaaaaa_" + std::string(40, 'b'), "API_KEY_INVALID"},
      {revoked.substr(0, revoked.size() - 1) + (revoked.back() == 'x' ? "y" : "x"),
       "API_KEY_INVALID"},
  };
  for (const Case& c : cases) {
    auto response = Http(c.key).Get("/v1/actors");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 401) << c.key << ": " << response->body;
    EXPECT_EQ(ReasonOf(response->body), c.reason) << response->body;
  }
  ASSERT_EQ(Http(revoked).Get("/v1/actors")->status, 200);

  // Revoked through the API: refused at the next call.
  httplib::Client admin = Http(Suite::kAdminKey);
  auto list = admin.Get("/v1/apiKeys?filter=display_name%20%3D%20%22to%20revoke%22");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200) << list->body;
  gw::ListApiKeysResponse keys;
  ASSERT_THAT(google::protobuf::util::JsonStringToMessage(list->body, &keys), IsOk());
  ASSERT_EQ(keys.api_keys_size(), 1);
  EXPECT_EQ(list->body.find(revoked.substr(13)), std::string::npos) << "secret listed";
  auto revoke = admin.Post(absl::StrCat("/v1/", keys.api_keys(0).name(), ":revoke"),
                           R"({"reason":"test"})", "application/json");
  ASSERT_TRUE(revoke);
  EXPECT_EQ(revoke->status, 200) << revoke->body;
  auto refused = Http(revoked).Get("/v1/actors");
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(ReasonOf(refused->body), "API_KEY_REVOKED");

  // Expired: a key created with an expiry one second ahead.
  const std::string expiring =
      CreateKey("expiring", gw::ROLE_STAFF,
                absl::StrCat(R"(,"expireTime":")",
                             absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() + absl::Seconds(2),
                                              absl::UTCTimeZone()),
                             "\""));
  EXPECT_EQ(Http(expiring).Get("/v1/actors")->status, 200);
  absl::SleepFor(absl::Seconds(7));  // past the expiry and the key cache
  auto expired = Http(expiring).Get("/v1/actors");
  EXPECT_EQ(expired->status, 401);
  EXPECT_EQ(ReasonOf(expired->body), "API_KEY_EXPIRED");
}

TEST_F(SecurityE2eTest, PartnersCannotManageKeysAndTheLastAdminKeyStays) {
  auto response =
      Http(keys_[gw::ROLE_PARTNER])
          .Post("/v1/apiKeys", R"({"displayName":"x","role":"ROLE_ADMIN"})", "application/json");
  EXPECT_EQ(response->status, 403) << response->body;
  auto bad =
      Http(Suite::kAdminKey).Post("/v1/apiKeys", R"({"displayName":""})", "application/json");
  EXPECT_EQ(bad->status, 400) << bad->body;
  EXPECT_NE(bad->body.find("api_key.role"), std::string::npos) << bad->body;
}

TEST_F(SecurityE2eTest, RateLimitAnswers429WithRetryAfter) {
  const std::string key = CreateKey("slow partner", gw::ROLE_PARTNER,
                                    R"(,"rateLimit":{"requestsPerSecond":1,"burst":2})");
  httplib::Client http = Http(key);
  EXPECT_EQ(http.Get("/v1/actors")->status, 200);
  EXPECT_EQ(http.Get("/v1/actors")->status, 200);
  auto limited = http.Get("/v1/actors");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429) << limited->body;
  EXPECT_EQ(ReasonOf(limited->body), "RATE_LIMITED");
  EXPECT_EQ(limited->get_header_value("Retry-After"), "1");
  absl::SleepFor(absl::Milliseconds(1100));
  EXPECT_EQ(http.Get("/v1/actors")->status, 200) << "a token came back after Retry-After";
}

TEST_F(SecurityE2eTest, WritesAndPersonalDataReadsAreAuditedPlainReadsAreNot) {
  httplib::Client staff = Http(keys_[gw::ROLE_STAFF]);
  httplib::Headers write_id = {{"X-Request-Id", "audit-write-1"}};
  auto created =
      staff.Post("/v1/actors", write_id,
                 R"({"displayName":"Recyclerie du Suzon","essFamily":"ESS_FAMILY_ASSOCIATION"})",
                 "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  directory::v1::Actor created_actor;
  ASSERT_THAT(google::protobuf::util::JsonStringToMessage(created->body, &created_actor), IsOk());
  const std::string actor = created_actor.name();
  ASSERT_EQ(actor.rfind("actors/", 0), 0u) << created->body;
  staff.Get("/v1/actors?pageSize=1", {{"X-Request-Id", "audit-read-1"}});
  auto contacts =
      staff.Get(absl::StrCat("/v1/", actor, "/contacts"), {{"X-Request-Id", "audit-pd-1"}});
  ASSERT_EQ(contacts->status, 200) << contacts->body;

  httplib::Client admin = Http(Suite::kAdminKey);
  auto entries = [&](const std::string& request_id) {
    auto response = admin.Get(
        absl::StrCat("/v1/auditEntries?filter=request_id%20%3D%20%22", request_id, "%22"));
    EXPECT_EQ(response->status, 200) << response->body;
    gw::ListAuditEntriesResponse page;
    EXPECT_THAT(google::protobuf::util::JsonStringToMessage(response->body, &page), IsOk());
    return page;
  };
  gw::ListAuditEntriesResponse write = entries("audit-write-1");
  ASSERT_EQ(write.audit_entries_size(), 1);
  const gw::AuditEntry& line = write.audit_entries(0);
  EXPECT_EQ(line.method(), "/maillage.directory.v1.DirectoryService/CreateActor");
  EXPECT_EQ(line.reason(), gw::AUDIT_REASON_WRITE);
  EXPECT_EQ(line.role(), gw::ROLE_STAFF);
  EXPECT_EQ(line.http_status(), 200);
  EXPECT_EQ(line.outcome(), google::rpc::OK);
  EXPECT_EQ(line.transport(), gw::TRANSPORT_HTTP);
  EXPECT_EQ(line.resource(), actor);
  EXPECT_FALSE(line.api_key().empty());
  EXPECT_EQ(entries("audit-read-1").audit_entries_size(), 0) << "plain reads are not audited";
  gw::ListAuditEntriesResponse pd = entries("audit-pd-1");
  ASSERT_EQ(pd.audit_entries_size(), 1);
  EXPECT_EQ(pd.audit_entries(0).reason(), gw::AUDIT_REASON_PERSONAL_DATA_READ);
  EXPECT_EQ(pd.audit_entries(0).resource(), actor);
}

TEST_F(SecurityE2eTest, CorsFollowsTheAllowList) {
  httplib::Client http = Http("");
  httplib::Headers allowed = {{"Origin", "https://app.example.org"},
                              {"Access-Control-Request-Method", "GET"}};
  auto preflight = http.Options("/v1/actors", allowed);
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
  EXPECT_EQ(preflight->get_header_value("Access-Control-Allow-Origin"), "https://app.example.org");
  EXPECT_NE(preflight->get_header_value("Access-Control-Allow-Headers").find("X-Api-Key"),
            std::string::npos);
  auto other = http.Options(
      "/v1/actors", {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(other->status, 403);
  EXPECT_EQ(other->get_header_value("Access-Control-Allow-Origin"), "");
  auto get = Http(Suite::kAdminKey).Get("/v1/actors", {{"Origin", "https://app.example.org"}});
  EXPECT_EQ(get->get_header_value("Access-Control-Allow-Origin"), "https://app.example.org");
}

TEST_F(SecurityE2eTest, NativeGrpcThroughTheGatewayNeedsAKeyAndFollowsTheTable) {
  auto stub = directory::v1::DirectoryService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", suite_->ports().gateway_grpc),
                          grpc::InsecureChannelCredentials()));
  auto call = [&](const std::vector<std::pair<std::string, std::string>>& metadata, bool contacts) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
    if (contacts) {
      directory::v1::ListContactsRequest request;
      request.set_parent("actors/1");
      directory::v1::ListContactsResponse response;
      return stub->ListContacts(&context, request, &response);
    }
    directory::v1::ListActorsRequest request;
    request.set_page_size(5);
    directory::v1::ListActorsResponse response;
    grpc::Status status = stub->ListActors(&context, request, &response);
    return status;
  };
  EXPECT_THAT(call({{"x-api-key", keys_[gw::ROLE_PARTNER]}}, false), IsOk());
  EXPECT_EQ(call({}, false).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(call({{"x-api-key", "mlg_aaaaaaaa_" + std::string(40, 'b')}}, false).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // A principal forged by the client is never passed on: without a key, refused.
  EXPECT_EQ(call({{auth::kPrincipalMetadataKey,
                   Sign(gw::ROLE_ADMIN, "a-forged-secret-of-32-bytes-000", kDirectoryListActors)}},
                 false)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Not even a correctly signed one: the pass-through keeps only its own.
  EXPECT_EQ(call({{auth::kPrincipalMetadataKey,
                   Sign(gw::ROLE_ADMIN, kTestPrincipalSecret, kDirectoryListActors)}},
                 false)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(call({{"x-api-key", keys_[gw::ROLE_PARTNER]}}, true).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status staff = call({{"x-api-key", keys_[gw::ROLE_STAFF]}}, true);
  EXPECT_NE(staff.error_code(), grpc::StatusCode::PERMISSION_DENIED) << staff.error_message();
  EXPECT_NE(staff.error_code(), grpc::StatusCode::UNAUTHENTICATED) << staff.error_message();
}

// The gateway's public ports take an API key, never a principal: a principal signed exactly as
// the gateway signs one for its own admin service (a token sniffed on the internal network, or
// made with a leaked secret) opens nothing on the gRPC port 9090 nor over HTTP, and next to a
// partner's key it raises nothing.
TEST_F(SecurityE2eTest, ThePublicPortsNeverAcceptAPrincipal) {
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", suite_->ports().gateway_grpc),
                                     grpc::InsecureChannelCredentials());
  auto admin = gw::GatewayAdminService::NewStub(channel);
  auto reports = gw::ReportService::NewStub(channel);
  const std::string kService = "/maillage.gateway.v1.GatewayAdminService/";
  auto with = [&](grpc::ClientContext& context, const std::string& method, const std::string& key) {
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    context.AddMetadata(auth::kPrincipalMetadataKey,
                        Sign(gw::ROLE_ADMIN, kTestPrincipalSecret, method));
    if (!key.empty()) context.AddMetadata("x-api-key", key);
  };
  for (const std::string& key : {std::string(), keys_[gw::ROLE_PARTNER]}) {
    const grpc::StatusCode expected =
        key.empty() ? grpc::StatusCode::UNAUTHENTICATED : grpc::StatusCode::PERMISSION_DENIED;
    const std::string who = key.empty() ? "no key" : "a partner's key";
    {
      grpc::ClientContext context;
      with(context, kService + "ListApiKeys", key);
      gw::ListApiKeysRequest request;
      gw::ListApiKeysResponse response;
      EXPECT_EQ(admin->ListApiKeys(&context, request, &response).error_code(), expected) << who;
    }
    {
      grpc::ClientContext context;
      with(context, kService + "CreateApiKey", key);
      gw::CreateApiKeyRequest request;
      request.mutable_api_key()->set_display_name("made with a sniffed principal");
      request.mutable_api_key()->set_role(gw::ROLE_ADMIN);
      gw::CreateApiKeyResponse response;
      grpc::Status status = admin->CreateApiKey(&context, request, &response);
      EXPECT_EQ(status.error_code(), expected) << who << ": " << status.error_message();
      EXPECT_TRUE(response.key().empty()) << "an admin key was created";
    }
    {
      grpc::ClientContext context;
      with(context, kService + "ListAuditEntries", key);
      gw::ListAuditEntriesRequest request;
      gw::ListAuditEntriesResponse response;
      EXPECT_EQ(admin->ListAuditEntries(&context, request, &response).error_code(), expected)
          << who;
    }
    {
      grpc::ClientContext context;
      with(context, "/maillage.gateway.v1.ReportService/GetActionReport", key);
      gw::GetActionReportRequest request;
      request.set_action("actions/1");
      request.set_year(2026);
      gw::ActionReport response;
      grpc::Status status = reports->GetActionReport(&context, request, &response);
      EXPECT_TRUE(status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
                  status.error_code() == grpc::StatusCode::PERMISSION_DENIED)
          << who << ": " << status.error_code() << " " << status.error_message();
    }
  }
  // Over HTTP: the header is not a key.
  httplib::Client http("127.0.0.1", suite_->ports().http);
  auto listed = http.Get("/v1/apiKeys",
                         {{auth::kPrincipalMetadataKey,
                           Sign(gw::ROLE_ADMIN, kTestPrincipalSecret, kService + "ListApiKeys")}});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 401) << listed->body;
  // Nothing was created on the way.
  auto keys = Http(Suite::kAdminKey)
                  .Get(
                      "/v1/apiKeys?filter=display_name%20%3D%20%22made%20with%20a%20sniffed%20"
                      "principal%22");
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->body.find("apiKeys/"), std::string::npos) << keys->body;
}

}  // namespace
}  // namespace maillage::testing
