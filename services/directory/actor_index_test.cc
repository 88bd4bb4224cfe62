// ActorIndex, the import's in-memory match and duplicate rules, without a database.
#include "services/directory/actor_index.h"

#include "gtest/gtest.h"

namespace maillage::directory {
namespace {

// siret, rna, siren, folded name, commune
const ActorKeys kRecyclerie{"35600000000048", "", "356000000", "recyclerie", "21166"};
const ActorKeys kAtelier{"", "W212001234", "", "atelier velo", "21231"};

TEST(ActorIndexTest, MatchesBySiretThenRnaThenNameAndCommune) {
  ActorIndex index;
  index.Add(7, kRecyclerie);
  index.Add(9, kAtelier);

  ImportMatch by_siret = index.FindMatch({"35600000000048", "W212001234", "", "autre", "21231"});
  EXPECT_EQ(by_siret.id, 7);
  EXPECT_EQ(by_siret.rule, v1::IMPORT_MATCH_RULE_SIRET);

  ImportMatch by_rna = index.FindMatch({"", "W212001234", "", "atelier velo", "21231"});
  EXPECT_EQ(by_rna.id, 9);
  EXPECT_EQ(by_rna.rule, v1::IMPORT_MATCH_RULE_RNA);

  ImportMatch by_name = index.FindMatch({"", "", "", "atelier velo", "21231"});
  EXPECT_EQ(by_name.id, 9);
  EXPECT_EQ(by_name.rule, v1::IMPORT_MATCH_RULE_NAME_AND_COMMUNE);

  // The same name in another commune, or no identifier and no name: nothing.
  EXPECT_EQ(index.FindMatch({"", "", "", "atelier velo", "21166"}).id, 0);
  EXPECT_EQ(index.FindMatch({"", "", "", "", "21231"}).id, 0);
  EXPECT_EQ(index.FindMatch({}).id, 0);
}

TEST(ActorIndexTest, LowestIdWinsAndPendingActorsComeAfterStoredOnes) {
  ActorIndex index;
  index.Add(-1, kRecyclerie);  // created by an earlier row, not inserted yet
  EXPECT_EQ(index.FindMatch(kRecyclerie).id, -1);
  index.Add(12, kRecyclerie);
  index.Add(5, kRecyclerie);
  EXPECT_EQ(index.FindMatch(kRecyclerie).id, 5);
  index.Remove(5);
  index.Remove(12);
  index.Add(-2, kRecyclerie);
  EXPECT_EQ(index.FindMatch(kRecyclerie).id, -1) << "-1 was created before -2";
}

TEST(ActorIndexTest, OwnersOfIdentifiersOtherThanSelf) {
  ActorIndex index;
  index.Add(7, kRecyclerie);
  index.Add(9, kAtelier);

  auto siret = index.FindOwner(kRecyclerie, /*self=*/0);
  ASSERT_TRUE(siret.has_value());
  EXPECT_EQ(siret->actor_id, 7);
  EXPECT_EQ(siret->matched_by, "siret");
  EXPECT_FALSE(index.FindOwner(kRecyclerie, /*self=*/7).has_value());

  // Same SIREN and folded name, another SIRET: a duplicate; same SIREN, another name: none.
  auto siren = index.FindOwner({"35600000049837", "", "356000000", "recyclerie", ""}, 0);
  ASSERT_TRUE(siren.has_value());
  EXPECT_EQ(siren->matched_by, "siren_and_name");
  EXPECT_FALSE(index.FindOwner({"35600000049837", "", "356000000", "la poste", ""}, 0));

  auto rna = index.FindOwner({"", "W212001234", "", "autre nom", ""}, 0);
  ASSERT_TRUE(rna.has_value());
  EXPECT_EQ(rna->actor_id, 9);
  EXPECT_EQ(rna->matched_by, "rna");
  // A name and commune alone never make a duplicate.
  EXPECT_FALSE(index.FindOwner({"", "", "", "atelier velo", "21231"}, 0));
}

TEST(ActorIndexTest, RemoveAndAddAgainFollowAnUpdatedActor) {
  ActorIndex index;
  index.Add(7, kRecyclerie);
  ASSERT_NE(index.KeysOf(7), nullptr);
  EXPECT_EQ(index.KeysOf(7)->folded_name, "recyclerie");
  ActorKeys renamed = kRecyclerie;
  renamed.siret = "";
  renamed.folded_name = "ressourcerie";
  index.Remove(7);
  index.Add(7, renamed);
  EXPECT_EQ(index.FindMatch(kRecyclerie).id, 0) << "the old SIRET and name are gone";
  EXPECT_EQ(index.FindMatch({"", "", "", "ressourcerie", "21166"}).id, 7);
  index.Remove(7);
  EXPECT_EQ(index.KeysOf(7), nullptr);
  index.Remove(7);  // absent: no-op
}

}  // namespace
}  // namespace maillage::directory
