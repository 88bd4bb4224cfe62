// RunSqlList on a real PostgreSQL: pages in the default order (ascending or descending), the
// scope's parameters before the filter's, and page tokens bound to their collection and scope.
#include "common/api/list_runner.h"

#include <string>
#include <vector>

#include "common/db/pool.h"
#include "common/testing/postgres.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;
using maillage::testing::StatusIs;
using ::testing::ElementsAre;

namespace maillage::api {
namespace {

constexpr absl::string_view kDomain = "test.maillage";

class ListRunnerTest : public ::testing::Test {
 protected:
  ListRunnerTest() : pool_(Options()) {
    EXPECT_THAT(pool_.Transact(db::Deadline::max(),
                               [](pqxx::work& txn) {
                                 txn.exec(
                                     "CREATE TABLE items (id bigint PRIMARY KEY, owner bigint, "
                                     "name text); INSERT INTO items SELECT g, g % 2, 'item ' || g "
                                     "FROM generate_series(1, 7) g");
                                 return absl::OkStatus();
                               }),
                IsOk());
  }
  db::PoolOptions Options() {
    db::PoolOptions options;
    options.url = database_.url();
    return options;
  }
  // The names on every page of `spec` (ten at most); the next page tokens appended to `tokens`.
  absl::StatusOr<std::vector<std::string>> ReadAll(SqlListSpec spec,
                                                   std::vector<std::string>* tokens = nullptr) {
    std::vector<std::string> names;
    for (int page = 0; page < 10; ++page) {
      absl::StatusOr<SqlListPage> read = pool_.ReadOnly<SqlListPage>(
          db::Deadline::max(), [&](pqxx::work& txn) { return RunSqlList(txn, spec, kDomain); });
      if (!read.ok()) return read.status();
      for (int i = 0; i < read->count; ++i) names.push_back(read->rows[i][0].c_str());
      if (read->next_page_token.empty()) break;
      if (tokens != nullptr) tokens->push_back(read->next_page_token);
      spec.page_token = read->next_page_token;
    }
    return names;
  }
  SqlListSpec Spec(const std::string& owner) {
    SqlListSpec spec;
    spec.columns = "i.name";
    spec.from_where = "items i WHERE i.owner = $1";
    spec.scope_params = {owner};
    spec.filter_schema = &filters_;
    spec.sort_schema = &sorts_;
    spec.default_order = "id";
    spec.id_sql = "i.id";
    spec.page_size = 2;
    return spec;
  }

