// Normalisation, shape checks and update masks of Actor fields (see actor_fields.h).
#include "services/directory/actor_fields.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/csv/csv_reader.h"
#include "common/ids/french_ids.h"
#include "google/protobuf/util/message_differencer.h"

namespace maillage::directory {
namespace {

using v1::Actor;

// Writable top-level fields and the nested paths accepted under them.
void Trim(std::string* s) {
  absl::string_view stripped = absl::StripAsciiWhitespace(*s);
  if (stripped.size() != s->size()) *s = std::string(stripped);
}

template <typename Repeated>
void RemoveDuplicates(Repeated* values) {
  std::vector<typename Repeated::value_type> kept;
  for (const auto& v : *values) {
    if (std::find(kept.begin(), kept.end(), v) == kept.end()) kept.push_back(v);
  }
  values->Clear();
  for (auto& v : kept) values->Add(std::move(v));
}

bool AllDigits(absl::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); });
}

}  // namespace

bool IsValidDate(const google::type::Date& d) {
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d.year() < 1 || d.year() > 9999 || d.month() < 1 || d.month() > 12 || d.day() < 1) {
    return false;
  }
  bool leap = (d.year() % 4 == 0 && d.year() % 100 != 0) || d.year() % 400 == 0;
  if (d.month() == 2 && d.day() == 29) return leap;
  return d.day() <= kDays[d.month() - 1];
}

int DateKey(const google::type::Date& d) { return d.year() * 10000 + d.month() * 100 + d.day(); }

bool IsEmailShaped(absl::string_view email) {
  size_t at = email.find('@');
  if (at == absl::string_view::npos || at == 0 || email.find('@', at + 1) != email.npos) {
    return false;
  }
  absl::string_view domain = email.substr(at + 1);
  size_t dot = domain.find('.');
  if (dot == domain.npos || dot == 0 || domain.back() == '.') return false;
  return std::none_of(email.begin(), email.end(), [](char c) {
    return absl::ascii_isspace(c) || absl::ascii_iscntrl(c) || c == '<' || c == '>' || c == ',';
  });
}

bool IsWebsiteShaped(absl::string_view url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "https://") && !absl::ConsumePrefix(&rest, "http://")) {
    return false;
  }
  absl::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.empty() || host.find('.') == host.npos) return false;
  return std::none_of(url.begin(), url.end(), [](char c) {
    return absl::ascii_isspace(c) || absl::ascii_iscntrl(c) || c == '"' || c == '<' || c == '>';
  });
}

bool IsPhoneShaped(absl::string_view phone) {
  absl::string_view rest = phone;
  absl::ConsumePrefix(&rest, "+");
  int digits = 0;
  for (char c : rest) {
    if (absl::ascii_isdigit(c)) {
      ++digits;
    } else if (c != ' ' && c != '.' && c != '-') {
      return false;
    }
  }
  return digits >= 4 && digits <= 20;
}

// Checks a text field's encoding and length.
void CheckText(absl::string_view value, int max_chars, const std::string& path,
               FieldViolations& violations) {
  if (!csv::IsValidUtf8(value)) {
    violations.Add(path, "not valid UTF-8");
  } else if (CharacterCount(value) > max_chars) {
    violations.Add(
        path, absl::StrCat("at most ", max_chars, " characters (", value.size(), " bytes given)"));
  }
}

