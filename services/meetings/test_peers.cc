// Test stand-ins of the directory and the budget service (see test_peers.h).
#include "services/meetings/test_peers.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace maillage::meetings::testing {

std::string TestDirectoryService::AddActor(int64_t id, std::vector<std::string> categories,
                                           std::string commune) {
  std::lock_guard<std::mutex> lock(mu_);
  directory::v1::Actor actor;
  actor.set_name(absl::StrCat("actors/", id));
  actor.set_display_name(absl::StrCat("Acteur ", id));
  for (auto& category : categories) actor.add_network_categories(category);
  actor.mutable_address()->set_commune_insee_code(commune);
  actor.set_state(directory::v1::ACTOR_STATE_ACTIVE);
  if (!actors_.count(actor.name())) actor_order_.push_back(actor.name());
  actors_[actor.name()] = actor;
  return actor.name();
}

void TestDirectoryService::ArchiveActor(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  actors_[name].set_state(directory::v1::ACTOR_STATE_ARCHIVED);
}

std::string TestDirectoryService::AddContact(const std::string& actor, int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  directory::v1::Contact contact;
  contact.set_name(absl::StrCat(actor, "/contacts/", id));
  contact.set_given_name("Camille");
  contacts_[contact.name()] = contact;
  return contact.name();
}

void TestDirectoryService::AddChange(directory::v1::Change change) {
  std::lock_guard<std::mutex> lock(mu_);
  change.set_sequence(static_cast<int64_t>(changes_.size()) + 1);
  changes_.push_back(std::move(change));
}

grpc::Status TestDirectoryService::GetActor(grpc::ServerContext*,
                                            const directory::v1::GetActorRequest* request,
                                            directory::v1::Actor* response) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = actors_.find(request->name());
  if (it == actors_.end()) return {grpc::StatusCode::NOT_FOUND, "no such actor"};
  *response = it->second;
  return grpc::Status::OK;
}

grpc::Status TestDirectoryService::BatchGetActors(
    grpc::ServerContext*, const directory::v1::BatchGetActorsRequest* request,
    directory::v1::BatchGetActorsResponse* response) {
  ++batch_get_actors_calls_;
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& name : request->names()) {
    auto it = actors_.find(name);
    if (it == actors_.end()) return {grpc::StatusCode::NOT_FOUND, "no actor " + name};
    *response->add_actors() = it->second;
  }
  return grpc::Status::OK;
}

grpc::Status TestDirectoryService::ListActors(grpc::ServerContext*,
                                              const directory::v1::ListActorsRequest* request,
                                              directory::v1::ListActorsResponse* response) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string category, commune;
  absl::string_view filter = request->filter();
  if (absl::ConsumePrefix(&filter, "network_category:\"")) {
    category = std::string(absl::StripSuffix(filter, "\""));
  } else if (absl::ConsumePrefix(&filter, "commune = \"")) {
    commune = std::string(absl::StripSuffix(filter, "\""));
  } else if (!filter.empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "filter not understood by the test directory"};
  }
  size_t start = 0;
  if (!request->page_token().empty() && !absl::SimpleAtoi(request->page_token(), &start)) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "bad page token"};
  }
  size_t page_size = request->page_size() > 0 ? request->page_size() : 50;
  std::vector<const directory::v1::Actor*> matching;
  for (const std::string& name : actor_order_) {
    const directory::v1::Actor& actor = actors_[name];
    if (actor.state() != directory::v1::ACTOR_STATE_ACTIVE) continue;
    const auto& categories = actor.network_categories();
    if (!category.empty() &&
        std::find(categories.begin(), categories.end(), category) == categories.end()) {
      continue;
    }
    if (!commune.empty() && actor.address().commune_insee_code() != commune) continue;
    matching.push_back(&actor);
  }
  for (size_t i = start; i < matching.size() && i < start + page_size; ++i) {
    *response->add_actors() = *matching[i];
  }
  if (start + page_size < matching.size()) {
    response->set_next_page_token(absl::StrCat(start + page_size));
  }
  response->set_total_size(static_cast<int>(matching.size()));
  return grpc::Status::OK;
}

grpc::Status TestDirectoryService::GetContact(grpc::ServerContext*,
                                              const directory::v1::GetContactRequest* request,
                                              directory::v1::Contact* response) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = contacts_.find(request->name());
  if (it == contacts_.end()) return {grpc::StatusCode::NOT_FOUND, "no such contact"};
  *response = it->second;
  return grpc::Status::OK;
}

grpc::Status TestDirectoryService::ListCommunes(grpc::ServerContext*,
                                                const directory::v1::ListCommunesRequest*,
                                                directory::v1::ListCommunesResponse* response) {
  ++list_communes_calls_;
  for (const std::string& code : TestCommunes()) {
    auto* commune = response->add_communes();
    commune->set_name("communes/" + code);
    commune->set_insee_code(code);
    commune->set_display_name("Commune " + code);
  }
  return grpc::Status::OK;
}

grpc::Status TestDirectoryService::ListNetworkCategories(
    grpc::ServerContext*, const directory::v1::ListNetworkCategoriesRequest*,
    directory::v1::ListNetworkCategoriesResponse* response) {
  for (const std::string& code : TestNetworkCategories()) {
    auto* category = response->add_network_categories();
    category->set_name("networkCategories/" + code);
    category->set_code(code);
    category->set_display_name("Catégorie " + code);
  }
  return grpc::Status::OK;
}

grpc::Status TestDirectoryService::ListChanges(grpc::ServerContext*,
                                               const directory::v1::ListChangesRequest* request,
                                               directory::v1::ListChangesResponse* response) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t since = 0;
  if (!request->since().empty() && !absl::SimpleAtoi(request->since(), &since)) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "bad cursor"};
  }
  size_t page_size = request->page_size() > 0 ? request->page_size() : 100;
  size_t end = std::min(changes_.size(), since + page_size);
  for (size_t i = since; i < end; ++i) *response->add_changes() = changes_[i];
  response->set_next_cursor(absl::StrCat(end));
  response->set_caught_up(end == changes_.size());
  return grpc::Status::OK;
}

void TestBudgetService::AddAction(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  actions_[name].set_name(name);
}

grpc::Status TestBudgetService::GetAction(grpc::ServerContext*,
                                          const budget::v1::GetActionRequest* request,
                                          budget::v1::Action* response) {
  ++get_action_calls_;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = actions_.find(request->name());
  if (it == actions_.end()) return {grpc::StatusCode::NOT_FOUND, "no such action"};
  *response = it->second;
  return grpc::Status::OK;
}

}  // namespace maillage::meetings::testing
