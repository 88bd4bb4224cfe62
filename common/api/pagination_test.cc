#include "common/api/pagination.h"

#include "absl/strings/escaping.h"
#include "common/status/errors.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::api {
namespace {

constexpr absl::string_view kDomain = "test.maillage";

TEST(PageSizeTest, Conventions) {
  EXPECT_EQ(*EffectivePageSize(0, kDomain), 50);
  EXPECT_EQ(*EffectivePageSize(7, kDomain), 7);
  EXPECT_EQ(*EffectivePageSize(5000, kDomain), 1000);
  absl::StatusOr<int> negative = EffectivePageSize(-1, kDomain);
  ASSERT_EQ(negative.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetBadRequest(negative.status())->field_violations(0).field(), "page_size");
}

TEST(PageTokenTest, RoundTripAnyBytes) {
  std::string fp = QueryFingerprint({"state = ACTIVE", "display_name"});
  PageCursor cursor{{std::string("Économie \0 \"; DROP TABLE x; --", 30), "42"}};
  std::string token = EncodePageToken(fp, cursor);
  absl::StatusOr<PageCursor> back = DecodePageToken(token, fp, kDomain);
  ASSERT_THAT(back, IsOk()) << back.status();
  EXPECT_EQ(back->keys, cursor.keys);
}

TEST(PageTokenTest, BoundToItsQuery) {
  std::string token = EncodePageToken(QueryFingerprint({"state = ACTIVE", ""}), {{"a", "1"}});
  absl::StatusOr<PageCursor> other =
      DecodePageToken(token, QueryFingerprint({"state = ARCHIVED", ""}), kDomain);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(other.status().message().find("different query"), std::string::npos);
}

TEST(PageTokenTest, FingerprintSeparatesParts) {
  EXPECT_NE(QueryFingerprint({"ab", "c"}), QueryFingerprint({"a", "bc"}));
}

TEST(PageTokenTest, ForgedTokensRefused) {
  std::string fp = QueryFingerprint({""});
  std::string token = EncodePageToken(fp, {{"x", "1"}});
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  raw[raw.size() / 2] ^= 1;
  std::string altered;
  absl::WebSafeBase64Escape(raw, &altered);
  for (const std::string& forged :
       {std::string("!!!"), std::string("AAAA"), altered, std::string(5000, 'A'), std::string()}) {
    if (forged.empty()) continue;
    EXPECT_EQ(DecodePageToken(forged, fp, kDomain).status().code(),
              absl::StatusCode::kInvalidArgument)
        << forged;
  }
}

}  // namespace
}  // namespace maillage::api
