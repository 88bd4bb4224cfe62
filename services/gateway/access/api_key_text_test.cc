#include "services/gateway/access/api_key_text.h"

#include <set>

#include "common/status/errors.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::gateway {
namespace {

TEST(ApiKeyTextTest, NewKeysParseBackAndDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    ApiKeyText key = NewApiKeyText();
    EXPECT_EQ(key.prefix.size(), kApiKeyPrefixLength);
    EXPECT_EQ(key.secret.size(), kApiKeySecretLength);
    absl::StatusOr<ApiKeyText> parsed = ParseApiKeyText(key.text());
    ASSERT_THAT(parsed, IsOk()) << key.text();
    EXPECT_EQ(parsed->prefix, key.prefix);
    EXPECT_EQ(parsed->secret, key.secret);
    EXPECT_TRUE(seen.insert(key.text()).second);
  }
}

TEST(ApiKeyTextTest, MalformedKeysAreInvalidWithoutEchoingThem) {
  const ApiKeyText good = NewApiKeyText();
  for (const std::string& text :
       {std::string(""), std::string("Bearer x"), good.prefix + "_" + good.secret,
        "mlg_" + good.prefix + good.secret, "mlg_" + good.prefix + "_" + good.secret + "x",
        "mlg_ABCDEFGH_" + good.secret, "mlg_" + good.prefix + "_" + good.secret.substr(1) + "-",
        "mlg_" + good.prefix + "_" + std::string(40, '\xe9')}) {
    absl::StatusOr<ApiKeyText> parsed = ParseApiKeyText(text);
    ASSERT_EQ(parsed.status().code(), absl::StatusCode::kUnauthenticated) << text;
    EXPECT_EQ(GetErrorInfo(parsed.status())->reason(), "API_KEY_INVALID");
    if (!text.empty()) {
      EXPECT_EQ(parsed.status().message().find(text), absl::string_view::npos);
    }
  }
}

TEST(ApiKeyTextTest, HashIsSha256Hex) {
  EXPECT_EQ(HashApiKeySecret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(SameHash(HashApiKeySecret("abc"), HashApiKeySecret("abc")));
  EXPECT_FALSE(SameHash(HashApiKeySecret("abc"), HashApiKeySecret("abd")));
  EXPECT_FALSE(SameHash("ab", "abc"));
}

}  // namespace
}  // namespace maillage::gateway
