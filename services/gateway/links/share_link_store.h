// The share links in the gateway's database (migrations/0009_share_links.sql): issued, listed,
// revoked by ShareLinkService (share_link_service.h), found by the hash of their token when
// opened (share_link_door.h). The token itself is never stored.
//
//   ShareLinkToken token = NewShareLinkToken();  // 256 random bits
//   store.Create(deadline, issuer, link, expire, token.hash);
//   ... GET /links/<token.text>.ics ...
//   absl::StatusOr<OpenedShareLink> opened = store.Find(deadline, ShareLinkTokenHash(text));
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "maillage/gateway/v1/share_link_service.pb.h"

namespace maillage::gateway {

// A new token: `text` (43 characters, URL-safe base64 of 32 random bytes from libsodium) for
// the URL, `hash` (its SHA-256 in hex) for the database.
struct ShareLinkToken {
  std::string text;
  std::string hash;
};
ShareLinkToken NewShareLinkToken();

// The SHA-256 of a token's text, in lowercase hex (64 characters).
std::string ShareLinkTokenHash(absl::string_view text);

// Who issues, lists or revokes links: an API key or a person of the console (one of the ids is
// 0), with its role.
struct ShareLinkCaller {
  int64_t key_id = 0;
  int64_t staff_account_id = 0;
  v1::Role role = v1::ROLE_UNSPECIFIED;
};

// A link found by its token, with its issuer as it is now.
struct OpenedShareLink {
  v1::ShareLink link;  // state computed now (ISSUER_REVOKED when the issuer is)
  int64_t id = 0;
  int64_t issuer_key_id = 0;
  int64_t issuer_staff_account_id = 0;
  v1::Role issuer_role_now = v1::ROLE_UNSPECIFIED;  // the key's or account's role today
  std::string issuer_prefix;                        // the key's prefix or the person's e-mail
  std::string issuer_funder_id;
};

class ShareLinkStore {
 public:
  explicit ShareLinkStore(db::Pool& pool) : pool_(pool) {}

  // Stores `request.share_link()` (kind, action, report_year, filter, description: already
  // validated) issued by `caller`, expiring at `expire`, for the token of hash `token_hash`;
  // returns it (without url_path). A replayed request_id returns the link it issued then and
  // sets `*issued` false (true when this call issued it); INVALID_ARGUMENT for a request_id that
  // is not a UUID or was used for another request.
  absl::StatusOr<v1::ShareLink> Create(db::Deadline deadline, const ShareLinkCaller& caller,
                                       const v1::CreateShareLinkRequest& request, absl::Time expire,
                                       const std::string& token_hash, bool* issued);

  // The links `caller` issued (an ADMIN: all), newest first. INVALID_ARGUMENT for a bad page.
  absl::StatusOr<v1::ListShareLinksResponse> List(db::Deadline deadline,
                                                  const ShareLinkCaller& caller,
                                                  const v1::ListShareLinksRequest& request);

  // Sets the link's revoke_time (kept when already set) and returns it. NOT_FOUND
  // (SHARE_LINK_NOT_FOUND) when it does not exist or `caller` did not issue it (unless ADMIN).
  absl::StatusOr<v1::ShareLink> Revoke(db::Deadline deadline, const ShareLinkCaller& caller,
                                       const std::string& name);

  // The link whose token has hash `token_hash`, whatever its state; NOT_FOUND
  // (SHARE_LINK_NOT_FOUND) when there is none.
  absl::StatusOr<OpenedShareLink> Find(db::Deadline deadline, const std::string& token_hash);

  // Counts a successful use of link `id` now.
  absl::Status RecordUse(db::Deadline deadline, int64_t id);

 private:
  db::Pool& pool_;
};

}  // namespace maillage::gateway
