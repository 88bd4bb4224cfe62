// BudgetBook: budgets, their states, validation and import.
#include "services/budget/budget_book.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/api/change_outbox.h"
#include "common/api/etag.h"
#include "common/api/update_mask.h"
#include "common/db/idempotency.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/budget/action_registry.h"
#include "services/budget/budget_access.h"
#include "services/budget/budget_names.h"
#include "services/budget/budget_totals.h"
#include "services/budget/grant_store.h"
#include "services/budget/money.h"
#include "services/budget/table_importer.h"
#include "services/budget/table_report.h"

namespace maillage::budget {
namespace {

void CheckBudgetFields(const v1::Budget& b, const std::string& at, FieldViolations& v) {
  if (b.title().size() > 500) v.Add(at + "title", "at most 500 characters");
  if (b.note().size() > 10000) v.Add(at + "note", "at most 10000 bytes");
  const v1::StatedTotals& s = b.stated_totals();
  if (s.has_charges_cents() &&
      (s.charges_cents() < -kMaxAmountCents || s.charges_cents() > kMaxAmountCents)) {
    v.Add(at + "stated_totals.charges_cents", "between -10^15 and 10^15 cents");
  }
  if (s.has_income_cents() &&
      (s.income_cents() < -kMaxAmountCents || s.income_cents() > kMaxAmountCents)) {
    v.Add(at + "stated_totals.income_cents", "between -10^15 and 10^15 cents");
  }
}

void CheckYearAndKind(int year, v1::BudgetKind kind, const std::string& at, FieldViolations& v) {
  if (year < 2000 || year > 2100) v.Add(at + "year", "required, between 2000 and 2100");
  if (kind != v1::BUDGET_KIND_FORECAST && kind != v1::BUDGET_KIND_ACTUAL) {
    v.Add(at + "kind", "required: FORECAST or ACTUAL");
  }
}

absl::Status InvalidTransition(const StoredBudget& stored, absl::string_view wanted) {
  return FailedPrecondition(
      kDomain, "INVALID_STATE_TRANSITION",
      absl::StrCat(stored.budget.name(), " is ", v1::BudgetState_Name(stored.budget.state()),
                   ": cannot ", wanted),
      {{"name", stored.budget.name()}, {"state", v1::BudgetState_Name(stored.budget.state())}});
}

}  // namespace

absl::StatusOr<StoredBudget> LockDraft(pqxx::work& txn, const BudgetRef& ref,
                                       const std::string& etag) {
  MAILLAGE_ASSIGN_OR_RETURN(StoredBudget stored, FindBudget(txn, ref, true));
  MAILLAGE_RETURN_IF_ERROR(
      api::CheckEtag(etag, stored.budget.etag(), stored.budget.name(), kDomain));
  if (stored.budget.state() != v1::BUDGET_STATE_DRAFT) {
    return FailedPrecondition(
        kDomain, "BUDGET_NOT_EDITABLE",
        absl::StrCat(stored.budget.name(), " is ", v1::BudgetState_Name(stored.budget.state()),
                     ": only a draft can change; use ReviseBudget for a new version"),
        {{"name", stored.budget.name()}});
  }
  return stored;
}

absl::StatusOr<StoredAction> ActiveAction(pqxx::work& txn, const std::string& key) {
  MAILLAGE_ASSIGN_OR_RETURN(StoredAction action, FindAction(txn, key, false));
  if (action.action.state() == v1::ACTION_STATE_ARCHIVED) {
    return FailedPrecondition(
        kDomain, "ACTION_ARCHIVED",
        absl::StrCat(action.action.name(), " is archived: set it ACTIVE to add to it"),
        {{"name", action.action.name()}});
  }
  return action;
}

namespace {

// InsertBudget, with the action's refusal (NOT_FOUND, ACTION_ARCHIVED) worded by ActiveAction.
absl::StatusOr<StoredBudget> InsertDraft(pqxx::work& txn, const NewBudget& budget) {
  MAILLAGE_ASSIGN_OR_RETURN(absl::optional<StoredBudget> inserted, InsertBudget(txn, budget));
  if (inserted.has_value()) return std::move(*inserted);
  MAILLAGE_RETURN_IF_ERROR(ActiveAction(txn, budget.action_key).status());
  return Aborted(kDomain, "CONCURRENT_CHANGE",
                 absl::StrCat("actions/", budget.action_key, " changed during the write: retry"));
}

}  // namespace

int64_t ComparedBudgetId(pqxx::work& txn, int64_t action_id, int year, v1::BudgetKind kind) {
  absl::optional<int64_t> id =
      LatestBudgetId(txn, action_id, year, kind, v1::BUDGET_STATE_APPROVED);
  if (!id) id = LatestBudgetId(txn, action_id, year, kind, v1::BUDGET_STATE_UNSPECIFIED);
  return id.value_or(0);
}

absl::StatusOr<std::vector<v1::Finding>> ValidateStored(pqxx::work& txn,
                                                        const BudgetValidator& validator,
                                                        const StoredBudget& budget) {
  MAILLAGE_ASSIGN_OR_RETURN(StoredAction action, FindAction(txn, budget.action_key, false));
  std::vector<v1::BudgetLine> lines = SelectLines(txn, budget.action_key, budget.id);
  ValidationInput input{&action.action, &budget.budget, &lines, {}, nullptr};
  std::vector<v1::BudgetLine> forecast;
  if (budget.budget.kind() == v1::BUDGET_KIND_ACTUAL) {
    input.grants =
        SelectGrantsOfYear(txn, budget.action_key, budget.action_id, budget.budget.year());
    int64_t forecast_id =
        ComparedBudgetId(txn, budget.action_id, budget.budget.year(), v1::BUDGET_KIND_FORECAST);
    if (forecast_id != 0) {
      forecast = SelectLines(txn, budget.action_key, forecast_id);
      input.compared_forecast = &forecast;
    }
  }
  return validator.Validate(input);
}

absl::StatusOr<v1::Budget> BudgetBook::GetBudget(const v1::GetBudgetRequest& request,
                                                 db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(BudgetRef ref, ParseBudgetName(request.name(), "name"));
  MAILLAGE_ASSIGN_OR_RETURN(StoredBudget stored, ReadBudget(pool_, deadline, ref));
  return std::move(stored.budget);
}

absl::StatusOr<v1::ListBudgetsResponse> BudgetBook::ListBudgets(
    const v1::ListBudgetsRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(std::string key, ParseActionName(request.parent(), "parent", true));
  return pool_.ReadOnly<v1::ListBudgetsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListBudgetsResponse> {
        if (key != "-") MAILLAGE_RETURN_IF_ERROR(FindAction(txn, key, false).status());
        return SelectBudgets(txn, request, key);
      });
}

