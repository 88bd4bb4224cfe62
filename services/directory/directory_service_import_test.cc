// Integration tests of ImportActors (and its round trip with ExportActors).
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/csv/csv_reader.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "services/directory/directory_test_fixture.h"

using maillage::testing::IsOk;

namespace maillage::directory {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using v1::Actor;

class ImportTest : public DirectoryTest {
 protected:
  grpc::Status Import(const std::string& csv, v1::ImportActorsResponse* response,
                      bool validate_only = false,
                      const std::map<std::string, std::string>& mapping = {}) {
    v1::ImportActorsRequest request;
    request.set_csv_data(csv);
    request.set_validate_only(validate_only);
    for (const auto& [k, v] : mapping) (*request.mutable_column_mapping())[k] = v;
    return stub_->ImportActors(Context().get(), request, response);
  }
};

const char kSemicolonFile[] =
    "Nom;Code INSEE;N° SIRET;Catégories;Remarque\r\n"
    "Recyclerie de Chenôve;21166;356 000 000 00048;iae|structures-ess;ok\r\n"
    "\"Ferme; de Crimolois\";21213;;foncier-agroecologie-bio;\r\n";

TEST_F(ImportTest, LaterRowsSeeTheActorsOfEarlierRowsAndOfTheDirectory) {
  Actor existing = CreateActor(
      "Atelier Vélo", [](Actor& a) { a.mutable_address()->set_commune_insee_code("21231"); });
  const std::string csv =
      "display_name,siret,siren,description,address.commune_insee_code\n"
      "Recyclerie,35600000000048,,première,21166\n"     // created
      "Recyclerie bis,35600000000048,,seconde,21166\n"  // same SIRET: updates row 2's
      "La Poste,,356000000,,21231\n"                    // created
      "LA POSTE,35600000049837,356000000,,21166\n"      // same SIREN and name as row 4
      "atelier velo,,,réparations,21231\n"              // name + commune of `existing`
      "Nouvelle,,,,21213\n";                            // former code of 21452: created
  v1::ImportActorsResponse response;
  grpc::Status status = Import(csv, &response, true);
  ASSERT_THAT(status, IsOk()) << status.error_message();
  ASSERT_EQ(response.rows_size(), 6);
  EXPECT_EQ(response.rows(0).outcome(), v1::IMPORT_ROW_OUTCOME_CREATED);
  EXPECT_EQ(response.rows(1).outcome(), v1::IMPORT_ROW_OUTCOME_UPDATED);
  EXPECT_EQ(response.rows(1).matched_by(), v1::IMPORT_MATCH_RULE_SIRET);
  EXPECT_EQ(response.rows(2).outcome(), v1::IMPORT_ROW_OUTCOME_CREATED);
  EXPECT_EQ(response.rows(3).outcome(), v1::IMPORT_ROW_OUTCOME_REJECTED);
  ASSERT_EQ(response.issues_size(), 1);
  EXPECT_EQ(response.issues(0).row(), 5);
  EXPECT_THAT(response.issues(0).reason(), ::testing::HasSubstr("SIREN and name"));
  EXPECT_EQ(response.issues(0).localized_message().locale(), "fr-FR");
  EXPECT_THAT(response.issues(0).localized_message().message(),
              ::testing::MatchesRegex("Un autre acteur \\(actors/[0-9]+\\) a déjà ce SIREN et ce "
                                      "nom\\."));
  EXPECT_EQ(response.rows(4).outcome(), v1::IMPORT_ROW_OUTCOME_UPDATED);
  EXPECT_EQ(response.rows(4).actor(), existing.name());
  EXPECT_EQ(response.rows(4).matched_by(), v1::IMPORT_MATCH_RULE_NAME_AND_COMMUNE);
  EXPECT_EQ(response.rows(5).outcome(), v1::IMPORT_ROW_OUTCOME_CREATED);
  EXPECT_EQ(CountRows("actors"), 1) << "validate_only writes nothing";

  // Without the rejected row, for real: the changes follow the rows.
  std::string valid = csv;
  valid.erase(valid.find("LA POSTE"), valid.find("atelier velo") - valid.find("LA POSTE"));
  ASSERT_THAT(Import(valid, &response), IsOk());
  EXPECT_EQ(response.created_count(), 3);
  EXPECT_EQ(response.updated_count(), 2);
  EXPECT_EQ(CountRows("actors"), 4);
  v1::GetActorRequest get;
  get.set_name(response.rows(0).actor());
  EXPECT_EQ(response.rows(1).actor(), response.rows(0).actor());
  Actor recyclerie;
  ASSERT_THAT(stub_->GetActor(Context().get(), get, &recyclerie), IsOk());
  EXPECT_EQ(recyclerie.display_name(), "Recyclerie bis");
  EXPECT_EQ(recyclerie.description(), "seconde");
  v1::ListChangesRequest feed;
  feed.set_page_size(100);
  v1::ListChangesResponse changes;
  ASSERT_THAT(stub_->ListChanges(Context().get(), feed, &changes), IsOk());
  std::vector<std::string> seen;
  for (const auto& c : changes.changes()) {
    seen.push_back(absl::StrCat(v1::ChangeKind_Name(c.kind()), " ", c.actor().display_name()));
  }
  EXPECT_THAT(seen,
              ElementsAre("CHANGE_KIND_CREATED Atelier Vélo", "CHANGE_KIND_CREATED Recyclerie",
                          "CHANGE_KIND_UPDATED Recyclerie bis", "CHANGE_KIND_CREATED La Poste",
                          "CHANGE_KIND_UPDATED atelier velo", "CHANGE_KIND_CREATED Nouvelle"));
}

TEST_F(ImportTest, SemicolonFileWithMappedHeadersThenReimportIsANoOp) {
  std::map<std::string, std::string> mapping = {{"Nom", "display_name"},
                                                {"Code INSEE", "address.commune_insee_code"},
                                                {"N° SIRET", "siret"},
                                                {"Catégories", "network_categories"}};
  v1::ImportActorsResponse response;
  grpc::Status status = Import(kSemicolonFile, &response, false, mapping);
  ASSERT_THAT(status, IsOk()) << status.error_message();
  EXPECT_EQ(response.detected_separator(), v1::CSV_SEPARATOR_SEMICOLON);
  EXPECT_EQ(response.created_count(), 2);
  EXPECT_THAT(response.ignored_columns(), ElementsAre("Remarque"));
  ASSERT_EQ(response.rows_size(), 2);
  EXPECT_EQ(response.rows(0).row(), 2);
  EXPECT_EQ(response.rows(0).outcome(), v1::IMPORT_ROW_OUTCOME_CREATED);
  v1::GetActorRequest get;
  get.set_name(response.rows(1).actor());
  Actor ferme;
  ASSERT_THAT(stub_->GetActor(Context().get(), get, &ferme), IsOk());
  EXPECT_EQ(ferme.display_name(), "Ferme; de Crimolois");
  EXPECT_EQ(ferme.address().commune_insee_code(), "21452");
  EXPECT_EQ(ferme.provenance().source(), "csv-import");
  int64_t changes = CountRows("changes");

  v1::ImportActorsResponse again;
  ASSERT_THAT(Import(kSemicolonFile, &again, false, mapping), IsOk());
  EXPECT_EQ(again.created_count(), 0);
  EXPECT_EQ(again.unchanged_count(), 2);
  EXPECT_EQ(again.rows(0).matched_by(), v1::IMPORT_MATCH_RULE_SIRET);
  EXPECT_EQ(again.rows(1).matched_by(), v1::IMPORT_MATCH_RULE_NAME_AND_COMMUNE);
  EXPECT_EQ(CountRows("actors"), 2);
  EXPECT_EQ(CountRows("changes"), changes);
}

// The French sentence of a problem names the column as the file heads it.
TEST_F(ImportTest, ProblemsAreToldInFrenchNamingTheFilesColumns) {
  const std::string csv =
      "Nom;N° SIRET\n"
      "Ressourcerie;12345678901234\n"
      "Recyclerie;35600000000048\n";
  v1::ImportActorsResponse response;
  ASSERT_THAT(Import(csv, &response, true, {{"Nom", "display_name"}, {"N° SIRET", "siret"}}),
              IsOk());
  ASSERT_EQ(response.issues_size(), 1);
  EXPECT_EQ(response.issues(0).row(), 2);
  EXPECT_EQ(response.issues(0).column(), "N° SIRET");
  EXPECT_EQ(response.issues(0).localized_message().locale(), "fr-FR");
  EXPECT_EQ(response.issues(0).localized_message().message(),
            "« N° SIRET » : n'est pas un SIRET valide (14 chiffres, clé de Luhn).");
}

TEST_F(ImportTest, ValidateOnlyReportsEveryRowAndWritesNothing) {
  const std::string csv =
      "display_name,siret,ess_family,address.commune_insee_code\n"
      "Bonne,,ASSOCIATION,21231\n"
      "Mauvaise,12345678901234,PIRATE,75056\n";
  v1::ImportActorsResponse response;
  ASSERT_THAT(Import(csv, &response, true), IsOk());
  EXPECT_EQ(response.created_count(), 1);
  EXPECT_EQ(response.rejected_count(), 1);
  ASSERT_EQ(response.rows_size(), 2);
  EXPECT_EQ(response.rows(1).outcome(), v1::IMPORT_ROW_OUTCOME_REJECTED);
  ASSERT_GE(response.issues_size(), 1);
  EXPECT_EQ(response.issues(0).row(), 3);
  EXPECT_EQ(response.issues(0).field(), "ess_family");
  // Each problem in French for the person fixing the file, naming the column.
  for (const v1::ImportIssue& issue : response.issues()) {
    EXPECT_EQ(issue.localized_message().locale(), "fr-FR") << issue.reason();
    EXPECT_THAT(issue.localized_message().message(),
                ::testing::HasSubstr(absl::StrCat("« ", issue.column(), " »")))
        << issue.reason();
  }
  EXPECT_EQ(CountRows("actors"), 0);
  EXPECT_EQ(CountRows("changes"), 0);

  // The same file for real: all or nothing.
  grpc::Status status = Import(csv, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(status), ElementsAre("rows[3].ess_family"));
  EXPECT_EQ(CountRows("actors"), 0);

  const std::string bad_ids = "display_name,siret\nA,12345678901234\nB,35600000000048\n";
  status = Import(bad_ids, &response);
  EXPECT_THAT(BadFields(status), ElementsAre("rows[2].siret"));
  EXPECT_EQ(CountRows("actors"), 0);
}

// A successful import and a dry run speak French to people (fr-FR) as a failed import does: a
// summary, and each issue the French sentence of the field violation a real import would give.
TEST_F(ImportTest, ReportsCarryFrenchMessagesAsFailuresDo) {
  const std::string csv =
      "display_name,ess_family,address.commune_insee_code\n"
      "Bonne,ASSOCIATION,21231\n"
      "Mauvaise,PIRATE,21231\n";
  v1::ImportActorsResponse report;
  ASSERT_THAT(Import(csv, &report, true), IsOk());
  EXPECT_EQ(report.summary().locale(), "fr-FR");
  EXPECT_EQ(report.summary().message(),
            "Vérification (rien n'est écrit) de 2 lignes : 1 acteur serait créé, 0 serait "
            "modifié, 0 resterait inchangé, 1 ligne refusée ; 1 problème signalé. Fichier lu en "
            "UTF-8.");
  ASSERT_EQ(report.issues_size(), 1);
  v1::ImportActorsResponse failed;
  grpc::Status status = Import(csv, &failed);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  std::string failure_french;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad)) failure_french = bad.field_violations(0).localized_message().message();
  }
  ASSERT_FALSE(failure_french.empty());
  EXPECT_EQ(report.issues(0).localized_message().locale(), "fr-FR");
  // The same sentence, naming the file's column where the failed import names the row's field.
  EXPECT_EQ(report.issues(0).localized_message().message(),
            absl::StrReplaceAll(failure_french, {{"rows[3].", ""}}));

  ASSERT_THAT(Import("display_name,address.commune_insee_code\nBonne,21231\n", &report), IsOk());
  EXPECT_EQ(report.summary().message(),
            "Import de 1 ligne : 1 acteur créé, 0 modifié, 0 inchangé. Fichier lu en UTF-8.");
}

