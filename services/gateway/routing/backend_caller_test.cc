// The retry policy of the gateway's backend calls: which calls may be sent again after
// UNAVAILABLE. (The retries themselves are shown end to end by tests/e2e/replicas_e2e_test.cc,
// which kills a directory replica under load.)
#include "services/gateway/routing/backend_caller.h"

#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "maillage/directory/v1/directory_service.pb.h"

namespace maillage::gateway {
namespace {

namespace v1 = maillage::directory::v1;

const google::protobuf::MethodDescriptor& Method(const std::string& name) {
  const google::protobuf::MethodDescriptor* method =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
          "maillage.directory.v1.DirectoryService." + name);
  EXPECT_NE(method, nullptr) << name;
  return *method;
}

TEST(RetryPolicyTest, ReadsAreRetried) {
  EXPECT_TRUE(IsRetryable(Method("GetActor"), v1::GetActorRequest()));
  EXPECT_TRUE(IsRetryable(Method("ListActors"), v1::ListActorsRequest()));
}

TEST(RetryPolicyTest, WritesOnlyWithARequestId) {
  v1::CreateActorRequest create;
  create.mutable_actor()->set_display_name("x");
  EXPECT_FALSE(IsRetryable(Method("CreateActor"), create));
  create.set_request_id("0f8e5c1a-5b0e-4c4e-9a57-2d1f6c3b9e11");
  EXPECT_TRUE(IsRetryable(Method("CreateActor"), create));
  // No request_id field at all: never repeated.
  v1::UpdateActorRequest update;
  EXPECT_FALSE(IsRetryable(Method("UpdateActor"), update));
}

}  // namespace
}  // namespace maillage::gateway
