#include "common/api/pagination.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace maillage::api {
namespace {

constexpr absl::string_view kTokenVersion = "p1";

// FNV-1a, 64 bits: a checksum against accidents and casual edits, not a secret.
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

std::string EncodePageToken(absl::string_view fingerprint, const PageCursor& cursor) {
  std::string body;
  AppendField(body, kTokenVersion);
  AppendField(body, fingerprint);
  for (const std::string& key : cursor.keys) AppendField(body, key);
  std::string framed = body;
  AppendField(framed, absl::StrCat(absl::Hex(Fnv1a(body), absl::kZeroPad16)));
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
  if (fields.back() != absl::StrCat(absl::Hex(Fnv1a(body), absl::kZeroPad16))) {
    return BadToken(domain, "page token was altered");
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
