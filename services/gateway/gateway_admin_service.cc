#include "services/gateway/gateway_admin_service.h"

#include "common/status/grpc_status.h"
#include "common/status/reply.h"
#include "services/gateway/http_errors.h"

namespace maillage::gateway {

grpc::Status GatewayAdminServiceImpl::GetApiKey(grpc::ServerContext* context,
                                                const v1::GetApiKeyRequest* request,
                                                v1::ApiKey* response) {
  return Reply(keys_.Get(context->deadline(), request->name()), response, kGatewayDomain);
}

grpc::Status GatewayAdminServiceImpl::ListApiKeys(grpc::ServerContext* context,
                                                  const v1::ListApiKeysRequest* request,
                                                  v1::ListApiKeysResponse* response) {
  return Reply(keys_.List(context->deadline(), *request), response, kGatewayDomain);
}

}  // namespace maillage::gateway
