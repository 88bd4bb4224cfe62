// The JSON documents of ExportActors (see actor_exchange_formats.h).
#include "services/directory/actor_exchange_formats.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/db/values.h"
#include "nlohmann/json.hpp"

namespace maillage::directory {
namespace {

using Json = nlohmann::ordered_json;

// Invalid UTF-8 never reaches here (the service refuses it on write); replace rather than throw.
std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void SetIfNotEmpty(Json& json, const char* key, const std::string& value) {
  if (!value.empty()) json[key] = value;
}

Json Strings(const google::protobuf::RepeatedPtrField<std::string>& values) {
  Json array = Json::array();
  for (const std::string& v : values) array.push_back(v);
  return array;
}

std::string WithoutPrefix(const std::string& name, absl::string_view prefix) {
  absl::string_view view = name;
  absl::ConsumePrefix(&view, prefix);
  return std::string(view);
}

// The first `max_chars` characters (code points) of UTF-8 `text`.
std::string Utf8Prefix(const std::string& text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && chars++ == max_chars) {
      return text.substr(0, i);
    }
  }
  return text;
}

size_t Utf8Length(const std::string& text) {
  size_t chars = 0;
  for (char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return chars;
}

// "actors/42" → "42".
std::string ActorNumber(const v1::Actor& actor) {
  absl::string_view name = actor.name();
  absl::ConsumePrefix(&name, "actors/");
  return std::string(name);
}

// The day of `time` in Europe/Paris, YYYY-MM-DD.
std::string ParisDay(const google::protobuf::Timestamp& time) {
  static const absl::TimeZone* const kParis = [] {
    auto* zone = new absl::TimeZone(absl::UTCTimeZone());
    absl::LoadTimeZone("Europe/Paris", zone);
    return zone;
  }();
  absl::CivilDay day = absl::ToCivilDay(absl::FromUnixMicros(db::MicrosOf(time)), *kParis);
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

std::string Date(bool has, const google::type::Date& date) { return db::DateParam(has, date); }

// The GeoJSON Point feature of an actor with coordinates, with `properties`.
std::string PointFeature(const v1::Actor& a, Json properties) {
  Json feature;
  feature["type"] = "Feature";
  // A number when the actor has one (map tools such as MapLibre's feature state want numbers).
  int64_t id = 0;
  if (absl::SimpleAtoi(ActorNumber(a), &id)) {
    feature["id"] = id;
  } else {
    feature["id"] = a.name();
  }
  feature["geometry"] = {
      {"type", "Point"},
      {"coordinates", {a.coordinates().longitude(), a.coordinates().latitude()}}};
  feature["properties"] = std::move(properties);
  return Dump(feature);
}

}  // namespace

std::optional<std::string> GeoJsonFeature(const v1::Actor& a) {
  if (!a.has_coordinates()) return std::nullopt;
  Json properties;
  properties["name"] = a.display_name();
  properties["resource_name"] = a.name();
  SetIfNotEmpty(properties, "legal_name", a.legal_name());
  SetIfNotEmpty(properties, "description", a.description());
  properties["kind"] = WithoutPrefix(v1::ActorKind_Name(a.kind()), "ACTOR_KIND_");
  SetIfNotEmpty(properties, "website", a.website());
  SetIfNotEmpty(properties, "email", a.email());
  SetIfNotEmpty(properties, "phone", a.phone());
  properties["address.lines"] = Strings(a.address().lines());
  SetIfNotEmpty(properties, "address.postal_code", a.address().postal_code());
  SetIfNotEmpty(properties, "address.city", a.address().city());
  SetIfNotEmpty(properties, "address.commune_insee_code", a.address().commune_insee_code());
  SetIfNotEmpty(properties, "siren", a.siren());
  SetIfNotEmpty(properties, "siret", a.siret());
  SetIfNotEmpty(properties, "rna", a.rna());
  SetIfNotEmpty(properties, "legal_category_code", a.legal_category_code());
  SetIfNotEmpty(properties, "naf_code", a.naf_code());
  if (a.ess_family() != v1::ESS_FAMILY_UNSPECIFIED) {
    properties["ess_family"] = WithoutPrefix(v1::EssFamily_Name(a.ess_family()), "ESS_FAMILY_");
  }
  properties["network_categories"] = Strings(a.network_categories());
  properties["themes"] = Strings(a.themes());
  const v1::EsusAgrement& esus = a.labels().esus_agrement();
  SetIfNotEmpty(properties, "labels.esus_agrement.start_date",
                Date(esus.has_start_date(), esus.start_date()));
  SetIfNotEmpty(properties, "labels.esus_agrement.end_date",
                Date(esus.has_end_date(), esus.end_date()));
  Json siae = Json::array();
  for (int t : a.labels().siae_types()) {
    siae.push_back(WithoutPrefix(v1::SiaeType_Name(t), "SIAE_TYPE_"));
  }
  properties["labels.siae_types"] = siae;
  SetIfNotEmpty(properties, "provenance.source", a.provenance().source());
  SetIfNotEmpty(properties, "provenance.last_verified_date",
                Date(a.provenance().has_last_verified_date(), a.provenance().last_verified_date()));
  return PointFeature(a, std::move(properties));
}

std::optional<std::string> GeoJsonPoint(const v1::Actor& a) {
  if (!a.has_coordinates()) return std::nullopt;
  Json properties;
  properties["name"] = a.display_name();
  properties["resource_name"] = a.name();
  return PointFeature(a, std::move(properties));
}

std::optional<std::string> DataInclusionStructure(const v1::Actor& a) {
  // The schema's bounds (schemas/v1/structure.json): nom 3..150 characters, description
  // 50..2000 characters; the repository refuses a record outside them.
  constexpr size_t kMaxName = 150, kMinDescription = 50, kMaxDescription = 2000;
  if (a.kind() == v1::ACTOR_KIND_STRUCTURE_TYPE) return std::nullopt;
  std::string description(absl::StripAsciiWhitespace(a.description()));
  if (Utf8Length(description) < kMinDescription) return std::nullopt;
  if (Utf8Length(description) > kMaxDescription) {
    description = Utf8Prefix(description, kMaxDescription - 1) + "…";
  }
  // "ne se terminant pas par un point".
  std::string nom = Utf8Prefix(a.display_name(), kMaxName);
  while (!nom.empty() && (nom.back() == '.' || absl::ascii_isspace(nom.back()))) nom.pop_back();
  if (Utf8Length(nom) < 3) return std::nullopt;

  Json s;
  s["source"] = "maillage";
  s["id"] = ActorNumber(a);
  s["nom"] = nom;
  s["description"] = description;
  s["date_maj"] = ParisDay(a.has_update_time() ? a.update_time() : a.create_time());
  if (a.siret().size() == 14) s["siret"] = a.siret();
  SetIfNotEmpty(s, "commune", a.address().city());
  if (a.address().postal_code().size() == 5 &&
      std::all_of(a.address().postal_code().begin(), a.address().postal_code().end(),
                  absl::ascii_isdigit)) {
    s["code_postal"] = a.address().postal_code();
  }
  if (a.address().commune_insee_code().size() == 5) {
    s["code_insee"] = a.address().commune_insee_code();
  }
  if (a.address().lines_size() > 0) {
    s["adresse"] = a.address().lines(0);
    if (a.address().lines_size() > 1) {
      std::vector<std::string> rest(a.address().lines().begin() + 1, a.address().lines().end());
      s["complement_adresse"] = absl::StrJoin(rest, ", ");
    }
  }
  if (a.has_coordinates()) {
    s["latitude"] = a.coordinates().latitude();
    s["longitude"] = a.coordinates().longitude();
  }
  SetIfNotEmpty(s, "telephone", a.phone());
  SetIfNotEmpty(s, "courriel", a.email());
  SetIfNotEmpty(s, "site_web", a.website());
  if (a.labels().siae_types_size() > 0) s["reseaux_porteurs"] = Json::array({"siae"});
  return Dump(s);
}

std::optional<std::string> SchemaOrgOrganization(const v1::Actor& a) {
  Json o;
  o["@type"] = "Organization";
  o["name"] = a.display_name();
  SetIfNotEmpty(o, "legalName", a.legal_name());
  SetIfNotEmpty(o, "description", a.description());
  SetIfNotEmpty(o, "url", a.website());
  SetIfNotEmpty(o, "email", a.email());
  SetIfNotEmpty(o, "telephone", a.phone());
  const v1::PostalAddress& address = a.address();
  if (address.lines_size() > 0 || !address.postal_code().empty() || !address.city().empty()) {
    Json postal;
    postal["@type"] = "PostalAddress";
    std::vector<std::string> lines(address.lines().begin(), address.lines().end());
    SetIfNotEmpty(postal, "streetAddress", absl::StrJoin(lines, ", "));
    SetIfNotEmpty(postal, "postalCode", address.postal_code());
    SetIfNotEmpty(postal, "addressLocality", address.city());
    postal["addressCountry"] = "FR";
    o["address"] = std::move(postal);
  }
  // schema.org puts coordinates on a Place (Organization has no `geo`): its `location`.
  if (a.has_coordinates()) {
    o["location"] = {{"@type", "Place"},
                     {"geo",
                      {{"@type", "GeoCoordinates"},
                       {"latitude", a.coordinates().latitude()},
                       {"longitude", a.coordinates().longitude()}}}};
  }
  // The actor's own name in maillage first, then its official identifiers. (No @id: a
  // relative IRI means nothing outside this document.)
  Json identifiers = Json::array();
  for (const auto& [id, value] : {std::pair<const char*, const std::string&>{"maillage", a.name()},
                                  {"SIREN", a.siren()},
                                  {"SIRET", a.siret()},
                                  {"RNA", a.rna()}}) {
    if (!value.empty()) {
      identifiers.push_back({{"@type", "PropertyValue"}, {"propertyID", id}, {"value", value}});
    }
  }
  if (!identifiers.empty()) o["identifier"] = std::move(identifiers);
  if (a.themes_size() > 0) o["keywords"] = Strings(a.themes());
  return Dump(o);
}

std::optional<std::string> GoGoCartoElement(const v1::Actor& a) {
  Json e;
  e["id"] = a.name();
  e["name"] = a.display_name();
  if (a.has_coordinates()) {
    e["geo"] = {{"latitude", a.coordinates().latitude()},
                {"longitude", a.coordinates().longitude()}};
  }
  const v1::PostalAddress& address = a.address();
  if (address.lines_size() > 0 || !address.postal_code().empty() || !address.city().empty()) {
    std::vector<std::string> lines(address.lines().begin(), address.lines().end());
    Json postal;
    SetIfNotEmpty(postal, "streetAddress", absl::StrJoin(lines, ", "));
    SetIfNotEmpty(postal, "addressLocality", address.city());
    SetIfNotEmpty(postal, "postalCode", address.postal_code());
    postal["addressCountry"] = "FR";
    e["address"] = std::move(postal);
  }
  Json categories = Strings(a.network_categories());
  for (const std::string& theme : a.themes()) categories.push_back(theme);
  e["categories"] = std::move(categories);
  SetIfNotEmpty(e, "description", a.description());
  SetIfNotEmpty(e, "email", a.email());
  SetIfNotEmpty(e, "telephone", a.phone());
  SetIfNotEmpty(e, "website", a.website());
  return Dump(e);
}

const ActorDocumentFormat* FindActorDocumentFormat(v1::ExportFormat format) {
  static const ActorDocumentFormat kGeoJson{"application/geo+json",
                                            "{\"type\":\"FeatureCollection\",\"features\":[",
                                            ",",
                                            "]}",
                                            true,
                                            false,
                                            &GeoJsonFeature};
  static const ActorDocumentFormat kGeoJsonPoints{"application/geo+json",
                                                  "{\"type\":\"FeatureCollection\",\"features\":[",
                                                  ",",
                                                  "]}",
                                                  true,
                                                  true,
                                                  &GeoJsonPoint};
  static const ActorDocumentFormat kDataInclusion{
      "application/json", "[", ",", "]", false, false, &DataInclusionStructure};
  static const ActorDocumentFormat kJsonLd{"application/ld+json",
                                           "{\"@context\":\"https://schema.org\",\"@graph\":[",
                                           ",",
                                           "]}",
                                           false,
                                           false,
                                           &SchemaOrgOrganization};
  static const ActorDocumentFormat kGoGoCarto{"application/json", "[", ",", "]", false, false,
                                              &GoGoCartoElement};
  switch (format) {
    case v1::EXPORT_FORMAT_GEOJSON:
      return &kGeoJson;
    case v1::EXPORT_FORMAT_GEOJSON_POINTS:
      return &kGeoJsonPoints;
    case v1::EXPORT_FORMAT_DATA_INCLUSION:
      return &kDataInclusion;
    case v1::EXPORT_FORMAT_JSON_LD:
      return &kJsonLd;
    case v1::EXPORT_FORMAT_GOGOCARTO:
      return &kGoGoCarto;
    default:
      return nullptr;
  }
}

}  // namespace maillage::directory
