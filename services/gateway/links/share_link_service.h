// maillage.gateway.v1.ShareLinkService served by the gateway itself (share_link_service.proto):
// STAFF and ADMIN callers (an API key or a console session) issue, list and revoke capability
// URLs; admitted as the gateway's other own services (own_call.h). Issuing and revoking are
// writes, audited as such; the links are opened by ShareLinkDoor (share_link_door.h).
#pragma once

#include "maillage/gateway/v1/share_link_service.grpc.pb.h"
#include "services/gateway/access/access_control.h"
#include "services/gateway/access/own_call.h"
#include "services/gateway/links/share_link_store.h"

namespace maillage::gateway {

class ShareLinkServiceImpl final : public v1::ShareLinkService::Service {
 public:
  ShareLinkServiceImpl(ShareLinkStore& store, AccessControl& access, OwnDoor door)
      : store_(store), access_(access), door_(door) {}

  grpc::Status CreateShareLink(grpc::ServerContext* context,
                               const v1::CreateShareLinkRequest* request,
                               v1::ShareLink* response) override;
  grpc::Status ListShareLinks(grpc::ServerContext* context,
                              const v1::ListShareLinksRequest* request,
                              v1::ListShareLinksResponse* response) override;
  grpc::Status RevokeShareLink(grpc::ServerContext* context,
                               const v1::RevokeShareLinkRequest* request,
                               v1::ShareLink* response) override;

 private:
  ShareLinkStore& store_;
  AccessControl& access_;
  const OwnDoor door_;
};

// Who `principal` is as an issuer of links ("apiKeys/7" or "staffAccounts/3"); PERMISSION_DENIED
// for another principal (a service's).
absl::StatusOr<ShareLinkCaller> ShareLinkCallerOf(const auth::Principal& principal);

}  // namespace maillage::gateway
