// Signing of webhook deliveries as the Standard Webhooks specification does it
// (standardwebhooks.com): the receiver checks
//   webhook-signature: v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>
// where key is the base64-decoded part of the secret after "whsec_". The specification's test
// vector (webhook_signature_test.cc):
//   secret   whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
//   id       msg_p5jXN8AQM9LWM0D4loKWxJek, timestamp 1614265330, body {"test": 2432232314}
//   →        v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace maillage::gateway {

// A new secret: "whsec_" then the base64 of 24 random bytes.
std::string NewWebhookSecret();

// The value of the webhook-signature header. INVALID_ARGUMENT when `secret` is not "whsec_"
// followed by base64.
absl::StatusOr<std::string> SignWebhook(absl::string_view secret, absl::string_view id,
                                        int64_t timestamp, absl::string_view body);

}  // namespace maillage::gateway
