// The API keys of the gateway's own database, read for the admin API.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "maillage/gateway/v1/gateway_admin_service.pb.h"

namespace maillage::gateway {

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

 private:
  db::Pool& pool_;
};

}  // namespace maillage::gateway
