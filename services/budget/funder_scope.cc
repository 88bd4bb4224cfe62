// FunderScope (see funder_scope.h).
#include "services/budget/funder_scope.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "services/budget/budget_names.h"

namespace maillage::budget {
namespace {

// How many of the actions of $1 (keys) list the funder $2.
constexpr char kCountFunded[] =
    "SELECT count(*) FROM actions WHERE action_key = ANY($1::text[]) AND $2 = ANY(funder_ids)";

absl::Status NotFunded(const std::string& funder_id, const std::string& action) {
  return MakeError(absl::StatusCode::kPermissionDenied, kDomain, "ACTION_NOT_FUNDED",
                   absl::StrCat("this key speaks for the funder \"", funder_id,
                                "\": it may read only the actions that list it among their "
                                "funders, one action at a time"),
                   {{"funder_id", funder_id}, {"action", action}});
}

}  // namespace

absl::Status FunderScope::Check(const auth::Principal& principal,
                                const std::vector<std::string>& names,
                                db::Deadline deadline) const {
  if (principal.role != ::maillage::gateway::v1::ROLE_FUNDER) return absl::OkStatus();
  std::set<std::string> keys;
  for (const std::string& name : names) {
    if (!absl::StartsWith(name, "actions/")) continue;
    absl::string_view rest = absl::string_view(name).substr(strlen("actions/"));
    std::string key(rest.substr(0, rest.find('/')));
    if (key == "-") return NotFunded(principal.funder_id, name);
    if (!IsValidActionKey(key)) continue;  // the handler refuses the malformed name
    keys.insert(key);
  }
  if (keys.empty()) return absl::OkStatus();
  if (principal.funder_id.empty()) {
    return MakeError(absl::StatusCode::kPermissionDenied, kDomain, "FUNDER_NOT_NAMED",
                     "this funder key names no funder: ask for a key that names the funder "
                     "(funder_id) it speaks for");
  }
  std::vector<std::string> list(keys.begin(), keys.end());
  absl::StatusOr<int64_t> funded =
      pool_.ReadOnly<int64_t>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
        return txn.exec_params(kCountFunded, db::PgArray(list), principal.funder_id)[0][0]
            .as<int64_t>();
      });
  if (!funded.ok()) return funded.status();
  if (*funded != static_cast<int64_t>(list.size())) {
    return NotFunded(principal.funder_id, ActionName(absl::StrJoin(list, ",")));
  }
  return absl::OkStatus();
}

std::string FunderScope::ScopedActionFilter(const auth::Principal& principal,
                                            const std::string& filter) {
  if (principal.role != ::maillage::gateway::v1::ROLE_FUNDER) return filter;
  // funder_id is signed by the gateway and made of [a-z0-9-] (ValidateAction's rule for the
  // actions' funder ids); any other text could match nothing, and is replaced so that nothing
  // is matched rather than quoted.
  std::string funder = principal.funder_id;
  bool plain = !funder.empty();
  for (char c : funder)
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  std::string own = absl::StrCat("funders.funder_id:\"", plain ? funder : "-", "\"");
  return filter.empty() ? own : absl::StrCat(own, " AND (", filter, ")");
}

}  // namespace maillage::budget
