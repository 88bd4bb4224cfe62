// Two replicas of each service behind the gateway: one directory replica is killed with SIGKILL
// in the middle of steady traffic (writes with request_ids, reads). The gateway's channels
// balance over both replicas and retry UNAVAILABLE on reads and on writes that carry a
// request_id (services/gateway/routing/backend_caller.h), so no request fails, and every
// acknowledged write is there afterwards, once.
#include <signal.h>

#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/suite.h"
#include "tests/e2e/traffic.h"

namespace maillage::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ReplicasE2eTest, KillingOneDirectoryReplicaFailsNoRequestAndLosesNoWrite) {
  SuiteOptions options;
  options.replicas = 2;
  Suite suite(options);
  for (const char* name : {"directory", "directory-2", "meetings-2", "budget-2"}) {
    ASSERT_EQ(HealthOf(suite.Address(name)), "SERVING") << name;
  }

  Traffic traffic(suite, "replica-kill", seconds(5));
  traffic.Start(/*writers=*/3, /*readers=*/1);
  // Both replicas take writes before the kill.
  std::this_thread::sleep_for(seconds(2));
  const int acknowledged_before = traffic.AcknowledgedWrites();
  EXPECT_EQ(suite.Kill("directory-2", SIGKILL), 128 + SIGKILL);
  std::this_thread::sleep_for(seconds(3));
  traffic.Stop();

  std::vector<Outcome> outcomes = traffic.Outcomes();
  int writes = 0, reads = 0, failed = 0;
  std::set<std::string> request_ids;
  for (const Outcome& o : outcomes) {
    (o.write ? writes : reads)++;
    if (o.http_status != 200) {
      ++failed;
      ADD_FAILURE() << (o.write ? "write " : "read ") << o.request_id << " failed: HTTP "
                    << o.http_status << " " << o.error_status << " after " << o.latency.count()
                    << " ms";
    }
    if (o.write) request_ids.insert(o.request_id);
  }
  EXPECT_GT(acknowledged_before, 5);
  EXPECT_GT(writes - acknowledged_before, 5) << "writes went on after the kill";
  EXPECT_GT(reads, 5);
  EXPECT_EQ(failed, 0);
  std::printf("replicas: %d writes (%d before the kill), %d reads, %d failed\n", writes,
              acknowledged_before, reads, failed);

  // Every acknowledged write is there, once, under the name it was acknowledged with.
  auto actors = ActorsByDisplayName(suite, "replica-kill");
  for (const Outcome& o : outcomes) {
    if (!o.write || o.http_status != 200) continue;
    auto it = actors.find(o.display_name);
    ASSERT_NE(it, actors.end()) << o.display_name << " acknowledged but missing";
    EXPECT_EQ(it->second, std::vector<std::string>{o.actor_name}) << o.display_name;
  }
  EXPECT_EQ(actors.size(), static_cast<size_t>(writes - failed));

  // The replica comes back and takes its share again.
  suite.Restart("directory-2");
  httplib::Client client = GatewayClient(suite);
  for (int i = 0; i < 4; ++i) {
    Outcome o = CreateActor(client, NewUuid(), absl::StrCat("replica-kill after ", i), seconds(5));
    EXPECT_EQ(o.http_status, 200) << o.error_status;
  }
}

}  // namespace
}  // namespace maillage::testing
