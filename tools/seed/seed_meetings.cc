// Seed data of the meetings service: the seed's 2023 programme (February–December, from
// meetings_2023.csv) as PLANNED meetings of the seed action, found by its code FA3 through the
// budget service. No participant and no attendance are invented.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/csv/csv_reader.h"
#include "common/server/client.h"
#include "maillage/budget/v1/budget_service.grpc.pb.h"
#include "maillage/meetings/v1/meetings_service.grpc.pb.h"
#include "tools/seed/seed.h"

namespace maillage::seed {
namespace {

constexpr char kActionCode[] = "FA3";
constexpr char kFile[] = "meetings_2023.csv";

std::chrono::system_clock::time_point Deadline() {
  return std::chrono::system_clock::now() + std::chrono::seconds(10);
}

absl::Status Failed(absl::string_view what, const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

// The name of the action whose code is FA3. NOT_FOUND when the budget service has none.
absl::StatusOr<std::string> SeedActionName(const SeedContext& context) {
  auto budget = budget::v1::BudgetService::NewStub(context.budget);
  budget::v1::ListActionsRequest request;
  request.set_filter(absl::StrCat("code = \"", kActionCode, "\""));
  budget::v1::ListActionsResponse response;
  grpc::ClientContext call;
  server::PrepareClientContext(call, Deadline());
  grpc::Status status = budget->ListActions(&call, request, &response);
  if (!status.ok()) return Failed("listing the actions of the budget service", status);
  if (response.actions().empty()) {
    return absl::NotFoundError(absl::StrCat("the budget service has no action ", kActionCode,
                                            ": load the budget seed first"));
  }
  return response.actions(0).name();
}

absl::StatusOr<google::protobuf::Timestamp> ParseTime(const std::string& text) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(kFile, ": bad time '", text, "'"));
  }
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(time));
  return t;
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
  absl::StatusOr<std::string> action = SeedActionName(context);
  if (!action.ok()) return action.status();

  std::ifstream file(absl::StrCat(context.data_dir, "/", kFile));
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", context.data_dir, "/", kFile));
  std::stringstream text;
  text << file.rdbuf();
  csv::CsvReader reader(',');
  reader.Feed(text.str());
  reader.Finish();
  std::vector<std::string> header;
  while (auto record = reader.Next()) {
    if (header.empty()) {
      header = record->fields;
      continue;
    }
    if (record->fields.size() != header.size()) {
      return absl::InvalidArgumentError(absl::StrCat(kFile, " line ", record->line, ": ",
                                                     record->fields.size(),
                                                     " fields, the header has ", header.size()));
    }
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size(); ++i) row[header[i]] = record->fields[i];

    meetings::v1::CreateMeetingRequest request;
    meetings::v1::Meeting* meeting = request.mutable_meeting();
    meeting->set_title(row["title"]);
    meetings::v1::MeetingKind kind;
    meetings::v1::MeetingFormat format;
    if (!meetings::v1::MeetingKind_Parse("MEETING_KIND_" + row["kind"], &kind) ||
        !meetings::v1::MeetingFormat_Parse("MEETING_FORMAT_" + row["format"], &format)) {
      return absl::InvalidArgumentError(
          absl::StrCat(kFile, " line ", record->line, ": unknown kind or format"));
    }
    meeting->set_kind(kind);
    meeting->set_format(format);
    meeting->set_action(*action);
    absl::StatusOr<google::protobuf::Timestamp> start = ParseTime(row["start"]);
    absl::StatusOr<google::protobuf::Timestamp> end = ParseTime(row["end"]);
    if (!start.ok()) return start.status();
    if (!end.ok()) return end.status();
    *meeting->mutable_start_time() = *start;
    *meeting->mutable_end_time() = *end;
    meeting->mutable_place()->set_venue(row["venue"]);
    meeting->mutable_place()->set_address(row["address"]);
    meeting->mutable_place()->set_commune_insee_code(row["commune_insee_code"]);
    meeting->set_agenda(row["agenda"]);
    request.set_request_id(StableRequestId(absl::StrCat("seed/meetings/2023/", row["key"])));

    meetings::v1::Meeting created;
    grpc::ClientContext call;
    server::PrepareClientContext(call, Deadline());
    grpc::Status status = meetings->CreateMeeting(&call, request, &created);
    if (!status.ok()) return Failed(absl::StrCat("creating meeting ", row["key"]), status);
  }
  return reader.status();
}

}  // namespace maillage::seed
