#include "services/gateway/webhooks/webhook_signature.h"

#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace maillage::gateway {

namespace {
constexpr absl::string_view kSecretPrefix = "whsec_";
}  // namespace

std::string NewWebhookSecret() {
  unsigned char bytes[24];
  RAND_bytes(bytes, sizeof(bytes));
  return absl::StrCat(kSecretPrefix, absl::Base64Escape(absl::string_view(
                                         reinterpret_cast<const char*>(bytes), sizeof(bytes))));
}

absl::StatusOr<std::string> SignWebhook(absl::string_view secret, absl::string_view id,
                                        int64_t timestamp, absl::string_view body) {
  std::string key;
  if (!absl::StartsWith(secret, kSecretPrefix) ||
      !absl::Base64Unescape(secret.substr(kSecretPrefix.size()), &key) || key.empty()) {
    return absl::InvalidArgumentError("a webhook secret is whsec_ followed by base64");
  }
  std::string content = absl::StrCat(id, ".", timestamp, ".", body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac, &mac_length);
  return absl::StrCat(
      "v1,", absl::Base64Escape(absl::string_view(reinterpret_cast<char*>(mac), mac_length)));
}

}  // namespace maillage::gateway
