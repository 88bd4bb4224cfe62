// The routes that take a raw file (see upload_routes.h).
#include "services/gateway/routing/upload_routes.h"

#include <algorithm>

namespace maillage::gateway {

const std::vector<UploadRoute>& UploadRoutes() {
  static const auto* routes = new std::vector<UploadRoute>{
      // One request: within the gRPC message limit (8 MiB) with room for the other fields.
      {"/maillage.directory.v1.DirectoryService/ImportActors",
       (8u << 20) - (64u << 10),
       {"text/csv"},
       false,
       "csv_data",
       "encoding",
       ""},
      // Streamed to the directory as it arrives: a département extract is hundreds of MB.
      {"/maillage.directory.v1.DirectoryService/ImportSireneExtract",
       size_t{2} << 30,
       {"text/csv"},
       true,
       "data",
       "",
       "options"},
      // The table field's own limit (budget_service.proto).
      {"/maillage.budget.v1.BudgetService/ImportBudgetTable",
       4u << 20,
       {"text/csv", "text/tab-separated-values"},
       false,
       "table",
       "",
       ""},
  };
  return *routes;
}

const UploadRoute* FindUploadRoute(absl::string_view grpc_method) {
  for (const UploadRoute& upload : UploadRoutes()) {
    if (upload.grpc_method == grpc_method) return &upload;
  }
  return nullptr;
}

size_t MaxUploadBytes() {
  size_t max = 0;
  for (const UploadRoute& upload : UploadRoutes()) max = std::max(max, upload.max_bytes);
  return max;
}

}  // namespace maillage::gateway
