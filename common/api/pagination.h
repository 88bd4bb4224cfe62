// List pagination as API_CONVENTIONS asks: page sizes, opaque page tokens bound to the query
// they came from, and keyset (seek) conditions — never OFFSET.
//
//   MAILLAGE_ASSIGN_OR_RETURN(int size, EffectivePageSize(req.page_size(), kDomain));
//   std::string fingerprint = QueryFingerprint({req.filter(), req.order_by()});
//   PageCursor cursor;  // empty: first page
//   if (!req.page_token().empty()) {
//     MAILLAGE_ASSIGN_OR_RETURN(cursor, DecodePageToken(req.page_token(), fingerprint, kDomain));
//   }
//   ... SELECT ... WHERE <filter> AND <KeysetCondition(...)> ORDER BY ... LIMIT size + 1
//   if (rows > size) next_page_token = EncodePageToken(fingerprint, {last row's key, id});
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace maillage::api {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

// 0 → `default_size`; above `max_size` → `max_size`; negative → INVALID_ARGUMENT naming
// the field "page_size".
absl::StatusOr<int> EffectivePageSize(int page_size, absl::string_view domain,
                                      int default_size = kDefaultPageSize,
                                      int max_size = kMaxPageSize);

// Where the previous page ended: the sort key values of its last row, as text, in the order
// of the ORDER BY (the row id last).
struct PageCursor {
  std::vector<std::string> keys;
  bool empty() const { return keys.empty(); }
};

// A short digest of everything that shapes a list query except the page (filter, order_by,
// parent, search text...). A token only continues the query it came from.
std::string QueryFingerprint(std::initializer_list<absl::string_view> parts);

// Tokens are signed with HMAC-SHA256 under a key derived from a deployment secret, so a client
// can neither forge a cursor nor alter one. Every process serving the same lists (replicas of a
// service) must derive it from the same secret; the binaries pass MAILLAGE_PRINCIPAL_SECRET at
// start-up (common/service, the gateway's main). The key is HMAC-SHA256(secret, "maillage page
// tokens v1"). Until it is called the process signs with 32 random bytes of its own (tokens
// then only work in this process: tests, tools). Changing the secret invalidates the tokens
// already handed out (clients start again from the first page). Thread-safe.
void SetPageTokenKeyFromSecret(absl::string_view secret);

// An opaque URL-safe token for `cursor` under `fingerprint`, signed with the process's key.
std::string EncodePageToken(absl::string_view fingerprint, const PageCursor& cursor);

// The cursor of `token`. INVALID_ARGUMENT (field "page_token") when the token is malformed,
// altered, signed with another key (another deployment, or before the secret changed), or was
// issued for a different query (other filter or order).
absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token, absl::string_view fingerprint,
                                           absl::string_view domain);

}  // namespace maillage::api
