#include "services/gateway/access/api_key_store.h"

#include <set>

#include "common/status/errors.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "services/gateway/access/test_database.h"

using maillage::testing::IsOk;

namespace maillage::gateway {

namespace {

class ApiKeyStoreTest : public ::testing::Test {
 protected:
  ApiKeyStoreTest() {
    database_.Exec(
        "INSERT INTO api_keys (prefix, secret_hash, display_name, role, revoke_time, expire_time) "
        "SELECT 'mk_' || g, 'h', 'key ' || g, CASE WHEN g % 2 = 0 THEN 'ROLE_PARTNER' ELSE "
        "'ROLE_STAFF' END, CASE WHEN g = 3 THEN now() END, CASE WHEN g = 4 THEN now() - interval "
        "'1 day' END FROM generate_series(1, 7) g");
  }
  GatewayTestDatabase database_;
  db::Pool& pool_ = database_.pool();
  ApiKeyStore keys_{pool_};
};

TEST_F(ApiKeyStoreTest, GetByNameWithComputedState) {
  auto revoked = keys_.Get(db::Deadline::max(), "apiKeys/3");
  ASSERT_THAT(revoked, IsOk()) << revoked.status();
  EXPECT_EQ(revoked->state(), v1::API_KEY_STATE_REVOKED);
  EXPECT_EQ(keys_.Get(db::Deadline::max(), "apiKeys/4")->state(), v1::API_KEY_STATE_EXPIRED);
  auto active = keys_.Get(db::Deadline::max(), "apiKeys/1");
  EXPECT_EQ(active->state(), v1::API_KEY_STATE_ACTIVE);
  EXPECT_EQ(active->role(), v1::ROLE_STAFF);
  EXPECT_EQ(active->prefix(), "mk_1");
  EXPECT_TRUE(active->has_create_time());

  auto missing = keys_.Get(db::Deadline::max(), "apiKeys/99");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(GetErrorInfo(missing.status())->reason(), "API_KEY_NOT_FOUND");
  EXPECT_EQ(keys_.Get(db::Deadline::max(), "keys/1").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// A funder's key names its funder, and only a funder's key does; authentication reads it back
// for the principal.
TEST_F(ApiKeyStoreTest, AFunderKeyNamesItsFunder) {
  v1::CreateApiKeyRequest request;
  request.mutable_api_key()->set_display_name("Dijon Métropole");
  request.mutable_api_key()->set_role(v1::ROLE_FUNDER);
  auto missing = keys_.Create(db::Deadline::max(), request, "test");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetBadRequest(missing.status())->field_violations(0).field(), "api_key.funder_id");
  request.mutable_api_key()->set_funder_id("Dijon Métropole");
  EXPECT_EQ(keys_.Create(db::Deadline::max(), request, "test").status().code(),
            absl::StatusCode::kInvalidArgument);
  request.mutable_api_key()->set_funder_id("dijon-metropole");
  auto created = keys_.Create(db::Deadline::max(), request, "test");
  ASSERT_THAT(created, IsOk()) << created.status();
  EXPECT_EQ(created->api_key().funder_id(), "dijon-metropole");
  auto record = keys_.FindByPrefix(db::Deadline::max(), created->api_key().prefix());
  ASSERT_THAT(record, IsOk());
  ASSERT_TRUE(record->has_value());
  EXPECT_EQ((*record)->funder_id, "dijon-metropole");
  v1::ListApiKeysRequest list;
  list.set_filter("funder_id = \"dijon-metropole\"");
  auto listed = keys_.List(db::Deadline::max(), list);
  ASSERT_THAT(listed, IsOk()) << listed.status();
  ASSERT_EQ(listed->api_keys_size(), 1);
  request.mutable_api_key()->set_role(v1::ROLE_PARTNER);
  EXPECT_EQ(keys_.Create(db::Deadline::max(), request, "test").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ApiKeyStoreTest, ListsEveryKeyOnceAcrossPages) {
  std::set<std::string> names;
  v1::ListApiKeysRequest request;
  request.set_page_size(3);
  request.set_order_by("display_name desc");
  int pages = 0;
  do {
    auto page = keys_.List(db::Deadline::max(), request);
    ASSERT_THAT(page, IsOk()) << page.status();
    for (const v1::ApiKey& key : page->api_keys()) EXPECT_TRUE(names.insert(key.name()).second);
    request.set_page_token(page->next_page_token());
    ++pages;
  } while (!request.page_token().empty());
  EXPECT_EQ(names.size(), 7u);
  EXPECT_EQ(pages, 3);
}

TEST_F(ApiKeyStoreTest, FiltersOnRoleAndState) {
  v1::ListApiKeysRequest request;
  request.set_filter("role = PARTNER AND state = ACTIVE");
  auto page = keys_.List(db::Deadline::max(), request);
  ASSERT_THAT(page, IsOk()) << page.status();
  EXPECT_EQ(page->api_keys_size(), 2);  // 2 and 6 (4 expired)
  request.set_filter("colour = red");
  EXPECT_EQ(keys_.List(db::Deadline::max(), request).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ApiKeyStoreTest, TokenOfAnotherQueryRefused) {
  v1::ListApiKeysRequest request;
  request.set_page_size(2);
  auto page = keys_.List(db::Deadline::max(), request);
  ASSERT_THAT(page, IsOk());
  request.set_page_token(page->next_page_token());
  request.set_filter("role = STAFF");
  EXPECT_EQ(keys_.List(db::Deadline::max(), request).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace maillage::gateway
