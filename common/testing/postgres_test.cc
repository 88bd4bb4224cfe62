// TestPostgres: databases as services see them, and private clusters that stop and start.
#include "common/testing/postgres.h"

#include <pqxx/pqxx>
#include <stdexcept>
#include <string>

#include "gtest/gtest.h"

namespace maillage::testing {
namespace {

TEST(TestPostgresTest, CreateDatabaseConnectsAsItsOwnerWithExtensions) {
  TestDatabase db("Postgres-Test");
  pqxx::connection connection(db.url());
  pqxx::work txn(connection);
  pqxx::row row = txn.exec1(
      "SELECT current_user, current_database(), rolsuper "
      "FROM pg_roles WHERE rolname = current_user");
  EXPECT_EQ(row[0].as<std::string>(), row[1].as<std::string>());
  EXPECT_EQ(row[0].as<std::string>().rfind("postgrestest_", 0), 0u) << row[0].as<std::string>();
  EXPECT_FALSE(row[2].as<bool>());
  EXPECT_EQ(txn.exec1("SELECT unaccent('Économie solidaire')")[0].as<std::string>(),
            "Economie solidaire");
  EXPECT_GT(txn.exec1("SELECT similarity('solidare', 'solidaire')")[0].as<double>(), 0.3);
  EXPECT_EQ(txn.exec1("SELECT levenshtein('solidare', 'solidaire')")[0].as<int>(), 1);
  txn.exec("CREATE TABLE owned_by_the_service (id int)");  // the owner may create tables
  txn.commit();
}

TEST(TestPostgresTest, DropDatabaseRemovesDatabaseAndRoleEvenWhenConnected) {
  TestPostgres& server = TestPostgres::Shared();
  const std::string url = server.CreateDatabase("dropped");
  pqxx::connection still_open(url);
  const std::string name = still_open.dbname();
  server.DropDatabase(url);
  EXPECT_THROW(pqxx::connection{url}, pqxx::broken_connection);
  pqxx::connection admin(server.admin_url());
  pqxx::work txn(admin);
  EXPECT_EQ(
      txn.exec_params1("SELECT count(*) FROM pg_database WHERE datname = $1", name)[0].as<int>(),
      0);
  EXPECT_EQ(txn.exec_params1("SELECT count(*) FROM pg_roles WHERE rolname = $1", name)[0].as<int>(),
            0);
}

TEST(TestPostgresTest, TerminateConnectionsClosesEveryBackendOfTheDatabase) {
  TestDatabase db("terminated");
  pqxx::connection connection(db.url());
  db.server().TerminateConnections(db.url());
  EXPECT_THROW(pqxx::nontransaction(connection).exec("SELECT 1"), pqxx::broken_connection);
  pqxx::connection again(db.url());
  EXPECT_EQ(pqxx::nontransaction(again).exec1("SELECT 1")[0].as<int>(), 1);
}

TEST(TestPostgresTest, PrivateClusterStopsStartsAndIsGoneAfterwards) {
  std::unique_ptr<TestPostgres> server = TestPostgres::StartPrivate();
  const std::string admin_url = server->admin_url();
  EXPECT_TRUE(server->is_private());
  EXPECT_NO_THROW(pqxx::connection{admin_url});
  server->Stop();
  EXPECT_THROW(pqxx::connection{admin_url}, pqxx::broken_connection);
  server->Start();
  EXPECT_NO_THROW(pqxx::connection{admin_url});
  server.reset();
  EXPECT_THROW(pqxx::connection{admin_url}, pqxx::broken_connection);
}

}  // namespace
}  // namespace maillage::testing
