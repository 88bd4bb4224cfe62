// Money: checked sums, French euro reading and writing.
#include "services/budget/money.h"

#include <cstdlib>

#include "absl/strings/match.h"
#include "common/text/french_format.h"

namespace maillage::budget {
namespace {

constexpr absl::string_view kNarrowNoBreakSpace = "\xE2\x80\xAF";
constexpr absl::string_view kNoBreakSpace = "\xC2\xA0";
constexpr absl::string_view kEuroSign = "\xE2\x82\xAC";

}  // namespace

bool CheckedAdd(int64_t a, int64_t b, int64_t& sum) {
  int64_t result;
  if (__builtin_add_overflow(a, b, &result)) return false;
  sum = result;
  return true;
}

ParsedAmount ParseEuros(absl::string_view text) {
  ParsedAmount parsed;
  std::string compact;  // without spaces and euro signs
  for (size_t i = 0; i < text.size();) {
    absl::string_view rest = text.substr(i);
    if (rest[0] == ' ' || rest[0] == '\t') {
      ++i;
    } else if (absl::StartsWith(rest, kNarrowNoBreakSpace) || absl::StartsWith(rest, kEuroSign)) {
      i += 3;
    } else if (absl::StartsWith(rest, kNoBreakSpace)) {
      i += 2;
    } else {
      compact.push_back(rest[0]);
      ++i;
    }
  }
  if (compact.empty()) return parsed;  // kBlank
  parsed.outcome = ParsedAmount::Outcome::kUnreadable;
  bool negative = false;
  size_t pos = 0;
  if (compact[0] == '-' || compact[0] == '+') {
    negative = compact[0] == '-';
    pos = 1;
  }
  uint64_t euros = 0;
  int int_digits = 0;
  while (pos < compact.size() && compact[pos] >= '0' && compact[pos] <= '9') {
    if (int_digits < 18) euros = euros * 10 + static_cast<uint64_t>(compact[pos] - '0');
    ++int_digits;
    ++pos;
  }
  if (int_digits == 0) return parsed;
  int64_t cents_part = 0;
  if (pos < compact.size()) {
    if (compact[pos] != ',' && compact[pos] != '.') return parsed;
    ++pos;
    int decimals = 0;
    while (pos < compact.size() && compact[pos] >= '0' && compact[pos] <= '9') {
      if (decimals < 2) cents_part = cents_part * 10 + (compact[pos] - '0');
      ++decimals;
      ++pos;
    }
    if (pos != compact.size() || decimals == 0) return parsed;
    if (decimals > 2) {
      parsed.outcome = ParsedAmount::Outcome::kOutOfRange;
      return parsed;
    }
    if (decimals == 1) cents_part *= 10;
  }
  if (int_digits > 15 ||
      euros * 100 + static_cast<uint64_t>(cents_part) > static_cast<uint64_t>(kMaxAmountCents)) {
    parsed.outcome = ParsedAmount::Outcome::kOutOfRange;
    return parsed;
  }
  int64_t cents = static_cast<int64_t>(euros) * 100 + cents_part;
  parsed.outcome = ParsedAmount::Outcome::kAmount;
  parsed.cents = negative ? -cents : cents;
  return parsed;
}

int64_t RoundToEuros(int64_t cents) { return text::RoundCentsToEuros(cents); }

std::string FormatWholeEuros(int64_t cents) { return text::FormatWholeEuros(cents); }

std::string FormatEuros(int64_t cents) { return text::FormatEuros(cents); }

}  // namespace maillage::budget
