// CSV cells and GeoJSON features of actors (see actor_csv.h).
#include "services/directory/actor_csv.h"

#include <charconv>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/db/values.h"
#include "common/log/log.h"

namespace maillage::directory {
namespace {

std::string WithoutPrefix(const std::string& name, absl::string_view prefix) {
  absl::string_view view = name;
  absl::ConsumePrefix(&view, prefix);
  return std::string(view);
}

// The shortest text that reads back as the same double.
std::string Number(double value) {
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

}  // namespace

const std::vector<std::string>& ActorCsvColumns() {
  static const auto* const kColumns =
      new std::vector<std::string>{"name",
                                   "display_name",
                                   "legal_name",
                                   "description",
                                   "kind",
                                   "website",
                                   "email",
                                   "phone",
                                   "address.lines",
                                   "address.postal_code",
                                   "address.city",
                                   "address.commune_insee_code",
                                   "coordinates.latitude",
                                   "coordinates.longitude",
                                   "siren",
                                   "siret",
                                   "rna",
                                   "legal_category_code",
                                   "naf_code",
                                   "ess_family",
                                   "network_categories",
                                   "themes",
                                   "labels.esus_agrement.start_date",
                                   "labels.esus_agrement.end_date",
                                   "labels.siae_types",
                                   "provenance.source",
                                   "provenance.last_verified_date"};
  return *kColumns;
}

std::vector<std::string> ActorCsvCells(const v1::Actor& a) {
  std::vector<std::string> siae;
  for (int t : a.labels().siae_types())
    siae.push_back(WithoutPrefix(v1::SiaeType_Name(t), "SIAE_TYPE_"));
  const v1::EsusAgrement& esus = a.labels().esus_agrement();
  return {
      a.name(),
      a.display_name(),
      a.legal_name(),
      a.description(),
      WithoutPrefix(v1::ActorKind_Name(a.kind()), "ACTOR_KIND_"),
      a.website(),
      a.email(),
      a.phone(),
      absl::StrJoin(a.address().lines(), "|"),
      a.address().postal_code(),
      a.address().city(),
      a.address().commune_insee_code(),
      a.has_coordinates() ? Number(a.coordinates().latitude()) : "",
      a.has_coordinates() ? Number(a.coordinates().longitude()) : "",
      a.siren(),
      a.siret(),
      a.rna(),
      a.legal_category_code(),
      a.naf_code(),
      a.ess_family() == v1::ESS_FAMILY_UNSPECIFIED
          ? ""
          : WithoutPrefix(v1::EssFamily_Name(a.ess_family()), "ESS_FAMILY_"),
      absl::StrJoin(a.network_categories(), "|"),
      absl::StrJoin(a.themes(), "|"),
      db::DateParam(esus.has_start_date(), esus.start_date()),
      db::DateParam(esus.has_end_date(), esus.end_date()),
      absl::StrJoin(siae, "|"),
      a.provenance().source(),
      db::DateParam(a.provenance().has_last_verified_date(), a.provenance().last_verified_date())};
}

std::string CsvLine(const std::vector<std::string>& cells, char separator) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) line += separator;
    const std::string& cell = cells[i];
    if (cell.find_first_of(std::string("\"\r\n") + separator) == std::string::npos) {
      line += cell;
      continue;
    }
    line += '"';
    for (char c : cell) {
      if (c == '"') line += '"';
      line += c;
    }
    line += '"';
  }
  return line + "\r\n";
}

std::string GeoJsonFeature(const v1::Actor& actor) {
  std::string out =
      absl::StrCat("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[",
                   Number(actor.coordinates().longitude()), ",",
                   Number(actor.coordinates().latitude()), "]},\"properties\":{");
  const std::vector<std::string>& columns = ActorCsvColumns();
  std::vector<std::string> cells = ActorCsvCells(actor);
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) out += ',';
    log::AppendJsonString(out, columns[i]);
    out += ':';
    log::AppendJsonString(out, cells[i]);
  }
  return out + "}}";
}

}  // namespace maillage::directory
