// The meetings service against the real directory service: both on in-process gRPC servers on
// port 0, each with its own PostgreSQL database; the budget service is the stand-in of
// services/meetings/test_peers.h (GetAction only).
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/db/migrations.h"
#include "common/server/client.h"
#include "common/server/server.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/postgres.h"
#include "common/testing/principal.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"
#include "maillage/meetings/v1/meetings_service.grpc.pb.h"
#include "services/directory/directory_service.h"
#include "services/directory/reference_data.h"
#include "services/meetings/directory_feed_follower.h"
#include "services/meetings/meetings_service.h"
#include "services/meetings/test_peers.h"

using maillage::testing::IsOk;
using maillage::testing::StatusIs;

namespace maillage {
namespace directory {
const std::vector<db::Migration>& Migrations();
}  // namespace directory
namespace meetings {
const std::vector<db::Migration>& Migrations();
}  // namespace meetings

namespace {

using grpc::StatusCode;
namespace dir = directory::v1;
namespace mtg = meetings::v1;

std::string Reason(const grpc::Status& status) {
  auto info = GetErrorInfo(FromGrpcStatus(status));
  return info ? info->reason() : "";
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return context;
}

std::unique_ptr<db::Pool> MigratedPool(const std::string& url, const std::string& service,
                                       const std::vector<db::Migration>& migrations) {
  db::PoolOptions options;
  options.url = url;
  options.size = 8;
  options.error_domain = service + ".maillage";
  auto pool = std::make_unique<db::Pool>(options);
  absl::Status migrated = db::Migrate(*pool, service, migrations);
  if (!migrated.ok()) throw std::runtime_error(migrated.ToString());
  return pool;
}

class MeetingsDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    maillage::testing::TrustTestCalls();
    directory_pool_ = MigratedPool(directory_db_.url(), "directory", directory::Migrations());
    ASSERT_THAT(directory::SyncReferenceData(*directory_pool_, ""), IsOk());
    directory_service_ = std::make_unique<directory::DirectoryServiceImpl>(*directory_pool_);
    directory_server_ = std::make_unique<server::Server>(
        server::ServerOptions{}, std::vector<grpc::Service*>{directory_service_.get(), &budget_});
    ASSERT_THAT(directory_server_->Start(), IsOk());
    directory_server_->SetServing(true);
    auto channel = server::MakeChannel(absl::StrCat("127.0.0.1:", directory_server_->port()));
    directory_stub_ = dir::DirectoryService::NewStub(channel);
    budget_.AddAction("actions/fa3");

    meetings_pool_ = MigratedPool(meetings_db_.url(), "meetings", meetings::Migrations());
    directory_client_ = std::make_unique<meetings::DirectoryClient>(channel);
    actions_ = std::make_unique<meetings::BudgetActionRegistry>(channel);
    planner_ =
        std::make_unique<meetings::MeetingPlanner>(*meetings_pool_, *actions_, *directory_client_);
    roster_ = std::make_unique<meetings::ParticipantRoster>(*meetings_pool_, *directory_client_);
    outputs_ = std::make_unique<meetings::OutputCatalog>(*meetings_pool_, *directory_client_);
    roadmap_ = std::make_unique<meetings::Roadmap>(*meetings_pool_, *actions_);
    indicators_ =
        std::make_unique<meetings::IndicatorReport>(*meetings_pool_, *directory_client_, *actions_);
    meetings_service_ = std::make_unique<meetings::MeetingsServiceImpl>(
        *planner_, *roster_, *outputs_, *roadmap_, *indicators_);
    meetings_server_ = std::make_unique<server::Server>(
        server::ServerOptions{}, std::vector<grpc::Service*>{meetings_service_.get()});
    ASSERT_THAT(meetings_server_->Start(), IsOk());
    meetings_server_->SetServing(true);
    meetings_stub_ = mtg::MeetingsService::NewStub(
        server::MakeChannel(absl::StrCat("127.0.0.1:", meetings_server_->port())));
  }