  testing::TestDatabase database_{"list_runner"};
  db::Pool pool_;
  const FilterSchema filters_{{"name", {"i.name", FilterField::Type::kString}}};
  const SortSchema sorts_{{"id", {"i.id", "bigint"}}, {"name", {"i.name", "text"}}};
};

TEST_F(ListRunnerTest, PagesInTheDefaultOrderAscendingOrDescending) {
  absl::StatusOr<std::vector<std::string>> oldest_first = ReadAll(Spec("1"));
  ASSERT_THAT(oldest_first, IsOk());
  EXPECT_THAT(*oldest_first, ElementsAre("item 1", "item 3", "item 5", "item 7"));
  SqlListSpec newest_first = Spec("1");
  newest_first.default_order = "id desc";
  absl::StatusOr<std::vector<std::string>> read = ReadAll(newest_first);
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(*read, ElementsAre("item 7", "item 5", "item 3", "item 1"));
  newest_first.filter = "name = \"item 5\"";
  read = ReadAll(newest_first);
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(*read, ElementsAre("item 5"));
}

TEST_F(ListRunnerTest, ATokenContinuesOnlyItsCollectionAndScope) {
  SqlListSpec items = Spec("1");
  items.collection = "items";
  std::vector<std::string> tokens;
  ASSERT_THAT(ReadAll(items, &tokens), IsOk());
  ASSERT_FALSE(tokens.empty());

  SqlListSpec next = items;
  next.page_token = tokens[0];
  ASSERT_THAT(ReadAll(next), IsOk());
  // The same query under another collection name, or for another scope: refused.
  SqlListSpec other_collection = next;
  other_collection.collection = "things";
  EXPECT_THAT(ReadAll(other_collection), StatusIs(absl::StatusCode::kInvalidArgument));
  SqlListSpec unnamed = next;
  unnamed.collection.clear();
  EXPECT_THAT(ReadAll(unnamed), StatusIs(absl::StatusCode::kInvalidArgument));
  SqlListSpec other_scope = next;
  other_scope.scope_params = {"0"};
  EXPECT_THAT(ReadAll(other_scope), StatusIs(absl::StatusCode::kInvalidArgument));
}

// What RowIdList reads of a request.
struct PageRequest {
  int size = 0;
  std::string token;
  int page_size() const { return size; }
  const std::string& page_token() const { return token; }
};

TEST_F(ListRunnerTest, ARowIdListNeedsNoSchemaAndPagesByItsId) {
  const SqlListSpec newest_first = RowIdList(PageRequest{3, ""}, "items", RowOrder::kNewestFirst,
                                             "i.id", "i.name", "items i WHERE i.owner = $1", {"0"});
  EXPECT_EQ(newest_first.filter_schema, nullptr);
  std::vector<std::string> tokens;
  absl::StatusOr<std::vector<std::string>> read = ReadAll(newest_first, &tokens);
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(*read, ElementsAre("item 6", "item 4", "item 2"));
  EXPECT_TRUE(tokens.empty());
  SqlListSpec oldest_first = RowIdList(PageRequest{2, ""}, "items", RowOrder::kOldestFirst, "i.id",
                                       "i.name", "items i WHERE i.owner = $1", {"0"});
  read = ReadAll(oldest_first, &tokens);
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(*read, ElementsAre("item 2", "item 4", "item 6"));
  // No field to filter on.
  oldest_first.filter = "name = \"item 2\"";
  EXPECT_THAT(ReadAll(oldest_first), StatusIs(absl::StatusCode::kInvalidArgument));
}

// What TableList reads of a request.
struct TableRequest : PageRequest {
  std::string filter_text;
  std::string order;
  const std::string& filter() const { return filter_text; }
  const std::string& order_by() const { return order; }
};

TEST_F(ListRunnerTest, ATableListTakesTheRequestsFilterAndOrder) {
  const ListSchema schema{filters_, sorts_, "id desc", "i.id"};
  TableRequest request;
  request.size = 2;
  absl::StatusOr<std::vector<std::string>> read =
      ReadAll(TableList(request, schema, "i.name", "items i WHERE i.owner = $1", {"1"}));
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(*read, ElementsAre("item 7", "item 5", "item 3", "item 1"));
  request.order = "name";
  request.filter_text = "name = \"item 3\"";
  read = ReadAll(TableList(request, schema, "i.name", "items i WHERE i.owner = $1", {"1"}));
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(*read, ElementsAre("item 3"));
}

TEST_F(ListRunnerTest, ReadSqlListFillsAResponse) {
  struct Page {
    std::vector<std::string> names;
    std::string token;
    void set_next_page_token(const std::string& next) { token = next; }
  };
  absl::StatusOr<Page> page = ReadSqlList<Page>(
      pool_, db::Deadline::max(),
      RowIdList(PageRequest{2, ""}, "items", RowOrder::kNewestFirst, "i.id", "i.name",
                "items i WHERE i.owner = $1", {"1"}),
      kDomain,
      [](Page& response, const pqxx::row& row) { response.names.push_back(row[0].c_str()); });
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(page->names, ElementsAre("item 7", "item 5"));
  EXPECT_FALSE(page->token.empty());
  EXPECT_THAT(ReadSqlList<Page>(pool_, db::Deadline::max(),
                                RowIdList(PageRequest{-1, ""}, "items", RowOrder::kNewestFirst,
                                          "i.id", "i.name", "items i WHERE i.owner = $1", {"1"}),
                                kDomain, [](Page&, const pqxx::row&) {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace maillage::api
