// The meetings service's view of the services it refers to: the directory (actors, contacts,
// communes, network categories, change feed) and the budget service (actions), both over gRPC.
//
// Every call carries the caller's deadline and is retried (at most three attempts in all, short
// backoff, never past the deadline) only when the peer answers UNAVAILABLE. Errors come back
// in the meetings domain: an unknown reference -> FAILED_PRECONDITION (ACTOR_NOT_FOUND,
// CONTACT_NOT_FOUND, ACTION_NOT_FOUND); a peer that cannot be reached -> UNAVAILABLE
// (DIRECTORY_UNAVAILABLE, BUDGET_UNAVAILABLE); INVALID_ARGUMENT, FAILED_PRECONDITION and
// PERMISSION_DENIED (the caller's own refusal) passed on; anything else -> INTERNAL naming it.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "maillage/budget/v1/budget_service.grpc.pb.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"

namespace maillage::meetings {

using Deadline = std::chrono::system_clock::time_point;

// The budget service's actions, behind one small interface so that the meetings logic does not
// depend on how actions are checked.
class ActionRegistry {
 public:
  virtual ~ActionRegistry() = default;
  // OK when `action` ("actions/{id}") exists; FAILED_PRECONDITION ACTION_NOT_FOUND when the
  // budget service does not know it; UNAVAILABLE BUDGET_UNAVAILABLE when it cannot be reached.
  virtual absl::Status CheckAction(const std::string& action, Deadline deadline) = 0;

  // For a call made by a funder's key (auth::CurrentCaller() of role FUNDER): CheckAction in
  // the caller's name, so that the budget service, which knows who funds what, answers
  // PERMISSION_DENIED (ACTION_NOT_FUNDED) for an action the funder does not fund or that does
  // not exist. OK at once for every other caller.
  absl::Status CheckCallerFunds(const std::string& action, Deadline deadline);
};

// ActionRegistry backed by BudgetService.GetAction. An action found is taken as known for
// `known_for` without asking again (the writes that name one, CreateMeeting and
// CreateRoadmapItem, then call no other service), per caller role, and never for a FUNDER's call
// (its answer depends on who funds what): an action deleted meanwhile is accepted that long,
// as it would be by a write racing the deletion. A refusal or a failure is never kept.
class BudgetActionRegistry : public ActionRegistry {
 public:
  static constexpr std::chrono::seconds kKnownFor{30};
  explicit BudgetActionRegistry(std::shared_ptr<grpc::Channel> channel,
                                std::chrono::seconds known_for = kKnownFor);
  absl::Status CheckAction(const std::string& action, Deadline deadline) override;

 private:
  std::unique_ptr<budget::v1::BudgetService::Stub> stub_;
  const std::chrono::seconds known_for_;
  std::mutex mu_;
  std::map<std::string, std::chrono::steady_clock::time_point> found_;  // "role action" → when
};

// The directory, through DirectoryService.
class DirectoryClient {
 public:
  explicit DirectoryClient(std::shared_ptr<grpc::Channel> channel);

  // The actors named, in order (duplicates allowed). FAILED_PRECONDITION ACTOR_NOT_FOUND
  // (metadata "actor") for the first unknown one; UNAVAILABLE DIRECTORY_UNAVAILABLE.
  absl::StatusOr<std::vector<directory::v1::Actor>> GetActors(const std::vector<std::string>& names,
                                                              Deadline deadline);

  // The contact "actors/{a}/contacts/{c}". FAILED_PRECONDITION CONTACT_NOT_FOUND;
  // UNAVAILABLE DIRECTORY_UNAVAILABLE.
  absl::StatusOr<directory::v1::Contact> GetContact(const std::string& name, Deadline deadline);

  // Every actor matching `filter` (ListActors syntax), all pages. INVALID_ARGUMENT passed on
  // when the directory refuses the filter; UNAVAILABLE DIRECTORY_UNAVAILABLE.
  absl::StatusOr<std::vector<directory::v1::Actor>> ListActors(const std::string& filter,
                                                               Deadline deadline);

  // Every commune of the territory / every network category, in the directory's order.
  // UNAVAILABLE DIRECTORY_UNAVAILABLE. The communes (reference data of the territory, loaded by
  // the directory at its start) are kept kCommunesKeptFor once read, per caller role, so that
  // CreateMeeting and UpdateMeeting do not list them at every call; a failure is never kept.
  static constexpr std::chrono::seconds kCommunesKeptFor{300};
  absl::StatusOr<std::vector<directory::v1::Commune>> ListCommunes(Deadline deadline);
  absl::StatusOr<std::vector<directory::v1::NetworkCategory>> ListNetworkCategories(
      Deadline deadline);

  // One page of the change feed after `since`. FAILED_PRECONDITION (the directory's
  // CHANGE_CURSOR_EXPIRED) passed on; UNAVAILABLE DIRECTORY_UNAVAILABLE.
  absl::StatusOr<directory::v1::ListChangesResponse> ListChanges(const std::string& since,
                                                                 int page_size, Deadline deadline);

 private:
  std::unique_ptr<directory::v1::DirectoryService::Stub> stub_;
  struct KeptCommunes {
    std::chrono::steady_clock::time_point read;
    std::vector<directory::v1::Commune> communes;
  };
  std::mutex mu_;
  std::map<int, KeptCommunes> communes_;  // by caller role
};

}  // namespace maillage::meetings
