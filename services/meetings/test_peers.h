// Test stand-ins for the services the meetings service calls, served by a real in-process gRPC
// server: the few DirectoryService methods it uses (actors, contacts, communes, network
// categories, change feed) over an in-memory directory, and BudgetService.GetAction. They are
// used until the directory's own library can run in these tests; never linked into a binary.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/server/server.h"
#include "maillage/budget/v1/budget_service.grpc.pb.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"

namespace maillage::meetings::testing {

class TestDirectoryService : public directory::v1::DirectoryService::Service {
 public:
  // Adds an ACTIVE actor "actors/{id}" in `categories` and `commune`; returns its name.
  std::string AddActor(int64_t id, std::vector<std::string> categories, std::string commune);
  void ArchiveActor(const std::string& name);
  // Adds the contact "actors/{actor}/contacts/{id}".
  std::string AddContact(const std::string& actor, int64_t id);
  // Appends a change to the feed.
  void AddChange(directory::v1::Change change);
  // How many times ListCommunes / BatchGetActors were called.
  int list_communes_calls() const { return list_communes_calls_; }
  int batch_get_actors_calls() const { return batch_get_actors_calls_; }

  grpc::Status GetActor(grpc::ServerContext*, const directory::v1::GetActorRequest* request,
                        directory::v1::Actor* response) override;
  grpc::Status BatchGetActors(grpc::ServerContext*,
                              const directory::v1::BatchGetActorsRequest* request,
                              directory::v1::BatchGetActorsResponse* response) override;
  // Understands the filters the meetings service sends: `network_category:"code"`,
  // `commune = "code"`, or none; ACTIVE actors only; pages of page_size.
  grpc::Status ListActors(grpc::ServerContext*, const directory::v1::ListActorsRequest* request,
                          directory::v1::ListActorsResponse* response) override;
  grpc::Status GetContact(grpc::ServerContext*, const directory::v1::GetContactRequest* request,
                          directory::v1::Contact* response) override;
  grpc::Status ListCommunes(grpc::ServerContext*, const directory::v1::ListCommunesRequest* request,
                            directory::v1::ListCommunesResponse* response) override;
  grpc::Status ListNetworkCategories(
      grpc::ServerContext*, const directory::v1::ListNetworkCategoriesRequest* request,
      directory::v1::ListNetworkCategoriesResponse* response) override;
  grpc::Status ListChanges(grpc::ServerContext*, const directory::v1::ListChangesRequest* request,
                           directory::v1::ListChangesResponse* response) override;

 private:
  std::mutex mu_;
  std::map<std::string, directory::v1::Actor> actors_;  // by name; ids ordered as text
  std::vector<std::string> actor_order_;
  std::map<std::string, directory::v1::Contact> contacts_;
  std::vector<directory::v1::Change> changes_;
  std::atomic<int> list_communes_calls_{0};
  std::atomic<int> batch_get_actors_calls_{0};
};

class TestBudgetService : public budget::v1::BudgetService::Service {
 public:
  void AddAction(const std::string& name);
  // How many times GetAction was called.
  int get_action_calls() const { return get_action_calls_; }
  grpc::Status GetAction(grpc::ServerContext*, const budget::v1::GetActionRequest* request,
                         budget::v1::Action* response) override;

 private:
  std::mutex mu_;
  std::map<std::string, budget::v1::Action> actions_;
  std::atomic<int> get_action_calls_{0};
};

// The communes and network categories the test directory knows.
inline const std::vector<std::string>& TestCommunes() {
  static const auto* const communes = new std::vector<std::string>{"21231", "21617", "21452"};
  return *communes;
}
inline const std::vector<std::string>& TestNetworkCategories() {
  static const auto* const categories =
      new std::vector<std::string>{"tetes-de-reseau", "culture", "iae"};
  return *categories;
}

}  // namespace maillage::meetings::testing
