// The API keys of the gateway's own database: created (secret shown once, hash kept), revoked,
// read for the admin API, and looked up by prefix to authenticate a call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "maillage/gateway/v1/gateway_admin_service.pb.h"
#include "services/gateway/access/api_key_text.h"

namespace maillage::gateway {

// What authentication needs of a key.
struct ApiKeyRecord {
  int64_t id = 0;
  std::string name;  // "apiKeys/{id}"
  std::string prefix;
  std::string secret_hash;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string funder_id;  // ROLE_FUNDER keys: the funder they speak for
  std::optional<absl::Time> expire_time;
  std::optional<absl::Time> revoke_time;
  int rate_limit_rps = 0;    // 0: the gateway's default
  int rate_limit_burst = 0;  // 0: the gateway's default
};

// True for the shape of the actions' funder ids (budget ValidateAction): [a-z][a-z0-9-]{0,62}.
bool IsFunderId(absl::string_view id);

class ApiKeyStore {
 public:
  explicit ApiKeyStore(db::Pool& pool) : pool_(pool) {}

  // The key named `name` ("apiKeys/{id}"). INVALID_ARGUMENT for a malformed name, NOT_FOUND
  // (API_KEY_NOT_FOUND) when there is none; database errors as the pool maps them.
  absl::StatusOr<v1::ApiKey> Get(db::Deadline deadline, const std::string& name);

  // A page of keys with the request's filter (role, state, display_name, creator), order
  // (create_time, display_name, last_use_time) and keyset paging. INVALID_ARGUMENT naming the
  // field for a bad page size, token, filter or order.
  absl::StatusOr<v1::ListApiKeysResponse> List(db::Deadline deadline,
                                               const v1::ListApiKeysRequest& request);

  // Creates a key from request.api_key (display_name and role required; funder_id required for
  // ROLE_FUNDER, [a-z][a-z0-9-]{0,62}, and refused for other roles; expire_time in the
  // future and rate_limit >= 0 when set) and returns it with its full text, the only time the
  // text exists outside its holder. A replayed request_id returns the same key without text.
  // INVALID_ARGUMENT naming every bad field.
  absl::StatusOr<v1::CreateApiKeyResponse> Create(db::Deadline deadline,
                                                  const v1::CreateApiKeyRequest& request,
                                                  const std::string& creator);

  // Revokes the key at once (see the proto). NOT_FOUND, ABORTED on an etag mismatch,
  // FAILED_PRECONDITION (LAST_ADMIN_KEY) for the last active ADMIN key.
  absl::StatusOr<v1::ApiKey> Revoke(db::Deadline deadline, const v1::RevokeApiKeyRequest& request);

  // The key whose prefix is `prefix`, or nullopt.
  absl::StatusOr<std::optional<ApiKeyRecord>> FindByPrefix(db::Deadline deadline,
                                                           const std::string& prefix);

  // Records that the key was used now.
  absl::Status TouchLastUse(db::Deadline deadline, int64_t id);

  // Makes `key` an active key with `role` (the first admin key given to the gateway at
  // start-up): inserted when its prefix is unknown; when the prefix exists with another
  // secret, FAILED_PRECONDITION. Does nothing when it exists already (even revoked: a revoked
  // bootstrap key stays revoked).
  absl::Status EnsureKey(db::Deadline deadline, const ApiKeyText& key, v1::Role role,
                         const std::string& display_name);

 private:
  db::Pool& pool_;
};

}  // namespace maillage::gateway
