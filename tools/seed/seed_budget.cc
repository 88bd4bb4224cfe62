// Seed data of the budget service: the seed action "Fiche action 3" (FA3) as its text
// describes it, and its three forecast budgets imported exactly as the seed writes them
// (budget_2023.tsv, budget_2024.tsv, budget_2025.tsv), errors included, so that validation
// shows them. Loads nothing when the service already holds an action.
#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/server/client.h"
#include "common/status/grpc_status.h"
#include "maillage/budget/v1/budget_service.grpc.pb.h"
#include "tools/seed/seed.h"

namespace maillage::seed {
namespace {

namespace v1 = maillage::budget::v1;

constexpr char kSourceDocument[] = "fiche_action_3_animation_reseau_ess.txt";

v1::Action SeedAction() {
  v1::Action action;
  action.set_code("FA3");
  action.set_title(
      "Animation du réseau d'acteurs de l'ESS et animation de la feuille de route "
      "métropolitaine");
  action.set_description(
      "Action collective et animation de réseau d'acteurs sur le territoire métropolitain "
      "(domaine : création d'activité économique et d'emploi dans l'ESS).");
  for (const char* objective :
       {"Animer, mobiliser et fédérer les acteurs de l'ESS du territoire métropolitain "
        "(connaître, se faire connaître)",
        "Impliquer les acteurs de l'ESS pour la co-construction d'une offre de territoire "
        "métropolitaine en matière d'ESS",
        "Accompagner Dijon métropole dans l'identification du champ de l'ESS parmi les actions "
        "qu'elle soutient",
        "Organiser des temps forts de l'ESS sur le territoire (par exemple en lien avec les "
        "Journées de l'Economie Autrement)"}) {
    action.add_objectives(objective);
  }
  action.set_start_year(2023);
  action.set_end_year(2025);
  v1::ActionFunder* metropole = action.add_funders();
  metropole->set_funder_id("dijon-metropole");
  metropole->set_display_name("Dijon Métropole");
  metropole->set_kind(v1::FUNDER_KIND_INTERCOMMUNALITY);
  for (int year : {2023, 2024, 2025}) {
    v1::ActionYear* plan = action.add_years();
    plan->set_year(year);
    plan->set_announced_amount_cents(1000000);  // "10 000 € pour <year>"
    if (year == 2023) {                         // "0,13 ETP pour 2023"
      plan->set_staffing_fte_hundredths(13);
      plan->set_staffing_note("Direction et chargé.es de mission");
    }
    v1::YearAmount* commitment = metropole->add_commitments();
    commitment->set_year(year);
    commitment->set_amount_cents(600000);  // "6 000 € pour <year>"
  }
  v1::InKindResource* premises = action.add_in_kind_resources();
  premises->set_description(
      "Locaux mis à disposition du PES 21 par la Ville (12 avenue Gustave Eiffel à Dijon)");
  premises->set_provider("Ville de Dijon");
  v1::InKindResource* rooms = action.add_in_kind_resources();
  rooms->set_description("Locaux et salles de réunions mis à disposition par la Métropole");
  rooms->set_provider("Dijon Métropole");
  return action;
}

template <typename Request, typename Response, typename Method>
absl::Status Call(v1::BudgetService::Stub& stub, Method method, const Request& request,
                  Response* response) {
  grpc::ClientContext context;
  server::PrepareClientContext(context,
                               std::chrono::system_clock::now() + std::chrono::seconds(30));
  return FromGrpcStatus((stub.*method)(&context, request, response));
}

}  // namespace

absl::Status SeedBudget(const SeedContext& context) {
  auto stub = v1::BudgetService::NewStub(context.budget);
  v1::ListActionsRequest list;
  list.set_page_size(1);
  v1::ListActionsResponse existing;
  absl::Status status = Call(*stub, &v1::BudgetService::Stub::ListActions, list, &existing);
  if (!status.ok()) return status;
  if (existing.actions_size() > 0) return absl::OkStatus();

  v1::CreateActionRequest create;
  *create.mutable_action() = SeedAction();
  create.set_action_id("fa3");
  create.set_request_id(StableRequestId("budget/action/fa3"));
  v1::Action action;
  status = Call(*stub, &v1::BudgetService::Stub::CreateAction, create, &action);
  if (!status.ok()) return status;

  for (int year : {2023, 2024, 2025}) {
    std::string file = absl::StrCat(context.data_dir, "/budget_", year, ".tsv");
    std::ifstream in(file);
    if (!in) return absl::NotFoundError(absl::StrCat("seed budget table ", file, " is missing"));
    std::stringstream text;
    text << in.rdbuf();
    std::string table = text.str();
    v1::ImportBudgetTableRequest import;
    import.set_parent(action.name());
    import.set_table(table);
    import.set_year(year);
    import.set_kind(v1::BUDGET_KIND_FORECAST);
    import.set_title(absl::StrCat("Budget prévisionnel ", year));
    import.set_source_document(kSourceDocument);
    import.set_table_title(table.substr(0, table.find('\n')));
    import.set_request_id(StableRequestId(absl::StrCat("budget/import/fa3/", year)));
    v1::ImportBudgetTableResponse imported;
    status = Call(*stub, &v1::BudgetService::Stub::ImportBudgetTable, import, &imported);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace maillage::seed
