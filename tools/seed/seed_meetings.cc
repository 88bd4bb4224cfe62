// Seed data of the meetings service: the folder's programme (every meetings*.csv, in name order;
// Dijon's: meetings_2023.csv, February–December 2023) as PLANNED meetings of the seed action,
// found by the code of action.textproto through the budget service. No participant and no
// attendance are invented.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/csv/coded_list.h"
#include "common/server/client.h"
#include "maillage/budget/v1/budget_service.grpc.pb.h"
#include "maillage/meetings/v1/meetings_service.grpc.pb.h"
#include "tools/seed/seed.h"

namespace maillage::seed {
namespace {

std::chrono::system_clock::time_point Deadline() {
  return std::chrono::system_clock::now() + std::chrono::seconds(10);
}

absl::Status Failed(absl::string_view what, const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

// The name of the action whose code is `code`. NOT_FOUND when the budget service has none.
absl::StatusOr<std::string> SeedActionName(const SeedContext& context, const std::string& code) {
  auto budget = budget::v1::BudgetService::NewStub(context.budget);
  budget::v1::ListActionsRequest request;
  request.set_filter(absl::StrCat("code = \"", code, "\""));
  budget::v1::ListActionsResponse response;
  grpc::ClientContext call;
  server::PrepareClientContext(call, Deadline());
  grpc::Status status = budget->ListActions(&call, request, &response);
  if (!status.ok()) return Failed("listing the actions of the budget service", status);
  if (response.actions().empty()) {
    return absl::NotFoundError(
        absl::StrCat("the budget service has no action ", code, ": load the budget seed first"));
  }
  return response.actions(0).name();
}

absl::StatusOr<google::protobuf::Timestamp> ParseTime(const std::string& file, const SeedRow& row,
                                                      const std::string& column) {
  const std::string text = row[column];
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, " line ", row.line, ", field ", column, ": bad time '", text, "'"));
  }
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(time));
  return t;
}

// The meetings of one programme file; request ids "seed/meetings/<name without meetings_ and
// .csv>/<key>" ("seed/meetings/2023/atelier-acteurs-1").
absl::Status SeedProgramme(meetings::v1::MeetingsService::Stub& meetings, const std::string& action,
                           const std::string& data_dir, const std::string& file) {
  absl::StatusOr<std::vector<SeedRow>> rows = ReadSeedCsv(
      data_dir, file, {"key", "title", "kind", "format", "start", "end", "commune_insee_code"});
  if (!rows.ok()) return rows.status();
  absl::string_view programme = file;
  absl::ConsumeSuffix(&programme, ".csv");
  absl::ConsumePrefix(&programme, "meetings");
  absl::ConsumePrefix(&programme, "_");
  for (const SeedRow& row : *rows) {
    meetings::v1::CreateMeetingRequest request;
    meetings::v1::Meeting* meeting = request.mutable_meeting();
    meeting->set_title(row["title"]);
    meetings::v1::MeetingKind kind;
    meetings::v1::MeetingFormat format;
    if (meetings::v1::MeetingKind_Parse("MEETING_KIND_" + row["kind"], &kind)) {
      meeting->set_kind(kind);
    } else if (csv::IsListCode(row["kind"])) {
      // A kind of the network's own (lower case): the meetings service checks it against its
      // kinds file (MAILLAGE_MEETING_KINDS_FILE).
      meeting->set_kind(meetings::v1::MEETING_KIND_OTHER);
      meeting->set_custom_kind(row["kind"]);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(file, " line ", row.line,
                       ", field kind: neither a MeetingKind (ACTORS_WORKSHOP...) "
                       "nor a code of the network's kinds (lower case), '",
                       row["kind"], "'"));
    }
    if (!meetings::v1::MeetingFormat_Parse("MEETING_FORMAT_" + row["format"], &format)) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, " line ", row.line, ", field format: unknown format ", row["format"]));
    }
    meeting->set_format(format);
    meeting->set_action(action);
    absl::StatusOr<google::protobuf::Timestamp> start = ParseTime(file, row, "start");
    absl::StatusOr<google::protobuf::Timestamp> end = ParseTime(file, row, "end");
    if (!start.ok()) return start.status();
    if (!end.ok()) return end.status();
    *meeting->mutable_start_time() = *start;
    *meeting->mutable_end_time() = *end;
    meeting->mutable_place()->set_venue(row["venue"]);
    meeting->mutable_place()->set_address(row["address"]);
    meeting->mutable_place()->set_commune_insee_code(row["commune_insee_code"]);
    meeting->set_agenda(row["agenda"]);
    request.set_request_id(
        StableRequestId(absl::StrCat("seed/meetings/", programme, "/", row["key"])));

    meetings::v1::Meeting created;
    grpc::ClientContext call;
    server::PrepareClientContext(call, Deadline());
    grpc::Status status = meetings.CreateMeeting(&call, request, &created);
    if (!status.ok()) return Failed(absl::StrCat("creating meeting ", row["key"]), status);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SeedMeetings(const SeedContext& context) {
  auto meetings = meetings::v1::MeetingsService::NewStub(context.meetings);
  {
    meetings::v1::ListMeetingsRequest request;
    request.set_page_size(1);
    meetings::v1::ListMeetingsResponse response;
    grpc::ClientContext call;
    server::PrepareClientContext(call, Deadline());
    grpc::Status status = meetings->ListMeetings(&call, request, &response);
    if (!status.ok()) return Failed("listing meetings", status);
    if (!response.meetings().empty()) return absl::OkStatus();  // already loaded
  }
  absl::StatusOr<budget::v1::Action> seed_action = ReadSeedAction(context.data_dir);
  if (!seed_action.ok()) return seed_action.status();
  absl::StatusOr<std::string> action = SeedActionName(context, seed_action->code());
  if (!action.ok()) return action.status();

  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(context.data_dir, error)) {
    std::string name = entry.path().filename().string();
    if (absl::StartsWith(name, "meetings") && absl::EndsWith(name, ".csv")) files.push_back(name);
  }
  if (error) {
    return absl::NotFoundError(
        absl::StrCat("cannot list ", context.data_dir, ": ", error.message()));
  }
  std::sort(files.begin(), files.end());
  for (const std::string& file : files) {
    absl::Status status = SeedProgramme(*meetings, *action, context.data_dir, file);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace maillage::seed
