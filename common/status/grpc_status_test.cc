#include "common/status/grpc_status.h"

#include "common/status/errors.h"
#include "common/testing/status_matchers.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage {
namespace {

TEST(GrpcStatusTest, OkIsOk) {
  EXPECT_THAT(ToGrpcStatus(absl::OkStatus(), "x"), IsOk());
  EXPECT_THAT(FromGrpcStatus(grpc::Status::OK), IsOk());
}

TEST(GrpcStatusTest, DetailsTravelInStatusDetailsBin) {
  FieldViolations v;
  v.Add("actor.rna", "must match W + 9 characters");
  grpc::Status g = ToGrpcStatus(v.ToStatus("directory.maillage"), "directory.maillage");
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(g.error_details()));
  EXPECT_EQ(rpc.code(), 3);
  ASSERT_EQ(rpc.details_size(), 3);  // ErrorInfo, BadRequest, LocalizedMessage (fr-FR)
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rpc.details(0).UnpackTo(&info));
  EXPECT_EQ(info.domain(), "directory.maillage");
  google::rpc::BadRequest bad;
  ASSERT_TRUE(rpc.details(1).UnpackTo(&bad));
  EXPECT_EQ(bad.field_violations(0).field(), "actor.rna");
  google::rpc::LocalizedMessage french;
  ASSERT_TRUE(rpc.details(2).UnpackTo(&french));
  EXPECT_EQ(french.locale(), "fr-FR");

  absl::Status back = FromGrpcStatus(g);
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetBadRequest(back)->field_violations(0).field(), "actor.rna");
}

// An import refused for 300 rows: the details stay within what a gRPC client accepts, the first
// violations are kept and the last one says how many were left out.
TEST(GrpcStatusTest, ManyFieldViolationsStayWithinTheTrailersLimit) {
  FieldViolations violations;
  for (int row = 1; row <= 300; ++row) {
    violations.Add(absl::StrCat("rows[", row, "].siret"),
                   "is not a valid SIRET (14 digits, Luhn key): 12345678901234 was given");
  }
  absl::Status status = violations.ToStatus("directory.maillage");
  grpc::Status out = ToGrpcStatus(status, "directory.maillage");
  EXPECT_LE(out.error_details().size(), kMaxErrorDetailsBytes);
  absl::Status back = FromGrpcStatus(out);
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(GetErrorInfo(back).has_value());
  std::optional<google::rpc::BadRequest> bad = GetBadRequest(back);
  ASSERT_TRUE(bad.has_value());
  ASSERT_GT(bad->field_violations_size(), 3);
  EXPECT_EQ(bad->field_violations(0).field(), "rows[1].siret");
  const auto& last = bad->field_violations(bad->field_violations_size() - 1);
  EXPECT_EQ(last.description().substr(0, last.description().find(' ')),
            std::to_string(300 - (bad->field_violations_size() - 1)));
  EXPECT_EQ(last.localized_message().locale(), "fr-FR");
}

TEST(GrpcStatusTest, ErrorWithoutInfoGetsOneFromItsCode) {
  grpc::Status g = ToGrpcStatus(absl::UnavailableError("database unreachable"), "budget.maillage");
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(g.error_details()));
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rpc.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "UNAVAILABLE");
  EXPECT_EQ(info.domain(), "budget.maillage");
}

TEST(GrpcStatusTest, PlainGrpcStatusWithoutDetails) {
  absl::Status s = FromGrpcStatus(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "late"));
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(s.message(), "late");
}

}  // namespace
}  // namespace maillage
