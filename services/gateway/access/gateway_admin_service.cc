#include "services/gateway/access/gateway_admin_service.h"

#include "absl/strings/str_cat.h"
#include "common/status/grpc_status.h"
#include "common/status/reply.h"
#include "services/gateway/access/own_call.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {

namespace {

constexpr char kService[] = "/maillage.gateway.v1.GatewayAdminService/";

}  // namespace

// Admits the call as `Method` or returns its refusal.
#define MAILLAGE_ADMIT(Method)                                             \
  OwnCall call(*context, access_, door_, absl::StrCat(kService, #Method)); \
  if (!call.ok()) return ToGrpcStatus(call.status(), kGatewayDomain)

grpc::Status GatewayAdminServiceImpl::CreateApiKey(grpc::ServerContext* context,
                                                   const v1::CreateApiKeyRequest* request,
                                                   v1::CreateApiKeyResponse* response) {
  MAILLAGE_ADMIT(CreateApiKey);
  return call.Finish(Reply(keys_.Create(context->deadline(), *request, call.principal().key_name),
                           response, kGatewayDomain),
                     request, &response->api_key());
}

grpc::Status GatewayAdminServiceImpl::GetApiKey(grpc::ServerContext* context,
                                                const v1::GetApiKeyRequest* request,
                                                v1::ApiKey* response) {
  MAILLAGE_ADMIT(GetApiKey);
  return call.Finish(
      Reply(keys_.Get(context->deadline(), request->name()), response, kGatewayDomain));
}

grpc::Status GatewayAdminServiceImpl::ListApiKeys(grpc::ServerContext* context,
                                                  const v1::ListApiKeysRequest* request,
                                                  v1::ListApiKeysResponse* response) {
  MAILLAGE_ADMIT(ListApiKeys);
  return call.Finish(Reply(keys_.List(context->deadline(), *request), response, kGatewayDomain));
}

grpc::Status GatewayAdminServiceImpl::RevokeApiKey(grpc::ServerContext* context,
                                                   const v1::RevokeApiKeyRequest* request,
                                                   v1::ApiKey* response) {
  MAILLAGE_ADMIT(RevokeApiKey);
  absl::StatusOr<v1::ApiKey> revoked = keys_.Revoke(context->deadline(), *request);
  if (revoked.ok()) access_.Forget(revoked->prefix());
  return call.Finish(Reply(std::move(revoked), response, kGatewayDomain), request, response);
}

grpc::Status GatewayAdminServiceImpl::CreateStaffAccount(
    grpc::ServerContext* context, const v1::CreateStaffAccountRequest* request,
    v1::CreateStaffAccountResponse* response) {
  MAILLAGE_ADMIT(CreateStaffAccount);
  return call.Finish(
      Reply(staff_accounts_.Create(*request, context->deadline()), response, kGatewayDomain),
      request, &response->staff_account());
}

grpc::Status GatewayAdminServiceImpl::ListStaffAccounts(grpc::ServerContext* context,
                                                        const v1::ListStaffAccountsRequest* request,
                                                        v1::ListStaffAccountsResponse* response) {
  MAILLAGE_ADMIT(ListStaffAccounts);
  return call.Finish(
      Reply(staff_accounts_.List(*request, context->deadline()), response, kGatewayDomain));
}

grpc::Status GatewayAdminServiceImpl::UpdateStaffAccount(
    grpc::ServerContext* context, const v1::UpdateStaffAccountRequest* request,
    v1::StaffAccount* response) {
  MAILLAGE_ADMIT(UpdateStaffAccount);
  return call.Finish(
      Reply(staff_accounts_.Update(*request, context->deadline()), response, kGatewayDomain),
      request, response);
}

grpc::Status GatewayAdminServiceImpl::DisableStaffAccount(
    grpc::ServerContext* context, const v1::DisableStaffAccountRequest* request,
    v1::StaffAccount* response) {
  MAILLAGE_ADMIT(DisableStaffAccount);
  return call.Finish(Reply(staff_accounts_.SetDisabled(request->name(), true, context->deadline()),
                           response, kGatewayDomain),
                     request, response);
}

grpc::Status GatewayAdminServiceImpl::EnableStaffAccount(
    grpc::ServerContext* context, const v1::EnableStaffAccountRequest* request,
    v1::StaffAccount* response) {
  MAILLAGE_ADMIT(EnableStaffAccount);
  return call.Finish(Reply(staff_accounts_.SetDisabled(request->name(), false, context->deadline()),
                           response, kGatewayDomain),
                     request, response);
}

grpc::Status GatewayAdminServiceImpl::GetAuditEntry(grpc::ServerContext* context,
                                                    const v1::GetAuditEntryRequest* request,
                                                    v1::AuditEntry* response) {
  MAILLAGE_ADMIT(GetAuditEntry);
  return call.Finish(
      Reply(audit_.Get(context->deadline(), request->name()), response, kGatewayDomain));
}

grpc::Status GatewayAdminServiceImpl::ListAuditEntries(grpc::ServerContext* context,
                                                       const v1::ListAuditEntriesRequest* request,
                                                       v1::ListAuditEntriesResponse* response) {
  MAILLAGE_ADMIT(ListAuditEntries);
  return call.Finish(Reply(audit_.List(context->deadline(), *request), response, kGatewayDomain));
}

#undef MAILLAGE_ADMIT

}  // namespace maillage::gateway
