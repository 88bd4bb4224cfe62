// The OpenAPI 3.0.3 document of the gateway's HTTP/JSON API, generated from the same route
// table (and so from the same google.api.http annotations and descriptors) as the routes it
// describes: a route and its operation cannot drift apart.
//
//   std::string json = BuildOpenApiDocument(*routes);  // once, at start-up
//
// Path templates become OpenAPI paths segment by segment:
//   - a variable on one segment (`{name}`, `{book.name=*}`) becomes one path parameter named
//     after its field path in JSON names ("name", "book.name");
//   - a variable bound to a multi-segment pattern keeps its literal segments, and each `*` of
//     it becomes a parameter named after the literal before it plus "Id":
//     `/v1/{name=actors/*/contacts/*}` → `/v1/actors/{actorsId}/contacts/{contactsId}`, whose
//     parameters say that, joined back with their literals, they fill `name`
//     ("actors/7/contacts/3"); a `**` becomes "<literal>Path" (a rest of path, slashes
//     included, which OpenAPI itself cannot express);
//   - a verb stays literally in the last segment: `/v1/actors/{actorsId}:merge`;
//   - a name used twice in one path gets a numeric suffix (actorsId, actorsId2).
// Two templates of the same shape give the same OpenAPI path, so the routes of one path share
// one path item.
//
// Operations: operationId `<Service>_<Method>` (`_2`, `_3`... for additional bindings), one tag
// per service, summary from the method's leading comment when the descriptor pool carries
// source info (otherwise the method name), path and query parameters (every request field not
// bound by the path or the body; nested message fields as `author.name`; repeated fields with
// explode), the request body, the 200 response (google.api.HttpBody raw, server streams as
// newline-delimited JSON) and the AIP-193 error envelope as `default`. Schemas follow the
// proto3 JSON mapping (lowerCamelCase names, 64-bit integers as strings, enums as their names,
// bytes as base64, well-known types in their JSON forms, wrappers nullable, maps as
// additionalProperties). Every request is protected by the `ApiKeyAuth` scheme (header
// `x-api-key`). The output is deterministic: object keys sorted, arrays in proto order.
#pragma once

#include <string>

#include "services/gateway/docs/contract.h"
#include "services/gateway/routing/route_table.h"

namespace maillage::gateway {

struct OpenApiInfo {
  std::string title = "maillage";
  std::string version = "v1";
  std::string description =
      "HTTP/JSON API of maillage, the directory, meetings and budget services of a network of "
      "the social and solidarity economy.";
  // Where the descriptions come from; null: the embedded contract (Contract::Embedded()).
  const ContractComments* comments = nullptr;
};

// The OpenAPI 3.0.3 document (JSON, two-space indented) of every route of `routes`. Never
// fails: a route table that was built is always describable.
std::string BuildOpenApiDocument(const RouteTable& routes, const OpenApiInfo& info = {});

// The OpenAPI path of `path` ("/v1/actors/{actorsId}:merge"), following the mapping above.
std::string OpenApiPath(const PathTemplate& path);

}  // namespace maillage::gateway
