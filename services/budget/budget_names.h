// Resource names of the budget service: "actions/{action}" (the action's key, [a-z][a-z0-9-]),
// "actions/{action}/budgets/{budget}", ".../lines/{line}", "actions/{action}/grants/{grant}"
// (numeric ids), "accounts/{code}".
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace maillage::budget {

inline constexpr absl::string_view kDomain = "budget.maillage";

struct BudgetRef {
  std::string action;  // the action's key
  int64_t budget = 0;
};
struct ChildRef {  // a line of a budget
  std::string action;
  int64_t budget = 0;
  int64_t line = 0;
};
struct GrantRef {
  std::string action;
  int64_t grant = 0;
};

// Whether `key` is a valid action key: 1 to 63 characters [a-z0-9-], starting with a letter.
bool IsValidActionKey(absl::string_view key);

// Each parser returns INVALID_ARGUMENT naming `field` when the name has another shape.
// ParseActionParent also accepts "actions/-" (key "-": every action) when `allow_any`.
absl::StatusOr<std::string> ParseActionName(absl::string_view name, absl::string_view field,
                                            bool allow_any = false);
absl::StatusOr<BudgetRef> ParseBudgetName(absl::string_view name, absl::string_view field);
absl::StatusOr<ChildRef> ParseLineName(absl::string_view name, absl::string_view field);
absl::StatusOr<GrantRef> ParseGrantName(absl::string_view name, absl::string_view field);

std::string ActionName(absl::string_view key);
std::string BudgetName(absl::string_view action_key, int64_t budget_id);
std::string LineName(absl::string_view action_key, int64_t budget_id, int64_t line_id);
std::string GrantName(absl::string_view action_key, int64_t grant_id);

}  // namespace maillage::budget
