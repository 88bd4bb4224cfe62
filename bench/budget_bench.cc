// budget_bench: validation of a 5,000-line budget (the validator alone, and ValidateBudget
// through the service), and line writes per second beside the raw write ceiling of the same
// database measured in the same run (a one-row INSERT per transaction through the same pool).
// The service runs on an in-process gRPC server over a throwaway PostgreSQL (TestDatabase).
//
//   budget_bench [lines=5000] [seconds=5] [in_flight=8]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "bench/load.h"
#include "common/db/migrations.h"
#include "common/server/client.h"
#include "common/server/server.h"
#include "common/testing/postgres.h"
#include "common/testing/principal.h"
#include "services/budget/budget_service.h"
#include "services/budget/budget_validator.h"

namespace maillage::budget {
const std::vector<db::Migration>& Migrations();
}  // namespace maillage::budget

namespace {

using namespace maillage;
namespace v1 = maillage::budget::v1;

std::chrono::system_clock::time_point Soon() {
  return std::chrono::system_clock::now() + std::chrono::seconds(30);
}

// `count` lines: chapters 60-65 and 74-75 with details under them, balanced.
std::vector<v1::BudgetLine> MakeLines(int count) {
  const char* charges[] = {"60", "61", "62", "63", "64", "65"};
  const char* income[] = {"74", "75"};
  std::vector<v1::BudgetLine> lines;
  int per_chapter = count / 8 - 1;
  for (int c = 0; c < 8; ++c) {
    bool charge = c < 6;
    std::string code = charge ? charges[c] : income[c - 6];
    v1::BudgetLine chapter;
    chapter.set_name(absl::StrCat("l/", lines.size()));
    chapter.set_side(charge ? v1::SIDE_CHARGE : v1::SIDE_INCOME);
    chapter.set_account_code(code);
    chapter.set_effective_account_code(code);
    chapter.set_is_chapter(true);
    chapter.set_label("Chapitre");
    chapter.set_amount_cents(int64_t{100} * per_chapter * (charge ? 1 : 3));
    std::string chapter_name = chapter.name();
    lines.push_back(chapter);
    for (int d = 0; d < per_chapter; ++d) {
      v1::BudgetLine detail;
      detail.set_name(absl::StrCat("l/", lines.size()));
      detail.set_side(chapter.side());
      detail.set_effective_account_code(code);
      detail.set_chapter_line(chapter_name);
      detail.set_label(absl::StrCat("Dépense de fonctionnement ", d));
      detail.set_amount_cents(charge ? 100 : 300);
      if (code == "74") detail.set_funder_id("dijon-metropole");
      lines.push_back(detail);
    }
  }
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  // The bench calls the service directly, in the gateway\'s place: its calls are signed.
  maillage::testing::TrustTestCalls();
  int line_count = argc > 1 ? std::atoi(argv[1]) : 5000;
  auto duration = std::chrono::seconds(argc > 2 ? std::atoi(argv[2]) : 5);
  int in_flight = argc > 3 ? std::atoi(argv[3]) : 8;

  // 1. The validator alone.
  v1::Action action;
  action.set_start_year(2023);
  action.set_end_year(2025);
  v1::ActionFunder* funder = action.add_funders();
  funder->set_funder_id("dijon-metropole");
  funder->set_display_name("Dijon Métropole");
  v1::Budget budget;
  budget.set_year(2023);
  budget.set_kind(v1::BUDGET_KIND_FORECAST);
  std::vector<v1::BudgetLine> lines = MakeLines(line_count);
  budget::BudgetValidator validator(budget::ChartOfAccounts::Pca2018());
  bench::LoadResult pure = bench::RunClosedLoop(1, std::chrono::seconds(2), [&](int) {
    return !validator.Validate({&action, &budget, &lines, {}, nullptr}).empty();
  });
  bench::PrintResult(absl::StrCat("validator, ", lines.size(), " lines"), pure);

  // 2. The service on a throwaway database.
  testing::TestDatabase database("budget_bench");
  db::PoolOptions options;
  options.url = database.url();
  options.size = in_flight;
  options.error_domain = "budget.maillage";
  db::Pool pool(options);
  if (!db::Migrate(pool, "budget", budget::Migrations()).ok()) return 1;
  budget::BudgetServiceImpl service(pool);
  if (!service.SyncAccounts(Soon()).ok()) return 1;
  server::ServerOptions server_options;
  server_options.service_name = "budget";
  server_options.error_domain = "budget.maillage";
  server_options.host = "127.0.0.1";
  server_options.threads = in_flight + 8;
  server::Server server(server_options, {&service});
  if (!server.Start().ok()) return 1;
  server.SetServing(true);
  auto stub =
      v1::BudgetService::NewStub(server::MakeChannel(absl::StrCat("127.0.0.1:", server.port())));
  auto call = [&](auto method, const auto& request, auto* response) {
    grpc::ClientContext context;
    server::PrepareClientContext(context, Soon());
    return ((*stub).*method)(&context, request, response).ok();
  };
  v1::CreateActionRequest create_action;
  *create_action.mutable_action() = action;
  create_action.mutable_action()->set_code("BENCH");
  create_action.mutable_action()->set_title("Bench");
  create_action.mutable_action()->mutable_funders(0)->set_kind(v1::FUNDER_KIND_INTERCOMMUNALITY);
  v1::Action created;
  if (!call(&v1::BudgetService::Stub::CreateAction, create_action, &created)) return 1;

  // A 5,000-line budget, imported as a table, then validated through the service.
  std::string table = "DÉPENSES;;RECETTES;\n";
  {
    std::vector<const v1::BudgetLine*> sides[2];
    for (const auto& line : lines) sides[line.side() == v1::SIDE_INCOME].push_back(&line);
    for (size_t i = 0; i < std::max(sides[0].size(), sides[1].size()); ++i) {
      for (int s = 0; s < 2; ++s) {
        if (i < sides[s].size()) {
          const v1::BudgetLine& l = *sides[s][i];
          absl::StrAppend(&table, l.is_chapter() ? l.account_code() + " - " : "", l.label(), ";",
                          l.amount_cents() / 100);
        } else {
          absl::StrAppend(&table, ";");
        }
        absl::StrAppend(&table, s == 0 ? ";" : "\n");
      }
    }
  }
  v1::ImportBudgetTableRequest import;
  import.set_parent(created.name());
  import.set_table(table);
  import.set_year(2023);
  import.set_kind(v1::BUDGET_KIND_FORECAST);
  v1::ImportBudgetTableResponse imported;
  auto start = std::chrono::steady_clock::now();
  if (!call(&v1::BudgetService::Stub::ImportBudgetTable, import, &imported)) return 1;
  double import_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("import of a %d-line table: %.1f ms (%.0f lines/s)\n", imported.lines_created(),
              import_ms, imported.lines_created() / (import_ms / 1000));
  v1::ValidateBudgetRequest validate;
  validate.set_name(imported.budget().name());
  bench::LoadResult rpc = bench::RunClosedLoop(1, std::chrono::seconds(3), [&](int) {
    v1::ValidateBudgetResponse response;
    return call(&v1::BudgetService::Stub::ValidateBudget, validate, &response);
  });
  bench::PrintResult(absl::StrCat("ValidateBudget RPC, ", imported.lines_created(), " lines"), rpc);

  // 3. Line writes: on one budget (writers queue on its row lock), and one budget per writer.
  auto new_budget = [&](int year) {
    v1::CreateBudgetRequest request;
    request.set_parent(created.name());
    request.mutable_budget()->set_year(year);
    request.mutable_budget()->set_kind(v1::BUDGET_KIND_ACTUAL);
    v1::Budget b;
    call(&v1::BudgetService::Stub::CreateBudget, request, &b);
    return b.name();
  };
  auto write_line = [&](const std::string& parent, int worker) {
    v1::CreateBudgetLineRequest request;
    request.set_parent(parent);
    request.mutable_budget_line()->set_side(v1::SIDE_CHARGE);
    request.mutable_budget_line()->set_account_code("62");
    request.mutable_budget_line()->set_is_chapter(true);
    request.mutable_budget_line()->set_label(absl::StrCat("Ligne ", worker));
    request.mutable_budget_line()->set_amount_cents(100);
    v1::BudgetLine line;
    return call(&v1::BudgetService::Stub::CreateBudgetLine, request, &line);
  };
  if (!pool.Transact(Soon(),
                     [](pqxx::work& txn) {
                       txn.exec(
                           "CREATE TABLE bench_writes (id bigint GENERATED ALWAYS AS IDENTITY "
                           "PRIMARY KEY, v bigint NOT NULL)");
                       return absl::OkStatus();
                     })
           .ok()) {
    return 1;
  }
  bench::LoadResult ceiling = bench::RunClosedLoop(in_flight, duration, [&](int worker) {
    return pool
        .Transact(Soon(),
                  [worker](pqxx::work& txn) {
                    txn.exec_params("INSERT INTO bench_writes (v) VALUES ($1)", worker);
                    return absl::OkStatus();
                  })
        .ok();
  });
  bench::PrintResult("ceiling: raw INSERT through the pool", ceiling);
  std::string shared = new_budget(2024);
  bench::LoadResult one = bench::RunClosedLoop(
      in_flight, duration, [&](int worker) { return write_line(shared, worker); });
  bench::PrintResult("CreateBudgetLine, one budget", one, &ceiling, "raw INSERT");
  std::vector<std::string> own;
  for (int w = 0; w < in_flight; ++w) {
    v1::CreateActionRequest another = create_action;
    another.mutable_action()->set_code(absl::StrCat("BENCH", w));
    v1::Action a;
    call(&v1::BudgetService::Stub::CreateAction, another, &a);
    v1::CreateBudgetRequest request;
    request.set_parent(a.name());
    request.mutable_budget()->set_year(2024);
    request.mutable_budget()->set_kind(v1::BUDGET_KIND_ACTUAL);
    v1::Budget b;
    call(&v1::BudgetService::Stub::CreateBudget, request, &b);
    own.push_back(b.name());
  }
  bench::LoadResult many = bench::RunClosedLoop(
      in_flight, duration, [&](int worker) { return write_line(own[worker], worker); });
  bench::PrintResult("CreateBudgetLine, a budget per writer", many, &ceiling, "raw INSERT");
  server.Shutdown();
  return 0;
}
