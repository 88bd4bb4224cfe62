// Messages for people in French, beside the English messages for developers
// (API_CONVENTIONS.md: "Messages meant for people carry a French google.rpc.LocalizedMessage
// (fr-FR) beside the English developer message"). One place for every service:
// FieldViolations (errors.h) gives each field violation its French `localized_message` and the
// status a LocalizedMessage detail that sums them up, so every validation error, import
// rejection and field violation of every service carries French over gRPC
// (grpc-status-details-bin) and in the gateway's HTTP error body (details[]), without code in
// the services. Reports in responses (import reports, findings) call FrenchFieldViolation or
// French() for their own items.
//
//   FieldViolations v;
//   v.Add("meeting.title", "at most 300 characters");
//   // BadRequest.field_violations[0].localized_message:
//   //   {locale: "fr-FR", message: "« meeting.title » : 300 caractères au plus."}
//   // LocalizedMessage detail: "1 champ de la requête est à corriger : meeting.title."
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/rpc/error_details.pb.h"

namespace maillage {

inline constexpr absl::string_view kLocalizedMessageTypeUrl =
    "type.googleapis.com/google.rpc.LocalizedMessage";
inline constexpr char kFrenchLocale[] = "fr-FR";

// {locale: "fr-FR", message: `text`}.
google::rpc::LocalizedMessage French(absl::string_view text);

// The French sentence of the English description a service gives of a bad field: from the
// catalog of the descriptions the services write ("required", "required: X", "at most N
// characters", "must be \"actors/{actor}\"", "not a valid date", ...), prefixed with the field
// ("« actor.siret » : ..."); a description outside the catalog gets a French sentence naming
// the field and quoting the English detail. Never empty.
std::string FrenchFieldViolation(absl::string_view field, absl::string_view description);

// The French summary of a request with `count` bad fields named `fields` ("a, b").
std::string FrenchInvalidRequest(size_t count, absl::string_view fields);

// Attach (replacing) or read the status's LocalizedMessage detail.
void SetLocalizedMessage(absl::Status& status, const google::rpc::LocalizedMessage& message);
std::optional<google::rpc::LocalizedMessage> GetLocalizedMessage(const absl::Status& status);

}  // namespace maillage
