#include "common/ids/french_ids.h"

#include "gtest/gtest.h"

namespace maillage::ids {
namespace {

struct Case {
  const char* value;
  bool valid;
  const char* why;
};

TEST(FrenchIdsTest, Siren) {
  const Case cases[] = {
      {"356000000", true, "La Poste SIREN passes Luhn"},
      {"242100410", true, "Dijon Métropole"},
      {"242100411", false, "last digit changed"},
      {"24210041", false, "8 digits"},
      {"2421004100", false, "10 digits"},
      {"24210041A", false, "letter"},
      {"", false, "empty"},
  };
  for (const Case& c : cases) EXPECT_EQ(IsValidSiren(c.value), c.valid) << c.value << ": " << c.why;
}

TEST(FrenchIdsTest, Siret) {
  const Case cases[] = {
      {"35600000049837", true, "valid only by the La Poste rule (digit sum multiple of 5)"},
      {"35600000000048", true, "valid by Luhn"},
      {"35600000049838", false, "La Poste prefix but digit sum not a multiple of 5"},
      {"24210041000010", false, "Luhn fails outside La Poste"},
      {"2421004100001", false, "13 digits"},
      {"242100410000 1", false, "space inside"},
  };
  for (const Case& c : cases) EXPECT_EQ(IsValidSiret(c.value), c.valid) << c.value << ": " << c.why;
}

TEST(FrenchIdsTest, LaPosteRuleOnlyForLaPoste) {
  // A SIRET outside La Poste whose digits sum to a multiple of 5 but that fails Luhn.
  EXPECT_FALSE(IsValidSiret("24210041000006"));
}

TEST(FrenchIdsTest, Rna) {
  const Case cases[] = {
      {"W212001234", true, "metropolitan"},
      {"W9P1002760", true, "overseas, with a letter"},
      {"W21200123", false, "8 characters after W"},
      {"W2120012345", false, "10 characters after W"},
      {"w212001234", false, "lower-case w"},
      {"WP12001234", false, "letter in second place"},
      {"W21A001234", false, "letter in fourth place"},
      {"212001234W", false, "no leading W"},
  };
  for (const Case& c : cases) EXPECT_EQ(IsValidRna(c.value), c.valid) << c.value << ": " << c.why;
}

TEST(FrenchIdsTest, NormalizeStripsTypedSeparators) {
  EXPECT_EQ(NormalizeIdentifier("356 000 000 00048"), "35600000000048");
  EXPECT_EQ(NormalizeIdentifier("242.100.410"), "242100410");
  EXPECT_EQ(NormalizeIdentifier("w9p1002760"), "W9P1002760");
  EXPECT_EQ(NormalizeIdentifier("242\xC2\xA0"
                                "100\xE2\x80\xAF"
                                "410"),
            "242100410");
}

TEST(FrenchIdsTest, ProblemsExplainTheRule) {
  EXPECT_EQ(SirenProblem("242100410"), "");
  EXPECT_NE(SirenProblem("242100411").find("Luhn"), std::string::npos);
  EXPECT_NE(SiretProblem("123").find("14 digits"), std::string::npos);
  EXPECT_EQ(RnaProblem("W9P1002760"), "");
  EXPECT_NE(RnaProblem("W1").find("W followed by 9"), std::string::npos);
}

}  // namespace
}  // namespace maillage::ids