absl::StatusOr<v1::Budget> BudgetBook::CreateBudget(const v1::CreateBudgetRequest& request,
                                                    db::Deadline deadline) {
  FieldViolations v;
  absl::StatusOr<std::string> key = ParseActionName(request.parent(), "parent");
  if (!key.ok()) v.Add("parent", "expected a name like \"actions/fa3\"");
  CheckYearAndKind(request.budget().year(), request.budget().kind(), "budget.", v);
  CheckBudgetFields(request.budget(), "budget.", v);
  if (request.budget().source().document().size() > 1000) {
    v.Add("budget.source.document", "at most 1000 characters");
  }
  MAILLAGE_RETURN_IF_ERROR(v.ToStatus(kDomain));
  return pool_.Transact<v1::Budget>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::Budget>(txn, request.request_id(), "CreateBudget", request,
                                         kDomain, [&]() -> absl::StatusOr<v1::Budget> {
                                           // One statement finds the action, checks it is ACTIVE
                                           // and has no such draft, inserts.
                                           NewBudget budget;
                                           budget.action_key = *key;
                                           budget.fields = request.budget();
                                           MAILLAGE_ASSIGN_OR_RETURN(StoredBudget stored,
                                                                     InsertDraft(txn, budget));
                                           return stored.budget;
                                         });
  });
}

absl::StatusOr<v1::Budget> BudgetBook::UpdateBudget(const v1::UpdateBudgetRequest& request,
                                                    db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(BudgetRef ref, ParseBudgetName(request.budget().name(), "budget.name"));
  MAILLAGE_ASSIGN_OR_RETURN(
      google::protobuf::FieldMask mask,
      api::EffectiveUpdateMask(request.update_mask(), request.budget(), kDomain));
  FieldViolations v;
  CheckBudgetFields(request.budget(), "budget.", v);
  MAILLAGE_RETURN_IF_ERROR(v.ToStatus(kDomain));
  return pool_.Transact<v1::Budget>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::Budget> {
    MAILLAGE_ASSIGN_OR_RETURN(StoredBudget stored, LockDraft(txn, ref, request.budget().etag()));
    v1::Budget updated = stored.budget;
    api::MergeUpdate(request.budget(), mask, &updated);
    return SaveBudgetFields(txn, stored.id, updated).budget;
  });
}

