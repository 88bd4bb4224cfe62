// Fuzzes page tokens (common/api/pagination.h): a forged or altered token is refused with
// INVALID_ARGUMENT naming "page_token"; any cursor survives Encode → Decode unchanged; a token
// never continues another query.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "common/api/filter.h"
#include "common/api/pagination.h"
#include "fuzz/fuzz_check.h"

namespace {
constexpr absl::string_view kDomain = "fuzz.maillage";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string fingerprint = maillage::api::QueryFingerprint({"state = ACTIVE", ""});

  // 1. The input as a token, as a client may send it.
  auto cursor = maillage::api::DecodePageToken(text, fingerprint, kDomain);
  if (cursor.ok()) {
    MAILLAGE_FUZZ_CHECK(!cursor->keys.empty(), "a decoded cursor has keys");
    // A valid token is bound to its query.
    std::string other = maillage::api::QueryFingerprint({"state = ARCHIVED", ""});
    MAILLAGE_FUZZ_CHECK(!maillage::api::DecodePageToken(text, other, kDomain).ok(),
                        "token accepted for another query");
    (void)maillage::api::CheckKeysetCursor(*cursor, kDomain);
  } else {
    maillage::fuzz::CheckRefusalNamesField(cursor.status(), "page_token");
  }

  // 2. The input as cursor keys (separated by NUL): the round trip is exact.
  maillage::api::PageCursor keys;
  for (absl::string_view k : absl::StrSplit(text, '\0')) keys.keys.emplace_back(k);
  std::string token = maillage::api::EncodePageToken(fingerprint, keys);
  auto back = maillage::api::DecodePageToken(token, fingerprint, kDomain);
  if (token.size() <= 4096) {
    MAILLAGE_FUZZ_CHECK(back.ok(), back.status().ToString());
    MAILLAGE_FUZZ_CHECK(back->keys == keys.keys, "round trip changed the cursor");
    // Flipping any one character of the token is noticed (or yields the same cursor when
    // base64 padding bits absorb it).
    for (size_t i = 0; i < token.size(); i += 7) {
      std::string altered = token;
      altered[i] = altered[i] == 'A' ? 'B' : 'A';
      auto r = maillage::api::DecodePageToken(altered, fingerprint, kDomain);
      MAILLAGE_FUZZ_CHECK(!r.ok() || r->keys == keys.keys, "altered token accepted");
    }
  } else {
    MAILLAGE_FUZZ_CHECK(!back.ok(), "over-long token accepted");
  }

  // 3. The keyset clause of a well-formed cursor never carries the keys in its SQL.
  if (keys.keys.size() == 2) {
    maillage::api::OrderBy order;
    order.field = "display_name";
    order.sort = {"a.display_name", "text"};
    maillage::api::KeysetClause clause = maillage::api::MakeKeysetClause(order, "a.id", keys, 4);
    MAILLAGE_FUZZ_CHECK(clause.params.size() >= 2, clause.where);
  }
  return 0;
}
