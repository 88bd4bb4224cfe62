// MeetingsService through its generated stub: a real PostgreSQL database, the service on an
// in-process gRPC server on port 0, and the directory and budget stand-ins of test_peers.h on
// another in-process server.
#include "services/meetings/meetings_service.h"

#include <libical/ical.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/migrations.h"
#include "common/server/client.h"
#include "common/server/server.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/api_conventions.h"
#include "common/testing/postgres.h"
#include "common/testing/principal.h"
#include "common/testing/status_matchers.h"
#include "common/testing/text_search.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/meetings/directory_feed_follower.h"
#include "services/meetings/indicator_store.h"
#include "services/meetings/meeting_kinds.h"
#include "services/meetings/meeting_rules.h"
#include "services/meetings/test_peers.h"

using maillage::testing::IsOk;
using maillage::testing::StatusIs;

namespace maillage::meetings {
const std::vector<db::Migration>& Migrations();

namespace {

using google::protobuf::Empty;
using grpc::StatusCode;

constexpr int64_t kHour = 3600;

google::protobuf::Timestamp SecondsFromNow(int64_t seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count() +
                seconds);
  return t;
}

std::string Reason(const grpc::Status& status) {
  auto info = GetErrorInfo(FromGrpcStatus(status));
  return info ? info->reason() : "";
}

std::set<std::string> BadFields(const grpc::Status& status) {
  std::set<std::string> fields;
  auto bad_request = GetBadRequest(FromGrpcStatus(status));
  if (bad_request) {
    for (const auto& v : bad_request->field_violations()) fields.insert(v.field());
  }
  return fields;
}

class MeetingsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    maillage::testing::TrustTestCalls();
    database_ = std::make_unique<maillage::testing::TestDatabase>("meetings");
    db::PoolOptions options;
    options.url = database_->url();
    options.size = 24;
    options.error_domain = std::string(kDomain);
    pool_ = std::make_unique<db::Pool>(options);
    ASSERT_THAT(db::Migrate(*pool_, "meetings", Migrations()), IsOk());

    budget_.AddAction("actions/fa3");
    budget_.AddAction("actions/fa4");
    peers_ = std::make_unique<server::Server>(server::ServerOptions{},
                                              std::vector<grpc::Service*>{&directory_, &budget_});
    ASSERT_THAT(peers_->Start(), IsOk());
    peers_->SetServing(true);
    std::string peer_address = absl::StrCat("127.0.0.1:", peers_->port());
    directory_client_ = std::make_unique<DirectoryClient>(server::MakeChannel(peer_address));
    actions_ = std::make_unique<BudgetActionRegistry>(server::MakeChannel(peer_address));
    planner_ = std::make_unique<MeetingPlanner>(*pool_, *actions_, *directory_client_);
    roster_ = std::make_unique<ParticipantRoster>(*pool_, *directory_client_);
    outputs_ = std::make_unique<OutputCatalog>(*pool_, *directory_client_);
    roadmap_ = std::make_unique<Roadmap>(*pool_, *actions_);
    indicators_ = std::make_unique<IndicatorReport>(*pool_, *directory_client_, *actions_);
    service_ = std::make_unique<MeetingsServiceImpl>(*planner_, *roster_, *outputs_, *roadmap_,
                                                     *indicators_);
    server::ServerOptions server_options;
    server_options.threads = 32;
    server_ = std::make_unique<server::Server>(server_options,
                                               std::vector<grpc::Service*>{service_.get()});
    ASSERT_THAT(server_->Start(), IsOk());
    server_->SetServing(true);
    stub_ = v1::MeetingsService::NewStub(
        server::MakeChannel(absl::StrCat("127.0.0.1:", server_->port())));
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
    if (peers_) peers_->Shutdown();
  }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return context;
  }

  // A valid in-person meeting of actions/fa3 starting `start_offset` seconds from now.
  v1::Meeting NewMeeting(int64_t start_offset, const std::string& title = "Atelier") {
    v1::Meeting m;
    m.set_title(title);
    m.set_kind(v1::MEETING_KIND_ACTORS_WORKSHOP);
    m.set_format(v1::MEETING_FORMAT_IN_PERSON);
    m.set_action("actions/fa3");
    *m.mutable_start_time() = SecondsFromNow(start_offset);
    *m.mutable_end_time() = SecondsFromNow(start_offset + 2 * kHour);
    m.mutable_place()->set_venue("Locaux du PES 21");
    m.mutable_place()->set_address("12 avenue Gustave Eiffel, 21000 Dijon");
    m.mutable_place()->set_commune_insee_code("21231");
    return m;
  }

  v1::Meeting Create(const v1::Meeting& meeting) {
    v1::CreateMeetingRequest request;
    *request.mutable_meeting() = meeting;
    v1::Meeting created;
    grpc::Status status = stub_->CreateMeeting(Context().get(), request, &created);
    EXPECT_THAT(status, IsOk()) << status.error_message();
    return created;
  }

  grpc::Status MarkHeld(const std::string& name, v1::Meeting* out) {
    v1::MarkMeetingHeldRequest request;
    request.set_name(name);
    return stub_->MarkMeetingHeld(Context().get(), request, out);
  }

  grpc::Status Close(const std::string& name, const std::string& minutes, v1::Meeting* out) {
    v1::CloseMeetingRequest request;
    request.set_name(name);
    request.set_minutes(minutes);
    return stub_->CloseMeeting(Context().get(), request, out);
  }

  grpc::Status AddParticipant(const std::string& meeting, const v1::Participant& participant,
                              v1::Participant* out) {
    v1::CreateParticipantRequest request;
    request.set_parent(meeting);
    *request.mutable_participant() = participant;
    return stub_->CreateParticipant(Context().get(), request, out);
  }

  v1::Participant ActorParticipant(const std::string& actor,
                                   v1::ParticipantStatus status = v1::PARTICIPANT_STATUS_INVITED) {
    v1::Participant p;
    p.set_actor(actor);
    p.set_role(v1::PARTICIPANT_ROLE_ESS_ACTOR);
    p.set_status(status);
    return p;
  }

  v1::Participant Person(const std::string& email, v1::ParticipantStatus status) {
    v1::Participant p;
    p.mutable_person()->set_display_name("Habitant " + email);
    p.mutable_person()->set_email(email);
    p.set_role(v1::PARTICIPANT_ROLE_INHABITANT);
    p.set_status(status);
    return p;
  }

  grpc::Status SetStatus(const std::string& name, v1::ParticipantStatus status,
                         v1::Participant* out) {
    v1::SetParticipantStatusRequest request;
    request.set_name(name);
    request.set_status(status);
    request.set_note("test");
    return stub_->SetParticipantStatus(Context().get(), request, out);
  }

  int64_t CountRows(const std::string& table) {
    return *pool_->ReadOnly<int64_t>(
        db::Deadline::max(), [&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
          return txn.exec("SELECT count(*) FROM " + table)[0][0].as<int64_t>();
        });
  }

  std::unique_ptr<maillage::testing::TestDatabase> database_;
  std::unique_ptr<db::Pool> pool_;
  testing::TestDirectoryService directory_;
  testing::TestBudgetService budget_;
  std::unique_ptr<server::Server> peers_;
  std::unique_ptr<DirectoryClient> directory_client_;
  std::unique_ptr<BudgetActionRegistry> actions_;
  std::unique_ptr<MeetingPlanner> planner_;
  std::unique_ptr<ParticipantRoster> roster_;
  std::unique_ptr<OutputCatalog> outputs_;
  std::unique_ptr<Roadmap> roadmap_;
  std::unique_ptr<IndicatorReport> indicators_;
  std::unique_ptr<MeetingsServiceImpl> service_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<v1::MeetingsService::Stub> stub_;
};

// ---------------------------------------------------------------------------------------------
// Meetings.

