// The grants of the actions.
#include "services/budget/grant_ledger.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/api/etag.h"
#include "common/api/update_mask.h"
#include "common/db/idempotency.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/budget/action_registry.h"
#include "services/budget/budget_access.h"
#include "services/budget/budget_names.h"
#include "services/budget/grant_store.h"
#include "services/budget/money.h"

namespace maillage::budget {
namespace {

bool IsSet(const google::type::Date& date) { return date.year() != 0; }

int DateKey(const google::type::Date& d) { return d.year() * 10000 + d.month() * 100 + d.day(); }

// "2024-04-15".
std::string IsoDate(const google::type::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

bool ValidDate(const google::type::Date& date) {
  if (!IsSet(date)) return true;
  absl::CivilDay day(date.year(), date.month(), date.day());
  return date.year() >= 1900 && date.year() <= 2200 && day.year() == date.year() &&
         day.month() == date.month() && day.day() == date.day();
}

// The paid amount of `grant` (sum of its instalments); false on overflow.
bool PaidAmount(const v1::Grant& grant, int64_t& paid) {
  paid = 0;
  for (const v1::Instalment& i : grant.instalments()) {
    if (!CheckedAdd(paid, i.amount_cents(), paid)) return false;
  }
  return true;
}

absl::Status CheckFunder(const v1::Action& action, const std::string& funder_id) {
  for (const v1::ActionFunder& funder : action.funders()) {
    if (funder.funder_id() == funder_id) return absl::OkStatus();
  }
  return FailedPrecondition(kDomain, "FUNDER_NOT_FOUND",
                            absl::StrCat("\"", funder_id, "\" is not a funder of ", action.name(),
                                         ": add it to the action's funders first"),
                            {{"funder_id", funder_id}, {"action", action.name()}});
}

}  // namespace

void DefaultJustificationDueDate(v1::Grant& grant) {
  if (grant.state() < v1::GRANT_STATE_NOTIFIED || IsSet(grant.justification_due_date())) return;
  if (grant.year() < 2000 || grant.year() > 2100) return;  // ValidateGrant refuses it
  google::type::Date* due = grant.mutable_justification_due_date();
  due->set_year(grant.year() + 1);
  due->set_month(6);
  due->set_day(30);
}

absl::Status ValidateGrant(const v1::Grant& g, absl::string_view prefix) {
  FieldViolations v;
  auto at = [&](absl::string_view name) { return absl::StrCat(prefix, name); };
  if (!IsValidActionKey(g.funder_id()))
    v.Add(at("funder_id"), "required: a funder key of the action");
  if (g.year() < 2000 || g.year() > 2100) v.Add(at("year"), "required, between 2000 and 2100");
  if (g.state() == v1::GRANT_STATE_UNSPECIFIED) v.Add(at("state"), "required");
  if (g.reference().size() > 200) v.Add(at("reference"), "at most 200 characters");
  if (!g.budget().empty() && !ParseBudgetName(g.budget(), "budget").ok()) {
    v.Add(at("budget"), "a budget name \"actions/{action}/budgets/{budget}\"");
  }
  if (g.note().size() > 2000) v.Add(at("note"), "at most 2000 characters");
  if (g.requested_amount_cents() < 0 || g.requested_amount_cents() > kMaxAmountCents) {
    v.Add(at("requested_amount_cents"), "between 0 and 10^15 cents");
  }
  for (const auto& [name, date] :
       {std::make_pair("request_date", &g.request_date()),
        std::make_pair("notify_date", &g.notify_date()),
        std::make_pair("justification_due_date", &g.justification_due_date()),
        std::make_pair("justify_date", &g.justify_date())}) {
    if (!ValidDate(*date)) v.Add(at(name), "not a valid date");
  }
  if (g.state() >= v1::GRANT_STATE_REQUESTED && !IsSet(g.request_date())) {
    v.Add(at("request_date"), "required: the date the request was sent");
  }
  if (g.state() >= v1::GRANT_STATE_REQUESTED && g.requested_amount_cents() == 0) {
    v.Add(at("requested_amount_cents"), "required: the amount asked of the funder");
  }
  if (g.state() >= v1::GRANT_STATE_NOTIFIED) {
    if (!IsSet(g.notify_date())) v.Add(at("notify_date"), "required from NOTIFIED on");
    if (!g.has_notified_amount_cents()) {
      v.Add(at("notified_amount_cents"), "required from NOTIFIED on");
    }
  }
  if (g.has_notified_amount_cents() &&
      (g.notified_amount_cents() < 0 || g.notified_amount_cents() > kMaxAmountCents)) {
    v.Add(at("notified_amount_cents"), "between 0 and 10^15 cents");
  }
  if (g.state() == v1::GRANT_STATE_JUSTIFIED && g.instalments().empty()) {
    v.Add(at("instalments"),
          "a grant is justified once paid: record at least one instalment (state PAID) first");
  } else if (g.state() >= v1::GRANT_STATE_PAID && g.instalments().empty()) {
    v.Add(at("instalments"), "at least one instalment from PAID on");
  }
  if (g.state() < v1::GRANT_STATE_PAID && !g.instalments().empty()) {
    v.Add(at("instalments"), "instalments are recorded with state PAID");
  }
  for (int i = 0; i < g.instalments_size(); ++i) {
    const v1::Instalment& inst = g.instalments(i);
    std::string item = at(absl::StrCat("instalments[", i, "]"));
    if (!IsSet(inst.paid_date()) || !ValidDate(inst.paid_date())) {
      v.Add(item + ".paid_date", "required, a valid date");
    }
    if (inst.amount_cents() <= 0 || inst.amount_cents() > kMaxAmountCents) {
      v.Add(item + ".amount_cents", "between 1 and 10^15 cents");
    }
  }
  int64_t paid;
  if (!PaidAmount(g, paid)) {
    v.Add(at("instalments"), "their sum leaves the range of amounts");
  } else if (g.has_notified_amount_cents() && paid > g.notified_amount_cents()) {
    v.Add(at("instalments"),
          absl::StrCat("they sum to ", FormatEuros(paid), ", above the notified ",
                       FormatEuros(g.notified_amount_cents())));
  }
  if (g.state() == v1::GRANT_STATE_JUSTIFIED && !IsSet(g.justify_date())) {
    v.Add(at("justify_date"), "required for JUSTIFIED");
  }
  // The dates follow the grant's life: notified after the request, paid after the
  // notification, justified after the first payment (the balance may come later).
  auto not_before = [&](const std::string& field, const google::type::Date& date, const char* other,
                        const google::type::Date& earlier) {
    if (IsSet(date) && IsSet(earlier) && ValidDate(date) && ValidDate(earlier) &&
        DateKey(date) < DateKey(earlier)) {
      v.Add(field, absl::StrCat("not before the ", other, " (", IsoDate(earlier), ")"));
    }
  };
  not_before(at("notify_date"), g.notify_date(), "request_date", g.request_date());
  const google::type::Date* first_paid = nullptr;
  for (int i = 0; i < g.instalments_size(); ++i) {
    const google::type::Date& paid_date = g.instalments(i).paid_date();
    not_before(at(absl::StrCat("instalments[", i, "].paid_date")), paid_date, "notify_date",
               g.notify_date());
    if (IsSet(paid_date) && ValidDate(paid_date) &&
        (first_paid == nullptr || DateKey(paid_date) < DateKey(*first_paid))) {
      first_paid = &paid_date;
    }
  }
  if (first_paid != nullptr) {
    not_before(at("justify_date"), g.justify_date(), "first instalment", *first_paid);
  }
  return v.ToStatus(kDomain);
}

absl::StatusOr<v1::Grant> GrantLedger::Get(const v1::GetGrantRequest& request,
                                           db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(GrantRef ref, ParseGrantName(request.name(), "name"));
  return ReadGrant(pool_, deadline, ref);
}

absl::StatusOr<v1::ListGrantsResponse> GrantLedger::List(const v1::ListGrantsRequest& request,
                                                         db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(std::string key, ParseActionName(request.parent(), "parent", true));
  return pool_.ReadOnly<v1::ListGrantsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListGrantsResponse> {
        if (key != "-") MAILLAGE_RETURN_IF_ERROR(FindAction(txn, key, false).status());
        return SelectGrants(txn, request, key);
      });
}

absl::StatusOr<v1::Grant> GrantLedger::Create(const v1::CreateGrantRequest& request,
                                              db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(std::string key, ParseActionName(request.parent(), "parent"));
  v1::Grant grant = request.grant();
  DefaultJustificationDueDate(grant);
  MAILLAGE_RETURN_IF_ERROR(ValidateGrant(grant, "grant."));
  if (!grant.budget().empty() && ParseBudgetName(grant.budget(), "grant.budget")->action != key) {
    return InvalidField(kDomain, "grant.budget", "a budget of the same action");
  }
  return pool_.Transact<v1::Grant>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::Grant>(
        txn, request.request_id(), "CreateGrant", request, kDomain,
        [&]() -> absl::StatusOr<v1::Grant> {
          MAILLAGE_ASSIGN_OR_RETURN(StoredAction action, ActiveAction(txn, key));
          MAILLAGE_RETURN_IF_ERROR(CheckFunder(action.action, grant.funder_id()));
          int64_t paid = 0;
          PaidAmount(grant, paid);
          grant.set_paid_amount_cents(paid);
          return InsertGrant(txn, action.id, key, grant);
        });
  });
}

