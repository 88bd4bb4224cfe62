// The funded actions.
#include "services/budget/action_registry.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/api/etag.h"
#include "common/api/update_mask.h"
#include "common/db/idempotency.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/budget/action_store.h"
#include "services/budget/budget_names.h"
#include "services/budget/money.h"

namespace maillage::budget {
namespace {

constexpr int kMinYear = 2000;
constexpr int kMaxYear = 2100;
constexpr size_t kMaxText = 10000;

bool ValidYear(int year) { return year >= kMinYear && year <= kMaxYear; }

// The key derived from the code when the client chooses none: "FA3" → "fa3".
std::string KeyFromCode(const std::string& code) {
  std::string key;
  for (char c : code) {
    unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u)) {
      key.push_back(absl::ascii_tolower(u));
    } else if (!key.empty() && key.back() != '-') {
      key.push_back('-');
    }
  }
  while (!key.empty() && key.back() == '-') key.pop_back();
  if (key.empty() || !absl::ascii_islower(static_cast<unsigned char>(key[0]))) {
    key = "action-" + key;
  }
  return key.substr(0, 63);
}

}  // namespace

void CollectActionViolations(const v1::Action& a, absl::string_view prefix, FieldViolations& v) {
  auto field = [&](absl::string_view name) { return absl::StrCat(prefix, name); };
  if (a.code().empty() || a.code().size() > 32)
    v.Add(field("code"), "required, 1 to 32 characters");
  if (a.title().empty() || a.title().size() > 500) {
    v.Add(field("title"), "required, at most 500 characters");
  }
  if (a.description().size() > kMaxText) v.Add(field("description"), "at most 10000 bytes");
  for (int i = 0; i < a.objectives_size(); ++i) {
    if (a.objectives(i).empty() || a.objectives(i).size() > 2000) {
      v.Add(field(absl::StrCat("objectives[", i, "]")), "1 to 2000 characters");
    }
  }
  bool period_ok =
      ValidYear(a.start_year()) && ValidYear(a.end_year()) && a.end_year() >= a.start_year();
  if (!ValidYear(a.start_year())) v.Add(field("start_year"), "required, between 2000 and 2100");
  if (!ValidYear(a.end_year()) || a.end_year() < a.start_year()) {
    v.Add(field("end_year"), "required, between start_year and 2100");
  }
  auto in_period = [&](int year) {
    return period_ok && year >= a.start_year() && year <= a.end_year();
  };
  std::set<int> years;
  for (int i = 0; i < a.years_size(); ++i) {
    const v1::ActionYear& y = a.years(i);
    std::string at = field(absl::StrCat("years[", i, "]"));
    if (!in_period(y.year()) || !years.insert(y.year()).second) {
      v.Add(at + ".year", "a year of the action's period, once");
    }
    if (y.has_announced_amount_cents() &&
        (y.announced_amount_cents() < 0 || y.announced_amount_cents() > kMaxAmountCents)) {
      v.Add(at + ".announced_amount_cents", "between 0 and 10^15 cents");
    }
    if (y.has_staffing_fte_hundredths() &&
        (y.staffing_fte_hundredths() < 0 || y.staffing_fte_hundredths() > 100000)) {
      v.Add(at + ".staffing_fte_hundredths", "between 0 and 100000 (1000 FTE)");
    }
  }
  std::set<std::string> funders;
  for (int i = 0; i < a.funders_size(); ++i) {
    const v1::ActionFunder& f = a.funders(i);
    std::string at = field(absl::StrCat("funders[", i, "]"));
    if (!IsValidActionKey(f.funder_id()) || !funders.insert(f.funder_id()).second) {
      v.Add(at + ".funder_id", "1 to 63 characters [a-z0-9-] starting with a letter, unique");
    }
    if (f.display_name().empty() || f.display_name().size() > 200) {
      v.Add(at + ".display_name", "required, at most 200 characters");
    }
    if (f.kind() == v1::FUNDER_KIND_UNSPECIFIED) v.Add(at + ".kind", "required");
    if (!f.account_code().empty() && f.account_code().compare(0, 2, "74") != 0) {
      v.Add(at + ".account_code", "74 or a sub-account of 74");
    }
    if (!f.actor().empty() && f.actor().compare(0, 7, "actors/") != 0) {
      v.Add(at + ".actor", "an actor name \"actors/{actor}\"");
    }
    std::set<int> commitment_years;
    for (int j = 0; j < f.commitments_size(); ++j) {
      const v1::YearAmount& c = f.commitments(j);
      std::string cat = absl::StrCat(at, ".commitments[", j, "]");
      if (!in_period(c.year()) || !commitment_years.insert(c.year()).second) {
        v.Add(cat + ".year", "a year of the action's period, once");
      }
      if (c.amount_cents() < 0 || c.amount_cents() > kMaxAmountCents) {
        v.Add(cat + ".amount_cents", "between 0 and 10^15 cents");
      }
    }
  }
  for (int i = 0; i < a.in_kind_resources_size(); ++i) {
    const v1::InKindResource& r = a.in_kind_resources(i);
    std::string at = field(absl::StrCat("in_kind_resources[", i, "]"));
    if (r.description().empty() || r.description().size() > 2000) {
      v.Add(at + ".description", "required, at most 2000 characters");
    }
    for (int year : r.years()) {
      if (!in_period(year)) v.Add(at + ".years", "years of the action's period");
    }
  }
  if (!a.lead_actor().empty() && a.lead_actor().compare(0, 7, "actors/") != 0) {
    v.Add(field("lead_actor"), "an actor name \"actors/{actor}\"");
  }
}