TEST_F(MeetingsServiceTest, CreatesAPlannedMeetingAndReadsItBack) {
  v1::Meeting created = Create(NewMeeting(10 * 24 * kHour));
  EXPECT_EQ(created.name().rfind("meetings/", 0), 0u);
  EXPECT_EQ(created.state(), v1::MEETING_STATE_PLANNED);
  EXPECT_EQ(created.time_zone(), "Europe/Paris");
  EXPECT_EQ(created.etag(), "1");
  EXPECT_EQ(created.calendar_sequence(), 0);
  EXPECT_FALSE(created.calendar_uid().empty());
  EXPECT_EQ(created.attendance().participants(), 0);

  v1::GetMeetingRequest get;
  get.set_name(created.name());
  v1::Meeting read;
  ASSERT_THAT(stub_->GetMeeting(Context().get(), get, &read), IsOk());
  EXPECT_EQ(read.title(), "Atelier");
  EXPECT_EQ(read.start_time().seconds(), created.start_time().seconds());
  EXPECT_EQ(read.place().commune_insee_code(), "21231");
  EXPECT_EQ(read.calendar_uid(), created.calendar_uid());

  get.set_name("meetings/999999");
  grpc::Status missing = stub_->GetMeeting(Context().get(), get, &read);
  EXPECT_EQ(missing.error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(Reason(missing), "MEETING_NOT_FOUND");
}

TEST_F(MeetingsServiceTest, CreateNamesEveryBadFieldAndChecksReferences) {
  v1::CreateMeetingRequest request;
  request.mutable_meeting()->set_capacity(-2);
  v1::Meeting out;
  grpc::Status invalid = stub_->CreateMeeting(Context().get(), request, &out);
  EXPECT_EQ(invalid.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      BadFields(invalid),
      (std::set<std::string>{"meeting.title", "meeting.kind", "meeting.format", "meeting.action",
                             "meeting.start_time", "meeting.end_time", "meeting.capacity"}));

  *request.mutable_meeting() = NewMeeting(kHour);
  request.mutable_meeting()->set_action("actions/unknown");
  grpc::Status unknown_action = stub_->CreateMeeting(Context().get(), request, &out);
  EXPECT_EQ(unknown_action.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(unknown_action), "ACTION_NOT_FOUND");

  *request.mutable_meeting() = NewMeeting(kHour);
  request.mutable_meeting()->mutable_place()->set_commune_insee_code("75056");
  grpc::Status outside = stub_->CreateMeeting(Context().get(), request, &out);
  EXPECT_EQ(outside.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(outside), (std::set<std::string>{"meeting.place.commune_insee_code"}));
  EXPECT_EQ(CountRows("meetings"), 0);
}

TEST_F(MeetingsServiceTest, RequestIdReplaysTheFirstResult) {
  v1::CreateMeetingRequest request;
  *request.mutable_meeting() = NewMeeting(kHour);
  request.set_request_id("6f1c2a3e-1d2b-4c5d-9e8f-0a1b2c3d4e5f");
  v1::Meeting first, second;
  ASSERT_THAT(stub_->CreateMeeting(Context().get(), request, &first), IsOk());
  ASSERT_THAT(stub_->CreateMeeting(Context().get(), request, &second), IsOk());
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(CountRows("meetings"), 1);

  request.mutable_meeting()->set_title("Autre");
  grpc::Status reused = stub_->CreateMeeting(Context().get(), request, &second);
  EXPECT_EQ(reused.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(CountRows("meetings"), 1);
}

TEST_F(MeetingsServiceTest, UpdateFollowsTheMaskTheEtagAndTheCalendarSequence) {
  v1::Meeting created = Create(NewMeeting(5 * 24 * kHour));
  v1::UpdateMeetingRequest request;
  request.mutable_meeting()->set_name(created.name());
  request.mutable_meeting()->set_title("Atelier mobilité");
  request.mutable_meeting()->set_agenda("ignored: not in the mask");
  request.mutable_meeting()->set_etag(created.etag());
  request.mutable_update_mask()->add_paths("title");
  request.mutable_update_mask()->add_paths("state");  // output-only: ignored
  v1::Meeting updated;
  ASSERT_THAT(stub_->UpdateMeeting(Context().get(), request, &updated), IsOk());
  EXPECT_EQ(updated.title(), "Atelier mobilité");
  EXPECT_EQ(updated.agenda(), "");
  EXPECT_EQ(updated.etag(), "2");
  EXPECT_EQ(updated.calendar_sequence(), 1);

  // Stale etag.
  grpc::Status stale = stub_->UpdateMeeting(Context().get(), request, &updated);
  EXPECT_EQ(stale.error_code(), StatusCode::ABORTED);
  EXPECT_EQ(Reason(stale), "ETAG_MISMATCH");

  // Capacity is not shown by calendars: no new sequence.
  v1::UpdateMeetingRequest capacity;
  capacity.mutable_meeting()->set_name(created.name());
  capacity.mutable_meeting()->set_capacity(12);
  capacity.mutable_update_mask()->add_paths("capacity");
  ASSERT_THAT(stub_->UpdateMeeting(Context().get(), capacity, &updated), IsOk());
  EXPECT_EQ(updated.capacity(), 12);
  EXPECT_EQ(updated.calendar_sequence(), 1);
  EXPECT_EQ(updated.title(), "Atelier mobilité");

  capacity.mutable_update_mask()->add_paths("colour");
  grpc::Status unknown = stub_->UpdateMeeting(Context().get(), capacity, &updated);
  EXPECT_EQ(unknown.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(unknown), (std::set<std::string>{"update_mask"}));

  // Minutes before closing.
  v1::UpdateMeetingRequest minutes;
  minutes.mutable_meeting()->set_name(created.name());
  minutes.mutable_meeting()->set_minutes("trop tôt");
  minutes.mutable_update_mask()->add_paths("minutes");
  EXPECT_EQ(stub_->UpdateMeeting(Context().get(), minutes, &updated).error_code(),
            StatusCode::FAILED_PRECONDITION);
}

TEST_F(MeetingsServiceTest, StateMachineRefusesIllegalTransitions) {
  v1::Meeting future = Create(NewMeeting(3 * 24 * kHour));
  v1::Meeting out;
  grpc::Status early = MarkHeld(future.name(), &out);
  EXPECT_EQ(early.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(early), "MEETING_NOT_STARTED");
  grpc::Status close_planned = Close(future.name(), "", &out);
  EXPECT_EQ(close_planned.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(close_planned), "ILLEGAL_STATE_TRANSITION");

  v1::Meeting past = Create(NewMeeting(-3 * kHour));
  ASSERT_THAT(MarkHeld(past.name(), &out), IsOk());
  EXPECT_EQ(out.state(), v1::MEETING_STATE_HELD);
  EXPECT_TRUE(out.has_held_time());
  grpc::Status twice = MarkHeld(past.name(), &out);
  EXPECT_EQ(Reason(twice), "ILLEGAL_STATE_TRANSITION");
  auto info = GetErrorInfo(FromGrpcStatus(twice));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("from"), "MEETING_STATE_HELD");
  EXPECT_EQ(info->metadata().at("to"), "MEETING_STATE_HELD");

  v1::CancelMeetingRequest cancel;
  cancel.set_name(past.name());
  cancel.set_reason("salle indisponible");
  EXPECT_EQ(Reason(stub_->CancelMeeting(Context().get(), cancel, &out)),
            "ILLEGAL_STATE_TRANSITION");

  ASSERT_THAT(Close(past.name(), "Compte rendu: 3 propositions.", &out), IsOk());
  EXPECT_EQ(out.state(), v1::MEETING_STATE_CLOSED);
  EXPECT_EQ(out.minutes(), "Compte rendu: 3 propositions.");
  EXPECT_EQ(Reason(MarkHeld(past.name(), &out)), "ILLEGAL_STATE_TRANSITION");

  // A closed meeting takes title and minutes only.
  v1::UpdateMeetingRequest update;
  update.mutable_meeting()->set_name(past.name());
  update.mutable_meeting()->set_minutes("Compte rendu corrigé.");
  update.mutable_meeting()->set_agenda("trop tard");
  update.mutable_update_mask()->add_paths("minutes");
  ASSERT_THAT(stub_->UpdateMeeting(Context().get(), update, &out), IsOk());
  EXPECT_EQ(out.minutes(), "Compte rendu corrigé.");
  update.mutable_update_mask()->add_paths("agenda");
  grpc::Status frozen = stub_->UpdateMeeting(Context().get(), update, &out);
  EXPECT_EQ(frozen.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(frozen), "MEETING_FROZEN");

  // Cancelling a planned meeting announces it to calendars.
  cancel.set_name(future.name());
  ASSERT_THAT(stub_->CancelMeeting(Context().get(), cancel, &out), IsOk());
  EXPECT_EQ(out.state(), v1::MEETING_STATE_CANCELLED);
  EXPECT_EQ(out.cancellation_reason(), "salle indisponible");
  EXPECT_EQ(out.calendar_sequence(), future.calendar_sequence() + 1);
  cancel.set_reason("");
  EXPECT_EQ(stub_->CancelMeeting(Context().get(), cancel, &out).error_code(),
            StatusCode::INVALID_ARGUMENT);
}

TEST_F(MeetingsServiceTest, DeleteKeepsTheFundersEvidence) {
  v1::Meeting planned = Create(NewMeeting(2 * 24 * kHour));
  v1::Meeting held = Create(NewMeeting(-2 * kHour));
  v1::Meeting out;
  ASSERT_THAT(MarkHeld(held.name(), &out), IsOk());
  directory_.AddActor(1, {"culture"}, "21231");
  v1::Participant p;
  ASSERT_THAT(AddParticipant(planned.name(), ActorParticipant("actors/1"), &p), IsOk());

  v1::DeleteMeetingRequest request;
  Empty empty;
  request.set_name(held.name());
  grpc::Status evidence = stub_->DeleteMeeting(Context().get(), request, &empty);
  EXPECT_EQ(evidence.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(evidence), "MEETING_IS_EVIDENCE");

  request.set_name(planned.name());
  grpc::Status dependents = stub_->DeleteMeeting(Context().get(), request, &empty);
  EXPECT_EQ(Reason(dependents), "MEETING_HAS_DEPENDENTS");
  request.set_force(true);
  request.set_etag("7");
  EXPECT_EQ(stub_->DeleteMeeting(Context().get(), request, &empty).error_code(),
            StatusCode::ABORTED);
  request.set_etag("");
  ASSERT_THAT(stub_->DeleteMeeting(Context().get(), request, &empty), IsOk());
  EXPECT_EQ(CountRows("participants"), 0);
  v1::GetMeetingRequest get;
  get.set_name(planned.name());
  EXPECT_EQ(stub_->GetMeeting(Context().get(), get, &out).error_code(), StatusCode::NOT_FOUND);
}

TEST_F(MeetingsServiceTest, ListPagesNeverSkipNorRepeatAndFilter) {
  std::vector<std::string> fa3;
  for (int i = 0; i < 7; ++i) {
    v1::Meeting m = NewMeeting((10 + i) * 24 * kHour, absl::StrCat("Réunion ", i));
    if (i % 3 == 0) m.set_action("actions/fa4");
    m.set_kind(i % 2 ? v1::MEETING_KIND_ELECTED_OFFICIALS_MEETING
                     : v1::MEETING_KIND_ACTORS_WORKSHOP);
    v1::Meeting created = Create(m);
    if (i % 3 != 0) fa3.push_back(created.name());
  }
  v1::ListMeetingsRequest request;
  request.set_page_size(3);
  std::vector<std::string> seen;
  int64_t last_start = 0;
  int pages = 0;
  do {
    v1::ListMeetingsResponse response;
    ASSERT_THAT(stub_->ListMeetings(Context().get(), request, &response), IsOk());
    for (const auto& m : response.meetings()) {
      seen.push_back(m.name());
      EXPECT_GE(m.start_time().seconds(), last_start);
      last_start = m.start_time().seconds();
    }
    request.set_page_token(response.next_page_token());
    ++pages;
  } while (!request.page_token().empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 7u);

  v1::ListMeetingsRequest filtered;
  filtered.set_filter("action = \"actions/fa3\" AND state = PLANNED");
  filtered.set_order_by("start_time desc");
  v1::ListMeetingsResponse response;
  ASSERT_THAT(stub_->ListMeetings(Context().get(), filtered, &response), IsOk());
  std::vector<std::string> names;
  for (const auto& m : response.meetings()) names.push_back(m.name());
  std::reverse(fa3.begin(), fa3.end());
  EXPECT_EQ(names, fa3);

  filtered.set_filter(
      "kind = ELECTED_OFFICIALS_MEETING AND start_time >= \"2020-01-01T00:00:00Z\"");
  filtered.set_page_size(1);
  ASSERT_THAT(stub_->ListMeetings(Context().get(), filtered, &response), IsOk());
  ASSERT_FALSE(response.next_page_token().empty());
  filtered.set_page_token(response.next_page_token());
  filtered.set_filter("kind = ACTORS_WORKSHOP");
  EXPECT_EQ(stub_->ListMeetings(Context().get(), filtered, &response).error_code(),
            StatusCode::INVALID_ARGUMENT);
  filtered.set_page_token("");
  filtered.set_filter("colour = \"red\"");
  EXPECT_EQ(stub_->ListMeetings(Context().get(), filtered, &response).error_code(),
            StatusCode::INVALID_ARGUMENT);
  filtered.set_filter("");
  filtered.set_page_size(-1);
  EXPECT_EQ(stub_->ListMeetings(Context().get(), filtered, &response).error_code(),
            StatusCode::INVALID_ARGUMENT);
}

// The lists of a meeting's children read their parent alike (meeting_children.h).
TEST_F(MeetingsServiceTest, ChildListsCheckTheirParentMeeting) {
  v1::Meeting meeting = Create(NewMeeting(kHour));
  v1::Participant participant;
  ASSERT_THAT(AddParticipant(meeting.name(),
                             Person("p@example.org", v1::PARTICIPANT_STATUS_INVITED), &participant),
              IsOk());
  Create(NewMeeting(2 * kHour));  // another meeting, no children
  for (const char* parent : {"meetings/-", "", "meetings/999999", "actors/1"}) {
    v1::ListParticipantsRequest participants;
    participants.set_parent(parent[0] ? parent : meeting.name());
    v1::ListParticipantsResponse listed;
    grpc::Status status = stub_->ListParticipants(Context().get(), participants, &listed);
    v1::ListOutputsRequest outputs;
    outputs.set_parent(participants.parent());
    v1::ListOutputsResponse listed_outputs;
    grpc::Status outputs_status = stub_->ListOutputs(Context().get(), outputs, &listed_outputs);
    const std::string which = participants.parent();
    if (which == "meetings/999999") {
      EXPECT_EQ(status.error_code(), StatusCode::NOT_FOUND);
      EXPECT_EQ(Reason(status), "MEETING_NOT_FOUND");
      EXPECT_EQ(outputs_status.error_code(), StatusCode::NOT_FOUND);
      EXPECT_EQ(Reason(outputs_status), "MEETING_NOT_FOUND");
    } else if (which == "actors/1") {
      EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
      EXPECT_EQ(outputs_status.error_code(), StatusCode::INVALID_ARGUMENT);
    } else {
      ASSERT_THAT(status, IsOk()) << which << ": " << status.error_message();
      ASSERT_THAT(outputs_status, IsOk()) << which << ": " << outputs_status.error_message();
      ASSERT_EQ(listed.participants_size(), 1) << which;
      EXPECT_EQ(listed.participants(0).name(), participant.name());
      EXPECT_EQ(listed_outputs.outputs_size(), 0) << which;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Participants.

TEST_F(MeetingsServiceTest, ParticipantReferencesAreCheckedWithTheDirectory) {
  v1::Meeting meeting = Create(NewMeeting(24 * kHour));
  directory_.AddActor(4, {"iae"}, "21231");
  std::string contact = directory_.AddContact("actors/4", 9);

  v1::Participant out;
  grpc::Status unknown = AddParticipant(meeting.name(), ActorParticipant("actors/77"), &out);
  EXPECT_EQ(unknown.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(unknown), "ACTOR_NOT_FOUND");

  v1::Participant by_contact;
  by_contact.set_contact(contact);
  by_contact.set_role(v1::PARTICIPANT_ROLE_ELECTED_OFFICIAL);
  ASSERT_THAT(AddParticipant(meeting.name(), by_contact, &out), IsOk());
  EXPECT_EQ(out.actor(), "actors/4");  // filled in from the contact
  EXPECT_EQ(out.status(), v1::PARTICIPANT_STATUS_INVITED);
  ASSERT_EQ(out.status_history_size(), 1);
  EXPECT_EQ(out.status_history(0).status(), v1::PARTICIPANT_STATUS_INVITED);

  v1::Participant again;
  grpc::Status duplicate = AddParticipant(meeting.name(), by_contact, &again);
  EXPECT_EQ(duplicate.error_code(), StatusCode::ALREADY_EXISTS);
  auto info = GetErrorInfo(FromGrpcStatus(duplicate));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("existing_participant"), out.name());

  by_contact.set_contact("actors/4/contacts/10");
  EXPECT_EQ(Reason(AddParticipant(meeting.name(), by_contact, &again)), "CONTACT_NOT_FOUND");
  EXPECT_EQ(CountRows("participants"), 1);
}

TEST_F(MeetingsServiceTest, DirectoryDownMeansUnavailableAndNothingWritten) {
  v1::Meeting meeting = Create(NewMeeting(24 * kHour));
  directory_.AddActor(4, {"iae"}, "21231");
  peers_->Shutdown();
  v1::Participant out;
  grpc::Status down = AddParticipant(meeting.name(), ActorParticipant("actors/4"), &out);
  EXPECT_EQ(down.error_code(), StatusCode::UNAVAILABLE);
  EXPECT_EQ(Reason(down), "DIRECTORY_UNAVAILABLE");
  v1::BatchInviteParticipantsRequest batch;
  batch.set_parent(meeting.name());
  batch.set_network_category("iae");
  batch.set_role(v1::PARTICIPANT_ROLE_ESS_ACTOR);
  v1::BatchInviteParticipantsResponse response;
  EXPECT_EQ(stub_->BatchInviteParticipants(Context().get(), batch, &response).error_code(),
            StatusCode::UNAVAILABLE);
  EXPECT_EQ(CountRows("participants"), 0);
}

TEST_F(MeetingsServiceTest, WaitingListIsPromotedInOrderWhenASeatFrees) {
  v1::Meeting m = NewMeeting(24 * kHour);
  m.set_capacity(2);
  v1::Meeting meeting = Create(m);
  std::vector<v1::Participant> people(4);
  for (int i = 0; i < 4; ++i) {
    ASSERT_THAT(AddParticipant(
                    meeting.name(),
                    Person(absl::StrCat("p", i, "@example.org"), v1::PARTICIPANT_STATUS_REGISTERED),
                    &people[i]),
                IsOk());
  }
  EXPECT_EQ(people[0].status(), v1::PARTICIPANT_STATUS_REGISTERED);
  EXPECT_EQ(people[1].status(), v1::PARTICIPANT_STATUS_REGISTERED);
  EXPECT_EQ(people[2].status(), v1::PARTICIPANT_STATUS_WAITING_LIST);
  EXPECT_EQ(people[2].waiting_list_position(), 1);
  EXPECT_EQ(people[3].waiting_list_position(), 2);

  v1::Participant out;
  ASSERT_THAT(SetStatus(people[0].name(), v1::PARTICIPANT_STATUS_EXCUSED, &out), IsOk());
  v1::GetParticipantRequest get;
  get.set_name(people[2].name());
  ASSERT_THAT(stub_->GetParticipant(Context().get(), get, &out), IsOk());
  EXPECT_EQ(out.status(), v1::PARTICIPANT_STATUS_REGISTERED);
  EXPECT_EQ(out.waiting_list_position(), 0);
  ASSERT_EQ(out.status_history_size(), 2);
  EXPECT_EQ(out.status_history(1).note(), "promoted from waiting list");
  EXPECT_EQ(out.status_history(1).changed_by(), "system");
  // The caller's change is recorded under its principal (the key the gateway signed for).
  EXPECT_EQ(out.status_history(0).changed_by(), "tests/role_admin");
  get.set_name(people[3].name());
  ASSERT_THAT(stub_->GetParticipant(Context().get(), get, &out), IsOk());
  EXPECT_EQ(out.waiting_list_position(), 1);

  // Deleting a registered participant promotes the next one; raising capacity too.
  v1::DeleteParticipantRequest remove;
  remove.set_name(people[1].name());
  Empty empty;
  ASSERT_THAT(stub_->DeleteParticipant(Context().get(), remove, &empty), IsOk());
  ASSERT_THAT(stub_->GetParticipant(Context().get(), get, &out), IsOk());
  EXPECT_EQ(out.status(), v1::PARTICIPANT_STATUS_REGISTERED);

  // Asking WAITING_LIST or ATTENDED directly is refused.
  EXPECT_EQ(Reason(SetStatus(people[3].name(), v1::PARTICIPANT_STATUS_WAITING_LIST, &out)),
            "STATUS_NOT_SETTABLE");
  EXPECT_EQ(Reason(SetStatus(people[3].name(), v1::PARTICIPANT_STATUS_ATTENDED, &out)),
            "STATUS_NOT_SETTABLE");
  // NO_SHOW needs the meeting to have started.
  EXPECT_EQ(Reason(SetStatus(people[3].name(), v1::PARTICIPANT_STATUS_NO_SHOW, &out)),
            "MEETING_NOT_STARTED");
}

TEST_F(MeetingsServiceTest, ConcurrentRegistrationsNeverOversellSeats) {
  v1::Meeting m = NewMeeting(24 * kHour);
  m.set_capacity(5);
  v1::Meeting meeting = Create(m);
  constexpr int kPeople = 24;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kPeople; ++i) {
    threads.emplace_back([&, i] {
      v1::Participant out;
      grpc::Status status = AddParticipant(
          meeting.name(),
          Person(absl::StrCat("c", i, "@example.org"), v1::PARTICIPANT_STATUS_REGISTERED), &out);
      if (!status.ok()) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  v1::GetMeetingRequest get;
  get.set_name(meeting.name());
  v1::Meeting read;
  ASSERT_THAT(stub_->GetMeeting(Context().get(), get, &read), IsOk());
  EXPECT_EQ(read.attendance().registered(), 5);
  EXPECT_EQ(read.attendance().waiting_list(), kPeople - 5);

  v1::ListParticipantsRequest list;
  list.set_parent(meeting.name());
  list.set_filter("status = WAITING_LIST");
  list.set_order_by("waiting_list_position");
  list.set_page_size(100);
  v1::ListParticipantsResponse response;
  ASSERT_THAT(stub_->ListParticipants(Context().get(), list, &response), IsOk());
  ASSERT_EQ(response.participants_size(), kPeople - 5);
  for (int i = 0; i < response.participants_size(); ++i) {
    EXPECT_EQ(response.participants(i).waiting_list_position(), i + 1);
  }
}

// Check-ins of one meeting run side by side; one participant checked in twice at once is
// checked in once (one history entry), and a close waits for the check-ins in progress.
TEST_F(MeetingsServiceTest, ConcurrentCheckInsAreEachRecordedOnce) {
  v1::Meeting meeting = Create(NewMeeting(-kHour));
  constexpr int kPeople = 12;
  std::vector<std::string> names;
  for (int i = 0; i < kPeople; ++i) {
    v1::Participant out;
    ASSERT_THAT(
        AddParticipant(meeting.name(),
                       Person(absl::StrCat("k", i, "@example.org"), v1::PARTICIPANT_STATUS_INVITED),
                       &out),
        IsOk());
    names.push_back(out.name());
  }
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  std::vector<v1::Participant> answers(2 * kPeople);
  for (int i = 0; i < 2 * kPeople; ++i) {  // every participant twice
    threads.emplace_back([&, i] {
      v1::CheckInRequest request;
      request.set_name(names[i % kPeople]);
      v1::Participant& out = answers[i];
      grpc::Status status = stub_->CheckIn(Context().get(), request, &out);
      if (!status.ok() || out.status() != v1::PARTICIPANT_STATUS_ATTENDED) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  // GetParticipant reads a participant with its history in one statement, a list page reads
  // the histories of its page apart: both give the same participants.
  v1::ListParticipantsRequest list;
  list.set_parent(meeting.name());
  list.set_page_size(kPeople);
  v1::ListParticipantsResponse listed;
  ASSERT_THAT(stub_->ListParticipants(Context().get(), list, &listed), IsOk());
  ASSERT_EQ(listed.participants_size(), kPeople);
  for (const v1::Participant& from_list : listed.participants()) {
    v1::GetParticipantRequest get;
    get.set_name(from_list.name());
    v1::Participant read;
    ASSERT_THAT(stub_->GetParticipant(Context().get(), get, &read), IsOk());
    EXPECT_EQ(read.status(), v1::PARTICIPANT_STATUS_ATTENDED);
    ASSERT_EQ(read.status_history_size(), 2) << read.name();  // invited, then checked in once
    EXPECT_EQ(read.status_history(1).note(), "checked in");
    EXPECT_TRUE(read.status_history(1).has_time());
    EXPECT_TRUE(read.has_check_in_time());
    EXPECT_EQ(read.DebugString(), from_list.DebugString());
    // Both answers of CheckIn (the one that wrote, built without reading back, and the one
    // that found it done) are the participant as stored.
    for (const v1::Participant& answer : answers) {
      if (answer.name() == read.name()) {
        EXPECT_EQ(answer.DebugString(), read.DebugString());
      }
    }
  }
  v1::Meeting m;
  ASSERT_THAT(MarkHeld(meeting.name(), &m), IsOk());
  ASSERT_THAT(Close(meeting.name(), "", &m), IsOk());
  EXPECT_EQ(m.attendance().attended(), kPeople);
}

TEST_F(MeetingsServiceTest, AttendanceIsComputedFromParticipantsAndFrozenOnClose) {
  directory_.AddActor(1, {"culture"}, "21231");
  directory_.AddActor(2, {"culture"}, "21617");
  v1::Meeting future = Create(NewMeeting(3 * 24 * kHour));
  v1::Meeting meeting = Create(NewMeeting(-kHour));
  v1::Participant a1, a2, walk_in, registered, excused, early;
  ASSERT_THAT(AddParticipant(future.name(), ActorParticipant("actors/1"), &early), IsOk());
  v1::CheckInRequest check_in;
  check_in.set_name(early.name());
  v1::Participant out;
  EXPECT_EQ(Reason(stub_->CheckIn(Context().get(), check_in, &out)), "MEETING_NOT_TODAY");

  ASSERT_THAT(AddParticipant(meeting.name(), ActorParticipant("actors/1"), &a1), IsOk());
  ASSERT_THAT(AddParticipant(meeting.name(), ActorParticipant("actors/2"), &a2), IsOk());
  ASSERT_THAT(AddParticipant(meeting.name(),
                             Person("w@example.org", v1::PARTICIPANT_STATUS_ATTENDED), &walk_in),
              IsOk());
  EXPECT_TRUE(walk_in.has_check_in_time());
  ASSERT_THAT(
      AddParticipant(meeting.name(), Person("r@example.org", v1::PARTICIPANT_STATUS_REGISTERED),
                     &registered),
      IsOk());
  ASSERT_THAT(AddParticipant(meeting.name(),
                             Person("e@example.org", v1::PARTICIPANT_STATUS_INVITED), &excused),
              IsOk());
  ASSERT_THAT(SetStatus(excused.name(), v1::PARTICIPANT_STATUS_EXCUSED, &out), IsOk());
  check_in.set_name(a1.name());
  ASSERT_THAT(stub_->CheckIn(Context().get(), check_in, &out), IsOk());
  EXPECT_EQ(out.status(), v1::PARTICIPANT_STATUS_ATTENDED);
  v1::Participant again;
  ASSERT_THAT(stub_->CheckIn(Context().get(), check_in, &again), IsOk());  // idempotent
  EXPECT_EQ(again.etag(), out.etag());
  EXPECT_EQ(again.DebugString(), out.DebugString());
  v1::CheckInRequest missing;
  missing.set_name(meeting.name() + "/participants/999999");
  EXPECT_EQ(Reason(stub_->CheckIn(Context().get(), missing, &again)), "PARTICIPANT_NOT_FOUND");
  missing.set_name("meetings/999999/participants/1");
  EXPECT_EQ(Reason(stub_->CheckIn(Context().get(), missing, &again)), "MEETING_NOT_FOUND");

  v1::Meeting held;
  ASSERT_THAT(MarkHeld(meeting.name(), &held), IsOk());
  v1::Meeting closed;
  ASSERT_THAT(Close(meeting.name(), "", &closed), IsOk());
  const v1::AttendanceSummary& a = closed.attendance();
  EXPECT_EQ(a.participants(), 5);
  EXPECT_EQ(a.invited(), 1);     // actors/2
  EXPECT_EQ(a.registered(), 0);  // became NO_SHOW on close
  EXPECT_EQ(a.no_show(), 1);
  EXPECT_EQ(a.attended(), 2);
  EXPECT_EQ(a.excused(), 1);
  EXPECT_EQ(a.distinct_actors_attended(), 1);

  // Frozen: no more check-in, status change, addition or deletion.
  check_in.set_name(a2.name());
  EXPECT_EQ(Reason(stub_->CheckIn(Context().get(), check_in, &out)), "MEETING_FROZEN");
  EXPECT_EQ(Reason(SetStatus(a2.name(), v1::PARTICIPANT_STATUS_EXCUSED, &out)), "MEETING_FROZEN");
  EXPECT_EQ(Reason(AddParticipant(
                meeting.name(), Person("late@example.org", v1::PARTICIPANT_STATUS_INVITED), &out)),
            "MEETING_FROZEN");

  // Erasure of an outside person keeps the counts.
  v1::AnonymizeParticipantRequest anonymize;
  anonymize.set_name(walk_in.name());
  ASSERT_THAT(stub_->AnonymizeParticipant(Context().get(), anonymize, &out), IsOk());
  EXPECT_TRUE(out.anonymized());
  EXPECT_FALSE(out.has_person());
  EXPECT_EQ(out.status(), v1::PARTICIPANT_STATUS_ATTENDED);
  v1::GetMeetingRequest get;
  get.set_name(meeting.name());
  v1::Meeting read;
  ASSERT_THAT(stub_->GetMeeting(Context().get(), get, &read), IsOk());
  EXPECT_EQ(read.attendance().attended(), 2);
}

TEST_F(MeetingsServiceTest, BatchInviteReadsTheSelectionFromTheDirectory) {
  directory_.AddActor(1, {"culture"}, "21231");
  directory_.AddActor(2, {"culture", "iae"}, "21617");
  directory_.AddActor(3, {"iae"}, "21231");
  directory_.AddActor(4, {"culture"}, "21231");
  directory_.ArchiveActor("actors/4");
  v1::Meeting meeting = Create(NewMeeting(24 * kHour));
  v1::Participant existing;
  ASSERT_THAT(AddParticipant(meeting.name(), ActorParticipant("actors/2"), &existing), IsOk());

  v1::BatchInviteParticipantsRequest request;
  request.set_parent(meeting.name());
  request.set_network_category("culture");
  request.set_role(v1::PARTICIPANT_ROLE_ESS_ACTOR);
  v1::BatchInviteParticipantsResponse response;
  ASSERT_THAT(stub_->BatchInviteParticipants(Context().get(), request, &response), IsOk());
  ASSERT_EQ(response.participants_size(), 1);
  EXPECT_EQ(response.participants(0).actor(), "actors/1");
  EXPECT_EQ(response.participants(0).status(), v1::PARTICIPANT_STATUS_INVITED);
  ASSERT_EQ(response.skipped_size(), 1);
  EXPECT_EQ(response.skipped(0).actor(), "actors/2");
  EXPECT_EQ(response.skipped(0).existing_participant(), existing.name());

  request.set_commune("21231");
  ASSERT_THAT(stub_->BatchInviteParticipants(Context().get(), request, &response), IsOk());
  ASSERT_EQ(response.participants_size(), 1);
  EXPECT_EQ(response.participants(0).actor(), "actors/3");

  request.mutable_actor_list()->add_actors("actors/4");
  request.mutable_actor_list()->add_actors("actors/4");
  ASSERT_THAT(stub_->BatchInviteParticipants(Context().get(), request, &response), IsOk());
  EXPECT_EQ(response.participants_size(), 0);
  ASSERT_EQ(response.skipped_size(), 1);
  EXPECT_EQ(response.skipped(0).reason(),
            v1::BatchInviteParticipantsResponse::SkippedActor::REASON_ACTOR_ARCHIVED);

  int64_t before = CountRows("participants");
  request.mutable_actor_list()->Clear();
  request.mutable_actor_list()->add_actors("actors/5");
  request.mutable_actor_list()->add_actors("actors/99");
  grpc::Status unknown = stub_->BatchInviteParticipants(Context().get(), request, &response);
  EXPECT_EQ(unknown.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(unknown), "ACTOR_NOT_FOUND");
  EXPECT_EQ(CountRows("participants"), before);

  request.set_network_category("inconnue");
  EXPECT_EQ(Reason(stub_->BatchInviteParticipants(Context().get(), request, &response)),
            "NETWORK_CATEGORY_NOT_FOUND");
  request.set_commune("75056");
  EXPECT_EQ(stub_->BatchInviteParticipants(Context().get(), request, &response).error_code(),
            StatusCode::INVALID_ARGUMENT);
}

TEST_F(MeetingsServiceTest, UpdateParticipantTakesRoleAndPersonOnly) {
  v1::Meeting meeting = Create(NewMeeting(24 * kHour));
  v1::Participant p;
  ASSERT_THAT(
      AddParticipant(meeting.name(), Person("x@example.org", v1::PARTICIPANT_STATUS_INVITED), &p),
      IsOk());
  v1::UpdateParticipantRequest request;
  request.mutable_participant()->set_name(p.name());
  request.mutable_participant()->set_role(v1::PARTICIPANT_ROLE_EXPERT);
  request.mutable_participant()->set_etag(p.etag());
  request.mutable_update_mask()->add_paths("role");
  v1::Participant out;
  ASSERT_THAT(stub_->UpdateParticipant(Context().get(), request, &out), IsOk());
  EXPECT_EQ(out.role(), v1::PARTICIPANT_ROLE_EXPERT);
  EXPECT_EQ(out.person().email(), "x@example.org");
  EXPECT_EQ(stub_->UpdateParticipant(Context().get(), request, &out).error_code(),
            StatusCode::ABORTED);
  request.mutable_participant()->set_etag("");
  request.mutable_update_mask()->add_paths("status");
  EXPECT_EQ(stub_->UpdateParticipant(Context().get(), request, &out).error_code(),
            StatusCode::INVALID_ARGUMENT);
}

// ---------------------------------------------------------------------------------------------
// Outputs and roadmap.

TEST_F(MeetingsServiceTest, ProposalsMoveThroughTheirLifeCycleIntoTheRoadmap) {
  directory_.AddActor(1, {"culture"}, "21231");
  v1::Meeting meeting = Create(NewMeeting(-kHour));
  v1::CreateOutputRequest create;
  create.set_parent(meeting.name());
  create.mutable_output()->mutable_document()->set_kind(v1::DOCUMENT_KIND_SYNTHESIS);
  create.mutable_output()->mutable_document()->set_title("Synthèse de l'atelier");
  v1::Output document;
  ASSERT_THAT(stub_->CreateOutput(Context().get(), create, &document), IsOk());
  EXPECT_EQ(document.document().title(), "Synthèse de l'atelier");

  create.mutable_output()->mutable_proposal()->set_text("Créer un tiers-lieu de l'ESS");
  create.mutable_output()->mutable_proposal()->add_authors("actors/42");
  v1::Output proposal;
  EXPECT_EQ(Reason(stub_->CreateOutput(Context().get(), create, &proposal)), "ACTOR_NOT_FOUND");
  create.mutable_output()->mutable_proposal()->set_authors(0, "actors/1");
  ASSERT_THAT(stub_->CreateOutput(Context().get(), create, &proposal), IsOk());
  EXPECT_EQ(proposal.proposal().state(), v1::PROPOSAL_STATE_SUBMITTED);
  ASSERT_EQ(proposal.proposal().state_history_size(), 1);

  v1::CreateRoadmapItemRequest item_request;
  item_request.mutable_roadmap_item()->set_action("actions/fa3");
  item_request.mutable_roadmap_item()->set_axis("Tiers-lieux");
  item_request.mutable_roadmap_item()->set_title("Un tiers-lieu métropolitain de l'ESS");
  v1::RoadmapItem item, other;
  ASSERT_THAT(stub_->CreateRoadmapItem(Context().get(), item_request, &item), IsOk());
  item_request.mutable_roadmap_item()->set_action("actions/fa4");
  ASSERT_THAT(stub_->CreateRoadmapItem(Context().get(), item_request, &other), IsOk());

  v1::TransitionProposalRequest move;
  move.set_name(proposal.name());
  move.set_state(v1::PROPOSAL_STATE_INTEGRATED);
  move.set_roadmap_item(item.name());
  v1::Output out;
  EXPECT_EQ(Reason(stub_->TransitionProposal(Context().get(), move, &out)),
            "ILLEGAL_STATE_TRANSITION");
  move.set_roadmap_item("");
  EXPECT_EQ(stub_->TransitionProposal(Context().get(), move, &out).error_code(),
            StatusCode::INVALID_ARGUMENT);
  move.set_state(v1::PROPOSAL_STATE_UNDER_STUDY);
  ASSERT_THAT(stub_->TransitionProposal(Context().get(), move, &out), IsOk());
  move.set_state(v1::PROPOSAL_STATE_RETAINED);
  move.set_note("retenue par le comité");
  ASSERT_THAT(stub_->TransitionProposal(Context().get(), move, &out), IsOk());
  move.set_state(v1::PROPOSAL_STATE_INTEGRATED);
  move.set_roadmap_item(other.name());
  EXPECT_EQ(Reason(stub_->TransitionProposal(Context().get(), move, &out)),
            "ROADMAP_ITEM_OF_ANOTHER_ACTION");
  move.set_roadmap_item(item.name());
  ASSERT_THAT(stub_->TransitionProposal(Context().get(), move, &out), IsOk());
  EXPECT_EQ(out.proposal().state(), v1::PROPOSAL_STATE_INTEGRATED);
  EXPECT_EQ(out.proposal().roadmap_item(), item.name());
  ASSERT_EQ(out.proposal().state_history_size(), 4);
  EXPECT_EQ(out.proposal().state_history(2).note(), "retenue par le comité");
  // GetOutput (one statement, history aggregated) reads what the write answered.
  v1::GetOutputRequest get_output;
  get_output.set_name(proposal.name());
  v1::Output read_output;
  ASSERT_THAT(stub_->GetOutput(Context().get(), get_output, &read_output), IsOk());
  EXPECT_EQ(read_output.DebugString(), out.DebugString());

  v1::GetRoadmapItemRequest get_item;
  get_item.set_name(item.name());
  ASSERT_THAT(stub_->GetRoadmapItem(Context().get(), get_item, &item), IsOk());
  ASSERT_EQ(item.source_proposals_size(), 1);
  EXPECT_EQ(item.source_proposals(0), proposal.name());
  ASSERT_EQ(item.source_meetings_size(), 1);
  EXPECT_EQ(item.source_meetings(0), meeting.name());

  // Integrated: final, and the roadmap refers to it.
  v1::UpdateOutputRequest update;
  update.mutable_output()->set_name(proposal.name());
  update.mutable_output()->mutable_proposal()->set_text("Autre texte");
  update.mutable_update_mask()->add_paths("proposal.text");
  EXPECT_EQ(Reason(stub_->UpdateOutput(Context().get(), update, &out)), "PROPOSAL_FINAL");
  v1::DeleteOutputRequest delete_output;
  delete_output.set_name(proposal.name());
  Empty empty;
  EXPECT_EQ(Reason(stub_->DeleteOutput(Context().get(), delete_output, &empty)),
            "PROPOSAL_INTEGRATED");
  v1::DeleteRoadmapItemRequest delete_item;
  delete_item.set_name(item.name());
  EXPECT_EQ(Reason(stub_->DeleteRoadmapItem(Context().get(), delete_item, &empty)),
            "ROADMAP_ITEM_HAS_INTEGRATED_PROPOSALS");

  // A document stays a document.
  update.mutable_output()->set_name(document.name());
  EXPECT_EQ(stub_->UpdateOutput(Context().get(), update, &out).error_code(),
            StatusCode::INVALID_ARGUMENT);
  update.mutable_output()->mutable_document()->set_title("Synthèse corrigée");
  update.mutable_update_mask()->Clear();
  update.mutable_update_mask()->add_paths("document.title");
  ASSERT_THAT(stub_->UpdateOutput(Context().get(), update, &out), IsOk());
  EXPECT_EQ(out.document().title(), "Synthèse corrigée");
  EXPECT_EQ(out.document().kind(), v1::DOCUMENT_KIND_SYNTHESIS);

  v1::ListOutputsRequest list;
  list.set_parent("meetings/-");
  list.set_filter("action = \"actions/fa3\" AND proposal.state = INTEGRATED");
  v1::ListOutputsResponse listed;
  ASSERT_THAT(stub_->ListOutputs(Context().get(), list, &listed), IsOk());
  ASSERT_EQ(listed.outputs_size(), 1);
  EXPECT_EQ(listed.outputs(0).name(), proposal.name());

  // A cancelled meeting produces nothing.
  v1::Meeting cancelled = Create(NewMeeting(24 * kHour));
  v1::CancelMeetingRequest cancel;
  cancel.set_name(cancelled.name());
  cancel.set_reason("annulé");
  v1::Meeting m;
  ASSERT_THAT(stub_->CancelMeeting(Context().get(), cancel, &m), IsOk());
  create.set_parent(cancelled.name());
  EXPECT_EQ(Reason(stub_->CreateOutput(Context().get(), create, &out)), "MEETING_CANCELLED");
}

TEST_F(MeetingsServiceTest, RoadmapProgressFollowsTheItemStates) {
  v1::CreateRoadmapItemRequest create;
  create.mutable_roadmap_item()->set_action("actions/fa3");
  create.mutable_roadmap_item()->set_title("Achats responsables de la Métropole");
  v1::RoadmapItem item;
  ASSERT_THAT(stub_->CreateRoadmapItem(Context().get(), create, &item), IsOk());
  EXPECT_EQ(item.state(), v1::ROADMAP_ITEM_STATE_PLANNED);
  EXPECT_EQ(item.progress(), 0);
  EXPECT_EQ(item.progress_history_size(), 1);
  create.mutable_roadmap_item()->set_action("actions/none");
  v1::RoadmapItem missing;
  EXPECT_EQ(Reason(stub_->CreateRoadmapItem(Context().get(), create, &missing)),
            "ACTION_NOT_FOUND");

  v1::RecordRoadmapProgressRequest progress;
  progress.set_name(item.name());
  progress.set_progress(40);
  progress.set_note("premier marché réservé");
  ASSERT_THAT(stub_->RecordRoadmapProgress(Context().get(), progress, &item), IsOk());
  EXPECT_EQ(item.state(), v1::ROADMAP_ITEM_STATE_IN_PROGRESS);
  EXPECT_EQ(item.progress(), 40);
  progress.set_progress(120);
  EXPECT_EQ(stub_->RecordRoadmapProgress(Context().get(), progress, &item).error_code(),
            StatusCode::INVALID_ARGUMENT);
  progress.set_progress(90);
  progress.set_state(v1::ROADMAP_ITEM_STATE_DONE);
  EXPECT_EQ(stub_->RecordRoadmapProgress(Context().get(), progress, &item).error_code(),
            StatusCode::INVALID_ARGUMENT);
  progress.set_progress(100);
  ASSERT_THAT(stub_->RecordRoadmapProgress(Context().get(), progress, &item), IsOk());
  EXPECT_EQ(item.state(), v1::ROADMAP_ITEM_STATE_DONE);
  progress.set_state(v1::ROADMAP_ITEM_STATE_ABANDONED);
  EXPECT_EQ(Reason(stub_->RecordRoadmapProgress(Context().get(), progress, &item)),
            "ILLEGAL_STATE_TRANSITION");
  progress.set_state(v1::ROADMAP_ITEM_STATE_IN_PROGRESS);
  progress.set_progress(80);
  ASSERT_THAT(stub_->RecordRoadmapProgress(Context().get(), progress, &item), IsOk());
  progress.set_state(v1::ROADMAP_ITEM_STATE_ABANDONED);
  ASSERT_THAT(stub_->RecordRoadmapProgress(Context().get(), progress, &item), IsOk());
  EXPECT_EQ(item.progress_history_size(), 5);
  EXPECT_EQ(item.progress_history(1).note(), "premier marché réservé");
  // GetRoadmapItem (one statement, history aggregated) reads what the write answered.
  v1::GetRoadmapItemRequest get_item;
  get_item.set_name(item.name());
  v1::RoadmapItem read_item;
  ASSERT_THAT(stub_->GetRoadmapItem(Context().get(), get_item, &read_item), IsOk());
  EXPECT_EQ(read_item.DebugString(), item.DebugString());
  progress.set_state(v1::ROADMAP_ITEM_STATE_UNSPECIFIED);
  EXPECT_EQ(Reason(stub_->RecordRoadmapProgress(Context().get(), progress, &item)),
            "ROADMAP_ITEM_ABANDONED");
  v1::UpdateRoadmapItemRequest update;
  update.mutable_roadmap_item()->set_name(item.name());
  update.mutable_roadmap_item()->set_axis("Commande publique");
  update.mutable_update_mask()->add_paths("axis");
  EXPECT_EQ(Reason(stub_->UpdateRoadmapItem(Context().get(), update, &item)),
            "ROADMAP_ITEM_ABANDONED");

  v1::ListRoadmapItemsRequest list;
  list.set_filter("action = \"actions/fa3\" AND state = ABANDONED");
  v1::ListRoadmapItemsResponse listed;
  ASSERT_THAT(stub_->ListRoadmapItems(Context().get(), list, &listed), IsOk());
  EXPECT_EQ(listed.roadmap_items_size(), 1);
}

// ---------------------------------------------------------------------------------------------
// Indicators, on a fixture computed by hand.

TEST_F(MeetingsServiceTest, IndicatorsOnAHandComputedFixture) {
  directory_.AddActor(1, {"culture"}, "21231");
  directory_.AddActor(2, {"culture"}, "21617");
  directory_.AddActor(3, {"iae"}, "21231");
  v1::Participant out;
  v1::Meeting m;
  auto check_in = [&](const std::string& name) {
    v1::CheckInRequest request;
    request.set_name(name);
    ASSERT_THAT(stub_->CheckIn(Context().get(), request, &out), IsOk());
  };
  auto hold_and_close = [&](const std::string& name) {
    ASSERT_THAT(MarkHeld(name, &m), IsOk());
    ASSERT_THAT(Close(name, "", &m), IsOk());
  };
  // M1, workshop, closed: actor 1 attended, actor 2 invited, an inhabitant walked in, a person
  // registered who did not come (NO_SHOW at closing).
  v1::Meeting m1 = Create(NewMeeting(-3 * kHour));
  v1::Participant a1;
  ASSERT_THAT(AddParticipant(m1.name(), ActorParticipant("actors/1"), &a1), IsOk());
  check_in(a1.name());
  ASSERT_THAT(AddParticipant(m1.name(), ActorParticipant("actors/2"), &out), IsOk());
  ASSERT_THAT(
      AddParticipant(m1.name(), Person("h@example.org", v1::PARTICIPANT_STATUS_ATTENDED), &out),
      IsOk());
  ASSERT_THAT(
      AddParticipant(m1.name(), Person("r@example.org", v1::PARTICIPANT_STATUS_REGISTERED), &out),
      IsOk());
  // Outputs of M1: a synthesis, an integrated proposal, a submitted one.
  v1::CreateOutputRequest output;
  output.set_parent(m1.name());
  output.mutable_output()->mutable_document()->set_kind(v1::DOCUMENT_KIND_SYNTHESIS);
  output.mutable_output()->mutable_document()->set_title("Synthèse");
  v1::Output o;
  ASSERT_THAT(stub_->CreateOutput(Context().get(), output, &o), IsOk());
  output.mutable_output()->mutable_proposal()->set_text("Proposition A");
  v1::Output integrated;
  ASSERT_THAT(stub_->CreateOutput(Context().get(), output, &integrated), IsOk());
  ASSERT_THAT(stub_->CreateOutput(Context().get(), output, &o), IsOk());
  hold_and_close(m1.name());

  // M2, elected officials' meeting, closed: actor 1 attended as an elected official, actor 3
  // excused.
  v1::Meeting m2_spec = NewMeeting(-5 * kHour);
  m2_spec.set_kind(v1::MEETING_KIND_ELECTED_OFFICIALS_MEETING);
  v1::Meeting m2 = Create(m2_spec);
  v1::Participant elected = ActorParticipant("actors/1");
  elected.set_role(v1::PARTICIPANT_ROLE_ELECTED_OFFICIAL);
  ASSERT_THAT(AddParticipant(m2.name(), elected, &out), IsOk());
  check_in(out.name());
  ASSERT_THAT(AddParticipant(m2.name(), ActorParticipant("actors/3"), &out), IsOk());
  ASSERT_THAT(SetStatus(out.name(), v1::PARTICIPANT_STATUS_EXCUSED, &out), IsOk());
  hold_and_close(m2.name());

  // M3 planned; M4 held but not closed (its attendance counts nowhere); M5 cancelled; M6 closed
  // but of another action.
  Create(NewMeeting(5 * 24 * kHour));
  v1::Meeting m4 = Create(NewMeeting(-2 * kHour));
  ASSERT_THAT(
      AddParticipant(m4.name(), Person("x@example.org", v1::PARTICIPANT_STATUS_ATTENDED), &out),
      IsOk());
  output.set_parent(m4.name());
  ASSERT_THAT(stub_->CreateOutput(Context().get(), output, &o), IsOk());
  ASSERT_THAT(MarkHeld(m4.name(), &m), IsOk());
  v1::Meeting m5 = Create(NewMeeting(6 * 24 * kHour));
  v1::CancelMeetingRequest cancel;
  cancel.set_name(m5.name());
  cancel.set_reason("reporté");
  ASSERT_THAT(stub_->CancelMeeting(Context().get(), cancel, &m), IsOk());
  v1::Meeting m6_spec = NewMeeting(-4 * kHour);
  m6_spec.set_action("actions/fa4");
  v1::Meeting m6 = Create(m6_spec);
  ASSERT_THAT(AddParticipant(m6.name(),
                             ActorParticipant("actors/2", v1::PARTICIPANT_STATUS_ATTENDED), &out),
              IsOk());
  hold_and_close(m6.name());

  // Roadmap of actions/fa3: 40 % in progress (with the integrated proposal), done, abandoned.
  v1::CreateRoadmapItemRequest item;
  item.mutable_roadmap_item()->set_action("actions/fa3");
  item.mutable_roadmap_item()->set_title("Item");
  v1::RoadmapItem a, b, c;
  ASSERT_THAT(stub_->CreateRoadmapItem(Context().get(), item, &a), IsOk());
  ASSERT_THAT(stub_->CreateRoadmapItem(Context().get(), item, &b), IsOk());
  ASSERT_THAT(stub_->CreateRoadmapItem(Context().get(), item, &c), IsOk());
  v1::RecordRoadmapProgressRequest progress;
  progress.set_name(a.name());
  progress.set_progress(40);
  ASSERT_THAT(stub_->RecordRoadmapProgress(Context().get(), progress, &a), IsOk());
  progress.set_name(b.name());
  progress.set_progress(100);
  progress.set_state(v1::ROADMAP_ITEM_STATE_DONE);
  ASSERT_THAT(stub_->RecordRoadmapProgress(Context().get(), progress, &b), IsOk());
  progress.set_name(c.name());
  progress.set_progress(10);
  progress.set_state(v1::ROADMAP_ITEM_STATE_ABANDONED);
  ASSERT_THAT(stub_->RecordRoadmapProgress(Context().get(), progress, &c), IsOk());
  for (auto state : {v1::PROPOSAL_STATE_UNDER_STUDY, v1::PROPOSAL_STATE_RETAINED,
                     v1::PROPOSAL_STATE_INTEGRATED}) {
    v1::TransitionProposalRequest move;
    move.set_name(integrated.name());
    move.set_state(state);
    if (state == v1::PROPOSAL_STATE_INTEGRATED) move.set_roadmap_item(a.name());
    ASSERT_THAT(stub_->TransitionProposal(Context().get(), move, &o), IsOk());
  }

  v1::GetIndicatorsRequest request;
  request.set_action("actions/fa3");
  v1::Indicators ind;
  ASSERT_THAT(stub_->GetIndicators(Context().get(), request, &ind), IsOk());
  EXPECT_EQ(ind.meetings_planned(), 1);
  EXPECT_EQ(ind.meetings_awaiting_closure(), 1);
  EXPECT_EQ(ind.meetings_held(), 2);
  EXPECT_EQ(ind.meetings_cancelled(), 1);
  EXPECT_EQ(ind.invitations(), 6);  // 4 in M1, 2 in M2
  EXPECT_EQ(ind.registered(), 4);   // 3 attended + 1 no-show
  EXPECT_EQ(ind.attended(), 3);
  EXPECT_EQ(ind.excused(), 1);
  EXPECT_EQ(ind.no_show(), 1);
  EXPECT_EQ(ind.participation_rate().numerator(), 3);
  EXPECT_EQ(ind.participation_rate().denominator(), 6);
  EXPECT_DOUBLE_EQ(ind.registered_participation_rate().value(), 0.75);
  EXPECT_EQ(ind.distinct_actors_mobilized(), 1);  // actors/1, twice
  EXPECT_EQ(ind.attendees_outside_directory(), 1);
  EXPECT_EQ(ind.directory_coverage().numerator(), 1);
  EXPECT_EQ(ind.directory_coverage().denominator(), 3);
  ASSERT_EQ(ind.coverage_by_network_category_size(), 3);  // tetes-de-reseau, culture, iae
  EXPECT_EQ(ind.coverage_by_network_category(1).group(), "culture");
  EXPECT_EQ(ind.coverage_by_network_category(1).mobilized_actors(), 1);
  EXPECT_EQ(ind.coverage_by_network_category(1).directory_actors(), 2);
  EXPECT_EQ(ind.coverage_by_network_category(2).mobilized_actors(), 0);
  ASSERT_EQ(ind.coverage_by_commune_size(), 3);
  EXPECT_EQ(ind.coverage_by_commune(0).group(), "21231");
  EXPECT_EQ(ind.coverage_by_commune(0).mobilized_actors(), 1);
  EXPECT_EQ(ind.coverage_by_commune(0).directory_actors(), 2);
  EXPECT_TRUE(ind.has_directory_data_time());
  EXPECT_EQ(ind.by_role(0).role(), v1::PARTICIPANT_ROLE_ELECTED_OFFICIAL);
  EXPECT_EQ(ind.by_role(0).attended(), 1);
  EXPECT_EQ(ind.by_role(0).distinct_actors_mobilized(), 1);
  EXPECT_EQ(ind.by_meeting_kind(2).kind(), v1::MEETING_KIND_ACTORS_WORKSHOP);
  EXPECT_EQ(ind.by_meeting_kind(2).invitations(), 4);
  EXPECT_EQ(ind.by_meeting_kind(2).attended(), 2);
  EXPECT_EQ(ind.documents_produced(), 1);
  EXPECT_EQ(ind.proposals_produced(), 2);  // M4's proposal is not of a held meeting
  EXPECT_EQ(ind.proposals_integrated(), 1);
  EXPECT_EQ(ind.roadmap_items(), 3);
  EXPECT_DOUBLE_EQ(ind.roadmap_mean_progress(), 70.0);  // (40 + 100) / 2

  // A period without meetings: zeros, but the roadmap is the action's as it stands.
  request.mutable_period_start()->set_year(2000);
  request.mutable_period_start()->set_month(1);
  request.mutable_period_start()->set_day(1);
  request.mutable_period_end()->set_year(2000);
  request.mutable_period_end()->set_month(12);
  request.mutable_period_end()->set_day(31);
  ASSERT_THAT(stub_->GetIndicators(Context().get(), request, &ind), IsOk());
  EXPECT_EQ(ind.meetings_held(), 0);
  EXPECT_EQ(ind.invitations(), 0);
  EXPECT_EQ(ind.roadmap_items(), 3);
  EXPECT_EQ(ind.period_end().year(), 2000);
  request.mutable_period_end()->set_year(1999);
  EXPECT_EQ(stub_->GetIndicators(Context().get(), request, &ind).error_code(),
            StatusCode::INVALID_ARGUMENT);

  // Directory down: every figure but coverage.
  request.clear_period_start();
  request.clear_period_end();
  peers_->Shutdown();
  ASSERT_THAT(stub_->GetIndicators(Context().get(), request, &ind), IsOk());
  EXPECT_EQ(ind.attended(), 3);
  EXPECT_FALSE(ind.has_directory_data_time());
  EXPECT_EQ(ind.coverage_by_commune_size(), 0);
}

// GetIndicators reads the attendance summaries of closed meetings; they must say what the
// participants say, after each close and after the change feed re-points actors.
TEST_F(MeetingsServiceTest, IndicatorSummariesAgreeWithTheParticipantRows) {
  for (int i = 1; i <= 3; ++i) directory_.AddActor(i, {"culture"}, "21231");
  auto compare = [&](const std::string& start, const std::string& end) {
    auto read = [&](auto reader) {
      return *pool_->ReadOnly<IndicatorInputs>(
          db::Deadline::max(), [&](pqxx::work& txn) -> absl::StatusOr<IndicatorInputs> {
            return reader(txn, "actions/fa3", start, end);
          });
    };
    IndicatorInputs summaries = read(&ReadIndicatorInputs);
    IndicatorInputs raw = read(&ReadIndicatorInputsFromParticipants);
    EXPECT_TRUE(summaries == raw) << "period [" << start << ", " << end << "]";
    EXPECT_EQ(ComputeIndicators(summaries, std::nullopt).DebugString(),
              ComputeIndicators(raw, std::nullopt).DebugString());
    return summaries;
  };
  v1::Participant out;
  v1::Meeting m;
  // M1: actor 1 attended, actor 2 invited, a person attended, a person registered (NO_SHOW
  // when closed), actor 3 excused.
  v1::Meeting m1 = Create(NewMeeting(-3 * kHour));
  ASSERT_THAT(AddParticipant(m1.name(),
                             ActorParticipant("actors/1", v1::PARTICIPANT_STATUS_ATTENDED), &out),
              IsOk());
  ASSERT_THAT(AddParticipant(m1.name(), ActorParticipant("actors/2"), &out), IsOk());
  ASSERT_THAT(
      AddParticipant(m1.name(), Person("a@example.org", v1::PARTICIPANT_STATUS_ATTENDED), &out),
      IsOk());
  ASSERT_THAT(
      AddParticipant(m1.name(), Person("b@example.org", v1::PARTICIPANT_STATUS_REGISTERED), &out),
      IsOk());
  ASSERT_THAT(AddParticipant(m1.name(), ActorParticipant("actors/3"), &out), IsOk());
  ASSERT_THAT(SetStatus(out.name(), v1::PARTICIPANT_STATUS_EXCUSED, &out), IsOk());
  // M2: actor 2 attended twice over (as an ESS actor and as an elected official), actor 1
  // attended as an elected official.
  v1::Meeting m2 = Create(NewMeeting(-2 * kHour));
  ASSERT_THAT(AddParticipant(m2.name(),
                             ActorParticipant("actors/2", v1::PARTICIPANT_STATUS_ATTENDED), &out),
              IsOk());
  for (const char* actor : {"actors/1", "actors/2"}) {
    v1::Participant elected = ActorParticipant(actor, v1::PARTICIPANT_STATUS_ATTENDED);
    elected.set_role(v1::PARTICIPANT_ROLE_ELECTED_OFFICIAL);
    elected.mutable_person()->set_display_name(absl::StrCat("Élu de ", actor));
    ASSERT_THAT(AddParticipant(m2.name(), elected, &out), IsOk());
  }

  EXPECT_EQ(compare("", "").participants.size(), 0u);  // nothing closed yet
  ASSERT_THAT(MarkHeld(m1.name(), &m), IsOk());
  ASSERT_THAT(Close(m1.name(), "", &m), IsOk());
  IndicatorInputs after_m1 = compare("", "");
  EXPECT_EQ(after_m1.attended_outside_directory, 1);
  EXPECT_EQ(after_m1.mobilized_actors, (std::set<std::string>{"actors/1"}));
  ASSERT_THAT(MarkHeld(m2.name(), &m), IsOk());
  ASSERT_THAT(Close(m2.name(), "", &m), IsOk());
  IndicatorInputs both = compare("", "");
  EXPECT_EQ(both.mobilized_actors, (std::set<std::string>{"actors/1", "actors/2"}));
  EXPECT_EQ(both.mobilized_actors_by_role[v1::PARTICIPANT_ROLE_ELECTED_OFFICIAL], 2);
  compare("2000-01-01", "2000-12-31");
  // Periods cut at the meetings' own local days (the per-day totals are keyed by them).
  auto paris_day = [&](const v1::Meeting& meeting, int shift) {
    return *pool_->ReadOnly<std::string>(
        db::Deadline::max(), [&](pqxx::work& txn) -> absl::StatusOr<std::string> {
          return txn
              .exec_params1(
                  "SELECT ((start_time AT TIME ZONE 'Europe/Paris')::date + $2::integer)::text "
                  "FROM meetings WHERE 'meetings/' || id = $1",
                  meeting.name(), shift)[0]
              .as<std::string>();
        });
  };
  EXPECT_TRUE(compare(paris_day(m1, 0), paris_day(m2, 0)) == both);
  EXPECT_TRUE(compare("", paris_day(m1, -1)).participants.empty());
  EXPECT_TRUE(compare(paris_day(m2, 1), "").mobilized_actors.empty());

  // The directory merges actor 1 into actor 2: the summaries of both closed meetings follow.
  directory::v1::Change merged;
  merged.set_kind(directory::v1::CHANGE_KIND_MERGED);
  merged.set_resource_type(directory::v1::CHANGED_RESOURCE_TYPE_ACTOR);
  merged.set_resource_name("actors/1");
  merged.set_merged_into("actors/2");
  directory_.AddChange(merged);
  DirectoryFeedFollower follower(*pool_, *directory_client_, std::chrono::milliseconds(50));
  ASSERT_THAT(follower.CatchUp(std::chrono::system_clock::now() + std::chrono::seconds(10)),
              IsOk());
  IndicatorInputs merged_inputs = compare("", "");
  EXPECT_EQ(merged_inputs.mobilized_actors, (std::set<std::string>{"actors/2"}));
  EXPECT_EQ(merged_inputs.mobilized_actors_by_role[v1::PARTICIPANT_ROLE_ELECTED_OFFICIAL], 1);
  EXPECT_TRUE(compare(paris_day(m1, 0), paris_day(m2, 0)) == merged_inputs);
  v1::GetIndicatorsRequest request;
  request.set_action("actions/fa3");
  v1::Indicators ind;
  ASSERT_THAT(stub_->GetIndicators(Context().get(), request, &ind), IsOk());
  EXPECT_EQ(ind.distinct_actors_mobilized(), 1);
  EXPECT_EQ(ind.attended(), 5);
  EXPECT_EQ(ind.invitations(), 8);
}

// ---------------------------------------------------------------------------------------------
// The network's own meeting kinds (MAILLAGE_MEETING_KINDS_FILE).

TEST_F(MeetingsServiceTest, KindsOfTheNetworksFileAreLabelledCheckedAndCounted) {
  const std::string file = ::testing::TempDir() + "/meeting_kinds.csv";
  std::ofstream(file) << "code,display_name,description\n"
                         "fete-du-port,Fête du port,Un stand ESS sur le port\n"
                         "cafe-ess,Café ESS,\n";
  absl::StatusOr<std::vector<csv::CodedEntry>> kinds = LoadMeetingKinds(file);
  ASSERT_THAT(kinds, IsOk());
  ASSERT_THAT(SyncMeetingKinds(*pool_, *kinds), IsOk());

  // Given by its code alone: kind OTHER, labelled from the file, read back the same.
  v1::Meeting spec = NewMeeting(-3 * kHour, "Fête du port");
  spec.clear_kind();
  spec.set_custom_kind("fete-du-port");
  v1::Meeting fete = Create(spec);
  EXPECT_EQ(fete.kind(), v1::MEETING_KIND_OTHER);
  EXPECT_EQ(fete.custom_kind(), "fete-du-port");
  EXPECT_EQ(fete.kind_label(), "Fête du port");
  v1::GetMeetingRequest get;
  get.set_name(fete.name());
  v1::Meeting read;
  ASSERT_THAT(stub_->GetMeeting(Context().get(), get, &read), IsOk());
  EXPECT_EQ(read.custom_kind(), "fete-du-port");
  EXPECT_EQ(read.kind_label(), "Fête du port");

  // A code the file does not list, or another kind than OTHER: INVALID_ARGUMENT on the field.
  v1::CreateMeetingRequest bad;
  *bad.mutable_meeting() = spec;
  bad.mutable_meeting()->set_custom_kind("regate");
  v1::Meeting out;
  grpc::Status status = stub_->CreateMeeting(Context().get(), bad, &out);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(status), std::set<std::string>{"meeting.custom_kind"});
  bad.mutable_meeting()->set_custom_kind("cafe-ess");
  bad.mutable_meeting()->set_kind(v1::MEETING_KIND_ACTORS_WORKSHOP);
  status = stub_->CreateMeeting(Context().get(), bad, &out);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(status), std::set<std::string>{"meeting.kind"});
  // An update to an unknown code is refused the same way.
  v1::UpdateMeetingRequest update;
  update.mutable_meeting()->set_name(fete.name());
  update.mutable_meeting()->set_custom_kind("regate");
  update.mutable_update_mask()->add_paths("custom_kind");
  status = stub_->UpdateMeeting(Context().get(), update, &out);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(status), std::set<std::string>{"meeting.custom_kind"});

  // Counted by kind: the fête held and closed with one attendee; a plain OTHER meeting planned.
  v1::Participant participant;
  ASSERT_THAT(AddParticipant(fete.name(), Person("f@example.org", v1::PARTICIPANT_STATUS_ATTENDED),
                             &participant),
              IsOk());
  ASSERT_THAT(MarkHeld(fete.name(), &out), IsOk());
  ASSERT_THAT(Close(fete.name(), "", &out), IsOk());
  v1::Meeting other_spec = NewMeeting(5 * 24 * kHour, "Autre");
  other_spec.set_kind(v1::MEETING_KIND_OTHER);
  Create(other_spec);
  v1::GetIndicatorsRequest request;
  request.set_action("actions/fa3");
  v1::Indicators ind;
  ASSERT_THAT(stub_->GetIndicators(Context().get(), request, &ind), IsOk());
  ASSERT_EQ(ind.by_meeting_kind_size(), 8 + 2);  // the MeetingKind values, then the file's
  const v1::MeetingKindBreakdown& other = ind.by_meeting_kind(7);
  EXPECT_EQ(other.kind(), v1::MEETING_KIND_OTHER);
  EXPECT_EQ(other.custom_kind(), "");
  EXPECT_EQ(other.meetings_planned(), 1);
  EXPECT_EQ(other.meetings_held(), 0);
  const v1::MeetingKindBreakdown& by_fete = ind.by_meeting_kind(8);
  EXPECT_EQ(by_fete.kind(), v1::MEETING_KIND_OTHER);
  EXPECT_EQ(by_fete.custom_kind(), "fete-du-port");
  EXPECT_EQ(by_fete.display_name(), "Fête du port");
  EXPECT_EQ(by_fete.meetings_held(), 1);
  EXPECT_EQ(by_fete.invitations(), 1);
  EXPECT_EQ(by_fete.attended(), 1);
  EXPECT_EQ(ind.by_meeting_kind(9).custom_kind(), "cafe-ess");
  EXPECT_EQ(ind.by_meeting_kind(9).display_name(), "Café ESS");
  EXPECT_EQ(ind.by_meeting_kind(9).meetings_planned(), 0);
  // The per-day totals and the participants rows agree on the custom kind.
  auto totals = pool_->ReadOnly<IndicatorInputs>(
      db::Deadline::max(), [&](pqxx::work& txn) -> absl::StatusOr<IndicatorInputs> {
        return ReadIndicatorInputs(txn, "actions/fa3", "", "");
      });
  auto rows = pool_->ReadOnly<IndicatorInputs>(
      db::Deadline::max(), [&](pqxx::work& txn) -> absl::StatusOr<IndicatorInputs> {
        return ReadIndicatorInputsFromParticipants(txn, "actions/fa3", "", "");
      });
  ASSERT_THAT(totals, IsOk());
  ASSERT_THAT(rows, IsOk());
  EXPECT_TRUE(*totals == *rows);

  // A kind dropped from the file while a meeting uses it is kept with its label; an unused one
  // goes.
  ASSERT_THAT(SyncMeetingKinds(*pool_, {}), IsOk());
  ASSERT_THAT(stub_->GetMeeting(Context().get(), get, &read), IsOk());
  EXPECT_EQ(read.kind_label(), "Fête du port");
  ASSERT_THAT(stub_->GetIndicators(Context().get(), request, &ind), IsOk());
  ASSERT_EQ(ind.by_meeting_kind_size(), 8 + 1);
  EXPECT_EQ(ind.by_meeting_kind(8).custom_kind(), "fete-du-port");
}

TEST_F(MeetingsServiceTest, BadKindsFileIsRefusedNamingFileLineAndField) {
  const std::string file = ::testing::TempDir() + "/bad_meeting_kinds.csv";
  std::ofstream(file) << "code,display_name,description\nfete-du-port,Fête du port,\n"
                         "Regate,Régate,\n";
  absl::Status status = LoadMeetingKinds(file).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(status.message())
                .find("MAILLAGE_MEETING_KINDS_FILE " + file + " line 3, field code"),
            std::string::npos)
      << status;
  EXPECT_EQ(LoadMeetingKinds(file + ".missing").status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<std::vector<csv::CodedEntry>> none = LoadMeetingKinds("");
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->empty());
}

// ---------------------------------------------------------------------------------------------
// Calendar.

TEST_F(MeetingsServiceTest, CalendarsCarryStableUidsAndGrowingSequences) {
  v1::Meeting first = Create(NewMeeting(2 * 24 * kHour, "Rencontre élus"));
  v1::Meeting second = Create(NewMeeting(4 * 24 * kHour, "Atelier"));
  v1::UpdateMeetingRequest update;
  update.mutable_meeting()->set_name(first.name());
  update.mutable_meeting()->set_title("Rencontre élus et techniciens");
  update.mutable_update_mask()->add_paths("title");
  v1::Meeting m;
  ASSERT_THAT(stub_->UpdateMeeting(Context().get(), update, &m), IsOk());
  v1::CancelMeetingRequest cancel;
  cancel.set_name(second.name());
  cancel.set_reason("reporté");
  ASSERT_THAT(stub_->CancelMeeting(Context().get(), cancel, &m), IsOk());

  v1::GetMeetingCalendarRequest one;
  one.set_name(first.name());
  google::api::HttpBody body;
  ASSERT_THAT(stub_->GetMeetingCalendar(Context().get(), one, &body), IsOk());
  EXPECT_EQ(body.content_type(), "text/calendar; charset=utf-8");
  icalcomponent* calendar = icalparser_parse_string(body.data().c_str());
  ASSERT_NE(calendar, nullptr);
  icalcomponent* event = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT);
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(icalcomponent_get_uid(event), first.calendar_uid());
  EXPECT_EQ(icalcomponent_get_sequence(event), 1);
  EXPECT_STREQ(icalcomponent_get_summary(event), "Rencontre élus et techniciens");
  icalcomponent_free(calendar);

  v1::GetActionCalendarRequest feed;
  feed.set_action("actions/fa3");
  ASSERT_THAT(stub_->GetActionCalendar(Context().get(), feed, &body), IsOk());
  calendar = icalparser_parse_string(body.data().c_str());
  ASSERT_NE(calendar, nullptr);
  EXPECT_EQ(icalcomponent_count_components(calendar, ICAL_VEVENT_COMPONENT), 2);
  event = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT);
  EXPECT_EQ(icalcomponent_get_uid(event), first.calendar_uid());
  event = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT);
  EXPECT_EQ(icalcomponent_get_uid(event), second.calendar_uid());
  EXPECT_EQ(icalcomponent_get_status(event), ICAL_STATUS_CANCELLED);
  EXPECT_EQ(icalcomponent_get_sequence(event), 1);
  icalcomponent_free(calendar);

  feed.set_action("actions/none");
  ASSERT_THAT(stub_->GetActionCalendar(Context().get(), feed, &body), IsOk());
  calendar = icalparser_parse_string(body.data().c_str());
  ASSERT_NE(calendar, nullptr);
  EXPECT_EQ(icalcomponent_count_components(calendar, ICAL_VEVENT_COMPONENT), 0);
  icalcomponent_free(calendar);
}

// ---------------------------------------------------------------------------------------------
// Directory change feed.

TEST_F(MeetingsServiceTest, ChangeFeedRepointsMergedActorsAndAnonymisesErasedPersons) {
  directory_.AddActor(5, {"culture"}, "21231");
  directory_.AddActor(6, {"culture"}, "21231");
  std::string contact = directory_.AddContact("actors/6", 1);
  v1::Meeting meeting = Create(NewMeeting(-kHour));
  v1::Participant p5, p6, pc;
  ASSERT_THAT(AddParticipant(meeting.name(),
                             ActorParticipant("actors/5", v1::PARTICIPANT_STATUS_ATTENDED), &p5),
              IsOk());
  ASSERT_THAT(AddParticipant(meeting.name(),
                             ActorParticipant("actors/6", v1::PARTICIPANT_STATUS_ATTENDED), &p6),
              IsOk());
  v1::Participant by_contact;
  by_contact.set_contact(contact);
  by_contact.set_role(v1::PARTICIPANT_ROLE_ELECTED_OFFICIAL);
  by_contact.set_status(v1::PARTICIPANT_STATUS_ATTENDED);
  ASSERT_THAT(AddParticipant(meeting.name(), by_contact, &pc), IsOk());
  v1::Meeting m;
  ASSERT_THAT(MarkHeld(meeting.name(), &m), IsOk());
  ASSERT_THAT(Close(meeting.name(), "", &m), IsOk());
  EXPECT_EQ(m.attendance().distinct_actors_attended(), 2);

  directory::v1::Change merged;
  merged.set_kind(directory::v1::CHANGE_KIND_MERGED);
  merged.set_resource_type(directory::v1::CHANGED_RESOURCE_TYPE_ACTOR);
  merged.set_resource_name("actors/5");
  merged.set_merged_into("actors/6");
  directory_.AddChange(merged);
  directory::v1::Change erased;
  erased.set_kind(directory::v1::CHANGE_KIND_ERASED);
  erased.set_resource_type(directory::v1::CHANGED_RESOURCE_TYPE_CONTACT);
  erased.set_resource_name(contact);
  directory_.AddChange(erased);

  DirectoryFeedFollower follower(*pool_, *directory_client_, std::chrono::milliseconds(50));
  auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(10);
  absl::StatusOr<int> read = follower.CatchUp(deadline);
  ASSERT_THAT(read, IsOk()) << read.status();
  EXPECT_EQ(*read, 2);

  v1::GetParticipantRequest get;
  v1::Participant out;
  get.set_name(p5.name());
  ASSERT_THAT(stub_->GetParticipant(Context().get(), get, &out), IsOk());
  EXPECT_EQ(out.actor(), "actors/6");
  get.set_name(pc.name());
  ASSERT_THAT(stub_->GetParticipant(Context().get(), get, &out), IsOk());
  EXPECT_TRUE(out.anonymized());
  EXPECT_EQ(out.contact(), "");
  EXPECT_EQ(out.status(), v1::PARTICIPANT_STATUS_ATTENDED);

  v1::GetMeetingRequest get_meeting;
  get_meeting.set_name(meeting.name());
  ASSERT_THAT(stub_->GetMeeting(Context().get(), get_meeting, &m), IsOk());
  EXPECT_EQ(m.attendance().attended(), 3);
  EXPECT_EQ(m.attendance().distinct_actors_attended(), 1);  // merged actors count once

  // The cursor is stored: nothing is read twice; the background thread follows new changes.
  EXPECT_EQ(*follower.CatchUp(deadline), 0);
  directory::v1::Change erased_again = erased;
  directory_.AddChange(erased_again);
  follower.Start();
  for (int i = 0; i < 100; ++i) {
    auto cursor = pool_->ReadOnly<std::string>(
        db::Deadline::max(), [](pqxx::work& txn) -> absl::StatusOr<std::string> {
          return txn.exec("SELECT cursor FROM directory_feed")[0][0].as<std::string>();
        });
    if (cursor.ok() && *cursor == "3") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  follower.Stop();
  EXPECT_EQ(*follower.CatchUp(deadline), 0);
}

// ---------------------------------------------------------------------------------------------
// The update conventions (common/api/update_mask.h, etag.h), as every service applies them.

TEST_F(MeetingsServiceTest, UpdateConventionsEmptyMaskWritesOnlyWhatTheRequestSets) {
  v1::Meeting meeting = NewMeeting(5 * 24 * kHour);
  meeting.set_agenda("Ordre du jour");
  v1::Meeting created = Create(meeting);
  v1::UpdateMeetingRequest request;
  request.mutable_meeting()->set_name(created.name());
  request.mutable_meeting()->set_capacity(30);
  v1::Meeting updated;
  ASSERT_THAT(stub_->UpdateMeeting(Context().get(), request, &updated), IsOk());
  EXPECT_EQ(updated.capacity(), 30);
  EXPECT_EQ(updated.title(), created.title());
  EXPECT_EQ(updated.agenda(), "Ordre du jour");
  EXPECT_EQ(updated.place().venue(), created.place().venue());

  // Roadmap items used to take an empty mask as "everything".
  v1::CreateRoadmapItemRequest create;
  create.mutable_roadmap_item()->set_action("actions/fa3");
  create.mutable_roadmap_item()->set_title("Achats responsables");
  create.mutable_roadmap_item()->set_description("Clauses sociales");
  v1::RoadmapItem item;
  ASSERT_THAT(stub_->CreateRoadmapItem(Context().get(), create, &item), IsOk());
  v1::UpdateRoadmapItemRequest update;
  update.mutable_roadmap_item()->set_name(item.name());
  update.mutable_roadmap_item()->set_axis("Commande publique");
  ASSERT_THAT(stub_->UpdateRoadmapItem(Context().get(), update, &item), IsOk());
  EXPECT_EQ(item.axis(), "Commande publique");
  EXPECT_EQ(item.title(), "Achats responsables");
  EXPECT_EQ(item.description(), "Clauses sociales");
  EXPECT_EQ(item.action(), "actions/fa3");
}

TEST_F(MeetingsServiceTest, UpdateConventionsStarReplacesEveryWritableField) {
  v1::Meeting meeting = NewMeeting(5 * 24 * kHour);
  meeting.set_agenda("Ordre du jour");
  v1::Meeting created = Create(meeting);
  v1::UpdateMeetingRequest request;
  *request.mutable_meeting() = NewMeeting(6 * 24 * kHour, "Atelier remplacé");
  request.mutable_meeting()->set_name(created.name());
  request.mutable_update_mask()->add_paths("*");
  v1::Meeting updated;
  ASSERT_THAT(stub_->UpdateMeeting(Context().get(), request, &updated), IsOk());
  EXPECT_EQ(updated.title(), "Atelier remplacé");
  EXPECT_EQ(updated.agenda(), "");
  EXPECT_EQ(updated.state(), created.state());
}

TEST_F(MeetingsServiceTest, UpdateConventionsOutputOnlyIgnoredImmutableRefused) {
  v1::CreateRoadmapItemRequest create;
  create.mutable_roadmap_item()->set_action("actions/fa3");
  create.mutable_roadmap_item()->set_title("Achats responsables");
  v1::RoadmapItem item;
  ASSERT_THAT(stub_->CreateRoadmapItem(Context().get(), create, &item), IsOk());
  v1::UpdateRoadmapItemRequest update;
  update.mutable_roadmap_item()->set_name(item.name());
  update.mutable_roadmap_item()->set_progress(80);
  update.mutable_roadmap_item()->set_axis("Commande publique");
  update.mutable_update_mask()->add_paths("progress");
  update.mutable_update_mask()->add_paths("axis");
  ASSERT_THAT(stub_->UpdateRoadmapItem(Context().get(), update, &item), IsOk());
  EXPECT_EQ(item.progress(), 0);
  EXPECT_EQ(item.axis(), "Commande publique");

  v1::Meeting meeting = Create(NewMeeting(5 * 24 * kHour));
  v1::Participant participant;
  ASSERT_THAT(
      AddParticipant(meeting.name(), Person("habitant@example.org", v1::PARTICIPANT_STATUS_INVITED),
                     &participant),
      IsOk());
  v1::UpdateParticipantRequest request;
  request.mutable_participant()->set_name(participant.name());
  for (const char* path : {"actor", "status"}) {
    request.mutable_update_mask()->Clear();
    request.mutable_update_mask()->add_paths("role");
    request.mutable_update_mask()->add_paths(path);
    v1::Participant out;
    EXPECT_TRUE(maillage::testing::IsRefusedMaskPath(
        stub_->UpdateParticipant(Context().get(), request, &out), path));
  }
}

TEST_F(MeetingsServiceTest, UpdateConventionsStaleEtagNamesRequestedAndCurrent) {
  v1::Meeting created = Create(NewMeeting(5 * 24 * kHour));
  v1::UpdateMeetingRequest request;
  request.mutable_meeting()->set_name(created.name());
  request.mutable_meeting()->set_title("Atelier mobilité");
  request.mutable_meeting()->set_etag(created.etag());
  v1::Meeting updated;
  ASSERT_THAT(stub_->UpdateMeeting(Context().get(), request, &updated), IsOk());
  EXPECT_TRUE(maillage::testing::IsStaleEtagError(
      stub_->UpdateMeeting(Context().get(), request, &updated), created.etag(), updated.etag()));
}

TEST_F(MeetingsServiceTest, AnonymizeParticipantForgetsTheIdempotencyRecordOfItsCreate) {
  v1::Meeting meeting = Create(NewMeeting(kHour));
  v1::CreateParticipantRequest request;
  request.set_parent(meeting.name());
  request.set_request_id("8d2e3f4a-5b6c-4d7e-9f0a-1b2c3d4e5f60");
  *request.mutable_participant() =
      Person("camille.quenouille@example.org", v1::PARTICIPANT_STATUS_INVITED);
  v1::Participant created;
  ASSERT_THAT(stub_->CreateParticipant(Context().get(), request, &created), IsOk());
  EXPECT_EQ(maillage::testing::ColumnsHolding(database_->url(), "quenouille"),
            (std::vector<std::string>{"participants.person_display_name",
                                      "participants.person_email", "request_ids.response"}));
  v1::AnonymizeParticipantRequest anonymize;
  anonymize.set_name(created.name());
  v1::Participant out;
  ASSERT_THAT(stub_->AnonymizeParticipant(Context().get(), anonymize, &out), IsOk());
  EXPECT_TRUE(maillage::testing::ColumnsHolding(database_->url(), "quenouille").empty());
  EXPECT_THAT(stub_->CreateParticipant(Context().get(), request, &out),
              StatusIs(grpc::StatusCode::FAILED_PRECONDITION));
}

TEST_F(MeetingsServiceTest, ChangeFeedForgetsDeletedContactsAsErasedOnes) {
  directory_.AddActor(6, {"culture"}, "21231");
  std::string contact = directory_.AddContact("actors/6", 2);
  v1::Meeting meeting = Create(NewMeeting(kHour));
  v1::CreateParticipantRequest request;
  request.set_parent(meeting.name());
  request.set_request_id("7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f");
  v1::Participant& p = *request.mutable_participant();
  p.set_contact(contact);
  p.set_role(v1::PARTICIPANT_ROLE_ESS_ACTOR);
  v1::Participant created;
  ASSERT_THAT(stub_->CreateParticipant(Context().get(), request, &created), IsOk());
  EXPECT_EQ(maillage::testing::ColumnsHolding(database_->url(), contact),
            (std::vector<std::string>{"participants.contact", "request_ids.response"}));

  directory::v1::Change deleted;
  deleted.set_kind(directory::v1::CHANGE_KIND_DELETED);
  deleted.set_resource_type(directory::v1::CHANGED_RESOURCE_TYPE_CONTACT);
  deleted.set_resource_name(contact);
  directory_.AddChange(deleted);
  DirectoryFeedFollower follower(*pool_, *directory_client_, std::chrono::milliseconds(50));
  ASSERT_THAT(follower.CatchUp(std::chrono::system_clock::now() + std::chrono::seconds(10)),
              IsOk());

  v1::GetParticipantRequest get;
  get.set_name(created.name());
  v1::Participant out;
  ASSERT_THAT(stub_->GetParticipant(Context().get(), get, &out), IsOk());
  EXPECT_TRUE(out.anonymized());
  EXPECT_EQ(out.contact(), "");
  EXPECT_TRUE(maillage::testing::ColumnsHolding(database_->url(), contact).empty());
  // The create's replay does not answer the forgotten participant.
  EXPECT_THAT(stub_->CreateParticipant(Context().get(), request, &out),
              StatusIs(grpc::StatusCode::FAILED_PRECONDITION));
}

// The writes answer without reading their row back (the answer is built from what was read
// under the lock and what the write returned, or comes from the write's own statement): each
// answer equals what a Get reads right after.
template <typename Message>
void ExpectAsRead(const Message& answered, const Message& read, const std::string& what) {
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(answered, read))
      << what << "\nanswered: " << answered.DebugString() << "\nread: " << read.DebugString();
}

TEST_F(MeetingsServiceTest, EveryWriteAnswersWhatAGetReadsNext) {
  auto read_meeting = [&](const std::string& name) {
    v1::GetMeetingRequest get;
    get.set_name(name);
    v1::Meeting out;
    EXPECT_THAT(stub_->GetMeeting(Context().get(), get, &out), IsOk());
    return out;
  };
  auto read_participant = [&](const std::string& name) {
    v1::GetParticipantRequest get;
    get.set_name(name);
    v1::Participant out;
    EXPECT_THAT(stub_->GetParticipant(Context().get(), get, &out), IsOk());
    return out;
  };
  auto read_output = [&](const std::string& name) {
    v1::GetOutputRequest get;
    get.set_name(name);
    v1::Output out;
    EXPECT_THAT(stub_->GetOutput(Context().get(), get, &out), IsOk());
    return out;
  };

  // A meeting of two seats, then its participants: two take the seats, two wait in line.
  v1::Meeting planned = NewMeeting(24 * kHour);
  planned.set_capacity(2);
  v1::Meeting meeting = Create(planned);
  ExpectAsRead(meeting, read_meeting(meeting.name()), "CreateMeeting");
  std::vector<v1::Participant> people;
  for (int i = 0; i < 4; ++i) {
    v1::Participant out;
    ASSERT_THAT(
        AddParticipant(
            meeting.name(),
            Person(absl::StrCat("p", i, "@example.org"), v1::PARTICIPANT_STATUS_REGISTERED), &out),
        IsOk());
    ExpectAsRead(out, read_participant(out.name()), absl::StrCat("CreateParticipant ", i));
    people.push_back(out);
  }
  EXPECT_EQ(people[2].status(), v1::PARTICIPANT_STATUS_WAITING_LIST);
  EXPECT_EQ(people[3].waiting_list_position(), 2);

  v1::UpdateParticipantRequest update_participant;
  update_participant.mutable_participant()->set_name(people[3].name());
  update_participant.mutable_participant()->set_role(v1::PARTICIPANT_ROLE_TECHNICIAN);
  update_participant.mutable_participant()->mutable_person()->set_display_name("Autre");
  update_participant.mutable_participant()->mutable_person()->set_email("autre@example.org");
  update_participant.mutable_update_mask()->add_paths("role");
  update_participant.mutable_update_mask()->add_paths("person");
  v1::Participant out;
  ASSERT_THAT(stub_->UpdateParticipant(Context().get(), update_participant, &out), IsOk());
  EXPECT_EQ(out.person().email(), "autre@example.org");
  ExpectAsRead(out, read_participant(out.name()), "UpdateParticipant");
  // A person equal to another participant's is refused, nothing written.
  update_participant.mutable_participant()->mutable_person()->set_email("p0@example.org");
  EXPECT_THAT(stub_->UpdateParticipant(Context().get(), update_participant, &out),
              StatusIs(StatusCode::ALREADY_EXISTS));
  EXPECT_EQ(read_participant(people[3].name()).person().email(), "autre@example.org");

  // A seat freed: the answer is the participant; the first in line is promoted.
  ASSERT_THAT(SetStatus(people[0].name(), v1::PARTICIPANT_STATUS_EXCUSED, &out), IsOk());
  ExpectAsRead(out, read_participant(out.name()), "SetParticipantStatus EXCUSED");
  EXPECT_EQ(read_participant(people[2].name()).status(), v1::PARTICIPANT_STATUS_REGISTERED);
  // Asking a seat when there is none: back in line, at its end.
  ASSERT_THAT(SetStatus(people[0].name(), v1::PARTICIPANT_STATUS_REGISTERED, &out), IsOk());
  EXPECT_EQ(out.status(), v1::PARTICIPANT_STATUS_WAITING_LIST);
  ExpectAsRead(out, read_participant(out.name()), "SetParticipantStatus WAITING_LIST");

  v1::AnonymizeParticipantRequest anonymize;
  anonymize.set_name(people[1].name());
  ASSERT_THAT(stub_->AnonymizeParticipant(Context().get(), anonymize, &out), IsOk());
  ExpectAsRead(out, read_participant(out.name()), "AnonymizeParticipant");

  v1::UpdateMeetingRequest update_meeting;
  update_meeting.mutable_meeting()->set_name(meeting.name());
  update_meeting.mutable_meeting()->set_agenda("Ordre du jour");
  update_meeting.mutable_meeting()->set_capacity(3);  // the first in line is promoted
  update_meeting.mutable_update_mask()->add_paths("agenda");
  update_meeting.mutable_update_mask()->add_paths("capacity");
  v1::Meeting updated;
  ASSERT_THAT(stub_->UpdateMeeting(Context().get(), update_meeting, &updated), IsOk());
  ExpectAsRead(updated, read_meeting(meeting.name()), "UpdateMeeting");
  EXPECT_EQ(updated.attendance().registered(), 3);

  // Outputs: a proposal written, changed, moved on.
  v1::CreateOutputRequest create_output;
  create_output.set_parent(meeting.name());
  create_output.mutable_output()->mutable_proposal()->set_title("Tiers-lieu");
  create_output.mutable_output()->mutable_proposal()->set_text("Créer un tiers-lieu");
  v1::Output output;
  ASSERT_THAT(stub_->CreateOutput(Context().get(), create_output, &output), IsOk());
  ExpectAsRead(output, read_output(output.name()), "CreateOutput");
  create_output.mutable_output()->mutable_document()->set_kind(v1::DOCUMENT_KIND_MINUTES);
  create_output.mutable_output()->mutable_document()->set_title("Compte rendu");
  create_output.mutable_output()->mutable_document()->set_uri("https://example.org/cr.pdf");
  v1::Output document;
  ASSERT_THAT(stub_->CreateOutput(Context().get(), create_output, &document), IsOk());
  ExpectAsRead(document, read_output(document.name()), "CreateOutput (document)");
  v1::UpdateOutputRequest update_output;
  update_output.mutable_output()->set_name(output.name());
  update_output.mutable_output()->mutable_proposal()->set_text("Ouvrir un tiers-lieu");
  update_output.mutable_update_mask()->add_paths("proposal.text");
  ASSERT_THAT(stub_->UpdateOutput(Context().get(), update_output, &output), IsOk());
  ExpectAsRead(output, read_output(output.name()), "UpdateOutput");
  v1::TransitionProposalRequest move;
  move.set_name(output.name());
  move.set_state(v1::PROPOSAL_STATE_UNDER_STUDY);
  move.set_note("à l'étude");
  ASSERT_THAT(stub_->TransitionProposal(Context().get(), move, &output), IsOk());
  ExpectAsRead(output, read_output(output.name()), "TransitionProposal");

  v1::CreateRoadmapItemRequest create_item;
  create_item.mutable_roadmap_item()->set_action("actions/fa3");
  create_item.mutable_roadmap_item()->set_title("Chantier");
  v1::RoadmapItem item;
  ASSERT_THAT(stub_->CreateRoadmapItem(Context().get(), create_item, &item), IsOk());
  v1::GetRoadmapItemRequest get_item;
  get_item.set_name(item.name());
  v1::RoadmapItem item_read;
  ASSERT_THAT(stub_->GetRoadmapItem(Context().get(), get_item, &item_read), IsOk());
  ExpectAsRead(item, item_read, "CreateRoadmapItem");

  // A meeting that started: held, then closed (the registered who did not come are NO_SHOW,
  // each with its history entry); another cancelled.
  v1::Meeting started = Create(NewMeeting(-kHour));
  std::vector<std::string> registered;
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT(
        AddParticipant(
            started.name(),
            Person(absl::StrCat("r", i, "@example.org"), v1::PARTICIPANT_STATUS_REGISTERED), &out),
        IsOk());
    registered.push_back(out.name());
  }
  v1::Meeting held;
  ASSERT_THAT(MarkHeld(started.name(), &held), IsOk());
  ExpectAsRead(held, read_meeting(started.name()), "MarkMeetingHeld");
  v1::Meeting closed;
  ASSERT_THAT(Close(started.name(), "Compte rendu", &closed), IsOk());
  ExpectAsRead(closed, read_meeting(started.name()), "CloseMeeting");
  EXPECT_EQ(closed.attendance().no_show(), 3);
  for (const std::string& name : registered) {
    v1::Participant p = read_participant(name);
    EXPECT_EQ(p.status(), v1::PARTICIPANT_STATUS_NO_SHOW);
    ASSERT_EQ(p.status_history_size(), 2);
    EXPECT_EQ(p.status_history(1).changed_by(), "system");
    EXPECT_EQ(p.status_history(1).note(), "meeting closed");
    EXPECT_EQ(p.etag(), "2");
  }
  v1::CancelMeetingRequest cancel;
  cancel.set_name(Create(NewMeeting(48 * kHour)).name());
  cancel.set_reason("Salle indisponible");
  v1::Meeting cancelled;
  ASSERT_THAT(stub_->CancelMeeting(Context().get(), cancel, &cancelled), IsOk());
  ExpectAsRead(cancelled, read_meeting(cancel.name()), "CancelMeeting");
}

