// BudgetValidator: checks a budget table against every rule of validation.proto and reports
// each finding with its figures; it never changes a line. Pure logic: no database, no server.
//
//   BudgetValidator validator(ChartOfAccounts::Pca2018());
//   std::vector<v1::Finding> findings = validator.Validate({&action, &budget, &lines});
#pragma once

#include <vector>

#include "maillage/budget/v1/action.pb.h"
#include "maillage/budget/v1/budget.pb.h"
#include "maillage/budget/v1/grant.pb.h"
#include "maillage/budget/v1/line.pb.h"
#include "maillage/budget/v1/validation.pb.h"
#include "services/budget/chart_of_accounts.h"

namespace maillage::budget {

// What a validation looks at. Lines are in table order (side, then position) with name,
// chapter_line and effective_account_code set.
struct ValidationInput {
  const v1::Action* action = nullptr;
  const v1::Budget* budget = nullptr;
  const std::vector<v1::BudgetLine>* lines = nullptr;
  // Actual budgets: the action's grants of the year (GRANT_MISMATCH) and the lines of the
  // forecast it is compared with (GAP_NOT_EXPLAINED); empty/null when there are none.
  std::vector<v1::Grant> grants;
  const std::vector<v1::BudgetLine>* compared_forecast = nullptr;
};

// Counts of a list of findings by severity.
struct FindingCounts {
  int errors = 0;
  int warnings = 0;
  int infos = 0;
};
FindingCounts CountFindings(const std::vector<v1::Finding>& findings);

class BudgetValidator {
 public:
  explicit BudgetValidator(const ChartOfAccounts& chart) : chart_(chart) {}

  // Every finding: errors first, then warnings, then infos; within each, in table order of the
  // first line concerned, findings about the whole budget last. Never fails.
  std::vector<v1::Finding> Validate(const ValidationInput& input) const;

 private:
  const ChartOfAccounts& chart_;
};

}  // namespace maillage::budget