absl::StatusOr<google::protobuf::Empty> BudgetBook::DeleteBudget(
    const v1::DeleteBudgetRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(BudgetRef ref, ParseBudgetName(request.name(), "name"));
  return pool_.Transact<google::protobuf::Empty>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<google::protobuf::Empty> {
        MAILLAGE_ASSIGN_OR_RETURN(StoredBudget stored, LockDraft(txn, ref, request.etag()));
        DeleteBudgetRow(txn, stored.id);
        return google::protobuf::Empty();
      });
}

absl::StatusOr<v1::Budget> BudgetBook::SubmitBudget(const v1::SubmitBudgetRequest& request,
                                                    db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(BudgetRef ref, ParseBudgetName(request.name(), "name"));
  return pool_.Transact<v1::Budget>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::Budget>(
        txn, request.request_id(), "SubmitBudget", request, kDomain,
        [&]() -> absl::StatusOr<v1::Budget> {
          MAILLAGE_ASSIGN_OR_RETURN(StoredBudget stored, FindBudget(txn, ref, true));
          MAILLAGE_RETURN_IF_ERROR(
              api::CheckEtag(request.etag(), stored.budget.etag(), request.name(), kDomain));
          if (stored.budget.state() != v1::BUDGET_STATE_DRAFT) {
            return InvalidTransition(stored, "submit (only a DRAFT can be submitted)");
          }
          MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::Finding> findings,
                                    ValidateStored(txn, validator_, stored));
          google::rpc::PreconditionFailure failure;
          for (const v1::Finding& f : findings) {
            if (f.severity() != v1::SEVERITY_ERROR) continue;
            auto* violation = failure.add_violations();
            violation->set_type(v1::FindingRule_Name(f.rule()));
            violation->set_subject(f.lines().empty() ? f.budget() : f.lines(0));
            violation->set_description(f.message());
          }
          if (failure.violations_size() > 0) {
            absl::Status status = FailedPrecondition(
                kDomain, "BUDGET_HAS_ERRORS",
                absl::StrCat(request.name(), " has ", failure.violations_size(),
                             " error-level findings: correct them (see ValidateBudget)"),
                {{"name", request.name()},
                 {"error_count", std::to_string(failure.violations_size())}});
            SetPreconditionFailure(status, failure);
            return status;
          }
          StoredBudget saved = SetBudgetState(txn, stored.id, v1::BUDGET_STATE_SUBMITTED, "");
          api::AppendOutboxEvent(txn, "budget.submitted", saved.budget.name(), &saved.budget);
          return saved.budget;
        });
  });
}

absl::StatusOr<v1::Budget> BudgetBook::ApproveBudget(const v1::ApproveBudgetRequest& request,
                                                     db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(BudgetRef ref, ParseBudgetName(request.name(), "name"));
  if (request.approval_note().size() > 2000) {
    return InvalidField(kDomain, "approval_note", "at most 2000 characters");
  }
  return pool_.Transact<v1::Budget>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::Budget>(
        txn, request.request_id(), "ApproveBudget", request, kDomain,
        [&]() -> absl::StatusOr<v1::Budget> {
          MAILLAGE_ASSIGN_OR_RETURN(StoredBudget stored, FindBudget(txn, ref, true));
          MAILLAGE_RETURN_IF_ERROR(
              api::CheckEtag(request.etag(), stored.budget.etag(), request.name(), kDomain));
          if (stored.budget.state() != v1::BUDGET_STATE_SUBMITTED) {
            return InvalidTransition(stored, "approve (only a SUBMITTED budget can be approved)");
          }
          StoredBudget saved =
              SetBudgetState(txn, stored.id, v1::BUDGET_STATE_APPROVED, request.approval_note());
          api::AppendOutboxEvent(txn, "budget.approved", saved.budget.name(), &saved.budget);
          return saved.budget;
        });
  });
}

