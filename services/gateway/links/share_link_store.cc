#include "services/gateway/links/share_link_store.h"

#include <sodium.h>

#include "absl/strings/str_cat.h"
#include "common/api/list_runner.h"
#include "common/api/resource_name.h"
#include "common/db/idempotency.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {
namespace {

constexpr char kCollection[] = "shareLinks";

// The link's state now: revoked, then its issuer, then its expiry.
#define MAILLAGE_SHARE_LINK_STATE                                                           \
  "CASE WHEN l.revoke_time IS NOT NULL THEN 'SHARE_LINK_STATE_REVOKED' "                    \
  "WHEN k.revoke_time IS NOT NULL OR k.expire_time <= now() OR a.disable_time IS NOT NULL " \
  "THEN 'SHARE_LINK_STATE_ISSUER_REVOKED' "                                                 \
  "WHEN l.expire_time <= now() THEN 'SHARE_LINK_STATE_EXPIRED' "                            \
  "ELSE 'SHARE_LINK_STATE_ACTIVE' END"

#define MAILLAGE_SHARE_LINK_COLUMNS \
  "l.id, l.kind, l.action, l.report_year, l.filter, l.description, " MAILLAGE_SQL_MICROS(    \
      "l.expire_time") ", l.issuer_key_id, l.issuer_staff_account_id, l.issuer_role, "        \
  "" MAILLAGE_SHARE_LINK_STATE ", " MAILLAGE_SQL_MICROS("l.create_time") ", "               \
  MAILLAGE_SQL_MICROS("l.revoke_time") ", " MAILLAGE_SQL_MICROS("l.last_use_time") ", "      \
  "l.use_count, COALESCE(k.role, a.role), COALESCE(k.prefix, a.email), "                     \
  "COALESCE(k.funder_id, a.funder_id)"
#define MAILLAGE_SHARE_LINK_FROM                                  \
  "share_links l LEFT JOIN api_keys k ON k.id = l.issuer_key_id " \
  "LEFT JOIN staff_accounts a ON a.id = l.issuer_staff_account_id "

constexpr char kSelect[] = "SELECT " MAILLAGE_SHARE_LINK_COLUMNS " FROM " MAILLAGE_SHARE_LINK_FROM;

// The caller sees the links it issued, an ADMIN every one: $1 true for ADMIN, $2 key id, $3
// account id (0 when none: no row has id 0).
constexpr char kVisible[] = "($1 OR l.issuer_key_id = $2 OR l.issuer_staff_account_id = $3)";

constexpr char kInsert[] =
    "INSERT INTO share_links (token_hash, kind, action, report_year, filter, description, "
    "issuer_key_id, issuer_staff_account_id, issuer_role, expire_time) "
    "VALUES (decode($1, 'hex'), $2, $3, $4, $5, $6, NULLIF($7, 0), NULLIF($8, 0), $9, "
    "'epoch'::timestamptz + $10::bigint * interval '1 microsecond') RETURNING id";

OpenedShareLink FromRow(const pqxx::row& row) {
  OpenedShareLink opened;
  v1::ShareLink& link = opened.link;
  opened.id = row[0].as<int64_t>();
  link.set_name(api::ResourceName(kCollection, opened.id));
  v1::ShareLinkKind kind;
  if (v1::ShareLinkKind_Parse(row[1].as<std::string>(), &kind)) link.set_kind(kind);
  link.set_action(row[2].as<std::string>());
  link.set_report_year(row[3].as<int>());
  link.set_filter(row[4].as<std::string>());
  link.set_description(row[5].as<std::string>());
  db::ReadMicros(row[6], link.mutable_expire_time());
  if (!row[7].is_null()) {
    opened.issuer_key_id = row[7].as<int64_t>();
    link.set_issuer(api::ResourceName("apiKeys", opened.issuer_key_id));
  } else {
    opened.issuer_staff_account_id = row[8].as<int64_t>();
    link.set_issuer(api::ResourceName("staffAccounts", opened.issuer_staff_account_id));
  }
  v1::Role role;
  if (v1::Role_Parse(row[9].as<std::string>(), &role)) link.set_issuer_role(role);
  v1::ShareLinkState state;
  if (v1::ShareLinkState_Parse(row[10].as<std::string>(), &state)) link.set_state(state);
  db::ReadMicros(row[11], link.mutable_create_time());
  db::ReadMicros(row[12], link.mutable_revoke_time());
  db::ReadMicros(row[13], link.mutable_last_use_time());
  link.set_use_count(row[14].as<int64_t>());
  if (!row[15].is_null() && v1::Role_Parse(row[15].as<std::string>(), &role)) {
    opened.issuer_role_now = role;
  }
  if (!row[16].is_null()) opened.issuer_prefix = row[16].as<std::string>();
  if (!row[17].is_null()) opened.issuer_funder_id = row[17].as<std::string>();
  return opened;
}

absl::Status LinkNotFound(const std::string& name) {
  return NotFound(kGatewayDomain, "SHARE_LINK_NOT_FOUND",
                  absl::StrCat("no share link ", name, " issued by this caller"), {{"name", name}});
}

}  // namespace