  void TearDown() override {
    meetings_server_->Shutdown();
    directory_server_->Shutdown();
  }

  dir::Actor CreateActor(const std::string& display_name, std::vector<std::string> categories,
                         const std::string& commune) {
    dir::CreateActorRequest request;
    request.mutable_actor()->set_display_name(display_name);
    for (const auto& category : categories)
      request.mutable_actor()->add_network_categories(category);
    if (!commune.empty())
      request.mutable_actor()->mutable_address()->set_commune_insee_code(commune);
    dir::Actor actor;
    grpc::Status status = directory_stub_->CreateActor(Context().get(), request, &actor);
    EXPECT_THAT(status, IsOk()) << status.error_message();
    return actor;
  }

  mtg::Meeting CreateMeeting(int64_t start_offset_seconds) {
    mtg::CreateMeetingRequest request;
    mtg::Meeting* m = request.mutable_meeting();
    m->set_title("Atelier acteurs de l'ESS – Métropole");
    m->set_kind(mtg::MEETING_KIND_ACTORS_WORKSHOP);
    m->set_format(mtg::MEETING_FORMAT_IN_PERSON);
    m->set_action("actions/fa3");
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    m->mutable_start_time()->set_seconds(now + start_offset_seconds);
    m->mutable_end_time()->set_seconds(now + start_offset_seconds + 7200);
    m->mutable_place()->set_commune_insee_code("21231");  // Dijon, from the directory
    mtg::Meeting created;
    grpc::Status status = meetings_stub_->CreateMeeting(Context().get(), request, &created);
    EXPECT_THAT(status, IsOk()) << status.error_message();
    return created;
  }

  grpc::Status AddActor(const std::string& meeting, const std::string& actor,
                        mtg::ParticipantStatus status, mtg::Participant* out) {
    mtg::CreateParticipantRequest request;
    request.set_parent(meeting);
    request.mutable_participant()->set_actor(actor);
    request.mutable_participant()->set_role(mtg::PARTICIPANT_ROLE_ESS_ACTOR);
    request.mutable_participant()->set_status(status);
    return meetings_stub_->CreateParticipant(Context().get(), request, out);
  }

  int64_t CountParticipants() {
    return *meetings_pool_->ReadOnly<int64_t>(
        db::Deadline::max(), [](pqxx::work& txn) -> absl::StatusOr<int64_t> {
          return txn.exec("SELECT count(*) FROM participants")[0][0].as<int64_t>();
        });
  }

  maillage::testing::TestDatabase directory_db_{"directory"};
  maillage::testing::TestDatabase meetings_db_{"meetings"};
  std::unique_ptr<db::Pool> directory_pool_;
  std::unique_ptr<directory::DirectoryServiceImpl> directory_service_;
  meetings::testing::TestBudgetService budget_;
  std::unique_ptr<server::Server> directory_server_;
  std::unique_ptr<dir::DirectoryService::Stub> directory_stub_;
  std::unique_ptr<db::Pool> meetings_pool_;
  std::unique_ptr<meetings::DirectoryClient> directory_client_;
  std::unique_ptr<meetings::BudgetActionRegistry> actions_;
  std::unique_ptr<meetings::MeetingPlanner> planner_;
  std::unique_ptr<meetings::ParticipantRoster> roster_;
  std::unique_ptr<meetings::OutputCatalog> outputs_;
  std::unique_ptr<meetings::Roadmap> roadmap_;
  std::unique_ptr<meetings::IndicatorReport> indicators_;
  std::unique_ptr<meetings::MeetingsServiceImpl> meetings_service_;
  std::unique_ptr<server::Server> meetings_server_;
  std::unique_ptr<mtg::MeetingsService::Stub> meetings_stub_;
};

