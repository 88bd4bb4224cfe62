// The HTTP routes of the gateway, built once at start-up from the google.api.http annotations
// of the compiled service descriptors: adding an annotated RPC adds its route, with no gateway
// code.
//
//   absl::StatusOr<RouteTable> table =
//       RouteTable::Build(GeneratedServicesInPackages({"maillage.directory.v1"}));
//   RouteMatch m = table->Lookup("GET", "/v1/actors/42");
//   if (m.outcome == RouteMatch::kMatched) { ... m.route->method, m.bindings ... }
//
// A path whose last segment ends with ":<verb>" of some route ("/v1/actors/7:archive") is
// matched only by the templates with that verb. Otherwise precedence is deterministic: for a
// path several templates match, literal segments beat `*`, which beats `**` (see
// PathTemplate::MoreSpecificThan), then the order of the services given and of the methods in
// their proto files.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "services/gateway/routing/path_template.h"

namespace maillage::gateway {

struct Route {
  std::string http_method;  // "GET", "POST", "PUT", "PATCH", "DELETE" or a custom kind
  PathTemplate path;
  std::string body;  // "" (no body), "*" (the whole request) or a top-level field name
  const google::protobuf::MethodDescriptor* method;
  std::string grpc_method;  // "/maillage.directory.v1.ActorService/GetActor"
};

struct RouteMatch {
  enum Outcome { kMatched, kNotFound, kMethodNotAllowed };
  Outcome outcome = kNotFound;
  const Route* route = nullptr;              // kMatched
  std::vector<VariableBinding> bindings;     // kMatched: the path variables
  std::vector<std::string> allowed_methods;  // kMethodNotAllowed: sorted, for the Allow header
};

class RouteTable {
 public:
  // The routes of every method of `service_names` (full names such as
  // "maillage.directory.v1.ActorService") that has a google.api.http rule, with its
  // additional_bindings. NOT_FOUND when a service is not in `pool`; INVALID_ARGUMENT naming the
  // method when a rule cannot be served: bad path template, path variable naming no singular
  // scalar field, body naming no top-level field, response_body (unsupported), a client- or
  // bidirectional-streaming method whose body is not "*" or whose path has variables, or two
  // rules with the same HTTP method and path shape.
  static absl::StatusOr<RouteTable> Build(const std::vector<std::string>& service_names,
                                          const google::protobuf::DescriptorPool& pool =
                                              *google::protobuf::DescriptorPool::generated_pool());

  // The route of `http_method` (upper case) for `path` (raw, still percent-encoded, without
  // the query string); kNotFound when no template matches the path, kMethodNotAllowed when
  // only templates of other HTTP methods match it.
  RouteMatch Lookup(absl::string_view http_method, absl::string_view path) const;

  // Every route, in precedence order.
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::set<std::string> verbs_;  // of every route
};

// The full names of the services of the generated descriptor pool (every proto file linked
// into the binary) whose package is one of `packages` ("maillage.directory.v1"), sorted.
std::vector<std::string> GeneratedServicesInPackages(const std::vector<std::string>& packages);

// The packages of the public API that maillage-gateway routes (main.cc maps each to its
// backend): the three services and the gateway's own.
inline const std::vector<std::string>& PublicPackages() {
  static const auto* const packages = new std::vector<std::string>{
      "maillage.directory.v1", "maillage.meetings.v1", "maillage.budget.v1", "maillage.gateway.v1"};
  return *packages;
}

}  // namespace maillage::gateway
