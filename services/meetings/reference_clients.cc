// gRPC clients of the directory and the budget service (see reference_clients.h).
#include "services/meetings/reference_clients.h"

#include <functional>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/auth/caller.h"
#include "common/server/client.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "services/meetings/meeting_rules.h"

namespace maillage::meetings {
namespace {

constexpr int kAttempts = 3;

// Runs `call` with a fresh context until it answers something else than UNAVAILABLE, at most
// kAttempts times, with 100 ms then 200 ms between attempts, never past `deadline`.
grpc::Status CallWithRetry(Deadline deadline,
                           const std::function<grpc::Status(grpc::ClientContext&)>& call) {
  std::chrono::milliseconds backoff(100);
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext context;
    server::PrepareClientContext(context, deadline);
    grpc::Status status = call(context);
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE || attempt == kAttempts ||
        std::chrono::system_clock::now() + backoff >= deadline) {
      return status;
    }
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
}

// A peer's failure in the meetings domain: UNAVAILABLE and DEADLINE_EXCEEDED as `unavailable`,
// INVALID_ARGUMENT and FAILED_PRECONDITION passed on, the rest INTERNAL.
absl::Status PeerError(const grpc::Status& status, absl::string_view peer,
                       absl::string_view unavailable) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Unavailable(kDomain, unavailable,
                         absl::StrCat("the ", peer, " cannot be reached (", status.error_message(),
                                      "); nothing was written, retry"),
                         {{"peer", std::string(peer)}});
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::PERMISSION_DENIED:  // the caller's principal travels with the call
      return FromGrpcStatus(status);
    default:
      return Internal(
          kDomain, "PEER_ERROR",
          absl::StrCat("the ", peer, " answered ", StatusCodeName(FromGrpcStatus(status).code()),
                       ": ", status.error_message()),
          {{"peer", std::string(peer)}});
  }
}

absl::Status DirectoryError(const grpc::Status& status) {
  return PeerError(status, "directory", "DIRECTORY_UNAVAILABLE");
}

}  // namespace

absl::Status ActionRegistry::CheckCallerFunds(const std::string& action, Deadline deadline) {
  const auth::Principal* caller = auth::CurrentCaller();
  if (caller == nullptr || caller->role != gateway::v1::ROLE_FUNDER) return absl::OkStatus();
  return CheckAction(action, deadline);
}

BudgetActionRegistry::BudgetActionRegistry(std::shared_ptr<grpc::Channel> channel,
                                           std::chrono::seconds known_for)
    : stub_(budget::v1::BudgetService::NewStub(std::move(channel))), known_for_(known_for) {}

absl::Status BudgetActionRegistry::CheckAction(const std::string& action, Deadline deadline) {
  const auth::Principal* caller = auth::CurrentCaller();
  const bool keep = caller == nullptr || caller->role != gateway::v1::ROLE_FUNDER;
  const std::string key = absl::StrCat(caller == nullptr ? 0 : caller->role, " ", action);
  if (keep) {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = found_.find(key);
    if (found != found_.end() && std::chrono::steady_clock::now() - found->second < known_for_) {
      return absl::OkStatus();
    }
  }
  budget::v1::GetActionRequest request;
  request.set_name(action);
  budget::v1::Action response;
  grpc::Status status = CallWithRetry(deadline, [&](grpc::ClientContext& context) {
    return stub_->GetAction(&context, request, &response);
  });
  if (status.ok()) {
    if (keep) {
      std::lock_guard<std::mutex> lock(mu_);
      if (found_.size() >= 10000) found_.clear();  // bounded: actions are few
      found_[key] = std::chrono::steady_clock::now();
    }
    return absl::OkStatus();
  }
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    return FailedPrecondition(kDomain, "ACTION_NOT_FOUND",
                              absl::StrCat("the budget service knows no action ", action),
                              {{"action", action}});
  }
  return PeerError(status, "budget service", "BUDGET_UNAVAILABLE");
}

DirectoryClient::DirectoryClient(std::shared_ptr<grpc::Channel> channel)
    : stub_(directory::v1::DirectoryService::NewStub(std::move(channel))) {}

