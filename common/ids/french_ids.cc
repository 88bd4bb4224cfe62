#include "common/ids/french_ids.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace maillage::ids {
namespace {

constexpr absl::string_view kLaPosteSiren = "356000000";

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Luhn over the digits of `s`, doubling every second digit from the right.
bool PassesLuhn(absl::string_view s) {
  int sum = 0;
  bool double_it = false;
  for (size_t i = s.size(); i-- > 0;) {
    int d = s[i] - '0';
    if (double_it) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double_it = !double_it;
  }
  return sum % 10 == 0;
}

int DigitSum(absl::string_view s) {
  int sum = 0;
  for (char c : s) sum += c - '0';
  return sum;
}

}  // namespace

bool IsValidSiren(absl::string_view siren) {
  return siren.size() == 9 && AllDigits(siren) && PassesLuhn(siren);
}

bool IsValidSiret(absl::string_view siret) {
  if (siret.size() != 14 || !AllDigits(siret)) return false;
  if (PassesLuhn(siret)) return true;
  return absl::StartsWith(siret, kLaPosteSiren) && DigitSum(siret) % 5 == 0;
}

bool IsValidRna(absl::string_view rna) {
  if (rna.size() != 10 || rna[0] != 'W') return false;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!digit(rna[1])) return false;
  if (!digit(rna[2]) && !(rna[2] >= 'A' && rna[2] <= 'Z')) return false;
  for (size_t i = 3; i < rna.size(); ++i) {
    if (!digit(rna[i])) return false;
  }
  return true;
}

std::string NormalizeIdentifier(absl::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == ' ' || c == '.' || c == '-' || c == '\t') continue;
    // U+00A0 and U+202F (no-break spaces in French number formatting).
    if (static_cast<unsigned char>(c) == 0xC2 && i + 1 < raw.size() &&
        static_cast<unsigned char>(raw[i + 1]) == 0xA0) {
      ++i;
      continue;
    }
    if (static_cast<unsigned char>(c) == 0xE2 && i + 2 < raw.size() &&
        static_cast<unsigned char>(raw[i + 1]) == 0x80 &&
        static_cast<unsigned char>(raw[i + 2]) == 0xAF) {
      i += 2;
      continue;
    }
    out.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string SirenProblem(absl::string_view siren) {
  if (siren.size() != 9 || !AllDigits(siren)) return "a SIREN is 9 digits";
  if (!PassesLuhn(siren)) return "not a valid SIREN: the check digit (Luhn) does not match";
  return "";
}

std::string SiretProblem(absl::string_view siret) {
  if (siret.size() != 14 || !AllDigits(siret)) return "a SIRET is 14 digits (SIREN + NIC)";
  if (!IsValidSiret(siret)) return "not a valid SIRET: the check digit (Luhn) does not match";
  return "";
}

std::string RnaProblem(absl::string_view rna) {
  if (!IsValidRna(rna)) {
    return "an RNA number is W followed by 9 characters: a digit, a digit or capital letter, "
           "then 7 digits (e.g. W212001234)";
  }
  return "";
}

}  // namespace maillage::ids
