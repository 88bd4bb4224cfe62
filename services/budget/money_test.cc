// Tests of euro reading, writing and checked sums.
#include "services/budget/money.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace maillage::budget {
namespace {

using Outcome = ParsedAmount::Outcome;

TEST(ParseEurosTest, ReadsTheWaysFrenchTablesWriteAmounts) {
  struct Case {
    const char* text;
    Outcome outcome;
    int64_t cents;
  } cases[] = {
      {"6 000", Outcome::kAmount, 600000},
      {"6000", Outcome::kAmount, 600000},
      {"6 000 \xE2\x82\xAC", Outcome::kAmount, 600000},
      {"6\xC2\xA0"
       "000\xE2\x80\xAF\xE2\x82\xAC",
       Outcome::kAmount, 600000},
      {"6\xE2\x80\xAF"
       "000",
       Outcome::kAmount, 600000},
      {"1 234,56", Outcome::kAmount, 123456},
      {"1234.5", Outcome::kAmount, 123450},
      {"-12", Outcome::kAmount, -1200},
      {"0", Outcome::kAmount, 0},
      {"", Outcome::kBlank, 0},
      {"   ", Outcome::kBlank, 0},
      {"douze", Outcome::kUnreadable, 0},
      {"12,", Outcome::kUnreadable, 0},
      {"1.234,56", Outcome::kUnreadable, 0},
      {"12,345", Outcome::kOutOfRange, 0},
      {"99999999999999", Outcome::kOutOfRange, 0},
      {"10000000000000", Outcome::kAmount, 1000000000000000},
      {"10000000000000,01", Outcome::kOutOfRange, 0},
  };
  for (const Case& c : cases) {
    ParsedAmount parsed = ParseEuros(c.text);
    EXPECT_EQ(parsed.outcome, c.outcome) << c.text;
    if (c.outcome == Outcome::kAmount) {
      EXPECT_EQ(parsed.cents, c.cents) << c.text;
    }
  }
}

TEST(FormatEurosTest, WritesFrenchThousandsAndEuroSign) {
  EXPECT_EQ(FormatWholeEuros(600000),
            "6\xE2\x80\xAF"
            "000\xE2\x80\xAF\xE2\x82\xAC");
  EXPECT_EQ(FormatWholeEuros(0), "0\xE2\x80\xAF\xE2\x82\xAC");
  EXPECT_EQ(FormatWholeEuros(123456789),
            "1\xE2\x80\xAF"
            "234\xE2\x80\xAF"
            "568\xE2\x80\xAF\xE2\x82\xAC");
  EXPECT_EQ(FormatWholeEuros(-150), "-2\xE2\x80\xAF\xE2\x82\xAC");
  EXPECT_EQ(FormatEuros(123456),
            "1\xE2\x80\xAF"
            "234,56\xE2\x80\xAF\xE2\x82\xAC");
  EXPECT_EQ(FormatEuros(-5), "-0,05\xE2\x80\xAF\xE2\x82\xAC");
  EXPECT_EQ(ParseEuros(FormatEuros(123456)).cents, 123456);
}

TEST(CheckedAddTest, RefusesOverflow) {
  int64_t sum = 7;
  EXPECT_TRUE(CheckedAdd(1, 2, sum));
  EXPECT_EQ(sum, 3);
  EXPECT_FALSE(CheckedAdd(std::numeric_limits<int64_t>::max(), 1, sum));
  EXPECT_EQ(sum, 3);
  EXPECT_FALSE(CheckedAdd(std::numeric_limits<int64_t>::min(), -1, sum));
}

}  // namespace
}  // namespace maillage::budget
