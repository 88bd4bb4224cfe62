// Construction of the route table from google.api.http rules, and route lookup.
#include "services/gateway/routing/route_table.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/api/annotations.pb.h"
#include "google/protobuf/descriptor_database.h"
#include "services/gateway/routing/field_path.h"

namespace maillage::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;

absl::Status RuleError(const MethodDescriptor& method, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("google.api.http rule of ", method.full_name(), ": ", problem));
}

// The HTTP method and path template of `rule`; empty when the rule sets no pattern.
std::pair<std::string, std::string> PatternOf(const google::api::HttpRule& rule) {
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      return {"GET", rule.get()};
    case google::api::HttpRule::kPut:
      return {"PUT", rule.put()};
    case google::api::HttpRule::kPost:
      return {"POST", rule.post()};
    case google::api::HttpRule::kDelete:
      return {"DELETE", rule.delete_()};
    case google::api::HttpRule::kPatch:
      return {"PATCH", rule.patch()};
    case google::api::HttpRule::kCustom:
      return {rule.custom().kind(), rule.custom().path()};
    case google::api::HttpRule::PATTERN_NOT_SET:
      break;
  }
  return {"", ""};
}

absl::StatusOr<Route> MakeRoute(const MethodDescriptor& method, const google::api::HttpRule& rule) {
  auto [http_method, text] = PatternOf(rule);
  if (http_method.empty() || text.empty()) return RuleError(method, "no HTTP method and path");
  if (!rule.response_body().empty()) return RuleError(method, "response_body is not supported");
  absl::StatusOr<PathTemplate> path = PathTemplate::Parse(text);
  if (!path.ok()) return RuleError(method, path.status().message());

  const Descriptor* input = method.input_type();
  for (const PathTemplate::Variable& v : path->variables()) {
    absl::StatusOr<FieldChain> chain =
        ResolveFieldPath(input, v.field_path, /*accept_json_names=*/false);
    if (!chain.ok()) return RuleError(method, chain.status().message());
    const FieldDescriptor* leaf = chain->back();
    if (leaf->is_repeated() || leaf->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return RuleError(method, absl::StrCat("path variable ", v.field_path,
                                            " must name a singular scalar field"));
    }
  }
  if (method.client_streaming() && (rule.body() != "*" || !path->variables().empty())) {
    return RuleError(method, "a client-streaming method needs body \"*\" and no path variables");
  }
  if (!rule.body().empty() && rule.body() != "*" &&
      input->FindFieldByName(rule.body()) == nullptr) {
    return RuleError(
        method, absl::StrCat("body \"", rule.body(), "\" names no field of ", input->full_name()));
  }
  return Route{std::move(http_method), *std::move(path), rule.body(), &method,
               absl::StrCat("/", method.service()->full_name(), "/", method.name())};
}

}  // namespace

absl::StatusOr<RouteTable> RouteTable::Build(const std::vector<std::string>& service_names,
                                             const google::protobuf::DescriptorPool& pool) {
  RouteTable table;
  for (const std::string& name : service_names) {
    const google::protobuf::ServiceDescriptor* service = pool.FindServiceByName(name);
    if (service == nullptr) {
      return absl::NotFoundError(absl::StrCat("service ", name, " is not compiled in"));
    }
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor& method = *service->method(i);
      if (!method.options().HasExtension(google::api::http)) continue;
      const google::api::HttpRule& rule = method.options().GetExtension(google::api::http);
      std::vector<const google::api::HttpRule*> rules = {&rule};
      for (const google::api::HttpRule& extra : rule.additional_bindings()) {
        rules.push_back(&extra);
      }
      for (const google::api::HttpRule* r : rules) {
        absl::StatusOr<Route> route = MakeRoute(method, *r);
        if (!route.ok()) return route.status();
        table.routes_.push_back(*std::move(route));
      }
    }
  }

  std::set<std::pair<std::string, std::string>> seen;
  for (const Route& route : table.routes_) {
    if (!route.path.verb().empty()) table.verbs_.insert(route.path.verb());
    if (!seen.emplace(route.http_method, route.path.Shape()).second) {
      return RuleError(*route.method, absl::StrCat(route.http_method, " ", route.path.text(),
                                                   " is already the route of another method"));
    }
  }
  std::stable_sort(table.routes_.begin(), table.routes_.end(),
                   [](const Route& a, const Route& b) { return a.path.MoreSpecificThan(b.path); });
  return table;
}

RouteMatch RouteTable::Lookup(absl::string_view http_method, absl::string_view path) const {
  const std::vector<absl::string_view> segments = SplitPath(path);
  std::string verb;
  if (!segments.empty()) {
    const size_t colon = segments.back().rfind(':');
    if (colon != absl::string_view::npos &&
        verbs_.count(std::string(segments.back().substr(colon + 1))) > 0) {
      verb = std::string(segments.back().substr(colon + 1));
    }
  }
  RouteMatch result;
  std::set<std::string> allowed;
  for (const Route& route : routes_) {
    if (route.path.verb() != verb) continue;
    const bool same_method = route.http_method == http_method;
    if (!same_method && allowed.count(route.http_method) > 0) continue;
    std::optional<std::vector<VariableBinding>> bindings = route.path.Match(segments);
    if (!bindings.has_value()) continue;
    if (same_method) {
      result.outcome = RouteMatch::kMatched;
      result.route = &route;
      result.bindings = *std::move(bindings);
      return result;
    }
    allowed.insert(route.http_method);
  }
  if (!allowed.empty()) {
    result.outcome = RouteMatch::kMethodNotAllowed;
    result.allowed_methods.assign(allowed.begin(), allowed.end());
  }
  return result;
}

std::vector<std::string> GeneratedServicesInPackages(const std::vector<std::string>& packages) {
  std::vector<std::string> files;
  google::protobuf::DescriptorPool::internal_generated_database()->FindAllFileNames(&files);
  std::vector<std::string> services;
  for (const std::string& file_name : files) {
    const google::protobuf::FileDescriptor* file =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(file_name);
    if (file == nullptr ||
        std::find(packages.begin(), packages.end(), file->package()) == packages.end()) {
      continue;
    }
    for (int i = 0; i < file->service_count(); ++i) {
      services.push_back(file->service(i)->full_name());
    }
  }
  std::sort(services.begin(), services.end());
  return services;
}

}  // namespace maillage::gateway
