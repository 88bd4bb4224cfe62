#include "common/text/french_format.h"

#include "absl/strings/str_cat.h"

namespace maillage::text {
namespace {

constexpr char kEuroSign[] = "\xE2\x82\xAC";

uint64_t Magnitude(int64_t v) {
  return v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
}

// Digits of `value` grouped by three with narrow no-break spaces.
std::string GroupThousands(uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.append(kNarrowNoBreakSpace);
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

std::string FormatHundredths(int64_t hundredths) {
  uint64_t magnitude = Magnitude(hundredths);
  uint64_t rest = magnitude % 100;
  return absl::StrCat(hundredths < 0 ? "-" : "", GroupThousands(magnitude / 100), ",",
                      rest < 10 ? "0" : "", rest);
}

std::string FormatFrenchInteger(int64_t value) {
  return absl::StrCat(value < 0 ? "-" : "", GroupThousands(Magnitude(value)));
}

int64_t RoundCentsToEuros(int64_t cents) {
  int64_t euros = cents / 100;
  int64_t rest = cents % 100;
  if (rest >= 50) ++euros;
  if (rest <= -50) --euros;
  return euros;
}

std::string FormatWholeEuros(int64_t cents) {
  return absl::StrCat(FormatFrenchInteger(RoundCentsToEuros(cents)), kNarrowNoBreakSpace,
                      kEuroSign);
}

std::string FormatEuros(int64_t cents) {
  if (cents % 100 == 0) return FormatWholeEuros(cents);
  return absl::StrCat(FormatHundredths(cents), kNarrowNoBreakSpace, kEuroSign);
}

std::string FormatBasisPoints(int64_t basis_points) {
  return absl::StrCat(FormatHundredths(basis_points), kNarrowNoBreakSpace, "%");
}

}  // namespace maillage::text
