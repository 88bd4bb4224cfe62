#include "services/gateway/access/api_key_text.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/errors.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {
namespace {

constexpr char kPrefixAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr char kSecretAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// `length` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias).
std::string RandomString(absl::string_view alphabet, size_t length) {
  const unsigned limit = 256 - 256 % alphabet.size();
  std::string out;
  unsigned char buffer[64];
  while (out.size() < length) {
    if (RAND_bytes(buffer, sizeof buffer) != 1) {
      throw std::runtime_error("RAND_bytes failed: no cryptographic randomness");
    }
    for (unsigned char byte : buffer) {
      if (byte >= limit) continue;
      out.push_back(alphabet[byte % alphabet.size()]);
      if (out.size() == length) break;
    }
  }
  return out;
}

bool AllOf(absl::string_view text, bool (*accept)(char)) {
  for (char c : text) {
    if (!accept(c)) return false;
  }
  return true;
}

bool IsPrefixChar(char c) { return absl::ascii_islower(c) || absl::ascii_isdigit(c); }
bool IsSecretChar(char c) { return absl::ascii_isalnum(c); }

}  // namespace

std::string ApiKeyText::text() const { return absl::StrCat(kApiKeyTag, prefix, "_", secret); }

ApiKeyText NewApiKeyText() {
  return {RandomString(kPrefixAlphabet, kApiKeyPrefixLength),
          RandomString(kSecretAlphabet, kApiKeySecretLength)};
}

absl::StatusOr<ApiKeyText> ParseApiKeyText(absl::string_view text) {
  absl::string_view rest = text;
  const bool shaped = absl::ConsumePrefix(&rest, kApiKeyTag) &&
                      rest.size() == kApiKeyPrefixLength + 1 + kApiKeySecretLength &&
                      rest[kApiKeyPrefixLength] == '_' &&
                      AllOf(rest.substr(0, kApiKeyPrefixLength), IsPrefixChar) &&
                      AllOf(rest.substr(kApiKeyPrefixLength + 1), IsSecretChar);
  if (!shaped) {
    return MakeError(absl::StatusCode::kUnauthenticated, kGatewayDomain, "API_KEY_INVALID",
                     "the API key is not valid: expected x-api-key: mlg_<prefix>_<secret>");
  }
  return ApiKeyText{std::string(rest.substr(0, kApiKeyPrefixLength)),
                    std::string(rest.substr(kApiKeyPrefixLength + 1))};
}

std::string HashApiKeySecret(absl::string_view secret) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(secret.data(), secret.size(), digest, &length, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

bool SameHash(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace maillage::gateway
