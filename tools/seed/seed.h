// maillage-seed: loads a network's seed folder (deploy/seed: PES 21 / Dijon Métropole, see
// deploy/README.md) through the services' public gRPC APIs, as a client would. The folder is
// data only: action.textproto (the action), budgets.csv (its budget tables), meetings*.csv (its
// programme), network_partners.csv (the partners) and category_labels.csv (optional). Each part is
// idempotent: it loads nothing when its service already holds data, and uses stable request ids, so
// a run interrupted half-way can simply be run again.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "maillage/budget/v1/action.pb.h"

namespace maillage::seed {

struct SeedContext {
  std::string data_dir;  // the seed folder (deploy/seed for Dijon)
  std::shared_ptr<grpc::Channel> directory;
  std::shared_ptr<grpc::Channel> meetings;
  std::shared_ptr<grpc::Channel> budget;
};

// The partners of network_partners.csv (name,seed_category[,kind]) in their network categories:
// seed_category is a label of category_labels.csv (seed_category,network_category) when the
// folder has one, else a network category code; kind is ORGANISATION (empty) or STRUCTURE_TYPE.
absl::Status SeedDirectory(const SeedContext& context);
// The action of action.textproto with the budget tables of budgets.csv
// (year,kind,file,title,source_document), imported as written (errors kept).
absl::Status SeedBudget(const SeedContext& context);
// The grants of the folder's grants.csv, if it has one (Dijon Métropole's participation in FA3,
// REQUESTED: see seed_grants.cc for why), after SeedBudget.
absl::Status SeedGrants(const SeedContext& context);
// The programme (every meetings*.csv of the folder, in name order) as planned meetings of the
// seed action (no attendance invented). Its kind column is a MeetingKind without its prefix
// (ACTORS_WORKSHOP) or the code of a kind of the network's own (the meetings service's kinds
// file), sent as custom_kind.
absl::Status SeedMeetings(const SeedContext& context);

// The seed folder's action: action.textproto, a maillage.budget.v1.Action in protobuf text
// format. NOT_FOUND when the file is missing; INVALID_ARGUMENT naming the file, line and field
// when it does not parse or lacks its code, title or years.
absl::StatusOr<budget::v1::Action> ReadSeedAction(const std::string& data_dir);
// The id the seed gives its action in the budget service: the code in lower case ("fa3").
std::string SeedActionId(const budget::v1::Action& action);

// A data row of a CSV file of the seed folder: its line and its cells by header column.
struct SeedRow {
  int line = 0;
  std::map<std::string, std::string> cells;
  // The cell of `column`; empty when the row is short of it.
  std::string operator[](const std::string& column) const {
    auto it = cells.find(column);
    return it == cells.end() ? std::string() : it->second;
  }
};
// The file `name` of the seed folder. NOT_FOUND naming its path when it cannot be read.
absl::StatusOr<std::string> ReadSeedFile(const std::string& data_dir, const std::string& name);
// The data rows of the CSV file `name` (comma-separated, a header line). INVALID_ARGUMENT
// naming the file when a column of `required` is missing from the header.
absl::StatusOr<std::vector<SeedRow>> ReadSeedCsv(const std::string& data_dir,
                                                 const std::string& name,
                                                 const std::vector<std::string>& required);

// A request id derived from `key` (a UUID v4-shaped digest), stable across runs.
std::string StableRequestId(const std::string& key);

}  // namespace maillage::seed
