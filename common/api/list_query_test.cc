#include "common/api/list_query.h"

#include <optional>
#include <string>

#include "common/status/errors.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "maillage/meetings/v1/meeting.pb.h"

using maillage::testing::IsOk;

namespace maillage::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::string_view kDomain = "test.maillage";

const FilterSchema& Filters() {
  static const auto* const kFilters = new FilterSchema{
      {"name", {"t.name", FilterField::Type::kString}},
      {"state", EnumField("t.state", meetings::v1::MeetingState_descriptor(), "MEETING_STATE_")},
  };
  return *kFilters;
}
const SortSchema& Sorts() {
  static const auto* const kSorts = new SortSchema{
      {"name", {"t.name", "text"}},
      {"create_time", {"t.create_time", "timestamptz"}},
  };
  return *kSorts;
}
const ListSchema kSchema{Filters(), Sorts(), "create_time", "t.id"};

std::string BadField(const absl::Status& status) {
  std::optional<google::rpc::BadRequest> bad = GetBadRequest(status);
  if (!bad.has_value() || bad->field_violations_size() != 1) return "";
  return bad->field_violations(0).field();
}

TEST(ListQueryTest, FirstPageCompilesFilterAndOrderWithParametersFromFirstParam) {
  absl::StatusOr<ListQuery> query =
      PrepareList({10, "", "name = \"x\"", "name desc", "meetings"}, kSchema, kDomain, 3);
  ASSERT_THAT(query, IsOk()) << query.status();
  EXPECT_EQ(query->page_size, 10);
  EXPECT_THAT(query->where.sql, HasSubstr("$3"));
  EXPECT_THAT(query->where.params, ElementsAre("x"));
  EXPECT_EQ(query->order.field, "name");
  EXPECT_TRUE(query->order.descending);
  EXPECT_EQ(query->keyset.where, "TRUE");
  EXPECT_THAT(query->Params(), ElementsAre("x"));
}

TEST(ListQueryTest, NextPageContinuesAfterTheLastRowWithParametersAfterTheFilter) {
  ListRequest request{2, "", "state = PLANNED", "name", "meetings"};
  absl::StatusOr<ListQuery> first = PrepareList(request, kSchema, kDomain);
  ASSERT_THAT(first, IsOk()) << first.status();
  EXPECT_THAT(first->where.params, ElementsAre("MEETING_STATE_PLANNED"));
  request.page_token = NextPageToken(*first, "Bob", 17);
  request.order_by = "name asc";  // the same order, written out
  absl::StatusOr<ListQuery> second = PrepareList(request, kSchema, kDomain);
  ASSERT_THAT(second, IsOk()) << second.status();
  EXPECT_THAT(second->keyset.where, HasSubstr("$2"));
  EXPECT_THAT(second->keyset.where, HasSubstr("$3"));
  EXPECT_THAT(second->Params(), ElementsAre("MEETING_STATE_PLANNED", "Bob", "17"));
}

TEST(ListQueryTest, TokenOfAnotherQueryIsRefused) {
  absl::StatusOr<ListQuery> first = PrepareList({2, "", "", "", "meetings/1"}, kSchema, kDomain);
  ASSERT_THAT(first, IsOk());
  std::string token = NextPageToken(*first, "2024-01-01T00:00:00Z", "5");
  for (const ListRequest& other : {ListRequest{2, token, "", "", "meetings/2"},
                                   ListRequest{2, token, "name = \"a\"", "", "meetings/1"},
                                   ListRequest{2, token, "", "create_time desc", "meetings/1"}}) {
    absl::StatusOr<ListQuery> query = PrepareList(other, kSchema, kDomain);
    EXPECT_EQ(query.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(BadField(query.status()), "page_token");
  }
  EXPECT_THAT(PrepareList({2, token, "", "", "meetings/1"}, kSchema, kDomain), IsOk());
}

TEST(ListQueryTest, BadRequestsNameTheirField) {
  EXPECT_EQ(BadField(PrepareList({-1, "", "", "", ""}, kSchema, kDomain).status()), "page_size");
  EXPECT_EQ(BadField(PrepareList({0, "", "colour = red", "", ""}, kSchema, kDomain).status()),
            "filter");
  EXPECT_EQ(BadField(PrepareList({0, "", "", "colour", ""}, kSchema, kDomain).status()),
            "order_by");
  EXPECT_EQ(BadField(PrepareList({0, "garbage", "", "", ""}, kSchema, kDomain).status()),
            "page_token");
  // A token of a page that is not a keyset (one key) is refused too.
  absl::StatusOr<ListPage> page = ReadListPage(0, "", {"x"}, kDomain);
  ASSERT_THAT(page, IsOk());
  EXPECT_EQ(page->size, kDefaultPageSize);
  absl::StatusOr<ListQuery> first = PrepareList({0, "", "", "", ""}, kSchema, kDomain);
  ASSERT_THAT(first, IsOk());
  std::string one_key = EncodePageToken(first->fingerprint, {{"only"}});
  EXPECT_EQ(BadField(PrepareList({0, one_key, "", "", ""}, kSchema, kDomain).status()),
            "page_token");
}

TEST(ListQueryTest, TheDefaultOrderMayBeDescending) {
  const ListSchema newest_first{Filters(), Sorts(), "create_time desc", "t.id"};
  absl::StatusOr<ListQuery> query = PrepareList({2, "", "", "", "meetings"}, newest_first, kDomain);
  ASSERT_THAT(query, IsOk()) << query.status();
  EXPECT_EQ(query->order.field, "create_time");
  EXPECT_TRUE(query->order.descending);
  EXPECT_EQ(query->keyset.order_by, "t.create_time DESC, t.id DESC");
  // Asking the same order explicitly is the same query: its tokens are interchangeable.
  std::string token = NextPageToken(*query, "2026-01-01 00:00:00+00", 7);
  EXPECT_THAT(PrepareList({2, token, "", "create_time desc", "meetings"}, kSchema, kDomain),
              IsOk());
  EXPECT_EQ(BadField(PrepareList({2, token, "", "", "meetings"}, kSchema, kDomain).status()),
            "page_token");
  // A client's order_by still wins over the default.
  query = PrepareList({2, "", "", "name", "meetings"}, newest_first, kDomain);
  ASSERT_THAT(query, IsOk());
  EXPECT_EQ(query->order.field, "name");
  EXPECT_FALSE(query->order.descending);
}

TEST(ListPageTest, BoundToItsQueryParts) {
  absl::StatusOr<ListPage> first = ReadListPage(5, "", {"themes"}, kDomain);
  ASSERT_THAT(first, IsOk());
  std::string token = EncodePageToken(first->fingerprint, {{"b", "2"}});
  absl::StatusOr<ListPage> next = ReadListPage(5, token, {"themes"}, kDomain);
  ASSERT_THAT(next, IsOk());
  EXPECT_THAT(next->cursor.keys, ElementsAre("b", "2"));
  EXPECT_EQ(BadField(ReadListPage(5, token, {"categories"}, kDomain).status()), "page_token");
}

TEST(EnumFieldTest, AcceptsEveryValueButUnspecified) {
  FilterField field =
      EnumField("t.state", meetings::v1::MeetingState_descriptor(), "MEETING_STATE_");
  EXPECT_EQ(field.enum_prefix, "MEETING_STATE_");
  EXPECT_THAT(field.enum_names, ElementsAre("PLANNED", "HELD", "CLOSED", "CANCELLED"));
}

}  // namespace
}  // namespace maillage::api
