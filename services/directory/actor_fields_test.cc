// Tests of the Actor field rules without a database: normalisation, every shape check with
// the identifier vectors of DOMAIN.md, and update masks.
#include "services/directory/actor_fields.h"

#include <set>
#include <string>

#include "common/api/update_mask.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::directory {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAreArray;
using v1::Actor;

// The field paths named by the violations of `actor` once normalised.
std::set<std::string> BadFields(Actor actor) {
  NormalizeActor(actor);
  FieldViolations violations;
  CheckActorFields(actor, "actor.", violations);
  std::set<std::string> fields;
  absl::Status status = violations.ToStatus(kDomain);
  if (auto bad = GetBadRequest(status)) {
    for (const auto& v : bad->field_violations()) fields.insert(v.field());
  }
  return fields;
}

Actor Named(const std::string& name) {
  Actor actor;
  actor.set_display_name(name);
  return actor;
}

TEST(ActorFieldsTest, MinimalActorIsValid) { EXPECT_TRUE(BadFields(Named("PES 21")).empty()); }

TEST(ActorFieldsTest, DisplayNameIsRequiredAfterTrimming) {
  EXPECT_EQ(BadFields(Named("   ")), std::set<std::string>{"actor.display_name"});
}

TEST(ActorFieldsTest, IdentifierVectorsOfTheDomain) {
  struct Case {
    std::string siren, siret, rna;
    bool valid;
  } cases[] = {
      {"356000000", "", "", true},        // SIREN of La Poste
      {"242100410", "", "", true},        // Dijon Métropole
      {"242100411", "", "", false},       // Luhn fails
      {"", "35600000049837", "", true},   // valid only by the La Poste rule
      {"", "35600000000048", "", true},   // valid by Luhn
      {"", "35600000049838", "", false},  // neither
      {"", "", "W9P1002760", true},       // overseas RNA with a letter
      {"", "", "W212001234", true},
      {"", "", "W21200123", false},  // too short
      {"", "", "X212001234", false},
      {"356 000 000", "356 000 000 00048", " w212001234 ", true},  // typed with spaces
  };
  for (const Case& c : cases) {
    Actor actor = Named("A");
    actor.set_siren(c.siren);
    actor.set_siret(c.siret);
    actor.set_rna(c.rna);
    EXPECT_EQ(BadFields(actor).empty(), c.valid)
        << "siren=" << c.siren << " siret=" << c.siret << " rna=" << c.rna;
  }
}

TEST(ActorFieldsTest, SiretMustStartWithTheSiren) {
  Actor actor = Named("A");
  actor.set_siren("242100410");
  actor.set_siret("35600000000048");
  EXPECT_EQ(BadFields(actor), std::set<std::string>{"actor.siret"});
}

TEST(ActorFieldsTest, SirenIsFilledFromTheSiret) {
  Actor actor = Named("A");
  actor.set_siret("356 000 000 00048");
  NormalizeActor(actor);
  EXPECT_EQ(actor.siret(), "35600000000048");
  EXPECT_EQ(actor.siren(), "356000000");
}

TEST(ActorFieldsTest, StructureTypeCarriesNoIdentifier) {
  Actor actor = Named("CAE");
  actor.set_kind(v1::ACTOR_KIND_STRUCTURE_TYPE);
  EXPECT_TRUE(BadFields(actor).empty());
  actor.set_rna("W212001234");
  EXPECT_EQ(BadFields(actor), std::set<std::string>{"actor.rna"});
}

TEST(ActorFieldsTest, EveryBadFieldIsNamedAtOnce) {
  Actor actor;
  actor.set_website("ftp://example.org");
  actor.set_email("not an email");
  actor.set_phone("call me");
  actor.set_legal_category_code("92");
  actor.set_naf_code("8899");
  actor.mutable_address()->set_postal_code("2100");
  actor.mutable_address()->set_commune_insee_code("21 000 Dijon");
  actor.mutable_coordinates()->set_latitude(91);
  actor.mutable_coordinates()->set_longitude(-181);
  actor.mutable_labels()->mutable_esus_agrement()->mutable_end_date()->set_year(2020);
  actor.mutable_labels()->add_siae_types(v1::SIAE_TYPE_UNSPECIFIED);
  actor.set_ess_family(static_cast<v1::EssFamily>(42));
  EXPECT_THAT(
      BadFields(actor),
      UnorderedElementsAreArray(std::set<std::string>{
          "actor.display_name", "actor.website", "actor.email", "actor.phone",
          "actor.legal_category_code", "actor.naf_code", "actor.address.postal_code",
          "actor.address.commune_insee_code", "actor.coordinates.latitude",
          "actor.coordinates.longitude", "actor.labels.esus_agrement.start_date",
          "actor.labels.esus_agrement.end_date", "actor.labels.siae_types", "actor.ess_family"}));
}