absl::StatusOr<v1::Budget> BudgetBook::ReviseBudget(const v1::ReviseBudgetRequest& request,
                                                    db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(BudgetRef ref, ParseBudgetName(request.name(), "name"));
  if (request.title().size() > 500) return InvalidField(kDomain, "title", "at most 500 characters");
  return pool_.Transact<v1::Budget>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::Budget>(
        txn, request.request_id(), "ReviseBudget", request, kDomain,
        [&]() -> absl::StatusOr<v1::Budget> {
          MAILLAGE_ASSIGN_OR_RETURN(StoredBudget source, FindBudget(txn, ref, true));
          MAILLAGE_RETURN_IF_ERROR(
              api::CheckEtag(request.etag(), source.budget.etag(), request.name(), kDomain));
          if (source.budget.state() == v1::BUDGET_STATE_DRAFT) {
            return InvalidTransition(source, "revise a DRAFT (edit it instead)");
          }
          MAILLAGE_RETURN_IF_ERROR(ActiveAction(txn, source.action_key).status());
          NewBudget copy;
          copy.action_id = source.action_id;
          copy.action_key = source.action_key;
          copy.fields = source.budget;
          if (!request.title().empty()) copy.fields.set_title(request.title());
          copy.origin = v1::BUDGET_ORIGIN_REVISION;
          copy.revised_from = source.id;
          MAILLAGE_ASSIGN_OR_RETURN(StoredBudget draft, InsertDraft(txn, copy));
          std::map<std::string, int64_t> new_ids;  // old line name → new id
          for (const v1::BudgetLine& line : SelectLines(txn, source.action_key, source.id)) {
            int64_t chapter = 0;
            auto it = new_ids.find(line.chapter_line());
            if (it != new_ids.end()) chapter = it->second;
            new_ids[line.name()] = InsertLine(txn, draft.id, line, chapter, line.lineage());
          }
          MAILLAGE_RETURN_IF_ERROR(RefreshTotals(txn, draft.id));
          MAILLAGE_ASSIGN_OR_RETURN(StoredBudget saved,
                                    FindBudget(txn, {draft.action_key, draft.id}, false));
          return saved.budget;
        });
  });
}

absl::StatusOr<v1::ValidateBudgetResponse> BudgetBook::ValidateBudget(
    const v1::ValidateBudgetRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(BudgetRef ref, ParseBudgetName(request.name(), "name"));
  return pool_.ReadOnly<v1::ValidateBudgetResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ValidateBudgetResponse> {
        MAILLAGE_ASSIGN_OR_RETURN(StoredBudget stored, FindBudget(txn, ref, false));
        MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::Finding> findings,
                                  ValidateStored(txn, validator_, stored));
        v1::ValidateBudgetResponse response;
        FindingCounts counts = CountFindings(findings);
        for (v1::Finding& f : findings) {
          if (request.minimum_severity() != v1::SEVERITY_UNSPECIFIED &&
              f.severity() > request.minimum_severity()) {
            continue;
          }
          *response.add_findings() = std::move(f);
        }
        response.set_error_count(counts.errors);
        response.set_warning_count(counts.warnings);
        response.set_info_count(counts.infos);
        *response.mutable_computed_totals() = stored.budget.computed_totals();
        response.set_etag(stored.budget.etag());
        return response;
      });
}