absl::Status ValidateAction(const v1::Action& action, absl::string_view prefix) {
  FieldViolations v;
  CollectActionViolations(action, prefix, v);
  return v.ToStatus(kDomain);
}

absl::StatusOr<v1::Action> ActionRegistry::Get(const v1::GetActionRequest& request,
                                               db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(std::string key, ParseActionName(request.name(), "name"));
  MAILLAGE_ASSIGN_OR_RETURN(StoredAction stored, ReadAction(pool_, deadline, key));
  return std::move(stored.action);
}

absl::StatusOr<v1::ListActionsResponse> ActionRegistry::List(const v1::ListActionsRequest& request,
                                                             db::Deadline deadline) {
  return pool_.ReadOnly<v1::ListActionsResponse>(
      deadline, [&](pqxx::work& txn) { return SelectActions(txn, request); });
}

absl::StatusOr<v1::Action> ActionRegistry::Create(const v1::CreateActionRequest& request,
                                                  db::Deadline deadline) {
  v1::Action action = request.action();
  if (action.state() == v1::ACTION_STATE_UNSPECIFIED) action.set_state(v1::ACTION_STATE_ACTIVE);
  FieldViolations violations;
  CollectActionViolations(action, "action.", violations);
  if (!request.action_id().empty() && !IsValidActionKey(request.action_id())) {
    violations.Add("action_id", "1 to 63 characters [a-z0-9-], starting with a letter");
  }
  MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kDomain));
  std::string key = request.action_id().empty() ? KeyFromCode(action.code()) : request.action_id();
  return pool_.Transact<v1::Action>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::Action>(txn, request.request_id(), "CreateAction", request,
                                         kDomain, [&]() -> absl::StatusOr<v1::Action> {
                                           MAILLAGE_ASSIGN_OR_RETURN(
                                               StoredAction stored, InsertAction(txn, key, action));
                                           return stored.action;
                                         });
  });
}

absl::StatusOr<v1::Action> ActionRegistry::Update(const v1::UpdateActionRequest& request,
                                                  db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(std::string key,
                            ParseActionName(request.action().name(), "action.name"));
  MAILLAGE_ASSIGN_OR_RETURN(
      google::protobuf::FieldMask mask,
      api::EffectiveUpdateMask(request.update_mask(), request.action(), kDomain));
  return pool_.Transact<v1::Action>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::Action> {
    MAILLAGE_ASSIGN_OR_RETURN(StoredAction stored, FindAction(txn, key, true));
    MAILLAGE_RETURN_IF_ERROR(api::CheckEtag(request.action().etag(), stored.action.etag(),
                                            stored.action.name(), kDomain));
    v1::Action updated = stored.action;
    api::MergeUpdate(request.action(), mask, &updated);
    if (updated.state() == v1::ACTION_STATE_UNSPECIFIED) updated.set_state(v1::ACTION_STATE_ACTIVE);
    MAILLAGE_RETURN_IF_ERROR(ValidateAction(updated, "action."));
    MAILLAGE_ASSIGN_OR_RETURN(StoredAction saved, SaveAction(txn, stored.id, updated));
    return saved.action;
  });
}

absl::StatusOr<google::protobuf::Empty> ActionRegistry::Delete(
    const v1::DeleteActionRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(std::string key, ParseActionName(request.name(), "name"));
  return pool_.Transact<google::protobuf::Empty>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<google::protobuf::Empty> {
        MAILLAGE_ASSIGN_OR_RETURN(StoredAction stored, FindAction(txn, key, true));
        MAILLAGE_RETURN_IF_ERROR(
            api::CheckEtag(request.etag(), stored.action.etag(), request.name(), kDomain));
        if (ActionHasChildren(txn, stored.id)) {
          return FailedPrecondition(kDomain, "ACTION_NOT_EMPTY",
                                    absl::StrCat(request.name(),
                                                 " has budgets or grants: archive it instead "
                                                 "(UpdateAction with state ARCHIVED)"),
                                    {{"name", request.name()}});
        }
        DeleteActionRow(txn, stored.id);
        return google::protobuf::Empty();
      });
}

}  // namespace maillage::budget
