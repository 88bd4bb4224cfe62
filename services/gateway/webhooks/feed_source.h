// FeedSource: one service's transactional change feed, read by the webhook dispatcher as one
// audience (a role) at a time: the service itself applies its field rules to that role's
// principal (a PARTNER reading the directory's feed gets no contact snapshot), so an event
// never carries more than its subscriber's role may read through the API.
//
// The directory's feed: each change becomes one event
// "<resource>.<kind>" ("actor.updated", "contact.erased") whose JSON body is
//   {"type": "actor.updated", "timestamp": "<commit time, RFC 3339>", "data": <the Change>}
// with the Change in the proto3 JSON mapping (as GET /v1/changes shows it to that role).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/permissions.h"
#include "grpcpp/channel.h"
#include "services/gateway/webhooks/webhook_store.h"

namespace maillage::gateway {

struct FeedPage {
  std::vector<FeedEvent> events;
  std::string next_cursor;
  bool caught_up = true;
};

class FeedSource {
 public:
  virtual ~FeedSource() = default;
  // Short name kept with the cursors ("directory").
  virtual std::string name() const = 0;
  // The feed's gRPC method: a role may subscribe to this feed's events only if the permission
  // table lets it call this method.
  virtual std::string method() const = 0;
  // The event types this feed produces.
  virtual const std::vector<std::string>& event_types() const = 0;
  // The page after `cursor` ("" from the oldest kept) as `role` reads it. FAILED_PRECONDITION
  // when the cursor is too old for the feed (start again from "").
  virtual absl::StatusOr<FeedPage> Read(const std::string& cursor, auth::Role role,
                                        std::chrono::system_clock::time_point deadline) = 0;
};

// The directory's change feed (DirectoryService.ListChanges).
std::unique_ptr<FeedSource> MakeDirectoryFeed(std::shared_ptr<grpc::Channel> channel);
// The meetings' outbox (MeetingsService.ListMeetingChanges): meeting.planned, meeting.closed,
// meeting.cancelled, output.created; data is the MeetingChange with its Meeting or Output.
std::unique_ptr<FeedSource> MakeMeetingsFeed(std::shared_ptr<grpc::Channel> channel);
// The budget's outbox (BudgetService.ListBudgetChanges): budget.submitted, budget.approved;
// data is the BudgetChange with its Budget.
std::unique_ptr<FeedSource> MakeBudgetFeed(std::shared_ptr<grpc::Channel> channel);

// The JSON body of an event: {"type":..,"timestamp":..,"data":<data_json>}.
std::string EventBody(const std::string& event_type, absl::Time commit_time,
                      const std::string& data_json);

}  // namespace maillage::gateway
