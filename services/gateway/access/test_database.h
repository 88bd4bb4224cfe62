// The gateway's database in tests: a throwaway PostgreSQL database migrated as the gateway
// migrates its own (common/testing/migrated_database.h), and API keys to own what tests make.
//
//   GatewayTestDatabase database_;
//   database_.AddKeys(2, v1::ROLE_STAFF);   // apiKeys/1 and apiKeys/2, prefixes key_1, key_2
//   ApiKeyStore keys_{database_.pool()};
#pragma once

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/migrations.h"
#include "common/testing/migrated_database.h"
#include "maillage/gateway/v1/api_key.pb.h"

namespace maillage::gateway {

// The gateway's migrations, embedded from ../migrations by CMake (maillage_gateway_access).
const std::vector<db::Migration>& Migrations();

class GatewayTestDatabase : public testing::MigratedDatabase {
 public:
  GatewayTestDatabase() : MigratedDatabase("gateway", Migrations()) {}

  // Inserts `count` active API keys of `role` (ids from 1 in a fresh database), prefixes key_<n>.
  void AddKeys(int count, v1::Role role) {
    Exec(
        absl::StrCat("INSERT INTO api_keys (prefix, secret_hash, display_name, role) SELECT "
                     "'key_' || g, 'h', 'key ' || g, '",
                     v1::Role_Name(role), "' FROM generate_series(1, ", count, ") g"));
  }
};

}  // namespace maillage::gateway
