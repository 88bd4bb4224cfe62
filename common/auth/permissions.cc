// The permission table, written per service (who reads, who writes, and the few exceptions)
// and expanded over the compiled descriptors into one rule per method.
#include "common/auth/permissions.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor_database.h"
#include "maillage/budget/v1/budget_service.pb.h"
#include "maillage/directory/v1/directory_service.pb.h"
#include "maillage/gateway/v1/gateway_admin_service.pb.h"
#include "maillage/gateway/v1/report_service.pb.h"
#include "maillage/gateway/v1/share_link_service.pb.h"
#include "maillage/gateway/v1/webhook_service.pb.h"
#include "maillage/meetings/v1/meetings_service.pb.h"

namespace maillage::auth {
namespace {

namespace gw = ::maillage::gateway::v1;

// A set of roles, one bit per enum value.
using RoleSet = uint32_t;
constexpr RoleSet Bit(Role role) { return RoleSet{1} << static_cast<int>(role); }
constexpr RoleSet kAdmin = Bit(gw::ROLE_ADMIN);
constexpr RoleSet kStaff = Bit(gw::ROLE_STAFF);
constexpr RoleSet kFunder = Bit(gw::ROLE_FUNDER);
constexpr RoleSet kPartner = Bit(gw::ROLE_PARTNER);

// A method whose name starts with one of these only reads.
constexpr absl::string_view kReadPrefixes[] = {"Get",    "List",     "Search", "Find",
                                               "Export", "Validate", "Diff",   "BatchGet"};

// The packages whose services the table must cover.
constexpr absl::string_view kPublicPackages[] = {"maillage.directory.v1", "maillage.meetings.v1",
                                                 "maillage.budget.v1", "maillage.gateway.v1"};

struct Exception {
  absl::string_view method;  // short name, e.g. "ListContacts"
  RoleSet roles;             // ADMIN is always added
};

struct ServicePolicy {
  absl::string_view service;  // full name
  RoleSet readers;            // methods with a read prefix
  RoleSet writers;            // every other method
  std::vector<Exception> exceptions;
  std::vector<absl::string_view> personal_data;  // short names
};

// THE table. ADMIN may call everything; it is added to every set below.
const std::vector<ServicePolicy>& Policies() {
  static const auto* const kPolicies = new std::vector<ServicePolicy>{
      {"maillage.directory.v1.DirectoryService",
       kStaff | kPartner,
       kStaff,
       {
           // Contacts are people: personal data, never for partners.
           {"GetContact", kStaff},
           {"ListContacts", kStaff},
           {"ExportPersonData", kStaff},
           // A curation tool of the network's staff, not part of the partners' read access.
           {"FindDuplicates", kStaff},
       },
       // ListChanges carries contact snapshots, left out for roles without personal data.
       {"GetContact", "ListContacts", "CreateContact", "UpdateContact", "ExportPersonData",
        "ListChanges"}},
      {"maillage.meetings.v1.MeetingsService",
       kStaff,
       kStaff,
       {
           {"GetIndicators", kStaff | kFunder | kPartner},
           {"GetMeetingCalendar", kStaff | kFunder},
           {"GetActionCalendar", kStaff | kFunder},
       },
       {"GetParticipant", "ListParticipants", "CreateParticipant", "UpdateParticipant",
        "BatchInviteParticipants", "CheckIn", "SetParticipantStatus"}},
      {"maillage.budget.v1.BudgetService",
       kStaff | kFunder,
       kStaff,
       {
           // Every action's budgets: a funder reads only those of the actions it funds.
           {"ListBudgetChanges", kStaff},
       },
       {}},
      {"maillage.gateway.v1.ReportService", kStaff | kFunder, kStaff, {}, {}},
      {"maillage.gateway.v1.GatewayAdminService", 0, 0, {}, {}},
      // Webhooks push what the owner's role may read (the events are filtered by that role).
      {"maillage.gateway.v1.WebhookService", kPartner, kPartner, {}, {}},
      // Share links grant one read without a key; the gateway checks that the issuer's role may
      // make it (services/gateway/links).
      {"maillage.gateway.v1.ShareLinkService", kStaff, kStaff, {}, {}},
  };
  return *kPolicies;
}

// The static library links a generated file only when something references it; these
// references make the service files part of every binary that links maillage_auth.
void LinkServiceContracts() {
  maillage::directory::v1::GetActorRequest::descriptor();
  maillage::meetings::v1::GetMeetingRequest::descriptor();
  maillage::budget::v1::GetBudgetRequest::descriptor();
  maillage::gateway::v1::GetApiKeyRequest::descriptor();
  maillage::gateway::v1::GetActionReportRequest::descriptor();
  maillage::gateway::v1::GetWebhookSubscriptionRequest::descriptor();
  maillage::gateway::v1::ListShareLinksRequest::descriptor();
}

bool IsPublicPackage(const std::string& package) {
  return std::find(std::begin(kPublicPackages), std::end(kPublicPackages), package) !=
         std::end(kPublicPackages);
}

bool IsRead(absl::string_view method) {
  return std::any_of(std::begin(kReadPrefixes), std::end(kReadPrefixes),
                     [&](absl::string_view prefix) { return absl::StartsWith(method, prefix); });
}

// The service descriptors of the public packages, in file-name order.
std::vector<const google::protobuf::ServiceDescriptor*> PublicServices() {
  LinkServiceContracts();
  std::vector<std::string> files;
  google::protobuf::DescriptorPool::internal_generated_database()->FindAllFileNames(&files);
  std::sort(files.begin(), files.end());
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const std::string& name : files) {
    const google::protobuf::FileDescriptor* file =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
    if (file == nullptr || !IsPublicPackage(file->package())) continue;
    for (int i = 0; i < file->service_count(); ++i) services.push_back(file->service(i));
  }
  return services;
}

const ServicePolicy* PolicyOf(absl::string_view service) {
  for (const ServicePolicy& policy : Policies()) {
    if (policy.service == service) return &policy;
  }
  return nullptr;
}

MethodRule RuleOf(const google::protobuf::MethodDescriptor& method, const ServicePolicy* policy) {
  MethodRule rule;
  rule.method = absl::StrCat("/", method.service()->full_name(), "/", method.name());
  rule.read_only = IsRead(method.name());
  if (policy == nullptr) return rule;  // a service nobody classified: denied to all
  RoleSet roles = rule.read_only ? policy->readers : policy->writers;
  for (const Exception& exception : policy->exceptions) {
    if (exception.method == method.name()) roles = exception.roles;
  }
  roles |= kAdmin;
  for (Role role : AllRoles()) {
    if (roles & Bit(role)) rule.roles.push_back(role);
  }
  rule.personal_data = std::find(policy->personal_data.begin(), policy->personal_data.end(),
                                 method.name()) != policy->personal_data.end();
  return rule;
}

const std::unordered_map<std::string, const MethodRule*>& RulesByMethod() {
  static const auto* const kIndex = [] {
    auto* index = new std::unordered_map<std::string, const MethodRule*>;
    for (const MethodRule& rule : AllRules()) (*index)[rule.method] = &rule;
    return index;
  }();
  return *kIndex;
}

}  // namespace