int CharacterCount(absl::string_view utf8) {
  return static_cast<int>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void NormalizeActor(Actor& actor) {
  actor.clear_state();
  actor.clear_merged_into();
  actor.clear_create_time();
  actor.clear_update_time();
  actor.clear_archive_time();
  if (actor.has_provenance()) actor.mutable_provenance()->clear_sirene_extract_date();
  for (std::string* s :
       {actor.mutable_display_name(), actor.mutable_legal_name(), actor.mutable_description(),
        actor.mutable_website(), actor.mutable_email(), actor.mutable_phone(),
        actor.mutable_legal_category_code(), actor.mutable_naf_code()}) {
    Trim(s);
  }
  if (actor.has_address()) {
    v1::PostalAddress* address = actor.mutable_address();
    for (std::string& line : *address->mutable_lines()) Trim(&line);
    auto* lines = address->mutable_lines();
    lines->erase(std::remove(lines->begin(), lines->end(), std::string()), lines->end());
    Trim(address->mutable_postal_code());
    Trim(address->mutable_city());
    Trim(address->mutable_commune_insee_code());
    address->set_commune_insee_code(absl::AsciiStrToUpper(address->commune_insee_code()));
  }
  if (actor.has_provenance()) Trim(actor.mutable_provenance()->mutable_source());
  actor.set_siren(ids::NormalizeIdentifier(actor.siren()));
  actor.set_siret(ids::NormalizeIdentifier(actor.siret()));
  actor.set_rna(ids::NormalizeIdentifier(actor.rna()));
  if (actor.siren().empty() && ids::IsValidSiret(actor.siret())) {
    actor.set_siren(std::string(ids::SirenOfSiret(actor.siret())));
  }
  std::string naf = absl::AsciiStrToUpper(actor.naf_code());
  if (naf.size() == 5 && AllDigits(naf.substr(0, 4))) naf.insert(2, ".");
  actor.set_naf_code(naf);
  if (actor.kind() == v1::ACTOR_KIND_UNSPECIFIED) actor.set_kind(v1::ACTOR_KIND_ORGANISATION);
  for (std::string& code : *actor.mutable_network_categories()) Trim(&code);
  for (std::string& code : *actor.mutable_themes()) Trim(&code);
  RemoveDuplicates(actor.mutable_network_categories());
  RemoveDuplicates(actor.mutable_themes());
  if (actor.has_labels()) RemoveDuplicates(actor.mutable_labels()->mutable_siae_types());
}

void CheckActorFields(const Actor& actor, absl::string_view prefix, FieldViolations& violations) {
  auto path = [&](absl::string_view field) { return absl::StrCat(prefix, field); };
  if (actor.display_name().empty()) violations.Add(path("display_name"), "required");
  CheckText(actor.display_name(), kMaxDisplayName, path("display_name"), violations);
  CheckText(actor.legal_name(), kMaxLegalName, path("legal_name"), violations);
  CheckText(actor.description(), kMaxDescription, path("description"), violations);
  CheckText(actor.website(), kMaxShortText, path("website"), violations);
  CheckText(actor.email(), kMaxShortText, path("email"), violations);
  if (!actor.website().empty() && !IsWebsiteShaped(actor.website())) {
    violations.Add(path("website"), "an absolute http:// or https:// URL with a host name");
  }
  if (!actor.email().empty() && !IsEmailShaped(actor.email())) {
    violations.Add(path("email"), "an e-mail address such as contact@example.org");
  }
  if (!actor.phone().empty() && !IsPhoneShaped(actor.phone())) {
    violations.Add(path("phone"),
                   "4 to 20 digits with spaces, dots or dashes and an optional leading +");
  }
  if (!v1::ActorKind_IsValid(actor.kind())) violations.Add(path("kind"), "unknown kind");
  if (!v1::EssFamily_IsValid(actor.ess_family())) {
    violations.Add(path("ess_family"), "unknown ESS family");
  }

  if (!actor.siren().empty()) {
    std::string problem = ids::SirenProblem(actor.siren());
    if (!problem.empty()) violations.Add(path("siren"), problem);
  }
  if (!actor.siret().empty()) {
    std::string problem = ids::SiretProblem(actor.siret());
    if (!problem.empty()) {
      violations.Add(path("siret"), problem);
    } else if (!actor.siren().empty() && ids::SirenOfSiret(actor.siret()) != actor.siren()) {
      violations.Add(path("siret"), absl::StrCat("does not start with the SIREN ", actor.siren()));
    }
  }
  if (!actor.rna().empty()) {
    std::string problem = ids::RnaProblem(actor.rna());
    if (!problem.empty()) violations.Add(path("rna"), problem);
  }
  if (actor.kind() == v1::ACTOR_KIND_STRUCTURE_TYPE) {
    for (auto [field, value] : {std::pair<const char*, const std::string*>{"siren", &actor.siren()},
                                {"siret", &actor.siret()},
                                {"rna", &actor.rna()}}) {
      if (!value->empty()) violations.Add(path(field), "a kind of structure has no identifier");
    }
  }
  if (!actor.legal_category_code().empty() &&
      !(actor.legal_category_code().size() == 4 && AllDigits(actor.legal_category_code()))) {
    violations.Add(path("legal_category_code"), "4 digits, e.g. 9220");
  }
  const std::string& naf = actor.naf_code();
  if (!naf.empty() && !(naf.size() == 6 && AllDigits(naf.substr(0, 2)) && naf[2] == '.' &&
                        AllDigits(naf.substr(3, 2)) && absl::ascii_isupper(naf[5]))) {
    violations.Add(path("naf_code"), "a NAF rév. 2 code such as 88.99B");
  }

  if (actor.has_address()) {
    const v1::PostalAddress& address = actor.address();
    if (address.lines_size() > 4) violations.Add(path("address.lines"), "at most 4 lines");
    for (const std::string& line : address.lines()) {
      CheckText(line, kMaxShortText, path("address.lines"), violations);
    }
    if (!address.postal_code().empty() &&
        !(address.postal_code().size() == 5 && AllDigits(address.postal_code()))) {
      violations.Add(path("address.postal_code"), "5 digits");
    }
    CheckText(address.city(), kMaxShortText, path("address.city"), violations);
    const std::string& insee = address.commune_insee_code();
    if (!insee.empty() &&
        !(insee.size() == 5 && AllDigits(insee.substr(2)) && absl::ascii_isdigit(insee[0]) &&
          (absl::ascii_isdigit(insee[1]) || insee[1] == 'A' || insee[1] == 'B'))) {
      violations.Add(path("address.commune_insee_code"),
                     "an INSEE commune code of 5 characters such as 21231 (not a postal code)");
    }
  }
  if (actor.has_coordinates()) {
    double lat = actor.coordinates().latitude(), lon = actor.coordinates().longitude();
    if (!std::isfinite(lat) || lat < -90 || lat > 90) {
      violations.Add(path("coordinates.latitude"), "between -90 and 90");
    }
    if (!std::isfinite(lon) || lon < -180 || lon > 180) {
      violations.Add(path("coordinates.longitude"), "between -180 and 180");
    }
  }
  for (const std::string& code : actor.network_categories()) {
    CheckText(code, 64, path("network_categories"), violations);
  }
  for (const std::string& code : actor.themes()) CheckText(code, 64, path("themes"), violations);
  if (actor.has_labels()) {
    if (actor.labels().has_esus_agrement()) {
      const v1::EsusAgrement& esus = actor.labels().esus_agrement();
      if (!esus.has_start_date() || !IsValidDate(esus.start_date())) {
        violations.Add(path("labels.esus_agrement.start_date"), "required, a valid date");
      }
      if (esus.has_end_date() && !IsValidDate(esus.end_date())) {
        violations.Add(path("labels.esus_agrement.end_date"), "not a valid date");
      } else if (esus.has_end_date() && esus.has_start_date() &&
                 DateKey(esus.end_date()) < DateKey(esus.start_date())) {
        violations.Add(path("labels.esus_agrement.end_date"), "before start_date");
      }
    }
    for (int type : actor.labels().siae_types()) {
      if (type == v1::SIAE_TYPE_UNSPECIFIED || !v1::SiaeType_IsValid(type)) {
        violations.Add(path("labels.siae_types"), "ACI, AI, EI or ETTI");
      }
    }
  }
  if (actor.has_provenance()) {
    CheckText(actor.provenance().source(), 64, path("provenance.source"), violations);
    if (actor.provenance().has_last_verified_date() &&
        !IsValidDate(actor.provenance().last_verified_date())) {
      violations.Add(path("provenance.last_verified_date"), "not a valid date");
    }
  }
}

bool SameWritableFields(v1::Actor a, v1::Actor b) {
  for (v1::Actor* x : {&a, &b}) {
    x->clear_name();
    x->clear_state();
    x->clear_merged_into();
    x->clear_create_time();
    x->clear_update_time();
    x->clear_archive_time();
    x->clear_etag();
    if (x->has_provenance()) x->mutable_provenance()->clear_sirene_extract_date();
    if (x->has_provenance() && x->provenance().ByteSizeLong() == 0) x->clear_provenance();
    if (x->has_labels() && x->labels().ByteSizeLong() == 0) x->clear_labels();
    if (x->has_address() && x->address().ByteSizeLong() == 0) x->clear_address();
  }
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

}  // namespace maillage::directory
