#include "common/status/reply.h"

#include <string>

#include "common/status/errors.h"
#include "common/testing/status_matchers.h"
#include "google/protobuf/wrappers.pb.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage {
namespace {

TEST(ReplyTest, ValueBecomesTheResponse) {
  google::protobuf::StringValue value;
  value.set_value("meeting");
  google::protobuf::StringValue response;
  response.set_value("stale");
  grpc::Status status =
      Reply(absl::StatusOr<google::protobuf::StringValue>(value), &response, "test.maillage");
  EXPECT_THAT(status, IsOk());
  EXPECT_EQ(response.value(), "meeting");
}

TEST(ReplyTest, ErrorKeepsItsDetailsAndLeavesTheResponseAlone) {
  google::protobuf::StringValue response;
  response.set_value("untouched");
  grpc::Status status = Reply(absl::StatusOr<google::protobuf::StringValue>(
                                  InvalidField("budget.maillage", "budget.year", "too early")),
                              &response, "other.maillage");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(response.value(), "untouched");
  absl::Status back = FromGrpcStatus(status);
  EXPECT_EQ(GetErrorInfo(back)->domain(), "budget.maillage");
  EXPECT_EQ(GetBadRequest(back)->field_violations(0).field(), "budget.year");
}

TEST(ReplyTest, ErrorWithoutInfoGetsTheGivenDomain) {
  google::protobuf::StringValue response;
  grpc::Status status = Reply(
      absl::StatusOr<google::protobuf::StringValue>(absl::NotFoundError("meetings/9 not found")),
      &response, "meetings.maillage");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "meetings/9 not found");
  EXPECT_EQ(GetErrorInfo(FromGrpcStatus(status))->domain(), "meetings.maillage");
}

}  // namespace
}  // namespace maillage
