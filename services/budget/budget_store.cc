// SQL of the budgets and budget_lines tables.
#include "services/budget/budget_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/list_runner.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/budget/chart_of_accounts.h"

namespace maillage::budget {
namespace {

// The columns of a budget b of action a, `latest` telling whether it is the latest version.
#define MAILLAGE_BUDGET_COLUMNS(latest) \
  "b.id, b.action_id, a.action_key, b.year, b.kind, b.version, b.state, " latest ", "      \
  "b.title, b.note, b.stated_charges_cents, b.stated_income_cents, b.origin, "             \
  "b.source_document, b.table_title, " MAILLAGE_SQL_MICROS("b.import_time") ", "           \
  "b.revised_from, b.approval_note, b.charges_cents, b.income_cents, "                     \
  "b.contributions_used_cents, b.contributions_received_cents, b.subsidies_cents, "        \
  "b.line_count, b.revision, " MAILLAGE_SQL_MICROS("b.create_time") ", " MAILLAGE_SQL_MICROS( \
      "b.update_time") ", " MAILLAGE_SQL_MICROS("b.submit_time") ", "                      \
      MAILLAGE_SQL_MICROS("b.approve_time")

constexpr char kBudgetColumns[] = MAILLAGE_BUDGET_COLUMNS(
    "b.version = (SELECT max(m.version) FROM budgets m WHERE m.action_id = b.action_id AND "
    "m.year = b.year AND m.kind = b.kind)");
constexpr int kBudgetColumnCount = 29;

constexpr char kFindBudget[] =
    "FROM budgets b JOIN actions a ON a.id = b.action_id WHERE b.id = $1 AND a.action_key = $2";

// The action $1 when ACTIVE, the draft of (action, year $2, kind $3) if there is one, and the
// new draft (next version) when there is none: one statement. The row: the new budget's
// columns (NULL when nothing was written), then the draft's id (NULL when none).
constexpr char kInsertBudget[] =
    "WITH a AS (SELECT id, action_key FROM actions WHERE action_key = $1 AND "
    "state = 'ACTION_STATE_ACTIVE'), "
    "d AS (SELECT v.id FROM budgets v JOIN a ON v.action_id = a.id WHERE v.year = $2 AND "
    "v.kind = $3 AND v.state = 'BUDGET_STATE_DRAFT'), "
    "b AS (INSERT INTO budgets (action_id, year, kind, version, state, title, note, "
    "stated_charges_cents, stated_income_cents, origin, source_document, table_title, "
    "import_time, revised_from) "
    "SELECT a.id, $2, $3, COALESCE((SELECT max(v.version) FROM budgets v WHERE "
    "v.action_id = a.id AND v.year = $2 AND v.kind = $3), 0) + 1, 'BUDGET_STATE_DRAFT', $4, $5, "
    "NULLIF($6, '')::bigint, NULLIF($7, '')::bigint, $8, $9, $10, "
    "CASE WHEN $8 = 'BUDGET_ORIGIN_IMPORT' THEN now() END, NULLIF($11::bigint, 0) "
    "FROM a WHERE NOT EXISTS (SELECT 1 FROM d) RETURNING *) "
    // A budget just inserted is the latest version of its triple (the statement does not see it).
    "SELECT " MAILLAGE_BUDGET_COLUMNS("true") ", (SELECT id FROM d) "
    "FROM (SELECT 1) one LEFT JOIN (b JOIN a ON a.id = b.action_id) ON true";

// `write` (an UPDATE of one budget, RETURNING *) and the budget it leaves, in one statement.
std::string BudgetAfter(absl::string_view write) {
  return absl::StrCat("WITH b AS (", write, ") SELECT ", kBudgetColumns,
                      " FROM b JOIN actions a ON a.id = b.action_id");
}

constexpr char kSaveBudgetFields[] =
    "UPDATE budgets SET title = $2, note = $3, stated_charges_cents = NULLIF($4, '')::bigint, "
    "stated_income_cents = NULLIF($5, '')::bigint, revision = revision + 1, "
    "update_time = now() WHERE id = $1 RETURNING *";

constexpr char kSetBudgetState[] =
    "UPDATE budgets SET state = $2, "
    "submit_time = CASE WHEN $2 = 'BUDGET_STATE_SUBMITTED' THEN now() ELSE submit_time END, "
    "approve_time = CASE WHEN $2 = 'BUDGET_STATE_APPROVED' THEN now() ELSE approve_time END, "
    "approval_note = CASE WHEN $2 = 'BUDGET_STATE_APPROVED' THEN $3 ELSE approval_note END, "
    "revision = revision + 1, update_time = now() WHERE id = $1 RETURNING *";

constexpr char kDeleteBudget[] = "DELETE FROM budgets WHERE id = $1";

// Sums in numeric, so that an overflow is seen rather than raised.
constexpr char kSumLines[] =
    "SELECT "
    "COALESCE(sum(amount_cents) FILTER (WHERE chapter_line IS NULL AND side = 'SIDE_CHARGE'), 0),"
    "COALESCE(sum(amount_cents) FILTER (WHERE chapter_line IS NULL AND side = 'SIDE_INCOME'), 0),"
    "COALESCE(sum(amount_cents) FILTER (WHERE chapter_line IS NULL AND account_code LIKE '86%'),"
    " 0), "
    "COALESCE(sum(amount_cents) FILTER (WHERE chapter_line IS NULL AND account_code LIKE '87%'),"
    " 0), "
    "COALESCE(sum(amount_cents) FILTER (WHERE chapter_line IS NULL AND account_code LIKE '74%'),"
    " 0), "
    "count(*) FROM budget_lines WHERE budget_id = $1";

constexpr char kSaveTotals[] =
    "UPDATE budgets SET charges_cents = $2, income_cents = $3, contributions_used_cents = $4, "
    "contributions_received_cents = $5, subsidies_cents = $6, line_count = $7, "
    "revision = revision + 1, update_time = now() WHERE id = $1";

// kSaveTotals as a CTE `totals` of a line write, from parameter $`first` on (budget id, then the
// six totals).
std::string TotalsCte(int first) {
  auto p = [&](int i) { return absl::StrCat("$", first + i); };
  return absl::StrCat("totals AS (UPDATE budgets SET charges_cents = ", p(1),
                      ", income_cents = ", p(2), ", contributions_used_cents = ", p(3),
                      ", contributions_received_cents = ", p(4), ", subsidies_cents = ", p(5),
                      ", line_count = ", p(6),
                      ", revision = revision + 1, update_time = now() "
                      "WHERE id = ",
                      p(0), ")");
}

constexpr char kLatestBudget[] =
    "SELECT id FROM budgets WHERE action_id = $1 AND year = $2 AND kind = $3 AND "
    "($4 = '' OR state = $4) ORDER BY version DESC LIMIT 1";

constexpr char kLineColumns[] =
    "l.id, l.budget_id, l.side, l.account_code, l.label, l.amount_cents, l.is_chapter, "
    "l.chapter_line, COALESCE(NULLIF(l.account_code, ''), c.account_code, ''), l.funder_id, "
    "l.note, l.position, l.source_row, l.source_text, l.lineage, "
    "l.revision, " MAILLAGE_SQL_MICROS("l.create_time") ", " MAILLAGE_SQL_MICROS("l.update_time");

constexpr char kLinesFrom[] = "budget_lines l LEFT JOIN budget_lines c ON c.id = l.chapter_line ";

constexpr char kInsertLine[] =
    "INSERT INTO budget_lines (budget_id, side, account_code, label, amount_cents, is_chapter, "
    "chapter_line, funder_id, note, position, source_row, source_text, lineage) "
    "VALUES ($1, $2, $3, $4, NULLIF($5, '')::bigint, $6, NULLIF($7::bigint, 0), $8, $9, "
    "CASE WHEN $10 > 0 THEN $10 ELSE (SELECT COALESCE(max(position), 0) + 1 FROM budget_lines "
    "WHERE budget_id = $1 AND side = $2) END, $11, $12, "
    "COALESCE(NULLIF($13, ''), gen_random_uuid()::text))";

constexpr char kSaveLine[] =
    "UPDATE budget_lines SET account_code = $2, label = $3, amount_cents = NULLIF($4, '')::bigint, "
    "chapter_line = NULLIF($5::bigint, 0), funder_id = $6, note = $7, position = $8, "
    "revision = revision + 1, update_time = now() WHERE id = $1";

// A line write (`write`, RETURNING *, as CTE l), the budget's totals (TotalsCte) and the line as
// stored, in one statement.
std::string LineWriteWithTotals(absl::string_view write, int totals_first) {
  return absl::StrCat("WITH l AS (", write, " RETURNING *), ", TotalsCte(totals_first), " SELECT ",
                      kLineColumns, " FROM l LEFT JOIN budget_lines c ON c.id = l.chapter_line");
}

// The detail lines of a chapter are named, not left to ON DELETE CASCADE, so that the count of
// deleted rows includes them (a detail line has no details of its own). The totals ($2 budget,
// $3.. the sums) are written by the same statement, line_count less the details deleted.
constexpr char kDeleteLine[] =
    "WITH gone AS (DELETE FROM budget_lines WHERE id = $1 OR chapter_line = $1 RETURNING 1), "
    "totals AS (UPDATE budgets SET charges_cents = $3, income_cents = $4, "
    "contributions_used_cents = $5, contributions_received_cents = $6, subsidies_cents = $7, "
    "line_count = $8 - ((SELECT count(*) FROM gone) - 1), revision = revision + 1, "
    "update_time = now() WHERE id = $2) "
    "SELECT count(*) FROM gone";

constexpr char kIsChapterOf[] =
    "SELECT 1 FROM budget_lines WHERE id = $1 AND budget_id = $2 AND side = $3 AND is_chapter";

constexpr char kHasDetails[] = "SELECT EXISTS (SELECT 1 FROM budget_lines WHERE chapter_line = $1)";

StoredBudget BudgetFromRow(const pqxx::row& row) {
  StoredBudget stored;
  stored.id = row[0].as<int64_t>();
  stored.action_id = row[1].as<int64_t>();
  stored.action_key = row[2].c_str();
  v1::Budget& b = stored.budget;
  b.set_name(BudgetName(stored.action_key, stored.id));
  b.set_year(row[3].as<int>());
  v1::BudgetKind kind;
  if (v1::BudgetKind_Parse(row[4].c_str(), &kind)) b.set_kind(kind);
  b.set_version(row[5].as<int>());
  v1::BudgetState state;
  if (v1::BudgetState_Parse(row[6].c_str(), &state)) b.set_state(state);
  b.set_latest(row[7].as<bool>());
  b.set_title(row[8].c_str());
  b.set_note(row[9].c_str());
  if (!row[10].is_null()) b.mutable_stated_totals()->set_charges_cents(row[10].as<int64_t>());
  if (!row[11].is_null()) b.mutable_stated_totals()->set_income_cents(row[11].as<int64_t>());
  v1::BudgetOrigin origin;
  if (v1::BudgetOrigin_Parse(row[12].c_str(), &origin)) b.mutable_source()->set_origin(origin);
  b.mutable_source()->set_document(row[13].c_str());
  b.mutable_source()->set_table_title(row[14].c_str());
  if (!row[15].is_null()) db::ReadMicros(row[15], b.mutable_source()->mutable_import_time());
  if (!row[16].is_null()) {
    b.mutable_source()->set_revised_from(BudgetName(stored.action_key, row[16].as<int64_t>()));
  }
  b.set_approval_note(row[17].c_str());
  v1::ComputedTotals* totals = b.mutable_computed_totals();
  totals->set_charges_cents(row[18].as<int64_t>());
  totals->set_income_cents(row[19].as<int64_t>());
  totals->set_balance_cents(totals->income_cents() - totals->charges_cents());
  totals->set_contributions_used_cents(row[20].as<int64_t>());
  totals->set_contributions_received_cents(row[21].as<int64_t>());
  totals->set_subsidies_cents(row[22].as<int64_t>());
  totals->set_line_count(row[23].as<int>());
  b.set_etag(row[24].c_str());
  db::ReadMicros(row[25], b.mutable_create_time());
  db::ReadMicros(row[26], b.mutable_update_time());
  if (!row[27].is_null()) db::ReadMicros(row[27], b.mutable_submit_time());
  if (!row[28].is_null()) db::ReadMicros(row[28], b.mutable_approve_time());
  return stored;
}

v1::BudgetLine LineFromRow(const pqxx::row& row, const std::string& action_key) {
  v1::BudgetLine line;
  int64_t budget_id = row[1].as<int64_t>();
  line.set_name(LineName(action_key, budget_id, row[0].as<int64_t>()));
  v1::Side side;
  if (v1::Side_Parse(row[2].c_str(), &side)) line.set_side(side);
  line.set_account_code(row[3].c_str());
  line.set_label(row[4].c_str());
  if (!row[5].is_null()) line.set_amount_cents(row[5].as<int64_t>());
  line.set_is_chapter(row[6].as<bool>());
  if (!row[7].is_null())
    line.set_chapter_line(LineName(action_key, budget_id, row[7].as<int64_t>()));
  line.set_effective_account_code(row[8].c_str());
  if (const v1::Account* account = ChartOfAccounts::Pca2018().Find(row[8].c_str())) {
    line.set_account_label(account->label());
  }
  line.set_funder_id(row[9].c_str());
  line.set_note(row[10].c_str());
  line.set_position(row[11].as<int>());
  line.set_source_row(row[12].as<int>());
  line.set_source_text(row[13].c_str());
  line.set_lineage(row[14].c_str());
  line.set_etag(row[15].c_str());
  db::ReadMicros(row[16], line.mutable_create_time());
  db::ReadMicros(row[17], line.mutable_update_time());
  return line;
}

absl::Status Overflow() {
  return MakeError(absl::StatusCode::kOutOfRange, kDomain, "AMOUNT_OVERFLOW",
                   "a total of the budget would leave the int64 range of cents");
}

}  // namespace

namespace {

absl::Status BudgetNotFound(const BudgetRef& ref) {
  std::string name = BudgetName(ref.action, ref.budget);
  return NotFound(kDomain, "BUDGET_NOT_FOUND", absl::StrCat("budget ", name, " does not exist"),
                  {{"name", name}});
}

absl::Status LineNotFound(const ChildRef& ref) {
  std::string name = LineName(ref.action, ref.budget, ref.line);
  return NotFound(kDomain, "LINE_NOT_FOUND", absl::StrCat("line ", name, " does not exist"),
                  {{"name", name}});
}

}  // namespace

absl::StatusOr<StoredBudget> FindBudget(pqxx::work& txn, const BudgetRef& ref, bool lock) {
  static const auto* const kRead = new db::Statement{
      "budget_find_budget", absl::StrCat("SELECT ", kBudgetColumns, " ", kFindBudget)};
  static const auto* const kLock =
      new db::Statement{"budget_lock_budget", absl::StrCat(kRead->sql, " FOR UPDATE OF b")};
  pqxx::result rows = db::ExecStatement(txn, lock ? *kLock : *kRead, ref.budget, ref.action);
  if (rows.empty()) return BudgetNotFound(ref);
  return BudgetFromRow(rows[0]);
}

absl::StatusOr<StoredBudget> ReadBudget(db::Pool& pool, db::Deadline deadline,
                                        const BudgetRef& ref) {
  static const auto* const kStatement = new db::Statement{
      "budget_read_budget", absl::StrCat("SELECT ", kBudgetColumns, " ", kFindBudget)};
  MAILLAGE_ASSIGN_OR_RETURN(
      pqxx::result rows, pool.Query(deadline, *kStatement, {absl::StrCat(ref.budget), ref.action}));
  if (rows.empty()) return BudgetNotFound(ref);
  return BudgetFromRow(rows[0]);
}

absl::StatusOr<absl::optional<StoredBudget>> InsertBudget(pqxx::work& txn,
                                                          const NewBudget& budget) {
  static const auto* const kStatement = new db::Statement{"budget_insert_budget", kInsertBudget};
  const v1::Budget& f = budget.fields;
  pqxx::result rows = db::ExecStatement(
      txn, *kStatement, budget.action_key, f.year(), v1::BudgetKind_Name(f.kind()), f.title(),
      f.note(),
      db::OptionalNumber(f.stated_totals().has_charges_cents(), f.stated_totals().charges_cents()),
      db::OptionalNumber(f.stated_totals().has_income_cents(), f.stated_totals().income_cents()),
      v1::BudgetOrigin_Name(budget.origin), f.source().document(), f.source().table_title(),
      budget.revised_from);
  const pqxx::row& row = rows.at(0);
  if (!row[kBudgetColumnCount].is_null()) {
    std::string name = BudgetName(budget.action_key, row[kBudgetColumnCount].as<int64_t>());
    return FailedPrecondition(kDomain, "DRAFT_EXISTS",
                              absl::StrCat(v1::BudgetKind_Name(f.kind()), " ", f.year(),
                                           " already has a draft: ", name, "; edit it instead"),
                              {{"draft", name}});
  }
  if (row[0].is_null()) return absl::optional<StoredBudget>();
  return absl::optional<StoredBudget>(BudgetFromRow(row));
}

StoredBudget SaveBudgetFields(pqxx::work& txn, int64_t id, const v1::Budget& b) {
  static const auto* const kStatement =
      new db::Statement{"budget_save_budget_fields", BudgetAfter(kSaveBudgetFields)};
  return BudgetFromRow(db::ExecStatement(txn, *kStatement, id, b.title(), b.note(),
                                         db::OptionalNumber(b.stated_totals().has_charges_cents(),
                                                            b.stated_totals().charges_cents()),
                                         db::OptionalNumber(b.stated_totals().has_income_cents(),
                                                            b.stated_totals().income_cents()))
                           .at(0));
}

StoredBudget SetBudgetState(pqxx::work& txn, int64_t id, v1::BudgetState state,
                            const std::string& approval_note) {
  static const auto* const kStatement =
      new db::Statement{"budget_set_budget_state", BudgetAfter(kSetBudgetState)};
  return BudgetFromRow(
      db::ExecStatement(txn, *kStatement, id, v1::BudgetState_Name(state), approval_note).at(0));
}

void DeleteBudgetRow(pqxx::work& txn, int64_t id) { txn.exec_params(kDeleteBudget, id); }

absl::Status RefreshTotals(pqxx::work& txn, int64_t budget_id) {
  pqxx::row sums = txn.exec_params(kSumLines, budget_id)[0];
  int64_t v[5];
  for (int i = 0; i < 5; ++i) {
    if (!absl::SimpleAtoi(sums[i].c_str(), &v[i])) return Overflow();
  }
  int64_t balance;
  if (__builtin_sub_overflow(v[1], v[0], &balance)) return Overflow();
  txn.exec_params(kSaveTotals, budget_id, v[0], v[1], v[2], v[3], v[4], sums[5].as<int64_t>());
  return absl::OkStatus();
}

absl::optional<int64_t> LatestBudgetId(pqxx::work& txn, int64_t action_id, int year,
                                       v1::BudgetKind kind, v1::BudgetState state) {
  pqxx::result rows = txn.exec_params(
      kLatestBudget, action_id, year, v1::BudgetKind_Name(kind),
      state == v1::BUDGET_STATE_UNSPECIFIED ? std::string() : v1::BudgetState_Name(state));
  if (rows.empty()) return absl::nullopt;
  return rows[0][0].as<int64_t>();
}

std::vector<v1::BudgetLine> SelectLines(pqxx::work& txn, const std::string& action_key,
                                        int64_t budget_id) {
  pqxx::result rows =
      txn.exec_params(absl::StrCat("SELECT ", kLineColumns, " FROM ", kLinesFrom,
                                   "WHERE l.budget_id = $1 ORDER BY l.side, l.position, l.id"),
                      budget_id);
  std::vector<v1::BudgetLine> lines;
  lines.reserve(rows.size());
  for (const pqxx::row& row : rows) lines.push_back(LineFromRow(row, action_key));
  return lines;
}

absl::StatusOr<v1::BudgetLine> FindLine(pqxx::work& txn, const ChildRef& ref, bool lock) {
  static const auto* const kRead = new db::Statement{
      "budget_find_line", absl::StrCat("SELECT ", kLineColumns, " FROM ", kLinesFrom,
                                       "WHERE l.id = $1 AND l.budget_id = $2")};
  static const auto* const kLock =
      new db::Statement{"budget_lock_line", absl::StrCat(kRead->sql, " FOR UPDATE OF l")};
  pqxx::result rows = db::ExecStatement(txn, lock ? *kLock : *kRead, ref.line, ref.budget);
  if (rows.empty()) return LineNotFound(ref);
  return LineFromRow(rows[0], ref.action);
}

absl::StatusOr<v1::BudgetLine> ReadLine(db::Pool& pool, db::Deadline deadline,
                                        const ChildRef& ref) {
  // The budget under its action, and the line of it when there is one (l.id NULL when not),
  // so that the error names what is missing.
  static const auto* const kStatement =
      new db::Statement{"budget_read_line",
                        absl::StrCat("SELECT ", kLineColumns,
                                     " FROM budgets b JOIN actions a ON a.id = b.action_id "
                                     "LEFT JOIN budget_lines l ON l.id = $1 AND l.budget_id = b.id "
                                     "LEFT JOIN budget_lines c ON c.id = l.chapter_line "
                                     "WHERE b.id = $2 AND a.action_key = $3")};
  MAILLAGE_ASSIGN_OR_RETURN(pqxx::result rows, pool.Query(deadline, *kStatement,
                                                          {absl::StrCat(ref.line),
                                                           absl::StrCat(ref.budget), ref.action}));
  if (rows.empty()) return BudgetNotFound({ref.action, ref.budget});
  if (rows[0][0].is_null()) return LineNotFound(ref);
  return LineFromRow(rows[0], ref.action);
}

int64_t InsertLine(pqxx::work& txn, int64_t budget_id, const v1::BudgetLine& line,
                   int64_t chapter_line_id, const std::string& lineage) {
  static const auto* const kStatement =
      new db::Statement{"budget_insert_line", absl::StrCat(kInsertLine, " RETURNING id")};
  pqxx::result id = db::ExecStatement(
      txn, *kStatement, budget_id, v1::Side_Name(line.side()), line.account_code(), line.label(),
      db::OptionalNumber(line.has_amount_cents(), line.amount_cents()), line.is_chapter(),
      chapter_line_id, line.funder_id(), line.note(), line.position(), line.source_row(),
      line.source_text(), lineage);
  return id[0][0].as<int64_t>();
}

v1::BudgetLine InsertLineWithTotals(pqxx::work& txn, const std::string& action_key,
                                    int64_t budget_id, const v1::BudgetLine& line,
                                    int64_t chapter_line_id, const v1::ComputedTotals& totals) {
  static const auto* const kStatement =
      new db::Statement{"budget_insert_line_with_totals", LineWriteWithTotals(kInsertLine, 14)};
  pqxx::result rows = db::ExecStatement(
      txn, *kStatement, budget_id, v1::Side_Name(line.side()), line.account_code(), line.label(),
      db::OptionalNumber(line.has_amount_cents(), line.amount_cents()), line.is_chapter(),
      chapter_line_id, line.funder_id(), line.note(), line.position(), line.source_row(),
      line.source_text(), "", budget_id, totals.charges_cents(), totals.income_cents(),
      totals.contributions_used_cents(), totals.contributions_received_cents(),
      totals.subsidies_cents(), totals.line_count());
  return LineFromRow(rows.at(0), action_key);
}

v1::BudgetLine SaveLineWithTotals(pqxx::work& txn, const std::string& action_key, int64_t budget_id,
                                  int64_t line_id, const v1::BudgetLine& line,
                                  int64_t chapter_line_id, const v1::ComputedTotals& totals) {
  static const auto* const kStatement =
      new db::Statement{"budget_save_line_with_totals", LineWriteWithTotals(kSaveLine, 9)};
  pqxx::result rows = db::ExecStatement(
      txn, *kStatement, line_id, line.account_code(), line.label(),
      db::OptionalNumber(line.has_amount_cents(), line.amount_cents()), chapter_line_id,
      line.funder_id(), line.note(), line.position(), budget_id, totals.charges_cents(),
      totals.income_cents(), totals.contributions_used_cents(),
      totals.contributions_received_cents(), totals.subsidies_cents(), totals.line_count());
  return LineFromRow(rows.at(0), action_key);
}

int DeleteLineWithTotals(pqxx::work& txn, int64_t budget_id, int64_t line_id,
                         const v1::ComputedTotals& totals) {
  static const auto* const kStatement = new db::Statement{"budget_delete_line", kDeleteLine};
  return db::ExecStatement(txn, *kStatement, line_id, budget_id, totals.charges_cents(),
                           totals.income_cents(), totals.contributions_used_cents(),
                           totals.contributions_received_cents(), totals.subsidies_cents(),
                           totals.line_count())
      .at(0)[0]
      .as<int>();
}

bool IsChapterOf(pqxx::work& txn, int64_t budget_id, int64_t chapter_line_id, v1::Side side) {
  return !txn.exec_params(kIsChapterOf, chapter_line_id, budget_id, v1::Side_Name(side)).empty();
}

bool HasDetails(pqxx::work& txn, int64_t line_id) {
  return txn.exec_params(kHasDetails, line_id)[0][0].as<bool>();
}

absl::StatusOr<v1::ListBudgetsResponse> SelectBudgets(pqxx::work& txn,
                                                      const v1::ListBudgetsRequest& request,
                                                      const std::string& action_key) {
  using api::FilterField;
  static const auto* const kFilter = new api::FilterSchema{
      {"year", {"b.year", FilterField::Type::kInt}},
      {"kind", {"b.kind", FilterField::Type::kEnum, "BUDGET_KIND_", {"FORECAST", "ACTUAL"}}},
      {"state",
       {"b.state", FilterField::Type::kEnum, "BUDGET_STATE_", {"DRAFT", "SUBMITTED", "APPROVED"}}},
      {"version", {"b.version", FilterField::Type::kInt}},
      {"latest",
       {"(b.version = (SELECT max(m.version) FROM budgets m WHERE m.action_id = b.action_id "
        "AND m.year = b.year AND m.kind = b.kind))",
        FilterField::Type::kBool}},
  };
  static const auto* const kSort = new api::SortSchema{
      {"year",
       {"(b.year::bigint * 1000000 + (CASE WHEN b.kind = 'BUDGET_KIND_ACTUAL' THEN 100000 "
        "ELSE 0 END) + b.version)",
        "bigint"}},
      {"create_time", {"b.create_time", "timestamptz"}},
      {"update_time", {"b.update_time", "timestamptz"}},
  };
  api::SqlListSpec spec;
  spec.columns = kBudgetColumns;
  spec.from_where =
      "budgets b JOIN actions a ON a.id = b.action_id WHERE ($1 = '-' OR a.action_key = $1)";
  spec.scope_params = {action_key};
  spec.filter_schema = kFilter;
  spec.sort_schema = kSort;
  spec.default_order = "year";
  spec.id_sql = "b.id";
  spec.filter = request.filter();
  spec.order_by = request.order_by();
  spec.page_size = request.page_size();
  spec.page_token = request.page_token();
  MAILLAGE_ASSIGN_OR_RETURN(api::SqlListPage page, api::RunSqlList(txn, spec, kDomain));
  v1::ListBudgetsResponse response;
  for (int i = 0; i < page.count; ++i) *response.add_budgets() = BudgetFromRow(page.rows[i]).budget;
  response.set_next_page_token(page.next_page_token);
  return response;
}

absl::StatusOr<v1::ListBudgetLinesResponse> SelectLinePage(
    pqxx::work& txn, const v1::ListBudgetLinesRequest& request, const BudgetRef& parent) {
  using api::FilterField;
  static const auto* const kFilter = new api::FilterSchema{
      {"side", {"l.side", FilterField::Type::kEnum, "SIDE_", {"CHARGE", "INCOME"}}},
      {"account_code", {"l.account_code", FilterField::Type::kString}},
      {"effective_account_code",
       {"COALESCE(NULLIF(l.account_code, ''), c.account_code, '')", FilterField::Type::kString}},
      {"is_chapter", {"l.is_chapter", FilterField::Type::kBool}},
      {"chapter_line",
       {"COALESCE('actions/' || $1 || '/budgets/' || l.budget_id || '/lines/' || l.chapter_line,"
        " '')",
        FilterField::Type::kString}},
      {"funder_id", {"l.funder_id", FilterField::Type::kString}},
  };
  static const auto* const kSort = new api::SortSchema{
      {"position",
       {"((CASE WHEN l.side = 'SIDE_CHARGE' THEN 0 ELSE 1 END)::bigint * 4294967296 + "
        "l.position)",
        "bigint"}},
      {"account_code", {"l.account_code", "text"}},
      {"amount_cents", {"COALESCE(l.amount_cents, 0)", "bigint"}},
  };
  api::SqlListSpec spec;
  spec.columns = kLineColumns;
  spec.from_where = absl::StrCat(kLinesFrom, "WHERE $1::text <> '' AND l.budget_id = $2::bigint");
  spec.scope_params = {parent.action, std::to_string(parent.budget)};
  spec.filter_schema = kFilter;
  spec.sort_schema = kSort;
  spec.default_order = "position";
  spec.id_sql = "l.id";
  spec.filter = request.filter();
  spec.order_by = request.order_by();
  spec.page_size = request.page_size();
  spec.page_token = request.page_token();
  MAILLAGE_ASSIGN_OR_RETURN(api::SqlListPage page, api::RunSqlList(txn, spec, kDomain));
  v1::ListBudgetLinesResponse response;
  for (int i = 0; i < page.count; ++i) {
    *response.add_budget_lines() = LineFromRow(page.rows[i], parent.action);
  }
  response.set_next_page_token(page.next_page_token);
  return response;
}

}  // namespace maillage::budget
