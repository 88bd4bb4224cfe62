// Integration tests of the directory's actor methods, change feed and reference lists, through
// the generated stub against an in-process server on a real PostgreSQL.
#include <atomic>
#include <set>
#include <thread>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/api/pagination.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/directory/change_feed.h"
#include "services/directory/directory_test_fixture.h"

using maillage::testing::IsOk;

namespace maillage::directory {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;
using v1::Actor;

class ActorsTest : public DirectoryTest {
 protected:
  grpc::Status Create(const Actor& actor, Actor* out, const std::string& request_id = "") {
    v1::CreateActorRequest request;
    *request.mutable_actor() = actor;
    request.set_request_id(request_id);
    return stub_->CreateActor(Context().get(), request, out);
  }

  v1::ListActorsResponse List(const std::string& filter, int page_size = 0,
                              const std::string& order_by = "", const std::string& token = "") {
    v1::ListActorsRequest request;
    request.set_filter(filter);
    request.set_page_size(page_size);
    request.set_order_by(order_by);
    request.set_page_token(token);
    v1::ListActorsResponse response;
    grpc::Status status = stub_->ListActors(Context().get(), request, &response);
    EXPECT_THAT(status, IsOk()) << filter << ": " << status.error_message();
    return response;
  }

  std::vector<std::string> Names(const v1::ListActorsResponse& response) {
    std::vector<std::string> names;
    for (const Actor& a : response.actors()) names.push_back(a.display_name());
    return names;
  }