TEST_F(MeetingsDirectoryTest, UnknownActorIsRefusedAndKnownOneAccepted) {
  dir::Actor actor = CreateActor("La Recyclade", {"structures-ess"}, "21231");
  mtg::Meeting meeting = CreateMeeting(24 * 3600);
  mtg::Participant out;
  grpc::Status unknown =
      AddActor(meeting.name(), "actors/999999", mtg::PARTICIPANT_STATUS_INVITED, &out);
  EXPECT_EQ(unknown.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(unknown), "ACTOR_NOT_FOUND");
  ASSERT_THAT(AddActor(meeting.name(), actor.name(), mtg::PARTICIPANT_STATUS_INVITED, &out),
              IsOk());
  EXPECT_EQ(out.actor(), actor.name());
  EXPECT_EQ(CountParticipants(), 1);

  // A commune the directory does not have is refused.
  mtg::CreateMeetingRequest request;
  *request.mutable_meeting() = meeting;
  request.mutable_meeting()->mutable_place()->set_commune_insee_code("75056");
  mtg::Meeting created;
  EXPECT_EQ(meetings_stub_->CreateMeeting(Context().get(), request, &created).error_code(),
            StatusCode::INVALID_ARGUMENT);
}

TEST_F(MeetingsDirectoryTest, DirectoryDownMeansUnavailableAndNothingWritten) {
  dir::Actor actor = CreateActor("Zutique", {"culture"}, "21231");
  mtg::Meeting meeting = CreateMeeting(24 * 3600);
  directory_server_->Shutdown();
  mtg::Participant out;
  grpc::Status down = AddActor(meeting.name(), actor.name(), mtg::PARTICIPANT_STATUS_INVITED, &out);
  EXPECT_EQ(down.error_code(), StatusCode::UNAVAILABLE);
  EXPECT_EQ(Reason(down), "DIRECTORY_UNAVAILABLE");
  mtg::BatchInviteParticipantsRequest batch;
  batch.set_parent(meeting.name());
  batch.set_network_category("culture");
  batch.set_role(mtg::PARTICIPANT_ROLE_ESS_ACTOR);
  mtg::BatchInviteParticipantsResponse response;
  EXPECT_EQ(meetings_stub_->BatchInviteParticipants(Context().get(), batch, &response).error_code(),
            StatusCode::UNAVAILABLE);
  EXPECT_EQ(CountParticipants(), 0);
}

TEST_F(MeetingsDirectoryTest, BatchInviteByNetworkCategoryAndCommune) {
  dir::Actor a = CreateActor("Zutique", {"culture"}, "21231");
  dir::Actor b = CreateActor("La Coursive", {"culture", "education-populaire"}, "21617");
  dir::Actor c = CreateActor("ENVIE Dijon", {"iae"}, "21231");
  mtg::Meeting meeting = CreateMeeting(24 * 3600);
  mtg::BatchInviteParticipantsRequest batch;
  batch.set_parent(meeting.name());
  batch.set_network_category("culture");
  batch.set_role(mtg::PARTICIPANT_ROLE_ESS_ACTOR);
  mtg::BatchInviteParticipantsResponse response;
  grpc::Status status = meetings_stub_->BatchInviteParticipants(Context().get(), batch, &response);
  ASSERT_THAT(status, IsOk()) << status.error_message();
  std::set<std::string> invited;
  for (const auto& p : response.participants()) invited.insert(p.actor());
  EXPECT_EQ(invited, (std::set<std::string>{a.name(), b.name()}));

  batch.set_commune("21231");
  ASSERT_THAT(meetings_stub_->BatchInviteParticipants(Context().get(), batch, &response), IsOk());
  ASSERT_EQ(response.participants_size(), 1);
  EXPECT_EQ(response.participants(0).actor(), c.name());
  ASSERT_EQ(response.skipped_size(), 1);
  EXPECT_EQ(response.skipped(0).actor(), a.name());

  batch.set_network_category("pas-une-categorie");
  EXPECT_EQ(Reason(meetings_stub_->BatchInviteParticipants(Context().get(), batch, &response)),
            "NETWORK_CATEGORY_NOT_FOUND");
}