absl::StatusOr<v1::Grant> GrantLedger::Update(const v1::UpdateGrantRequest& request,
                                              db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(GrantRef ref, ParseGrantName(request.grant().name(), "grant.name"));
  MAILLAGE_ASSIGN_OR_RETURN(
      google::protobuf::FieldMask mask,
      api::EffectiveUpdateMask(request.update_mask(), request.grant(), kDomain));
  return pool_.Transact<v1::Grant>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::Grant> {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Grant stored, FindGrant(txn, ref, true));
    MAILLAGE_RETURN_IF_ERROR(
        api::CheckEtag(request.grant().etag(), stored.etag(), stored.name(), kDomain));
    v1::Grant updated = stored;
    api::MergeUpdate(request.grant(), mask, &updated);
    if (updated.state() < stored.state()) {
      return FailedPrecondition(
          kDomain, "INVALID_STATE_TRANSITION",
          absl::StrCat(stored.name(), " is ", v1::GrantState_Name(stored.state()),
                       ": a grant only moves forward, not back to ",
                       v1::GrantState_Name(updated.state())),
          {{"name", stored.name()},
           {"state", v1::GrantState_Name(stored.state())},
           {"requested_state", v1::GrantState_Name(updated.state())}});
    }
    DefaultJustificationDueDate(updated);
    MAILLAGE_RETURN_IF_ERROR(ValidateGrant(updated, "grant."));
    if (!updated.budget().empty() &&
        ParseBudgetName(updated.budget(), "grant.budget")->action != ref.action) {
      return InvalidField(kDomain, "grant.budget", "a budget of the same action");
    }
    MAILLAGE_ASSIGN_OR_RETURN(StoredAction action, FindAction(txn, ref.action, false));
    MAILLAGE_RETURN_IF_ERROR(CheckFunder(action.action, updated.funder_id()));
    int64_t paid = 0;
    PaidAmount(updated, paid);
    updated.set_paid_amount_cents(paid);
    return SaveGrant(txn, ref, updated);
  });
}

absl::StatusOr<google::protobuf::Empty> GrantLedger::Delete(const v1::DeleteGrantRequest& request,
                                                            db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(GrantRef ref, ParseGrantName(request.name(), "name"));
  return pool_.Transact<google::protobuf::Empty>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<google::protobuf::Empty> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::Grant stored, FindGrant(txn, ref, true));
        MAILLAGE_RETURN_IF_ERROR(
            api::CheckEtag(request.etag(), stored.etag(), stored.name(), kDomain));
        DeleteGrantRow(txn, ref.grant);
        return google::protobuf::Empty();
      });
}

}  // namespace maillage::budget