// DeleteParticipant deletes first and checks after (one statement fewer): a refusal rolls the
// delete back.
TEST_F(MeetingsServiceTest, ARefusedParticipantDeleteDeletesNothing) {
  v1::Meeting meeting = Create(NewMeeting(24 * kHour));
  v1::Participant out;
  ASSERT_THAT(
      AddParticipant(meeting.name(), Person("a@example.org", v1::PARTICIPANT_STATUS_INVITED), &out),
      IsOk());
  v1::DeleteParticipantRequest remove;
  remove.set_name(out.name());
  remove.set_etag("99");
  google::protobuf::Empty empty;
  EXPECT_THAT(stub_->DeleteParticipant(Context().get(), remove, &empty),
              StatusIs(StatusCode::ABORTED));
  EXPECT_EQ(CountRows("participants"), 1);
  v1::CancelMeetingRequest cancel;
  cancel.set_name(meeting.name());
  cancel.set_reason("Annulée");
  v1::Meeting cancelled;
  ASSERT_THAT(stub_->CancelMeeting(Context().get(), cancel, &cancelled), IsOk());
  remove.clear_etag();
  EXPECT_THAT(stub_->DeleteParticipant(Context().get(), remove, &empty),
              StatusIs(StatusCode::FAILED_PRECONDITION));
  EXPECT_EQ(CountRows("participants"), 1);
  EXPECT_EQ(CountRows("participant_status_changes"), 1);
  remove.set_name(absl::StrCat(meeting.name(), "/participants/999999"));
  EXPECT_THAT(stub_->DeleteParticipant(Context().get(), remove, &empty),
              StatusIs(StatusCode::NOT_FOUND));
}

