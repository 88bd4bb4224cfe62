// The update conventions (common/api/update_mask.h, etag.h) as the directory applies them,
// through its gRPC stub: an empty mask keeps what the request leaves unset, "*" replaces every
// writable field, output-only paths are ignored, immutable ones refused naming them, and a stale
// etag is ABORTED with requested_etag and current_etag.
#include "common/testing/api_conventions.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/directory/directory_test_fixture.h"

namespace maillage::directory {
namespace {

using maillage::testing::IsOk;
using maillage::testing::IsRefusedMaskPath;
using maillage::testing::IsStaleEtagError;

class UpdateConventionsTest : public DirectoryTest {
 protected:
  v1::Actor Stored() {
    return CreateActor("Ancien nom", [](v1::Actor& a) {
      a.set_description("gardée");
      a.set_email("contact@pes21.fr");
      a.add_themes("circuits-courts");
    });
  }
};

TEST_F(UpdateConventionsTest, EmptyMaskWritesOnlyTheFieldsInTheRequest) {
  v1::Actor stored = Stored();
  v1::UpdateActorRequest request;
  request.mutable_actor()->set_name(stored.name());
  request.mutable_actor()->set_display_name("Nouveau nom");
  v1::Actor updated;
  ASSERT_THAT(stub_->UpdateActor(Context().get(), request, &updated), IsOk());
  EXPECT_EQ(updated.display_name(), "Nouveau nom");
  EXPECT_EQ(updated.description(), "gardée");
  EXPECT_EQ(updated.email(), "contact@pes21.fr");
  EXPECT_THAT(updated.themes(), ::testing::ElementsAre("circuits-courts"));
}

TEST_F(UpdateConventionsTest, StarReplacesEveryWritableField) {
  v1::Actor stored = Stored();
  v1::UpdateActorRequest request;
  request.mutable_actor()->set_name(stored.name());
  request.mutable_actor()->set_display_name("Nouveau nom");
  request.mutable_update_mask()->add_paths("*");
  v1::Actor updated;
  ASSERT_THAT(stub_->UpdateActor(Context().get(), request, &updated), IsOk());
  EXPECT_EQ(updated.display_name(), "Nouveau nom");
  EXPECT_EQ(updated.description(), "");
  EXPECT_EQ(updated.themes_size(), 0);
  EXPECT_EQ(updated.create_time().seconds(), stored.create_time().seconds());
}

TEST_F(UpdateConventionsTest, OutputOnlyPathsAreIgnored) {
  v1::Actor stored = Stored();
  v1::UpdateActorRequest request;
  request.mutable_actor()->set_name(stored.name());
  request.mutable_actor()->set_description("changée");
  request.mutable_actor()->set_state(v1::ACTOR_STATE_ARCHIVED);
  request.mutable_actor()->mutable_create_time()->set_seconds(1);
  for (const char* path : {"description", "state", "create_time", "etag", "name"}) {
    request.mutable_update_mask()->add_paths(path);
  }
  v1::Actor updated;
  ASSERT_THAT(stub_->UpdateActor(Context().get(), request, &updated), IsOk());
  EXPECT_EQ(updated.description(), "changée");
  EXPECT_EQ(updated.state(), v1::ACTOR_STATE_ACTIVE);
  EXPECT_EQ(updated.create_time().seconds(), stored.create_time().seconds());
}

TEST_F(UpdateConventionsTest, ImmutableAndUnknownPathsAreRefusedNamingThem) {
  v1::Actor stored = Stored();
  v1::Actor other = CreateActor("Autre acteur");
  v1::CreateRelationshipRequest create;
  create.set_parent(stored.name());
  create.mutable_relationship()->set_type(v1::RELATIONSHIP_TYPE_PARTNER_OF);
  create.mutable_relationship()->set_other_actor(other.name());
  v1::Relationship relationship;
  ASSERT_THAT(stub_->CreateRelationship(Context().get(), create, &relationship), IsOk());

  v1::UpdateRelationshipRequest update;
  update.mutable_relationship()->set_name(relationship.name());
  update.mutable_update_mask()->add_paths("description");
  update.mutable_update_mask()->add_paths("other_actor");
  v1::Relationship out;
  EXPECT_TRUE(
      IsRefusedMaskPath(stub_->UpdateRelationship(Context().get(), update, &out), "other_actor"));

  v1::UpdateActorRequest request;
  request.mutable_actor()->set_name(stored.name());
  request.mutable_update_mask()->add_paths("colour");
  v1::Actor updated;
  EXPECT_TRUE(IsRefusedMaskPath(stub_->UpdateActor(Context().get(), request, &updated), "colour"));
}

TEST_F(UpdateConventionsTest, StaleEtagNamesRequestedAndCurrent) {
  v1::Actor stored = Stored();
  v1::UpdateActorRequest request;
  request.mutable_actor()->set_name(stored.name());
  request.mutable_actor()->set_description("changée");
  request.mutable_actor()->set_etag(stored.etag());
  v1::Actor updated;
  ASSERT_THAT(stub_->UpdateActor(Context().get(), request, &updated), IsOk());
  EXPECT_TRUE(IsStaleEtagError(stub_->UpdateActor(Context().get(), request, &updated),
                               stored.etag(), updated.etag()));

  v1::CreateContactRequest create;
  create.set_parent(stored.name());
  create.mutable_contact()->set_given_name("Camille");
  create.mutable_contact()->set_family_name("Durand");
  create.mutable_contact()->set_legal_basis(v1::LEGAL_BASIS_LEGITIMATE_INTEREST);
  v1::Contact contact;
  ASSERT_THAT(stub_->CreateContact(Context().get(), create, &contact), IsOk());
  v1::UpdateContactRequest update;
  update.mutable_contact()->set_name(contact.name());
  update.mutable_contact()->set_job_title("Chargée de mission");
  v1::Contact changed;
  ASSERT_THAT(stub_->UpdateContact(Context().get(), update, &changed), IsOk());
  EXPECT_EQ(changed.given_name(), "Camille");  // empty mask: only job_title
  update.mutable_contact()->set_etag(contact.etag());
  EXPECT_TRUE(IsStaleEtagError(stub_->UpdateContact(Context().get(), update, &changed),
                               contact.etag(), changed.etag()));
}

}  // namespace
}  // namespace maillage::directory
