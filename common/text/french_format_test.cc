#include "common/text/french_format.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace maillage::text {
namespace {

#define NNBSP "\xE2\x80\xAF"
#define EURO "\xE2\x82\xAC"

TEST(FrenchFormatTest, GroupsThousandsWithNarrowNoBreakSpaces) {
  EXPECT_EQ(FormatFrenchInteger(0), "0");
  EXPECT_EQ(FormatFrenchInteger(999), "999");
  EXPECT_EQ(FormatFrenchInteger(1000), "1" NNBSP "000");
  EXPECT_EQ(FormatFrenchInteger(1234567), "1" NNBSP "234" NNBSP "567");
  EXPECT_EQ(FormatFrenchInteger(-77000), "-77" NNBSP "000");
  EXPECT_EQ(FormatFrenchInteger(std::numeric_limits<int64_t>::min()),
            "-9" NNBSP "223" NNBSP "372" NNBSP "036" NNBSP "854" NNBSP "775" NNBSP "808");
}

TEST(FrenchFormatTest, EurosWithCommaDecimalsAndTrailingSign) {
  EXPECT_EQ(FormatEuros(600000), "6" NNBSP "000" NNBSP EURO);
  EXPECT_EQ(FormatEuros(123456), "1" NNBSP "234,56" NNBSP EURO);
  EXPECT_EQ(FormatEuros(5), "0,05" NNBSP EURO);
  EXPECT_EQ(FormatEuros(-5), "-0,05" NNBSP EURO);
  EXPECT_EQ(FormatEuros(-400000), "-4" NNBSP "000" NNBSP EURO);
}

TEST(FrenchFormatTest, WholeEurosRoundHalfAwayFromZero) {
  EXPECT_EQ(FormatWholeEuros(600049), "6" NNBSP "000" NNBSP EURO);
  EXPECT_EQ(FormatWholeEuros(600050), "6" NNBSP "001" NNBSP EURO);
  EXPECT_EQ(FormatWholeEuros(-150), "-2" NNBSP EURO);
  EXPECT_EQ(RoundCentsToEuros(-149), -1);
}

TEST(FrenchFormatTest, Hundredths) {
  EXPECT_EQ(FormatHundredths(13), "0,13");
  EXPECT_EQ(FormatHundredths(123456), "1" NNBSP "234,56");
  EXPECT_EQ(FormatHundredths(-100), "-1,00");
}

TEST(FrenchFormatTest, BasisPointsAsPercent) {
  EXPECT_EQ(FormatBasisPoints(4250), "42,50" NNBSP "%");
  EXPECT_EQ(FormatBasisPoints(10000), "100,00" NNBSP "%");
  EXPECT_EQ(FormatBasisPoints(7), "0,07" NNBSP "%");
  EXPECT_EQ(FormatBasisPoints(-6667), "-66,67" NNBSP "%");
}

}  // namespace
}  // namespace maillage::text
