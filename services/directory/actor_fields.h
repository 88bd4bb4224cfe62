// The rules an Actor's own fields follow, without a database: normalisation (trimming,
// identifiers without spaces, NAF code with its dot), shape checks (lengths, UTF-8,
// identifiers, e-mail, web site, dates, coordinates) and update masks. Checks that need the
// database (commune, categories, themes, duplicates) are ActorRegistry's.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "maillage/directory/v1/actor.pb.h"

namespace maillage::directory {

inline constexpr absl::string_view kDomain = "directory.maillage";

// Length limits, in characters (Unicode code points).
inline constexpr int kMaxDisplayName = 200;
inline constexpr int kMaxLegalName = 300;
inline constexpr int kMaxDescription = 10000;
inline constexpr int kMaxShortText = 300;  // website, e-mail, city, address line, source...

// Number of Unicode code points of a valid UTF-8 string.
int CharacterCount(absl::string_view utf8);

// Shape checks shared with contacts and relationships.
bool IsValidDate(const google::type::Date& date);
int DateKey(const google::type::Date& date);  // yyyymmdd, to compare dates
bool IsEmailShaped(absl::string_view email);
bool IsWebsiteShaped(absl::string_view url);
bool IsPhoneShaped(absl::string_view phone);
// Adds a violation at `path` when `value` is not UTF-8 or longer than `max_chars` characters.
void CheckText(absl::string_view value, int max_chars, const std::string& path,
               FieldViolations& violations);

// Trims every text field, removes spaces/dots/dashes from identifiers (upper-casing the RNA),
// writes the NAF code with its dot, removes duplicate codes and SIAE types, and fills siren
// from a valid siret when only the SIRET is given. Output-only fields are cleared. Never fails:
// CheckActorFields judges the result.
void NormalizeActor(v1::Actor& actor);

// Adds to `violations` one entry per bad field of a normalised actor, with paths prefixed by
// `prefix` (e.g. "actor."): display_name required, lengths, UTF-8, identifiers (SIREN/SIRET
// Luhn with the La Poste rule, RNA), SIRET not starting with the SIREN, identifiers on a
// structure type, e-mail, web site, phone, postal code, INSEE code shape, legal category and
// NAF code shapes, unknown enum values, coordinates out of range, ESUS dates, SIAE types.
void CheckActorFields(const v1::Actor& actor, absl::string_view prefix,
                      FieldViolations& violations);

// Whether the writable fields of two actors are equal (output-only fields and etags ignored;
// an empty sub-message counts as unset): an update that changes nothing writes nothing.
bool SameWritableFields(v1::Actor a, v1::Actor b);

}  // namespace maillage::directory
