// The permission table: which role may call which gRPC method of the public services, deny by
// default. The gateway checks it before forwarding a call; every service checks it again on the
// principal the gateway signed (authorizer.h).
//
//   if (!auth::Allowed(principal.role, "/maillage.directory.v1.DirectoryService/ListContacts"))
//     return PermissionDenied(...);
//   if (auth::CarriesPersonalData(method) && !auth::MayReadPersonalData(principal.role))
//     ... leave the contact snapshots out of the response ...
//
// Methods are named as gRPC names them on the wire: "/<package>.<Service>/<Method>". The table
// covers every method of every service of maillage.directory.v1, maillage.meetings.v1,
// maillage.budget.v1 and maillage.gateway.v1; any other name is denied to every role.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "maillage/gateway/v1/api_key.pb.h"

namespace maillage::auth {

using Role = ::maillage::gateway::v1::Role;

// The roles a key can hold, in the order of the enum (ADMIN, STAFF, FUNDER, PARTNER).
const std::vector<Role>& AllRoles();

// One line of the matrix.
struct MethodRule {
  std::string method;  // "/maillage.directory.v1.DirectoryService/ListActors"
  // The name starts with Get, List, Search, Find, Export, Validate, Diff or BatchGet.
  bool read_only = false;
  // The response may hold personal data (contacts, participants); roles for which
  // MayReadPersonalData() is false either may not call the method or get those parts left out.
  bool personal_data = false;
  std::vector<Role> roles;  // who may call it; empty for nobody
};

// Every method of the four public packages, with its rule, in descriptor order (package, file,
// service, method). Built from the compiled descriptors, so a new RPC appears here (and is
// classified by its service's rule) without editing this list.
const std::vector<MethodRule>& AllRules();

// The rule of `method`, or nullptr when no public service declares it.
const MethodRule* FindRule(absl::string_view method);

// True when `role` may call `method`. False for an unknown method, ROLE_UNSPECIFIED or any
// value outside the enum.
bool Allowed(Role role, absl::string_view method);

// True when the response of `method` may carry personal data (false for an unknown method).
bool CarriesPersonalData(absl::string_view method);

// True for the roles that may read personal data: ADMIN and STAFF.
bool MayReadPersonalData(Role role);

// The services the table classifies, by full name ("maillage.directory.v1.DirectoryService").
std::vector<std::string> ClassifiedServices();

// Names the table mentions (services, exceptions, personal-data methods) that no compiled
// contract declares, as "<service>" or "<service>/<Method>"; empty when the table matches the
// contracts (a renamed RPC would otherwise silently lose its exception).
std::vector<std::string> StaleTableEntries();

}  // namespace maillage::auth
