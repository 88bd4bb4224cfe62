// Integration tests of contacts, personal-data requests and relationships.
#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/directory/directory_test_fixture.h"

using maillage::testing::IsOk;

namespace maillage::directory {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;
using v1::Contact;
using v1::Relationship;

class ContactsTest : public DirectoryTest {
 protected:
  ContactsTest() { actor_ = CreateActor("Pôle d'Economie Solidaire 21"); }

  grpc::Status CreateContact(const Contact& contact, Contact* out, const std::string& parent = "") {
    v1::CreateContactRequest request;
    request.set_parent(parent.empty() ? actor_.name() : parent);
    *request.mutable_contact() = contact;
    return stub_->CreateContact(Context().get(), request, out);
  }

  static Contact Person(const std::string& given, const std::string& family) {
    Contact c;
    c.set_given_name(given);
    c.set_family_name(family);
    c.set_email(absl::StrCat(given, ".", family, "@example.org"));
    c.set_legal_basis(v1::LEGAL_BASIS_LEGITIMATE_INTEREST);
    return c;
  }

  v1::Actor actor_;
};

TEST_F(ContactsTest, CreateGetUpdateDelete) {
  Contact created;
  ASSERT_THAT(CreateContact(Person("Camille", "Durand"), &created), IsOk());
  EXPECT_THAT(created.name(), ::testing::StartsWith(actor_.name() + "/contacts/"));
  EXPECT_EQ(created.etag(), "1");

  v1::GetContactRequest get;
  get.set_name(created.name());
  Contact read;
  ASSERT_THAT(stub_->GetContact(Context().get(), get, &read), IsOk());
  EXPECT_EQ(read.email(), "Camille.Durand@example.org");

  v1::UpdateContactRequest update;
  update.mutable_contact()->set_name(created.name());
  update.mutable_contact()->set_job_title("Chargée de mission");
  update.mutable_contact()->set_etag("1");
  update.mutable_update_mask()->add_paths("job_title");
  Contact updated;
  ASSERT_THAT(stub_->UpdateContact(Context().get(), update, &updated), IsOk());
  EXPECT_EQ(updated.job_title(), "Chargée de mission");
  EXPECT_EQ(updated.family_name(), "Durand");
  EXPECT_EQ(stub_->UpdateContact(Context().get(), update, &updated).error_code(),
            grpc::StatusCode::ABORTED);

  v1::DeleteContactRequest del;
  del.set_name(created.name());
  v1::DeleteContactResponse deleted;
  ASSERT_THAT(stub_->DeleteContact(Context().get(), del, &deleted), IsOk());
  EXPECT_EQ(stub_->GetContact(Context().get(), get, &read).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ContactsTest, ValidationNamesEveryField) {
  Contact bad;
  bad.set_email("nope");
  bad.set_phone("appelez-moi");
  bad.set_legal_basis(v1::LEGAL_BASIS_UNSPECIFIED);
  Contact out;
  grpc::Status status = CreateContact(bad, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(status), UnorderedElementsAre("contact.family_name", "contact.email",
                                                      "contact.phone", "contact.legal_basis"));
  Contact consent = Person("Léa", "Martin");
  consent.set_legal_basis(v1::LEGAL_BASIS_CONSENT);
  status = CreateContact(consent, &out);
  EXPECT_THAT(BadFields(status), ElementsAre("contact.consent.grant_time"));
  EXPECT_EQ(CountRows("contacts"), 0);
  EXPECT_EQ(CreateContact(Person("A", "B"), &out, "actors/99999").error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ContactsTest, ListOfOneActorOrEveryActor) {
  v1::Actor other = CreateActor("Autre");
  Contact out;
  ASSERT_THAT(CreateContact(Person("Zoé", "Bernard"), &out), IsOk());
  ASSERT_THAT(CreateContact(Person("Élise", "Arnaud"), &out), IsOk());
  Contact elected = Person("Jean", "Élu");
  elected.set_elected_official(true);
  ASSERT_THAT(CreateContact(elected, &out, other.name()), IsOk());

  v1::ListContactsRequest request;
  request.set_parent(actor_.name());
  v1::ListContactsResponse response;
  ASSERT_THAT(stub_->ListContacts(Context().get(), request, &response), IsOk());
  ASSERT_EQ(response.contacts_size(), 2);
  EXPECT_EQ(response.contacts(0).family_name(), "Arnaud");

  request.set_parent("actors/-");
  request.set_filter("elected_official = true");
  ASSERT_THAT(stub_->ListContacts(Context().get(), request, &response), IsOk());
  ASSERT_EQ(response.contacts_size(), 1);
  EXPECT_EQ(response.contacts(0).given_name(), "Jean");

  request.set_filter("");
  request.set_page_size(1);
  std::vector<std::string> names;
  do {
    ASSERT_THAT(stub_->ListContacts(Context().get(), request, &response), IsOk());
    for (const Contact& c : response.contacts()) names.push_back(c.family_name());
    request.set_page_token(response.next_page_token());
  } while (!response.next_page_token().empty());
  EXPECT_THAT(names, ElementsAre("Arnaud", "Bernard", "Élu"));

  request.set_parent("actors/424242");
  request.set_page_token("");
  EXPECT_EQ(stub_->ListContacts(Context().get(), request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ContactsTest, EmailFilterIgnoresCase) {
  Contact camille = Person("Camille", "Durand");
  camille.set_email("Camille.Durand@Example.ORG");
  Contact out;
  ASSERT_THAT(CreateContact(camille, &out), IsOk());
  ASSERT_THAT(CreateContact(Person("Zoé", "Bernard"), &out), IsOk());
  v1::ListContactsRequest request;
  request.set_parent("actors/-");
  v1::ListContactsResponse response;
  for (const char* filter :
       {"email = \"camille.durand@example.org\"", "email = \"CAMILLE.DURAND@EXAMPLE.ORG\"",
        "email = \"Camille.Durand@Example.ORG\""}) {
    SCOPED_TRACE(filter);
    request.set_filter(filter);
    ASSERT_THAT(stub_->ListContacts(Context().get(), request, &response), IsOk());
    ASSERT_EQ(response.contacts_size(), 1);
    EXPECT_EQ(response.contacts(0).email(), "Camille.Durand@Example.ORG");  // stored as given
  }
  request.set_filter("email != \"CAMILLE.durand@example.org\"");
  ASSERT_THAT(stub_->ListContacts(Context().get(), request, &response), IsOk());
  ASSERT_EQ(response.contacts_size(), 1);
  EXPECT_EQ(response.contacts(0).given_name(), "Zoé");
  request.set_filter("email = \"camille.durand@example.com\"");
  ASSERT_THAT(stub_->ListContacts(Context().get(), request, &response), IsOk());
  EXPECT_EQ(response.contacts_size(), 0);
}

TEST_F(ContactsTest, ExportPersonDataThenErase) {
  Contact created;
  ASSERT_THAT(CreateContact(Person("Camille", "Durand"), &created), IsOk());
  Contact twin;
  ASSERT_THAT(CreateContact(Person("Camille", "Durand"), &twin, CreateActor("Autre").name()),
              IsOk());
  v1::UpdateContactRequest update;
  update.mutable_contact()->set_name(created.name());
  update.mutable_contact()->set_phone("03 80 00 00 00");
  update.mutable_update_mask()->add_paths("phone");
  Contact updated;
  ASSERT_THAT(stub_->UpdateContact(Context().get(), update, &updated), IsOk());

  v1::ExportPersonDataRequest export_request;
  export_request.set_name(created.name());
  v1::ExportPersonDataResponse exported;
  ASSERT_THAT(stub_->ExportPersonData(Context().get(), export_request, &exported), IsOk());
  EXPECT_EQ(exported.contact().phone(), "03 80 00 00 00");
  EXPECT_EQ(exported.actor(), actor_.name());
  EXPECT_EQ(exported.actor_display_name(), "Pôle d'Economie Solidaire 21");
  ASSERT_EQ(exported.changes_size(), 2);
  EXPECT_EQ(exported.changes(0).kind(), v1::CHANGE_KIND_CREATED);
  EXPECT_EQ(exported.changes(1).contact().phone(), "03 80 00 00 00");
  ASSERT_EQ(exported.same_email_contacts_size(), 1);
  EXPECT_EQ(exported.same_email_contacts(0).name(), twin.name());

  v1::ErasePersonRequest erase;
  erase.set_name(created.name());
  v1::ErasePersonResponse receipt;
  EXPECT_EQ(stub_->ErasePerson(Context().get(), erase, &receipt).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // no reason
  erase.set_reason("demande reçue le 3 mai 2024");
  erase.set_request_id("6a1f4a52-8d1e-4a53-a9a4-1a2b3c4d5e6f");
  ASSERT_THAT(stub_->ErasePerson(Context().get(), erase, &receipt), IsOk());
  EXPECT_EQ(receipt.contact(), created.name());
  EXPECT_GT(receipt.change_sequence(), 0);
  // A replay answers the same receipt; a new request finds nothing to erase.
  v1::ErasePersonResponse replay;
  ASSERT_THAT(stub_->ErasePerson(Context().get(), erase, &replay), IsOk());
  EXPECT_EQ(replay.receipt_id(), receipt.receipt_id());
  erase.clear_request_id();
  EXPECT_EQ(stub_->ErasePerson(Context().get(), erase, &replay).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // No personal data is left about the person: neither the row nor the snapshots.
  v1::ListChangesRequest changes_request;
  v1::ListChangesResponse changes;
  ASSERT_THAT(stub_->ListChanges(Context().get(), changes_request, &changes), IsOk());
  bool erased_seen = false;
  for (const v1::Change& change : changes.changes()) {
    if (change.resource_name() != created.name()) continue;
    EXPECT_FALSE(change.has_contact()) << change.DebugString();
    if (change.kind() == v1::CHANGE_KIND_ERASED) {
      erased_seen = true;
      EXPECT_EQ(change.sequence(), receipt.change_sequence());
    }
  }
  EXPECT_TRUE(erased_seen);
  EXPECT_EQ(CountRows("erasures"), 1);
  EXPECT_EQ(CountRows("contacts"), 1);  // the twin stays
}

TEST_F(ContactsTest, Relationships) {
  v1::Actor head = CreateActor("Tête de réseau");
  v1::CreateRelationshipRequest create;
  create.set_parent(actor_.name());
  Relationship* r = create.mutable_relationship();
  r->set_type(v1::RELATIONSHIP_TYPE_MEMBER_OF);
  r->set_other_actor(head.name());
  r->mutable_start_date()->set_year(2020);
  r->mutable_start_date()->set_month(1);
  r->mutable_start_date()->set_day(1);
  Relationship created;
  ASSERT_THAT(stub_->CreateRelationship(Context().get(), create, &created), IsOk());
  EXPECT_THAT(created.name(), ::testing::StartsWith(actor_.name() + "/relationships/"));

  // Overlapping → ALREADY_EXISTS naming it.
  Relationship dup;
  grpc::Status status = stub_->CreateRelationship(Context().get(), create, &dup);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  auto info = GetErrorInfo(FromGrpcStatus(status));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("existing_relationship"), created.name());

  // Bad inputs.
  v1::CreateRelationshipRequest bad = create;
  bad.mutable_relationship()->set_other_actor(actor_.name());
  bad.mutable_relationship()->set_type(v1::RELATIONSHIP_TYPE_UNSPECIFIED);
  bad.mutable_relationship()->mutable_end_date()->set_year(2019);
  bad.mutable_relationship()->mutable_end_date()->set_month(1);
  bad.mutable_relationship()->mutable_end_date()->set_day(1);
  status = stub_->CreateRelationship(Context().get(), bad, &dup);
  EXPECT_THAT(BadFields(status),
              UnorderedElementsAre("relationship.type", "relationship.other_actor",
                                   "relationship.end_date"));
  bad = create;
  bad.mutable_relationship()->set_other_actor("actors/777777");
  EXPECT_EQ(stub_->CreateRelationship(Context().get(), bad, &dup).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // Seen from the other side.
  v1::ListRelationshipsRequest list;
  list.set_parent("actors/-");
  list.set_filter(absl::StrCat("other_actor = \"", head.name(), "\" AND type = MEMBER_OF"));
  v1::ListRelationshipsResponse listed;
  ASSERT_THAT(stub_->ListRelationships(Context().get(), list, &listed), IsOk());
  ASSERT_EQ(listed.relationships_size(), 1);
  EXPECT_EQ(listed.relationships(0).name(), created.name());

  // Update dates; type is immutable.
  v1::UpdateRelationshipRequest update;
  update.mutable_relationship()->set_name(created.name());
  update.mutable_relationship()->mutable_end_date()->set_year(2023);
  update.mutable_relationship()->mutable_end_date()->set_month(12);
  update.mutable_relationship()->mutable_end_date()->set_day(31);
  update.mutable_update_mask()->add_paths("end_date");
  Relationship updated;
  ASSERT_THAT(stub_->UpdateRelationship(Context().get(), update, &updated), IsOk());
  EXPECT_EQ(updated.end_date().year(), 2023);
  EXPECT_EQ(updated.start_date().year(), 2020);
  update.mutable_update_mask()->set_paths(0, "type");
  EXPECT_EQ(stub_->UpdateRelationship(Context().get(), update, &updated).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  list.set_filter("current = true");
  ASSERT_THAT(stub_->ListRelationships(Context().get(), list, &listed), IsOk());
  EXPECT_EQ(listed.relationships_size(), 0);  // ended in 2023

  v1::DeleteRelationshipRequest del;
  del.set_name(created.name());
  del.set_etag("1");
  v1::DeleteRelationshipResponse deleted;
  EXPECT_EQ(stub_->DeleteRelationship(Context().get(), del, &deleted).error_code(),
            grpc::StatusCode::ABORTED);
  del.set_etag(updated.etag());
  ASSERT_THAT(stub_->DeleteRelationship(Context().get(), del, &deleted), IsOk());
  v1::GetRelationshipRequest get;
  get.set_name(created.name());
  EXPECT_EQ(stub_->GetRelationship(Context().get(), get, &updated).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace maillage::directory
