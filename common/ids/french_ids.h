// French identifiers of organisations: SIREN, SIRET (INSEE) and RNA (répertoire national des
// associations). Pure functions, no allocation; input is taken as typed, without spaces.
//
//   IsValidSiren("242100410")        → true   (Dijon Métropole)
//   IsValidSiret("35600000049837")   → true   (La Poste: fails Luhn, digits sum to 5k)
//   IsValidRna("W9P1002760")         → true   (overseas numbers contain a letter)
//
// NormalizeIdentifier() removes the spaces, dots and dashes people type ("356 000 000 00048")
// so that callers can validate what a spreadsheet holds.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace maillage::ids {

// 9 digits passing the Luhn check.
bool IsValidSiren(absl::string_view siren);

// 14 digits (SIREN + 5-digit NIC) passing Luhn; or, for La Poste establishments (SIRET starting
// with 356000000), digits whose sum is a multiple of 5.
bool IsValidSiret(absl::string_view siret);

// "W" followed by a digit, a digit or capital letter, then 7 digits (W + 9 characters).
bool IsValidRna(absl::string_view rna);

// The SIREN part (first 9 characters) of a SIRET.
inline absl::string_view SirenOfSiret(absl::string_view siret) { return siret.substr(0, 9); }

// `raw` without spaces (including no-break spaces), dots and dashes, letters upper-cased.
std::string NormalizeIdentifier(absl::string_view raw);

// Why `value` is not a valid identifier of the kind, in a sentence for a field violation, or
// "" when it is valid.
std::string SirenProblem(absl::string_view siren);
std::string SiretProblem(absl::string_view siret);
std::string RnaProblem(absl::string_view rna);

}  // namespace maillage::ids
