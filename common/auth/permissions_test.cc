// The permission table against the compiled contracts: every method classified, a handful of
// methods checked against expectations written here independently of the table.
#include "common/auth/permissions.h"

#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"

namespace maillage::auth {
namespace {

namespace gw = ::maillage::gateway::v1;

// The public services, named here by hand: a service added to a contract without a rule, or
// one the table names by a wrong name, fails ServicesAreExactlyThePublicOnes.
const std::set<std::string> kPublicServices = {
    "maillage.directory.v1.DirectoryService",  "maillage.meetings.v1.MeetingsService",
    "maillage.budget.v1.BudgetService",        "maillage.gateway.v1.ReportService",
    "maillage.gateway.v1.GatewayAdminService", "maillage.gateway.v1.WebhookService",
    "maillage.gateway.v1.ShareLinkService"};

std::string ServiceOf(const std::string& method) { return method.substr(1, method.rfind('/') - 1); }

TEST(PermissionsTest, ServicesAreExactlyThePublicOnes) {
  std::set<std::string> in_rules;
  for (const MethodRule& rule : AllRules()) in_rules.insert(ServiceOf(rule.method));
  EXPECT_EQ(in_rules, kPublicServices);
  std::vector<std::string> classified = ClassifiedServices();
  EXPECT_EQ(std::set<std::string>(classified.begin(), classified.end()), kPublicServices);
  EXPECT_THAT(StaleTableEntries(), ::testing::IsEmpty());
}

TEST(PermissionsTest, EveryMethodOfEveryPublicServiceHasOneRule) {
  int methods = 0;
  for (const std::string& name : kPublicServices) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i, ++methods) {
      const std::string method = absl::StrCat("/", name, "/", service->method(i)->name());
      const MethodRule* rule = FindRule(method);
      ASSERT_NE(rule, nullptr) << method;
      EXPECT_EQ(rule->method, method);
      // Admin may call everything; so no method is left to nobody.
      EXPECT_TRUE(Allowed(gw::ROLE_ADMIN, method)) << method;
    }
  }
  EXPECT_EQ(static_cast<int>(AllRules().size()), methods);
  EXPECT_GT(methods, 100);
}

struct Expectation {
  const char* method;
  bool admin, staff, funder, partner;
};

