// maillage-seed: loads the seed network (PES 21 / Dijon Métropole, see README) through the
// services' public gRPC APIs, as a client would. Each part is idempotent: it loads nothing when
// its service already holds data, and uses stable request ids, so a run interrupted half-way
// can simply be run again.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "grpcpp/channel.h"

namespace maillage::seed {

struct SeedContext {
  std::string data_dir;  // deploy/seed: the data files
  std::shared_ptr<grpc::Channel> directory;
  std::shared_ptr<grpc::Channel> meetings;
  std::shared_ptr<grpc::Channel> budget;
};

// The seed's 77 partners in their network categories (network_partners.csv).
absl::Status SeedDirectory(const SeedContext& context);
// The seed action "Fiche action 3" with its three forecast budgets, as written (errors kept).
absl::Status SeedBudget(const SeedContext& context);
// The grants of grants.csv (Dijon Métropole's participation in FA3, REQUESTED: see
// seed_grants.cc for why), after SeedBudget.
absl::Status SeedGrants(const SeedContext& context);
// The seed's 2023 programme as planned meetings of the seed action (no attendance invented).
absl::Status SeedMeetings(const SeedContext& context);

// A request id derived from `key` (a UUID v4-shaped digest), stable across runs.
std::string StableRequestId(const std::string& key);

}  // namespace maillage::seed
