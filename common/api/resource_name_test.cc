#include "common/api/resource_name.h"

#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::api {
namespace {

TEST(ResourceNameTest, RoundTrip) {
  EXPECT_EQ(ResourceName("actors", 42), "actors/42");
  EXPECT_EQ(*ParseResourceId("actors/42", "actors", "name", "d"), 42);
  auto ids = ParseResourceIds("actors/1/contacts/2", {"actors", "contacts"}, "name", "d");
  ASSERT_THAT(ids, IsOk());
  EXPECT_EQ(*ids, (std::vector<int64_t>{1, 2}));
}

TEST(ResourceNameTest, RefusesEverythingElse) {
  for (const char* bad :
       {"", "actors", "actors/", "actors/0", "actors/-1", "actors/+1", "actors/1/", "meetings/1",
        "actors/1x", "actors/../1", "actors/99999999999999999999", "/actors/1", "actors/1 "}) {
    auto r = ParseResourceId(bad, "actors", "name", "d");
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(ParseResourceId("x", "actors", "actor.name", "d")
                .status()
                .message()
                .find("actor.name: expected a resource name like actors/{id}"),
            std::string::npos);
}

}  // namespace
}  // namespace maillage::api
