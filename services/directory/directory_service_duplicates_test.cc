// FindDuplicates on the mistakes people really make: the seed's names (deploy/seed/
// network_partners.csv) written another way, with a typo, with or without their article; web
// sites written with and without `www.`, http or https, a trailing slash, another case; e-mail
// addresses in another case or with spaces around. Each pair is checked with its rule, score
// and explanation, and pairs that are two organisations must not be proposed.
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/directory/directory_test_fixture.h"

using maillage::testing::IsOk;

namespace maillage::directory {
namespace {

using v1::Actor;

constexpr char kDijon[] = "21231";
constexpr char kChenove[] = "21166";
constexpr char kQuetigny[] = "21515";

// One actor of a pair: its display name and the fields that make it a duplicate or not.
struct Side {
  std::string name;
  std::string commune;  // INSEE code, "" for none
  std::string website;
  std::string email;
};

// A pair expected from FindDuplicates.
struct Expected {
  Side first, second;
  v1::DuplicateRule rule;
  double score;
  std::string explanation;
};

class DuplicatesTest : public DirectoryTest {
 protected:
  Actor Create(const Side& side) {
    return CreateActor(side.name, [&](Actor& a) {
      if (!side.commune.empty()) a.mutable_address()->set_commune_insee_code(side.commune);
      a.set_website(side.website);
      a.set_email(side.email);
    });
  }

  // Every candidate of the default minimum score, keyed by the two display names.
  std::map<std::pair<std::string, std::string>, v1::DuplicateCandidate> FindAll(
      double min_score = 0) {
    std::map<std::pair<std::string, std::string>, v1::DuplicateCandidate> found;
    std::string token;
    do {
      v1::FindDuplicatesRequest request;
      request.set_min_score(min_score);
      request.set_page_size(100);
      request.set_page_token(token);
      v1::FindDuplicatesResponse response;
      grpc::Status status = stub_->FindDuplicates(Context().get(), request, &response);
      EXPECT_THAT(status, IsOk());
      if (!status.ok()) break;
      for (const v1::DuplicateCandidate& c : response.candidates()) {
        found[{c.actor().display_name(), c.other_actor().display_name()}] = c;
      }
      token = response.next_page_token();
    } while (!token.empty());
    return found;
  }

