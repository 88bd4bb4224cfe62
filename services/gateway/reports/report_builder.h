// The funder's yearly report on an action (maillage.gateway.v1.ActionReport) composed from what
// the three services answered: no gRPC here, so every figure and every partial marking can be
// tested from plain messages. report_sources.h fetches the inputs, report_service.h serves it.
//
//   ReportInputs inputs{.action = "actions/fa3", .year = 2023};
//   inputs.budget = ...;     // or the status the budget service answered with
//   v1::ActionReport report = BuildActionReport(inputs, now);
//
// A backend whose input is an error leaves its sections unset (or, for the reach, without the
// mobilisation figures) and adds one PartialSection per section it affects, with the call's
// code and a French sentence.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/timestamp.pb.h"
#include "maillage/budget/v1/action.pb.h"
#include "maillage/budget/v1/budget.pb.h"
#include "maillage/budget/v1/budget_service.pb.h"
#include "maillage/budget/v1/financial_report.pb.h"
#include "maillage/budget/v1/grant.pb.h"
#include "maillage/directory/v1/actor.pb.h"
#include "maillage/directory/v1/reference.pb.h"
#include "maillage/gateway/v1/report.pb.h"
#include "maillage/meetings/v1/indicators.pb.h"
#include "maillage/meetings/v1/meeting.pb.h"

namespace maillage::gateway {

// What the budget service says about the action and the year.
struct BudgetInputs {
  budget::v1::Action action;
  // GetFinancialReport for the year: the budgets it compares are the report's.
  budget::v1::FinancialReport financial_report;
  // Every budget of the year (all kinds and versions), for the versions and states.
  std::vector<budget::v1::Budget> budgets;
  // ValidateBudget of the compared budgets, by budget name.
  std::map<std::string, budget::v1::ValidateBudgetResponse> validations;
  // The grants of the year.
  std::vector<budget::v1::Grant> grants;
};

// What the meetings service says about the action over the calendar year.
struct MeetingsInputs {
  meetings::v1::Indicators indicators;
  // The action's meetings that start in the year, in any order.
  std::vector<meetings::v1::Meeting> meetings;
};

// The directory's active actors and its reference lists.
struct DirectoryInputs {
  std::vector<directory::v1::Actor> actors;
  std::vector<directory::v1::NetworkCategory> network_categories;
  std::vector<directory::v1::Commune> communes;
  std::vector<directory::v1::EssFamilyDescription> ess_families;
};

struct ReportInputs {
  std::string action;  // "actions/{action}"
  int year = 0;
  absl::StatusOr<BudgetInputs> budget = absl::UnknownError("not fetched");
  absl::StatusOr<MeetingsInputs> meetings = absl::UnknownError("not fetched");
  absl::StatusOr<DirectoryInputs> directory = absl::UnknownError("not fetched");
};

// The report. Never fails: missing inputs are listed in partial_sections.
gateway::v1::ActionReport BuildActionReport(const ReportInputs& inputs,
                                            const google::protobuf::Timestamp& generate_time);

// numerator / denominator with basis points rounded half up (unset when the denominator is 0).
gateway::v1::Ratio MakeRatio(int64_t numerator, int64_t denominator);

// French labels of the backends' codes shown in the report ("" for an unknown code); meeting
// kinds: common/text/meeting_labels.h.
std::string MeetingStateLabel(meetings::v1::MeetingState state);
std::string GrantStateLabel(budget::v1::GrantState state);

}  // namespace maillage::gateway
