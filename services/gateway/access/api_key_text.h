// The text of an API key, as its holder sends it in x-api-key:
//
//   mlg_k3v9x2ab_Qm7...40 characters...
//   ^^^ ^^^^^^^^ ^^^^^^^^^^^^^^^^^^^^^^^
//   tag  prefix   secret
//
// The prefix (8 lowercase letters or digits) is the key's visible identity, shown in listings
// and audit lines; the secret (40 letters or digits, ~238 bits) is shown once at creation and
// kept only as its SHA-256. A secret this long needs no slow hash: nobody guesses 2^238.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace maillage::gateway {

inline constexpr char kApiKeyTag[] = "mlg_";
inline constexpr size_t kApiKeyPrefixLength = 8;
inline constexpr size_t kApiKeySecretLength = 40;

struct ApiKeyText {
  std::string prefix;
  std::string secret;
  std::string text() const;  // "mlg_<prefix>_<secret>"
};

// A new key from the system's cryptographic random source.
ApiKeyText NewApiKeyText();

// The prefix and secret of `text`; UNAUTHENTICATED (reason API_KEY_INVALID, domain
// gateway.maillage) when it is not shaped like a key. Never echoes the text.
absl::StatusOr<ApiKeyText> ParseApiKeyText(absl::string_view text);

// Lowercase hex SHA-256 of `secret`.
std::string HashApiKeySecret(absl::string_view secret);

// Constant-time comparison of two hashes.
bool SameHash(absl::string_view a, absl::string_view b);

}  // namespace maillage::gateway
