// Fuzzes the French identifier validators (common/ids/french_ids.h): consistent verdicts
// (valid ⇔ no problem sentence), shapes respected, normalisation idempotent.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "common/csv/csv_reader.h"
#include "common/ids/french_ids.h"
#include "fuzz/fuzz_check.h"

namespace {

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

void CheckOne(absl::string_view s) {
  using namespace maillage::ids;
  bool siren = IsValidSiren(s), siret = IsValidSiret(s), rna = IsValidRna(s);
  MAILLAGE_FUZZ_CHECK(siren == SirenProblem(s).empty(), std::string(s));
  MAILLAGE_FUZZ_CHECK(siret == SiretProblem(s).empty(), std::string(s));
  MAILLAGE_FUZZ_CHECK(rna == RnaProblem(s).empty(), std::string(s));
  if (siren) MAILLAGE_FUZZ_CHECK(s.size() == 9 && AllDigits(s), std::string(s));
  if (siret) {
    MAILLAGE_FUZZ_CHECK(s.size() == 14 && AllDigits(s), std::string(s));
    MAILLAGE_FUZZ_CHECK(SirenOfSiret(s).size() == 9, std::string(s));
  }
  if (rna) MAILLAGE_FUZZ_CHECK(s.size() == 10 && s[0] == 'W', std::string(s));
  MAILLAGE_FUZZ_CHECK(!(siren && siret) && !(siren && rna) && !(siret && rna), std::string(s));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  CheckOne(text);
  std::string normalized = maillage::ids::NormalizeIdentifier(text);
  MAILLAGE_FUZZ_CHECK(normalized.size() <= text.size(), normalized);
  // Idempotent on text (on invalid UTF-8, removing a no-break space may join two halves).
  if (maillage::csv::IsValidUtf8(text)) {
    MAILLAGE_FUZZ_CHECK(maillage::ids::NormalizeIdentifier(normalized) == normalized, normalized);
  }
  CheckOne(normalized);
  return 0;
}
