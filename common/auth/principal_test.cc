// Signing and verifying principals: round trip, tampering, wrong secret, expiry, garbage.
#include "common/auth/principal.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <random>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "common/status/errors.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::auth {
namespace {

namespace gw = ::maillage::gateway::v1;

constexpr char kSecret[] = "s3cret-shared-by-gateway-and-services";
const absl::Time kNow = absl::FromUnixMillis(1'790'000'000'000);
constexpr char kAudience[] = "/maillage.directory.v1.DirectoryService/GetActor";

Principal Sample() {
  Principal p;
  p.key_name = "apiKeys/7.CRESS BFC | synchro \xc3\xa9t\xc3\xa9";  // dots, pipes, UTF-8
  p.role = gw::ROLE_PARTNER;
  p.expire_unix_ms = absl::ToUnixMillis(kNow + absl::Seconds(30));
  p.request_id = "6ba7b810-9dad-41d1-80b4-00c04fd430c8";
  p.audience = kAudience;
  return p;
}

std::string Reason(const absl::Status& status) {
  auto info = GetErrorInfo(status);
  if (!info.has_value()) return "<no ErrorInfo>";
  EXPECT_EQ(info->domain(), kAuthDomain);
  return info->reason();
}

void ExpectRefused(const absl::StatusOr<Principal>& result, absl::string_view reason,
                   const std::string& context) {
  ASSERT_FALSE(result.ok()) << context;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated) << context;
  EXPECT_EQ(Reason(result.status()), reason) << context;
}

TEST(PrincipalTest, RoundTripKeepsEveryField) {
  for (Role role : AllRoles()) {
    Principal p = Sample();
    p.role = role;
    std::string token = SignPrincipal(p, kSecret);
    absl::StatusOr<Principal> back = VerifyPrincipal(token, kSecret, kNow, kAudience);
    ASSERT_THAT(back, IsOk()) << back.status();
    EXPECT_EQ(back->key_name, p.key_name);
    EXPECT_EQ(back->role, role);
    EXPECT_EQ(back->expire_unix_ms, p.expire_unix_ms);
    EXPECT_EQ(back->request_id, p.request_id);
    EXPECT_EQ(back->audience, p.audience);
    EXPECT_EQ(back->funder_id, "");
  }
}

TEST(PrincipalTest, PrincipalOpensOnlyTheMethodItWasSignedFor) {
  const std::string token = SignPrincipal(Sample(), kSecret);
  for (const char* other : {"/maillage.directory.v1.DirectoryService/ListActors",
                            "/maillage.budget.v1.BudgetService/GetBudget",
                            "/maillage.directory.v1.DirectoryService/GetActorX",
                            "/maillage.directory.v1.DirectoryService/GetActo"}) {
    absl::StatusOr<Principal> result = VerifyPrincipal(token, kSecret, kNow, other);
    ExpectRefused(result, "PRINCIPAL_WRONG_AUDIENCE", other);
    EXPECT_EQ(GetErrorInfo(result.status())->metadata().at("audience"), kAudience);
  }
  // No audience to check against: nothing is accepted.
  ExpectRefused(VerifyPrincipal(token, kSecret, kNow, ""), "PRINCIPAL_INVALID", "no audience");
  // A principal signed with no audience opens nothing.
  Principal bare = Sample();
  bare.audience = "";
  ExpectRefused(VerifyPrincipal(SignPrincipal(bare, kSecret), kSecret, kNow, kAudience),
                "PRINCIPAL_WRONG_AUDIENCE", "bare");
}

TEST(PrincipalTest, VersionOneTokensWithoutAudienceAreRefused) {
  // The layout of the tokens signed before audiences existed, correctly signed.
  std::string payload;
  absl::WebSafeBase64Escape("1.3.1790000030000.YXBpS2V5cy83.cmVx", &payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), kSecret, static_cast<int>(sizeof kSecret - 1),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &mac_size);
  std::string signature;
  absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<const char*>(mac), mac_size),
                            &signature);
  ExpectRefused(VerifyPrincipal(payload + "." + signature, kSecret, kNow, kAudience),
                "PRINCIPAL_INVALID", "version 1");
}

// A funder key's principal names its funder; another funder cannot be spliced in.
TEST(PrincipalTest, FunderTravelsSigned) {
  Principal p = Sample();
  p.role = gw::ROLE_FUNDER;
  p.funder_id = "dijon-metropole";
  absl::StatusOr<Principal> back =
      VerifyPrincipal(SignPrincipal(p, kSecret), kSecret, kNow, kAudience);
  ASSERT_THAT(back, IsOk()) << back.status();
  EXPECT_EQ(back->funder_id, "dijon-metropole");
  Principal other = p;
  other.funder_id = "region-bfc";
  std::string forged = SignPrincipal(other, "guess");
  std::string genuine = SignPrincipal(p, kSecret);
  std::string spliced = forged.substr(0, forged.find('.')) + genuine.substr(genuine.find('.'));
  ExpectRefused(VerifyPrincipal(spliced, kSecret, kNow, kAudience), "PRINCIPAL_INVALID", spliced);
}

