// The one etag check (etag.h).
#include "common/api/etag.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/status/errors.h"
#include "common/testing/status_matchers.h"

namespace maillage::api {
namespace {

using ::maillage::testing::IsOk;
using ::maillage::testing::StatusIs;

TEST(CheckEtagTest, EmptyOrEqualPasses) {
  EXPECT_THAT(CheckEtag("", "7", "actors/1", "test.maillage"), IsOk());
  EXPECT_THAT(CheckEtag("7", "7", "actors/1", "test.maillage"), IsOk());
}

TEST(CheckEtagTest, StaleIsAbortedWithRequestedAndCurrent) {
  absl::Status stale = CheckEtag("6", "7", "actors/1", "test.maillage");
  EXPECT_THAT(stale, StatusIs(absl::StatusCode::kAborted));
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(stale);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "ETAG_MISMATCH");
  EXPECT_EQ(info->domain(), "test.maillage");
  EXPECT_EQ(info->metadata().at("requested_etag"), "6");
  EXPECT_EQ(info->metadata().at("current_etag"), "7");
  EXPECT_EQ(info->metadata().at("name"), "actors/1");
}

}  // namespace
}  // namespace maillage::api
