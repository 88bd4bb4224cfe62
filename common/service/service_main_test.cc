// service_main.h: what every binary's process gets before its threads start.
#include "common/service/service_main.h"

#include <string>

#include "common/server/memory.h"
#include "common/testing/allocating_threads.h"
#include "gtest/gtest.h"

namespace maillage::service {
namespace {

// The gateway and the services call InitProcess before any thread of theirs: the HTTP workers
// and gRPC threads then share kAllocatorArenas arenas (the gateway had seven).
TEST(InitProcessTest, CapsTheAllocatorArenasBeforeAnyThread) {
  ServiceEnvironment environment;
  environment.server.service_name = "init-process-test";
  environment.log_level = "error";
  environment.principal_secret = std::string(32, 's');
  InitProcess(environment);
  testing::RunAllocatingThreads(16);
  EXPECT_LE(server::AllocatorArenas(), server::AllocatorArenaLimit());
}

}  // namespace
}  // namespace maillage::service