TEST(PermissionsTest, RolesMatchTheSecurityRulesOnSampleMethods) {
  const Expectation kCases[] = {
      // method                                                   admin  staff  funder partner
      {"/maillage.directory.v1.DirectoryService/GetActor", true, true, false, true},
      {"/maillage.directory.v1.DirectoryService/BatchGetActors", true, true, false, true},
      {"/maillage.directory.v1.DirectoryService/SearchActors", true, true, false, true},
      {"/maillage.directory.v1.DirectoryService/ExportActors", true, true, false, true},
      {"/maillage.directory.v1.DirectoryService/ListChanges", true, true, false, true},
      {"/maillage.directory.v1.DirectoryService/ListThemes", true, true, false, true},
      {"/maillage.directory.v1.DirectoryService/ListRelationships", true, true, false, true},
      {"/maillage.directory.v1.DirectoryService/CreateActor", true, true, false, false},
      {"/maillage.directory.v1.DirectoryService/ImportSireneExtract", true, true, false, false},
      {"/maillage.directory.v1.DirectoryService/GetContact", true, true, false, false},
      {"/maillage.directory.v1.DirectoryService/ListContacts", true, true, false, false},
      {"/maillage.directory.v1.DirectoryService/ExportPersonData", true, true, false, false},
      {"/maillage.directory.v1.DirectoryService/ErasePerson", true, true, false, false},
      {"/maillage.directory.v1.DirectoryService/FindDuplicates", true, true, false, false},
      {"/maillage.meetings.v1.MeetingsService/GetIndicators", true, true, true, true},
      {"/maillage.meetings.v1.MeetingsService/GetMeetingCalendar", true, true, true, false},
      {"/maillage.meetings.v1.MeetingsService/GetActionCalendar", true, true, true, false},
      {"/maillage.meetings.v1.MeetingsService/ListMeetings", true, true, false, false},
      {"/maillage.meetings.v1.MeetingsService/ListParticipants", true, true, false, false},
      {"/maillage.meetings.v1.MeetingsService/BatchInviteParticipants", true, true, false, false},
      {"/maillage.meetings.v1.MeetingsService/CheckIn", true, true, false, false},
      {"/maillage.budget.v1.BudgetService/GetBudget", true, true, true, false},
      {"/maillage.budget.v1.BudgetService/ListBudgets", true, true, true, false},
      {"/maillage.budget.v1.BudgetService/ValidateBudget", true, true, true, false},
      {"/maillage.budget.v1.BudgetService/DiffBudgetVersions", true, true, true, false},
      {"/maillage.budget.v1.BudgetService/ExportBudget", true, true, true, false},
      {"/maillage.budget.v1.BudgetService/GetFinancialReport", true, true, true, false},
      {"/maillage.budget.v1.BudgetService/ApproveBudget", true, true, false, false},
      {"/maillage.budget.v1.BudgetService/ImportBudgetTable", true, true, false, false},
      {"/maillage.gateway.v1.ReportService/GetActionReport", true, true, true, false},
      {"/maillage.gateway.v1.ReportService/GetActionReportPage", true, true, true, false},
      {"/maillage.gateway.v1.GatewayAdminService/ListApiKeys", true, false, false, false},
      {"/maillage.gateway.v1.GatewayAdminService/CreateApiKey", true, false, false, false},
      {"/maillage.gateway.v1.GatewayAdminService/ListAuditEntries", true, false, false, false},
      {"/maillage.gateway.v1.GatewayAdminService/ListStaffAccounts", true, false, false, false},
      {"/maillage.gateway.v1.GatewayAdminService/CreateStaffAccount", true, false, false, false},
      {"/maillage.gateway.v1.GatewayAdminService/DisableStaffAccount", true, false, false, false},
      {"/maillage.gateway.v1.ShareLinkService/CreateShareLink", true, true, false, false},
      {"/maillage.gateway.v1.ShareLinkService/ListShareLinks", true, true, false, false},
      {"/maillage.gateway.v1.ShareLinkService/RevokeShareLink", true, true, false, false},
  };
  for (const Expectation& c : kCases) {
    ASSERT_NE(FindRule(c.method), nullptr) << c.method;
    EXPECT_EQ(Allowed(gw::ROLE_ADMIN, c.method), c.admin) << c.method;
    EXPECT_EQ(Allowed(gw::ROLE_STAFF, c.method), c.staff) << c.method;
    EXPECT_EQ(Allowed(gw::ROLE_FUNDER, c.method), c.funder) << c.method;
    EXPECT_EQ(Allowed(gw::ROLE_PARTNER, c.method), c.partner) << c.method;
  }
}

TEST(PermissionsTest, OnlyAdminAndStaffWriteAndOnlyAdminManagesTheGateway) {
  for (const MethodRule& rule : AllRules()) {
    const bool admin_service = absl::StartsWith(rule.method, "/maillage.gateway.v1.GatewayAdmin");
    if (absl::StartsWith(rule.method, "/maillage.gateway.v1.WebhookService/")) {
      continue;  // partners' own subscriptions: WebhooksArePartnersAndAdminsOnly
    }
    for (Role role : {gw::ROLE_FUNDER, gw::ROLE_PARTNER}) {
      if (!rule.read_only || admin_service) {
        EXPECT_FALSE(Allowed(role, rule.method)) << Role_Name(role) << " " << rule.method;
      }
    }
    EXPECT_EQ(Allowed(gw::ROLE_STAFF, rule.method), !admin_service) << rule.method;
  }
}

// A partner subscribes its own URLs (and an admin any); staff and funders push nothing.
TEST(PermissionsTest, WebhooksArePartnersAndAdminsOnly) {
  int methods = 0;
  for (const MethodRule& rule : AllRules()) {
    if (!absl::StartsWith(rule.method, "/maillage.gateway.v1.WebhookService/")) continue;
    ++methods;
    EXPECT_TRUE(Allowed(gw::ROLE_ADMIN, rule.method)) << rule.method;
    EXPECT_TRUE(Allowed(gw::ROLE_PARTNER, rule.method)) << rule.method;
    EXPECT_FALSE(Allowed(gw::ROLE_STAFF, rule.method)) << rule.method;
    EXPECT_FALSE(Allowed(gw::ROLE_FUNDER, rule.method)) << rule.method;
  }
  EXPECT_EQ(methods, 8);
}

