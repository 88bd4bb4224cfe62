// ApplyLineChange: the totals after one line write equal ComputeTotals of the lines after it,
// and a total leaving the int64 range is refused.
#include "services/budget/budget_totals.h"

#include <limits>

#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

namespace maillage::budget {
namespace {

using maillage::testing::IsOk;
using maillage::testing::StatusIs;

v1::BudgetLine Line(v1::Side side, const std::string& code, int64_t amount,
                    const std::string& chapter_line = "") {
  v1::BudgetLine line;
  line.set_side(side);
  line.set_account_code(code);
  line.set_effective_account_code(code);
  line.set_chapter_line(chapter_line);
  line.set_amount_cents(amount);
  return line;
}

void ExpectSame(const v1::ComputedTotals& got, const std::vector<v1::BudgetLine>& lines) {
  absl::StatusOr<v1::ComputedTotals> want = ComputeTotals(lines);
  ASSERT_THAT(want.status(), IsOk());
  EXPECT_EQ(got.SerializeAsString(), want->SerializeAsString())
      << got.DebugString() << " vs " << want->DebugString();
}

TEST(ApplyLineChangeTest, FollowsComputeTotalsThroughInsertsUpdatesAndDeletes) {
  std::vector<v1::BudgetLine> lines;
  v1::ComputedTotals totals;
  for (const v1::BudgetLine& line :
       {Line(v1::SIDE_CHARGE, "60", 1000), Line(v1::SIDE_CHARGE, "606", 400, "l/1"),
        Line(v1::SIDE_CHARGE, "86", 250), Line(v1::SIDE_INCOME, "87", 250),
        Line(v1::SIDE_INCOME, "74", 5000), Line(v1::SIDE_INCOME, "7411", 300)}) {
    ASSERT_THAT(ApplyLineChange(nullptr, &line, 0, totals), IsOk());
    lines.push_back(line);
    ExpectSame(totals, lines);
  }
  // A detail line leaves its chapter and changes account.
  v1::BudgetLine moved = Line(v1::SIDE_CHARGE, "86", 400);
  ASSERT_THAT(ApplyLineChange(&lines[1], &moved, 0, totals), IsOk());
  lines[1] = moved;
  ExpectSame(totals, lines);
  // A subsidy goes under a chapter.
  v1::BudgetLine under = Line(v1::SIDE_INCOME, "7411", 300, "l/5");
  ASSERT_THAT(ApplyLineChange(&lines[5], &under, 0, totals), IsOk());
  lines[5] = under;
  ExpectSame(totals, lines);
  // A chapter deleted with two detail lines (here: the subsidy's chapter and its detail).
  ASSERT_THAT(ApplyLineChange(&lines[4], nullptr, 1, totals), IsOk());
  lines.erase(lines.begin() + 4, lines.end());
  ExpectSame(totals, lines);
}

TEST(ApplyLineChangeTest, RefusesATotalOutsideTheInt64RangeAndKeepsTheTotals) {
  v1::ComputedTotals totals;
  totals.set_charges_cents(std::numeric_limits<int64_t>::max() - 10);
  totals.set_balance_cents(-totals.charges_cents());
  totals.set_line_count(1);
  const v1::ComputedTotals before = totals;
  v1::BudgetLine line = Line(v1::SIDE_CHARGE, "60", 11);
  EXPECT_THAT(ApplyLineChange(nullptr, &line, 0, totals), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_EQ(totals.SerializeAsString(), before.SerializeAsString());
  // Taking a line away from the same totals stays in range.
  EXPECT_THAT(ApplyLineChange(&line, nullptr, 0, totals), IsOk());
  EXPECT_EQ(totals.charges_cents(), std::numeric_limits<int64_t>::max() - 21);
}

}  // namespace
}  // namespace maillage::budget