TEST_F(MeetingsDirectoryTest, ChangeFeedMergeRepointsParticipantsAndCountsStayRight) {
  dir::Actor survivor = CreateActor("ENVIE Dijon", {"iae"}, "21231");
  dir::Actor duplicate = CreateActor("Envie 21", {"iae"}, "21231");
  mtg::Meeting meeting = CreateMeeting(-3600);
  mtg::Participant p1, p2;
  ASSERT_THAT(AddActor(meeting.name(), survivor.name(), mtg::PARTICIPANT_STATUS_ATTENDED, &p1),
              IsOk());
  ASSERT_THAT(AddActor(meeting.name(), duplicate.name(), mtg::PARTICIPANT_STATUS_ATTENDED, &p2),
              IsOk());

  meetings::DirectoryFeedFollower follower(*meetings_pool_, *directory_client_,
                                           std::chrono::milliseconds(50));
  auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(20);
  ASSERT_THAT(follower.CatchUp(deadline), IsOk());  // the two creations

  dir::MergeActorsRequest merge;
  merge.set_name(survivor.name());
  merge.set_other_actor(duplicate.name());
  dir::Actor merged;
  grpc::Status status = directory_stub_->MergeActors(Context().get(), merge, &merged);
  ASSERT_THAT(status, IsOk()) << status.error_message();
  absl::StatusOr<int> read = follower.CatchUp(deadline);
  ASSERT_THAT(read, IsOk()) << read.status();
  EXPECT_GE(*read, 1);

  mtg::GetParticipantRequest get;
  get.set_name(p2.name());
  mtg::Participant out;
  ASSERT_THAT(meetings_stub_->GetParticipant(Context().get(), get, &out), IsOk());
  EXPECT_EQ(out.actor(), survivor.name());
  mtg::GetMeetingRequest get_meeting;
  get_meeting.set_name(meeting.name());
  mtg::Meeting m;
  ASSERT_THAT(meetings_stub_->GetMeeting(Context().get(), get_meeting, &m), IsOk());
  EXPECT_EQ(m.attendance().attended(), 2);
  EXPECT_EQ(m.attendance().distinct_actors_attended(), 1);

  // Indicators see one mobilised actor, active in the directory, among the 1 active actor.
  mtg::MarkMeetingHeldRequest held;
  held.set_name(meeting.name());
  ASSERT_THAT(meetings_stub_->MarkMeetingHeld(Context().get(), held, &m), IsOk());
  mtg::CloseMeetingRequest close;
  close.set_name(meeting.name());
  ASSERT_THAT(meetings_stub_->CloseMeeting(Context().get(), close, &m), IsOk());
  mtg::GetIndicatorsRequest indicators_request;
  indicators_request.set_action("actions/fa3");
  mtg::Indicators indicators;
  ASSERT_THAT(meetings_stub_->GetIndicators(Context().get(), indicators_request, &indicators),
              IsOk());
  EXPECT_EQ(indicators.attended(), 2);
  EXPECT_EQ(indicators.distinct_actors_mobilized(), 1);
  EXPECT_EQ(indicators.directory_coverage().numerator(), 1);
  EXPECT_EQ(indicators.directory_coverage().denominator(), 1);
  EXPECT_EQ(indicators.coverage_by_commune_size(), 23);  // the communes of Dijon Métropole
}

