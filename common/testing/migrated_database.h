// A throwaway database (TestDatabase) with a service's migrations applied and a pool on it: the
// fixture of every store test.
//
//   class ApiKeyStoreTest : public ::testing::Test {
//    protected:
//     ApiKeyStoreTest() { database_.Exec("INSERT INTO api_keys ..."); }  // optional rows
//     testing::MigratedDatabase database_{"gateway", Migrations()};
//     ApiKeyStore keys_{database_.pool()};
//   };
//
// Failures (migrations, SQL of Exec) throw std::runtime_error with the status: GoogleTest
// reports them as a failed test.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/testing/postgres.h"

namespace maillage::testing {

class MigratedDatabase {
 public:
  // A fresh database named after `service`, migrated with `migrations` as the service would.
  MigratedDatabase(absl::string_view service, const std::vector<db::Migration>& migrations,
                   db::PoolOptions options = {});

  db::Pool& pool() { return pool_; }
  const std::string& url() const { return database_.url(); }

  // Runs `sql` (one or more statements, no parameters) in one transaction.
  void Exec(const std::string& sql);

 private:
  static db::PoolOptions WithUrl(db::PoolOptions options, const std::string& url);

  TestDatabase database_;
  db::Pool pool_;
};

}  // namespace maillage::testing