TEST(ActorFieldsTest, LengthsAreCountedInCharacters) {
  EXPECT_TRUE(BadFields(Named(std::string(200, 'a'))).empty());
  std::string accented;
  for (int i = 0; i < 200; ++i) accented += "é";  // 400 bytes, 200 characters
  EXPECT_TRUE(BadFields(Named(accented)).empty());
  EXPECT_EQ(BadFields(Named(std::string(201, 'a'))), std::set<std::string>{"actor.display_name"});
  Actor big = Named("A");
  big.set_description(std::string(1 << 20, 'x'));
  EXPECT_EQ(BadFields(big), std::set<std::string>{"actor.description"});
}

TEST(ActorFieldsTest, InvalidUtf8IsRefused) {
  Actor actor = Named("A");
  actor.set_legal_name("caf\xC3");  // truncated sequence
  EXPECT_EQ(BadFields(actor), std::set<std::string>{"actor.legal_name"});
}

TEST(ActorFieldsTest, NafCodeIsWrittenWithItsDot) {
  Actor actor = Named("A");
  actor.set_naf_code("8899b");
  NormalizeActor(actor);
  EXPECT_EQ(actor.naf_code(), "88.99B");
  EXPECT_TRUE(BadFields(actor).empty());
}

TEST(ActorFieldsTest, DuplicateCodesAreRemovedAndOutputOnlyFieldsCleared) {
  Actor actor = Named("A");
  actor.add_themes("habitat");
  actor.add_themes("habitat");
  actor.add_network_categories("iae");
  actor.set_state(v1::ACTOR_STATE_MERGED);
  actor.set_merged_into("actors/1");
  NormalizeActor(actor);
  EXPECT_THAT(actor.themes(), ElementsAre("habitat"));
  EXPECT_EQ(actor.state(), v1::ACTOR_STATE_UNSPECIFIED);
  EXPECT_EQ(actor.merged_into(), "");
  EXPECT_EQ(actor.kind(), v1::ACTOR_KIND_ORGANISATION);
}

TEST(ActorFieldsTest, MaskReplacesOnlyItsPaths) {
  Actor current = Named("Ancien");
  current.set_description("garde");
  current.mutable_address()->set_city("Dijon");
  current.mutable_address()->set_postal_code("21000");
  Actor patch = Named("Nouveau");
  patch.set_description("ignorée");
  patch.mutable_address()->set_city("Dijon Cedex");
  google::protobuf::FieldMask mask;
  mask.add_paths("display_name");
  mask.add_paths("address.city");
  absl::StatusOr<Actor> result = api::ApplyUpdateMask(current, patch, mask, kDomain);
  ASSERT_THAT(result, IsOk()) << result.status();
  EXPECT_EQ(result->display_name(), "Nouveau");
  EXPECT_EQ(result->description(), "garde");
  EXPECT_EQ(result->address().city(), "Dijon Cedex");
  EXPECT_EQ(result->address().postal_code(), "21000");
}

TEST(ActorFieldsTest, StarReplacesEverything) {
  Actor current = Named("Ancien");
  current.set_description("effacée");
  google::protobuf::FieldMask mask;
  mask.add_paths("*");
  absl::StatusOr<Actor> result = api::ApplyUpdateMask(current, Named("Nouveau"), mask, kDomain);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->description(), "");
}

TEST(ActorFieldsTest, EmptyMaskTakesTheFieldsSet) {
  Actor current = Named("Ancien");
  current.set_description("garde");
  Actor patch;
  patch.set_email("contact@pes21.fr");
  patch.set_etag("3");
  absl::StatusOr<Actor> result = api::ApplyUpdateMask(current, patch, {}, kDomain);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->display_name(), "Ancien");
  EXPECT_EQ(result->email(), "contact@pes21.fr");
}

TEST(ActorFieldsTest, UnknownPathsAreRefusedAndOutputOnlyOnesIgnored) {
  for (const char* path : {"colour", "address.colour", "themes.x"}) {
    google::protobuf::FieldMask mask;
    mask.add_paths(path);
    absl::StatusOr<Actor> result = api::ApplyUpdateMask(Named("A"), Named("B"), mask, kDomain);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << path;
  }
  Actor current = Named("A");
  current.set_state(v1::ACTOR_STATE_ARCHIVED);
  current.mutable_provenance()->set_source("sirene");
  current.mutable_provenance()->mutable_sirene_extract_date()->set_year(2024);
  Actor patch = Named("B");
  patch.set_state(v1::ACTOR_STATE_ACTIVE);
  patch.mutable_provenance()->set_source("saisie");
  google::protobuf::FieldMask mask;
  for (const char* path :
       {"state", "create_time", "provenance", "provenance.sirene_extract_date"}) {
    mask.add_paths(path);
  }
  absl::StatusOr<Actor> result = api::ApplyUpdateMask(current, patch, mask, kDomain);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->state(), v1::ACTOR_STATE_ARCHIVED);
  EXPECT_EQ(result->provenance().source(), "saisie");
  EXPECT_EQ(result->provenance().sirene_extract_date().year(), 2024);  // output-only part kept
  EXPECT_EQ(result->display_name(), "A");
}

}  // namespace
}  // namespace maillage::directory
