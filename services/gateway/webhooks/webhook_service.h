// maillage.gateway.v1.WebhookService served by the gateway itself (webhook_service.proto):
// subscriptions of the calling key, their attempts, re-enabling and replay. PARTNER and ADMIN
// keys (the permission table); admitted as the gateway's other own services (own_call.h).
#pragma once

#include "maillage/gateway/v1/webhook_service.grpc.pb.h"
#include "services/gateway/access/access_control.h"
#include "services/gateway/access/own_call.h"
#include "services/gateway/webhooks/webhook_client.h"
#include "services/gateway/webhooks/webhook_dispatcher.h"
#include "services/gateway/webhooks/webhook_store.h"

namespace maillage::gateway {

class WebhookServiceImpl final : public v1::WebhookService::Service {
 public:
  // `dispatcher` says which event types a role may receive; `client` checks the URLs.
  WebhookServiceImpl(WebhookStore& store, const WebhookDispatcher& dispatcher,
                     const WebhookClient& client, AccessControl& access, OwnDoor door)
      : store_(store), dispatcher_(dispatcher), client_(client), access_(access), door_(door) {}

  grpc::Status CreateWebhookSubscription(grpc::ServerContext* context,
                                         const v1::CreateWebhookSubscriptionRequest* request,
                                         v1::WebhookSubscription* response) override;
  grpc::Status GetWebhookSubscription(grpc::ServerContext* context,
                                      const v1::GetWebhookSubscriptionRequest* request,
                                      v1::WebhookSubscription* response) override;
  grpc::Status ListWebhookSubscriptions(grpc::ServerContext* context,
                                        const v1::ListWebhookSubscriptionsRequest* request,
                                        v1::ListWebhookSubscriptionsResponse* response) override;
  grpc::Status UpdateWebhookSubscription(grpc::ServerContext* context,
                                         const v1::UpdateWebhookSubscriptionRequest* request,
                                         v1::WebhookSubscription* response) override;
  grpc::Status DeleteWebhookSubscription(grpc::ServerContext* context,
                                         const v1::DeleteWebhookSubscriptionRequest* request,
                                         v1::DeleteWebhookSubscriptionResponse* response) override;
  grpc::Status EnableWebhookSubscription(grpc::ServerContext* context,
                                         const v1::EnableWebhookSubscriptionRequest* request,
                                         v1::WebhookSubscription* response) override;
  grpc::Status ListWebhookAttempts(grpc::ServerContext* context,
                                   const v1::ListWebhookAttemptsRequest* request,
                                   v1::ListWebhookAttemptsResponse* response) override;
  grpc::Status ReplayWebhookEvents(grpc::ServerContext* context,
                                   const v1::ReplayWebhookEventsRequest* request,
                                   v1::ReplayWebhookEventsResponse* response) override;

  // OK when `subscription` (url, event_types, description) may be stored for `role`:
  // INVALID_ARGUMENT with one violation per bad field (`prefix` + field), PERMISSION_DENIED
  // (EVENT_TYPE_NOT_READABLE) for a type the role may not read.
  absl::Status Validate(const v1::WebhookSubscription& subscription, auth::Role role,
                        const std::string& prefix) const;

 private:
  WebhookStore& store_;
  const WebhookDispatcher& dispatcher_;
  const WebhookClient& client_;
  AccessControl& access_;
  const OwnDoor door_;
};

}  // namespace maillage::gateway
