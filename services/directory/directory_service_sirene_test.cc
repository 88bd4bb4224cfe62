// Integration tests of ImportSireneExtract (client streaming, chunks of any size), and of its
// batches (SireneImporter on the test's database).
#include <map>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/ids/french_ids.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/directory/directory_test_fixture.h"
#include "services/directory/sirene_importer.h"
#include "tests/support/sirene_files.h"

using maillage::testing::IsOk;

namespace maillage::directory {
namespace {

using v1::Actor;

const char kExtract[] =
    "siren,siret,denominationUniteLegale,categorieJuridiqueUniteLegale,"
    "activitePrincipaleUniteLegale,economieSocialeSolidaireUniteLegale,"
    "identifiantAssociationUniteLegale,codeCommuneEtablissement,etatAdministratifEtablissement\n"
    // Matched by RNA: enriched with its SIRET, legal category, NAF and family.
    "356000000,35600000000048,ASSOCIATION ALPHA,9220,88.99B,O,W212001234,21231,A\n"
    // Closed establishment.
    "356000000,35600000049837,LA POSTE,5510,53.10Z,N,,21231,F\n"
    // Outside the territory (Paris).
    "356000000,35600000049837,LA POSTE,5510,53.10Z,N,,75056,A\n"
    // Unknown, in the ESS (cooperative), in Crimolois (former code).
    "242100410,24210041000016,SCOP BETA,5458,43.21A,O,,21213,A\n"
    // Unknown, not in the ESS.
    "242100410,24210041000024,SARL GAMMA,5499,47.11A,N,,21231,A\n";

class SireneTest : public DirectoryTest {
 protected:
  grpc::Status Import(const std::string& data, size_t chunk_size, bool create_missing,
                      v1::ImportSireneExtractResponse* response, bool options_first = true) {
    auto context = Context();
    auto writer = stub_->ImportSireneExtract(context.get(), response);
    v1::ImportSireneExtractRequest message;
    v1::SireneImportOptions* options = message.mutable_options();
    options->mutable_extract_date()->set_year(2024);
    options->mutable_extract_date()->set_month(5);
    options->mutable_extract_date()->set_day(1);
    options->set_create_missing(create_missing);
    if (options_first) writer->Write(message);
    for (size_t at = 0; at < data.size(); at += chunk_size) {
      v1::ImportSireneExtractRequest part;
      part.set_data(data.substr(at, chunk_size));
      writer->Write(part);
    }
    writer->WritesDone();
    return writer->Finish();
  }
};

TEST_F(SireneTest, EnrichesMatchedActorsAndCreatesMissingEssOnes) {
  Actor alpha = CreateActor("Alpha", [](Actor& a) { a.set_rna("W212001234"); });
  v1::ImportSireneExtractResponse response;
  grpc::Status status = Import(kExtract, 7, /*create_missing=*/true, &response);
  ASSERT_THAT(status, IsOk()) << status.error_message();
  EXPECT_EQ(response.rows_read(), 5);
  EXPECT_EQ(response.kept_count(), 3);
  EXPECT_EQ(response.enriched_count(), 1);
  EXPECT_EQ(response.created_count(), 1);
  std::map<v1::SireneSkipReason, int64_t> skipped;
  for (const auto& s : response.skipped()) skipped[s.reason()] = s.count();
  EXPECT_EQ(skipped[v1::SIRENE_SKIP_REASON_INACTIVE], 1);
  EXPECT_EQ(skipped[v1::SIRENE_SKIP_REASON_OUTSIDE_TERRITORY], 1);
  EXPECT_EQ(skipped[v1::SIRENE_SKIP_REASON_NOT_ESS], 1);
  // The report speaks French to people (fr-FR), as a failed import does.
  EXPECT_EQ(response.summary().locale(), "fr-FR");
  EXPECT_THAT(response.summary().message(),
              ::testing::StartsWith("Extrait SIRENE : 5 lignes lues, 3 établissements retenus "
                                    "(actifs, dans les communes du territoire) ; 1 acteur "
                                    "enrichi, 1 créé, "));

  v1::GetActorRequest get;
  get.set_name(alpha.name());
  Actor read;
  ASSERT_THAT(stub_->GetActor(Context().get(), get, &read), IsOk());
  EXPECT_EQ(read.siret(), "35600000000048");
  EXPECT_EQ(read.legal_category_code(), "9220");
  EXPECT_EQ(read.ess_family(), v1::ESS_FAMILY_ASSOCIATION);
  EXPECT_EQ(read.provenance().sirene_extract_date().year(), 2024);
  EXPECT_EQ(CountRows("actors"), 2);

  v1::ListActorsRequest list;
  list.set_filter("commune = \"21452\"");
  v1::ListActorsResponse listed;
  ASSERT_THAT(stub_->ListActors(Context().get(), list, &listed), IsOk());
  ASSERT_EQ(listed.actors_size(), 1);
  EXPECT_EQ(listed.actors(0).ess_family(), v1::ESS_FAMILY_COOPERATIVE);
  EXPECT_EQ(listed.actors(0).provenance().source(), "sirene");

  // The same extract again changes nothing.
  int64_t changes = CountRows("changes");
  v1::ImportSireneExtractResponse again;
  ASSERT_THAT(Import(kExtract, 1000, true, &again), IsOk());
  EXPECT_EQ(again.unchanged_count(), 2);
  EXPECT_EQ(CountRows("changes"), changes);
}

TEST_F(SireneTest, BadStreamsAreRefused) {
  v1::ImportSireneExtractResponse response;
  EXPECT_EQ(Import(kExtract, 100, false, &response, /*options_first=*/false).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Import("siren,siret\n1,2\n", 100, false, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(CountRows("actors"), 0);
}

// INSEE's real files, with their exact headers (tests/support/sirene_files.h).
using maillage::testing::InseeFile;
using maillage::testing::StockEtablissementColumns;
using maillage::testing::StockUniteLegaleColumns;

TEST_F(SireneTest, JoinsInseeStockFilesBySirenWithAddresses) {
  // Matched by RNA (carried by the legal unit only): enriched with the legal unit's values and
  // the establishment's address, which the actor did not have.
  Actor alpha = CreateActor("Alpha", [](Actor& a) { a.set_rna("W212001234"); });
  const std::string establishments =
      InseeFile(StockEtablissementColumns(),
                {{{"siren", "356000000"},
                  {"nic", "00048"},
                  {"siret", "35600000000048"},
                  {"numeroVoieEtablissement", "2"},
                  {"indiceRepetitionEtablissement", "B"},
                  {"typeVoieEtablissement", "RUE"},
                  {"libelleVoieEtablissement", "DES CORROYEURS"},
                  {"complementAdresseEtablissement", "BATIMENT B"},
                  {"codePostalEtablissement", "21000"},
                  {"libelleCommuneEtablissement", "DIJON"},
                  {"codeCommuneEtablissement", "21231"},
                  {"etatAdministratifEtablissement", "A"},
                  {"activitePrincipaleEtablissement", "88.99B"}},
                 // A cooperative's establishment in Crimolois (former code), with a usual name.
                 {{"siren", "242100410"},
                  {"nic", "00016"},
                  {"siret", "24210041000016"},
                  {"numeroVoieEtablissement", "12"},
                  {"typeVoieEtablissement", "AV"},
                  {"libelleVoieEtablissement", "DU DRAPEAU"},
                  {"codePostalEtablissement", "21910"},
                  {"libelleCommuneEtablissement", "NEUILLY-CRIMOLOIS"},
                  {"codeCommuneEtablissement", "21213"},
                  {"etatAdministratifEtablissement", "A"},
                  {"denominationUsuelleEtablissement", "ATELIER BETA"}},
                 // Closed.
                 {{"siren", "242100410"},
                  {"siret", "24210041000024"},
                  {"codeCommuneEtablissement", "21231"},
                  {"etatAdministratifEtablissement", "F"}}});
  const std::string legal_units = InseeFile(StockUniteLegaleColumns(),
                                            {// A legal unit of no kept establishment: never held.
                                             {{"siren", "552100554"},
                                              {"denominationUniteLegale", "AUTRE"},
                                              {"categorieJuridiqueUniteLegale", "5710"}},
                                             {{"siren", "356000000"},
                                              {"denominationUniteLegale", "ASSOCIATION ALPHA"},
                                              {"categorieJuridiqueUniteLegale", "9220"},
                                              {"activitePrincipaleUniteLegale", "88.99B"},
                                              {"economieSocialeSolidaireUniteLegale", "O"},
                                              {"identifiantAssociationUniteLegale", "W212001234"},
                                              {"etatAdministratifUniteLegale", "A"}},
                                             {{"siren", "242100410"},
                                              {"denominationUniteLegale", "SCOP BETA"},
                                              {"categorieJuridiqueUniteLegale", "5458"},
                                              {"activitePrincipaleUniteLegale", "43.21A"},
                                              {"economieSocialeSolidaireUniteLegale", "O"}}});

  auto context = Context();
  v1::ImportSireneExtractResponse response;
  auto writer = stub_->ImportSireneExtract(context.get(), &response);
  v1::ImportSireneExtractRequest message;
  message.mutable_options()->mutable_extract_date()->set_year(2026);
  message.mutable_options()->mutable_extract_date()->set_month(12);
  message.mutable_options()->mutable_extract_date()->set_day(1);
  message.mutable_options()->set_create_missing(true);
  writer->Write(message);
  for (size_t at = 0; at < establishments.size(); at += 100) {
    v1::ImportSireneExtractRequest part;
    part.set_data(establishments.substr(at, 100));
    writer->Write(part);
  }
  for (size_t at = 0; at < legal_units.size(); at += 100) {
    v1::ImportSireneExtractRequest part;
    part.set_legal_units_data(legal_units.substr(at, 100));
    writer->Write(part);
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  ASSERT_THAT(status, IsOk()) << status.error_message();
  EXPECT_EQ(response.rows_read(), 3);
  EXPECT_EQ(response.kept_count(), 2);
  EXPECT_EQ(response.enriched_count(), 1);
  EXPECT_EQ(response.created_count(), 1);

  v1::GetActorRequest get;
  get.set_name(alpha.name());
  Actor read;
  ASSERT_THAT(stub_->GetActor(Context().get(), get, &read), IsOk());
  EXPECT_EQ(read.siret(), "35600000000048");
  EXPECT_EQ(read.legal_name(), "ASSOCIATION ALPHA");
  EXPECT_EQ(read.legal_category_code(), "9220");
  EXPECT_EQ(read.ess_family(), v1::ESS_FAMILY_ASSOCIATION);
  ASSERT_EQ(read.address().lines_size(), 2);
  EXPECT_EQ(read.address().lines(0), "2 B RUE DES CORROYEURS");
  EXPECT_EQ(read.address().lines(1), "BATIMENT B");
  EXPECT_EQ(read.address().postal_code(), "21000");
  EXPECT_EQ(read.address().city(), "DIJON");
  EXPECT_EQ(read.address().commune_insee_code(), "21231");

  v1::ListActorsRequest list;
  list.set_filter("commune = \"21452\"");
  v1::ListActorsResponse listed;
  ASSERT_THAT(stub_->ListActors(Context().get(), list, &listed), IsOk());
  ASSERT_EQ(listed.actors_size(), 1);
  const Actor& beta = listed.actors(0);
  EXPECT_EQ(beta.display_name(), "ATELIER BETA");
  EXPECT_EQ(beta.legal_name(), "SCOP BETA");
  EXPECT_EQ(beta.ess_family(), v1::ESS_FAMILY_COOPERATIVE);
  ASSERT_EQ(beta.address().lines_size(), 1);
  EXPECT_EQ(beta.address().lines(0), "12 AVENUE DU DRAPEAU");
  EXPECT_EQ(beta.address().postal_code(), "21910");
}

TEST_F(SireneTest, StockEtablissementAloneNeedsTheLegalUnits) {
  const std::string establishments =
      InseeFile(StockEtablissementColumns(), {{{"siren", "356000000"},
                                               {"siret", "35600000000048"},
                                               {"codeCommuneEtablissement", "21231"},
                                               {"etatAdministratifEtablissement", "A"}}});
  v1::ImportSireneExtractResponse response;
  grpc::Status status = Import(establishments, 1000, true, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("StockUniteLegale"));
  EXPECT_EQ(CountRows("actors"), 0);
}

const char kHeader[] =
    "siren,siret,denominationUniteLegale,categorieJuridiqueUniteLegale,"
    "activitePrincipaleUniteLegale,economieSocialeSolidaireUniteLegale,"
    "identifiantAssociationUniteLegale,codeCommuneEtablissement,etatAdministratifEtablissement\n";

// A valid SIRET (and its SIREN) of number `n`: 8 digits and a Luhn key, then NIC 0001 and a key.
std::string Siret(int n) {
  std::string siren;
  for (int key = 0; key < 10 && !ids::IsValidSiren(siren); ++key) {
    siren = absl::StrFormat("7%07d%d", n, key);
  }
  std::string siret;
  for (int key = 0; key < 10 && !ids::IsValidSiret(siret); ++key) {
    siret = absl::StrCat(siren, "0001", key);
  }
  return siret;
}

// An extract row of an active association of Dijon in the ESS.
std::string Row(int n) {
  std::string siret = Siret(n);
  return absl::StrCat(siret.substr(0, 9), ",", siret, ",ASSOCIATION ", n,
                      ",9220,88.99B,O,,21231,A\n");
}

// Drives SireneImporter directly, with small batches.
class SireneBatchTest : public SireneTest {
 protected:
  absl::StatusOr<v1::ImportSireneExtractResponse> ImportInBatches(const std::string& data,
                                                                  size_t batch_size) {
    SireneImporter importer(*pool_, batch_size);
    v1::SireneImportOptions options;
    options.mutable_extract_date()->set_year(2024);
    options.mutable_extract_date()->set_month(5);
    options.mutable_extract_date()->set_day(1);
    options.set_create_missing(true);
    bool sent = false;
    return importer.Import(options, std::chrono::system_clock::now() + std::chrono::seconds(30),
                           [&](SireneChunk* chunk) {
                             if (sent) return false;
                             chunk->data = data;
                             sent = true;
                             return true;
                           });
  }

  void Exec(const std::string& sql) {
    pqxx::connection connection(database_.url());
    pqxx::work txn(connection);
    txn.exec(sql);
    txn.commit();
  }
};

TEST_F(SireneBatchTest, AFailedBatchLeavesEarlierBatchesCommittedAndReported) {
  std::string data = kHeader;
  for (int n = 1; n <= 5; ++n) data += Row(n);
  // The fourth establishment cannot be inserted: the second batch (rows 3 and 4) fails.
  Exec(absl::StrCat(
      "CREATE FUNCTION refuse_actor() RETURNS trigger LANGUAGE plpgsql AS "
      "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$; "
      "CREATE TRIGGER refuse_actor BEFORE INSERT ON actors FOR EACH ROW WHEN (NEW.siret = '",
      Siret(4), "') EXECUTE FUNCTION refuse_actor()"));
  absl::StatusOr<v1::ImportSireneExtractResponse> failed = ImportInBatches(data, 2);
  ASSERT_FALSE(failed.ok());
  auto info = GetErrorInfo(failed.status());
  ASSERT_TRUE(info.has_value()) << failed.status();
  EXPECT_EQ(info->metadata().at("applied_rows"), "2");
  EXPECT_EQ(info->metadata().at("kept_rows"), "5");
  EXPECT_EQ(info->metadata().at("created_count"), "2");
  EXPECT_THAT(std::string(failed.status().message()), ::testing::HasSubstr("2 of 5 kept rows"));
  // The first batch is committed with its changes; the second is not.
  EXPECT_EQ(CountRows("actors"), 2);
  EXPECT_EQ(CountRows("changes"), 2);

  // Once the cause is gone, the same extract again completes the import and repeats nothing.
  Exec("DROP TRIGGER refuse_actor ON actors");
  absl::StatusOr<v1::ImportSireneExtractResponse> again = ImportInBatches(data, 2);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->kept_count(), 5);
  EXPECT_EQ(again->unchanged_count(), 2);
  EXPECT_EQ(again->created_count(), 3);
  EXPECT_EQ(CountRows("actors"), 5);
  EXPECT_EQ(CountRows("changes"), 5);
}

TEST_F(SireneBatchTest, TheReportCountsEveryBatch) {
  Actor known = CreateActor("Association 2", [](Actor& a) { a.set_siret(Siret(2)); });
  std::string data = kHeader;
  for (int n = 1; n <= 7; ++n) data += Row(n);
  data += "242100410,24210041000024,SARL GAMMA,5499,47.11A,N,,21231,A\n";  // not in the ESS
  absl::StatusOr<v1::ImportSireneExtractResponse> report = ImportInBatches(data, 3);
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->rows_read(), 8);
  EXPECT_EQ(report->kept_count(), 8);
  EXPECT_EQ(report->enriched_count(), 1);
  EXPECT_EQ(report->created_count(), 6);
  ASSERT_EQ(report->skipped_size(), 1);
  EXPECT_EQ(report->skipped(0).reason(), v1::SIRENE_SKIP_REASON_NOT_ESS);
  EXPECT_EQ(report->skipped(0).count(), 1);
  EXPECT_EQ(CountRows("actors"), 7);
}

TEST_F(SireneBatchTest, OtherDirectoryWritesGoOnDuringAnImport) {
  std::vector<Actor> actors;
  for (int n = 1; n <= 6; ++n) {
    actors.push_back(
        CreateActor(absl::StrCat("Structure ", n), [&](Actor& a) { a.set_siret(Siret(n)); }));
  }
  v1::CreateContactRequest contact_request;
  contact_request.set_parent(actors[0].name());
  contact_request.mutable_contact()->set_given_name("Camille");
  contact_request.mutable_contact()->set_family_name("Durand");
  contact_request.mutable_contact()->set_legal_basis(v1::LEGAL_BASIS_LEGITIMATE_INTEREST);
  v1::Contact contact;
  ASSERT_THAT(stub_->CreateContact(Context().get(), contact_request, &contact), IsOk());

  // Another client holds the fifth actor: the import commits its first two batches (rows 1-4)
  // and waits in the third.
  pqxx::connection holder_connection(database_.url());
  pqxx::work holder(holder_connection);
  holder.exec(absl::StrCat("SELECT id FROM actors WHERE id = ",
                           actors[4].name().substr(std::string("actors/").size()), " FOR UPDATE"));
  std::string data = kHeader;
  for (int n = 1; n <= 6; ++n) data += Row(n);
  absl::StatusOr<v1::ImportSireneExtractResponse> report;
  std::thread import([&] { report = ImportInBatches(data, 2); });
  bool waiting = false;
  for (int i = 0; i < 200 && !waiting; ++i) {  // at most 10 s
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    pqxx::connection probe(database_.url());
    pqxx::work txn(probe);
    waiting = txn.exec(
                     "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                     "AND datname = current_database()")[0][0]
                  .as<int>() > 0;
  }
  EXPECT_TRUE(waiting) << "the import never reached the held actor";

  // Meanwhile, writes that append to the change feed complete at once.
  auto soon = [] {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return context;
  };
  v1::CreateActorRequest create;
  create.mutable_actor()->set_display_name("Créée pendant l'import");
  Actor created;
  EXPECT_THAT(stub_->CreateActor(soon().get(), create, &created), IsOk());
  v1::ErasePersonRequest erase;
  erase.set_name(contact.name());
  erase.set_reason("demande d'effacement");
  v1::ErasePersonResponse erased;
  EXPECT_THAT(stub_->ErasePerson(soon().get(), erase, &erased), IsOk());
  v1::GetActorRequest get;
  get.set_name(actors[3].name());
  Actor fourth;
  ASSERT_THAT(stub_->GetActor(Context().get(), get, &fourth), IsOk());
  EXPECT_EQ(fourth.legal_category_code(), "9220") << "the second batch is committed";

  holder.commit();
  import.join();
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->enriched_count(), 6);
}

}  // namespace
}  // namespace maillage::directory
