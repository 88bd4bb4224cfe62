#include "common/api/pagination.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
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

// A token whose body was rebuilt by hand (the old checksum format, or any cursor a client
// would like to jump to) is refused: only the key's HMAC makes a token.
TEST(PageTokenTest, HandMadeTokensRefused) {
  std::string fp = QueryFingerprint({""});
  auto field = [](absl::string_view f) { return absl::StrCat(f.size(), ":", f); };
  std::string body = absl::StrCat(field("p2"), field(fp), field("zzz"), field("999999"));
  for (const std::string& mac : {std::string(32, '\0'), std::string(32, 'x'), std::string()}) {
    std::string token;
    absl::WebSafeBase64Escape(absl::StrCat(body, field(mac)), &token);
    absl::StatusOr<PageCursor> forged = DecodePageToken(token, fp, kDomain);
    EXPECT_EQ(forged.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(forged.status().message().find("altered"), std::string::npos) << forged.status();
  }
}

// Replicas deriving the key from the same secret accept each other's tokens; a token signed
// under another secret (another deployment, or before a rotation) is refused.
TEST(PageTokenTest, KeyComesFromTheSecret) {
  const std::string fp = QueryFingerprint({"state = ACTIVE"});
  SetPageTokenKeyFromSecret("secret-of-deployment-A-0123456789abcdef");
  const std::string from_a = EncodePageToken(fp, {{"Zutique", "7"}});
  SetPageTokenKeyFromSecret("secret-of-deployment-B-0123456789abcdef");
  const std::string from_b = EncodePageToken(fp, {{"Zutique", "7"}});
  EXPECT_NE(from_a, from_b);
  absl::StatusOr<PageCursor> refused = DecodePageToken(from_a, fp, kDomain);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetBadRequest(refused.status())->field_violations(0).field(), "page_token");
  EXPECT_THAT(DecodePageToken(from_b, fp, kDomain), IsOk());
  // Another replica of deployment A: same secret, same key.
  SetPageTokenKeyFromSecret("secret-of-deployment-A-0123456789abcdef");
  absl::StatusOr<PageCursor> accepted = DecodePageToken(from_a, fp, kDomain);
  ASSERT_THAT(accepted, IsOk());
  EXPECT_EQ(accepted->keys, (std::vector<std::string>{"Zutique", "7"}));
  EXPECT_EQ(DecodePageToken(from_b, fp, kDomain).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace maillage::api
