// The chart of accounts served from the accounts table.
#include "services/budget/account_catalog.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/api/list_runner.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/budget/budget_names.h"

namespace maillage::budget {
namespace {

constexpr char kUpsertAccount[] =
    "INSERT INTO accounts (code, label, side, account_class, chapter, is_chapter, label_hints, "
    "chart) VALUES ($1, $2, $3, $4, $5, $6, "
    "COALESCE(string_to_array(NULLIF($7, ''), ','), '{}'), $8) "
    "ON CONFLICT (code) DO UPDATE SET label = EXCLUDED.label, side = EXCLUDED.side, "
    "account_class = EXCLUDED.account_class, chapter = EXCLUDED.chapter, "
    "is_chapter = EXCLUDED.is_chapter, label_hints = EXCLUDED.label_hints, "
    "chart = EXCLUDED.chart";

constexpr char kDeleteOthers[] =
    "DELETE FROM accounts WHERE NOT (code = ANY(string_to_array($1, ',')))";

constexpr char kAccountColumns[] =
    "x.code, x.label, x.side, x.account_class, x.chapter, x.is_chapter, "
    "array_to_string(x.label_hints, ','), x.chart";

v1::Account AccountFromRow(const pqxx::row& row) {
  v1::Account account;
  account.set_name(absl::StrCat("accounts/", row[0].c_str()));
  account.set_code(row[0].c_str());
  account.set_label(row[1].c_str());
  v1::Side side;
  if (v1::Side_Parse(row[2].c_str(), &side)) account.set_side(side);
  account.set_account_class(row[3].as<int>());
  account.set_chapter(row[4].c_str());
  account.set_is_chapter(row[5].as<bool>());
  std::string hints = row[6].c_str();
  for (absl::string_view hint : absl::StrSplit(hints, ',', absl::SkipEmpty())) {
    account.add_label_hints(std::string(hint));
  }
  account.set_chart(row[7].c_str());
  return account;
}

}  // namespace

absl::Status AccountCatalog::Sync(db::Deadline deadline) {
  return pool_.Transact(deadline, [&](pqxx::work& txn) {
    std::vector<std::string> codes;
    for (const v1::Account& a : chart_.accounts()) {
      txn.exec_params(kUpsertAccount, a.code(), a.label(), v1::Side_Name(a.side()),
                      a.account_class(), a.chapter(), a.is_chapter(),
                      absl::StrJoin(a.label_hints(), ","), a.chart());
      codes.push_back(a.code());
    }
    txn.exec_params(kDeleteOthers, absl::StrJoin(codes, ","));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Account> AccountCatalog::Get(const v1::GetAccountRequest& request,
                                                db::Deadline deadline) {
  absl::string_view code = request.name();
  if (!absl::ConsumePrefix(&code, "accounts/") || code.empty() || code.size() > 6) {
    return InvalidField(kDomain, "name", "expected a name like \"accounts/641\"");
  }
  static const auto* const kStatement = new db::Statement{
      "budget_read_account",
      absl::StrCat("SELECT ", kAccountColumns, " FROM accounts x WHERE x.code = $1")};
  MAILLAGE_ASSIGN_OR_RETURN(pqxx::result rows,
                            pool_.Query(deadline, *kStatement, {std::string(code)}));
  if (rows.empty()) {
    return NotFound(kDomain, "ACCOUNT_NOT_FOUND",
                    absl::StrCat("account ", code, " is not in the chart"),
                    {{"name", request.name()}});
  }
  return AccountFromRow(rows[0]);
}

absl::StatusOr<v1::ListAccountsResponse> AccountCatalog::List(
    const v1::ListAccountsRequest& request, db::Deadline deadline) {
  using api::FilterField;
  static const auto* const kFilter = new api::FilterSchema{
      {"side", {"x.side", FilterField::Type::kEnum, "SIDE_", {"CHARGE", "INCOME"}}},
      {"account_class", {"x.account_class", FilterField::Type::kInt}},
      {"chapter", {"x.chapter", FilterField::Type::kString}},
      {"is_chapter", {"x.is_chapter", FilterField::Type::kBool}},
  };
  static const auto* const kSort = new api::SortSchema{{"code", {"x.code", "text"}}};
  api::SqlListSpec spec;
  spec.columns = kAccountColumns;
  spec.from_where = "accounts x WHERE TRUE";
  spec.filter_schema = kFilter;
  spec.sort_schema = kSort;
  spec.default_order = "code";
  // Codes are unique digits: the keyset's id is the code as a number.
  spec.id_sql = "x.code::bigint";
  spec.filter = request.filter();
  spec.page_size = request.page_size();
  spec.page_token = request.page_token();
  return pool_.ReadOnly<v1::ListAccountsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListAccountsResponse> {
        MAILLAGE_ASSIGN_OR_RETURN(api::SqlListPage page, api::RunSqlList(txn, spec, kDomain));
        v1::ListAccountsResponse response;
        for (int i = 0; i < page.count; ++i)
          *response.add_accounts() = AccountFromRow(page.rows[i]);
        response.set_next_page_token(page.next_page_token);
        return response;
      });
}

}  // namespace maillage::budget