// The references found are kept a while (no call to the budget service or the directory at
// each write); a refusal is not kept; a write that cannot change them asks nothing.
TEST_F(MeetingsServiceTest, ReferencesFoundAreKeptAWhileRefusalsAreNot) {
  const int actions_before = budget_.get_action_calls();
  const int communes_before = directory_.list_communes_calls();
  v1::Meeting first = Create(NewMeeting(24 * kHour));
  Create(NewMeeting(48 * kHour));
  EXPECT_EQ(budget_.get_action_calls(), actions_before + 1);
  EXPECT_EQ(directory_.list_communes_calls(), communes_before + 1);

  v1::Meeting unknown = NewMeeting(24 * kHour);
  unknown.set_action("actions/fa9");
  v1::CreateMeetingRequest request;
  *request.mutable_meeting() = unknown;
  v1::Meeting out;
  grpc::Status refused = stub_->CreateMeeting(Context().get(), request, &out);
  EXPECT_EQ(Reason(refused), "ACTION_NOT_FOUND");
  budget_.AddAction("actions/fa9");  // created meanwhile: known at once
  EXPECT_THAT(stub_->CreateMeeting(Context().get(), request, &out), IsOk());

  const int actions_now = budget_.get_action_calls();
  v1::UpdateMeetingRequest update;
  update.mutable_meeting()->set_name(first.name());
  update.mutable_meeting()->set_title("Atelier renommé");
  update.mutable_update_mask()->add_paths("title");
  ASSERT_THAT(stub_->UpdateMeeting(Context().get(), update, &out), IsOk());
  EXPECT_EQ(budget_.get_action_calls(), actions_now);
  EXPECT_EQ(directory_.list_communes_calls(), communes_before + 1);

  // A proposal's text changed: its authors are not asked again; new authors are.
  directory_.AddActor(4, {"iae"}, "21231");
  v1::CreateOutputRequest create_output;
  create_output.set_parent(first.name());
  create_output.mutable_output()->mutable_proposal()->set_title("Tiers-lieu");
  create_output.mutable_output()->mutable_proposal()->set_text("Créer un tiers-lieu");
  create_output.mutable_output()->mutable_proposal()->add_authors("actors/4");
  v1::Output output;
  ASSERT_THAT(stub_->CreateOutput(Context().get(), create_output, &output), IsOk());
  const int batches = directory_.batch_get_actors_calls();
  v1::UpdateOutputRequest update_output;
  update_output.mutable_output()->set_name(output.name());
  update_output.mutable_output()->mutable_proposal()->set_text("Ouvrir un tiers-lieu");
  update_output.mutable_update_mask()->add_paths("proposal.text");
  ASSERT_THAT(stub_->UpdateOutput(Context().get(), update_output, &output), IsOk());
  EXPECT_EQ(directory_.batch_get_actors_calls(), batches);
  update_output.mutable_output()->mutable_proposal()->add_authors("actors/5");
  update_output.mutable_update_mask()->add_paths("proposal.authors");
  EXPECT_EQ(Reason(stub_->UpdateOutput(Context().get(), update_output, &output)),
            "ACTOR_NOT_FOUND");
  EXPECT_GT(directory_.batch_get_actors_calls(), batches);
}