TEST_F(ImportTest, BadFilesAreRefused) {
  v1::ImportActorsResponse response;
  EXPECT_EQ(Import("", &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::ImportActorsRequest utf8;  // said to be UTF-8, and it is not
  utf8.set_csv_data("display_name\nCaf\xC3\n");
  utf8.set_encoding(v1::TEXT_ENCODING_UTF8);
  EXPECT_EQ(stub_->ImportActors(Context().get(), utf8, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Import("colour\nred\n", &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Import("Nom\nA\n", &response, false, {{"Nom", "nickname"}}).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Import("display_name\n\"open quote\n", &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// What French Excel saves as "CSV (séparateur: point-virgule)": Windows-1252, DD/MM/YYYY.
TEST_F(ImportTest, ReadsWindows1252AndFrenchDatesAndSaysWhichEncoding) {
  const std::string excel =
      "display_name;address.city;provenance.last_verified_date;labels.esus_agrement.start_date\r\n"
      "C\x9Cur d'\xC9"
      "conomie \x96 caf\xE9;Chen\xF4ve;07/12/2026;1/3/2021\r\n";
  v1::ImportActorsResponse response;
  grpc::Status status = Import(excel, &response);
  ASSERT_THAT(status, IsOk()) << status.error_message();
  EXPECT_EQ(response.detected_encoding(), v1::TEXT_ENCODING_WINDOWS_1252);
  ASSERT_EQ(response.rows_size(), 1);
  v1::GetActorRequest get;
  get.set_name(response.rows(0).actor());
  Actor actor;
  ASSERT_THAT(stub_->GetActor(Context().get(), get, &actor), IsOk());
  EXPECT_EQ(actor.display_name(), "Cœur d'Économie – café");
  EXPECT_EQ(actor.address().city(), "Chenôve");
  EXPECT_EQ(actor.provenance().last_verified_date().year(), 2026);
  EXPECT_EQ(actor.provenance().last_verified_date().month(), 12);
  EXPECT_EQ(actor.provenance().last_verified_date().day(), 7);
  EXPECT_EQ(actor.labels().esus_agrement().start_date().month(), 3);
  EXPECT_EQ(actor.labels().esus_agrement().start_date().day(), 1);

  // The same file in UTF-8 says so; an impossible French date is a row problem naming its column.
  ASSERT_THAT(Import("display_name;provenance.last_verified_date\r\nCafé;31/02/2026\r\n", &response,
                     /*validate_only=*/true),
              IsOk());
  EXPECT_EQ(response.detected_encoding(), v1::TEXT_ENCODING_UTF8);
  ASSERT_EQ(response.issues_size(), 1);
  EXPECT_EQ(response.issues(0).field(), "provenance.last_verified_date");
  EXPECT_THAT(response.issues(0).reason(), HasSubstr("DD/MM/YYYY"));
}

TEST_F(ImportTest, ExportImportedAgainChangesNothing) {
  CreateActor("Épicerie \"Le Panier\"", [](Actor& a) {
    a.set_description("Ligne 1\nLigne 2, avec virgule");
    a.mutable_coordinates()->set_latitude(47.321580612345);
    a.mutable_coordinates()->set_longitude(5.0414701);
    a.mutable_address()->add_lines("2 rue des Corroyeurs");
    a.mutable_address()->add_lines("Bâtiment B");
    a.mutable_address()->set_commune_insee_code("21231");
    a.add_themes("circuits-courts");
    a.set_ess_family(v1::ESS_FAMILY_COOPERATIVE);
    a.mutable_labels()->add_siae_types(v1::SIAE_TYPE_EI);
    auto* esus = a.mutable_labels()->mutable_esus_agrement();
    esus->mutable_start_date()->set_year(2021);
    esus->mutable_start_date()->set_month(3);
    esus->mutable_start_date()->set_day(1);
    a.mutable_provenance()->set_source("manual");
  });
  CreateActor("CAE", [](Actor& a) { a.set_kind(v1::ACTOR_KIND_STRUCTURE_TYPE); });
  v1::ExportActorsRequest request;
  request.set_format(v1::EXPORT_FORMAT_CSV);
  request.set_separator(v1::CSV_SEPARATOR_SEMICOLON);
  auto context = Context();
  auto reader = stub_->ExportActors(context.get(), request);
  std::string csv;
  google::api::HttpBody chunk;
  while (reader->Read(&chunk)) csv += chunk.data();
  ASSERT_THAT(reader->Finish(), IsOk());
  int64_t changes = CountRows("changes");
  v1::ImportActorsResponse response;
  grpc::Status status = Import(csv, &response);
  ASSERT_THAT(status, IsOk()) << status.error_message();
  EXPECT_EQ(response.unchanged_count(), 2) << response.DebugString();
  EXPECT_EQ(response.rows(0).matched_by(), v1::IMPORT_MATCH_RULE_RESOURCE_NAME);
  EXPECT_EQ(CountRows("changes"), changes);
}

// OWASP CSV injection: the export neutralises every cell a spreadsheet would run as a formula,
// and ImportActors reads the file back to the same actors.
TEST_F(ImportTest, ExportNeutralisesFormulasAndReadsThemBack) {
  CreateActor("=HYPERLINK(\"http://attacker.example\";\"Cliquez\")", [](Actor& a) {
    a.set_description("@SUM(1+1)*cmd|' /C calc'!A0");
    a.mutable_address()->add_lines("+33 3 80 00 00 00");
    a.mutable_address()->add_lines("-2+3");
  });
  CreateActor("'t Winkeltje", [](Actor& a) { a.set_description("-1 adhérent"); });
  v1::ExportActorsRequest request;
  request.set_format(v1::EXPORT_FORMAT_CSV);
  request.set_separator(v1::CSV_SEPARATOR_SEMICOLON);
  auto context = Context();
  auto reader = stub_->ExportActors(context.get(), request);
  std::string csv;
  google::api::HttpBody chunk;
  while (reader->Read(&chunk)) csv += chunk.data();
  ASSERT_THAT(reader->Finish(), IsOk());
  EXPECT_THAT(csv, HasSubstr("\"'=HYPERLINK(\"\"http://attacker.example\"\";"));
  EXPECT_THAT(csv, HasSubstr(";'@SUM(1+1)*cmd|' /C calc'!A0"));
  EXPECT_THAT(csv, HasSubstr("''t Winkeltje"));
  EXPECT_THAT(csv, HasSubstr(";'-1 adhérent"));
  // No cell of the file starts with a formula character.
  csv::CsvReader cells(';');
  cells.Feed(csv);
  cells.Finish();
  int read = 0;
  while (auto record = cells.Next()) {
    for (const std::string& cell : record->fields) {
      ++read;
      ASSERT_TRUE(cell.empty() || std::string("=+-@\t\r").find(cell[0]) == std::string::npos)
          << cell;
    }
  }
  EXPECT_GT(read, 20);
  // Read back: the same two actors, nothing changed.
  int64_t changes = CountRows("changes");
  v1::ImportActorsResponse response;
  grpc::Status status = Import(csv, &response);
  ASSERT_THAT(status, IsOk()) << status.error_message();
  EXPECT_EQ(response.unchanged_count(), 2) << response.DebugString();
  EXPECT_EQ(CountRows("changes"), changes);
}

}  // namespace
}  // namespace maillage::directory
