// Numbers written the French way for people (reports, messages): thousands separated by
// U+202F NARROW NO-BREAK SPACE, a decimal comma, and the euro and percent signs after another
// U+202F ("6 000 €", "1 234,56 €", "42,50 %"), as French typography and the CLDR "fr"
// locale write them.
//
//   FormatFrenchInteger(77000)   → "77 000"
//   FormatEuros(123456)          → "1 234,56 €"
//   FormatWholeEuros(600049)     → "6 000 €"
//   FormatHundredths(13)         → "0,13"
//   FormatBasisPoints(4250)      → "42,50 %"
#pragma once

#include <cstdint>
#include <string>

namespace maillage::text {

// UTF-8 of U+202F, the separator of every function below.
inline constexpr char kNarrowNoBreakSpace[] = "\xE2\x80\xAF";

// "1 234 567", "-12".
std::string FormatFrenchInteger(int64_t value);
// Cents to whole euros, half away from zero: 150 → 2, -150 → -2.
int64_t RoundCentsToEuros(int64_t cents);
// "6 000 €" (rounded to whole euros, half away from zero).
std::string FormatWholeEuros(int64_t cents);
// "6 000 €" when the cents are 0, else "6 000,50 €".
std::string FormatEuros(int64_t cents);
// A value in hundredths with two decimals: 13 → "0,13", 123456 → "1 234,56".
std::string FormatHundredths(int64_t hundredths);
// Hundredths of a percent as a percentage with two decimals: 4250 → "42,50 %", -125 →
// "-1,25 %".
std::string FormatBasisPoints(int64_t basis_points);

}  // namespace maillage::text
