// Integration tests of FindDuplicates and MergeActors.
#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/directory/directory_test_fixture.h"

using maillage::testing::IsOk;

namespace maillage::directory {
namespace {

using ::testing::ElementsAre;
using v1::Actor;

class MergeTest : public DirectoryTest {
 protected:
  v1::FindDuplicatesResponse Find(const std::string& filter = "", int page_size = 0,
                                  const std::string& token = "") {
    v1::FindDuplicatesRequest request;
    request.set_filter(filter);
    request.set_page_size(page_size);
    request.set_page_token(token);
    v1::FindDuplicatesResponse response;
    grpc::Status status = stub_->FindDuplicates(Context().get(), request, &response);
    EXPECT_THAT(status, IsOk()) << status.error_message();
    return response;
  }

  grpc::Status Merge(const Actor& survivor, const Actor& other, Actor* out) {
    v1::MergeActorsRequest request;
    request.set_name(survivor.name());
    request.set_other_actor(other.name());
    return stub_->MergeActors(Context().get(), request, out);
  }
};

TEST_F(MergeTest, FindDuplicatesSaysWhichRuleMatched) {
  Actor a = CreateActor("Recyclerie de Chenôve",
                        [](Actor& x) { x.mutable_address()->set_commune_insee_code("21166"); });
  Actor b = CreateActor("RECYCLERIE DE CHENOVE",
                        [](Actor& x) { x.mutable_address()->set_commune_insee_code("21166"); });
  CreateActor("Recyclerie de Chenôve", [](Actor& x) {
    x.mutable_address()->set_commune_insee_code("21231");  // other commune: not proposed
  });
  Actor s1 = CreateActor("Alpha établissement 1", [](Actor& x) { x.set_siren("356000000"); });
  Actor s2 = CreateActor("Beta autre", [](Actor& x) { x.set_siren("356000000"); });
  CreateActor("Sans rapport");

  v1::FindDuplicatesResponse response = Find();
  ASSERT_EQ(response.candidates_size(), 2) << response.DebugString();
  EXPECT_EQ(response.candidates(0).rule(), v1::DUPLICATE_RULE_SIMILAR_NAME_SAME_COMMUNE);
  EXPECT_EQ(response.candidates(0).actor().name(), a.name());
  EXPECT_EQ(response.candidates(0).other_actor().name(), b.name());
  EXPECT_DOUBLE_EQ(response.candidates(0).score(), 1.0);
  EXPECT_THAT(response.candidates(0).explanation(), ::testing::HasSubstr("21166"));
  EXPECT_EQ(response.candidates(1).rule(), v1::DUPLICATE_RULE_SAME_SIREN);
  EXPECT_EQ(response.candidates(1).actor().name(), s1.name());
  EXPECT_EQ(response.candidates(1).other_actor().name(), s2.name());

  // Paging by one gives the same pairs; the filter narrows to pairs touching an actor.
  v1::FindDuplicatesResponse first = Find("", 1);
  ASSERT_EQ(first.candidates_size(), 1);
  v1::FindDuplicatesResponse second = Find("", 1, first.next_page_token());
  ASSERT_EQ(second.candidates_size(), 1);
  EXPECT_EQ(second.candidates(0).rule(), v1::DUPLICATE_RULE_SAME_SIREN);
  EXPECT_TRUE(second.next_page_token().empty());
  EXPECT_EQ(Find("has_siren = true").candidates_size(), 1);

  v1::FindDuplicatesRequest bad;
  bad.set_min_score(2);
  v1::FindDuplicatesResponse out;
  EXPECT_EQ(stub_->FindDuplicates(Context().get(), bad, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(MergeTest, MergeMovesContactsAndRelationshipsAndLeavesARedirect) {
  Actor survivor = CreateActor("Recyclerie", [](Actor& x) { x.add_network_categories("iae"); });
  Actor other = CreateActor("La Recyclerie", [](Actor& x) {
    x.set_rna("W212001234");
    x.set_website("https://recyclerie.example.org");
    x.add_network_categories("structures-ess");
  });
  Actor head = CreateActor("Tête de réseau");
  v1::CreateContactRequest contact_request;
  contact_request.set_parent(other.name());
  contact_request.mutable_contact()->set_family_name("Martin");
  contact_request.mutable_contact()->set_legal_basis(v1::LEGAL_BASIS_LEGITIMATE_INTEREST);
  v1::Contact contact;
  ASSERT_THAT(stub_->CreateContact(Context().get(), contact_request, &contact), IsOk());
  auto link = [&](const Actor& from, const Actor& to, v1::RelationshipType type) {
    v1::CreateRelationshipRequest request;
    request.set_parent(from.name());
    request.mutable_relationship()->set_type(type);
    request.mutable_relationship()->set_other_actor(to.name());
    v1::Relationship r;
    EXPECT_THAT(stub_->CreateRelationship(Context().get(), request, &r), IsOk());
    return r;
  };
  link(other, head, v1::RELATIONSHIP_TYPE_MEMBER_OF);
  link(survivor, head, v1::RELATIONSHIP_TYPE_MEMBER_OF);  // identical once merged: kept once
  link(head, other, v1::RELATIONSHIP_TYPE_PARTNER_OF);
  link(survivor, other, v1::RELATIONSHIP_TYPE_PARTNER_OF);  // between the two: dropped

  Actor merged;
  grpc::Status status = Merge(survivor, other, &merged);
  ASSERT_THAT(status, IsOk()) << status.error_message();
  EXPECT_EQ(merged.rna(), "W212001234");
  EXPECT_EQ(merged.website(), "https://recyclerie.example.org");
  EXPECT_THAT(merged.network_categories(), ElementsAre("iae", "structures-ess"));

  v1::GetActorRequest get;
  get.set_name(other.name());
  Actor redirect;
  ASSERT_THAT(stub_->GetActor(Context().get(), get, &redirect), IsOk());
  EXPECT_EQ(redirect.state(), v1::ACTOR_STATE_MERGED);
  EXPECT_EQ(redirect.merged_into(), survivor.name());

  v1::ListContactsRequest contacts;
  contacts.set_parent(survivor.name());
  v1::ListContactsResponse listed;
  ASSERT_THAT(stub_->ListContacts(Context().get(), contacts, &listed), IsOk());
  ASSERT_EQ(listed.contacts_size(), 1);
  EXPECT_EQ(listed.contacts(0).family_name(), "Martin");

  v1::ListRelationshipsRequest relationships;
  relationships.set_parent("actors/-");
  v1::ListRelationshipsResponse all;
  ASSERT_THAT(stub_->ListRelationships(Context().get(), relationships, &all), IsOk());
  ASSERT_EQ(all.relationships_size(), 2) << all.DebugString();
  for (const v1::Relationship& r : all.relationships()) {
    EXPECT_THAT(r.name() + " " + r.other_actor(),
                ::testing::Not(::testing::HasSubstr(other.name() + "/")));
    EXPECT_NE(r.other_actor(), other.name());
  }

  // Change feed: MERGED for the other actor and the moved contact, UPDATED for the survivor.
  v1::ListChangesRequest changes_request;
  changes_request.set_page_size(1000);
  v1::ListChangesResponse changes;
  ASSERT_THAT(stub_->ListChanges(Context().get(), changes_request, &changes), IsOk());
  bool actor_merged = false, contact_merged = false;
  for (const v1::Change& c : changes.changes()) {
    if (c.kind() == v1::CHANGE_KIND_MERGED && c.resource_name() == other.name()) {
      actor_merged = c.merged_into() == survivor.name();
    }
    if (c.kind() == v1::CHANGE_KIND_MERGED && c.resource_name() == contact.name()) {
      contact_merged =
          c.contact().family_name() == "Martin" && c.merged_into() == c.contact().name();
    }
  }
  EXPECT_TRUE(actor_merged);
  EXPECT_TRUE(contact_merged);
  EXPECT_EQ(changes.changes().rbegin()->kind(), v1::CHANGE_KIND_UPDATED);
  EXPECT_EQ(changes.changes().rbegin()->resource_name(), survivor.name());

  // A merged actor can be neither merged again nor written.
  Actor out;
  grpc::Status again = Merge(survivor, other, &out);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(again), "ACTOR_MERGED");
  v1::UpdateActorRequest update;
  update.mutable_actor()->set_name(other.name());
  update.mutable_actor()->set_description("x");
  EXPECT_EQ(stub_->UpdateActor(Context().get(), update, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Merge(survivor, survivor, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(MergeTest, DifferentIdentifiersRefuseTheMerge) {
  Actor a = CreateActor("A", [](Actor& x) { x.set_siret("35600000000048"); });
  Actor b = CreateActor("B", [](Actor& x) { x.set_siret("35600000049837"); });
  Actor out;
  grpc::Status status = Merge(a, b, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "IDENTIFIER_CONFLICT");
  v1::GetActorRequest get;
  get.set_name(b.name());
  Actor read;
  ASSERT_THAT(stub_->GetActor(Context().get(), get, &read), IsOk());
  EXPECT_EQ(read.state(), v1::ACTOR_STATE_ACTIVE);
}

}  // namespace
}  // namespace maillage::directory
