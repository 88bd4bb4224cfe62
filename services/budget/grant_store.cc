// SQL of the grants table.
#include "services/budget/grant_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/api/list_runner.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/budget/budget_store.h"

namespace maillage::budget {
namespace {

constexpr char kGrantColumns[] =
    "g.id, a.action_key, g.funder_id, g.year, g.reference, g.budget, g.state, "
    "g.requested_amount_cents, to_char(g.request_date, 'YYYY-MM-DD'), g.notified_amount_cents, "
    "to_char(g.notify_date, 'YYYY-MM-DD'), encode(g.instalments, 'base64'), g.paid_amount_cents, "
    "to_char(g.justification_due_date, 'YYYY-MM-DD'), to_char(g.justify_date, 'YYYY-MM-DD'), "
    "g.note, g.revision, " MAILLAGE_SQL_MICROS("g.create_time") ", " MAILLAGE_SQL_MICROS(
        "g.update_time");

constexpr char kGrantsFrom[] = "grants g JOIN actions a ON a.id = g.action_id ";

// `write` (an INSERT or UPDATE of one grant, RETURNING *) and the grant it leaves, in one
// statement.
std::string GrantAfter(absl::string_view write) {
  return absl::StrCat("WITH g AS (", write, ") SELECT ", kGrantColumns,
                      " FROM g JOIN actions a ON a.id = g.action_id");
}

constexpr char kInsertGrant[] =
    "INSERT INTO grants (action_id, funder_id, year, reference, budget, state, "
    "requested_amount_cents, request_date, notified_amount_cents, notify_date, instalments, "
    "paid_amount_cents, justification_due_date, justify_date, note) VALUES ($1, $2, $3, $4, $5, "
    "$6, $7, NULLIF($8, '')::date, NULLIF($9, '')::bigint, NULLIF($10, '')::date, "
    "decode($11, 'base64'), $12, NULLIF($13, '')::date, NULLIF($14, '')::date, $15) RETURNING *";

constexpr char kSaveGrant[] =
    "UPDATE grants SET funder_id = $2, year = $3, reference = $4, budget = $5, state = $6, "
    "requested_amount_cents = $7, request_date = NULLIF($8, '')::date, "
    "notified_amount_cents = NULLIF($9, '')::bigint, notify_date = NULLIF($10, '')::date, "
    "instalments = decode($11, 'base64'), paid_amount_cents = $12, "
    "justification_due_date = NULLIF($13, '')::date, justify_date = NULLIF($14, '')::date, "
    "note = $15, revision = revision + 1, update_time = now() WHERE id = $1 RETURNING *";

std::string DateText(const google::type::Date& date) {
  if (date.year() == 0) return "";
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

void SetDate(google::type::Date* out, const pqxx::field& field) {
  if (field.is_null()) return;
  int y = 0, m = 0, d = 0;
  if (sscanf(field.c_str(), "%d-%d-%d", &y, &m, &d) == 3) {
    out->set_year(y);
    out->set_month(m);
    out->set_day(d);
  }
}

v1::Grant GrantFromRow(const pqxx::row& row) {
  v1::Grant grant;
  db::FromBase64(row[11], &grant);  // the instalments
  grant.set_name(GrantName(row[1].c_str(), row[0].as<int64_t>()));
  grant.set_funder_id(row[2].c_str());
  grant.set_year(row[3].as<int>());
  grant.set_reference(row[4].c_str());
  grant.set_budget(row[5].c_str());
  v1::GrantState state;
  if (v1::GrantState_Parse(row[6].c_str(), &state)) grant.set_state(state);
  grant.set_requested_amount_cents(row[7].as<int64_t>());
  SetDate(grant.mutable_request_date(), row[8]);
  if (!row[9].is_null()) grant.set_notified_amount_cents(row[9].as<int64_t>());
  SetDate(grant.mutable_notify_date(), row[10]);
  grant.set_paid_amount_cents(row[12].as<int64_t>());
  SetDate(grant.mutable_justification_due_date(), row[13]);
  SetDate(grant.mutable_justify_date(), row[14]);
  grant.set_note(row[15].c_str());
  grant.set_etag(row[16].c_str());
  db::ReadMicros(row[17], grant.mutable_create_time());
  db::ReadMicros(row[18], grant.mutable_update_time());
  auto clear_empty = [](google::type::Date* d) { return d->year() == 0; };
  if (clear_empty(grant.mutable_request_date())) grant.clear_request_date();
  if (clear_empty(grant.mutable_notify_date())) grant.clear_notify_date();
  if (clear_empty(grant.mutable_justification_due_date())) grant.clear_justification_due_date();
  if (clear_empty(grant.mutable_justify_date())) grant.clear_justify_date();
  return grant;
}

std::string Instalments(const v1::Grant& grant) {
  v1::Grant only;
  *only.mutable_instalments() = grant.instalments();
  return db::ToBase64(only);
}

}  // namespace

std::vector<v1::Grant> SelectGrantsOfYear(pqxx::work& txn, const std::string& action_key,
                                          int64_t action_id, int year) {
  pqxx::result rows =
      txn.exec_params(absl::StrCat("SELECT ", kGrantColumns, " FROM ", kGrantsFrom,
                                   "WHERE g.action_id = $1 AND g.year = $2 ORDER BY g.id"),
                      action_id, year);
  std::vector<v1::Grant> grants;
  for (const pqxx::row& row : rows) grants.push_back(GrantFromRow(row));
  return grants;
}

namespace {

absl::StatusOr<v1::Grant> GrantOrNotFound(const pqxx::result& rows, const GrantRef& ref) {
  if (rows.empty()) {
    std::string name = GrantName(ref.action, ref.grant);
    return NotFound(kDomain, "GRANT_NOT_FOUND", absl::StrCat("grant ", name, " does not exist"),
                    {{"name", name}});
  }
  return GrantFromRow(rows[0]);
}

}  // namespace

absl::StatusOr<v1::Grant> FindGrant(pqxx::work& txn, const GrantRef& ref, bool lock) {
  static const auto* const kRead = new db::Statement{
      "budget_find_grant", absl::StrCat("SELECT ", kGrantColumns, " FROM ", kGrantsFrom,
                                        "WHERE g.id = $1 AND a.action_key = $2")};
  static const auto* const kLock =
      new db::Statement{"budget_lock_grant", absl::StrCat(kRead->sql, " FOR UPDATE OF g")};
  return GrantOrNotFound(db::ExecStatement(txn, lock ? *kLock : *kRead, ref.grant, ref.action),
                         ref);
}

absl::StatusOr<v1::Grant> ReadGrant(db::Pool& pool, db::Deadline deadline, const GrantRef& ref) {
  static const auto* const kStatement = new db::Statement{
      "budget_read_grant", absl::StrCat("SELECT ", kGrantColumns, " FROM ", kGrantsFrom,
                                        "WHERE g.id = $1 AND a.action_key = $2")};
  MAILLAGE_ASSIGN_OR_RETURN(
      pqxx::result rows, pool.Query(deadline, *kStatement, {absl::StrCat(ref.grant), ref.action}));
  return GrantOrNotFound(rows, ref);
}

absl::StatusOr<v1::Grant> InsertGrant(pqxx::work& txn, int64_t action_id,
                                      const std::string& action_key, const v1::Grant& g) {
  static const auto* const kStatement =
      new db::Statement{"budget_insert_grant", GrantAfter(kInsertGrant)};
  pqxx::result rows = db::ExecStatement(
      txn, *kStatement, action_id, g.funder_id(), g.year(), g.reference(), g.budget(),
      v1::GrantState_Name(g.state()), g.requested_amount_cents(), DateText(g.request_date()),
      db::OptionalNumber(g.has_notified_amount_cents(), g.notified_amount_cents()),
      DateText(g.notify_date()), Instalments(g), g.paid_amount_cents(),
      DateText(g.justification_due_date()), DateText(g.justify_date()), g.note());
  return GrantOrNotFound(rows, {action_key, 0});
}

absl::StatusOr<v1::Grant> SaveGrant(pqxx::work& txn, const GrantRef& ref, const v1::Grant& g) {
  static const auto* const kStatement =
      new db::Statement{"budget_save_grant", GrantAfter(kSaveGrant)};
  pqxx::result rows = db::ExecStatement(
      txn, *kStatement, ref.grant, g.funder_id(), g.year(), g.reference(), g.budget(),
      v1::GrantState_Name(g.state()), g.requested_amount_cents(), DateText(g.request_date()),
      db::OptionalNumber(g.has_notified_amount_cents(), g.notified_amount_cents()),
      DateText(g.notify_date()), Instalments(g), g.paid_amount_cents(),
      DateText(g.justification_due_date()), DateText(g.justify_date()), g.note());
  return GrantOrNotFound(rows, ref);
}

void DeleteGrantRow(pqxx::work& txn, int64_t id) {
  txn.exec_params("DELETE FROM grants WHERE id = $1", id);
}

absl::StatusOr<v1::ListGrantsResponse> SelectGrants(pqxx::work& txn,
                                                    const v1::ListGrantsRequest& request,
                                                    const std::string& action_key) {
  using api::FilterField;
  static const auto* const kFilter = new api::FilterSchema{
      {"year", {"g.year", FilterField::Type::kInt}},
      {"funder_id", {"g.funder_id", FilterField::Type::kString}},
      {"state",
       {"g.state",
        FilterField::Type::kEnum,
        "GRANT_STATE_",
        {"REQUESTED", "NOTIFIED", "PAID", "JUSTIFIED"}}},
  };
  static const auto* const kSort = new api::SortSchema{
      {"year", {"g.year", "bigint"}},
      {"create_time", {"g.create_time", "timestamptz"}},
      {"update_time", {"g.update_time", "timestamptz"}},
  };
  api::SqlListSpec spec;
  spec.columns = kGrantColumns;
  spec.from_where = absl::StrCat(kGrantsFrom, "WHERE ($1 = '-' OR a.action_key = $1)");
  spec.scope_params = {action_key};
  spec.filter_schema = kFilter;
  spec.sort_schema = kSort;
  spec.default_order = "year";
  spec.id_sql = "g.id";
  spec.filter = request.filter();
  spec.order_by = request.order_by();
  spec.page_size = request.page_size();
  spec.page_token = request.page_token();
  MAILLAGE_ASSIGN_OR_RETURN(api::SqlListPage page, api::RunSqlList(txn, spec, kDomain));
  v1::ListGrantsResponse response;
  for (int i = 0; i < page.count; ++i) *response.add_grants() = GrantFromRow(page.rows[i]);
  response.set_next_page_token(page.next_page_token);
  return response;
}

}  // namespace maillage::budget
