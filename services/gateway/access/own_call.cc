#include "services/gateway/access/own_call.h"

#include <chrono>

#include "common/auth/authorizer.h"
#include "common/log/log.h"
#include "common/status/grpc_status.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {
namespace {

std::string MetadataValue(const grpc::ServerContextBase& context, const char* key) {
  auto it = context.client_metadata().find(key);
  if (it == context.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

OwnCall::OwnCall(const grpc::ServerContextBase& context, AccessControl& access, OwnDoor door,
                 absl::string_view method)
    : access_(access), method_(method), principal_(absl::UnknownError("not admitted")) {
  if (door == OwnDoor::kInProcess) {
    principal_ = auth::Authorize(context, method, auth::ProcessSecret());
  } else {
    with_key_ = true;
    record_.transport = v1::TRANSPORT_GRPC;
    record_.method = method_;
    record_.request_id = log::CurrentRequestId();
    record_.client_address = ClientAddressOfPeer(context.peer());
    absl::StatusOr<Caller> caller =
        access.Admit(PresentedApiKey(MetadataValue(context, kApiKeyHeader),
                                     MetadataValue(context, kAuthorizationHeader)),
                     method, context.deadline(), record_);
    if (caller.ok()) {
      record_.key_id = caller->key_id;
      record_.key_prefix = caller->prefix;
      record_.role = caller->role;
      principal_ = caller->principal(record_.request_id);
    } else {
      principal_ = caller.status();
      with_key_ = false;  // refusals are audited (or not) by Admit
    }
  }
  if (principal_.ok()) scope_.emplace(*principal_);
}

grpc::Status OwnCall::Finish(grpc::Status status, const google::protobuf::Message* request,
                             const google::protobuf::Message* response) {
  if (with_key_) {
    record_.outcome = static_cast<absl::StatusCode>(status.error_code());
    if (request != nullptr)
      record_.resource = ResourceOf(*request, status.ok() ? response : nullptr);
    access_.Audit(record_);
  }
  return status;
}

}  // namespace maillage::gateway
