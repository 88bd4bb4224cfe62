// Share links on a real PostgreSQL: the store (tokens kept as hashes, visibility, revocation,
// the issuer's key revoking its links), the validation of a link and who may grant it, and the
// public projections.
#include <set>

#include "common/testing/list_pages.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "services/gateway/access/test_database.h"
#include "services/gateway/links/public_read_door.h"
#include "services/gateway/links/share_link_reads.h"
#include "services/gateway/links/share_link_service.h"
#include "services/gateway/links/share_link_store.h"

using maillage::testing::IsOk;
using maillage::testing::StatusIs;

namespace maillage::gateway {
namespace {

v1::ShareLink CalendarLink() {
  v1::ShareLink link;
  link.set_kind(v1::SHARE_LINK_KIND_ACTION_CALENDAR);
  link.set_action("actions/fa3");
  return link;
}

v1::CreateShareLinkRequest Request(const v1::ShareLink& link, const std::string& request_id = "") {
  v1::CreateShareLinkRequest request;
  *request.mutable_share_link() = link;
  request.set_request_id(request_id);
  return request;
}

TEST(ShareLinkTokenTest, TokensAreLongRandomAndHashed) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    ShareLinkToken token = NewShareLinkToken();
    EXPECT_EQ(token.text.size(), 43u);  // 256 bits in URL-safe base64
    EXPECT_EQ(token.hash.size(), 64u);
    EXPECT_EQ(token.hash, ShareLinkTokenHash(token.text));
    EXPECT_EQ(token.text.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    EXPECT_TRUE(seen.insert(token.text).second);
  }
}

TEST(ShareLinkReadsTest, EachKindHasOneReadAndItsFields) {
  const absl::Time now = absl::Now();
  EXPECT_THAT(ValidateShareLink(CalendarLink(), now), IsOk());
  v1::ShareLink bad;
  EXPECT_THAT(ValidateShareLink(bad, now), StatusIs(absl::StatusCode::kInvalidArgument));
  v1::ShareLink report;
  report.set_kind(v1::SHARE_LINK_KIND_ACTION_REPORT);
  report.set_action("actions/fa3");
  EXPECT_THAT(ValidateShareLink(report, now), StatusIs(absl::StatusCode::kInvalidArgument));
  report.set_report_year(2025);
  EXPECT_THAT(ValidateShareLink(report, now), IsOk());
  v1::ShareLink map;
  map.set_kind(v1::SHARE_LINK_KIND_DIRECTORY_GEOJSON);
  map.set_filter("theme:mobilite");
  EXPECT_THAT(ValidateShareLink(map, now), IsOk());
  map.set_action("actions/fa3");
  EXPECT_THAT(ValidateShareLink(map, now), StatusIs(absl::StatusCode::kInvalidArgument));
  v1::ShareLink late = CalendarLink();
  late.mutable_expire_time()->set_seconds(absl::ToUnixSeconds(now + absl::Hours(24 * 400)));
  EXPECT_THAT(ValidateShareLink(late, now), StatusIs(absl::StatusCode::kInvalidArgument));
  late.mutable_expire_time()->set_seconds(absl::ToUnixSeconds(now - absl::Hours(1)));
  EXPECT_THAT(ValidateShareLink(late, now), StatusIs(absl::StatusCode::kInvalidArgument));

  // Only a role that may make the read grants it, and never a read of personal data.
  EXPECT_THAT(MayGrant(v1::ROLE_STAFF, v1::SHARE_LINK_KIND_ACTION_CALENDAR), IsOk());
  EXPECT_THAT(MayGrant(v1::ROLE_ADMIN, v1::SHARE_LINK_KIND_DIRECTORY_GEOJSON), IsOk());
  EXPECT_THAT(MayGrant(v1::ROLE_PARTNER, v1::SHARE_LINK_KIND_ACTION_CALENDAR),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(MayGrant(v1::ROLE_PARTNER, v1::SHARE_LINK_KIND_ACTION_REPORT),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(MayGrant(v1::ROLE_FUNDER, v1::SHARE_LINK_KIND_DIRECTORY_GEOJSON),
              StatusIs(absl::StatusCode::kPermissionDenied));
  ASSERT_NE(RequestOf(CalendarLink()), nullptr);
  EXPECT_EQ(RequestOf(CalendarLink())->GetDescriptor()->name(), "GetActionCalendarRequest");
}

TEST(PublicReadTest, ProjectionsKeepOnlyPublicFields) {
  directory::v1::Actor actor;
  actor.set_display_name("Recyclerie");
  actor.set_email("contact@example.org");
  actor.set_phone("03 80 00 00 00");
  PublicActor(actor);
  EXPECT_EQ(actor.display_name(), "Recyclerie");
  EXPECT_TRUE(actor.email().empty());
  EXPECT_TRUE(actor.phone().empty());
  actor.mutable_provenance()->set_source("Fichier des adhérents 2023");
  actor.set_merged_into("actors/2");
  PublicActor(actor);
  EXPECT_FALSE(actor.has_provenance());
  EXPECT_TRUE(actor.merged_into().empty());
  absl::StatusOr<std::string> geojson = PublicGeoJson(
      R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":)"
      R"({"name":"R","email":"a@b.fr","phone":"1","provenance.source":"adherents.xlsx",)"
      R"("added_later":"x"},"geometry":null}]})");
  ASSERT_THAT(geojson.status(), IsOk());
  EXPECT_EQ(geojson->find("a@b.fr"), std::string::npos);
  EXPECT_NE(geojson->find("\"name\":\"R\""), std::string::npos);
  EXPECT_EQ(geojson->find("adherents.xlsx"), std::string::npos);
  EXPECT_EQ(geojson->find("added_later"), std::string::npos);
  meetings::v1::Meeting meeting;
  meeting.set_minutes("Présents : Mme Dupont");
  meeting.set_title("Journée de restitution");
  meeting.set_capacity(40);
  PublicMeeting(meeting);
  EXPECT_TRUE(meeting.minutes().empty());
  EXPECT_EQ(meeting.capacity(), 0);
  EXPECT_FALSE(meeting.has_attendance());
  EXPECT_EQ(meeting.title(), "Journée de restitution");
}

TEST(ShareLinkCallerTest, KeysAndConsolePeopleIssueServicesDoNot) {
  auth::Principal key{"apiKeys/7", v1::ROLE_STAFF};
  absl::StatusOr<ShareLinkCaller> caller = ShareLinkCallerOf(key);
  ASSERT_THAT(caller.status(), IsOk());
  EXPECT_EQ(caller->key_id, 7);
  EXPECT_EQ(caller->staff_account_id, 0);
  auth::Principal person{"staffAccounts/3", v1::ROLE_STAFF};
  caller = ShareLinkCallerOf(person);
  ASSERT_THAT(caller.status(), IsOk());
  EXPECT_EQ(caller->key_id, 0);
  EXPECT_EQ(caller->staff_account_id, 3);
  EXPECT_THAT(ShareLinkCallerOf(auth::ServicePrincipal("meetings", v1::ROLE_ADMIN)).status(),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

class ShareLinkStoreTest : public ::testing::Test {
 protected:
  ShareLinkStoreTest() { database_.AddKeys(2, v1::ROLE_STAFF); }
  // ListShareLinks as `caller`, for testing::ReadEveryPage.
  auto ListAs(ShareLinkCaller caller) {
    return [this, caller](const v1::ListShareLinksRequest& request) {
      return store_.List(db::Deadline::max(), caller, request);
    };
  }

  GatewayTestDatabase database_;
  db::Pool& pool_ = database_.pool();
  ShareLinkStore store_{pool_};
  const ShareLinkCaller first_{1, 0, v1::ROLE_STAFF};
  const ShareLinkCaller second_{2, 0, v1::ROLE_STAFF};
  const ShareLinkCaller admin_{2, 0, v1::ROLE_ADMIN};
};

TEST_F(ShareLinkStoreTest, FoundByTokenHashRevokedAndGoneWithItsIssuer) {
  const ShareLinkToken token = NewShareLinkToken();
  bool issued = false;
  absl::StatusOr<v1::ShareLink> created =
      store_.Create(db::Deadline::max(), first_, Request(CalendarLink()),
                    absl::Now() + absl::Hours(1), token.hash, &issued);
  ASSERT_THAT(created.status(), IsOk());
  EXPECT_EQ(created->state(), v1::SHARE_LINK_STATE_ACTIVE);
  EXPECT_EQ(created->issuer(), "apiKeys/1");
  // The token itself is nowhere in the database.
  absl::StatusOr<int64_t> found =
      pool_.ReadOnly<int64_t>(db::Deadline::max(), [&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
        return txn
            .exec_params(
                "SELECT count(*) FROM share_links WHERE position($1 in "
                "encode(token_hash, 'escape')) > 0 OR description = $1",
                token.text)[0][0]
            .as<int64_t>();
      });
  ASSERT_THAT(found.status(), IsOk());
  EXPECT_EQ(*found, 0);

  absl::StatusOr<OpenedShareLink> opened = store_.Find(db::Deadline::max(), token.hash);
  ASSERT_THAT(opened.status(), IsOk());
  EXPECT_EQ(opened->link.name(), created->name());
  EXPECT_EQ(opened->issuer_role_now, v1::ROLE_STAFF);
  EXPECT_THAT(store_.Find(db::Deadline::max(), ShareLinkTokenHash("forged")).status(),
              StatusIs(absl::StatusCode::kNotFound));

  // Another staff key neither sees nor revokes it; an admin sees it.
  absl::StatusOr<v1::ListShareLinksResponse> theirs = store_.List(db::Deadline::max(), second_, {});
  ASSERT_THAT(theirs.status(), IsOk());
  EXPECT_EQ(theirs->share_links_size(), 0);
  EXPECT_THAT(store_.Revoke(db::Deadline::max(), second_, created->name()).status(),
              StatusIs(absl::StatusCode::kNotFound));
  absl::StatusOr<v1::ListShareLinksResponse> all = store_.List(db::Deadline::max(), admin_, {});
  ASSERT_THAT(all.status(), IsOk());
  EXPECT_EQ(all->share_links_size(), 1);

  // Its issuer's key revoked: the link is gone with it.
  ASSERT_THAT(pool_.Transact(db::Deadline::max(),
                             [](pqxx::work& txn) {
                               txn.exec("UPDATE api_keys SET revoke_time = now() WHERE id = 1");
                               return absl::OkStatus();
                             }),
              IsOk());
  opened = store_.Find(db::Deadline::max(), token.hash);
  ASSERT_THAT(opened.status(), IsOk());
  EXPECT_EQ(opened->link.state(), v1::SHARE_LINK_STATE_ISSUER_REVOKED);

  absl::StatusOr<v1::ShareLink> revoked =
      store_.Revoke(db::Deadline::max(), first_, created->name());
  ASSERT_THAT(revoked.status(), IsOk());
  EXPECT_EQ(revoked->state(), v1::SHARE_LINK_STATE_REVOKED);
  EXPECT_TRUE(revoked->has_revoke_time());
}

TEST_F(ShareLinkStoreTest, ExpiredAndCounted) {
  const ShareLinkToken token = NewShareLinkToken();
  bool issued = false;
  absl::StatusOr<v1::ShareLink> created =
      store_.Create(db::Deadline::max(), first_, Request(CalendarLink()),
                    absl::Now() - absl::Seconds(1), token.hash, &issued);
  ASSERT_THAT(created.status(), IsOk());
  EXPECT_EQ(created->state(), v1::SHARE_LINK_STATE_EXPIRED);
  absl::StatusOr<OpenedShareLink> opened = store_.Find(db::Deadline::max(), token.hash);
  ASSERT_THAT(opened.status(), IsOk());
  ASSERT_THAT(store_.RecordUse(db::Deadline::max(), opened->id), IsOk());
  opened = store_.Find(db::Deadline::max(), token.hash);
  ASSERT_THAT(opened.status(), IsOk());
  EXPECT_EQ(opened->link.use_count(), 1);
  EXPECT_TRUE(opened->link.has_last_use_time());
}

TEST_F(ShareLinkStoreTest, AReplayedRequestIdReturnsTheLinkItIssued) {
  const std::string id = "0b8a3c1e-3f4a-4c2d-9e1b-7a6f5d4c3b2a";
  bool issued = false;
  absl::StatusOr<v1::ShareLink> first =
      store_.Create(db::Deadline::max(), first_, Request(CalendarLink(), id),
                    absl::Now() + absl::Hours(1), NewShareLinkToken().hash, &issued);
  ASSERT_THAT(first.status(), IsOk());
  EXPECT_TRUE(issued);
  absl::StatusOr<v1::ShareLink> replay =
      store_.Create(db::Deadline::max(), first_, Request(CalendarLink(), id),
                    absl::Now() + absl::Hours(1), NewShareLinkToken().hash, &issued);
  ASSERT_THAT(replay.status(), IsOk());
  EXPECT_FALSE(issued);
  EXPECT_EQ(replay->name(), first->name());
  v1::ShareLink other = CalendarLink();
  other.set_description("another");
  EXPECT_THAT(store_
                  .Create(db::Deadline::max(), first_, Request(other, id),
                          absl::Now() + absl::Hours(1), NewShareLinkToken().hash, &issued)
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ShareLinkStoreTest, ListsNewestFirstPageByPage) {
  std::vector<std::string> names;  // oldest first
  for (int i = 0; i < 5; ++i) {
    bool issued = false;
    absl::StatusOr<v1::ShareLink> created =
        store_.Create(db::Deadline::max(), i == 2 ? second_ : first_, Request(CalendarLink()),
                      absl::Now() + absl::Hours(1), NewShareLinkToken().hash, &issued);
    ASSERT_THAT(created.status(), IsOk());
    names.push_back(created->name());
  }
  // The first key's four links, newest first, two a page.
  absl::StatusOr<testing::ListedPages> pages =
      testing::ReadEveryPage<v1::ListShareLinksRequest>(2, ListAs(first_));
  ASSERT_THAT(pages.status(), IsOk());
  EXPECT_EQ(pages->names, (std::vector<std::string>{names[4], names[3], names[1], names[0]}));
  ASSERT_EQ(pages->tokens.size(), 1u);
  // The admin sees the five on one default page.
  absl::StatusOr<testing::ListedPages> all =
      testing::ReadEveryPage<v1::ListShareLinksRequest>(0, ListAs(admin_));
  ASSERT_THAT(all.status(), IsOk());
  EXPECT_EQ(all->names,
            (std::vector<std::string>{names[4], names[3], names[2], names[1], names[0]}));
  EXPECT_TRUE(all->tokens.empty());

  // A token continues only its caller's list.
  v1::ListShareLinksRequest theirs;
  theirs.set_page_token(pages->tokens[0]);
  EXPECT_THAT(store_.List(db::Deadline::max(), second_, theirs).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store_.List(db::Deadline::max(), admin_, theirs).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(testing::RefusesBadPages<v1::ListShareLinksRequest>(ListAs(first_)));
}

}  // namespace
}  // namespace maillage::gateway
