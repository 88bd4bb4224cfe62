// Fuzzes the gateway's HTTP/JSON → request transcoding (services/gateway/routing/transcoder.h) over
// the real public routes. An input is an HTTP request in short form:
//
//   POST /v1/actors?validate_only=true
//   {"displayName": "x"}
//
// (first line: method and target; the rest: the body). The target is routed by the real
// RouteTable and its query split as the gateway does; then the request must either transcode
// (and print back to JSON) or be refused with INVALID_ARGUMENT naming a field.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "fuzz/fuzz_check.h"
#include "services/gateway/routing/path_template.h"
#include "services/gateway/routing/route_table.h"
#include "services/gateway/routing/transcoder.h"

namespace {

using maillage::gateway::RouteMatch;
using maillage::gateway::RouteTable;

const RouteTable& Routes() {
  static const RouteTable* const table = [] {
    auto built = RouteTable::Build(
        maillage::gateway::GeneratedServicesInPackages(maillage::gateway::PublicPackages()));
    if (!built.ok() || built->routes().empty()) {
      std::fprintf(stderr, "no routes: %s\n", built.status().ToString().c_str());
      std::abort();
    }
    return new RouteTable(*std::move(built));
  }();
  return *table;
}

// As the gateway reads a query string: '&'-separated pairs, '+' is a space, percent-decoded.
std::multimap<std::string, std::string> QueryOf(absl::string_view query_string) {
  std::multimap<std::string, std::string> query;
  for (absl::string_view pair : absl::StrSplit(query_string, '&', absl::SkipEmpty())) {
    const size_t equals = pair.find('=');
    std::string key = absl::StrReplaceAll(pair.substr(0, equals), {{"+", " "}});
    std::string value = equals == absl::string_view::npos
                            ? ""
                            : absl::StrReplaceAll(pair.substr(equals + 1), {{"+", " "}});
    query.emplace(maillage::gateway::PercentDecode(key), maillage::gateway::PercentDecode(value));
  }
  return query;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  absl::string_view first_line = input.substr(0, newline);
  absl::string_view body =
      newline == absl::string_view::npos ? absl::string_view() : input.substr(newline + 1);
  const size_t space = first_line.find(' ');
  if (space == absl::string_view::npos) return 0;
  std::string method(first_line.substr(0, space));
  absl::string_view target = first_line.substr(space + 1);
  const size_t mark = target.find('?');
  absl::string_view path = target.substr(0, mark);

  RouteMatch match = Routes().Lookup(method, path);
  if (match.outcome != RouteMatch::kMatched) return 0;
  const std::multimap<std::string, std::string> query =
      QueryOf(mark == absl::string_view::npos ? "" : target.substr(mark + 1));
  maillage::gateway::HttpRequestParts parts;
  parts.path_bindings = &match.bindings;
  parts.query = &query;
  parts.body = body;
  parts.content_type = "application/json";

  if (match.route->method->client_streaming()) {
    auto stream = maillage::gateway::TranscodeRequestStream(*match.route, parts);
    if (!stream.ok()) {
      maillage::fuzz::CheckRefusalNamesField(stream.status(), "");
      return 0;
    }
    for (const auto& message : *stream) {
      auto json = maillage::gateway::MessageToJson(*message);
      MAILLAGE_FUZZ_CHECK(json.ok(), json.status().ToString());
    }
    return 0;
  }
  auto message = maillage::gateway::TranscodeRequest(*match.route, parts);
  if (!message.ok()) {
    maillage::fuzz::CheckRefusalNamesField(message.status(), "");
    return 0;
  }
  MAILLAGE_FUZZ_CHECK((*message)->GetDescriptor() == match.route->method->input_type(),
                      (*message)->GetDescriptor()->full_name());
  auto json = maillage::gateway::MessageToJson(**message);
  MAILLAGE_FUZZ_CHECK(json.ok(), json.status().ToString());
  return 0;
}
