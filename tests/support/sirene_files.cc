// INSEE's SIRENE files for tests and benches (see sirene_files.h).
#include "tests/support/sirene_files.h"

#include <cstdio>

namespace maillage::testing {
namespace {

const char* const kLegalUnitColumnsInExtract[] = {
    "denominationUniteLegale", "categorieJuridiqueUniteLegale", "activitePrincipaleUniteLegale",
    "economieSocialeSolidaireUniteLegale", "identifiantAssociationUniteLegale"};

// `digits` followed by its Luhn check digit.
std::string WithLuhn(const std::string& digits) {
  int sum = 0;
  // The check digit will be at an even position from the right: the digits before it are
  // doubled from the rightmost one.
  for (size_t i = 0; i < digits.size(); ++i) {
    int d = digits[digits.size() - 1 - i] - '0';
    if (i % 2 == 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits + static_cast<char>('0' + (10 - sum % 10) % 10);
}

std::string Digits(int64_t value, int width) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%0*lld", width, static_cast<long long>(value));
  return buffer;
}

}  // namespace

const std::vector<std::string>& StockEtablissementColumns() {
  static const auto* columns = new std::vector<std::string>{
      "siren",
      "nic",
      "siret",
      "statutDiffusionEtablissement",
      "dateCreationEtablissement",
      "trancheEffectifsEtablissement",
      "anneeEffectifsEtablissement",
      "activitePrincipaleRegistreMetiersEtablissement",
      "dateDernierTraitementEtablissement",
      "etablissementSiege",
      "nombrePeriodesEtablissement",
      "complementAdresseEtablissement",
      "numeroVoieEtablissement",
      "indiceRepetitionEtablissement",
      "dernierNumeroVoieEtablissement",
      "indiceRepetitionDernierNumeroVoieEtablissement",
      "typeVoieEtablissement",
      "libelleVoieEtablissement",
      "codePostalEtablissement",
      "libelleCommuneEtablissement",
      "libelleCommuneEtrangerEtablissement",
      "distributionSpecialeEtablissement",
      "codeCommuneEtablissement",
      "codeCedexEtablissement",
      "libelleCedexEtablissement",
      "codePaysEtrangerEtablissement",
      "libellePaysEtrangerEtablissement",
      "identifiantAdresseEtablissement",
      "coordonneeLambertAbscisseEtablissement",
      "coordonneeLambertOrdonneeEtablissement",
      "complementAdresse2Etablissement",
      "numeroVoie2Etablissement",
      "indiceRepetition2Etablissement",
      "typeVoie2Etablissement",
      "libelleVoie2Etablissement",
      "codePostal2Etablissement",
      "libelleCommune2Etablissement",
      "libelleCommuneEtranger2Etablissement",
      "distributionSpeciale2Etablissement",
      "codeCommune2Etablissement",
      "codeCedex2Etablissement",
      "libelleCedex2Etablissement",
      "codePaysEtranger2Etablissement",
      "libellePaysEtranger2Etablissement",
      "dateDebut",
      "etatAdministratifEtablissement",
      "enseigne1Etablissement",
      "enseigne2Etablissement",
      "enseigne3Etablissement",
      "denominationUsuelleEtablissement",
      "activitePrincipaleEtablissement",
      "nomenclatureActivitePrincipaleEtablissement",
      "caractereEmployeurEtablissement",
  };
  return *columns;
}

const std::vector<std::string>& StockUniteLegaleColumns() {
  static const auto* columns = new std::vector<std::string>{
      "siren",
      "statutDiffusionUniteLegale",
      "unitePurgeeUniteLegale",
      "dateCreationUniteLegale",
      "sigleUniteLegale",
      "sexeUniteLegale",
      "prenom1UniteLegale",
      "prenom2UniteLegale",
      "prenom3UniteLegale",
      "prenom4UniteLegale",
      "prenomUsuelUniteLegale",
      "pseudonymeUniteLegale",
      "identifiantAssociationUniteLegale",
      "trancheEffectifsUniteLegale",
      "anneeEffectifsUniteLegale",
      "dateDernierTraitementUniteLegale",
      "nombrePeriodesUniteLegale",
      "categorieEntreprise",
      "anneeCategorieEntreprise",
      "dateDebut",
      "etatAdministratifUniteLegale",
      "nomUniteLegale",
      "nomUsageUniteLegale",
      "denominationUniteLegale",
      "denominationUsuelle1UniteLegale",
      "denominationUsuelle2UniteLegale",
      "denominationUsuelle3UniteLegale",
      "categorieJuridiqueUniteLegale",
      "activitePrincipaleUniteLegale",
      "nomenclatureActivitePrincipaleUniteLegale",
      "nicSiegeUniteLegale",
      "economieSocialeSolidaireUniteLegale",
      "societeMissionUniteLegale",
      "caractereEmployeurUniteLegale",
  };
  return *columns;
}

std::string InseeFile(const std::vector<std::string>& columns,
                      const std::vector<std::map<std::string, std::string>>& rows) {
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) out += (i ? "," : "") + columns[i];
  out += "\n";
  for (const auto& row : rows) {
    for (size_t i = 0; i < columns.size(); ++i) {
      auto it = row.find(columns[i]);
      if (i) out += ",";
      if (it != row.end()) out += it->second;
    }
    out += "\n";
  }
  return out;
}

SyntheticSireneExtract::SyntheticSireneExtract(SyntheticSireneOptions options)
    : options_(options), columns_(StockEtablissementColumns()) {
  for (const char* column : kLegalUnitColumnsInExtract) columns_.push_back(column);
  for (size_t i = 0; i < columns_.size(); ++i) index_[columns_[i]] = i;
}

bool SyntheticSireneExtract::Next(std::string& out, size_t bytes) {
  out.clear();
  if (!header_done_) {
    header_done_ = true;
    for (size_t i = 0; i < columns_.size(); ++i) out += (i ? "," : "") + columns_[i];
    out += "\n";
  }
  if (row_ >= options_.rows && out.empty()) return false;
  std::vector<std::string> cells(columns_.size());
  auto set = [&](const char* column, std::string value) { cells[index_.at(column)] = value; };
  while (row_ < options_.rows && out.size() < bytes) {
    const int64_t n = row_++;
    for (auto& cell : cells) cell.clear();
    const std::string siren = WithLuhn(Digits(options_.first_siren + n, 8));
    const std::string nic = WithLuhn(siren + "0001").substr(9);
    const bool territory = options_.territory_every > 0 && n % options_.territory_every == 0;
    const bool ess = territory && (n / options_.territory_every) % 2 == 0;
    territory_rows_ += territory;
    ess_rows_ += ess;
    set("siren", siren);
    set("nic", nic);
    set("siret", siren + nic);
    set("statutDiffusionEtablissement", "O");
    set("dateCreationEtablissement", "2015-03-01");
    set("trancheEffectifsEtablissement", "11");
    set("anneeEffectifsEtablissement", "2022");
    set("dateDernierTraitementEtablissement", "2024-06-13T09:21:05");
    set("etablissementSiege", "true");
    set("nombrePeriodesEtablissement", "2");
    set("numeroVoieEtablissement", std::to_string(1 + n % 120));
    set("typeVoieEtablissement", "RUE");
    set("libelleVoieEtablissement", "DE LA LIBERTE");
    set("codePostalEtablissement", territory ? "21000" : "21200");
    set("libelleCommuneEtablissement", territory ? "DIJON" : "BEAUNE");
    set("codeCommuneEtablissement", territory ? "21231" : "21054");
    set("identifiantAdresseEtablissement", "21231_1780_00012");
    set("coordonneeLambertAbscisseEtablissement", "853621.4");
    set("coordonneeLambertOrdonneeEtablissement", "6694390.2");
    set("dateDebut", "2019-01-01");
    set("etatAdministratifEtablissement", territory || n % 10 != 1 ? "A" : "F");
    set("enseigne1Etablissement", ess ? "" : "LE COMPTOIR");
    set("denominationUsuelleEtablissement", "");
    set("activitePrincipaleEtablissement", ess ? "88.99B" : "47.11A");
    set("nomenclatureActivitePrincipaleEtablissement", "NAFRev2");
    set("caractereEmployeurEtablissement", "O");
    set("denominationUniteLegale",
        (ess ? "ASSOCIATION SOLIDAIRE " : "SARL COMMERCE ") + std::to_string(n));
    set("categorieJuridiqueUniteLegale", ess ? "9220" : "5499");
    set("activitePrincipaleUniteLegale", ess ? "88.99B" : "47.11A");
    set("economieSocialeSolidaireUniteLegale", ess ? "O" : "N");
    set("identifiantAssociationUniteLegale", ess ? "W21" + Digits(n % 10000000, 7) : "");
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) out += ",";
      out += cells[i];
    }
    out += "\n";
  }
  return true;
}

}  // namespace maillage::testing