  std::vector<v1::Change> AllChanges() {
    v1::ListChangesRequest request;
    request.set_page_size(1000);
    v1::ListChangesResponse response;
    EXPECT_THAT(stub_->ListChanges(Context().get(), request, &response), IsOk());
    return {response.changes().begin(), response.changes().end()};
  }
};

TEST_F(ActorsTest, CreateThenGetReturnsEveryField) {
  Actor actor;
  actor.set_display_name("  Pôle d'Economie Solidaire 21 ");
  actor.set_legal_name("PES 21");
  actor.set_description("Réseau des acteurs de l'ESS");
  actor.set_website("https://pes21.fr");
  actor.set_email("contact@pes21.fr");
  actor.set_phone("+33 3 80 00 00 00");
  actor.mutable_address()->add_lines("2 rue des Corroyeurs");
  actor.mutable_address()->set_postal_code("21000");
  actor.mutable_address()->set_city("Dijon");
  actor.mutable_address()->set_commune_insee_code("21231");
  actor.mutable_coordinates()->set_latitude(47.3215806);
  actor.mutable_coordinates()->set_longitude(5.0414701);
  actor.set_siret("356 000 000 00048");
  actor.set_rna("W212001234");
  actor.set_legal_category_code("9220");
  actor.set_naf_code("8899B");
  actor.set_ess_family(v1::ESS_FAMILY_ASSOCIATION);
  actor.add_network_categories("tetes-de-reseau");
  actor.add_themes("alimentation-durable");
  actor.add_themes("circuits-courts");
  actor.mutable_labels()->mutable_esus_agrement()->mutable_start_date()->set_year(2020);
  actor.mutable_labels()->mutable_esus_agrement()->mutable_start_date()->set_month(1);
  actor.mutable_labels()->mutable_esus_agrement()->mutable_start_date()->set_day(31);
  actor.mutable_labels()->add_siae_types(v1::SIAE_TYPE_ACI);
  actor.mutable_provenance()->set_source("manual");
  actor.set_state(v1::ACTOR_STATE_MERGED);  // output only: ignored
  Actor created;
  ASSERT_THAT(Create(actor, &created), IsOk());
  EXPECT_THAT(created.name(), ::testing::StartsWith("actors/"));
  EXPECT_EQ(created.display_name(), "Pôle d'Economie Solidaire 21");
  EXPECT_EQ(created.state(), v1::ACTOR_STATE_ACTIVE);
  EXPECT_EQ(created.siren(), "356000000");
  EXPECT_EQ(created.naf_code(), "88.99B");
  EXPECT_EQ(created.etag(), "1");
  EXPECT_GT(created.create_time().seconds(), 1600000000);

  v1::GetActorRequest get;
  get.set_name(created.name());
  Actor read;
  ASSERT_THAT(stub_->GetActor(Context().get(), get, &read), IsOk());
  EXPECT_EQ(read.SerializeAsString(), created.SerializeAsString());
  EXPECT_DOUBLE_EQ(read.coordinates().longitude(), 5.0414701);
  EXPECT_EQ(read.labels().esus_agrement().start_date().day(), 31);
  EXPECT_THAT(read.themes(), ElementsAre("alimentation-durable", "circuits-courts"));
}

TEST_F(ActorsTest, GetUnknownOrMalformedName) {
  v1::GetActorRequest get;
  Actor read;
  get.set_name("actors/999");
  grpc::Status status = stub_->GetActor(Context().get(), get, &read);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Reason(status), "ACTOR_NOT_FOUND");
  get.set_name("actors/abc");
  EXPECT_EQ(stub_->GetActor(Context().get(), get, &read).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ActorsTest, BatchGetKeepsTheOrderAndFailsOnUnknown) {
  Actor a = CreateActor("A"), b = CreateActor("B");
  v1::BatchGetActorsRequest request;
  request.add_names(b.name());
  request.add_names(a.name());
  request.add_names(b.name());
  v1::BatchGetActorsResponse response;
  ASSERT_THAT(stub_->BatchGetActors(Context().get(), request, &response), IsOk());
  ASSERT_EQ(response.actors_size(), 3);
  EXPECT_EQ(response.actors(0).display_name(), "B");
  EXPECT_EQ(response.actors(1).display_name(), "A");
  request.add_names("actors/424242");
  grpc::Status status = stub_->BatchGetActors(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("actors/424242"));
}

TEST_F(ActorsTest, InvalidInputNamesEveryFieldAndWritesNothing) {
  Actor actor;
  actor.set_siren("123456789");
  actor.set_siret("12345678901234");
  actor.set_rna("W12345");
  actor.mutable_address()->set_commune_insee_code("75056");  // Paris: not the territory
  actor.add_network_categories("inconnue");
  actor.add_themes("nope");
  actor.set_email("x");
  Actor out;
  grpc::Status status = Create(actor, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(status),
              UnorderedElementsAre("actor.display_name", "actor.siren", "actor.siret", "actor.rna",
                                   "actor.address.commune_insee_code", "actor.network_categories",
                                   "actor.themes", "actor.email"));
  EXPECT_EQ(CountRows("actors"), 0);
  EXPECT_EQ(CountRows("changes"), 0);
}

TEST_F(ActorsTest, DomainIdentifierVectorsThroughTheApi) {
  Actor out;
  Actor poste;
  poste.set_display_name("La Poste");
  poste.set_siret("35600000049837");  // valid only by the La Poste rule
  EXPECT_THAT(Create(poste, &out), IsOk());
  Actor metropole;
  metropole.set_display_name("Dijon Métropole");
  metropole.set_siren("242100410");
  metropole.set_ess_family(v1::ESS_FAMILY_OUTSIDE_ESS);
  EXPECT_THAT(Create(metropole, &out), IsOk());
  Actor overseas;
  overseas.set_display_name("Association ultramarine");
  overseas.set_rna("W9P1002760");
  EXPECT_THAT(Create(overseas, &out), IsOk());
  Actor luhn;
  luhn.set_display_name("Établissement Luhn");
  luhn.set_siret("35600000000048");
  EXPECT_THAT(Create(luhn, &out), IsOk());
  Actor bad;
  bad.set_display_name("Mauvais");
  bad.set_siret("35600000049838");
  EXPECT_EQ(Create(bad, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ActorsTest, FormerCommuneCodeIsStoredAsTheCurrentOne) {
  Actor actor = CreateActor("Ferme de Crimolois",
                            [](Actor& a) { a.mutable_address()->set_commune_insee_code("21213"); });
  EXPECT_EQ(actor.address().commune_insee_code(), "21452");
}

TEST_F(ActorsTest, OversizedFieldsAreRefusedWithNothingWritten) {
  Actor actor;
  actor.set_display_name("A");
  actor.set_description(std::string(2 << 20, 'x'));  // 2 MB, far above 10,000 characters
  actor.set_legal_name(std::string(301, 'y'));
  Actor out;
  grpc::Status status = Create(actor, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(status), UnorderedElementsAre("actor.description", "actor.legal_name"));
  EXPECT_EQ(CountRows("actors"), 0);
}

TEST_F(ActorsTest, InvalidUtf8IsRefusedWithNothingWritten) {
  Actor actor;
  actor.set_display_name("Caf\xC3");
  Actor out;
  grpc::Status status = Create(actor, &out);
  // Refused before the handler runs (protobuf does not parse it), answered by the server's
  // interceptor (common/server/utf8_fields.h); CheckActorFields refuses it too in process.
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(BadFields(status), ElementsAre("actor.display_name"));
  actor.set_display_name("Café");
  actor.mutable_address()->add_lines("12 rue de la Libert\xE9");  // Latin-1
  status = Create(actor, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(BadFields(status), ElementsAre("actor.address.lines"));
  EXPECT_EQ(CountRows("actors"), 0);
  EXPECT_EQ(CountRows("changes"), 0);
}

TEST_F(ActorsTest, TenMegabyteFieldIsRefusedByTheTransportWithNothingWritten) {
  // Over the 8 MB message limit of every maillage server (common/server/server.h): the
  // transport refuses the call before the service (RESOURCE_EXHAUSTED, no field to name);
  // under it, the service names the field (OversizedFieldsAreRefusedWithNothingWritten).
  Actor actor;
  actor.set_display_name("A");
  actor.set_description(std::string(10 << 20, 'x'));
  Actor out;
  grpc::Status status = Create(actor, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  actor.set_description(std::string(7 << 20, 'x'));
  status = Create(actor, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(BadFields(status), ElementsAre("actor.description"));
  EXPECT_EQ(CountRows("actors"), 0);
  EXPECT_EQ(CountRows("changes"), 0);
}

TEST_F(ActorsTest, NegativePageSizeIsRefusedNamingTheFieldOnEveryList) {
  auto expect_bad = [&](const char* method, const grpc::Status& status) {
    SCOPED_TRACE(method);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_THAT(BadFields(status), ElementsAre("page_size"));
  };
  {
    v1::SearchActorsRequest request;
    request.set_query("economie");
    request.set_page_size(-1);
    v1::SearchActorsResponse response;
    expect_bad("SearchActors", stub_->SearchActors(Context().get(), request, &response));
  }
  {
    v1::FindDuplicatesRequest request;
    request.set_page_size(-1);
    v1::FindDuplicatesResponse response;
    expect_bad("FindDuplicates", stub_->FindDuplicates(Context().get(), request, &response));
  }
  {
    v1::ListContactsRequest request;
    request.set_parent("actors/-");
    request.set_page_size(-1);
    v1::ListContactsResponse response;
    expect_bad("ListContacts", stub_->ListContacts(Context().get(), request, &response));
  }
  {
    v1::ListRelationshipsRequest request;
    request.set_parent(CreateActor("A").name());
    request.set_page_size(-1);
    v1::ListRelationshipsResponse response;
    expect_bad("ListRelationships", stub_->ListRelationships(Context().get(), request, &response));
  }
  {
    v1::ListChangesRequest request;
    request.set_page_size(-1);
    v1::ListChangesResponse response;
    expect_bad("ListChanges", stub_->ListChanges(Context().get(), request, &response));
  }
  {
    v1::ListCommunesRequest request;
    request.set_page_size(-1);
    v1::ListCommunesResponse response;
    expect_bad("ListCommunes", stub_->ListCommunes(Context().get(), request, &response));
  }
  {
    v1::ListThemesRequest request;
    request.set_page_size(-1);
    v1::ListThemesResponse response;
    expect_bad("ListThemes", stub_->ListThemes(Context().get(), request, &response));
  }
  {
    v1::ListNetworkCategoriesRequest request;
    request.set_page_size(-1);
    v1::ListNetworkCategoriesResponse response;
    expect_bad("ListNetworkCategories",
               stub_->ListNetworkCategories(Context().get(), request, &response));
  }
  EXPECT_EQ(CountRows("changes"), 1);  // only the creation of A
}

TEST_F(ActorsTest, SqlLookingTextIsStoredVerbatim) {
  const std::string text = "Robert'); DROP TABLE actors;-- \"$1\" \\x00 %s";
  Actor created = CreateActor(text, [&](Actor& a) { a.set_description(text); });
  v1::GetActorRequest get;
  get.set_name(created.name());
  Actor read;
  ASSERT_THAT(stub_->GetActor(Context().get(), get, &read), IsOk());
  EXPECT_EQ(read.display_name(), text);
  EXPECT_EQ(read.description(), text);
  EXPECT_EQ(List("commune = \"'; DROP TABLE actors;--\"").actors_size(), 0);
  EXPECT_EQ(CountRows("actors"), 1);
}

TEST_F(ActorsTest, DuplicatesNameTheExistingActor) {
  Actor first = CreateActor("Coopérative Alpha", [](Actor& a) {
    a.set_siret("35600000000048");
    a.set_rna("W212001234");
  });
  struct Case {
    std::function<void(Actor&)> edit;
    std::string matched_by;
  } cases[] = {
      {[](Actor& a) { a.set_siret("35600000000048"); }, "siret"},
      {[](Actor& a) {
         a.set_display_name("cooperative ALPHA");
         a.set_siren("356000000");
       },
       "siren_and_name"},
      {[](Actor& a) { a.set_rna("w212001234"); }, "rna"},
  };
  for (const Case& c : cases) {
    Actor actor;
    actor.set_display_name("Autre nom");
    c.edit(actor);
    Actor out;
    grpc::Status status = Create(actor, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << c.matched_by;
    auto info = GetErrorInfo(FromGrpcStatus(status));
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->reason(), "ACTOR_ALREADY_EXISTS");
    EXPECT_EQ(info->metadata().at("existing_actor"), first.name());
    EXPECT_EQ(info->metadata().at("matched_by"), c.matched_by);
  }
  // Same SIREN with another name is another establishment: allowed.
  Actor other;
  other.set_display_name("Coopérative Alpha — antenne");
  other.set_siren("356000000");
  Actor out;
  EXPECT_THAT(Create(other, &out), IsOk());
}

TEST_F(ActorsTest, RequestIdReplaysTheOriginalResult) {
  const std::string id = "0f8e5c1a-5b0e-4c4e-9a57-2d1f6c3b9e11";
  Actor actor;
  actor.set_display_name("Idempotent");
  Actor first, second;
  ASSERT_THAT(Create(actor, &first, id), IsOk());
  ASSERT_THAT(Create(actor, &second, id), IsOk());
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(CountRows("actors"), 1);
  actor.set_display_name("Autre requête");
  Actor third;
  EXPECT_EQ(Create(actor, &third, id).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Create(actor, &third, "not-a-uuid").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ActorsTest, UpdateWithMaskAndEtag) {
  Actor created = CreateActor("Ancien nom", [](Actor& a) { a.set_description("gardée"); });
  v1::UpdateActorRequest request;
  request.mutable_actor()->set_name(created.name());
  request.mutable_actor()->set_display_name("Nouveau nom");
  request.mutable_actor()->set_description("ignorée");
  request.mutable_actor()->set_etag(created.etag());
  request.mutable_update_mask()->add_paths("display_name");
  Actor updated;
  ASSERT_THAT(stub_->UpdateActor(Context().get(), request, &updated), IsOk());
  EXPECT_EQ(updated.display_name(), "Nouveau nom");
  EXPECT_EQ(updated.description(), "gardée");
  EXPECT_EQ(updated.etag(), "2");

  // The same (now stale) etag is refused.
  grpc::Status stale = stub_->UpdateActor(Context().get(), request, &updated);
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Reason(stale), "ETAG_MISMATCH");

  // An output-only path is ignored; an unknown one is refused.
  request.mutable_update_mask()->set_paths(0, "state");
  request.mutable_actor()->clear_etag();
  request.mutable_actor()->set_state(v1::ACTOR_STATE_ARCHIVED);
  ASSERT_THAT(stub_->UpdateActor(Context().get(), request, &updated), IsOk());
  EXPECT_EQ(updated.state(), v1::ACTOR_STATE_ACTIVE);
  request.mutable_actor()->clear_state();
  request.mutable_update_mask()->set_paths(0, "colour");
  EXPECT_EQ(stub_->UpdateActor(Context().get(), request, &updated).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  request.mutable_update_mask()->set_paths(0, "siret");
  request.mutable_actor()->set_siret("123");
  grpc::Status bad = stub_->UpdateActor(Context().get(), request, &updated);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(bad), ElementsAre("actor.siret"));

  request.mutable_actor()->set_name("actors/999999");
  request.mutable_actor()->set_siret("");
  EXPECT_EQ(stub_->UpdateActor(Context().get(), request, &updated).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ActorsTest, UpdateToAnIdentifierOfAnotherActorIsAlreadyExists) {
  Actor a = CreateActor("A", [](Actor& x) { x.set_rna("W212001234"); });
  Actor b = CreateActor("B");
  v1::UpdateActorRequest request;
  request.mutable_actor()->set_name(b.name());
  request.mutable_actor()->set_rna("W212001234");
  request.mutable_update_mask()->add_paths("rna");
  Actor out;
  EXPECT_EQ(stub_->UpdateActor(Context().get(), request, &out).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  // Updating the holder itself is fine.
  request.mutable_actor()->set_name(a.name());
  EXPECT_THAT(stub_->UpdateActor(Context().get(), request, &out), IsOk());
}

TEST_F(ActorsTest, ArchiveUnarchiveAndDefaultListState) {
  Actor a = CreateActor("Archivée");
  CreateActor("Active");
  v1::ArchiveActorRequest archive;
  archive.set_name(a.name());
  Actor archived;
  ASSERT_THAT(stub_->ArchiveActor(Context().get(), archive, &archived), IsOk());
  EXPECT_EQ(archived.state(), v1::ACTOR_STATE_ARCHIVED);
  EXPECT_TRUE(archived.has_archive_time());
  // Archiving again returns it unchanged.
  Actor again;
  ASSERT_THAT(stub_->ArchiveActor(Context().get(), archive, &again), IsOk());
  EXPECT_EQ(again.etag(), archived.etag());

  EXPECT_THAT(Names(List("")), ElementsAre("Active"));
  EXPECT_THAT(Names(List("state = ARCHIVED")), ElementsAre("Archivée"));
  EXPECT_EQ(List("").total_size(), 1);

  v1::UnarchiveActorRequest unarchive;
  unarchive.set_name(a.name());
  unarchive.set_etag("1");  // stale
  Actor back;
  EXPECT_EQ(stub_->UnarchiveActor(Context().get(), unarchive, &back).error_code(),
            grpc::StatusCode::ABORTED);
  unarchive.set_etag(archived.etag());
  ASSERT_THAT(stub_->UnarchiveActor(Context().get(), unarchive, &back), IsOk());
  EXPECT_EQ(back.state(), v1::ACTOR_STATE_ACTIVE);
  EXPECT_FALSE(back.has_archive_time());
  EXPECT_EQ(List("").total_size(), 2);
}

TEST_F(ActorsTest, DeleteRemovesAnUnreferencedActorAndArchivesAReferencedOne) {
  Actor lonely = CreateActor("Seule");
  Actor member = CreateActor("Membre");
  Actor head = CreateActor("Tête de réseau");
  v1::CreateRelationshipRequest link;
  link.set_parent(member.name());
  link.mutable_relationship()->set_type(v1::RELATIONSHIP_TYPE_MEMBER_OF);
  link.mutable_relationship()->set_other_actor(head.name());
  v1::Relationship relationship;
  ASSERT_THAT(stub_->CreateRelationship(Context().get(), link, &relationship), IsOk());

  v1::DeleteActorRequest request;
  request.set_name(lonely.name());
  v1::DeleteActorResponse response;
  ASSERT_THAT(stub_->DeleteActor(Context().get(), request, &response), IsOk());
  EXPECT_EQ(response.outcome(), v1::DELETE_ACTOR_OUTCOME_DELETED);
  v1::GetActorRequest get;
  get.set_name(lonely.name());
  Actor read;
  EXPECT_EQ(stub_->GetActor(Context().get(), get, &read).error_code(), grpc::StatusCode::NOT_FOUND);

  request.set_name(head.name());
  request.set_etag("7");
  EXPECT_EQ(stub_->DeleteActor(Context().get(), request, &response).error_code(),
            grpc::StatusCode::ABORTED);
  request.clear_etag();
  ASSERT_THAT(stub_->DeleteActor(Context().get(), request, &response), IsOk());
  EXPECT_EQ(response.outcome(), v1::DELETE_ACTOR_OUTCOME_ARCHIVED);
  EXPECT_EQ(response.actor().state(), v1::ACTOR_STATE_ARCHIVED);

  std::vector<v1::Change> changes = AllChanges();
  ASSERT_GE(changes.size(), 2u);
  EXPECT_EQ(changes[changes.size() - 2].kind(), v1::CHANGE_KIND_DELETED);
  EXPECT_EQ(changes[changes.size() - 2].resource_name(), lonely.name());
  EXPECT_FALSE(changes[changes.size() - 2].has_actor());
  EXPECT_EQ(changes.back().kind(), v1::CHANGE_KIND_ARCHIVED);
}

TEST_F(ActorsTest, FiltersOfTheContract) {
  CreateActor("Alpha", [](Actor& a) {
    a.add_network_categories("iae");
    a.add_themes("mobilite");
    a.mutable_address()->set_commune_insee_code("21231");
    a.set_ess_family(v1::ESS_FAMILY_COOPERATIVE);
    a.set_siret("35600000000048");
    a.mutable_labels()->add_siae_types(v1::SIAE_TYPE_EI);
    a.mutable_coordinates()->set_latitude(47.3);
    a.mutable_coordinates()->set_longitude(5.0);
  });
  CreateActor("Beta", [](Actor& a) {
    a.add_network_categories("culture");
    a.add_themes("habitat");
    a.mutable_address()->set_commune_insee_code("21166");
    a.set_rna("W212001234");
    a.set_ess_family(v1::ESS_FAMILY_ASSOCIATION);
    auto* esus = a.mutable_labels()->mutable_esus_agrement();
    esus->mutable_start_date()->set_year(2020);
    esus->mutable_start_date()->set_month(1);
    esus->mutable_start_date()->set_day(1);
  });
  CreateActor("CAE", [](Actor& a) {
    a.set_kind(v1::ACTOR_KIND_STRUCTURE_TYPE);
    a.add_network_categories("accompagnement-creation");
  });
  struct Case {
    std::string filter;
    std::vector<std::string> names;
  } cases[] = {
      {"", {"Alpha", "Beta", "CAE"}},
      {"network_category:iae", {"Alpha"}},
      {"network_category = culture", {"Beta"}},
      {"theme:mobilite OR theme:habitat", {"Alpha", "Beta"}},
      {"theme:mobilite OR theme:habitat AND commune = \"21166\"", {"Beta"}},
      {"commune = \"21231\"", {"Alpha"}},
      {"ess_family = COOPERATIVE", {"Alpha"}},
      {"ess_family = ESS_FAMILY_ASSOCIATION", {"Beta"}},
      {"ess_family = UNSPECIFIED", {"CAE"}},
      {"kind = STRUCTURE_TYPE", {"CAE"}},
      {"has_siret = true", {"Alpha"}},
      {"has_siren = true", {"Alpha"}},
      {"has_rna = true", {"Beta"}},
      {"has_rna = false", {"Alpha", "CAE"}},
      {"has_coordinates = true", {"Alpha"}},
      {"label:ESUS", {"Beta"}},
      {"label:SIAE", {"Alpha"}},
      {"label:SIAE_EI", {"Alpha"}},
      {"label:SIAE_ACI", {}},
      {"siret = \"35600000000048\"", {"Alpha"}},
      {"state = ACTIVE", {"Alpha", "Beta", "CAE"}},
      {"state = MERGED", {}},
  };
  for (const Case& c : cases) {
    v1::ListActorsResponse response = List(c.filter);
    EXPECT_EQ(Names(response), c.names) << c.filter;
    EXPECT_EQ(response.total_size(), static_cast<int>(c.names.size())) << c.filter;
  }
  for (const char* bad : {"colour = red", "label:GOLD", "ess_family = PIRATE", "member_of:x",
                          "has_siret = maybe", "commune = "}) {
    v1::ListActorsRequest request;
    request.set_filter(bad);
    v1::ListActorsResponse response;
    grpc::Status status = stub_->ListActors(Context().get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
  }
}

TEST_F(ActorsTest, MemberOfFilter) {
  Actor head = CreateActor("Tête");
  Actor member = CreateActor("Membre");
  CreateActor("Autre");
  v1::CreateRelationshipRequest link;
  link.set_parent(member.name());
  link.mutable_relationship()->set_type(v1::RELATIONSHIP_TYPE_MEMBER_OF);
  link.mutable_relationship()->set_other_actor(head.name());
  v1::Relationship relationship;
  ASSERT_THAT(stub_->CreateRelationship(Context().get(), link, &relationship), IsOk());
  EXPECT_THAT(Names(List(absl::StrCat("member_of = \"", head.name(), "\""))),
              ElementsAre("Membre"));
}

TEST_F(ActorsTest, OrderByFrenchCollationAndOtherKeys) {
  for (const char* name : {"Zutique", "emmaüs", "ADMR", "Économie", "ENVIE"}) CreateActor(name);
  EXPECT_THAT(Names(List("")), ElementsAre("ADMR", "Économie", "emmaüs", "ENVIE", "Zutique"));
  EXPECT_THAT(Names(List("", 0, "display_name desc")),
              ElementsAre("Zutique", "ENVIE", "emmaüs", "Économie", "ADMR"));
  EXPECT_THAT(Names(List("", 0, "create_time")),
              ElementsAre("Zutique", "emmaüs", "ADMR", "Économie", "ENVIE"));
  EXPECT_THAT(Names(List("", 2, "update_time desc")), ElementsAre("ENVIE", "Économie"));
  v1::ListActorsRequest request;
  request.set_order_by("siret");
  v1::ListActorsResponse response;
  EXPECT_EQ(stub_->ListActors(Context().get(), request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ActorsTest, PageSizesAndTokens) {
  for (int i = 0; i < 5; ++i) CreateActor(absl::StrCat("Acteur ", i));
  v1::ListActorsRequest request;
  v1::ListActorsResponse response;
  request.set_page_size(-1);
  grpc::Status negative = stub_->ListActors(Context().get(), request, &response);
  EXPECT_EQ(negative.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(negative), ElementsAre("page_size"));

  v1::ListActorsResponse first = List("", 2);
  EXPECT_EQ(first.actors_size(), 2);
  EXPECT_FALSE(first.next_page_token().empty());
  EXPECT_EQ(first.total_size(), 5);
  // A token with another filter is refused.
  request.set_page_size(2);
  request.set_page_token(first.next_page_token());
  request.set_filter("has_siret = false");
  EXPECT_EQ(stub_->ListActors(Context().get(), request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  request.set_filter("");
  request.set_page_token("garbage");
  EXPECT_EQ(stub_->ListActors(Context().get(), request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // The last page has no token.
  v1::ListActorsResponse all = List("", 5);
  EXPECT_EQ(all.actors_size(), 5);
  EXPECT_TRUE(all.next_page_token().empty());
}

TEST_F(ActorsTest, PaginationHasNoGapOrRepeatUnderConcurrentInserts) {
  std::set<std::string> initial;
  for (int i = 0; i < 60; ++i) {
    initial.insert(CreateActor(absl::StrCat("Initial ", 100 + i)).name());
  }
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop && i < 200; ++i) {
      // Names that sort before, between and after the initial ones.
      v1::CreateActorRequest request;
      request.mutable_actor()->set_display_name(
          absl::StrCat(i % 3 == 0 ? "A " : (i % 3 == 1 ? "Initial 1" : "Z "), i));
      Actor out;
      stub_->CreateActor(Context().get(), request, &out);
    }
  });
  std::vector<std::string> seen;
  std::string token;
  do {
    v1::ListActorsResponse page = List("", 7, "", token);
    for (const Actor& a : page.actors()) seen.push_back(a.name());
    token = page.next_page_token();
  } while (!token.empty());
  stop = true;
  writer.join();
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "an actor was returned twice";
  for (const std::string& name : initial) EXPECT_TRUE(unique.count(name)) << name << " skipped";
}

TEST_F(ActorsTest, ChangeFeedInCommitOrderWithCursor) {
  Actor a = CreateActor("A");
  v1::UpdateActorRequest update;
  update.mutable_actor()->set_name(a.name());
  update.mutable_actor()->set_description("décrite");
  update.mutable_update_mask()->add_paths("description");
  Actor out;
  ASSERT_THAT(stub_->UpdateActor(Context().get(), update, &out), IsOk());
  // An update that changes nothing emits nothing.
  ASSERT_THAT(stub_->UpdateActor(Context().get(), update, &out), IsOk());
  EXPECT_EQ(out.etag(), "2");
  v1::ArchiveActorRequest archive;
  archive.set_name(a.name());
  ASSERT_THAT(stub_->ArchiveActor(Context().get(), archive, &out), IsOk());

  v1::ListChangesRequest request;
  request.set_page_size(2);
  v1::ListChangesResponse first;
  ASSERT_THAT(stub_->ListChanges(Context().get(), request, &first), IsOk());
  ASSERT_EQ(first.changes_size(), 2);
  EXPECT_FALSE(first.caught_up());
  EXPECT_EQ(first.changes(0).kind(), v1::CHANGE_KIND_CREATED);
  EXPECT_EQ(first.changes(0).resource_type(), v1::CHANGED_RESOURCE_TYPE_ACTOR);
  EXPECT_EQ(first.changes(0).actor().display_name(), "A");
  EXPECT_EQ(first.changes(1).kind(), v1::CHANGE_KIND_UPDATED);
  EXPECT_EQ(first.changes(1).actor().description(), "décrite");
  EXPECT_LT(first.changes(0).sequence(), first.changes(1).sequence());

  request.set_since(first.next_cursor());
  v1::ListChangesResponse second;
  ASSERT_THAT(stub_->ListChanges(Context().get(), request, &second), IsOk());
  ASSERT_EQ(second.changes_size(), 1);
  EXPECT_EQ(second.changes(0).kind(), v1::CHANGE_KIND_ARCHIVED);
  EXPECT_TRUE(second.caught_up());

  request.set_since(second.next_cursor());
  v1::ListChangesResponse empty;
  ASSERT_THAT(stub_->ListChanges(Context().get(), request, &empty), IsOk());
  EXPECT_EQ(empty.changes_size(), 0);
  EXPECT_EQ(empty.next_cursor(), second.next_cursor());
  EXPECT_TRUE(empty.caught_up());

  request.set_since("not-a-cursor");
  EXPECT_EQ(stub_->ListChanges(Context().get(), request, &empty).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  request.set_since("");
  request.set_page_size(-5);
  EXPECT_EQ(stub_->ListChanges(Context().get(), request, &empty).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// AppendChange sends its values inlined and quoted (one round trip with the feed's lock): the
// snapshot and the name come back byte for byte, whatever they hold.
TEST_F(ActorsTest, ChangeFeedKeepsQuotesBackslashesAndZeroBytes) {
  const std::string name = "L'Atelier \\ \"Solidaire\" $1 ; DROP TABLE changes; --";
  Actor a = CreateActor(name);
  v1::UpdateActorRequest update;
  update.mutable_actor()->set_name(a.name());
  update.mutable_actor()->set_description("E'\\x00' \\000 ''");
  update.mutable_update_mask()->add_paths("description");
  Actor updated;
  ASSERT_THAT(stub_->UpdateActor(Context().get(), update, &updated), IsOk());
  v1::DeleteActorRequest remove;
  remove.set_name(a.name());
  v1::DeleteActorResponse removed;
  ASSERT_THAT(stub_->DeleteActor(Context().get(), remove, &removed), IsOk());

  v1::ListChangesRequest request;
  v1::ListChangesResponse changes;
  ASSERT_THAT(stub_->ListChanges(Context().get(), request, &changes), IsOk());
  ASSERT_EQ(changes.changes_size(), 3);
  ASSERT_NE(a.display_name().find("'"), std::string::npos);
  ASSERT_NE(a.display_name().find('\\'), std::string::npos);
  EXPECT_EQ(changes.changes(0).actor().display_name(), a.display_name());
  EXPECT_EQ(changes.changes(0).actor().SerializeAsString(), a.SerializeAsString());
  EXPECT_EQ(changes.changes(1).actor().SerializeAsString(), updated.SerializeAsString());
  EXPECT_EQ(changes.changes(1).resource_name(), a.name());
  EXPECT_EQ(changes.changes(2).kind(), v1::CHANGE_KIND_DELETED);
  EXPECT_FALSE(changes.changes(2).has_actor());
  EXPECT_EQ(changes.changes(0).sequence() + 1, changes.changes(1).sequence());
  EXPECT_EQ(changes.changes(1).sequence() + 1, changes.changes(2).sequence());
}

TEST_F(ActorsTest, ChangeFeedPagesStayUnderTheByteBudget) {
  // 500 snapshots of 10,000-character descriptions (2 bytes each): 10 MB, more than the 8 MiB
  // a message may carry, asked for in pages of 1,000.
  std::string description;
  for (int i = 0; i < 10000; ++i) description += "é";
  for (int i = 0; i < 500; ++i) {
    CreateActor(absl::StrCat("Structure ", i), [&](Actor& a) { a.set_description(description); });
  }
  v1::ListChangesRequest request;
  request.set_page_size(1000);
  int64_t last = 0;
  int pages = 0;
  for (; pages < 20; ++pages) {  // bounded: 3 pages expected
    v1::ListChangesResponse page;
    grpc::Status status = stub_->ListChanges(Context().get(), request, &page);
    ASSERT_THAT(status, IsOk()) << status.error_message();
    EXPECT_LE(page.ByteSizeLong(), kMaxChangePageBytes);
    for (const v1::Change& change : page.changes()) {
      EXPECT_EQ(change.sequence(), last + 1);  // no gap, no repeat across pages
      last = change.sequence();
    }
    request.set_since(page.next_cursor());
    if (page.caught_up()) break;
    EXPECT_GT(page.changes_size(), 0);
  }
  EXPECT_EQ(last, 500);
  EXPECT_GE(pages, 2);

  // A budget smaller than one change still moves: one change per page.
  request.set_since("");
  for (int64_t expected = 1; expected <= 3; ++expected) {
    absl::StatusOr<v1::ListChangesResponse> page = pool_->ReadOnly<v1::ListChangesResponse>(
        db::Deadline::max(),
        [&](pqxx::work& txn) { return ListChanges(txn, request, /*max_page_bytes=*/100); });
    ASSERT_THAT(page, IsOk());
    ASSERT_EQ(page->changes_size(), 1);
    EXPECT_EQ(page->changes(0).sequence(), expected);
    EXPECT_FALSE(page->caught_up());
    request.set_since(page->next_cursor());
  }
}

TEST_F(ActorsTest, PrunedChangesExpireOlderCursorsAndNumberingGoesOn) {
  CreateActor("A");
  CreateActor("B");
  v1::ListChangesRequest request;
  v1::ListChangesResponse start, two;
  request.set_page_size(1);
  ASSERT_THAT(stub_->ListChanges(Context().get(), request, &start), IsOk());  // after change 1
  request.set_page_size(0);
  ASSERT_THAT(stub_->ListChanges(Context().get(), request, &two), IsOk());  // after change 2
  ASSERT_EQ(two.changes_size(), 2);
  // Both changes look 401 days old, the 400-day retention prunes them; a third one is recent.
  ASSERT_THAT(pool_->Transact(db::Deadline::max(),
                              [](pqxx::work& txn) {
                                txn.exec(
                                    "UPDATE changes SET commit_time = now() - "
                                    "interval '401 days'");
                                return absl::OkStatus();
                              }),
              IsOk());
  Actor c = CreateActor("C");
  // The retention job, on a clock of the test's: at first, nothing is 400 days old; 2 days
  // later, the two changes are 401 days old.
  service::ManualClock clock(absl::Now() - absl::Hours(48));
  service::PeriodicJobs jobs(clock);
  jobs.Add(ChangeFeedRetentionJob(*pool_, absl::Hours(24 * 400), absl::Hours(1)));
  jobs.RunDue();
  EXPECT_EQ(CountRows("changes"), 3);
  clock.Advance(absl::Hours(48));
  jobs.RunDue();
  absl::StatusOr<int64_t> pruned_through =
      pool_->ReadOnly<int64_t>(db::Deadline::max(), [](pqxx::work& txn) -> absl::StatusOr<int64_t> {
        return txn.exec("SELECT pruned_through FROM change_feed_state")[0][0].as<int64_t>();
      });
  ASSERT_THAT(pruned_through, IsOk());
  EXPECT_EQ(*pruned_through, two.changes(1).sequence());
  EXPECT_EQ(CountRows("changes"), 1);

  // A cursor before the pruning point has missed a change: resync.
  request.set_since(start.next_cursor());
  v1::ListChangesResponse response;
  grpc::Status status = stub_->ListChanges(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "CHANGE_CURSOR_EXPIRED");
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("empty `since`"));
  // A cursor at the pruning point, or an empty one, reads on.
  for (const std::string& since : {two.next_cursor(), std::string()}) {
    request.set_since(since);
    ASSERT_THAT(stub_->ListChanges(Context().get(), request, &response), IsOk());
    ASSERT_EQ(response.changes_size(), 1);
    EXPECT_EQ(response.changes(0).resource_name(), c.name());
  }

  // Every row pruned: numbering still goes on above the pruning point.
  ASSERT_THAT(pool_->Transact(db::Deadline::max(),
                              [](pqxx::work& txn) {
                                txn.exec(
                                    "UPDATE changes SET commit_time = now() - "
                                    "interval '2 days'");
                                PruneResult pruned =
                                    PruneChanges(txn, absl::Now() - absl::Hours(24));
                                EXPECT_EQ(pruned.deleted, 1);
                                return absl::OkStatus();
                              }),
              IsOk());
  EXPECT_EQ(CountRows("changes"), 0);
  request.set_since("");
  ASSERT_THAT(stub_->ListChanges(Context().get(), request, &response), IsOk());
  EXPECT_EQ(response.changes_size(), 0);
  std::string idle_cursor = response.next_cursor();
  CreateActor("D");
  request.set_since(idle_cursor);
  ASSERT_THAT(stub_->ListChanges(Context().get(), request, &response), IsOk());
  ASSERT_EQ(response.changes_size(), 1);
  EXPECT_EQ(response.changes(0).sequence(), two.changes(1).sequence() + 2);
}

TEST_F(ActorsTest, ConcurrentWritersNeverLetAReaderSkipAChange) {
  constexpr int kWriters = 4, kPerWriter = 15;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) CreateActor(absl::StrCat("W", w, "-", i));
    });
  }
  std::set<int64_t> seen;
  std::string cursor;
  int64_t last = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (static_cast<int>(seen.size()) < kWriters * kPerWriter &&
         std::chrono::steady_clock::now() < deadline) {
    v1::ListChangesRequest request;
    request.set_since(cursor);
    v1::ListChangesResponse response;
    ASSERT_THAT(stub_->ListChanges(Context().get(), request, &response), IsOk());
    for (const v1::Change& change : response.changes()) {
      EXPECT_GT(change.sequence(), last);
      last = change.sequence();
      EXPECT_TRUE(seen.insert(change.sequence()).second);
    }
    cursor = response.next_cursor();
  }
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(static_cast<int>(seen.size()), kWriters * kPerWriter);
  EXPECT_EQ(CountRows("changes"), kWriters * kPerWriter);
}

TEST_F(ActorsTest, ReferenceLists) {
  v1::ListNetworkCategoriesRequest categories_request;
  v1::ListNetworkCategoriesResponse categories;
  ASSERT_THAT(stub_->ListNetworkCategories(Context().get(), categories_request, &categories),
              IsOk());
  ASSERT_EQ(categories.network_categories_size(), 13);
  EXPECT_EQ(categories.network_categories(0).name(), "networkCategories/partenaires-ressources");
  EXPECT_EQ(categories.network_categories(12).code(), "autres");

  v1::ListCommunesRequest communes_request;
  communes_request.set_page_size(20);
  v1::ListCommunesResponse page1, page2;
  ASSERT_THAT(stub_->ListCommunes(Context().get(), communes_request, &page1), IsOk());
  EXPECT_EQ(page1.communes_size(), 20);
  EXPECT_EQ(page1.communes(0).insee_code(), "21003");
  communes_request.set_page_token(page1.next_page_token());
  ASSERT_THAT(stub_->ListCommunes(Context().get(), communes_request, &page2), IsOk());
  EXPECT_EQ(page2.communes_size(), 3);
  EXPECT_TRUE(page2.next_page_token().empty());
  EXPECT_EQ(page2.communes(0).name(), "communes/21540");

  v1::ListThemesRequest themes_request;
  themes_request.set_page_size(5);
  std::vector<std::string> themes;
  v1::ListThemesResponse page;
  do {
    ASSERT_THAT(stub_->ListThemes(Context().get(), themes_request, &page), IsOk());
    for (const v1::Theme& t : page.themes()) themes.push_back(t.display_name());
    themes_request.set_page_token(page.next_page_token());
  } while (!page.next_page_token().empty());
  ASSERT_EQ(themes.size(), 12u);
  EXPECT_EQ(themes.front(), "Alimentation durable");
  EXPECT_EQ(themes[4], "Éducation populaire");  // French order: É sorts with E

  v1::ListEssFamiliesRequest families_request;
  v1::ListEssFamiliesResponse families;
  ASSERT_THAT(stub_->ListEssFamilies(Context().get(), families_request, &families), IsOk());
  EXPECT_EQ(families.ess_families_size(), 6);
  EXPECT_EQ(families.ess_families(5).family(), v1::ESS_FAMILY_OUTSIDE_ESS);
}

class SearchTest : public ActorsTest {
 protected:
  std::vector<std::string> Search(const std::string& query, const std::string& filter = "") {
    v1::SearchActorsRequest request;
    request.set_query(query);
    request.set_filter(filter);
    v1::SearchActorsResponse response;
    grpc::Status status = stub_->SearchActors(Context().get(), request, &response);
    EXPECT_THAT(status, IsOk()) << query << ": " << status.error_message();
    std::vector<std::string> names;
    for (const auto& r : response.results()) names.push_back(r.actor().display_name());
    return names;
  }
};

TEST_F(SearchTest, AccentsCaseTyposAndRanking) {
  CreateActor("Économie Solidaire en Côte-d'Or",
              [](Actor& a) { a.mutable_address()->set_commune_insee_code("21231"); });
  CreateActor("Recyclerie du Grand Dijon", [](Actor& a) {
    a.set_description("Réemploi des objets et économie circulaire, solidaire du quartier");
    a.mutable_address()->set_commune_insee_code("21166");
  });
  CreateActor("Zutique Productions", [](Actor& a) { a.set_description("Musiques actuelles"); });
  EXPECT_THAT(Search("economie solidare"), ::testing::Contains("Économie Solidaire en Côte-d'Or"));
  EXPECT_EQ(Search("economie solidare").front(), "Économie Solidaire en Côte-d'Or");
  EXPECT_THAT(Search("ÉCONOMIE"), ::testing::Contains("Économie Solidaire en Côte-d'Or"));
  EXPECT_THAT(Search("reemploi"), ElementsAre("Recyclerie du Grand Dijon"));
  EXPECT_THAT(Search("recylerie"), ElementsAre("Recyclerie du Grand Dijon"));
  EXPECT_THAT(Search("musique"), ElementsAre("Zutique Productions"));
  // In the name ranks above in the description.
  EXPECT_THAT(Search("solidaire"),
              ElementsAre("Économie Solidaire en Côte-d'Or", "Recyclerie du Grand Dijon"));
  EXPECT_THAT(Search("solidaire", "commune = \"21166\""), ElementsAre("Recyclerie du Grand Dijon"));
  EXPECT_TRUE(Search("astrophysique").empty());
}

TEST_F(SearchTest, PagesKeepTheRankAndBadQueriesAreRefused) {
  for (int i = 0; i < 3; ++i) CreateActor(absl::StrCat("Jardin partagé ", i));
  v1::SearchActorsRequest request;
  request.set_query("jardin");
  request.set_page_size(2);
  v1::SearchActorsResponse first, second;
  ASSERT_THAT(stub_->SearchActors(Context().get(), request, &first), IsOk());
  ASSERT_EQ(first.results_size(), 2);
  EXPECT_EQ(first.results(1).rank(), 2);
  request.set_page_token(first.next_page_token());
  ASSERT_THAT(stub_->SearchActors(Context().get(), request, &second), IsOk());
  ASSERT_EQ(second.results_size(), 1);
  EXPECT_EQ(second.results(0).rank(), 3);
  EXPECT_TRUE(second.next_page_token().empty());
  std::set<std::string> names = {first.results(0).actor().name(), first.results(1).actor().name(),
                                 second.results(0).actor().name()};
  EXPECT_EQ(names.size(), 3u);

  for (const std::string& query : {std::string("  "), std::string(201, 'a')}) {
    v1::SearchActorsRequest bad;
    bad.set_query(query);
    v1::SearchActorsResponse response;
    grpc::Status status = stub_->SearchActors(Context().get(), bad, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(BadFields(status), ElementsAre("query"));
  }
}

TEST_F(SearchTest, NameMatchesFirstThenNewestFirstAcrossPages) {
  Actor old_name = CreateActor("Jardin des Lentillères");
  Actor old_text = CreateActor("Les Potagers", [](Actor& a) { a.set_description("Un jardin"); });
  Actor new_name = CreateActor("Jardin du Port du Canal");
  Actor new_text = CreateActor("Vergers", [](Actor& a) { a.set_legal_name("Jardins Vergers"); });
  CreateActor("Atelier vélo");  // does not match
  v1::SearchActorsRequest request;
  request.set_query("jardins");
  request.set_page_size(3);
  v1::SearchActorsResponse first, second;
  ASSERT_THAT(stub_->SearchActors(Context().get(), request, &first), IsOk());
  // An actor created now sorts before the cursor: it changes neither page.
  CreateActor("Jardin partagé tout neuf");
  request.set_page_token(first.next_page_token());
  ASSERT_THAT(stub_->SearchActors(Context().get(), request, &second), IsOk());
  std::vector<std::tuple<std::string, double, int>> found;
  for (const auto* page : {&first, &second}) {
    for (const auto& r : page->results()) found.emplace_back(r.actor().name(), r.score(), r.rank());
  }
  // A token forged with the query's fingerprint: positions out of range are refused.
  const std::string fingerprint = api::QueryFingerprint({"search", "jardins", ""});
  request.set_page_token(api::EncodePageToken(fingerprint, {{"2", "9", "0"}}));
  v1::SearchActorsResponse in_range;
  EXPECT_THAT(stub_->SearchActors(Context().get(), request, &in_range), IsOk());
  for (const auto& keys : std::vector<std::vector<std::string>>{
           {"2", "9", "2147483647"}, {"2", "9", "-1"}, {"two", "9", "0"}, {"2", "9"}}) {
    request.set_page_token(api::EncodePageToken(fingerprint, {keys}));
    v1::SearchActorsResponse forged;
    grpc::Status status = stub_->SearchActors(Context().get(), request, &forged);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << keys.back();
    EXPECT_THAT(BadFields(status), ElementsAre("page_token"));
  }
  EXPECT_THAT(found, ElementsAre(std::make_tuple(new_name.name(), 2.0, 1),
                                 std::make_tuple(old_name.name(), 2.0, 2),
                                 std::make_tuple(new_text.name(), 1.0, 3),
                                 std::make_tuple(old_text.name(), 1.0, 4)));
  EXPECT_TRUE(second.next_page_token().empty());
}

TEST_F(SearchTest, TyposAreCorrectedAgainstWordsLearntFromEveryWrite) {
  EXPECT_TRUE(Search("zythologie").empty());
  Actor actor = CreateActor("Brasserie coopérative");
  EXPECT_TRUE(Search("zytologie").empty());
  // A word an update brings is learnt as well: a misspelling of it finds the actor.
  v1::UpdateActorRequest update;
  *update.mutable_actor() = actor;
  update.mutable_actor()->set_description("Zythologie et bières artisanales");
  update.mutable_update_mask()->add_paths("description");
  Actor updated;
  ASSERT_THAT(stub_->UpdateActor(Context().get(), update, &updated), IsOk());
  EXPECT_THAT(Search("zytologie biere"), ElementsAre("Brasserie coopérative"));
  EXPECT_THAT(Search("brasseri cooperativ"), ElementsAre("Brasserie coopérative"));
  // A word near nothing the actors use matches nothing, even beside a word that does.
  EXPECT_TRUE(Search("brasserie astrophysique").empty());
  // Only stop words: nothing to look for, nothing found.
  EXPECT_TRUE(Search("le la les").empty());
  // tsquery syntax in the words is taken as text, never as operators.
  EXPECT_TRUE(Search("brass'erie \\ & | ! <-> :* ( ) 'x''").empty());
  EXPECT_THAT(Search("brasserie & !cooperative"), ElementsAre("Brasserie coopérative"));
}

class ExportTest : public ActorsTest {
 protected:
  // The chunks of an export, concatenated, and the first chunk's content type.
  grpc::Status Export(v1::ExportFormat format, const std::string& filter, std::string* body,
                      std::string* content_type,
                      v1::CsvSeparator separator = v1::CSV_SEPARATOR_UNSPECIFIED) {
    v1::ExportActorsRequest request;
    request.set_format(format);
    request.set_filter(filter);
    request.set_separator(separator);
    auto context = Context();
    auto reader = stub_->ExportActors(context.get(), request);
    google::api::HttpBody chunk;
    bool first = true;
    while (reader->Read(&chunk)) {
      if (first) *content_type = chunk.content_type();
      first = false;
      *body += chunk.data();
    }
    return reader->Finish();
  }
};

TEST_F(ExportTest, CsvAndGeoJson) {
  Actor placed = CreateActor("Épicerie \"Le Panier\", Dijon", [](Actor& a) {
    a.mutable_coordinates()->set_latitude(47.32);
    a.mutable_coordinates()->set_longitude(5.04);
    a.add_themes("alimentation-durable");
    a.add_themes("circuits-courts");
    a.set_ess_family(v1::ESS_FAMILY_COOPERATIVE);
  });
  CreateActor("Sans coordonnées");
  std::string body, type;
  ASSERT_THAT(Export(v1::EXPORT_FORMAT_CSV, "", &body, &type, v1::CSV_SEPARATOR_COMMA), IsOk());
  EXPECT_EQ(type, "text/csv; charset=utf-8");
  EXPECT_THAT(body, ::testing::StartsWith("\xEF\xBB\xBFname,display_name,legal_name,description,"));
  EXPECT_THAT(body, ::testing::HasSubstr(absl::StrCat(
                        placed.name(), ",\"Épicerie \"\"Le Panier\"\", Dijon\",,,ORGANISATION")));
  EXPECT_THAT(body, ::testing::HasSubstr(",COOPERATIVE,,alimentation-durable|circuits-courts,"));
  EXPECT_EQ(std::count(body.begin(), body.end(), '\n'), 3);

  // For French spreadsheets by default: semicolons and a UTF-8 byte-order mark.
  body.clear();
  ASSERT_THAT(Export(v1::EXPORT_FORMAT_CSV, "", &body, &type), IsOk());
  EXPECT_THAT(body, ::testing::StartsWith("\xEF\xBB\xBFname;display_name;"));

  body.clear();
  ASSERT_THAT(Export(v1::EXPORT_FORMAT_GEOJSON, "", &body, &type), IsOk());
  EXPECT_EQ(type, "application/geo+json");
  EXPECT_THAT(body, ::testing::StartsWith("{\"type\":\"FeatureCollection\",\"features\":["));
  EXPECT_THAT(body, ::testing::HasSubstr("\"coordinates\":[5.04,47.32]"));  // longitude first
  EXPECT_THAT(body, ::testing::Not(::testing::HasSubstr("Sans coordonnées")));
  EXPECT_THAT(body, ::testing::EndsWith("}}]}"));
  // Map tools title a feature with properties.name; lists are arrays; the feature has an id.
  EXPECT_THAT(body, ::testing::HasSubstr(absl::StrCat(
                        "\"id\":", placed.name().substr(placed.name().find('/') + 1), ",")));
  EXPECT_THAT(
      body, ::testing::HasSubstr("\"properties\":{\"name\":\"Épicerie \\\"Le Panier\\\", Dijon\""));
  EXPECT_THAT(body,
              ::testing::HasSubstr("\"themes\":[\"alimentation-durable\",\"circuits-courts\"]"));

  for (v1::ExportFormat format :
       {v1::EXPORT_FORMAT_DATA_INCLUSION, v1::EXPORT_FORMAT_JSON_LD, v1::EXPORT_FORMAT_GOGOCARTO}) {
    body.clear();
    ASSERT_THAT(Export(format, "", &body, &type), IsOk()) << v1::ExportFormat_Name(format);
    EXPECT_EQ(type,
              format == v1::EXPORT_FORMAT_JSON_LD ? "application/ld+json" : "application/json");
  }
  EXPECT_THAT(body, ::testing::StartsWith("[{\"id\":\"actors/"));  // GoGoCarto, every actor
  EXPECT_THAT(body, ::testing::HasSubstr("\"name\":\"Sans coordonnées\""));

  body.clear();
  EXPECT_EQ(Export(v1::EXPORT_FORMAT_UNSPECIFIED, "", &body, &type).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Export(v1::EXPORT_FORMAT_CSV, "colour = red", &body, &type).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// The map's points: the actors of the filter that have coordinates, each with its title and its
// name only, in one document however many chunks it takes.
TEST_F(ExportTest, GeoJsonPointsOfAFilter) {
  auto placed = [](const char* commune, double latitude) {
    return [=](Actor& a) {
      a.mutable_address()->set_commune_insee_code(commune);
      a.mutable_coordinates()->set_latitude(latitude);
      a.mutable_coordinates()->set_longitude(5.04);
      a.set_description("ne doit pas figurer");
    };
  };
  Actor dijon = CreateActor("Atelier \"Vélo\"", placed("21231", 47.32));
  CreateActor("À Chenôve", placed("21166", 47.29));
  CreateActor("Sans coordonnées",
              [](Actor& a) { a.mutable_address()->set_commune_insee_code("21231"); });
  std::string body, type;
  ASSERT_THAT(Export(v1::EXPORT_FORMAT_GEOJSON_POINTS, "commune = \"21231\"", &body, &type),
              IsOk());
  EXPECT_EQ(type, "application/geo+json");
  EXPECT_EQ(body,
            absl::StrCat("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                         "\"id\":",
                         dijon.name().substr(7),
                         ",\"geometry\":{\"type\":\"Point\",\"coordinates\":[5.04,47.32]},"
                         "\"properties\":{\"name\":\"Atelier \\\"Vélo\\\"\",\"resource_name\":\"",
                         dijon.name(), "\"}}]}"));
}

TEST_F(ExportTest, LargeExportComesInSeveralChunks) {
  for (int i = 0; i < 520; ++i) {
    v1::CreateActorRequest request;
    request.mutable_actor()->set_display_name(absl::StrCat("Acteur ", i));
    Actor out;
    ASSERT_THAT(stub_->CreateActor(Context().get(), request, &out), IsOk());
  }
  std::string body, type;
  ASSERT_THAT(Export(v1::EXPORT_FORMAT_CSV, "", &body, &type), IsOk());
  EXPECT_EQ(std::count(body.begin(), body.end(), '\n'), 521);
}

}  // namespace
}  // namespace maillage::directory
