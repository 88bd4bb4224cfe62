// Tests of the directory seed (tools/seed/seed_directory.cc) against an in-process server:
// the 77 partners in their categories, structure types marked, a second run loads nothing.
#include <map>

#include "absl/strings/str_cat.h"
#include "common/server/client.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "services/directory/directory_test_fixture.h"
#include "tools/seed/seed.h"

using maillage::testing::IsOk;

namespace maillage::directory {
namespace {

class SeedDirectoryTest : public DirectoryTest {
 protected:
  absl::Status RunSeed() {
    seed::SeedContext context;
    context.data_dir = MAILLAGE_SEED_DIR;
    context.directory = server::MakeChannel(absl::StrCat("127.0.0.1:", server_->port()));
    return seed::SeedDirectory(context);
  }

  std::vector<v1::Actor> AllActors() {
    v1::ListActorsRequest request;
    request.set_page_size(1000);
    v1::ListActorsResponse response;
    EXPECT_THAT(stub_->ListActors(Context().get(), request, &response), IsOk());
    return {response.actors().begin(), response.actors().end()};
  }
};

TEST_F(SeedDirectoryTest, LoadsThe77PartnersOnce) {
  ASSERT_THAT(RunSeed(), IsOk());
  std::vector<v1::Actor> actors = AllActors();
  ASSERT_EQ(actors.size(), 77u);
  std::map<std::string, int> per_category;
  for (const v1::Actor& a : actors) {
    ASSERT_EQ(a.network_categories_size(), 1) << a.display_name();
    ++per_category[a.network_categories(0)];
    EXPECT_TRUE(a.siren().empty() && a.siret().empty() && a.rna().empty());
    EXPECT_EQ(a.provenance().source(), "seed");
    bool structure_type = a.display_name() == "CAE" || a.display_name() == "Cigales";
    EXPECT_EQ(a.kind(),
              structure_type ? v1::ACTOR_KIND_STRUCTURE_TYPE : v1::ACTOR_KIND_ORGANISATION)
        << a.display_name();
  }
  EXPECT_EQ(per_category.size(), 13u);
  EXPECT_EQ(per_category["structures-ess"], 15);
  EXPECT_EQ(per_category["accompagnement-creation"], 12);
  EXPECT_EQ(per_category["iae"], 10);

  ASSERT_THAT(RunSeed(), IsOk());
  EXPECT_EQ(AllActors().size(), 77u);
}

}  // namespace
}  // namespace maillage::directory
