// maillage.gateway.v1.GatewayAdminService served by the gateway itself: API keys and the
// audit log, from the gateway's own database. Methods not implemented yet answer
// UNIMPLEMENTED (key creation, revocation and the audit come with the security work).
#pragma once

#include "maillage/gateway/v1/gateway_admin_service.grpc.pb.h"
#include "services/gateway/api_key_store.h"

namespace maillage::gateway {

class GatewayAdminServiceImpl final : public v1::GatewayAdminService::Service {
 public:
  explicit GatewayAdminServiceImpl(ApiKeyStore& keys) : keys_(keys) {}

  grpc::Status GetApiKey(grpc::ServerContext* context, const v1::GetApiKeyRequest* request,
                         v1::ApiKey* response) override;
  grpc::Status ListApiKeys(grpc::ServerContext* context, const v1::ListApiKeysRequest* request,
                           v1::ListApiKeysResponse* response) override;

 private:
  ApiKeyStore& keys_;
};

}  // namespace maillage::gateway
