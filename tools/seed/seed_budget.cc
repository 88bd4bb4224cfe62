// Seed data of the budget service: the folder's action (action.textproto; Dijon's: "Fiche
// action 3", FA3, as its text describes it) and the budget tables of budgets.csv imported
// exactly as the seed writes them (Dijon's: budget_2023.tsv, budget_2024.tsv, budget_2025.tsv),
// errors included, so that validation shows them. Loads nothing when the service already holds
// an action.
#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/server/client.h"
#include "common/status/grpc_status.h"
#include "maillage/budget/v1/budget_service.grpc.pb.h"
#include "tools/seed/seed.h"

namespace maillage::seed {
namespace {

namespace v1 = maillage::budget::v1;

template <typename Request, typename Response, typename Method>
absl::Status Call(v1::BudgetService::Stub& stub, Method method, const Request& request,
                  Response* response) {
  grpc::ClientContext context;
  server::PrepareClientContext(context,
                               std::chrono::system_clock::now() + std::chrono::seconds(30));
  return FromGrpcStatus((stub.*method)(&context, request, response));
}

// Imports the tables listed in budgets.csv (year,kind,file,title,source_document) into
// `action`; kind is FORECAST or ACTUAL.
absl::Status ImportBudgetTables(const SeedContext& context, v1::BudgetService::Stub& stub,
                                const v1::Action& action, const std::string& action_id) {
  absl::StatusOr<std::vector<SeedRow>> rows =
      ReadSeedCsv(context.data_dir, "budgets.csv", {"year", "kind", "file"});
  if (!rows.ok()) return rows.status();
  for (const SeedRow& row : *rows) {
    int year = 0;
    v1::BudgetKind kind;
    if (!absl::SimpleAtoi(row["year"], &year)) {
      return absl::InvalidArgumentError(
          absl::StrCat("budgets.csv line ", row.line, ", field year: not a year"));
    }
    if (!v1::BudgetKind_Parse("BUDGET_KIND_" + row["kind"], &kind) ||
        kind == v1::BUDGET_KIND_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("budgets.csv line ", row.line, ", field kind: FORECAST or ACTUAL"));
    }
    absl::StatusOr<std::string> table = ReadSeedFile(context.data_dir, row["file"]);
    if (!table.ok()) return table.status();
    v1::ImportBudgetTableRequest import;
    import.set_parent(action.name());
    import.set_table(*table);
    import.set_year(year);
    import.set_kind(kind);
    import.set_title(row["title"].empty() ? absl::StrCat("Budget ", year) : row["title"]);
    import.set_source_document(row["source_document"]);
    import.set_table_title(table->substr(0, table->find('\n')));
    // Forecasts keep the request ids of the first seed loader ("budget/import/fa3/2023").
    import.set_request_id(StableRequestId(
        kind == v1::BUDGET_KIND_FORECAST
            ? absl::StrCat("budget/import/", action_id, "/", year)
            : absl::StrCat("budget/import/", action_id, "/", year, "/", row["kind"])));
    v1::ImportBudgetTableResponse imported;
    absl::Status status =
        Call(stub, &v1::BudgetService::Stub::ImportBudgetTable, import, &imported);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
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

  absl::StatusOr<v1::Action> seed_action = ReadSeedAction(context.data_dir);
  if (!seed_action.ok()) return seed_action.status();
  const std::string action_id = SeedActionId(*seed_action);
  v1::CreateActionRequest create;
  *create.mutable_action() = *seed_action;
  create.set_action_id(action_id);
  create.set_request_id(StableRequestId(absl::StrCat("budget/action/", action_id)));
  v1::Action action;
  status = Call(*stub, &v1::BudgetService::Stub::CreateAction, create, &action);
  if (!status.ok()) return status;
  return ImportBudgetTables(context, *stub, action, action_id);
}

}  // namespace maillage::seed
