// Admission to the gateway's own services (GatewayAdminService, ReportService). They are served
// twice, by two servers of one process, each admitting one way (OwnDoor):
//   - kPublic, on the public gRPC port: the caller's x-api-key, checked by AccessControl like
//     every other public call and audited when it ends. A principal (x-maillage-principal) the
//     client sends is ignored: the public ports never accept one, whoever signed it.
//   - kInProcess, on a server without a port that only the gateway's HTTP side reaches
//     (server::Server::InProcessChannel): the principal the HTTP side signed after checking the
//     key, as any service receives it; nothing outside the process can send one there.
//
//   grpc::Status Admin::CreateApiKey(grpc::ServerContext* context, ...) {
//     OwnCall call(*context, access_, door_,
//     "/maillage.gateway.v1.GatewayAdminService/CreateApiKey"); if (!call.ok()) return
//     call.Finish(ToGrpcStatus(call.status(), kGatewayDomain));
//     ...
//     return call.Finish(Reply(keys_.Create(...), response), response);
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/caller.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "services/gateway/access/access_control.h"

namespace maillage::gateway {

// Which server a call of the gateway's own services came through (see above).
enum class OwnDoor { kPublic, kInProcess };

class OwnCall {
 public:
  OwnCall(const grpc::ServerContextBase& context, AccessControl& access, OwnDoor door,
          absl::string_view method);
  OwnCall(const OwnCall&) = delete;
  OwnCall& operator=(const OwnCall&) = delete;

  bool ok() const { return principal_.ok(); }
  absl::Status status() const { return principal_.status(); }
  const auth::Principal& principal() const { return *principal_; }

  // Audits the call when it came with an API key (the HTTP side audits its own), then returns
  // `status`. `response` names the resource of a creation.
  grpc::Status Finish(grpc::Status status, const google::protobuf::Message* request = nullptr,
                      const google::protobuf::Message* response = nullptr);

 private:
  AccessControl& access_;
  std::string method_;
  bool with_key_ = false;
  CallRecord record_;
  absl::StatusOr<auth::Principal> principal_;
  std::optional<auth::CallerScope> scope_;
};

}  // namespace maillage::gateway
