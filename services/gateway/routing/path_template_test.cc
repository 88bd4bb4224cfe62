// Tests of google.api.http path template parsing and matching.
#include "services/gateway/routing/path_template.h"

#include <string>
#include <utility>
#include <vector>

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The bindings of `path` against `text` as (field, value) pairs; nullopt when it does not match.
std::optional<std::vector<std::pair<std::string, std::string>>> MatchOf(const std::string& text,
                                                                        const std::string& path) {
  absl::StatusOr<PathTemplate> t = PathTemplate::Parse(text);
  EXPECT_THAT(t, IsOk()) << text << ": " << t.status();
  if (!t.ok()) return std::nullopt;
  std::optional<std::vector<VariableBinding>> bindings = t->Match(SplitPath(path));
  if (!bindings.has_value()) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> out;
  for (const VariableBinding& b : *bindings) out.emplace_back(b.field_path, b.value);
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(PathTemplateTest, ParsesSegmentsVariablesAndVerb) {
  absl::StatusOr<PathTemplate> t = PathTemplate::Parse("/v1/{book.name=shelves/*/books/*}:archive");
  ASSERT_THAT(t, IsOk()) << t.status();
  EXPECT_EQ(t->verb(), "archive");
  ASSERT_EQ(t->segments().size(), 5u);
  EXPECT_EQ(t->segments()[0].kind, PathTemplate::SegmentKind::kLiteral);
  EXPECT_EQ(t->segments()[0].literal, "v1");
  EXPECT_EQ(t->segments()[2].kind, PathTemplate::SegmentKind::kWildcard);
  ASSERT_EQ(t->variables().size(), 1u);
  EXPECT_EQ(t->variables()[0].field_path, "book.name");
  EXPECT_EQ(t->variables()[0].begin, 1u);
  EXPECT_EQ(t->variables()[0].end, 5u);
  EXPECT_EQ(t->Shape(), "/v1/shelves/*/books/*:archive");
}

TEST(PathTemplateTest, RefusesMalformedTemplates) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"v1/books", "must start with '/'"},
      {"/v1//books", "empty segment"},
      {"/v1/books/", "empty segment"},
      {"/v1/**/books", "'**' is allowed only as the last segment"},
      {"/v1/{name", "missing '}'"},
      {"/v1/{na-me}", "bad field path"},
      {"/v1/{.name}", "bad field path"},
      {"/v1/{a={b}}", "variables cannot nest"},
      {"/v1/books:", "a verb must be a non-empty literal at the end"},
      {"/v1/books:get/x", "a verb must be a non-empty literal at the end"},
      {"/v1/{a}/{a}", "field a bound twice"},
      {"/v1/a*", "unexpected '*'"},
  };
  for (const auto& [text, problem] : cases) {
    absl::StatusOr<PathTemplate> t = PathTemplate::Parse(text);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(std::string(t.status().message()), HasSubstr(problem)) << text;
  }
}

TEST(PathTemplateTest, MatchesLiteralsAndBindsVariables) {
  EXPECT_EQ(MatchOf("/v1/echo", "/v1/echo"), Pairs{});
  EXPECT_EQ(MatchOf("/v1/echo", "/v1/echoes"), std::nullopt);
  EXPECT_EQ(MatchOf("/v1/echo", "/v1/echo/x"), std::nullopt);
  EXPECT_EQ(MatchOf("/v1/echo", "v1/echo"), std::nullopt);
  EXPECT_EQ(MatchOf("/v1/shelves/{shelf}", "/v1/shelves/7"), (Pairs{{"shelf", "7"}}));
  EXPECT_EQ(MatchOf("/v1/{name=shelves/*/books/*}", "/v1/shelves/1/books/2"),
            (Pairs{{"name", "shelves/1/books/2"}}));
  EXPECT_EQ(MatchOf("/v1/{name=shelves/*/books/*}", "/v1/shelves/1/books"), std::nullopt);
  EXPECT_EQ(MatchOf("/v1/{name=shelves/*/books/*}", "/v1/racks/1/books/2"), std::nullopt);
  EXPECT_EQ(MatchOf("/v1/{parent=shelves/*}/books/{id}", "/v1/shelves/s/books/b"),
            (Pairs{{"parent", "shelves/s"}, {"id", "b"}}));
}

TEST(PathTemplateTest, WildcardNeedsANonEmptySegment) {
  EXPECT_EQ(MatchOf("/v1/{name=shelves/*}", "/v1/shelves/"), std::nullopt);
  EXPECT_EQ(MatchOf("/v1/{id}/books", "/v1//books"), std::nullopt);
}

