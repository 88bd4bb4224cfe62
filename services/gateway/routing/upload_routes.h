// Raw file uploads over HTTP: `POST` of the file itself (`Content-Type: text/csv`) to the routes
// of the methods that take a file, instead of the file in base64 inside JSON.
//
//   POST /v1/actors:import?validateOnly=true        Content-Type: text/csv; charset=windows-1252
//   POST /v1/actors:importSirene?extractDate=2025-01-01&createMissing=true   Content-Type: text/csv
//   POST /v1/actions/7/budgets:import?year=2025&kind=BUDGET_KIND_FORECAST    Content-Type: text/csv
//
// The other fields of the request come from the path and the query string, as for any route
// (transcoder.h); for a client-streaming method they are its first message's options (a
// google.type.Date as YYYY-MM-DD). The listener hands an upload to its worker as soon as its
// header is read (guarded_listener.h): a unary method's file is read whole up to the route's
// limit then sent in one request; a client-streaming method's file is sent to the backend in
// chunks of kUploadChunkBytes as it arrives, never held whole. A JSON body (application/json,
// or no Content-Type) on these routes is the usual JSON request, within the JSON body limit.
//
// The charset parameter is honoured: utf-8, or windows-1252 (labels cp1252, iso-8859-1, latin1:
// the WHATWG Encoding Standard reads them all as windows-1252), given to the method's
// `encoding` field, or converted to UTF-8 for a text field; absent, the encoding is detected
// as the importer does. Errors, in the gateway's envelope (domain gateway.maillage): 413
// BODY_TOO_LARGE naming the route's limit (metadata max_bytes), 415 UNSUPPORTED_MEDIA_TYPE
// naming the media types and charsets accepted.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace maillage::gateway {

// A route that takes a raw file.
struct UploadRoute {
  std::string grpc_method;               // "/maillage.directory.v1.DirectoryService/ImportActors"
  size_t max_bytes;                      // the upload limit of this route (413 past it)
  std::vector<std::string> media_types;  // "text/csv"
  bool utf8_only;                        // windows-1252 refused (415)
  // The field that takes the file: bytes (given as sent, the charset in `encoding_field`),
  // string (converted to UTF-8), or, for a client-streaming method, the bytes field of each
  // chunk message, after a first message whose `options_field` holds the query's fields.
  std::string file_field;
  std::string encoding_field;  // "" when the method has none
  std::string options_field;   // client streaming only
};

// Every upload route, in the order of the README's table.
const std::vector<UploadRoute>& UploadRoutes();

// The upload route of `grpc_method`; null when it takes no raw file.
const UploadRoute* FindUploadRoute(absl::string_view grpc_method);

// The largest limit of UploadRoutes().
size_t MaxUploadBytes();

}  // namespace maillage::gateway