TEST_F(MeetingsDirectoryTest, ChangeFeedOfLargeChangesPagesUnderTheMessageLimit) {
  dir::Actor survivor = CreateActor("ENVIE Dijon", {"iae"}, "21231");
  dir::Actor duplicate = CreateActor("Envie 21", {"iae"}, "21231");
  mtg::Meeting meeting = CreateMeeting(-3600);
  mtg::Participant participant;
  ASSERT_THAT(
      AddActor(meeting.name(), duplicate.name(), mtg::PARTICIPANT_STATUS_ATTENDED, &participant),
      IsOk());
  // 500 changes of 10,000-character descriptions (2 bytes each): 10 MB of snapshots, more than
  // the 8 MiB a message may carry, which the follower asks for in one page of 500.
  std::string description;
  for (int i = 0; i < 10000; ++i) description += "é";
  for (int i = 0; i < 500; ++i) {
    dir::CreateActorRequest request;
    request.mutable_actor()->set_display_name(absl::StrCat("Structure ", i));
    request.mutable_actor()->set_description(description);
    dir::Actor created;
    ASSERT_THAT(directory_stub_->CreateActor(Context().get(), request, &created), IsOk());
  }
  dir::MergeActorsRequest merge;
  merge.set_name(survivor.name());
  merge.set_other_actor(duplicate.name());
  dir::Actor merged;
  ASSERT_THAT(directory_stub_->MergeActors(Context().get(), merge, &merged), IsOk());

  meetings::DirectoryFeedFollower follower(*meetings_pool_, *directory_client_,
                                           std::chrono::milliseconds(50));
  absl::StatusOr<int> read =
      follower.CatchUp(std::chrono::system_clock::now() + std::chrono::seconds(60));
  ASSERT_THAT(read, IsOk()) << read.status();
  EXPECT_EQ(*read, 2 + 500 + 2);  // creations, then the merge (redirect and survivor)
  mtg::GetParticipantRequest get;
  get.set_name(participant.name());
  mtg::Participant out;
  ASSERT_THAT(meetings_stub_->GetParticipant(Context().get(), get, &out), IsOk());
  EXPECT_EQ(out.actor(), survivor.name());
}