// The duplicate lookup of the participant writes (participant_duplicate(), migrations/0007)
// probes its identity's index even with a plan made when the meeting was small: PL/pgSQL keeps
// the plan per connection, and a plan made on 20 rows scans the table (cheaper at 20 rows), so
// it would read every page of the 3,000 rows added afterwards at each later call.
TEST_F(MeetingsServiceTest, DuplicateLookupProbesItsIndexWhateverTheStatistics) {
  v1::Meeting meeting = Create(NewMeeting(24 * kHour));
  const int64_t id = std::stoll(meeting.name().substr(std::string("meetings/").size()));
  db::PoolOptions options;
  options.url = database_->url();
  options.size = 1;  // one connection: the plan made first is the one used last
  db::Pool pool(options);
  auto add_people = [&](int first, int count) {
    ASSERT_THAT(pool.Transact(db::Deadline::max(),
                              [&](pqxx::work& txn) {
                                txn.exec_params(
                                    "INSERT INTO participants (meeting_id, person_display_name, "
                                    "person_email, role, status) SELECT $1, 'Habitant ' || g, "
                                    "'habitant' || g || '@example.org', "
                                    "'PARTICIPANT_ROLE_INHABITANT', 'PARTICIPANT_STATUS_INVITED' "
                                    "FROM generate_series($2::int, $3::int) g",
                                    id, first, first + count - 1);
                                return absl::OkStatus();
                              }),
                IsOk());
  };
  auto lookup = [&](const std::string& sql) {
    absl::StatusOr<std::string> text = pool.Transact<std::string>(
        db::Deadline::max(), [&](pqxx::work& txn) -> absl::StatusOr<std::string> {
          std::string plan;
          for (const pqxx::row& row : txn.exec_params(sql, id)) {
            absl::StrAppend(&plan, row[0].as<std::string>(), "\n");
          }
          return plan;
        });
    EXPECT_THAT(text.status(), IsOk());
    return text.value_or("");
  };
  const std::string kLookup =
      "SELECT COALESCE(participant_duplicate($1, '', 'HABITANT7@example.org', '', 0)::text, "
      "'none')";
  add_people(1, 20);
  ASSERT_THAT(pool.Transact(db::Deadline::max(),
                            [&](pqxx::work& txn) {
                              txn.exec("ANALYZE participants");
                              return absl::OkStatus();
                            }),
              IsOk());
  for (int i = 0; i < 8; ++i) lookup(kLookup);  // custom plans, then the kept one
  add_people(21, 3000);
  EXPECT_NE(lookup(kLookup), "none\n");  // habitant7, whatever the case of the e-mail
  std::string plan = lookup(absl::StrCat("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ", kLookup));
  std::smatch hits;
  ASSERT_TRUE(std::regex_search(plan, hits, std::regex("shared hit=([0-9]+)"))) << plan;
  EXPECT_LT(std::stoi(hits[1]), 20) << plan;  // a scan reads every page of the 3,020 rows
}

}  // namespace
}  // namespace maillage::meetings
