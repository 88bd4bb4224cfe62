// French for people beside the English for developers: the catalog, and the details that
// FieldViolations attaches and that survive the trip through grpc::Status.
#include "common/status/localized.h"

#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace maillage {
namespace {

using ::testing::HasSubstr;

TEST(FrenchFieldViolationTest, TheServicesDescriptionsHaveTheirFrench) {
  struct Case {
    const char* english;
    const char* french;
  } cases[] = {
      {"required", "« f » : obligatoire."},
      {"required: IN_PERSON, ONLINE or HYBRID",
       "« f » : obligatoire : IN_PERSON, ONLINE or HYBRID."},
      {"at most 300 characters", "« f » : 300 caractères au plus."},
      {"required, at most 200 characters", "« f » : obligatoire, 200 caractères au plus."},
      {"1 to 2000 characters", "« f » : de 1 à 2000 caractères."},
      {"must be \"actors/{actor}\"", "« f » : doit être de la forme « actors/{actor} »."},
      {"must be an http or https URL", "« f » : doit être une adresse web en http ou https."},
      {"not an e-mail address", "« f » : n'est pas une adresse e-mail."},
      {"not a valid date", "« f » : n'est pas une date valide."},
      {"must be after start_time", "« f » : doit être postérieur à start_time."},
      {"must be a year from 2000 to 2100", "« f » : doit être une année de 2000 à 2100."},
  };
  for (const Case& c : cases)
    EXPECT_EQ(FrenchFieldViolation("f", c.english), c.french) << c.english;
  // Outside the catalog: still French, naming the field and quoting the English.
  EXPECT_EQ(FrenchFieldViolation("lines[2].amount", "the moon is not a cheese"),
            "La valeur de « lines[2].amount » est refusée (détail en anglais : the moon is not a "
            "cheese).");
}

TEST(FieldViolationsFrenchTest, EachViolationAndTheStatusCarryAFrenchLocalizedMessage) {
  FieldViolations violations;
  violations.Add("meeting.title", "required");
  violations.Add("meeting.end_time", "must be after start_time");
  absl::Status status = violations.ToStatus("meetings.maillage");
  // The English message for developers is unchanged.
  EXPECT_THAT(status.message(), HasSubstr("meeting.title: required"));
  std::optional<google::rpc::BadRequest> bad_request = GetBadRequest(status);
  ASSERT_TRUE(bad_request.has_value());
  ASSERT_EQ(bad_request->field_violations_size(), 2);
  const auto& first = bad_request->field_violations(0);
  EXPECT_EQ(first.description(), "required");
  EXPECT_EQ(first.localized_message().locale(), "fr-FR");
  EXPECT_EQ(first.localized_message().message(), "« meeting.title » : obligatoire.");
  std::optional<google::rpc::LocalizedMessage> summary = GetLocalizedMessage(status);
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->locale(), "fr-FR");
  EXPECT_EQ(summary->message(),
            "2 champs de la requête sont à corriger : meeting.title, meeting.end_time.");
  // InvalidField goes the same way.
  EXPECT_EQ(GetLocalizedMessage(InvalidField("d", "filter", "unknown field x"))->message(),
            "1 champ de la requête est à corriger : filter.");
}

TEST(FieldViolationsFrenchTest, TheFrenchSurvivesTheTripThroughGrpcStatusDetails) {
  FieldViolations violations;
  violations.Add("actor.display_name", "required");
  absl::Status back =
      FromGrpcStatus(ToGrpcStatus(violations.ToStatus("directory.maillage"), "directory.maillage"));
  ASSERT_TRUE(GetLocalizedMessage(back).has_value());
  EXPECT_EQ(GetLocalizedMessage(back)->locale(), "fr-FR");
  EXPECT_EQ(GetBadRequest(back)->field_violations(0).localized_message().message(),
            "« actor.display_name » : obligatoire.");
}

}  // namespace
}  // namespace maillage
