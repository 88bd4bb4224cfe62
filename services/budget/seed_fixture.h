// Test fixtures shared by the budget tests: the seed action "Fiche action 3" as the seed text
// describes it, and the seed's budget tables read from deploy/seed.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "maillage/budget/v1/action.pb.h"

namespace maillage::budget::testing {

// The seed action: FA3, 2023–2025, 10 000 € announced per year, Dijon Métropole committed
// 6 000 € per year, 0,13 FTE for 2023 only, premises lent by the city and the métropole.
inline v1::Action SeedAction() {
  v1::Action action;
  action.set_code("FA3");
  action.set_title(
      "Animation du réseau d'acteurs de l'ESS et de la feuille de route métropolitaine");
  action.add_objectives("Animer, mobiliser et fédérer les acteurs de l'ESS du territoire");
  action.set_start_year(2023);
  action.set_end_year(2025);
  for (int year : {2023, 2024, 2025}) {
    v1::ActionYear* y = action.add_years();
    y->set_year(year);
    y->set_announced_amount_cents(1000000);
    if (year == 2023) {
      y->set_staffing_fte_hundredths(13);
      y->set_staffing_note("Direction et chargé.es de mission");
    }
  }
  v1::ActionFunder* funder = action.add_funders();
  funder->set_funder_id("dijon-metropole");
  funder->set_display_name("Dijon Métropole");
  funder->set_kind(v1::FUNDER_KIND_INTERCOMMUNALITY);
  for (int year : {2023, 2024, 2025}) {
    v1::YearAmount* commitment = funder->add_commitments();
    commitment->set_year(year);
    commitment->set_amount_cents(600000);
  }
  v1::InKindResource* premises = action.add_in_kind_resources();
  premises->set_description(
      "locaux mis à disposition du PES 21 par la Ville (12 avenue Gustave Eiffel à Dijon)");
  premises->set_provider("Ville de Dijon");
  return action;
}

// The text of deploy/seed/budget_<year>.tsv.
inline std::string SeedTable(int year) {
  std::ifstream in(std::string(MAILLAGE_BUDGET_SEED_DIR) + "/budget_" + std::to_string(year) +
                   ".tsv");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace maillage::budget::testing
