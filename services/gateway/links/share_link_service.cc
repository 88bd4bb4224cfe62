#include "services/gateway/links/share_link_service.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/reply.h"
#include "services/gateway/errors/http_errors.h"
#include "services/gateway/links/share_link_reads.h"

namespace maillage::gateway {
namespace {

constexpr char kService[] = "/maillage.gateway.v1.ShareLinkService/";

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

}  // namespace

absl::StatusOr<ShareLinkCaller> ShareLinkCallerOf(const auth::Principal& principal) {
  ShareLinkCaller caller;
  caller.role = principal.role;
  const absl::string_view name = principal.key_name;
  absl::StatusOr<int64_t> id =
      absl::StartsWith(name, "staffAccounts/")
          ? api::ParseResourceId(name, "staffAccounts", "account", kGatewayDomain)
          : api::ParseResourceId(name, "apiKeys", "key", kGatewayDomain);
  if (!id.ok()) {
    return PermissionDenied(kGatewayDomain, "SHARE_LINKS_NEED_AN_ISSUER",
                            "share links are issued by an API key or a person of the console");
  }
  (absl::StartsWith(name, "staffAccounts/") ? caller.staff_account_id : caller.key_id) = *id;
  return caller;
}

// Admits the call as `Method` (or returns its refusal) and names its caller `caller`.
#define MAILLAGE_ADMIT(Method)                                                  \
  OwnCall call(*context, access_, door_, absl::StrCat(kService, #Method));      \
  if (!call.ok()) return ToGrpcStatus(call.status(), kGatewayDomain);           \
  absl::StatusOr<ShareLinkCaller> caller = ShareLinkCallerOf(call.principal()); \
  if (!caller.ok()) return call.Finish(ToGrpcStatus(caller.status(), kGatewayDomain))

grpc::Status ShareLinkServiceImpl::CreateShareLink(grpc::ServerContext* context,
                                                   const v1::CreateShareLinkRequest* request,
                                                   v1::ShareLink* response) {
  MAILLAGE_ADMIT(CreateShareLink);
  const v1::ShareLink& link = request->share_link();
  const absl::Time now = absl::Now();
  absl::Status valid = ValidateShareLink(link, now);
  if (valid.ok()) valid = MayGrant(caller->role, link.kind());
  if (!valid.ok()) return call.Finish(ToGrpcStatus(valid, kGatewayDomain), request);
  const absl::Time expire =
      link.has_expire_time() ? TimeOf(link.expire_time()) : now + kDefaultShareLinkLifetime;
  const ShareLinkToken token = NewShareLinkToken();
  bool issued = false;
  absl::StatusOr<v1::ShareLink> created =
      store_.Create(context->deadline(), *caller, *request, expire, token.hash, &issued);
  if (created.ok() && issued) {
    created->set_url_path(absl::StrCat("/links/", token.text, ReadOfKind(link.kind())->extension));
  }
  return call.Finish(Reply(std::move(created), response, kGatewayDomain), request, response);
}

grpc::Status ShareLinkServiceImpl::ListShareLinks(grpc::ServerContext* context,
                                                  const v1::ListShareLinksRequest* request,
                                                  v1::ListShareLinksResponse* response) {
  MAILLAGE_ADMIT(ListShareLinks);
  return call.Finish(
      Reply(store_.List(context->deadline(), *caller, *request), response, kGatewayDomain),
      request);
}

grpc::Status ShareLinkServiceImpl::RevokeShareLink(grpc::ServerContext* context,
                                                   const v1::RevokeShareLinkRequest* request,
                                                   v1::ShareLink* response) {
  MAILLAGE_ADMIT(RevokeShareLink);
  return call.Finish(
      Reply(store_.Revoke(context->deadline(), *caller, request->name()), response, kGatewayDomain),
      request);
}

#undef MAILLAGE_ADMIT

}  // namespace maillage::gateway
