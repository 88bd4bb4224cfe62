// maillage.gateway.v1.GatewayAdminService served by the gateway itself: API keys, the staff
// console's accounts (through a StaffAccountRegistry) and the audit log, from the gateway's own
// database. Every method is for ADMIN keys (the permission table);
// calls come from the HTTP side with a signed principal or from gRPC clients with their key
// (own_call.h).
#pragma once

#include "maillage/gateway/v1/gateway_admin_service.grpc.pb.h"
#include "services/gateway/access/access_control.h"
#include "services/gateway/access/api_key_store.h"
#include "services/gateway/access/audit_store.h"
#include "services/gateway/access/own_call.h"
#include "services/gateway/access/staff_account_registry.h"

namespace maillage::gateway {

class GatewayAdminServiceImpl final : public v1::GatewayAdminService::Service {
 public:
  // `door`: how calls to this instance are admitted (own_call.h). The references must outlive
  // this object.
  GatewayAdminServiceImpl(ApiKeyStore& keys, AuditStore& audit, AccessControl& access,
                          StaffAccountRegistry& staff_accounts, OwnDoor door)
      : keys_(keys), audit_(audit), access_(access), staff_accounts_(staff_accounts), door_(door) {}

  grpc::Status CreateApiKey(grpc::ServerContext* context, const v1::CreateApiKeyRequest* request,
                            v1::CreateApiKeyResponse* response) override;
  grpc::Status GetApiKey(grpc::ServerContext* context, const v1::GetApiKeyRequest* request,
                         v1::ApiKey* response) override;
  grpc::Status ListApiKeys(grpc::ServerContext* context, const v1::ListApiKeysRequest* request,
                           v1::ListApiKeysResponse* response) override;
  grpc::Status RevokeApiKey(grpc::ServerContext* context, const v1::RevokeApiKeyRequest* request,
                            v1::ApiKey* response) override;
  grpc::Status CreateStaffAccount(grpc::ServerContext* context,
                                  const v1::CreateStaffAccountRequest* request,
                                  v1::CreateStaffAccountResponse* response) override;
  grpc::Status ListStaffAccounts(grpc::ServerContext* context,
                                 const v1::ListStaffAccountsRequest* request,
                                 v1::ListStaffAccountsResponse* response) override;
  grpc::Status UpdateStaffAccount(grpc::ServerContext* context,
                                  const v1::UpdateStaffAccountRequest* request,
                                  v1::StaffAccount* response) override;
  grpc::Status DisableStaffAccount(grpc::ServerContext* context,
                                   const v1::DisableStaffAccountRequest* request,
                                   v1::StaffAccount* response) override;
  grpc::Status EnableStaffAccount(grpc::ServerContext* context,
                                  const v1::EnableStaffAccountRequest* request,
                                  v1::StaffAccount* response) override;
  grpc::Status GetAuditEntry(grpc::ServerContext* context, const v1::GetAuditEntryRequest* request,
                             v1::AuditEntry* response) override;
  grpc::Status ListAuditEntries(grpc::ServerContext* context,
                                const v1::ListAuditEntriesRequest* request,
                                v1::ListAuditEntriesResponse* response) override;

 private:
  ApiKeyStore& keys_;
  AuditStore& audit_;
  AccessControl& access_;
  StaffAccountRegistry& staff_accounts_;
  const OwnDoor door_;
};

}  // namespace maillage::gateway