TEST(PrincipalTest, TokenIsMetadataSafe) {
  Principal p = Sample();
  p.request_id = "";
  for (std::string token : {SignPrincipal(Sample(), kSecret), SignPrincipal(p, kSecret)}) {
    for (char c : token) {
      EXPECT_TRUE(absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.') << token;
    }
  }
  EXPECT_THAT(VerifyPrincipal(SignPrincipal(p, kSecret), kSecret, kNow, kAudience), IsOk());
}

TEST(PrincipalTest, EveryAlteredCharacterIsRefused) {
  const std::string token = SignPrincipal(Sample(), kSecret);
  for (size_t i = 0; i < token.size(); ++i) {
    for (char replacement : {'A', 'z', '0', '-', '_', '.'}) {
      if (token[i] == replacement) continue;
      std::string altered = token;
      altered[i] = replacement;
      ExpectRefused(VerifyPrincipal(altered, kSecret, kNow, kAudience), "PRINCIPAL_INVALID",
                    altered);
    }
  }
}

TEST(PrincipalTest, ForgedPayloadWithAnotherRoleIsRefused) {
  // A partner token whose payload is swapped for an admin one signed with another secret.
  Principal admin = Sample();
  admin.role = gw::ROLE_ADMIN;
  std::string forged = SignPrincipal(admin, "guess");
  std::string genuine = SignPrincipal(Sample(), kSecret);
  std::string spliced = forged.substr(0, forged.find('.')) + genuine.substr(genuine.find('.'));
  ExpectRefused(VerifyPrincipal(spliced, kSecret, kNow, kAudience), "PRINCIPAL_INVALID", spliced);
}

TEST(PrincipalTest, WrongOrEmptySecretIsRefused) {
  std::string token = SignPrincipal(Sample(), kSecret);
  ExpectRefused(VerifyPrincipal(token, "another secret", kNow, kAudience), "PRINCIPAL_INVALID",
                "wrong");
  ExpectRefused(VerifyPrincipal(token, "", kNow, kAudience), "PRINCIPAL_INVALID",
                "empty verify secret");
  ExpectRefused(VerifyPrincipal(SignPrincipal(Sample(), ""), "", kNow, kAudience),
                "PRINCIPAL_INVALID", "empty secrets on both sides");
}

TEST(PrincipalTest, ExpiryIsEnforcedToTheMillisecond) {
  Principal p = Sample();
  std::string token = SignPrincipal(p, kSecret);
  const absl::Time expiry = absl::FromUnixMillis(p.expire_unix_ms);
  EXPECT_THAT(VerifyPrincipal(token, kSecret, expiry - absl::Milliseconds(1), kAudience), IsOk());
  ExpectRefused(VerifyPrincipal(token, kSecret, expiry, kAudience), "PRINCIPAL_EXPIRED",
                "at expiry");
  ExpectRefused(VerifyPrincipal(token, kSecret, expiry + absl::Hours(1), kAudience),
                "PRINCIPAL_EXPIRED", "after");
}

TEST(PrincipalTest, LongLivedPrincipalIsRefused) {
  Principal p = Sample();
  p.expire_unix_ms = absl::ToUnixMillis(kNow + kMaxPrincipalLifetime + absl::Seconds(1));
  ExpectRefused(VerifyPrincipal(SignPrincipal(p, kSecret), kSecret, kNow, kAudience),
                "PRINCIPAL_INVALID", "too long");
  p.expire_unix_ms = absl::ToUnixMillis(kNow + kMaxPrincipalLifetime);
  EXPECT_THAT(VerifyPrincipal(SignPrincipal(p, kSecret), kSecret, kNow, kAudience), IsOk());
}

TEST(PrincipalTest, UnknownRoleIsRefusedEvenWhenSigned) {
  for (int role : {0, 5, -1, 1000}) {
    Principal p = Sample();
    p.role = static_cast<Role>(role);
    ExpectRefused(VerifyPrincipal(SignPrincipal(p, kSecret), kSecret, kNow, kAudience),
                  "PRINCIPAL_INVALID", std::to_string(role));
  }
}

TEST(PrincipalTest, GarbageIsRefusedWithoutCrashing) {
  for (const char* token : {"", ".", "..", "abc", "abc.def", "abc.def.ghi", "=.=", "\n.\n"}) {
    ExpectRefused(VerifyPrincipal(token, kSecret, kNow, kAudience), "PRINCIPAL_INVALID", token);
  }
  std::mt19937 random(20261129);
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \x01\xff";
  const std::string genuine = SignPrincipal(Sample(), kSecret);
  for (int i = 0; i < 5000; ++i) {
    std::string token;
    if (i % 2 == 0) {
      const int size = std::uniform_int_distribution<int>(0, 200)(random);
      for (int k = 0; k < size; ++k) {
        token += alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(random)];
      }
    } else {  // a genuine token cut, extended or with random bytes inserted
      token = genuine.substr(0, std::uniform_int_distribution<size_t>(0, genuine.size())(random));
      token += alphabet.substr(std::uniform_int_distribution<size_t>(0, 8)(random), 3);
    }
    if (token == genuine) continue;
    ExpectRefused(VerifyPrincipal(token, kSecret, kNow, kAudience), "PRINCIPAL_INVALID", token);
  }
}

}  // namespace
}  // namespace maillage::auth
