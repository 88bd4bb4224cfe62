#include "common/status/errors.h"

#include <utility>
#include <vector>

#include "common/status/status_macros.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage {
namespace {

constexpr absl::string_view kDomain = "test.maillage";

TEST(ErrorsTest, MakeErrorCarriesErrorInfo) {
  absl::Status s = NotFound(kDomain, "ACTOR_NOT_FOUND", "actor actors/42 does not exist",
                            {{"name", "actors/42"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "actor actors/42 does not exist");
  auto info = GetErrorInfo(s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "ACTOR_NOT_FOUND");
  EXPECT_EQ(info->domain(), kDomain);
  EXPECT_EQ(info->metadata().at("name"), "actors/42");
}

TEST(ErrorsTest, EachShorthandHasItsCode) {
  using Shorthand =
      absl::Status (*)(absl::string_view, absl::string_view, absl::string_view, const Metadata&);
  const std::vector<std::pair<Shorthand, absl::StatusCode>> shorthands = {
      {NotFound, absl::StatusCode::kNotFound},
      {AlreadyExists, absl::StatusCode::kAlreadyExists},
      {FailedPrecondition, absl::StatusCode::kFailedPrecondition},
      {Aborted, absl::StatusCode::kAborted},
      {Unavailable, absl::StatusCode::kUnavailable},
      {Internal, absl::StatusCode::kInternal},
      {PermissionDenied, absl::StatusCode::kPermissionDenied},
  };
  for (const auto& [shorthand, code] : shorthands) {
    absl::Status s = shorthand(kDomain, "SOME_REASON", "message", {{"key", "value"}});
    EXPECT_EQ(s.code(), code);
    EXPECT_EQ(s.message(), "message");
    EXPECT_EQ(GetErrorInfo(s)->reason(), "SOME_REASON");
    EXPECT_EQ(GetErrorInfo(s)->metadata().at("key"), "value");
  }
}

TEST(ErrorsTest, FieldViolationsNameEveryField) {
  FieldViolations v;
  EXPECT_THAT(v.ToStatus(kDomain), IsOk());
  v.Add("actor.siret", "not a valid SIRET");
  v.Add("actor.display_name", "required");
  absl::Status s = v.ToStatus(kDomain);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("actor.siret"), std::string::npos);
  EXPECT_NE(s.message().find("actor.display_name"), std::string::npos);
  auto bad = GetBadRequest(s);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 2);
  EXPECT_EQ(bad->field_violations(0).field(), "actor.siret");
  EXPECT_EQ(bad->field_violations(1).description(), "required");
  EXPECT_EQ(GetErrorInfo(s)->reason(), "INVALID_ARGUMENT");
}

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidField(kDomain, "x", "must be even");
  return x / 2;
}

absl::StatusOr<int> Quarter(int x) {
  MAILLAGE_ASSIGN_OR_RETURN(int half, Half(x));
  MAILLAGE_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

absl::Status CheckEven(int x) {
  MAILLAGE_RETURN_IF_ERROR(Half(x).status());
  return absl::OkStatus();
}

TEST(ErrorsTest, DetailsSurviveInvalidUtf8FromClients) {
  // Found by fuzz/filter_fuzz.cc: a field name quoting a stray byte made the BadRequest fail
  // to serialize, and the client got an error naming no field.
  absl::Status s = InvalidField(kDomain, "filter", "unknown field 'state\xff'");
  auto bad = GetBadRequest(s);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 1);
  EXPECT_EQ(bad->field_violations(0).field(), "filter");
  EXPECT_EQ(bad->field_violations(0).description(), "unknown field 'state\uFFFD'");
  s = MakeError(absl::StatusCode::kInvalidArgument, kDomain, "X", "m\xC3",
                {{"k\xE2\x82", "v\xF5"}});
  auto info = GetErrorInfo(s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("k\uFFFD\uFFFD"), "v\uFFFD");
  EXPECT_EQ(s.message(), "m\uFFFD");
}

TEST(ErrorsTest, ToValidUtf8KeepsTextAndReplacesStrayBytes) {
  EXPECT_EQ(ToValidUtf8("Économie sociale 🌱 \u202F"), "Économie sociale 🌱 \u202F");
  EXPECT_EQ(ToValidUtf8(std::string("a\0b", 3)), std::string("a\0b", 3));
  EXPECT_EQ(ToValidUtf8("\xC0\xAF"), "\uFFFD\uFFFD");                      // overlong '/'
  EXPECT_EQ(ToValidUtf8("\xED\xA0\x80"), "\uFFFD\uFFFD\uFFFD");            // surrogate
  EXPECT_EQ(ToValidUtf8("\xF4\x90\x80\x80"), "\uFFFD\uFFFD\uFFFD\uFFFD");  // > U+10FFFF
  EXPECT_EQ(ToValidUtf8("caf\xC3"), "caf\uFFFD");                          // cut short
}

TEST(StatusMacrosTest, PropagateFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(CheckEven(4), IsOk());
  EXPECT_EQ(CheckEven(3).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ErrorsTest, CodeNames) {
  EXPECT_EQ(StatusCodeName(absl::StatusCode::kResourceExhausted), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(StatusCodeName(absl::StatusCode::kUnauthenticated), "UNAUTHENTICATED");
}

}  // namespace
}  // namespace maillage
