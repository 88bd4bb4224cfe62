// Money in the budget service: int64 euro cents, sums checked for overflow, euros read as
// people write them in French tables and written the French way in exports.
//
// French formatting: thousands are separated by U+202F NARROW NO-BREAK SPACE and the euro
// sign follows after another U+202F ("6 000 €", "1 234,56 €"), as French typography and
// the CLDR "fr" locale write them (common/text/french_format.h); readers (ParseEuros) accept plain,
// no-break and narrow no-break spaces alike.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace maillage::budget {

// The largest amount a line may hold, in cents (10^13 euros).
inline constexpr int64_t kMaxAmountCents = 1000000000000000;

// a + b into `sum`; false (and `sum` untouched) when the result leaves the int64 range.
bool CheckedAdd(int64_t a, int64_t b, int64_t& sum);

// What ParseEuros made of a cell.
struct ParsedAmount {
  enum class Outcome { kBlank, kAmount, kUnreadable, kOutOfRange };
  Outcome outcome = Outcome::kBlank;
  int64_t cents = 0;
};

// Reads "6 000", "6000", "6 000 €", "1 234,56", "-12.5", "€ 10": digits with thousands
// separated by spaces (plain, U+00A0, U+202F), a comma or a point before at most two decimals,
// an optional sign and euro sign. Blank (only spaces) → kBlank; more than two decimals or
// beyond kMaxAmountCents → kOutOfRange; anything else → kUnreadable.
ParsedAmount ParseEuros(absl::string_view text);

// "6 000 €" (whole euros, rounded half away from zero), separators as in the file comment.
std::string FormatWholeEuros(int64_t cents);
// "6 000 €" when the cents are 0, else "6 000,50 €".
std::string FormatEuros(int64_t cents);
// The cents rounded to whole euros, half away from zero.
int64_t RoundToEuros(int64_t cents);

}  // namespace maillage::budget
