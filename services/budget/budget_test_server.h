// Test harness of the budget service: a fresh database, migrated, with the chart synced, and
// the real service on an in-process gRPC server on port 0, reached through the generated stub.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/server/client.h"
#include "common/server/server.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/postgres.h"
#include "common/testing/principal.h"
#include "gtest/gtest.h"
#include "maillage/budget/v1/budget_service.grpc.pb.h"
#include "services/budget/budget_service.h"
#include "services/budget/seed_fixture.h"

namespace maillage::budget {
const std::vector<db::Migration>& Migrations();
}  // namespace maillage::budget

namespace maillage::budget::testing {

// The ErrorInfo reason of `status`, empty without one.
inline std::string Reason(const absl::Status& status) {
  auto info = GetErrorInfo(status);
  return info ? info->reason() : "";
}

class BudgetServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    maillage::testing::TrustTestCalls();
    database_ = std::make_unique<maillage::testing::TestDatabase>("budget");
    db::PoolOptions options;
    options.url = database_->url();
    options.size = 12;
    options.error_domain = "budget.maillage";
    pool_ = std::make_unique<db::Pool>(options);
    absl::Status migrated = db::Migrate(*pool_, "budget", Migrations());
    ASSERT_TRUE(migrated.ok()) << migrated;
    service_ = std::make_unique<BudgetServiceImpl>(*pool_);
    absl::Status synced = service_->SyncAccounts(Deadline());
    ASSERT_TRUE(synced.ok()) << synced;
    server::ServerOptions server_options;
    server_options.service_name = "budget";
    server_options.error_domain = "budget.maillage";
    server_options.host = "127.0.0.1";
    server_options.threads = 32;
    server_ = std::make_unique<server::Server>(server_options,
                                               std::vector<grpc::Service*>{service_.get()});
    absl::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
    server_->SetServing(true);
    stub_ = v1::BudgetService::NewStub(
        server::MakeChannel("127.0.0.1:" + std::to_string(server_->port())));
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  static std::chrono::system_clock::time_point Deadline() {
    return std::chrono::system_clock::now() + std::chrono::seconds(30);
  }

  // Calls `method` of the stub; returns the status as absl::Status with its details.
  template <typename Request, typename Response, typename Method>
  absl::Status Call(Method method, const Request& request, Response* response) {
    grpc::ClientContext context;
    server::PrepareClientContext(context, Deadline());
    return FromGrpcStatus(((*stub_).*method)(&context, request, response));
  }

  // The seed action, created under "fa3"; fails the test otherwise.
  v1::Action CreateSeedAction() {
    v1::CreateActionRequest request;
    *request.mutable_action() = SeedAction();
    request.set_action_id("fa3");
    v1::Action action;
    absl::Status status = Call(&v1::BudgetService::Stub::CreateAction, request, &action);
    EXPECT_TRUE(status.ok()) << status;
    return action;
  }

  // A seed table imported as a forecast of `year`.
  v1::ImportBudgetTableResponse ImportSeedTable(int year) {
    v1::ImportBudgetTableRequest request;
    request.set_parent("actions/fa3");
    request.set_table(SeedTable(year));
    request.set_year(year);
    request.set_kind(v1::BUDGET_KIND_FORECAST);
    request.set_title("Budget prévisionnel " + std::to_string(year));
    v1::ImportBudgetTableResponse response;
    absl::Status status = Call(&v1::BudgetService::Stub::ImportBudgetTable, request, &response);
    EXPECT_TRUE(status.ok()) << status;
    return response;
  }

  std::unique_ptr<maillage::testing::TestDatabase> database_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<BudgetServiceImpl> service_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<v1::BudgetService::Stub> stub_;
};

}  // namespace maillage::budget::testing
