// Integration tests of ImportSireneExtract (client streaming, chunks of any size).
#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/directory/directory_test_fixture.h"

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

}  // namespace
}  // namespace maillage::directory
