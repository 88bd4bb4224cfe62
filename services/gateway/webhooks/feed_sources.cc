// The services' change feeds as FeedSources (feed_source.h).
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/auth/caller.h"
#include "common/status/grpc_status.h"
#include "google/protobuf/util/json_util.h"
#include "maillage/budget/v1/budget_service.grpc.pb.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"
#include "maillage/meetings/v1/meetings_service.grpc.pb.h"
#include "services/gateway/webhooks/feed_source.h"

namespace maillage::gateway {
namespace {

namespace dv1 = ::maillage::directory::v1;

constexpr const char* kResources[] = {"actor", "contact", "relationship"};
constexpr const char* kKinds[] = {"created", "updated", "archived", "unarchived",
                                  "merged",  "deleted", "erased"};

// "CHANGE_KIND_UPDATED" → "updated"; "CHANGED_RESOURCE_TYPE_ACTOR" → "actor".
std::string Lower(absl::string_view name, absl::string_view prefix) {
  return absl::AsciiStrToLower(absl::StripPrefix(name, prefix));
}

class DirectoryFeed final : public FeedSource {
 public:
  explicit DirectoryFeed(std::shared_ptr<grpc::Channel> channel)
      : stub_(dv1::DirectoryService::NewStub(std::move(channel))) {
    for (const char* resource : kResources) {
      for (const char* kind : kKinds) types_.push_back(absl::StrCat(resource, ".", kind));
    }
  }

  std::string name() const override { return "directory"; }
  std::string method() const override {
    return "/maillage.directory.v1.DirectoryService/ListChanges";
  }
  const std::vector<std::string>& event_types() const override { return types_; }

  absl::StatusOr<FeedPage> Read(const std::string& cursor, auth::Role role,
                                std::chrono::system_clock::time_point deadline) override {
    auth::CallerScope as(auth::ServicePrincipal("gateway-webhooks", role));
    grpc::ClientContext context;
    context.set_deadline(deadline);
    dv1::ListChangesRequest request;
    request.set_since(cursor);
    request.set_page_size(500);
    dv1::ListChangesResponse response;
    grpc::Status status = stub_->ListChanges(&context, request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    FeedPage page;
    page.next_cursor = response.next_cursor();
    page.caught_up = response.caught_up();
    google::protobuf::util::JsonPrintOptions json;
    json.always_print_primitive_fields = true;
    for (const dv1::Change& change : response.changes()) {
      FeedEvent event;
      event.sequence = change.sequence();
      event.event_type = absl::StrCat(
          Lower(dv1::ChangedResourceType_Name(change.resource_type()), "CHANGED_RESOURCE_TYPE_"),
          ".", Lower(dv1::ChangeKind_Name(change.kind()), "CHANGE_KIND_"));
      event.resource_name = change.resource_name();
      event.commit_time = absl::FromUnixSeconds(change.commit_time().seconds()) +
                          absl::Nanoseconds(change.commit_time().nanos());
      std::string data;
      if (!google::protobuf::util::MessageToJsonString(change, &data, json).ok()) {
        data = "{}";
      }
      event.payload = EventBody(event.event_type, event.commit_time, data);
      page.events.push_back(std::move(event));
    }
    return page;
  }

 private:
  std::unique_ptr<dv1::DirectoryService::Stub> stub_;
  std::vector<std::string> types_;
};

// A feed of common/api/change_outbox.h: `Method` returns `Response` whose changes carry their
// own event_type, resource_name, commit_time and sequence.
template <typename Stub, typename Request, typename Response>
class OutboxFeed final : public FeedSource {
 public:
  using Call = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&, Response*);
  OutboxFeed(std::string name, std::string method, std::vector<std::string> types,
             std::unique_ptr<Stub> stub, Call call)
      : name_(std::move(name)),
        method_(std::move(method)),
        types_(std::move(types)),
        stub_(std::move(stub)),
        call_(call) {}

  std::string name() const override { return name_; }
  std::string method() const override { return method_; }
  const std::vector<std::string>& event_types() const override { return types_; }

  absl::StatusOr<FeedPage> Read(const std::string& cursor, auth::Role role,
                                std::chrono::system_clock::time_point deadline) override {
    auth::CallerScope as(auth::ServicePrincipal("gateway-webhooks", role));
    grpc::ClientContext context;
    context.set_deadline(deadline);
    Request request;
    request.set_since(cursor);
    request.set_page_size(500);
    Response response;
    grpc::Status status = ((*stub_).*call_)(&context, request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    FeedPage page;
    page.next_cursor = response.next_cursor();
    page.caught_up = response.caught_up();
    google::protobuf::util::JsonPrintOptions json;
    json.always_print_primitive_fields = true;
    for (const auto& change : response.changes()) {
      FeedEvent event;
      event.sequence = change.sequence();
      event.event_type = change.event_type();
      event.resource_name = change.resource_name();
      event.commit_time = absl::FromUnixSeconds(change.commit_time().seconds()) +
                          absl::Nanoseconds(change.commit_time().nanos());
      std::string data;
      if (!google::protobuf::util::MessageToJsonString(change, &data, json).ok()) data = "{}";
      event.payload = EventBody(event.event_type, event.commit_time, data);
      page.events.push_back(std::move(event));
    }
    return page;
  }

 private:
  std::string name_, method_;
  std::vector<std::string> types_;
  std::unique_ptr<Stub> stub_;
  Call call_;
};

}  // namespace

std::unique_ptr<FeedSource> MakeDirectoryFeed(std::shared_ptr<grpc::Channel> channel) {
  return std::make_unique<DirectoryFeed>(std::move(channel));
}

std::unique_ptr<FeedSource> MakeMeetingsFeed(std::shared_ptr<grpc::Channel> channel) {
  namespace mv1 = ::maillage::meetings::v1;
  using Stub = mv1::MeetingsService::Stub;
  return std::make_unique<
      OutboxFeed<Stub, mv1::ListMeetingChangesRequest, mv1::ListMeetingChangesResponse>>(
      "meetings", "/maillage.meetings.v1.MeetingsService/ListMeetingChanges",
      std::vector<std::string>{"meeting.planned", "meeting.closed", "meeting.cancelled",
                               "output.created"},
      mv1::MeetingsService::NewStub(std::move(channel)), &Stub::ListMeetingChanges);
}

std::unique_ptr<FeedSource> MakeBudgetFeed(std::shared_ptr<grpc::Channel> channel) {
  namespace bv1 = ::maillage::budget::v1;
  using Stub = bv1::BudgetService::Stub;
  return std::make_unique<
      OutboxFeed<Stub, bv1::ListBudgetChangesRequest, bv1::ListBudgetChangesResponse>>(
      "budget", "/maillage.budget.v1.BudgetService/ListBudgetChanges",
      std::vector<std::string>{"budget.submitted", "budget.approved"},
      bv1::BudgetService::NewStub(std::move(channel)), &Stub::ListBudgetChanges);
}

std::string EventBody(const std::string& event_type, absl::Time commit_time,
                      const std::string& data_json) {
  return absl::StrCat(R"({"type":")", event_type, R"(","timestamp":")",
                      absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", commit_time, absl::UTCTimeZone()),
                      R"(","data":)", data_json, "}");
}

}  // namespace maillage::gateway