// A funder's key may not read the directory, yet its indicators carry the coverage figures:
// meetings reads the directory's counts in its own name.
TEST_F(MeetingsDirectoryTest, AFundersIndicatorsHaveTheDirectoryCoverage) {
  CreateActor("Mail'Up", {"structures-ess"}, "21231");
  CreateActor("La Recyclerie", {"structures-ess"}, "21231");
  auth::Principal funder;
  funder.key_name = "apiKeys/12";
  funder.role = ::maillage::gateway::v1::ROLE_FUNDER;
  funder.funder_id = "dijon-metropole";
  auth::CallerScope as_funder(funder);
  // The funder itself is refused by the directory.
  dir::ListActorsRequest list;
  dir::ListActorsResponse listed;
  EXPECT_EQ(directory_stub_->ListActors(Context().get(), list, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  mtg::GetIndicatorsRequest request;
  request.set_action("actions/fa3");
  mtg::Indicators indicators;
  ASSERT_THAT(meetings_stub_->GetIndicators(Context().get(), request, &indicators), IsOk());
  EXPECT_TRUE(indicators.has_directory_data_time()) << indicators.DebugString();
  EXPECT_EQ(indicators.directory_coverage().denominator(), 2);
  EXPECT_EQ(indicators.coverage_by_commune_size(), 23);
  EXPECT_GT(indicators.coverage_by_network_category_size(), 0);
}

// Change-feed cursors are signed page tokens: one the directory no longer accepts (signed with a
// key derived from a secret since changed, or written before tokens were signed) sends the
// follower back to the start of the feed instead of leaving it stuck.
TEST_F(MeetingsDirectoryTest, ARefusedChangeFeedCursorIsFollowedAgainFromTheStart) {
  CreateActor("ENVIE Dijon", {"iae"}, "21231");
  meetings::DirectoryFeedFollower follower(*meetings_pool_, *directory_client_,
                                           std::chrono::milliseconds(50));
  auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(20);
  ASSERT_THAT(follower.CatchUp(deadline), IsOk());
  auto cursor = [&] {
    return *meetings_pool_->ReadOnly<std::string>(
        db::Deadline::max(), [](pqxx::work& txn) -> absl::StatusOr<std::string> {
          return txn.exec("SELECT cursor FROM directory_feed WHERE id = 1")[0][0].as<std::string>();
        });
  };
  ASSERT_NE(cursor(), "");
  // A cursor of the old checksum format, as a deployment before signed tokens stored it.
  std::string old_cursor;
  absl::WebSafeBase64Escape("2:p116:0123456789abcdef1:116:0123456789abcdef", &old_cursor);
  ASSERT_THAT(meetings_pool_->Transact(db::Deadline::max(),
                                       [&](pqxx::work& txn) {
                                         txn.exec_params(
                                             "UPDATE directory_feed SET cursor = $1 WHERE id = 1",
                                             old_cursor);
                                         return absl::OkStatus();
                                       }),
              IsOk());
  EXPECT_THAT(follower.CatchUp(deadline), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(cursor(), "") << "the refused cursor is reset";
  absl::StatusOr<int> read = follower.CatchUp(deadline);
  ASSERT_THAT(read, IsOk()) << read.status();
  EXPECT_GE(*read, 1) << "the feed is read again from its start";
  EXPECT_NE(cursor(), "");
}

TEST_F(MeetingsDirectoryTest, ChangeFeedErasureAnonymisesTheParticipantAndKeepsCounts) {
  dir::Actor actor = CreateActor("Mail'Up", {"structures-ess"}, "21231");
  dir::CreateContactRequest create_contact;
  create_contact.set_parent(actor.name());
  create_contact.mutable_contact()->set_given_name("Camille");
  create_contact.mutable_contact()->set_family_name("Martin");
  create_contact.mutable_contact()->set_legal_basis(dir::LEGAL_BASIS_LEGITIMATE_INTEREST);
  dir::Contact contact;
  grpc::Status created = directory_stub_->CreateContact(Context().get(), create_contact, &contact);
  ASSERT_THAT(created, IsOk()) << created.error_message();

  mtg::Meeting meeting = CreateMeeting(-3600);
  mtg::CreateParticipantRequest request;
  request.set_parent(meeting.name());
  request.mutable_participant()->set_contact(contact.name());
  request.mutable_participant()->set_role(mtg::PARTICIPANT_ROLE_ESS_ACTOR);
  request.mutable_participant()->set_status(mtg::PARTICIPANT_STATUS_ATTENDED);
  mtg::Participant participant;
  ASSERT_THAT(meetings_stub_->CreateParticipant(Context().get(), request, &participant), IsOk());
  EXPECT_EQ(participant.actor(), actor.name());

  dir::ErasePersonRequest erase;
  erase.set_name(contact.name());
  erase.set_reason("demande d'effacement");
  dir::ErasePersonResponse erased;
  grpc::Status status = directory_stub_->ErasePerson(Context().get(), erase, &erased);
  ASSERT_THAT(status, IsOk()) << status.error_message();

  meetings::DirectoryFeedFollower follower(*meetings_pool_, *directory_client_,
                                           std::chrono::milliseconds(50));
  absl::StatusOr<int> read =
      follower.CatchUp(std::chrono::system_clock::now() + std::chrono::seconds(20));
  ASSERT_THAT(read, IsOk()) << read.status();

  mtg::GetParticipantRequest get;
  get.set_name(participant.name());
  mtg::Participant out;
  ASSERT_THAT(meetings_stub_->GetParticipant(Context().get(), get, &out), IsOk());
  EXPECT_TRUE(out.anonymized());
  EXPECT_EQ(out.contact(), "");
  EXPECT_EQ(out.status(), mtg::PARTICIPANT_STATUS_ATTENDED);
  EXPECT_EQ(out.actor(), actor.name());
  mtg::GetMeetingRequest get_meeting;
  get_meeting.set_name(meeting.name());
  mtg::Meeting m;
  ASSERT_THAT(meetings_stub_->GetMeeting(Context().get(), get_meeting, &m), IsOk());
  EXPECT_EQ(m.attendance().attended(), 1);
  EXPECT_EQ(m.attendance().distinct_actors_attended(), 1);
}

}  // namespace
}  // namespace maillage