// The services' change feeds the webhooks follow: the budget's spans every action, so a funder
// (scoped to its own actions) may not read it; partners read only the directory's.
TEST(PermissionsTest, ChangeFeedsFollowTheReadRules) {
  EXPECT_TRUE(Allowed(gw::ROLE_PARTNER, "/maillage.directory.v1.DirectoryService/ListChanges"));
  EXPECT_FALSE(
      Allowed(gw::ROLE_PARTNER, "/maillage.meetings.v1.MeetingsService/ListMeetingChanges"));
  EXPECT_TRUE(Allowed(gw::ROLE_STAFF, "/maillage.meetings.v1.MeetingsService/ListMeetingChanges"));
  EXPECT_FALSE(Allowed(gw::ROLE_FUNDER, "/maillage.budget.v1.BudgetService/ListBudgetChanges"));
  EXPECT_FALSE(Allowed(gw::ROLE_PARTNER, "/maillage.budget.v1.BudgetService/ListBudgetChanges"));
  EXPECT_TRUE(Allowed(gw::ROLE_STAFF, "/maillage.budget.v1.BudgetService/ListBudgetChanges"));
}

TEST(PermissionsTest, PersonalDataReachesOtherRolesOnlyThroughTheFilteredChangeFeed) {
  std::set<std::string> personal_for_others;
  for (const MethodRule& rule : AllRules()) {
    if (!rule.personal_data) continue;
    for (Role role : AllRoles()) {
      if (!MayReadPersonalData(role) && Allowed(role, rule.method)) {
        personal_for_others.insert(rule.method);
      }
    }
  }
  EXPECT_THAT(personal_for_others,
              ::testing::ElementsAre("/maillage.directory.v1.DirectoryService/ListChanges"));
  EXPECT_TRUE(CarriesPersonalData("/maillage.directory.v1.DirectoryService/GetContact"));
  EXPECT_TRUE(CarriesPersonalData("/maillage.meetings.v1.MeetingsService/ListParticipants"));
  EXPECT_FALSE(CarriesPersonalData("/maillage.directory.v1.DirectoryService/GetActor"));
  EXPECT_FALSE(CarriesPersonalData("/nope/Nope"));
}

TEST(PermissionsTest, MayReadPersonalDataOnlyAdminAndStaff) {
  EXPECT_TRUE(MayReadPersonalData(gw::ROLE_ADMIN));
  EXPECT_TRUE(MayReadPersonalData(gw::ROLE_STAFF));
  EXPECT_FALSE(MayReadPersonalData(gw::ROLE_FUNDER));
  EXPECT_FALSE(MayReadPersonalData(gw::ROLE_PARTNER));
  EXPECT_FALSE(MayReadPersonalData(gw::ROLE_UNSPECIFIED));
}

TEST(PermissionsTest, UnknownMethodsAndRolesAreDenied) {
  for (Role role : AllRoles()) {
    EXPECT_FALSE(Allowed(role, "/maillage.testing.v1.EchoService/Echo"));
    EXPECT_FALSE(Allowed(role, "/maillage.directory.v1.DirectoryService/DropEverything"));
    EXPECT_FALSE(Allowed(role, "maillage.directory.v1.DirectoryService/GetActor"));  // no "/"
    EXPECT_FALSE(Allowed(role, "/maillage.directory.v1.DirectoryService/getactor"));
    EXPECT_FALSE(Allowed(role, "/grpc.health.v1.Health/Check"));
    EXPECT_FALSE(Allowed(role, ""));
  }
  EXPECT_FALSE(Allowed(gw::ROLE_UNSPECIFIED, "/maillage.directory.v1.DirectoryService/GetActor"));
  EXPECT_FALSE(Allowed(static_cast<Role>(42), "/maillage.directory.v1.DirectoryService/GetActor"));
  EXPECT_EQ(FindRule("/maillage.testing.v1.EchoService/Echo"), nullptr);
}

}  // namespace
}  // namespace maillage::auth
