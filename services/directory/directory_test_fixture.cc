// DirectoryTest fixture (see directory_test_fixture.h).
#include "services/directory/directory_test_fixture.h"

#include "absl/strings/str_cat.h"
#include "common/db/migrations.h"
#include "common/server/client.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/principal.h"
#include "common/testing/status_matchers.h"
#include "services/directory/actor_fields.h"
#include "services/directory/reference_data.h"

using maillage::testing::IsOk;

namespace maillage::directory {

const std::vector<db::Migration>& Migrations();

DirectoryTest::DirectoryTest() {
  maillage::testing::TrustTestCalls();
  db::PoolOptions options;
  options.url = database_.url();
  options.size = 8;
  options.error_domain = std::string(kDomain);
  pool_ = std::make_unique<db::Pool>(options);
  absl::Status migrated = db::Migrate(*pool_, "directory", Migrations());
  if (!migrated.ok()) throw std::runtime_error(migrated.ToString());
  absl::Status synced = SyncReferenceData(*pool_, "");
  if (!synced.ok()) throw std::runtime_error(synced.ToString());
  service_ = std::make_unique<DirectoryServiceImpl>(*pool_);
  server::ServerOptions server_options;
  server_options.service_name = "directory";
  server_options.error_domain = std::string(kDomain);
  server_options.host = "127.0.0.1";
  server_options.reflection = false;
  server_ =
      std::make_unique<server::Server>(server_options, std::vector<grpc::Service*>{service_.get()});
  absl::Status started = server_->Start();
  if (!started.ok()) throw std::runtime_error(started.ToString());
  server_->SetServing(true);
  stub_ = v1::DirectoryService::NewStub(
      server::MakeChannel(absl::StrCat("127.0.0.1:", server_->port()), 64 << 20));
}

DirectoryTest::~DirectoryTest() {
  server_->Shutdown();
  server_.reset();
  service_.reset();
  pool_.reset();
}

std::unique_ptr<grpc::ClientContext> DirectoryTest::Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return context;
}

v1::Actor DirectoryTest::CreateActor(const std::string& display_name,
                                     const std::function<void(v1::Actor&)>& edit) {
  v1::CreateActorRequest request;
  request.mutable_actor()->set_display_name(display_name);
  if (edit) edit(*request.mutable_actor());
  v1::Actor actor;
  grpc::Status status = stub_->CreateActor(Context().get(), request, &actor);
  EXPECT_THAT(status, IsOk()) << display_name << ": " << status.error_message();
  return actor;
}

std::string DirectoryTest::Reason(const grpc::Status& status) {
  auto info = GetErrorInfo(FromGrpcStatus(status));
  return info ? info->reason() : "";
}

std::vector<std::string> DirectoryTest::BadFields(const grpc::Status& status) {
  std::vector<std::string> fields;
  if (auto bad = GetBadRequest(FromGrpcStatus(status))) {
    for (const auto& v : bad->field_violations()) fields.push_back(v.field());
  }
  return fields;
}

int64_t DirectoryTest::CountRows(const std::string& table) {
  absl::StatusOr<int64_t> count = pool_->ReadOnly<int64_t>(
      db::Deadline::max(), [&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
        return txn.exec("SELECT count(*) FROM " + table)[0][0].as<int64_t>();
      });
  EXPECT_THAT(count, IsOk()) << count.status();
  return count.ok() ? *count : -1;
}

}  // namespace maillage::directory
