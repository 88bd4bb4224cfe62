// Tests of the reference data files: the embedded ones parse, bad files are refused, and
// the ESS family mapping of legal categories.
#include "services/directory/reference_data.h"

#include <fstream>

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
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

// A bad file given at start-up is refused before anything is written, with an error naming the
// variable, the file, the line and the field (the field violation names the column).
TEST(ReferenceDataTest, FilesGivenAtStartUpAreValidatedNamingFileLineAndField) {
  std::string dir = ::testing::TempDir();
  auto write = [&](const std::string& name, const std::string& content) {
    std::string path = dir + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  };
  std::string communes = write("communes_ok.csv",
                               "insee_code,display_name,postal_codes,former_insee_codes\n"
                               "29019,Brest,29200,\n29075,Guipavas,29490,\n");
  std::string categories = write("categories_ok.csv",
                                 "code,display_name,description\n"
                                 "tiers-lieux,Tiers-lieux,\nrecycleries,Recycleries,\n");
  std::string themes = write("themes_ok.csv", "code,display_name,description\nmer,Mer,\n");
  absl::StatusOr<ReferenceLists> lists = LoadReferenceLists({communes, categories, themes});
  ASSERT_THAT(lists, IsOk()) << lists.status();
  EXPECT_EQ(lists->communes.size(), 2u);
  ASSERT_EQ(lists->categories.size(), 2u);
  EXPECT_EQ(lists->categories[1].code, "recycleries");
  ASSERT_EQ(lists->themes.size(), 1u);
  // An empty path keeps the embedded file.
  absl::StatusOr<ReferenceLists> defaults = LoadReferenceLists({"", "", ""});
  ASSERT_THAT(defaults, IsOk());
  EXPECT_EQ(defaults->categories.size(), 13u);

  std::string bad_category = write("categories_bad.csv",
                                   "code,display_name,description\n"
                                   "tiers-lieux,Tiers-lieux,\nRecycleries,Recycleries,\n");
  absl::Status status = LoadReferenceLists({communes, bad_category, themes}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      std::string(status.message()),
      ::testing::HasSubstr("MAILLAGE_CATEGORIES_FILE " + bad_category + " line 3, field code"));
  std::string bad_theme = write("themes_bad.csv", "code,display_name,description\nmer,,\n");
  status = LoadReferenceLists({communes, categories, bad_theme}).status();
  EXPECT_THAT(
      std::string(status.message()),
      ::testing::HasSubstr("MAILLAGE_THEMES_FILE " + bad_theme + " line 2, field display_name"));
  std::string bad_commune = write("communes_bad.csv",
                                  "insee_code,display_name,postal_codes,former_insee_codes\n"
                                  "29019,Brest,29200,\n2907,Guipavas,29490,\n");
  status = LoadReferenceLists({bad_commune, categories, themes}).status();
  EXPECT_THAT(
      std::string(status.message()),
      ::testing::HasSubstr("MAILLAGE_TERRITORY_FILE " + bad_commune + " line 3, field insee_code"));
  std::string no_column = write("themes_nocol.csv", "code,description\nmer,\n");
  status = LoadReferenceLists({"", "", no_column}).status();
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("missing column display_name"));
  status = LoadReferenceLists({"", dir + "/missing.csv", ""}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("MAILLAGE_CATEGORIES_FILE"));
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
