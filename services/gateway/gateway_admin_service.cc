#include "services/gateway/gateway_admin_service.h"

#include "common/status/grpc_status.h"
#include "services/gateway/http_errors.h"

namespace maillage::gateway {

namespace {

// Copies a result into the response, or turns its status into the gRPC error.
template <typename T>
grpc::Status Reply(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return ToGrpcStatus(result.status(), kGatewayDomain);
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status GatewayAdminServiceImpl::GetApiKey(grpc::ServerContext* context,
                                                const v1::GetApiKeyRequest* request,
                                                v1::ApiKey* response) {
  return Reply(keys_.Get(context->deadline(), request->name()), response);
}

grpc::Status GatewayAdminServiceImpl::ListApiKeys(grpc::ServerContext* context,
                                                  const v1::ListApiKeysRequest* request,
                                                  v1::ListApiKeysResponse* response) {
  return Reply(keys_.List(context->deadline(), *request), response);
}

}  // namespace maillage::gateway
