// WebhookStore's lists on a real PostgreSQL: a caller's subscriptions oldest first and their
// attempts newest first, page by page, with tokens that continue only the list they came from.
#include "services/gateway/webhooks/webhook_store.h"

#include <string>
#include <vector>

#include "common/testing/list_pages.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "services/gateway/access/test_database.h"

using maillage::testing::IsOk;
using maillage::testing::StatusIs;

namespace maillage::gateway {
namespace {

class WebhookStoreTest : public ::testing::Test {
 protected:
  WebhookStoreTest() { database_.AddKeys(2, v1::ROLE_PARTNER); }
  std::string Subscribe(const WebhookCaller& caller) {
    v1::WebhookSubscription subscription;
    subscription.set_url("https://hooks.example.org/maillage");
    subscription.add_event_types("actor.updated");
    absl::StatusOr<v1::WebhookSubscription> created =
        store_.Create(db::Deadline::max(), caller, subscription);
    EXPECT_THAT(created.status(), IsOk());
    return created.ok() ? created->name() : "";
  }

  // ListWebhookSubscriptions as `caller`, for testing::ReadEveryPage.
  auto ListAs(WebhookCaller caller) {
    return [this, caller](const v1::ListWebhookSubscriptionsRequest& request) {
      return store_.List(db::Deadline::max(), caller, request);
    };
  }

  GatewayTestDatabase database_;
  WebhookStore store_{database_.pool()};
  const WebhookCaller first_{1, v1::ROLE_PARTNER};
  const WebhookCaller second_{2, v1::ROLE_PARTNER};
  const WebhookCaller admin_{2, v1::ROLE_ADMIN};
};

TEST_F(WebhookStoreTest, ListsTheCallersSubscriptionsOldestFirstPageByPage) {
  std::vector<std::string> names;
  for (int i = 0; i < 4; ++i) names.push_back(Subscribe(i == 1 ? second_ : first_));
  // An admin sees every subscription, the others their own, oldest first.
  absl::StatusOr<testing::ListedPages> all =
      testing::ReadEveryPage<v1::ListWebhookSubscriptionsRequest>(0, ListAs(admin_));
  ASSERT_THAT(all.status(), IsOk());
  EXPECT_EQ(all->names, names);
  absl::StatusOr<testing::ListedPages> pages =
      testing::ReadEveryPage<v1::ListWebhookSubscriptionsRequest>(2, ListAs(first_));
  ASSERT_THAT(pages.status(), IsOk());
  EXPECT_EQ(pages->names, (std::vector<std::string>{names[0], names[2], names[3]}));

  // Their tokens continue only their own list.
  ASSERT_EQ(pages->tokens.size(), 1u);
  v1::ListWebhookSubscriptionsRequest theirs;
  theirs.set_page_token(pages->tokens[0]);
  EXPECT_THAT(store_.List(db::Deadline::max(), second_, theirs).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(testing::RefusesBadPages<v1::ListWebhookSubscriptionsRequest>(ListAs(first_)));
}

TEST_F(WebhookStoreTest, ListsASubscriptionsAttemptsNewestFirstPageByPage) {
  const std::string name = Subscribe(first_);
  const std::string other = Subscribe(first_);
  database_.Exec(
      "INSERT INTO webhook_attempts (subscription_id, event_id, event_type, resource_name, "
      "attempt_number, attempt_time, duration_ms, http_status, delivered) SELECT 1, g, "
      "'actor.updated', 'actors/' || g, 1, now(), 12.5, 200, true FROM generate_series(1, 3) g");
  v1::ListWebhookAttemptsRequest request;
  request.set_parent(name);
  request.set_page_size(2);
  absl::StatusOr<v1::ListWebhookAttemptsResponse> page =
      store_.ListAttempts(db::Deadline::max(), first_, request);
  ASSERT_THAT(page.status(), IsOk());
  ASSERT_EQ(page->attempts_size(), 2);
  EXPECT_EQ(page->attempts(0).resource_name(), "actors/3");
  EXPECT_EQ(page->attempts(1).resource_name(), "actors/2");
  EXPECT_EQ(page->attempts(0).event_id(), "evt_3");
  EXPECT_EQ(page->attempts(0).duration().nanos(), 12500000);
  EXPECT_TRUE(page->attempts(0).delivered());
  ASSERT_FALSE(page->next_page_token().empty());

  // The token continues this subscription's attempts, not another's.
  v1::ListWebhookAttemptsRequest elsewhere;
  elsewhere.set_parent(other);
  elsewhere.set_page_token(page->next_page_token());
  EXPECT_THAT(store_.ListAttempts(db::Deadline::max(), first_, elsewhere).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));

  request.set_page_token(page->next_page_token());
  page = store_.ListAttempts(db::Deadline::max(), first_, request);
  ASSERT_THAT(page.status(), IsOk());
  ASSERT_EQ(page->attempts_size(), 1);
  EXPECT_EQ(page->attempts(0).resource_name(), "actors/1");
  EXPECT_TRUE(page->next_page_token().empty());

  // Another key's subscription: not found, whatever the page.
  EXPECT_THAT(store_.ListAttempts(db::Deadline::max(), second_, request).status(),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace maillage::gateway
