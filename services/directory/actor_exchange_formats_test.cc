// The JSON exports read back with a JSON parser and held to each format's rules (the published
// schemas themselves are applied by tests/formats/validate.mjs in the e2e suite).
#include "services/directory/actor_exchange_formats.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace maillage::directory {
namespace {

using Json = nlohmann::json;

v1::Actor FullActor() {
  v1::Actor a;
  a.set_name("actors/42");
  a.set_display_name("Recyclerie de Chenôve.");
  a.set_legal_name("Association La Recyclerie");
  a.set_description(
      "Collecte, remise en état et revente d'objets du quotidien, ateliers de réparation et "
      "chantier d'insertion.");
  a.set_website("https://recyclerie.example.org");
  a.set_email("contact@recyclerie.example.org");
  a.set_phone("03 80 00 00 00");
  a.mutable_address()->add_lines("2 rue des Corroyeurs");
  a.mutable_address()->add_lines("Bâtiment B");
  a.mutable_address()->set_postal_code("21300");
  a.mutable_address()->set_city("Chenôve");
  a.mutable_address()->set_commune_insee_code("21166");
  a.mutable_coordinates()->set_latitude(47.2931);
  a.mutable_coordinates()->set_longitude(5.0083);
  a.set_siren("356000000");
  a.set_siret("35600000000048");
  a.set_rna("W212001234");
  a.set_ess_family(v1::ESS_FAMILY_ASSOCIATION);
  a.add_network_categories("iae");
  a.add_themes("reemploi");
  a.add_themes("insertion");
  a.mutable_labels()->add_siae_types(v1::SIAE_TYPE_ACI);
  a.mutable_update_time()->set_seconds(1796599200);  // 2026-12-06T23:20:00Z = 7 Dec in Paris
  return a;
}

TEST(ActorExchangeFormatsTest, GeoJsonFeatureIsTitledAndTyped) {
  Json f = Json::parse(*GeoJsonFeature(FullActor()));
  EXPECT_EQ(f["type"], "Feature");
  EXPECT_EQ(f["id"], 42);
  EXPECT_EQ(f["geometry"]["coordinates"], Json::array({5.0083, 47.2931}));
  const Json& p = f["properties"];
  EXPECT_EQ(p["name"], "Recyclerie de Chenôve.");
  EXPECT_EQ(p["resource_name"], "actors/42");
  EXPECT_EQ(p["themes"], Json::array({"reemploi", "insertion"}));
  EXPECT_EQ(p["address.lines"], Json::array({"2 rue des Corroyeurs", "Bâtiment B"}));
  EXPECT_EQ(p["labels.siae_types"], Json::array({"ACI"}));
  EXPECT_EQ(p["ess_family"], "ASSOCIATION");
  EXPECT_FALSE(p.contains("legal_category_code")) << "unset values are left out";
  v1::Actor nowhere = FullActor();
  nowhere.clear_coordinates();
  EXPECT_FALSE(GeoJsonFeature(nowhere).has_value());
}

TEST(ActorExchangeFormatsTest, GeoJsonPointHoldsTheTitleAndTheNameOnly) {
  Json f = Json::parse(*GeoJsonPoint(FullActor()));
  EXPECT_EQ(f["id"], 42);
  EXPECT_EQ(f["geometry"]["coordinates"], Json::array({5.0083, 47.2931}));
  EXPECT_EQ(f["properties"],
            (Json{{"name", "Recyclerie de Chenôve."}, {"resource_name", "actors/42"}}));
  v1::Actor nowhere = FullActor();
  nowhere.clear_coordinates();
  EXPECT_FALSE(GeoJsonPoint(nowhere).has_value());
}

TEST(ActorExchangeFormatsTest, DataInclusionStructureHasTheRequiredFields) {
  Json s = Json::parse(*DataInclusionStructure(FullActor()));
  for (const char* required : {"source", "id", "nom", "description", "date_maj"}) {
    ASSERT_TRUE(s.contains(required)) << required;
    EXPECT_TRUE(s[required].is_string()) << required;
  }
  EXPECT_EQ(s["id"], "42");
  EXPECT_EQ(s["nom"], "Recyclerie de Chenôve") << "no final dot";
  EXPECT_EQ(s["date_maj"], "2026-12-07");
  EXPECT_EQ(s["siret"], "35600000000048");
  EXPECT_EQ(s["code_postal"], "21300");
  EXPECT_EQ(s["code_insee"], "21166");
  EXPECT_EQ(s["adresse"], "2 rue des Corroyeurs");
  EXPECT_EQ(s["complement_adresse"], "Bâtiment B");
  EXPECT_TRUE(s["latitude"].is_number());
  EXPECT_EQ(s["reseaux_porteurs"], Json::array({"siae"}));
  EXPECT_FALSE(s.contains("rna")) << "not a field of the v1 structure schema";

  v1::Actor brief = FullActor();
  brief.set_description("Trop court.");
  EXPECT_FALSE(DataInclusionStructure(brief).has_value());
  v1::Actor kind = FullActor();
  kind.set_kind(v1::ACTOR_KIND_STRUCTURE_TYPE);
  EXPECT_FALSE(DataInclusionStructure(kind).has_value());
  v1::Actor wordy = FullActor();
  wordy.set_description(std::string(2500, 'x'));
  Json cut = Json::parse(*DataInclusionStructure(wordy));
  EXPECT_EQ(cut["description"].get<std::string>().size(), 1999 + std::string("…").size());
}

TEST(ActorExchangeFormatsTest, SchemaOrgOrganization) {
  Json o = Json::parse(*SchemaOrgOrganization(FullActor()));
  EXPECT_EQ(o["@type"], "Organization");
  EXPECT_EQ(o["name"], "Recyclerie de Chenôve.");
  EXPECT_EQ(o["legalName"], "Association La Recyclerie");
  EXPECT_EQ(o["url"], "https://recyclerie.example.org");
  EXPECT_EQ(o["address"]["@type"], "PostalAddress");
  EXPECT_EQ(o["address"]["streetAddress"], "2 rue des Corroyeurs, Bâtiment B");
  EXPECT_EQ(o["address"]["addressCountry"], "FR");
  EXPECT_FALSE(o.contains("geo")) << "not a property of Organization";
  EXPECT_EQ(o["location"]["@type"], "Place");
  EXPECT_EQ(o["location"]["geo"]["@type"], "GeoCoordinates");
  ASSERT_EQ(o["identifier"].size(), 4u);
  EXPECT_EQ(o["identifier"][0]["value"], "actors/42");
  EXPECT_EQ(o["identifier"][2]["propertyID"], "SIRET");
  EXPECT_FALSE(o.contains("@id")) << "a relative IRI would not survive JSON-LD expansion";
  EXPECT_EQ(o["keywords"], Json::array({"reemploi", "insertion"}));
}

TEST(ActorExchangeFormatsTest, GoGoCartoElement) {
  Json e = Json::parse(*GoGoCartoElement(FullActor()));
  EXPECT_EQ(e["id"], "actors/42");
  EXPECT_EQ(e["name"], "Recyclerie de Chenôve.");
  EXPECT_DOUBLE_EQ(e["geo"]["latitude"].get<double>(), 47.2931);
  EXPECT_EQ(e["address"]["postalCode"], "21300");
  EXPECT_EQ(e["address"]["addressLocality"], "Chenôve");
  EXPECT_EQ(e["categories"], Json::array({"iae", "reemploi", "insertion"}));
  EXPECT_EQ(e["telephone"], "03 80 00 00 00");
}

TEST(ActorExchangeFormatsTest, DocumentsAreValidJson) {
  for (v1::ExportFormat format :
       {v1::EXPORT_FORMAT_GEOJSON, v1::EXPORT_FORMAT_GEOJSON_POINTS,
        v1::EXPORT_FORMAT_DATA_INCLUSION, v1::EXPORT_FORMAT_JSON_LD, v1::EXPORT_FORMAT_GOGOCARTO}) {
    const ActorDocumentFormat* f = FindActorDocumentFormat(format);
    ASSERT_NE(f, nullptr);
    std::string doc = std::string(f->header) + *f->item(FullActor()) + f->separator +
                      *f->item(FullActor()) + f->footer;
    EXPECT_NO_THROW(Json::parse(doc)) << doc;
    std::string empty = std::string(f->header) + f->footer;
    EXPECT_NO_THROW(Json::parse(empty)) << empty;
  }
  EXPECT_EQ(FindActorDocumentFormat(v1::EXPORT_FORMAT_CSV), nullptr);
}

}  // namespace
}  // namespace maillage::directory