absl::StatusOr<v1::ImportBudgetTableResponse> BudgetBook::ImportBudgetTable(
    const v1::ImportBudgetTableRequest& request, db::Deadline deadline) {
  FieldViolations v;
  absl::StatusOr<std::string> key = ParseActionName(request.parent(), "parent");
  if (!key.ok()) v.Add("parent", "expected a name like \"actions/fa3\"");
  CheckYearAndKind(request.year(), request.kind(), "", v);
  if (request.table().empty()) v.Add("table", "required: the table text");
  if (request.title().size() > 500) v.Add("title", "at most 500 characters");
  if (request.source_document().size() > 1000) v.Add("source_document", "at most 1000 characters");
  if (request.table_title().size() > 500) v.Add("table_title", "at most 500 characters");
  MAILLAGE_RETURN_IF_ERROR(v.ToStatus(kDomain));
  auto body = [&](pqxx::work& txn) -> absl::StatusOr<v1::ImportBudgetTableResponse> {
    MAILLAGE_ASSIGN_OR_RETURN(StoredAction action, ActiveAction(txn, *key));
    ImportedTable table = budget::ImportBudgetTable(request.table(), request.delimiter(),
                                                    request.layout(), action.action, chart_);
    v1::ImportBudgetTableResponse response;
    response.set_rows_read(table.rows_read);
    *response.mutable_issues() = {table.issues.begin(), table.issues.end()};
    if (table.has_errors && !request.validate_only()) {
      FieldViolations unreadable;
      for (const v1::ImportIssue& issue : table.issues) {
        if (issue.severity() == v1::IMPORT_ISSUE_SEVERITY_ERROR) {
          unreadable.Add("table", issue.message());
        }
      }
      absl::Status status = unreadable.ToStatus(kDomain);
      google::rpc::ErrorInfo info;
      info.set_reason("TABLE_UNREADABLE");
      info.set_domain(std::string(kDomain));
      (*info.mutable_metadata())["rows"] = std::to_string(unreadable.size());
      SetErrorInfo(status, info);
      return status;
    }
    v1::Budget fields;
    fields.set_year(request.year());
    fields.set_kind(request.kind());
    fields.set_title(request.title());
    *fields.mutable_stated_totals() = table.stated_totals;
    fields.mutable_source()->set_origin(v1::BUDGET_ORIGIN_IMPORT);
    fields.mutable_source()->set_document(request.source_document());
    fields.mutable_source()->set_table_title(request.table_title());
    if (request.validate_only()) {
      fields.set_state(v1::BUDGET_STATE_DRAFT);
      absl::StatusOr<v1::ComputedTotals> totals = ComputeTotals(table.lines);
      if (totals.ok()) *fields.mutable_computed_totals() = *totals;
      ValidationInput input{&action.action, &fields, &table.lines, {}, nullptr};
      for (v1::Finding& f : validator_.Validate(input)) {
        f.clear_lines();
        *response.add_findings() = std::move(f);
      }
      for (v1::BudgetLine& line : table.lines) {
        line.clear_name();
        line.clear_chapter_line();
        *response.add_lines() = std::move(line);
      }
      *response.mutable_budget() = std::move(fields);
      AddFrench(response, /*validate_only=*/true);
      return response;
    }
    return db::RunIdempotent<v1::ImportBudgetTableResponse>(
        txn, request.request_id(), "ImportBudgetTable", request, kDomain,
        [&]() -> absl::StatusOr<v1::ImportBudgetTableResponse> {
          NewBudget budget;
          budget.action_id = action.id;
          budget.action_key = *key;
          budget.fields = fields;
          budget.origin = v1::BUDGET_ORIGIN_IMPORT;
          MAILLAGE_ASSIGN_OR_RETURN(StoredBudget stored, InsertDraft(txn, budget));
          std::map<std::string, int64_t> ids;  // pending name → id
          for (const v1::BudgetLine& line : table.lines) {
            auto chapter = ids.find(line.chapter_line());
            ids[line.name()] =
                InsertLine(txn, stored.id, line, chapter == ids.end() ? 0 : chapter->second, "");
          }
          MAILLAGE_RETURN_IF_ERROR(RefreshTotals(txn, stored.id));
          MAILLAGE_ASSIGN_OR_RETURN(StoredBudget saved, FindBudget(txn, {*key, stored.id}, false));
          MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::Finding> findings,
                                    ValidateStored(txn, validator_, saved));
          *response.mutable_budget() = saved.budget;
          for (v1::BudgetLine& line : SelectLines(txn, *key, stored.id)) {
            *response.add_lines() = std::move(line);
          }
          *response.mutable_findings() = {findings.begin(), findings.end()};
          response.set_lines_created(response.lines_size());
          AddFrench(response, /*validate_only=*/false);
          return response;
        });
  };
  if (request.validate_only()) {
    return pool_.ReadOnly<v1::ImportBudgetTableResponse>(deadline, body);
  }
  return pool_.Transact<v1::ImportBudgetTableResponse>(deadline, body);
}

absl::StatusOr<v1::ListBudgetChangesResponse> BudgetBook::Changes(
    const v1::ListBudgetChangesRequest& request, db::Deadline deadline) {
  return pool_.ReadOnly<v1::ListBudgetChangesResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListBudgetChangesResponse> {
        MAILLAGE_ASSIGN_OR_RETURN(
            api::OutboxPage page,
            api::ReadOutbox(txn, request.since(), request.page_size(), kDomain));
        v1::ListBudgetChangesResponse response;
        for (const api::OutboxEvent& event : page.events) {
          v1::BudgetChange* change = response.add_changes();
          api::SetChangeHeader(event, change);
          if (event.has_snapshot) change->mutable_budget()->ParseFromString(event.snapshot);
        }
        response.set_next_cursor(page.next_cursor);
        response.set_caught_up(page.caught_up);
        return response;
      });
}

}  // namespace maillage::budget