  // Creates the pairs, then checks that FindDuplicates proposes exactly them, each with its
  // rule, score and explanation.
  void ExpectExactly(const std::vector<Expected>& pairs) {
    for (const Expected& e : pairs) {
      Create(e.first);
      Create(e.second);
    }
    auto found = FindAll();
    for (const Expected& e : pairs) {
      auto it = found.find({e.first.name, e.second.name});
      if (it == found.end()) {
        ADD_FAILURE() << "not proposed: " << e.first.name << " / " << e.second.name;
        continue;
      }
      const v1::DuplicateCandidate& c = it->second;
      std::string pair = absl::StrCat(e.first.name, " / ", e.second.name);
      EXPECT_EQ(v1::DuplicateRule_Name(c.rule()), v1::DuplicateRule_Name(e.rule)) << pair;
      EXPECT_NEAR(c.score(), e.score, 0.0001) << pair;
      EXPECT_EQ(c.explanation(), e.explanation) << pair;
      found.erase(it);
    }
    for (const auto& [names, c] : found) {
      ADD_FAILURE() << "proposed but not a duplicate: " << names.first << " / " << names.second
                    << " (" << v1::DuplicateRule_Name(c.rule()) << ", " << c.explanation() << ")";
    }
  }
};

TEST_F(DuplicatesTest, SimilarNamesCatchTheSeedsVariantsAndTypos) {
  const char* kSameInDijon = "dans la même commune, Dijon (21231)";
  const char* kOneUnknown = "commune inconnue pour l'un des deux";
  ExpectExactly({
      // Without its article, one of the two not placed yet.
      {{"La Recyclade", kDijon},
       {"Recyclade", ""},
       v1::DUPLICATE_RULE_SIMILAR_NAME,
       0.9,
       absl::StrCat("noms proches (1.00), ", kOneUnknown)},
      {{"Bécane à Jules", ""},
       {"La Bécane à Jules", ""},
       v1::DUPLICATE_RULE_SIMILAR_NAME,
       0.9,
       absl::StrCat("noms proches (1.00), ", kOneUnknown)},
      // Accents, hyphens, apostrophes, spaces, "&" / "and" / "et", œ.
      {{"Fédération Léo Lagrange", kDijon},
       {"Federation Leo-Lagrange", kDijon},
       v1::DUPLICATE_RULE_SIMILAR_NAME_SAME_COMMUNE,
       1.0,
       absl::StrCat("noms proches (1.00) ", kSameInDijon)},
      {{"Cric & Co", kDijon},
       {"Cric and Co", kDijon},
       v1::DUPLICATE_RULE_SIMILAR_NAME_SAME_COMMUNE,
       1.0,
       absl::StrCat("noms proches (1.00) ", kSameInDijon)},
      {{"Habitat et Humanisme", kDijon},
       {"Habitat & Humanisme", kDijon},
       v1::DUPLICATE_RULE_SIMILAR_NAME_SAME_COMMUNE,
       1.0,
       absl::StrCat("noms proches (1.00) ", kSameInDijon)},
      {{"Mail'Up", kDijon},
       {"Mailup", ""},
       v1::DUPLICATE_RULE_SIMILAR_NAME,
       0.9,
       absl::StrCat("noms proches (1.00), ", kOneUnknown)},
      {{"EPISOURIRE", ""},
       {"Épi Sourire", kDijon},
       v1::DUPLICATE_RULE_SIMILAR_NAME,
       0.9,
       absl::StrCat("noms proches (1.00), ", kOneUnknown)},
      {{"Rézo Fêt'Art", kDijon},
       {"Rezo Fet Art", kDijon},
       v1::DUPLICATE_RULE_SIMILAR_NAME_SAME_COMMUNE,
       1.0,
       absl::StrCat("noms proches (1.00) ", kSameInDijon)},
      {{"Restaurants du cœur", kDijon},
       {"Restaurants du coeur", kDijon},
       v1::DUPLICATE_RULE_SIMILAR_NAME_SAME_COMMUNE,
       1.0,
       absl::StrCat("noms proches (1.00) ", kSameInDijon)},
      {{"Court-Circuit 21", kDijon},
       {"Court Circuit 21", kDijon},
       v1::DUPLICATE_RULE_SIMILAR_NAME_SAME_COMMUNE,
       1.0,
       absl::StrCat("noms proches (1.00) ", kSameInDijon)},
      // Typos: a letter missing, doubled or replaced.
      {{"la Chouette Monnaie", kDijon},
       {"La Chouette Monaie", kDijon},
       v1::DUPLICATE_RULE_SIMILAR_NAME_SAME_COMMUNE,
       14.0 / 17,
       absl::StrCat("noms proches (0.82) ", kSameInDijon)},
      {{"Péniche Cancale", kDijon},
       {"Peniche Cancalle", kDijon},
       v1::DUPLICATE_RULE_SIMILAR_NAME_SAME_COMMUNE,
       14.0 / 17,
       absl::StrCat("noms proches (0.82) ", kSameInDijon)},
      {{"Itinéraires Singuliers", kDijon},
       {"Itinéraires Singulier", ""},
       v1::DUPLICATE_RULE_SIMILAR_NAME,
       0.9 * 20 / 23,
       absl::StrCat("noms proches (0.87), ", kOneUnknown)},
      {{"Kelle Fabrik", kDijon},
       {"Kèle Fabrik", kDijon},
       v1::DUPLICATE_RULE_SIMILAR_NAME_SAME_COMMUNE,
       10.0 / 13,
       absl::StrCat("noms proches (0.77) ", kSameInDijon)},
  });
}

TEST_F(DuplicatesTest, TwoOrganisationsWithCloseNamesAreNotProposed) {
  ExpectExactly({});  // nothing yet
  for (const Side& side : std::vector<Side>{
           // The seed's three MJC are three houses of Dijon.
           {"MJC des Bourroches", kDijon},
           {"MJC Dijon Grésilles", kDijon},
           {"MJC Montchapet", kDijon},
           // Houses of the same name in two communes.
           {"Maison des Jeunes et de la Culture", kChenove},
           {"Maison des Jeunes et de la Culture", kQuetigny},
           // Two antennas of the Restos du cœur.
           {"Restaurants du cœur", kDijon},
           {"Restaurants du cœur", kChenove},
           // Federations of different movements, sports bodies of two levels.
           {"Fédération des MJC", kDijon},
           {"Fédération Léo Lagrange", kDijon},
           {"Fédération des entreprises d'insertion", kDijon},
           {"CDOS", kDijon},
           {"CROS", kDijon},
       }) {
    Create(side);
  }
  auto found = FindAll();
  for (const auto& [names, c] : found) {
    ADD_FAILURE() << "proposed: " << names.first << " / " << names.second << " (" << c.explanation()
                  << ")";
  }
}

TEST_F(DuplicatesTest, SameWebsiteIgnoresSchemeWwwTrailingSlashAndCase) {
  ExpectExactly({
      {{"La Recyclade", "", "https://www.larecyclade.fr/"},
       {"Ressourcerie de Dijon", "", "http://larecyclade.fr"},
       v1::DUPLICATE_RULE_SAME_WEBSITE,
       0.85,
       "même site web larecyclade.fr (« https://www.larecyclade.fr/ » et "
       "« http://larecyclade.fr »)"},
      // The path's case and a fragment.
      {{"Cric & Co", "", "https://www.helloasso.com/associations/Cric-and-Co"},
       {"Atelier vélo participatif", "", "http://helloasso.com/associations/cric-and-co/#don"},
       v1::DUPLICATE_RULE_SAME_WEBSITE,
       0.85,
       "même site web helloasso.com/associations/cric-and-co "
       "(« https://www.helloasso.com/associations/Cric-and-Co » et "
       "« http://helloasso.com/associations/cric-and-co/#don »)"},
      // Written the same way: the site once.
      {{"Zutique", "", "https://zutique.org"},
       {"Festival Tribu", "", "https://zutique.org"},
       v1::DUPLICATE_RULE_SAME_WEBSITE,
       0.85,
       "même site web https://zutique.org"},
  });
}

TEST_F(DuplicatesTest, TwoPagesOfOnePlatformAreNotTheSameSite) {
  Create({"La Rustine", "", "https://www.helloasso.com/associations/la-rustine"});
  Create({"Bécane à Jules", "", "https://www.helloasso.com/associations/becane-a-jules"});
  Create({"Terre de Liens", "", "https://terredeliens.org/bourgogne-franche-comte"});
  Create({"Bio Bourgogne", "", "https://terredeliens.org"});
  EXPECT_TRUE(FindAll().empty());
}

TEST_F(DuplicatesTest, SameEmailIgnoresCaseAndSurroundingSpaces) {
  ExpectExactly({
      {{"ENVIE Dijon", "", "", "Contact@Envie-Dijon.fr"},
       {"Atelier électroménager solidaire", "", "", "contact@envie-dijon.fr"},
       v1::DUPLICATE_RULE_SAME_EMAIL,
       0.8,
       "même adresse e-mail contact@envie-dijon.fr (« Contact@Envie-Dijon.fr » et "
       "« contact@envie-dijon.fr »)"},
      // Spaces pasted around an address are trimmed when it is written.
      {{"Emmaüs", "", "", "  communaute@emmaus-dijon.org "},
       {"Communauté de Norges", "", "", "communaute@emmaus-dijon.org"},
       v1::DUPLICATE_RULE_SAME_EMAIL,
       0.8,
       "même adresse e-mail communaute@emmaus-dijon.org"},
  });
}

TEST_F(DuplicatesTest, TheStrongestRuleOfAPairIsTheOneReturned) {
  // Same e-mail (0.8) and similar names in one commune (0.82): the names win; the same web
  // site (0.85) beats similar names without a commune (0.9 × 0.77).
  ExpectExactly({
      {{"la Chouette Monnaie", kDijon, "", "contact@lachouettemonnaie.fr"},
       {"La Chouette Monaie", kDijon, "", "CONTACT@lachouettemonnaie.fr"},
       v1::DUPLICATE_RULE_SIMILAR_NAME_SAME_COMMUNE,
       14.0 / 17,
       "noms proches (0.82) dans la même commune, Dijon (21231)"},
      {{"Kelle Fabrik", "", "https://kellefabrik.fr/"},
       {"Kèle Fabrik", "", "http://www.kellefabrik.fr"},
       v1::DUPLICATE_RULE_SAME_WEBSITE,
       0.85,
       "même site web kellefabrik.fr (« https://kellefabrik.fr/ » et "
       "« http://www.kellefabrik.fr »)"},
  });
}

TEST_F(DuplicatesTest, AMinimumScoreBelowTheTrigramDefaultReachesThePairsAboveIt) {
  // "CDOS" / "CROS" have a similarity of 0.25: under pg_trgm's default threshold (0.3) no
  // minimum score could reach them; the threshold now follows the minimum.
  Create({"CDOS", kDijon});
  Create({"CROS", kDijon});
  Create({"Fédération des MJC", kDijon});
  Create({"Fédération des entreprises d'insertion", kDijon});  // 0.351
  EXPECT_TRUE(FindAll().empty()) << "none reaches the default minimum, 0.5";
  auto found = FindAll(0.25);
  ASSERT_EQ(found.size(), 2u);
  auto sports = found.find({"CDOS", "CROS"});
  ASSERT_NE(sports, found.end());
  EXPECT_NEAR(sports->second.score(), 0.25, 0.0001);
  EXPECT_EQ(sports->second.explanation(),
            "noms proches (0.25) dans la même commune, Dijon (21231)");
  auto federations = FindAll(0.3);
  ASSERT_EQ(federations.size(), 1u);
  EXPECT_EQ(federations.begin()->first.first, "Fédération des MJC");
}

// The duplicates of one actor, as an actor's card asks: `name = "actors/N"` keeps the pairs it
// belongs to (either side), and a name that is not an actor's is refused.
TEST_F(DuplicatesTest, TheNameFilterKeepsThePairsOfOneActor) {
  Actor recyclade = Create({"La Recyclade", kDijon, "https://www.recyclade.fr/"});
  Create({"Recyclade", kDijon});
  Create({"Recyclerie de Chenôve", kChenove, "http://recyclade.fr"});
  Create({"Cric et Co", kQuetigny});
  Create({"Cric & Co", kQuetigny});
  ASSERT_EQ(FindAll().size(), 3u);

  v1::FindDuplicatesRequest request;
  request.set_filter(absl::StrCat("name = \"", recyclade.name(), "\""));
  v1::FindDuplicatesResponse response;
  ASSERT_THAT(stub_->FindDuplicates(Context().get(), request, &response), IsOk());
  ASSERT_EQ(response.candidates_size(), 2);
  for (const v1::DuplicateCandidate& c : response.candidates()) {
    EXPECT_EQ(c.actor().name(), recyclade.name()) << c.explanation();
  }
  EXPECT_EQ(response.candidates(1).rule(), v1::DUPLICATE_RULE_SAME_WEBSITE);

  request.set_filter("name = \"communes/21231\"");
  grpc::Status refused = stub_->FindDuplicates(Context().get(), request, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), ::testing::HasSubstr("'name' takes an actor name"));
}

}  // namespace
}  // namespace maillage::directory
