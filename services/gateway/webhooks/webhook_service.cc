#include "services/gateway/webhooks/webhook_service.h"

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/api/update_mask.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/reply.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {
namespace {

constexpr char kService[] = "/maillage.gateway.v1.WebhookService/";
constexpr int kMaxUrlLength = 2048;
constexpr int kMaxDescriptionLength = 500;
constexpr int kMaxEventTypes = 64;

absl::StatusOr<WebhookCaller> CallerOf(const auth::Principal& principal) {
  absl::StatusOr<int64_t> id =
      api::ParseResourceId(principal.key_name, "apiKeys", "key", kGatewayDomain);
  if (!id.ok()) {
    return PermissionDenied(kGatewayDomain, "WEBHOOKS_NEED_AN_API_KEY",
                            "webhook subscriptions belong to an API key");
  }
  return WebhookCaller{*id, principal.role};
}

}  // namespace

// Admits the call as `Method` (or returns its refusal) and names its caller `caller`.
#define MAILLAGE_ADMIT(Method)                                             \
  OwnCall call(*context, access_, door_, absl::StrCat(kService, #Method)); \
  if (!call.ok()) return ToGrpcStatus(call.status(), kGatewayDomain);      \
  absl::StatusOr<WebhookCaller> caller = CallerOf(call.principal());       \
  if (!caller.ok()) return call.Finish(ToGrpcStatus(caller.status(), kGatewayDomain))

absl::Status WebhookServiceImpl::Validate(const v1::WebhookSubscription& subscription,
                                          auth::Role role, const std::string& prefix) const {
  FieldViolations violations;
  if (subscription.url().empty()) {
    violations.Add(prefix + "url", "required");
  } else if (subscription.url().size() > kMaxUrlLength) {
    violations.Add(prefix + "url", absl::StrCat("at most ", kMaxUrlLength, " characters"));
  } else if (absl::Status usable = client_.CheckUrl(subscription.url()); !usable.ok()) {
    violations.Add(prefix + "url", usable.message());
  }
  if (subscription.event_types().empty()) {
    violations.Add(prefix + "event_types", "required: at least one event type, or \"*\"");
  } else if (subscription.event_types_size() > kMaxEventTypes) {
    violations.Add(prefix + "event_types", absl::StrCat("at most ", kMaxEventTypes));
  }
  std::string unreadable;
  for (int i = 0; i < subscription.event_types_size(); ++i) {
    bool known = false;
    if (!dispatcher_.MayReceive(role, subscription.event_types(i), &known)) {
      if (!known) {
        violations.Add(absl::StrCat(prefix, "event_types[", i, "]"),
                       absl::StrCat("unknown event type \"", subscription.event_types(i), "\""));
      } else if (unreadable.empty()) {
        unreadable = subscription.event_types(i);
      }
    }
  }
  if (subscription.description().size() > kMaxDescriptionLength) {
    violations.Add(prefix + "description",
                   absl::StrCat("at most ", kMaxDescriptionLength, " characters"));
  }
  if (!violations.empty()) return violations.ToStatus(kGatewayDomain);
  if (!unreadable.empty()) {
    return PermissionDenied(
        kGatewayDomain, "EVENT_TYPE_NOT_READABLE",
        absl::StrCat("role ", v1::Role_Name(role), " may not read the events \"", unreadable,
                     "\" (the permission table refuses it their feed)"),
        {{"event_type", unreadable}, {"role", v1::Role_Name(role)}});
  }
  return absl::OkStatus();
}

grpc::Status WebhookServiceImpl::CreateWebhookSubscription(
    grpc::ServerContext* context, const v1::CreateWebhookSubscriptionRequest* request,
    v1::WebhookSubscription* response) {
  MAILLAGE_ADMIT(CreateWebhookSubscription);
  absl::Status valid =
      Validate(request->webhook_subscription(), caller->role, "webhook_subscription.");
  if (!valid.ok()) return call.Finish(ToGrpcStatus(valid, kGatewayDomain), request);
  return call.Finish(
      Reply(store_.Create(context->deadline(), *caller, request->webhook_subscription()), response,
            kGatewayDomain),
      request, response);
}

grpc::Status WebhookServiceImpl::GetWebhookSubscription(
    grpc::ServerContext* context, const v1::GetWebhookSubscriptionRequest* request,
    v1::WebhookSubscription* response) {
  MAILLAGE_ADMIT(GetWebhookSubscription);
  return call.Finish(
      Reply(store_.Get(context->deadline(), *caller, request->name()), response, kGatewayDomain),
      request);
}

grpc::Status WebhookServiceImpl::ListWebhookSubscriptions(
    grpc::ServerContext* context, const v1::ListWebhookSubscriptionsRequest* request,
    v1::ListWebhookSubscriptionsResponse* response) {
  MAILLAGE_ADMIT(ListWebhookSubscriptions);
  return call.Finish(
      Reply(store_.List(context->deadline(), *caller, *request), response, kGatewayDomain),
      request);
}

grpc::Status WebhookServiceImpl::UpdateWebhookSubscription(
    grpc::ServerContext* context, const v1::UpdateWebhookSubscriptionRequest* request,
    v1::WebhookSubscription* response) {
  MAILLAGE_ADMIT(UpdateWebhookSubscription);
  const v1::WebhookSubscription& patch = request->webhook_subscription();
  absl::StatusOr<v1::WebhookSubscription> current =
      store_.Get(context->deadline(), *caller, patch.name());
  if (!current.ok()) return call.Finish(ToGrpcStatus(current.status(), kGatewayDomain), request);
  absl::StatusOr<v1::WebhookSubscription> merged =
      api::ApplyUpdateMask(*current, patch, request->update_mask(), kGatewayDomain);
  absl::Status valid = merged.ok()
                           ? Validate(*merged, current->owner_role(), "webhook_subscription.")
                           : merged.status();
  if (!valid.ok()) return call.Finish(ToGrpcStatus(valid, kGatewayDomain), request);
  return call.Finish(Reply(store_.Update(context->deadline(), *caller, *merged, patch.etag()),
                           response, kGatewayDomain),
                     request);
}

grpc::Status WebhookServiceImpl::DeleteWebhookSubscription(
    grpc::ServerContext* context, const v1::DeleteWebhookSubscriptionRequest* request,
    v1::DeleteWebhookSubscriptionResponse* /*response*/) {
  MAILLAGE_ADMIT(DeleteWebhookSubscription);
  return call.Finish(
      ToGrpcStatus(store_.Delete(context->deadline(), *caller, request->name()), kGatewayDomain),
      request);
}

grpc::Status WebhookServiceImpl::EnableWebhookSubscription(
    grpc::ServerContext* context, const v1::EnableWebhookSubscriptionRequest* request,
    v1::WebhookSubscription* response) {
  MAILLAGE_ADMIT(EnableWebhookSubscription);
  return call.Finish(
      Reply(store_.Enable(context->deadline(), *caller, request->name()), response, kGatewayDomain),
      request);
}

grpc::Status WebhookServiceImpl::ListWebhookAttempts(grpc::ServerContext* context,
                                                     const v1::ListWebhookAttemptsRequest* request,
                                                     v1::ListWebhookAttemptsResponse* response) {
  MAILLAGE_ADMIT(ListWebhookAttempts);
  return call.Finish(
      Reply(store_.ListAttempts(context->deadline(), *caller, *request), response, kGatewayDomain),
      request);
}

grpc::Status WebhookServiceImpl::ReplayWebhookEvents(grpc::ServerContext* context,
                                                     const v1::ReplayWebhookEventsRequest* request,
                                                     v1::ReplayWebhookEventsResponse* response) {
  MAILLAGE_ADMIT(ReplayWebhookEvents);
  if (!request->has_start_time()) {
    return call.Finish(
        ToGrpcStatus(InvalidField(kGatewayDomain, "start_time", "required"), kGatewayDomain),
        request);
  }
  const absl::Time start = absl::FromUnixSeconds(request->start_time().seconds()) +
                           absl::Nanoseconds(request->start_time().nanos());
  absl::StatusOr<int64_t> queued =
      store_.Replay(context->deadline(), *caller, request->name(), start);
  if (queued.ok()) response->set_queued_events(*queued);
  return call.Finish(ToGrpcStatus(queued.status(), kGatewayDomain), request);
}

#undef MAILLAGE_ADMIT

}  // namespace maillage::gateway
