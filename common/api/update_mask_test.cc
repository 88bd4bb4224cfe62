// The rules of update masks (update_mask.h) on a test resource with one field of each kind.
#include "common/api/update_mask.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/status/errors.h"
#include "common/testing/status_matchers.h"
#include "maillage/testing/v1/update_mask.pb.h"

namespace maillage::api {
namespace {

using ::maillage::testing::IsOk;
using ::maillage::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using Gadget = ::maillage::testing::v1::Gadget;

constexpr absl::string_view kDomain = "test.maillage";

google::protobuf::FieldMask Mask(std::initializer_list<const char*> paths) {
  google::protobuf::FieldMask mask;
  for (const char* p : paths) mask.add_paths(p);
  return mask;
}

std::vector<std::string> Paths(const absl::StatusOr<google::protobuf::FieldMask>& mask) {
  if (!mask.ok()) return {std::string(mask.status().message())};
  return {mask->paths().begin(), mask->paths().end()};
}

Gadget Stored() {
  Gadget g;
  g.set_name("gadgets/1");
  g.set_title("Old title");
  g.set_count(3);
  g.add_tags("a");
  g.mutable_part()->set_label("old label");
  g.mutable_part()->set_size(7);
  g.mutable_part()->set_serial("SN-1");
  g.mutable_colour()->set_name("blue");
  g.set_text("old text");
  g.set_owner("owners/1");
  g.set_amount_cents(100);
  g.set_revision(4);
  g.set_etag("4");
  return g;
}

TEST(RoleOfTest, ReadsFieldBehaviour) {
  const auto* d = Gadget::descriptor();
  EXPECT_EQ(RoleOf(*d->FindFieldByName("title")), FieldRole::kWritable);  // REQUIRED
  EXPECT_EQ(RoleOf(*d->FindFieldByName("count")), FieldRole::kWritable);
  EXPECT_EQ(RoleOf(*d->FindFieldByName("name")), FieldRole::kOutputOnly);  // IDENTIFIER
  EXPECT_EQ(RoleOf(*d->FindFieldByName("revision")), FieldRole::kOutputOnly);
  EXPECT_EQ(RoleOf(*d->FindFieldByName("etag")), FieldRole::kOutputOnly);
  EXPECT_EQ(RoleOf(*d->FindFieldByName("owner")), FieldRole::kImmutable);
}

TEST(UpdateMaskTest, EmptyMaskMeansTheWritableFieldsPopulatedInTheRequest) {
  Gadget patch;
  patch.set_title("New title");
  patch.set_owner("owners/2");  // immutable: not taken, not refused
  patch.set_revision(9);        // output-only
  patch.set_etag("4");
  EXPECT_THAT(Paths(EffectiveUpdateMask({}, patch, kDomain)), ElementsAre("title"));

  absl::StatusOr<Gadget> merged = ApplyUpdateMask(Stored(), patch, {}, kDomain);
  ASSERT_THAT(merged, IsOk());
  Gadget expected = Stored();
  expected.set_title("New title");
  EXPECT_EQ(merged->DebugString(), expected.DebugString());  // nothing else changed
}

TEST(UpdateMaskTest, EmptyMaskTakesListsMessagesOptionalsAndOneofsThatAreSet) {
  Gadget patch;
  patch.add_tags("x");
  patch.mutable_colour()->set_shade(2);
  patch.set_amount_cents(0);  // optional: presence counts, not the value
  patch.mutable_drawing()->set_name("sketch");
  EXPECT_THAT(Paths(EffectiveUpdateMask({}, patch, kDomain)),
              ElementsAre("tags", "colour", "drawing", "amount_cents"));
  absl::StatusOr<Gadget> merged = ApplyUpdateMask(Stored(), patch, {}, kDomain);
  ASSERT_THAT(merged, IsOk());
  EXPECT_THAT(merged->tags(), ElementsAre("x"));  // replaced, not appended
  EXPECT_EQ(merged->colour().name(), "");         // replaced as a whole
  EXPECT_EQ(merged->colour().shade(), 2);
  EXPECT_EQ(merged->drawing().name(), "sketch");
  EXPECT_TRUE(merged->has_amount_cents());
  EXPECT_EQ(merged->amount_cents(), 0);
  EXPECT_EQ(merged->title(), "Old title");
}

TEST(UpdateMaskTest, StarMeansEveryWritableFieldAndTheOneofMemberSet) {
  Gadget patch;
  patch.set_title("T");
  patch.set_text("new text");
  EXPECT_THAT(Paths(EffectiveUpdateMask(Mask({"*"}), patch, kDomain)),
              ElementsAre("title", "count", "tags", "part.label", "part.size", "colour", "text",
                          "amount_cents"));
  absl::StatusOr<Gadget> merged = ApplyUpdateMask(Stored(), patch, Mask({"*"}), kDomain);
  ASSERT_THAT(merged, IsOk());
  EXPECT_EQ(merged->count(), 0);
  EXPECT_TRUE(merged->tags().empty());
  EXPECT_FALSE(merged->has_colour());
  EXPECT_FALSE(merged->has_amount_cents());
  EXPECT_EQ(merged->text(), "new text");
  EXPECT_EQ(merged->part().serial(), "SN-1");  // output-only part kept
  EXPECT_EQ(merged->part().label(), "");
  EXPECT_EQ(merged->owner(), "owners/1");  // immutable kept
  EXPECT_EQ(merged->revision(), 4);
}

TEST(UpdateMaskTest, NamedPathsOnlyAndOthersUntouched) {
  Gadget patch;
  patch.set_title("T");
  patch.set_count(9);
  patch.mutable_part()->set_label("new label");
  absl::StatusOr<Gadget> merged =
      ApplyUpdateMask(Stored(), patch, Mask({"count", "part.label"}), kDomain);
  ASSERT_THAT(merged, IsOk());
  EXPECT_EQ(merged->title(), "Old title");
  EXPECT_EQ(merged->count(), 9);
  EXPECT_EQ(merged->part().label(), "new label");
  EXPECT_EQ(merged->part().size(), 7);
  EXPECT_EQ(merged->part().serial(), "SN-1");
}

TEST(UpdateMaskTest, NamedMessageKeepsItsOutputOnlyParts) {
  Gadget patch;
  patch.mutable_part()->set_label("L");
  patch.mutable_part()->set_serial("forged");
  EXPECT_THAT(Paths(EffectiveUpdateMask(Mask({"part"}), patch, kDomain)),
              ElementsAre("part.label", "part.size"));
  absl::StatusOr<Gadget> merged = ApplyUpdateMask(Stored(), patch, Mask({"part"}), kDomain);
  ASSERT_THAT(merged, IsOk());
  EXPECT_EQ(merged->part().label(), "L");
  EXPECT_EQ(merged->part().size(), 0);
  EXPECT_EQ(merged->part().serial(), "SN-1");
}

TEST(UpdateMaskTest, OutputOnlyPathsAreIgnored) {
  Gadget patch;
  patch.set_revision(99);
  patch.set_name("gadgets/2");
  patch.set_count(5);
  patch.mutable_part()->set_serial("forged");
  absl::StatusOr<Gadget> merged = ApplyUpdateMask(
      Stored(), patch, Mask({"revision", "name", "etag", "part.serial", "count"}), kDomain);
  ASSERT_THAT(merged, IsOk());
  EXPECT_EQ(merged->revision(), 4);
  EXPECT_EQ(merged->name(), "gadgets/1");
  EXPECT_EQ(merged->part().serial(), "SN-1");
  EXPECT_EQ(merged->count(), 5);
  EXPECT_THAT(Paths(EffectiveUpdateMask(Mask({"revision"}), patch, kDomain)), ElementsAre());
}

TEST(UpdateMaskTest, ImmutableAndUnknownPathsAreRefusedNamingEach) {
  Gadget patch;
  patch.set_owner("owners/2");
  absl::StatusOr<google::protobuf::FieldMask> mask = EffectiveUpdateMask(
      Mask({"title", "owner", "colour.hue", "nope", "tags.x", "part..label"}), patch, kDomain);
  EXPECT_THAT(mask, StatusIs(absl::StatusCode::kInvalidArgument));
  std::optional<google::rpc::BadRequest> bad = GetBadRequest(mask.status());
  ASSERT_TRUE(bad.has_value());
  std::vector<std::string> descriptions;
  for (const auto& v : bad->field_violations()) {
    EXPECT_EQ(v.field(), "update_mask");
    descriptions.push_back(v.description());
  }
  ASSERT_EQ(descriptions.size(), 5u);
  EXPECT_THAT(descriptions[0], HasSubstr("immutable field \"owner\""));
  EXPECT_THAT(descriptions[1], HasSubstr("unknown field \"colour.hue\""));
  EXPECT_THAT(descriptions[2], HasSubstr("unknown field \"nope\""));
  EXPECT_THAT(descriptions[3], HasSubstr("unknown field \"tags.x\""));
  EXPECT_THAT(descriptions[4], HasSubstr("unknown field \"part..label\""));
  EXPECT_EQ(GetErrorInfo(mask.status())->domain(), kDomain);
}

TEST(UpdateMaskTest, ImmutablePathIsRefusedEvenWithStar) {
  EXPECT_THAT(EffectiveUpdateMask(Mask({"*", "owner"}), Gadget(), kDomain),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(UpdateMaskTest, MaskTouches) {
  google::protobuf::FieldMask mask = Mask({"part.label", "count"});
  EXPECT_TRUE(MaskTouches(mask, "part"));
  EXPECT_TRUE(MaskTouches(mask, "part.label"));
  EXPECT_TRUE(MaskTouches(mask, "count"));
  EXPECT_FALSE(MaskTouches(mask, "part.size"));
  EXPECT_FALSE(MaskTouches(mask, "coun"));
  EXPECT_TRUE(MaskTouches(Mask({"part"}), "part.size"));
}

}  // namespace
}  // namespace maillage::api
