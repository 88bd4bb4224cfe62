// The human-readable page of the gateway's API, served at GET /docs: one self-contained HTML
// page (inline CSS, no script, no external asset) rendered on the server from the OpenAPI
// document, with the operations grouped by tag (method, path, summary, parameters, request and
// response schemas) followed by every schema and its properties.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace maillage::gateway {

// The HTML page of `openapi_json` (a document of BuildOpenApiDocument). A document that is not
// JSON gives a page saying so, never an exception.
std::string RenderDocsPage(absl::string_view openapi_json);

}  // namespace maillage::gateway
