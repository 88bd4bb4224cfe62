// Resource names of the budget service.
#include "services/budget/budget_names.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"

namespace maillage::budget {
namespace {

// Splits `name` into segments that must match `collections` in alternate positions.
bool Split(absl::string_view name, std::vector<absl::string_view> collections,
           std::vector<std::string>& ids) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != collections.size() * 2) return false;
  for (size_t i = 0; i < collections.size(); ++i) {
    if (parts[2 * i] != collections[i] || parts[2 * i + 1].empty()) return false;
    ids.emplace_back(parts[2 * i + 1]);
  }
  return true;
}

bool PositiveId(const std::string& text, int64_t& id) {
  return !text.empty() && absl::ascii_isdigit(static_cast<unsigned char>(text[0])) &&
         absl::SimpleAtoi(text, &id) && id > 0;
}

absl::Status Bad(absl::string_view field, absl::string_view pattern, absl::string_view name) {
  return InvalidField(
      kDomain, field,
      absl::StrCat("expected a name like \"", pattern, "\", got \"", name.substr(0, 200), "\""));
}

}  // namespace

bool IsValidActionKey(absl::string_view key) {
  if (key.empty() || key.size() > 63 || !absl::ascii_islower(static_cast<unsigned char>(key[0]))) {
    return false;
  }
  for (char c : key) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '-') {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::string> ParseActionName(absl::string_view name, absl::string_view field,
                                            bool allow_any) {
  std::vector<std::string> ids;
  if (!Split(name, {"actions"}, ids) ||
      !(IsValidActionKey(ids[0]) || (allow_any && ids[0] == "-"))) {
    return Bad(field, "actions/fa3", name);
  }
  return ids[0];
}

absl::StatusOr<BudgetRef> ParseBudgetName(absl::string_view name, absl::string_view field) {
  std::vector<std::string> ids;
  BudgetRef ref;
  if (!Split(name, {"actions", "budgets"}, ids) || !IsValidActionKey(ids[0]) ||
      !PositiveId(ids[1], ref.budget)) {
    return Bad(field, "actions/fa3/budgets/1", name);
  }
  ref.action = ids[0];
  return ref;
}

absl::StatusOr<ChildRef> ParseLineName(absl::string_view name, absl::string_view field) {
  std::vector<std::string> ids;
  ChildRef ref;
  if (!Split(name, {"actions", "budgets", "lines"}, ids) || !IsValidActionKey(ids[0]) ||
      !PositiveId(ids[1], ref.budget) || !PositiveId(ids[2], ref.line)) {
    return Bad(field, "actions/fa3/budgets/1/lines/2", name);
  }
  ref.action = ids[0];
  return ref;
}

absl::StatusOr<GrantRef> ParseGrantName(absl::string_view name, absl::string_view field) {
  std::vector<std::string> ids;
  GrantRef ref;
  if (!Split(name, {"actions", "grants"}, ids) || !IsValidActionKey(ids[0]) ||
      !PositiveId(ids[1], ref.grant)) {
    return Bad(field, "actions/fa3/grants/1", name);
  }
  ref.action = ids[0];
  return ref;
}

std::string ActionName(absl::string_view key) { return absl::StrCat("actions/", key); }
std::string BudgetName(absl::string_view action_key, int64_t budget_id) {
  return absl::StrCat("actions/", action_key, "/budgets/", budget_id);
}
std::string LineName(absl::string_view action_key, int64_t budget_id, int64_t line_id) {
  return absl::StrCat("actions/", action_key, "/budgets/", budget_id, "/lines/", line_id);
}
std::string GrantName(absl::string_view action_key, int64_t grant_id) {
  return absl::StrCat("actions/", action_key, "/grants/", grant_id);
}

}  // namespace maillage::budget
