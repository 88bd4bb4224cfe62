// maillage-openapi: writes the OpenAPI document of the gateway's HTTP/JSON API on stdout (with
// --docs, the HTML page of GET /docs instead), built exactly as maillage-gateway builds it at
// start-up, without any configuration or backend. Exit 1 when the routes cannot be built, 2 on
// a bad argument.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "services/gateway/docs/docs_page.h"
#include "services/gateway/docs/openapi.h"
#include "services/gateway/routing/route_table.h"

int main(int argc, char** argv) {
  const bool docs = argc == 2 && std::strcmp(argv[1], "--docs") == 0;
  if (argc > 2 || (argc == 2 && !docs)) {
    std::fprintf(stderr, "usage: maillage-openapi [--docs]\n");
    return 2;
  }
  absl::StatusOr<maillage::gateway::RouteTable> routes = maillage::gateway::RouteTable::Build(
      maillage::gateway::GeneratedServicesInPackages(maillage::gateway::PublicPackages()));
  if (!routes.ok()) {
    std::fprintf(stderr, "cannot build the HTTP routes: %s\n",
                 std::string(routes.status().message()).c_str());
    return 1;
  }
  const std::string document = maillage::gateway::BuildOpenApiDocument(*routes);
  const std::string out = docs ? maillage::gateway::RenderDocsPage(document) : document + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