ShareLinkToken NewShareLinkToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  ShareLinkToken token;
  token.text = text;
  token.hash = ShareLinkTokenHash(token.text);
  return token;
}

std::string ShareLinkTokenHash(absl::string_view text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

absl::StatusOr<v1::ShareLink> ShareLinkStore::Create(db::Deadline deadline,
                                                     const ShareLinkCaller& caller,
                                                     const v1::CreateShareLinkRequest& request,
                                                     absl::Time expire,
                                                     const std::string& token_hash, bool* issued) {
  const v1::ShareLink& link = request.share_link();
  return pool_.Transact<v1::ShareLink>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ShareLink> {
        *issued = false;
        return db::RunIdempotent<v1::ShareLink>(
            txn, request.request_id(), "CreateShareLink", request, kGatewayDomain,
            [&]() -> absl::StatusOr<v1::ShareLink> {
              pqxx::result inserted = txn.exec_params(
                  kInsert, token_hash, v1::ShareLinkKind_Name(link.kind()), link.action(),
                  link.report_year(), link.filter(), link.description(), caller.key_id,
                  caller.staff_account_id, v1::Role_Name(caller.role), absl::ToUnixMicros(expire));
              pqxx::result rows = txn.exec_params(absl::StrCat(kSelect, "WHERE l.id = $1"),
                                                  inserted[0][0].as<int64_t>());
              *issued = true;
              return FromRow(rows[0]).link;
            });
      });
}

absl::StatusOr<v1::ListShareLinksResponse> ShareLinkStore::List(
    db::Deadline deadline, const ShareLinkCaller& caller,
    const v1::ListShareLinksRequest& request) {
  const api::SqlListSpec spec = api::RowIdList(
      request, kCollection, api::RowOrder::kNewestFirst, "l.id", MAILLAGE_SHARE_LINK_COLUMNS,
      absl::StrCat(MAILLAGE_SHARE_LINK_FROM "WHERE ", kVisible),
      {caller.role == v1::ROLE_ADMIN ? "true" : "false", absl::StrCat(caller.key_id),
       absl::StrCat(caller.staff_account_id)});
  return api::ReadSqlList<v1::ListShareLinksResponse>(
      pool_, deadline, spec, kGatewayDomain,
      [](v1::ListShareLinksResponse& page, const pqxx::row& row) {
        *page.add_share_links() = FromRow(row).link;
      });
}

absl::StatusOr<v1::ShareLink> ShareLinkStore::Revoke(db::Deadline deadline,
                                                     const ShareLinkCaller& caller,
                                                     const std::string& name) {
  absl::StatusOr<int64_t> id = api::ParseResourceId(name, kCollection, "name", kGatewayDomain);
  if (!id.ok()) return id.status();
  return pool_.Transact<v1::ShareLink>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ShareLink> {
        pqxx::result updated = txn.exec_params(
            absl::StrCat("UPDATE share_links l SET revoke_time = COALESCE(l.revoke_time, now()) "
                         "WHERE l.id = $4 AND ",
                         kVisible, " RETURNING l.id"),
            caller.role == v1::ROLE_ADMIN, caller.key_id, caller.staff_account_id, *id);
        if (updated.empty()) return LinkNotFound(name);
        pqxx::result rows = txn.exec_params(absl::StrCat(kSelect, "WHERE l.id = $1"), *id);
        return FromRow(rows[0]).link;
      });
}

absl::StatusOr<OpenedShareLink> ShareLinkStore::Find(db::Deadline deadline,
                                                     const std::string& token_hash) {
  return pool_.ReadOnly<OpenedShareLink>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<OpenedShareLink> {
        pqxx::result rows = txn.exec_params(
            absl::StrCat(kSelect, "WHERE l.token_hash = decode($1, 'hex')"), token_hash);
        if (rows.empty()) return LinkNotFound("(token)");
        return FromRow(rows[0]);
      });
}

absl::Status ShareLinkStore::RecordUse(db::Deadline deadline, int64_t id) {
  return pool_.Transact(deadline, [&](pqxx::work& txn) -> absl::Status {
    txn.exec_params(
        "UPDATE share_links SET use_count = use_count + 1, last_use_time = now() WHERE id = $1",
        id);
    return absl::OkStatus();
  });
}

}  // namespace maillage::gateway
