// Integration tests of the erasures: idempotency records, merges, deletes, the retention period
// (retain_until, with a clock the test controls) and the replay of a journal after a restore.
#include "services/directory/personal_data_requests.h"

#include <chrono>
#include <pqxx/pqxx>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/service/periodic_jobs.h"
#include "common/testing/status_matchers.h"
#include "common/testing/text_search.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/directory/directory_test_fixture.h"

using maillage::testing::IsOk;
using maillage::testing::StatusIs;

namespace maillage::directory {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using v1::Contact;

constexpr char kRequestId[] = "5b3a1c2d-8e9f-4a0b-9c1d-2e3f4a5b6c7d";

class PersonalDataTest : public DirectoryTest {
 protected:
  PersonalDataTest() { actor_ = CreateActor("Pôle d'Economie Solidaire 21"); }

  // A contact "Camille Quenouille" (a name found nowhere else) under `parent`.
  Contact Create(const std::string& parent, const std::string& request_id = "",
                 const std::function<void(Contact&)>& edit = {}) {
    Contact out;
    EXPECT_THAT(stub_->CreateContact(Context().get(), NewContact(parent, request_id, edit), &out),
                IsOk());
    return out;
  }
  static v1::CreateContactRequest NewContact(const std::string& parent,
                                             const std::string& request_id,
                                             const std::function<void(Contact&)>& edit = {}) {
    v1::CreateContactRequest request;
    request.set_parent(parent);
    request.set_request_id(request_id);
    Contact& c = *request.mutable_contact();
    c.set_given_name("Camille");
    c.set_family_name("Quenouille");
    c.set_email("camille.quenouille@example.org");
    c.set_phone("03 80 11 22 33");
    c.set_legal_basis(v1::LEGAL_BASIS_LEGITIMATE_INTEREST);
    if (edit) edit(c);
    return request;
  }
  grpc::Status Erase(const std::string& name, v1::ErasePersonResponse* receipt,
                     const std::string& request_id = "") {
    v1::ErasePersonRequest request;
    request.set_name(name);
    request.set_reason("demande reçue le 3 mai 2024");
    request.set_request_id(request_id);
    return stub_->ErasePerson(Context().get(), request, receipt);
  }
  grpc::Status Delete(const std::string& name) {
    v1::DeleteContactRequest request;
    request.set_name(name);
    v1::DeleteContactResponse response;
    return stub_->DeleteContact(Context().get(), request, &response);
  }
  // Every column of the directory's database holding the person's name, e-mail or phone.
  std::vector<std::string> Traces() {
    std::vector<std::string> traces;
    for (const char* needle : {"Quenouille", "camille.quenouille@", "03 80 11 22 33"}) {
      for (const std::string& column : maillage::testing::ColumnsHolding(database_.url(), needle)) {
        traces.push_back(absl::StrCat(column, " holds ", needle));
      }
    }
    return traces;
  }
  // The changes of the feed about `names`.
  std::vector<v1::Change> ChangesAbout(const std::vector<std::string>& names) {
    v1::ListChangesRequest request;
    request.set_page_size(1000);
    v1::ListChangesResponse response;
    EXPECT_THAT(stub_->ListChanges(Context().get(), request, &response), IsOk());
    std::vector<v1::Change> about;
    for (const v1::Change& change : response.changes()) {
      if (std::find(names.begin(), names.end(), change.resource_name()) != names.end()) {
        about.push_back(change);
      }
    }
    return about;
  }
  std::string Sql(const std::string& query) {
    return *pool_->ReadOnly<std::string>(
        db::Deadline::max(), [&](pqxx::work& txn) -> absl::StatusOr<std::string> {
          pqxx::result r = txn.exec(query);
          return r.empty() || r[0][0].is_null() ? std::string() : r[0][0].as<std::string>();
        });
  }

