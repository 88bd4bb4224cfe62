// The French of the import reports (API_CONVENTIONS: "messages meant for people carry a French
// google.rpc.LocalizedMessage (fr-FR)"), for successful imports and dry runs as for failed ones:
// each issue's localized_message says what the field violation of a failed import would say
// (common/status/localized.h), and the report gets a summary of what was (or would be) done.
//
//   AddFrench(report, /*validate_only=*/false);
//   // report.summary().message(): "Import de 3 lignes : 1 acteur créé, 2 inchangés."
#pragma once

#include "maillage/directory/v1/directory_service.pb.h"

namespace maillage::directory {

// Sets localized_message on every issue and the summary of an ImportActors report.
void AddFrench(v1::ImportActorsResponse& report, bool validate_only);

// The same for an ImportSireneExtract report.
void AddFrench(v1::ImportSireneExtractResponse& report, bool validate_only);

}  // namespace maillage::directory
