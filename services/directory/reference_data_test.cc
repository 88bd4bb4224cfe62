// Tests of the reference data files: the embedded ones parse, bad files are refused, and
// the ESS family mapping of legal categories.
#include "services/directory/reference_data.h"

#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::directory {
namespace {

TEST(ReferenceDataTest, EmbeddedFilesParse) {
  absl::StatusOr<std::vector<v1::Commune>> communes =
      ParseCommunes(EmbeddedReferenceFile("communes.csv"));
  ASSERT_THAT(communes, IsOk()) << communes.status();
  EXPECT_EQ(communes->size(), 23u);  // Dijon Métropole
  bool crimolois = false;
  for (const v1::Commune& c : *communes) {
    if (c.insee_code() == "21452") {
      crimolois = c.former_insee_codes_size() == 1 && c.former_insee_codes(0) == "21213";
    }
  }
  EXPECT_TRUE(crimolois);
  absl::StatusOr<std::vector<CodedEntry>> categories =
      ParseCodedEntries(EmbeddedReferenceFile("network_categories.csv"));
  ASSERT_THAT(categories, IsOk()) << categories.status();
  EXPECT_EQ(categories->size(), 13u);  // the seed's 13
  EXPECT_EQ(categories->front().code, "partenaires-ressources");
  EXPECT_THAT(ParseCodedEntries(EmbeddedReferenceFile("themes.csv")), IsOk());
  EXPECT_TRUE(EmbeddedReferenceFile("missing.csv").empty());
}

TEST(ReferenceDataTest, BadFilesAreRefused) {
  const char* bad_communes[] = {
      "insee_code,display_name\n21231,Dijon\n",                                   // columns
      "insee_code,display_name,postal_codes,former_insee_codes\n2123,Dijon,,\n",  // code
      "insee_code,display_name,postal_codes,former_insee_codes\n21231,,,\n",      // name
      "insee_code,display_name,postal_codes,former_insee_codes\n21231,A,,\n21231,B,,\n",
  };
  for (const char* csv : bad_communes) {
    EXPECT_EQ(ParseCommunes(csv).status().code(), absl::StatusCode::kInvalidArgument) << csv;
  }
  EXPECT_FALSE(ParseCodedEntries("code,display_name,description\nNot A Code,X,\n").ok());
  EXPECT_FALSE(ParseCodedEntries("code,display_name,description\na,X,\na,Y,\n").ok());
}

TEST(ReferenceDataTest, SemicolonTerritoryFileIsAccepted) {
  absl::StatusOr<std::vector<v1::Commune>> communes = ParseCommunes(
      "insee_code;display_name;postal_codes;former_insee_codes\n"
      "25056;Besançon;25000|25030;\n");
  ASSERT_THAT(communes, IsOk()) << communes.status();
  ASSERT_EQ(communes->size(), 1u);
  EXPECT_EQ((*communes)[0].postal_codes_size(), 2);
}

TEST(ReferenceDataTest, LegalCategoriesMapToFamilies) {
  EXPECT_EQ(EssFamilyOfLegalCategory("9220"), v1::ESS_FAMILY_ASSOCIATION);
  EXPECT_EQ(EssFamilyOfLegalCategory("5458"), v1::ESS_FAMILY_COOPERATIVE);
  EXPECT_EQ(EssFamilyOfLegalCategory("8210"), v1::ESS_FAMILY_MUTUAL);
  EXPECT_EQ(EssFamilyOfLegalCategory("9300"), v1::ESS_FAMILY_FOUNDATION);
  EXPECT_EQ(EssFamilyOfLegalCategory("5710"), v1::ESS_FAMILY_UNSPECIFIED);
  EXPECT_EQ(EssFamilies().size(), 6u);
}

}  // namespace
}  // namespace maillage::directory
