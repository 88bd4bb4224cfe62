#include "services/gateway/webhooks/webhook_signature.h"

#include "absl/strings/match.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace maillage::gateway {
namespace {

using ::maillage::testing::IsOk;
using ::maillage::testing::StatusIs;

// The Standard Webhooks specification's published vector.
TEST(WebhookSignatureTest, MatchesTheSpecificationVector) {
  absl::StatusOr<std::string> signature =
      SignWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                  1614265330, R"({"test": 2432232314})");
  ASSERT_THAT(signature.status(), IsOk());
  EXPECT_EQ(*signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignatureTest, AnyChangeChangesTheSignature) {
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  std::string reference = *SignWebhook(secret, "msg_1", 1, "{}");
  EXPECT_NE(*SignWebhook(secret, "msg_2", 1, "{}"), reference);
  EXPECT_NE(*SignWebhook(secret, "msg_1", 2, "{}"), reference);
  EXPECT_NE(*SignWebhook(secret, "msg_1", 1, "{ }"), reference);
  EXPECT_NE(*SignWebhook(NewWebhookSecret(), "msg_1", 1, "{}"), reference);
}

TEST(WebhookSignatureTest, NewSecretsAreUsableAndDistinct) {
  std::string a = NewWebhookSecret();
  std::string b = NewWebhookSecret();
  EXPECT_TRUE(absl::StartsWith(a, "whsec_"));
  EXPECT_EQ(a.size(), 6u + 32u);  // 24 bytes in base64
  EXPECT_NE(a, b);
  EXPECT_THAT(SignWebhook(a, "msg_1", 1, "{}").status(), IsOk());
}

TEST(WebhookSignatureTest, RefusesAMalformedSecret) {
  EXPECT_THAT(SignWebhook("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m", 1, "").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SignWebhook("whsec_", "m", 1, "").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SignWebhook("whsec_!!!", "m", 1, "").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace maillage::gateway
