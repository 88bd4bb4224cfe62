// Signing and verifying the principal with HMAC-SHA256 (OpenSSL).
#include "common/auth/principal.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"

namespace maillage::auth {
namespace {

constexpr absl::string_view kPayloadVersion = "2";

std::string Base64Url(absl::string_view bytes) {
  std::string out;
  absl::WebSafeBase64Escape(bytes, &out);
  return out;
}

// base64url(HMAC-SHA256(secret, data)).
std::string Mac(absl::string_view secret, absl::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_size);
  return Base64Url(absl::string_view(reinterpret_cast<const char*>(mac), mac_size));
}

absl::Status Invalid(absl::string_view why) {
  return MakeError(absl::StatusCode::kUnauthenticated, kAuthDomain, "PRINCIPAL_INVALID",
                   absl::StrCat("the signed principal is invalid: ", why));
}

// Decodes base64url text that is exactly the canonical encoding of its bytes.
bool DecodeCanonical(absl::string_view text, std::string* bytes) {
  return absl::WebSafeBase64Unescape(text, bytes) && Base64Url(*bytes) == text;
}

bool IsKnownRole(int64_t number) {
  for (Role role : AllRoles()) {
    if (role == number) return true;
  }
  return false;
}

}  // namespace

std::string SignPrincipal(const Principal& principal, absl::string_view secret) {
  std::string payload = Base64Url(absl::StrCat(
      kPayloadVersion, ".", static_cast<int>(principal.role), ".", principal.expire_unix_ms, ".",
      Base64Url(principal.key_name), ".", Base64Url(principal.request_id), ".",
      Base64Url(principal.audience), ".", Base64Url(principal.funder_id)));
  return absl::StrCat(payload, ".", Mac(secret, payload));
}

absl::StatusOr<Principal> VerifyPrincipal(absl::string_view token, absl::string_view secret,
                                          absl::Time now, absl::string_view audience) {
  if (secret.empty()) return Invalid("this server has no signing secret");
  if (audience.empty()) return Invalid("no method to check the audience against");
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 2) return Invalid("not <payload>.<signature>");
  const std::string expected = Mac(secret, parts[0]);
  if (parts[1].size() != expected.size() ||
      CRYPTO_memcmp(parts[1].data(), expected.data(), expected.size()) != 0) {
    return Invalid("bad signature");
  }

  std::string payload;
  if (!DecodeCanonical(parts[0], &payload)) return Invalid("payload is not base64url");
  std::vector<absl::string_view> fields = absl::StrSplit(payload, '.');
  int64_t role = 0;
  Principal principal;
  if (fields.size() != 7 || fields[0] != kPayloadVersion || !absl::SimpleAtoi(fields[1], &role) ||
      !IsKnownRole(role) || !absl::SimpleAtoi(fields[2], &principal.expire_unix_ms) ||
      !DecodeCanonical(fields[3], &principal.key_name) ||
      !DecodeCanonical(fields[4], &principal.request_id) ||
      !DecodeCanonical(fields[5], &principal.audience) ||
      !DecodeCanonical(fields[6], &principal.funder_id)) {
    return Invalid("malformed payload");
  }
  principal.role = static_cast<Role>(role);

  const int64_t now_ms = absl::ToUnixMillis(now);
  if (principal.expire_unix_ms <= now_ms) {
    return MakeError(absl::StatusCode::kUnauthenticated, kAuthDomain, "PRINCIPAL_EXPIRED",
                     "the signed principal has expired",
                     {{"expire_unix_ms", absl::StrCat(principal.expire_unix_ms)}});
  }
  if (principal.expire_unix_ms > now_ms + absl::ToInt64Milliseconds(kMaxPrincipalLifetime)) {
    return Invalid("expiry too far ahead");
  }
  if (principal.audience != audience) {
    return MakeError(absl::StatusCode::kUnauthenticated, kAuthDomain, "PRINCIPAL_WRONG_AUDIENCE",
                     absl::StrCat("the signed principal was signed for ", principal.audience,
                                  ", not for ", audience),
                     {{"audience", principal.audience}, {"method", std::string(audience)}});
  }
  return principal;
}

}  // namespace maillage::auth
