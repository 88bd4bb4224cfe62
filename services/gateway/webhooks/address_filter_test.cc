#include "services/gateway/webhooks/address_filter.h"

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace maillage::gateway {
namespace {

using ::maillage::testing::IsOk;
using ::maillage::testing::StatusIs;
using ::testing::HasSubstr;

TEST(AddressFilterTest, RefusesEveryInternalClassByDefault) {
  AddressFilter filter = *AddressFilter::Parse("");
  const std::pair<const char*, const char*> refused[] = {
      {"127.0.0.1", "loopback"},
      {"127.9.9.9", "loopback"},
      {"::1", "loopback"},
      {"::ffff:127.0.0.1", "loopback"},
      {"0.0.0.0", "unspecified"},
      {"::", "unspecified"},
      {"10.1.2.3", "private"},
      {"172.16.0.1", "private"},
      {"172.31.255.255", "private"},
      {"192.168.1.4", "private"},
      {"100.64.0.1", "private"},
      {"fd12::1", "private"},
      {"169.254.1.1", "link-local"},
      {"fe80::1", "link-local"},
      {"169.254.169.254", "metadata"},
      {"fd00:ec2::254", "metadata"},
      {"::ffff:169.254.169.254", "metadata"},
      {"224.0.0.1", "reserved"},
      {"255.255.255.255", "reserved"},
      {"ff02::1", "reserved"},
      {"64:ff9b::7f00:1", "reserved"},
  };
  for (const auto& [address, kind] : refused) {
    absl::Status status = filter.Check(address);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kPermissionDenied)) << address;
    EXPECT_THAT(std::string(status.message()), HasSubstr(kind)) << address;
  }
}

TEST(AddressFilterTest, AcceptsPublicAddresses) {
  AddressFilter filter = *AddressFilter::Parse("");
  for (const char* address :
       {"93.184.216.34", "172.32.0.1", "172.15.255.255", "8.8.8.8", "2a00:1450:4007::1",
        "::ffff:93.184.216.34", "100.128.0.1", "169.255.0.1"}) {
    EXPECT_THAT(filter.Check(address), IsOk()) << address;
  }
}

TEST(AddressFilterTest, AllowListOpensOnlyWhatItNames) {
  AddressFilter filter = *AddressFilter::Parse(" 127.0.0.1 , 10.1.0.0/16,fd00::/8 ");
  EXPECT_THAT(filter.Check("127.0.0.1"), IsOk());
  EXPECT_THAT(filter.Check("::ffff:127.0.0.1"), IsOk());
  EXPECT_THAT(filter.Check("127.0.0.2"), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(filter.Check("10.1.200.3"), IsOk());
  EXPECT_THAT(filter.Check("10.2.0.1"), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(filter.Check("fd00:ec2::254"), IsOk());
  EXPECT_THAT(filter.Check("169.254.169.254"), StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(AddressFilterTest, RefusesMalformedInput) {
  EXPECT_THAT(AddressFilter::Parse("localhost").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(AddressFilter::Parse("10.0.0.0/33").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(AddressFilter::Parse("10.0.0.0/").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(AddressFilter::Parse("").value().Check("example.org"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace maillage::gateway
