// DirectoryTest: a fresh database (migrated, reference data synced) and an in-process
// directory server on port 0, reached through the generated stub, for each test.
#pragma once

#include <memory>
#include <string>

#include "common/db/pool.h"
#include "common/server/server.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/postgres.h"
#include "gtest/gtest.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"
#include "services/directory/directory_service.h"

namespace maillage::directory {

class DirectoryTest : public ::testing::Test {
 protected:
  DirectoryTest();
  ~DirectoryTest() override;

  // A client context with a 20 s deadline.
  static std::unique_ptr<grpc::ClientContext> Context();

  // Creates an actor named `display_name` with optional fields set by `edit`; fails the test
  // on error.
  v1::Actor CreateActor(const std::string& display_name,
                        const std::function<void(v1::Actor&)>& edit = {});

  // The ErrorInfo reason of a failed status ("" when none).
  static std::string Reason(const grpc::Status& status);
  // The fields named by the BadRequest of a failed status.
  static std::vector<std::string> BadFields(const grpc::Status& status);
  // Number of rows of `table` (via SQL).
  int64_t CountRows(const std::string& table);

  testing::TestDatabase database_{"directory"};
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<DirectoryServiceImpl> service_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<v1::DirectoryService::Stub> stub_;
};

}  // namespace maillage::directory