TEST(PathTemplateTest, DoubleWildcardTakesTheRestOfThePath) {
  EXPECT_EQ(MatchOf("/v1/files/{path=**}", "/v1/files/a/b/c.txt"), (Pairs{{"path", "a/b/c.txt"}}));
  EXPECT_EQ(MatchOf("/v1/files/{path=**}", "/v1/files/a"), (Pairs{{"path", "a"}}));
  EXPECT_EQ(MatchOf("/v1/files/**", "/v1/files"), Pairs{});
  EXPECT_EQ(MatchOf("/v1/files/{path=**}", "/v1/other/a"), std::nullopt);
}

TEST(PathTemplateTest, DecodesPercentEscapesKeepingSlashesOfMultiSegmentValues) {
  EXPECT_EQ(MatchOf("/v1/shelves/{shelf}", "/v1/shelves/a%20b%2Fc"), (Pairs{{"shelf", "a b/c"}}));
  EXPECT_EQ(MatchOf("/v1/{name=shelves/*}", "/v1/shelves/a%2Fb%C3%A9"),
            (Pairs{{"name", "shelves/a%2Fb\xC3\xA9"}}));
  EXPECT_EQ(MatchOf("/v1/files/{path=**}", "/v1/files/a%2fb/%41"), (Pairs{{"path", "a%2fb/A"}}));
  // Literal segments compare after decoding.
  EXPECT_EQ(MatchOf("/v1/echo", "/v1/%65cho"), Pairs{});
}

TEST(PathTemplateTest, MatchesVerbOnlyAtTheEnd) {
  EXPECT_EQ(MatchOf("/v1/{name=shelves/*/books/*}:archive", "/v1/shelves/1/books/2:archive"),
            (Pairs{{"name", "shelves/1/books/2"}}));
  EXPECT_EQ(MatchOf("/v1/{name=shelves/*/books/*}:archive", "/v1/shelves/1/books/2"), std::nullopt);
  EXPECT_EQ(MatchOf("/v1/{name=shelves/*/books/*}:archive", "/v1/shelves/1/books/2:archived"),
            std::nullopt);
  EXPECT_EQ(MatchOf("/v1/{name=shelves/*/books/*}:archive", "/v1/shelves/1/books/:archive"),
            std::nullopt);
  EXPECT_EQ(MatchOf("/v1/actors:import", "/v1/actors:import"), Pairs{});
  // Without a verb in the template, a colon is part of the last segment.
  EXPECT_EQ(MatchOf("/v1/shelves/{shelf}", "/v1/shelves/a:b"), (Pairs{{"shelf", "a:b"}}));
  EXPECT_EQ(MatchOf("/v1/actors", "/v1/actors:import"), std::nullopt);
}

TEST(PathTemplateTest, OrdersTemplatesBySpecificity) {
  auto t = [](const char* text) { return *PathTemplate::Parse(text); };
  EXPECT_TRUE(t("/v1/shelves/special").MoreSpecificThan(t("/v1/shelves/{shelf}")));
  EXPECT_FALSE(t("/v1/shelves/{shelf}").MoreSpecificThan(t("/v1/shelves/special")));
  EXPECT_TRUE(t("/v1/{name=shelves/*}:archive").MoreSpecificThan(t("/v1/shelves/special")));
  EXPECT_TRUE(t("/v1/files/{id}").MoreSpecificThan(t("/v1/files/{path=**}")));
  EXPECT_TRUE(t("/v1/files/x/{id}").MoreSpecificThan(t("/v1/files/x")));
  EXPECT_FALSE(t("/v1/a/{id}").MoreSpecificThan(t("/v1/b/{id}")));
  EXPECT_FALSE(t("/v1/b/{id}").MoreSpecificThan(t("/v1/a/{id}")));
}

TEST(PathTemplateTest, SplitsAndDecodesPaths) {
  EXPECT_THAT(SplitPath("/v1/a%2Fb/c"), ElementsAre("v1", "a%2Fb", "c"));
  EXPECT_THAT(SplitPath("/"), ElementsAre(""));
  EXPECT_TRUE(SplitPath("v1/a").empty());
  EXPECT_EQ(PercentDecode("a%20b%zz%4"), "a b%zz%4");
  EXPECT_EQ(PercentDecode("%2f%2F%41", /*keep_encoded_slash=*/true), "%2f%2FA");
  EXPECT_EQ(PercentDecode("%2f%2F%41"), "//A");
}

}  // namespace
}  // namespace maillage::gateway
