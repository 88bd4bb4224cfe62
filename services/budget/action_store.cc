// SQL of the actions table.
#include "services/budget/action_store.h"

#include "absl/strings/str_cat.h"
#include "common/api/list_runner.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/budget/budget_names.h"

namespace maillage::budget {
namespace {

constexpr char kActionColumns[] =
    "a.id, a.action_key, a.code, a.title, a.start_year, a.end_year, a.state, a.lead_actor, "
    "encode(a.details, 'base64'), a.revision, " MAILLAGE_SQL_MICROS(
        "a.create_time") ", " MAILLAGE_SQL_MICROS("a.update_time");

constexpr char kSelectActionByKey[] = "FROM actions a WHERE a.action_key = $1";

constexpr char kFindConflict[] =
    "SELECT action_key FROM actions WHERE (code = $1 OR action_key = $2) AND id <> $3 LIMIT 1";

constexpr char kInsertAction[] =
    "INSERT INTO actions (action_key, code, title, start_year, end_year, state, lead_actor, "
    "funder_ids, funder_kinds, details) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE(string_to_array(NULLIF($8, ''), ','), '{}'), "
    "COALESCE(string_to_array(NULLIF($9, ''), ','), '{}'), decode($10, 'base64')) RETURNING id";

constexpr char kUpdateAction[] =
    "UPDATE actions SET code = $2, title = $3, start_year = $4, end_year = $5, state = $6, "
    "lead_actor = $7, funder_ids = COALESCE(string_to_array(NULLIF($8, ''), ','), '{}'), "
    "funder_kinds = COALESCE(string_to_array(NULLIF($9, ''), ','), '{}'), "
    "details = decode($10, 'base64'), revision = revision + 1, update_time = now() "
    "WHERE id = $1";

constexpr char kActionHasChildren[] =
    "SELECT EXISTS (SELECT 1 FROM budgets WHERE action_id = $1) OR "
    "EXISTS (SELECT 1 FROM grants WHERE action_id = $1)";

constexpr char kDeleteAction[] = "DELETE FROM actions WHERE id = $1";

StoredAction ActionFromRow(const pqxx::row& row) {
  StoredAction stored;
  stored.id = row[0].as<int64_t>();
  v1::Action& action = stored.action;
  db::FromBase64(row[8], &action);
  action.set_name(ActionName(row[1].c_str()));
  action.set_code(row[2].c_str());
  action.set_title(row[3].c_str());
  action.set_start_year(row[4].as<int>());
  action.set_end_year(row[5].as<int>());
  v1::ActionState state;
  if (v1::ActionState_Parse(row[6].c_str(), &state)) action.set_state(state);
  action.set_lead_actor(row[7].c_str());
  action.set_etag(row[9].c_str());
  db::ReadMicros(row[10], action.mutable_create_time());
  db::ReadMicros(row[11], action.mutable_update_time());
  return stored;
}

// The repeated parts kept in `details`.
v1::Action Details(const v1::Action& action) {
  v1::Action details;
  details.set_description(action.description());
  *details.mutable_objectives() = action.objectives();
  *details.mutable_years() = action.years();
  *details.mutable_funders() = action.funders();
  *details.mutable_in_kind_resources() = action.in_kind_resources();
  return details;
}

std::string FunderIds(const v1::Action& action) {
  std::string out;
  for (const auto& f : action.funders())
    absl::StrAppend(&out, out.empty() ? "" : ",", f.funder_id());
  return out;
}

std::string FunderKinds(const v1::Action& action) {
  std::string out;
  for (const auto& f : action.funders()) {
    absl::StrAppend(&out, out.empty() ? "" : ",", v1::FunderKind_Name(f.kind()));
  }
  return out;
}

absl::Status CheckConflict(pqxx::work& txn, const std::string& code, const std::string& key,
                           int64_t id) {
  pqxx::result conflict = txn.exec_params(kFindConflict, code, key, id);
  if (conflict.empty()) return absl::OkStatus();
  std::string existing = ActionName(conflict[0][0].c_str());
  return AlreadyExists(
      kDomain, "ACTION_CODE_EXISTS",
      absl::StrCat("an action with code \"", code, "\" or id \"", key, "\" exists: ", existing),
      {{"action", existing}});
}

}  // namespace

absl::StatusOr<StoredAction> InsertAction(pqxx::work& txn, const std::string& key,
                                          const v1::Action& action) {
  MAILLAGE_RETURN_IF_ERROR(CheckConflict(txn, action.code(), key, 0));
  txn.exec_params(kInsertAction, key, action.code(), action.title(), action.start_year(),
                  action.end_year(), v1::ActionState_Name(action.state()), action.lead_actor(),
                  FunderIds(action), FunderKinds(action), db::ToBase64(Details(action)));
  return FindAction(txn, key, false);
}

namespace {

absl::StatusOr<StoredAction> ActionOrNotFound(const pqxx::result& rows, const std::string& key) {
  if (rows.empty()) {
    return NotFound(kDomain, "ACTION_NOT_FOUND",
                    absl::StrCat("action ", ActionName(key), " does not exist"),
                    {{"name", ActionName(key)}});
  }
  return ActionFromRow(rows[0]);
}

}  // namespace

absl::StatusOr<StoredAction> FindAction(pqxx::work& txn, const std::string& key, bool lock) {
  return ActionOrNotFound(
      txn.exec_params(absl::StrCat("SELECT ", kActionColumns, " ", kSelectActionByKey,
                                   lock ? " FOR UPDATE" : ""),
                      key),
      key);
}

absl::StatusOr<StoredAction> ReadAction(db::Pool& pool, db::Deadline deadline,
                                        const std::string& key) {
  static const auto* const kStatement = new db::Statement{
      "budget_read_action", absl::StrCat("SELECT ", kActionColumns, " ", kSelectActionByKey)};
  MAILLAGE_ASSIGN_OR_RETURN(pqxx::result rows, pool.Query(deadline, *kStatement, {key}));
  return ActionOrNotFound(rows, key);
}

absl::StatusOr<StoredAction> SaveAction(pqxx::work& txn, int64_t id, const v1::Action& action) {
  std::string key = action.name().substr(std::string("actions/").size());
  MAILLAGE_RETURN_IF_ERROR(CheckConflict(txn, action.code(), key, id));
  txn.exec_params(kUpdateAction, id, action.code(), action.title(), action.start_year(),
                  action.end_year(), v1::ActionState_Name(action.state()), action.lead_actor(),
                  FunderIds(action), FunderKinds(action), db::ToBase64(Details(action)));
  return FindAction(txn, key, false);
}

bool ActionHasChildren(pqxx::work& txn, int64_t id) {
  return txn.exec_params(kActionHasChildren, id)[0][0].as<bool>();
}

void DeleteActionRow(pqxx::work& txn, int64_t id) { txn.exec_params(kDeleteAction, id); }

absl::StatusOr<v1::ListActionsResponse> SelectActions(pqxx::work& txn,
                                                      const v1::ListActionsRequest& request) {
  using api::FilterField;
  static const auto* const kFilter = new api::FilterSchema{
      {"code", {"a.code", FilterField::Type::kString}},
      {"state", {"a.state", FilterField::Type::kEnum, "ACTION_STATE_", {"ACTIVE", "ARCHIVED"}}},
      {"start_year", {"a.start_year", FilterField::Type::kInt}},
      {"end_year", {"a.end_year", FilterField::Type::kInt}},
      {"lead_actor", {"a.lead_actor", FilterField::Type::kString}},
      {"funders.funder_id", {"a.funder_ids", FilterField::Type::kStringList}},
      // Kinds are stored by full name; clients may write them without the prefix.
      {"funders.kind",
       {"(a.funder_kinds || ARRAY(SELECT substr(k, 13) FROM unnest(a.funder_kinds) k))",
        FilterField::Type::kStringList}},
      {"update_time", {"a.update_time", FilterField::Type::kTimestamp}},
  };
  static const auto* const kSort = new api::SortSchema{
      {"code", {"a.code", "text"}},
      {"start_year", {"a.start_year", "bigint"}},
      {"create_time", {"a.create_time", "timestamptz"}},
      {"update_time", {"a.update_time", "timestamptz"}},
  };
  // "year = 2024" selects the actions whose period contains it: rewritten before compiling.
  api::SqlListSpec spec;
  spec.columns = kActionColumns;
  spec.from_where = "actions a WHERE TRUE";
  spec.filter_schema = kFilter;
  spec.sort_schema = kSort;
  spec.default_order = "code";
  spec.id_sql = "a.id";
  spec.filter = request.filter();
  spec.order_by = request.order_by();
  spec.page_size = request.page_size();
  spec.page_token = request.page_token();
  static const auto* const kFilterWithYear = [] {
    auto* schema = new api::FilterSchema(*kFilter);
    (*schema)["year"] = {"ARRAY(SELECT y::text FROM generate_series(a.start_year, a.end_year) y)",
                         FilterField::Type::kStringList};
    return schema;
  }();
  spec.filter_schema = kFilterWithYear;
  MAILLAGE_ASSIGN_OR_RETURN(api::SqlListPage page, api::RunSqlList(txn, spec, kDomain));
  v1::ListActionsResponse response;
  for (int i = 0; i < page.count; ++i) *response.add_actions() = ActionFromRow(page.rows[i]).action;
  response.set_next_page_token(page.next_page_token);
  return response;
}

}  // namespace maillage::budget