const std::vector<Role>& AllRoles() {
  static const auto* const kRoles =
      new std::vector<Role>{gw::ROLE_ADMIN, gw::ROLE_STAFF, gw::ROLE_FUNDER, gw::ROLE_PARTNER};
  return *kRoles;
}

const std::vector<MethodRule>& AllRules() {
  static const auto* const kRules = [] {
    auto* rules = new std::vector<MethodRule>;
    for (const google::protobuf::ServiceDescriptor* service : PublicServices()) {
      const ServicePolicy* policy = PolicyOf(service->full_name());
      for (int i = 0; i < service->method_count(); ++i) {
        rules->push_back(RuleOf(*service->method(i), policy));
      }
    }
    return rules;
  }();
  return *kRules;
}

const MethodRule* FindRule(absl::string_view method) {
  auto it = RulesByMethod().find(std::string(method));
  return it == RulesByMethod().end() ? nullptr : it->second;
}

bool Allowed(Role role, absl::string_view method) {
  const MethodRule* rule = FindRule(method);
  if (rule == nullptr) return false;
  return std::find(rule->roles.begin(), rule->roles.end(), role) != rule->roles.end();
}

bool CarriesPersonalData(absl::string_view method) {
  const MethodRule* rule = FindRule(method);
  return rule != nullptr && rule->personal_data;
}

bool MayReadPersonalData(Role role) { return role == gw::ROLE_ADMIN || role == gw::ROLE_STAFF; }

std::vector<std::string> ClassifiedServices() {
  std::vector<std::string> services;
  for (const ServicePolicy& policy : Policies()) services.emplace_back(policy.service);
  return services;
}

std::vector<std::string> StaleTableEntries() {
  LinkServiceContracts();
  std::vector<std::string> stale;
  for (const ServicePolicy& policy : Policies()) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            std::string(policy.service));
    if (service == nullptr) {
      stale.emplace_back(policy.service);
      continue;
    }
    std::vector<absl::string_view> methods = policy.personal_data;
    for (const Exception& exception : policy.exceptions) methods.push_back(exception.method);
    for (absl::string_view method : methods) {
      if (service->FindMethodByName(std::string(method)) == nullptr) {
        stale.push_back(absl::StrCat(policy.service, "/", method));
      }
    }
  }
  return stale;
}

}  // namespace maillage::auth
