// The French of the budget table import report (API_CONVENTIONS: "messages meant for people
// carry a French google.rpc.LocalizedMessage (fr-FR)"), for a successful import or a dry run as
// for a failed one: each issue's localized_message says in French what its English message
// says, and the report gets a summary.
//
//   AddFrench(response, /*validate_only=*/true);
//   // response.summary().message(): "Vérification (rien n'est écrit) du tableau : 24 lignes
//   //   lues, 18 lignes de budget seraient créées ; 1 erreur, 2 avertissements."
#pragma once

#include "maillage/budget/v1/budget_service.pb.h"

namespace maillage::budget {

// Sets localized_message on every issue and the summary of an ImportBudgetTable response.
void AddFrench(v1::ImportBudgetTableResponse& response, bool validate_only);

}  // namespace maillage::budget
