#include "common/api/pagination.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <mutex>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace maillage::api {
namespace {

constexpr absl::string_view kTokenVersion = "p2";
// What the deployment secret is signed with to derive the token key, so that the principal
// secret itself never signs anything else.
constexpr absl::string_view kKeyLabel = "maillage page tokens v1";
constexpr size_t kMacSize = 32;  // HMAC-SHA256

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_size);
  return std::string(reinterpret_cast<const char*>(mac), mac_size);
}

std::mutex& KeyMutex() {
  static auto* const kMutex = new std::mutex;
  return *kMutex;
}

// The key tokens are signed with: installed by SetPageTokenKeyFromSecret, else 32 random bytes
// drawn once per process.
std::string& KeyStorage() {
  static auto* const kKey = [] {
    auto* key = new std::string(kMacSize, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key->data()), static_cast<int>(kMacSize)) !=
        1) {
      std::abort();  // no randomness: nothing could be signed safely
    }
    return key;
  }();
  return *kKey;
}

std::string CurrentKey() {
  std::lock_guard<std::mutex> lock(KeyMutex());
  return KeyStorage();
}

// FNV-1a, 64 bits: the query fingerprint only tells queries apart; the token's integrity is
// its HMAC.
uint64_t Fnv1a(absl::string_view data, uint64_t hash = 1469598103934665603ULL) {
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

// Each field as "<length>:<bytes>", so that any byte may appear in a key.
void AppendField(std::string& out, absl::string_view field) {
  absl::StrAppend(&out, field.size(), ":", field);
}

bool ReadField(absl::string_view& in, std::string& field) {
  size_t colon = in.find(':');
  if (colon == absl::string_view::npos || colon == 0 || colon > 9) return false;
  size_t length = 0;
  if (!absl::SimpleAtoi(in.substr(0, colon), &length)) return false;
  in.remove_prefix(colon + 1);
  if (length > in.size()) return false;
  field = std::string(in.substr(0, length));
  in.remove_prefix(length);
  return true;
}

absl::Status BadToken(absl::string_view domain, absl::string_view why) {
  return InvalidField(domain, "page_token", why);
}

}  // namespace

absl::StatusOr<int> EffectivePageSize(int page_size, absl::string_view domain, int default_size,
                                      int max_size) {
  if (page_size < 0) return InvalidField(domain, "page_size", "must not be negative");
  if (page_size == 0) return default_size;
  return page_size > max_size ? max_size : page_size;
}

std::string QueryFingerprint(std::initializer_list<absl::string_view> parts) {
  uint64_t hash = Fnv1a("");
  for (absl::string_view part : parts) {
    std::string framed;
    AppendField(framed, part);
    hash = Fnv1a(framed, hash);
  }
  return absl::StrCat(absl::Hex(hash, absl::kZeroPad16));
}

void SetPageTokenKeyFromSecret(absl::string_view secret) {
  std::string key = HmacSha256(secret, kKeyLabel);
  std::lock_guard<std::mutex> lock(KeyMutex());
  KeyStorage() = std::move(key);
}

std::string EncodePageToken(absl::string_view fingerprint, const PageCursor& cursor) {
  std::string body;
  AppendField(body, kTokenVersion);
  AppendField(body, fingerprint);
  for (const std::string& key : cursor.keys) AppendField(body, key);
  std::string framed = body;
  AppendField(framed, HmacSha256(CurrentKey(), body));
  std::string token;
  absl::WebSafeBase64Escape(framed, &token);
  return token;
}

absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token, absl::string_view fingerprint,
                                           absl::string_view domain) {
  if (token.size() > 4096) return BadToken(domain, "page token too long");
  std::string framed;
  if (!absl::WebSafeBase64Unescape(token, &framed)) {
    return BadToken(domain, "not a page token returned by this API");
  }
  std::vector<std::string> fields;
  absl::string_view in = framed;
  while (!in.empty()) {
    std::string field;
    if (!ReadField(in, field)) return BadToken(domain, "not a page token returned by this API");
    fields.push_back(std::move(field));
  }
  if (fields.size() < 3 || fields[0] != kTokenVersion) {
    return BadToken(domain, "not a page token returned by this API");
  }
  std::string body;
  for (size_t i = 0; i + 1 < fields.size(); ++i) AppendField(body, fields[i]);
  const std::string expected = HmacSha256(CurrentKey(), body);
  if (fields.back().size() != expected.size() ||
      CRYPTO_memcmp(fields.back().data(), expected.data(), expected.size()) != 0) {
    return BadToken(domain,
                    "page token was altered, or was issued by another deployment or before its "
                    "key changed: start again from the first page");
  }
  if (fields[1] != fingerprint) {
    return BadToken(domain,
                    "page token belongs to a different query: keep filter, order_by and the "
                    "other parameters unchanged while paging");
  }
  PageCursor cursor;
  cursor.keys.assign(fields.begin() + 2, fields.end() - 1);
  if (cursor.keys.empty()) return BadToken(domain, "not a page token returned by this API");
  return cursor;
}

}  // namespace maillage::api
