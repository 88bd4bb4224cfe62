// Seed data of the budget service's grants (grants.csv: action, funder_id, year, state,
// requested_euros, request_date, note), created through CreateGrant, each linked to the
// version 1 forecast of its action and year (the seed's own table, the one the request was
// based on). An absent file loads nothing; a funder that already has a grant for the action
// and year gets none (a run interrupted half-way can be run again).
//
// The seed's grants are Dijon Métropole's participation in FA3, 6 000 € a year for 2023-2025,
// in state REQUESTED: the seed document (fiche_action_3_animation_reseau_ess.txt) is the
// association's application itself — objectives, programme, "Budget prévisionnel" tables and
// the "Participation financière de Dijon Métropole" it asks for — and contains no decision of
// the funder: no arrêté or convention, no date or reference of a notification, no amount
// granted as distinct from the amount asked. NOTIFIED needs those (notify_date, notified
// amount) and would invent them. The fiche is undated; written in the future tense about its
// February–December 2023 programme, it was sent by the end of January 2023 at the latest, the
// request date the file records (the note of each grant says so).
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/csv/csv_reader.h"
#include "common/server/client.h"
#include "common/status/grpc_status.h"
#include "maillage/budget/v1/budget_service.grpc.pb.h"
#include "tools/seed/seed.h"

namespace maillage::seed {
namespace {

namespace v1 = maillage::budget::v1;

constexpr char kFile[] = "grants.csv";
constexpr int kColumns = 7;

template <typename Request, typename Response, typename Method>
absl::Status Call(v1::BudgetService::Stub& stub, Method method, const Request& request,
                  Response* response) {
  grpc::ClientContext context;
  server::PrepareClientContext(context,
                               std::chrono::system_clock::now() + std::chrono::seconds(30));
  return FromGrpcStatus((stub.*method)(&context, request, response));
}

absl::Status BadLine(int64_t line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(kFile, " line ", line, ": ", what));
}

// One line of grants.csv as a CreateGrantRequest (parent and grant; no budget yet).
absl::StatusOr<v1::CreateGrantRequest> ParseLine(const csv::CsvRecord& record) {
  const std::vector<std::string>& f = record.fields;
  if (static_cast<int>(f.size()) != kColumns) {
    return BadLine(record.line, absl::StrCat("expected ", kColumns, " columns"));
  }
  v1::CreateGrantRequest request;
  request.set_parent(absl::StrCat("actions/", f[0]));
  v1::Grant* grant = request.mutable_grant();
  grant->set_funder_id(f[1]);
  int year = 0;
  int64_t euros = 0;
  v1::GrantState state = v1::GRANT_STATE_UNSPECIFIED;
  if (!absl::SimpleAtoi(f[2], &year)) return BadLine(record.line, "year: not a number");
  if (!v1::GrantState_Parse(absl::StrCat("GRANT_STATE_", f[3]), &state)) {
    return BadLine(record.line, "state: REQUESTED, NOTIFIED, PAID or JUSTIFIED");
  }
  if (!absl::SimpleAtoi(f[4], &euros)) return BadLine(record.line, "requested_euros");
  std::vector<std::string> date = absl::StrSplit(f[5], '-');
  int y = 0, m = 0, d = 0;
  if (date.size() != 3 || !absl::SimpleAtoi(date[0], &y) || !absl::SimpleAtoi(date[1], &m) ||
      !absl::SimpleAtoi(date[2], &d)) {
    return BadLine(record.line, "request_date: YYYY-MM-DD");
  }
  grant->set_year(year);
  grant->set_state(state);
  grant->set_requested_amount_cents(euros * 100);
  grant->mutable_request_date()->set_year(y);
  grant->mutable_request_date()->set_month(m);
  grant->mutable_request_date()->set_day(d);
  grant->set_note(f[6]);
  request.set_request_id(
      StableRequestId(absl::StrCat("budget/grant/", f[0], "/", f[1], "/", year)));
  return request;
}

}  // namespace

absl::Status SeedGrants(const SeedContext& context) {
  std::ifstream in(absl::StrCat(context.data_dir, "/", kFile), std::ios::binary);
  if (!in) return absl::OkStatus();  // a seed without grants
  std::ostringstream content;
  content << in.rdbuf();
  csv::CsvReader reader(',');
  reader.Feed(content.str());
  reader.Finish();
  std::vector<v1::CreateGrantRequest> requests;
  bool header = true;
  while (auto record = reader.Next()) {
    if (header) {
      header = false;
      continue;
    }
    absl::StatusOr<v1::CreateGrantRequest> request = ParseLine(*record);
    if (!request.ok()) return request.status();
    requests.push_back(*std::move(request));
  }
  if (!reader.status().ok()) return reader.status();

  auto stub = v1::BudgetService::NewStub(context.budget);
  for (v1::CreateGrantRequest& request : requests) {
    v1::ListGrantsRequest list;
    list.set_parent(request.parent());
    list.set_page_size(1);
    list.set_filter(absl::StrCat("year = ", request.grant().year(), " AND funder_id = \"",
                                 request.grant().funder_id(), "\""));
    v1::ListGrantsResponse existing;
    absl::Status status = Call(*stub, &v1::BudgetService::Stub::ListGrants, list, &existing);
    if (!status.ok()) return status;
    if (existing.grants_size() > 0) continue;  // already seeded, or entered since

    v1::ListBudgetsRequest budgets;
    budgets.set_parent(request.parent());
    budgets.set_filter(
        absl::StrCat("year = ", request.grant().year(), " AND kind = FORECAST AND version = 1"));
    v1::ListBudgetsResponse forecast;
    status = Call(*stub, &v1::BudgetService::Stub::ListBudgets, budgets, &forecast);
    if (!status.ok()) return status;
    if (forecast.budgets_size() > 0)
      request.mutable_grant()->set_budget(forecast.budgets(0).name());
    v1::Grant created;
    status = Call(*stub, &v1::BudgetService::Stub::CreateGrant, request, &created);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace maillage::seed
