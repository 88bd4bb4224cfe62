// INSEE's SIRENE files for tests and benches: the exact column names of StockEtablissement and
// StockUniteLegale (as published in the "Base Sirene des entreprises et de leurs établissements
// (SIREN, SIRET)" on data.gouv.fr), and a synthetic establishments extract of any size,
// generated a few rows at a time so that a file of hundreds of MB is never held.
//
//   SyntheticSireneExtract extract({.rows = 1000000});
//   std::string chunk;
//   while (extract.Next(chunk, 1 << 20)) Send(chunk);  // header first, then the rows
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace maillage::testing {

// INSEE's columns, in INSEE's order.
const std::vector<std::string>& StockEtablissementColumns();
const std::vector<std::string>& StockUniteLegaleColumns();

// A CSV file with every one of `columns`, one row per map of values (absent: empty cell).
std::string InseeFile(const std::vector<std::string>& columns,
                      const std::vector<std::map<std::string, std::string>>& rows);

struct SyntheticSireneOptions {
  int64_t rows = 1000;
  // One row in `territory_every` is an active establishment in Dijon (21231), in the ESS one
  // time in two (an association); the others are in Beaune (21054), outside the territory, a
  // tenth of them closed.
  int64_t territory_every = 100;
  int64_t first_siren = 10000000;  // the 8 digits before the check digit of the first SIREN
};

// StockEtablissement's columns then the legal unit's (denominationUniteLegale,
// categorieJuridiqueUniteLegale, activitePrincipaleUniteLegale,
// economieSocialeSolidaireUniteLegale, identifiantAssociationUniteLegale): an establishments
// extract that carries its legal units, which ImportSireneExtract reads as it is. Every SIREN
// and SIRET is valid (Luhn).
class SyntheticSireneExtract {
 public:
  explicit SyntheticSireneExtract(SyntheticSireneOptions options);

  // Replaces `out` with the next rows (the header first), about `bytes` of them; false once
  // every row has been given.
  bool Next(std::string& out, size_t bytes);

  // Rows of the territory given so far, and how many of them are in the ESS.
  int64_t territory_rows() const { return territory_rows_; }
  int64_t ess_rows() const { return ess_rows_; }

 private:
  SyntheticSireneOptions options_;
  std::vector<std::string> columns_;
  std::map<std::string, size_t> index_;
  bool header_done_ = false;
  int64_t row_ = 0;
  int64_t territory_rows_ = 0, ess_rows_ = 0;
};

}  // namespace maillage::testing
