#include "common/api/filter.h"

#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::api {
namespace {

constexpr absl::string_view kDomain = "test.maillage";

FilterSchema Schema() {
  using T = FilterField::Type;
  return {
      {"commune", {"a.insee_code", T::kString}},
      {"state", {"a.state", T::kEnum, "ACTOR_STATE_", {"ACTIVE", "ARCHIVED"}}},
      {"network_category", {"a.network_categories", T::kStringList}},
      {"has_siret", {"(a.siret <> '')", T::kBool}},
      {"revision", {"a.revision", T::kInt}},
      {"update_time", {"a.update_time", T::kTimestamp}},
  };
}

TEST(FilterTest, EmptyIsTrue) {
  auto c = CompileFilter("  ", Schema(), 1, kDomain);
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->sql, "TRUE");
  EXPECT_TRUE(c->params.empty());
}

TEST(FilterTest, ConjunctionWithParameters) {
  auto c = CompileFilter(R"(commune = "21231" AND state = ACTIVE network_category:culture)",
                         Schema(), 3, kDomain);
  ASSERT_THAT(c, IsOk()) << c.status();
  EXPECT_EQ(c->sql,
            "(a.insee_code = $3::text AND (a.state = $4::text AND $5::text = "
            "ANY(a.network_categories)))");
  EXPECT_EQ(c->params, (std::vector<std::string>{"21231", "ACTOR_STATE_ACTIVE", "culture"}));
}

TEST(FilterTest, OrBindsTighterThanAnd) {
  auto c = CompileFilter("commune = 1 OR commune = 2 AND has_siret = true", Schema(), 1, kDomain);
  ASSERT_THAT(c, IsOk()) << c.status();
  EXPECT_EQ(c->sql,
            "((a.insee_code = $1::text OR a.insee_code = $2::text) AND (a.siret <> '') = "
            "$3::boolean)");
}

TEST(FilterTest, NotAndParentheses) {
  auto c = CompileFilter("NOT (state = ARCHIVED OR -has_siret = false)", Schema(), 1, kDomain);
  ASSERT_THAT(c, IsOk()) << c.status();
  EXPECT_EQ(c->sql, "(NOT (a.state = $1::text OR (NOT (a.siret <> '') = $2::boolean)))");
}

TEST(FilterTest, FullEnumNameAccepted) {
  auto c = CompileFilter("state = ACTOR_STATE_ARCHIVED", Schema(), 1, kDomain);
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->params[0], "ACTOR_STATE_ARCHIVED");
}

TEST(FilterTest, ValuesNeverBecomeSql) {
  auto c = CompileFilter(R"(commune = "x'; DROP TABLE actors; --")", Schema(), 1, kDomain);
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->sql, "a.insee_code = $1::text");
  EXPECT_EQ(c->params[0], "x'; DROP TABLE actors; --");
}

TEST(FilterTest, TimestampsNormalised) {
  auto c = CompileFilter("update_time >= 2023-02-01T10:00:00+01:00", Schema(), 1, kDomain);
  ASSERT_THAT(c, IsOk()) << c.status();
  EXPECT_EQ(c->sql, "a.update_time >= $1::timestamptz");
  EXPECT_EQ(c->params[0], "2023-02-01T09:00:00+00:00");
}

TEST(FilterTest, ErrorsNameTheProblem) {
  struct Case {
    const char* filter;
    const char* expected;
  } cases[] = {
      {"colour = red", "unknown field 'colour'"},
      {"state = SLEEPING", "takes one of ACTIVE, ARCHIVED"},
      {"revision = ten", "takes an integer"},
      {"has_siret = maybe", "takes true or false"},
      {"state > ACTIVE", "takes only = or !="},
      {"network_category > a", "is a list"},
      {"commune =", "expected a value"},
      {"commune", "expected an operator"},
      {"(commune = 1", "missing ')'"},
      {"commune = \"open", "unterminated string"},
      {"commune ! 1", "'!' must be followed by '='"},
      {"update_time > yesterday", "RFC 3339"},
  };
  for (const Case& c : cases) {
    auto r = CompileFilter(c.filter, Schema(), 1, kDomain);
    ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << c.filter;
    EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
        << c.filter << " -> " << r.status().message();
  }
}

TEST(FilterTest, HostileNestingAndLengthRefused) {
  std::string deep(100, '(');
  deep += "commune = 1";
  deep += std::string(100, ')');
  EXPECT_EQ(ParseFilter(deep, kDomain).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseFilter(std::string(5000, 'a'), kDomain).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::string nots;
  for (int i = 0; i < 100; ++i) nots += "NOT ";
  EXPECT_EQ(ParseFilter(nots + "commune = 1", kDomain).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(OrderByTest, ParsesOneFieldAndDirection) {
  SortSchema schema = {{"display_name", {"a.display_name", "text"}},
                       {"update_time", {"a.update_time", "timestamptz"}}};
  auto o = ParseOrderBy("update_time desc", schema, "display_name", kDomain);
  ASSERT_THAT(o, IsOk());
  EXPECT_TRUE(o->descending);
  EXPECT_EQ(o->sort.sql, "a.update_time");
  EXPECT_EQ(ParseOrderBy("", schema, "display_name", kDomain)->field, "display_name");
  EXPECT_FALSE(ParseOrderBy("colour", schema, "display_name", kDomain).ok());
  EXPECT_FALSE(ParseOrderBy("update_time sideways", schema, "display_name", kDomain).ok());
  EXPECT_FALSE(ParseOrderBy("a b c", schema, "display_name", kDomain).ok());
}

TEST(KeysetTest, ContinuesAfterCursor) {
  OrderBy order{"display_name", {"a.display_name", "text"}, false};
  KeysetClause first = MakeKeysetClause(order, "a.id", PageCursor{}, 4);
  EXPECT_EQ(first.where, "TRUE");
  EXPECT_EQ(first.order_by, "a.display_name ASC, a.id ASC");
  order.descending = true;
  KeysetClause next = MakeKeysetClause(order, "a.id", PageCursor{{"Zutique", "12"}}, 4);
  EXPECT_EQ(next.where, "(a.display_name, a.id) < ($4::text, $5::bigint)");
  EXPECT_EQ(next.params, (std::vector<std::string>{"Zutique", "12"}));
  EXPECT_FALSE(CheckKeysetCursor(PageCursor{{"x", "notanumber"}}, kDomain).ok());
  EXPECT_THAT(CheckKeysetCursor(PageCursor{{"x", "3"}}, kDomain), IsOk());
}

}  // namespace
}  // namespace maillage::api