  v1::Actor actor_;
};

TEST_F(PersonalDataTest, ErasureForgetsTheIdempotencyRecordOfTheCreate) {
  Contact created = Create(actor_.name(), kRequestId);
  EXPECT_THAT(Traces(), ::testing::Contains("request_ids.response holds Quenouille"));
  v1::ErasePersonResponse receipt;
  ASSERT_THAT(Erase(created.name(), &receipt), IsOk());
  EXPECT_THAT(Traces(), IsEmpty());
  EXPECT_EQ(Sql("SELECT count(*) FROM request_ids WHERE response IS NULL"), "1");
  // A replay of the create neither answers the erased contact nor creates it again.
  Contact out;
  grpc::Status status =
      stub_->CreateContact(Context().get(), NewContact(actor_.name(), kRequestId), &out);
  EXPECT_THAT(status, StatusIs(grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_EQ(Reason(status), "REQUEST_ID_ERASED");
  EXPECT_EQ(CountRows("contacts"), 0);
}

TEST_F(PersonalDataTest, ExportAndErasureFollowThePersonThroughMerges) {
  v1::Actor old_home = CreateActor("Ancienne structure");
  Contact created = Create(old_home.name(), kRequestId);
  v1::MergeActorsRequest merge;
  merge.set_name(actor_.name());
  merge.set_other_actor(old_home.name());
  v1::Actor merged;
  ASSERT_THAT(stub_->MergeActors(Context().get(), merge, &merged), IsOk());
  std::string id = created.name().substr(created.name().rfind('/') + 1);
  std::string moved = absl::StrCat(actor_.name(), "/contacts/", id);

  // The history under the old name is exported with the rest, by either name.
  for (const std::string& name : {moved, created.name()}) {
    v1::ExportPersonDataRequest request;
    request.set_name(name);
    v1::ExportPersonDataResponse exported;
    ASSERT_THAT(stub_->ExportPersonData(Context().get(), request, &exported), IsOk()) << name;
    EXPECT_EQ(exported.contact().name(), moved);
    EXPECT_EQ(exported.actor(), actor_.name());
    std::vector<std::pair<v1::ChangeKind, std::string>> history;
    for (const v1::Change& c : exported.changes()) history.push_back({c.kind(), c.resource_name()});
    EXPECT_THAT(history, ElementsAre(std::make_pair(v1::CHANGE_KIND_CREATED, created.name()),
                                     std::make_pair(v1::CHANGE_KIND_MERGED, created.name())));
  }

  // Erased by its old name, the person is gone under both.
  v1::ErasePersonResponse receipt;
  ASSERT_THAT(Erase(created.name(), &receipt), IsOk());
  EXPECT_EQ(receipt.contact(), moved);
  for (const v1::Change& change : ChangesAbout({created.name(), moved})) {
    EXPECT_FALSE(change.has_contact()) << change.DebugString();
  }
  EXPECT_THAT(Traces(), IsEmpty());
  EXPECT_EQ(Sql("SELECT array_to_string(names, ' ') FROM erasures"),
            absl::StrCat(moved, " ", created.name()));
}

// The contact is read with its names in one statement: when the erasure waited for the row lock
// of a merge moving it, the names read with the row miss the merge, and are read again.
TEST_F(PersonalDataTest, ErasureByTheOldNameWaitsForAMergeInFlight) {
  v1::Actor old_home = CreateActor("Ancienne structure");
  Contact created = Create(old_home.name());
  const std::string id = created.name().substr(created.name().rfind('/') + 1);
  const std::string moved = absl::StrCat(actor_.name(), "/contacts/", id);
  // What MergeActors writes for the contact, not committed yet.
  pqxx::connection merger(database_.url());
  pqxx::work merge(merger);
  merge.exec(absl::StrCat("UPDATE contacts SET actor_id = ",
                          actor_.name().substr(actor_.name().find('/') + 1), " WHERE id = ", id));
  merge.exec(absl::StrCat(
      "INSERT INTO changes (sequence, kind, resource_type, resource_name, merged_into) "
      "SELECT max(sequence) + 1, 'CHANGE_KIND_MERGED', 'CHANGED_RESOURCE_TYPE_CONTACT', ",
      merge.quote(created.name()), ", ", merge.quote(moved), " FROM changes"));

  v1::ErasePersonResponse receipt;
  grpc::Status status;
  std::thread erase([&] { status = Erase(created.name(), &receipt); });
  for (int i = 0; i < 500 && Sql("SELECT count(*) FROM pg_stat_activity "
                                 "WHERE wait_event_type = 'Lock'") == "0";
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  merge.commit();
  erase.join();
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ(receipt.contact(), moved);
  EXPECT_EQ(Sql("SELECT array_to_string(names, ' ') FROM erasures"),
            absl::StrCat(moved, " ", created.name()));
  EXPECT_EQ(CountRows("contacts"), 0);
}

TEST_F(PersonalDataTest, DeleteForgetsThePersonAsAnErasureDoes) {
  Contact created = Create(actor_.name(), kRequestId);
  ASSERT_THAT(Delete(created.name()), IsOk());
  EXPECT_THAT(Traces(), IsEmpty());
  std::vector<v1::Change> changes = ChangesAbout({created.name()});
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_FALSE(changes[0].has_contact());
  EXPECT_EQ(changes[1].kind(), v1::CHANGE_KIND_DELETED);
  EXPECT_EQ(Sql("SELECT cause FROM erasures"), "DELETE_CONTACT");

  // ErasePerson still works after the delete: a receipt and an ERASED change; then NOT_FOUND.
  v1::ErasePersonResponse receipt;
  ASSERT_THAT(Erase(created.name(), &receipt), IsOk());
  EXPECT_EQ(receipt.contact(), created.name());
  changes = ChangesAbout({created.name()});
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[2].kind(), v1::CHANGE_KIND_ERASED);
  EXPECT_EQ(changes[2].sequence(), receipt.change_sequence());
  grpc::Status again = Erase(created.name(), &receipt);
  EXPECT_THAT(again, StatusIs(grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(Reason(again), "CONTACT_NOT_FOUND");
  EXPECT_THAT(Traces(), IsEmpty());
}

TEST_F(PersonalDataTest, RetentionJobErasesContactsPastRetainUntilOnTheJobsClock) {
  auto retain_until = [](int year, int month, int day) {
    return [=](Contact& c) {
      c.mutable_retain_until()->set_year(year);
      c.mutable_retain_until()->set_month(month);
      c.mutable_retain_until()->set_day(day);
    };
  };
  Contact expiring = Create(actor_.name(), "", retain_until(2031, 6, 30));
  Contact kept = Create(actor_.name(), "", [&](Contact& c) {
    retain_until(2031, 7, 1)(c);
    c.set_family_name("Durand");
  });
  Contact forever = Create(actor_.name());

  PersonalDataRequests personal_data(*pool_);
  absl::TimeZone paris;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Paris", &paris));
  service::ManualClock clock(absl::FromCivil(absl::CivilSecond(2031, 6, 30, 23, 0, 0), paris));
  service::PeriodicJobs jobs(clock);
  jobs.Add({"contacts retain_until", absl::Hours(1),
            [&](absl::Time now) { return personal_data.EraseExpired(now); }});
  EXPECT_EQ(jobs.RunDue(), 1);
  EXPECT_EQ(CountRows("contacts"), 3);  // 30 June is still within the period
  clock.Advance(absl::Hours(1));        // 1 July, 00:00 in Paris
  EXPECT_EQ(jobs.RunDue(), 1);
  EXPECT_EQ(CountRows("contacts"), 2);
  EXPECT_EQ(
      Sql("SELECT cause || ' ' || contact_name || ' ' || reason FROM erasures"),
      absl::StrCat("RETENTION_EXPIRED ", expiring.name(), " retain_until 2031-06-30 reached"));
  std::vector<v1::Change> changes = ChangesAbout({expiring.name()});
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_FALSE(changes[0].has_contact());
  EXPECT_EQ(changes[1].kind(), v1::CHANGE_KIND_ERASED);
  clock.Advance(absl::Hours(24 * 365 * 10));
  EXPECT_EQ(jobs.RunDue(), 1);
  EXPECT_EQ(CountRows("contacts"), 1);  // without retain_until: kept
  EXPECT_EQ(Sql("SELECT count(*) FROM contacts WHERE retain_until IS NULL"), "1");
  (void)kept;
  (void)forever;
}

TEST_F(PersonalDataTest, ReplayAfterRestoreForgetsContactsThatCameBack) {
  Contact created = Create(actor_.name(), kRequestId);
  std::string id = created.name().substr(created.name().rfind('/') + 1);
  // The state of a backup taken before the erasure, kept aside.
  std::string row =
      Sql(absl::StrCat("SELECT row_to_json(c)::text FROM contacts c WHERE id = ", id));
  v1::ErasePersonResponse receipt;
  ASSERT_THAT(Erase(created.name(), &receipt), IsOk());
  // The journal, exported before the restore.
  std::string journal_text = *pool_->ReadOnly<std::string>(
      db::Deadline::max(), [](pqxx::work& txn) -> absl::StatusOr<std::string> {
        std::string text = "# erasure journal\n";
        for (const pqxx::row& r : txn.exec(kExportErasureJournalSql)) {
          text += r[0].as<std::string>() + "\n";
        }
        return text;
      });
  absl::StatusOr<std::vector<ErasureJournalEntry>> journal = ParseErasureJournal(journal_text);
  ASSERT_THAT(journal, IsOk());
  ASSERT_EQ(journal->size(), 1u);
  EXPECT_THAT(journal->front().names, ElementsAre(created.name()));
  EXPECT_THAT(ParseErasureJournal("12\tnot-a-contact\n").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));

  // "Restore": the row comes back, with its snapshot in the feed.
  ASSERT_THAT(pool_->Transact(db::Deadline::max(),
                              [&](pqxx::work& txn) {
                                txn.exec_params(
                                    "INSERT INTO contacts OVERRIDING SYSTEM VALUE "
                                    "SELECT * FROM json_populate_record(NULL::contacts, $1)",
                                    row);
                                txn.exec_params(
                                    "UPDATE changes SET snapshot = convert_to("
                                    "'Quenouille', 'UTF8') WHERE resource_name = $1",
                                    created.name());
                                return absl::OkStatus();
                              }),
              IsOk());
  EXPECT_THAT(Traces(), ::testing::Not(IsEmpty()));
  PersonalDataRequests personal_data(*pool_);
  absl::StatusOr<int64_t> forgotten = personal_data.ReplayErasures(*journal);
  ASSERT_THAT(forgotten, IsOk());
  EXPECT_EQ(*forgotten, 1);
  EXPECT_THAT(Traces(), IsEmpty());
  EXPECT_EQ(Sql("SELECT cause FROM erasures ORDER BY id DESC LIMIT 1"), "RESTORE_REPLAY");
  // Twice: nothing more.
  forgotten = personal_data.ReplayErasures(*journal);
  ASSERT_THAT(forgotten, IsOk());
  EXPECT_EQ(*forgotten, 0);

  // A contact created after the erasure with the same id (the restored sequence gives it again)
  // is another person: kept.
  ASSERT_THAT(pool_->Transact(db::Deadline::max(),
                              [&](pqxx::work& txn) {
                                txn.exec_params(
                                    "INSERT INTO contacts OVERRIDING SYSTEM VALUE "
                                    "SELECT * FROM json_populate_record(NULL::contacts, $1)",
                                    row);
                                txn.exec_params(
                                    "UPDATE contacts SET create_time = now() + "
                                    "interval '1 second' WHERE id = $1",
                                    id);
                                return absl::OkStatus();
                              }),
              IsOk());
  forgotten = personal_data.ReplayErasures(*journal);
  ASSERT_THAT(forgotten, IsOk());
  EXPECT_EQ(*forgotten, 0);
  EXPECT_EQ(CountRows("contacts"), 1);
}

}  // namespace
}  // namespace maillage::directory