absl::StatusOr<std::vector<directory::v1::Actor>> DirectoryClient::GetActors(
    const std::vector<std::string>& names, Deadline deadline) {
  std::vector<directory::v1::Actor> actors;
  constexpr size_t kBatch = 1000;
  for (size_t begin = 0; begin < names.size(); begin += kBatch) {
    directory::v1::BatchGetActorsRequest request;
    for (size_t i = begin; i < names.size() && i < begin + kBatch; ++i) {
      request.add_names(names[i]);
    }
    directory::v1::BatchGetActorsResponse response;
    grpc::Status status = CallWithRetry(deadline, [&](grpc::ClientContext& context) {
      return stub_->BatchGetActors(&context, request, &response);
    });
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
      // Name the first unknown actor: the directory's message says which, GetActor confirms.
      for (const std::string& name : request.names()) {
        directory::v1::GetActorRequest get;
        get.set_name(name);
        directory::v1::Actor actor;
        grpc::Status one = CallWithRetry(deadline, [&](grpc::ClientContext& context) {
          return stub_->GetActor(&context, get, &actor);
        });
        if (one.error_code() == grpc::StatusCode::NOT_FOUND) {
          return FailedPrecondition(kDomain, "ACTOR_NOT_FOUND",
                                    absl::StrCat("the directory knows no actor ", name),
                                    {{"actor", name}});
        }
        if (!one.ok()) return DirectoryError(one);
      }
      return FailedPrecondition(
          kDomain, "ACTOR_NOT_FOUND",
          absl::StrCat("the directory does not know an actor asked: ", status.error_message()));
    }
    if (!status.ok()) return DirectoryError(status);
    for (auto& actor : *response.mutable_actors()) actors.push_back(std::move(actor));
  }
  return actors;
}

absl::StatusOr<directory::v1::Contact> DirectoryClient::GetContact(const std::string& name,
                                                                   Deadline deadline) {
  directory::v1::GetContactRequest request;
  request.set_name(name);
  directory::v1::Contact contact;
  grpc::Status status = CallWithRetry(deadline, [&](grpc::ClientContext& context) {
    return stub_->GetContact(&context, request, &contact);
  });
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    return FailedPrecondition(kDomain, "CONTACT_NOT_FOUND",
                              absl::StrCat("the directory knows no contact ", name),
                              {{"contact", name}});
  }
  if (!status.ok()) return DirectoryError(status);
  return contact;
}

absl::StatusOr<std::vector<directory::v1::Actor>> DirectoryClient::ListActors(
    const std::string& filter, Deadline deadline) {
  std::vector<directory::v1::Actor> actors;
  directory::v1::ListActorsRequest request;
  request.set_filter(filter);
  request.set_page_size(1000);
  request.set_order_by("create_time");
  do {
    directory::v1::ListActorsResponse response;
    grpc::Status status = CallWithRetry(deadline, [&](grpc::ClientContext& context) {
      return stub_->ListActors(&context, request, &response);
    });
    if (!status.ok()) return DirectoryError(status);
    for (auto& actor : *response.mutable_actors()) actors.push_back(std::move(actor));
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return actors;
}

absl::StatusOr<std::vector<directory::v1::Commune>> DirectoryClient::ListCommunes(
    Deadline deadline) {
  const auth::Principal* caller = auth::CurrentCaller();
  const int role = caller == nullptr ? 0 : caller->role;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto kept = communes_.find(role);
    if (kept != communes_.end() &&
        std::chrono::steady_clock::now() - kept->second.read < kCommunesKeptFor) {
      return kept->second.communes;
    }
  }
  std::vector<directory::v1::Commune> communes;
  directory::v1::ListCommunesRequest request;
  request.set_page_size(1000);
  do {
    directory::v1::ListCommunesResponse response;
    grpc::Status status = CallWithRetry(deadline, [&](grpc::ClientContext& context) {
      return stub_->ListCommunes(&context, request, &response);
    });
    if (!status.ok()) return DirectoryError(status);
    for (auto& commune : *response.mutable_communes()) communes.push_back(std::move(commune));
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  std::lock_guard<std::mutex> lock(mu_);
  communes_[role] = {std::chrono::steady_clock::now(), communes};
  return communes;
}

absl::StatusOr<std::vector<directory::v1::NetworkCategory>> DirectoryClient::ListNetworkCategories(
    Deadline deadline) {
  std::vector<directory::v1::NetworkCategory> categories;
  directory::v1::ListNetworkCategoriesRequest request;
  request.set_page_size(1000);
  do {
    directory::v1::ListNetworkCategoriesResponse response;
    grpc::Status status = CallWithRetry(deadline, [&](grpc::ClientContext& context) {
      return stub_->ListNetworkCategories(&context, request, &response);
    });
    if (!status.ok()) return DirectoryError(status);
    for (auto& category : *response.mutable_network_categories()) {
      categories.push_back(std::move(category));
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return categories;
}

absl::StatusOr<directory::v1::ListChangesResponse> DirectoryClient::ListChanges(
    const std::string& since, int page_size, Deadline deadline) {
  directory::v1::ListChangesRequest request;
  request.set_since(since);
  request.set_page_size(page_size);
  directory::v1::ListChangesResponse response;
  grpc::Status status = CallWithRetry(deadline, [&](grpc::ClientContext& context) {
    return stub_->ListChanges(&context, request, &response);
  });
  if (!status.ok()) return DirectoryError(status);
  return response;
}

}  // namespace maillage::meetings
