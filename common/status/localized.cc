// The French catalog of field violations (see localized.h).
#include "common/status/localized.h"

#include <regex>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace maillage {
namespace {

struct Entry {
  std::regex english;  // the whole description
  const char* french;  // std::regex_replace format: $1, $2 are the groups
};

// The descriptions the services write, most specific first.
const std::vector<Entry>& Catalog() {
  static const auto* const catalog = new std::vector<Entry>{
      {std::regex("required"), "obligatoire."},
      {std::regex("required, at most (\\d+) characters"), "obligatoire, $1 caractères au plus."},
      {std::regex("required, (\\d+) to (\\d+) characters"), "obligatoire, de $1 à $2 caractères."},
      {std::regex("required, between (\\S+) and (\\S+)"), "obligatoire, entre $1 et $2."},
      {std::regex("required for (.+)"), "obligatoire pour $1."},
      {std::regex("required: (.+)"), "obligatoire : $1."},
      {std::regex("at most (\\d+) characters"), "$1 caractères au plus."},
      {std::regex("at most (\\d+) bytes"), "$1 octets au plus."},
      {std::regex("(\\d+) to (\\d+) characters"), "de $1 à $2 caractères."},
      {std::regex("between (\\S+) and (\\S+)(.*)"), "entre $1 et $2$3."},
      {std::regex("must be \"(.+)\""), "doit être de la forme « $1 »."},
      {std::regex("must be an http or https URL"), "doit être une adresse web en http ou https."},
      {std::regex("must be in the future"), "doit être dans le futur."},
      {std::regex("must be after (\\S+)"), "doit être postérieur à $1."},
      {std::regex("before (\\S+)"), "est antérieur à $1."},
      {std::regex("must be a year from (\\d+) to (\\d+)"), "doit être une année de $1 à $2."},
      {std::regex("not an e-mail address"), "n'est pas une adresse e-mail."},
      {std::regex("not a valid date"), "n'est pas une date valide."},
      {std::regex("not a valid SIRET.*"), "n'est pas un SIRET valide (14 chiffres, clé de Luhn)."},
      {std::regex("not a valid SIREN.*"), "n'est pas un SIREN valide (9 chiffres, clé de Luhn)."},
      {std::regex("not a valid RNA.*"), "n'est pas un numéro RNA valide (W suivi de 9 chiffres)."},
      {std::regex("exactly one of (.+?)( is required)?"), "exactement un parmi : $1."},
      {std::regex("unknown (.+)"), "inconnu : $1."},
      {std::regex("negative"), "ne peut pas être négatif."},
  };
  return *catalog;
}

}  // namespace

google::rpc::LocalizedMessage French(absl::string_view text) {
  google::rpc::LocalizedMessage message;
  message.set_locale(kFrenchLocale);
  message.set_message(std::string(text));
  return message;
}

std::string FrenchFieldViolation(absl::string_view field, absl::string_view description) {
  const std::string english(description);
  for (const Entry& entry : Catalog()) {
    if (!std::regex_match(english, entry.english)) continue;
    return absl::StrCat("« ", field, " » : ",
                        std::regex_replace(english, entry.english, entry.french,
                                           std::regex_constants::format_first_only));
  }
  return absl::StrCat("La valeur de « ", field, " » est refusée (détail en anglais : ", description,
                      ").");
}

std::string FrenchInvalidRequest(size_t count, absl::string_view fields) {
  return count == 1 ? absl::StrCat("1 champ de la requête est à corriger : ", fields, ".")
                    : absl::StrCat(count, " champs de la requête sont à corriger : ", fields, ".");
}

void SetLocalizedMessage(absl::Status& status, const google::rpc::LocalizedMessage& message) {
  status.SetPayload(kLocalizedMessageTypeUrl, absl::Cord(message.SerializeAsString()));
}

std::optional<google::rpc::LocalizedMessage> GetLocalizedMessage(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kLocalizedMessageTypeUrl);
  if (!payload.has_value()) return std::nullopt;
  google::rpc::LocalizedMessage message;
  if (!message.ParseFromString(std::string(*payload))) return std::nullopt;
  return message;
}

}  // namespace maillage
