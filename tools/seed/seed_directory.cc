// Seed data of the directory service: the folder's partners (network_partners.csv: name,
// seed_category, kind; Dijon's 77) as actors in their network category, created through
// CreateActor. The seed's category labels are mapped to the codes of the directory's network
// categories by category_labels.csv when the folder has one (Dijon's French labels); kind marks
// kinds of structure (Dijon's "CAE" and "Cigales": STRUCTURE_TYPE). No identifier, address or
// family is invented: the seed gives none. Loads nothing when the directory already lists an
// actor.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/server/client.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"
#include "tools/seed/seed.h"

namespace maillage::seed {
namespace {

constexpr char kFile[] = "network_partners.csv";
constexpr char kLabelsFile[] = "category_labels.csv";

std::chrono::system_clock::time_point Deadline() {
  return std::chrono::system_clock::now() + std::chrono::seconds(10);
}

absl::Status Failed(absl::string_view what, const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

// The seed's category labels (category_labels.csv: seed_category,network_category) → network
// category codes; empty when the folder has no such file (the partners then give codes).
absl::StatusOr<std::map<std::string, std::string>> CategoryCodes(const std::string& data_dir) {
  std::map<std::string, std::string> codes;
  if (!std::filesystem::exists(absl::StrCat(data_dir, "/", kLabelsFile))) return codes;
  absl::StatusOr<std::vector<SeedRow>> rows =
      ReadSeedCsv(data_dir, kLabelsFile, {"seed_category", "network_category"});
  if (!rows.ok()) return rows.status();
  for (const SeedRow& row : *rows) codes[row["seed_category"]] = row["network_category"];
  return codes;
}

}  // namespace

absl::Status SeedDirectory(const SeedContext& context) {
  auto directory = directory::v1::DirectoryService::NewStub(context.directory);
  {
    directory::v1::ListActorsRequest request;
    request.set_page_size(1);
    request.set_filter("state = ACTIVE OR state = ARCHIVED");
    directory::v1::ListActorsResponse response;
    grpc::ClientContext call;
    server::PrepareClientContext(call, Deadline());
    grpc::Status status = directory->ListActors(&call, request, &response);
    if (!status.ok()) return Failed("listing the actors of the directory", status);
    if (response.actors_size() > 0) return absl::OkStatus();  // already seeded or in use
  }

  absl::StatusOr<std::map<std::string, std::string>> codes = CategoryCodes(context.data_dir);
  if (!codes.ok()) return codes.status();
  absl::StatusOr<std::vector<SeedRow>> rows =
      ReadSeedCsv(context.data_dir, kFile, {"name", "seed_category"});
  if (!rows.ok()) return rows.status();
  for (const SeedRow& row : *rows) {
    const std::string name = row["name"];
    const std::string label = row["seed_category"];
    std::string code = label;
    if (!codes->empty()) {
      auto found = codes->find(label);
      if (found == codes->end()) {
        return absl::InvalidArgumentError(absl::StrCat(kFile, " line ", row.line,
                                                       ", field seed_category: '", label,
                                                       "' is not in ", kLabelsFile));
      }
      code = found->second;
    }
    directory::v1::ActorKind kind = directory::v1::ACTOR_KIND_ORGANISATION;
    if (!row["kind"].empty() &&
        (!directory::v1::ActorKind_Parse("ACTOR_KIND_" + row["kind"], &kind) ||
         kind == directory::v1::ACTOR_KIND_UNSPECIFIED)) {
      return absl::InvalidArgumentError(absl::StrCat(kFile, " line ", row.line,
                                                     ", field kind: ORGANISATION or "
                                                     "STRUCTURE_TYPE, not '",
                                                     row["kind"], "'"));
    }
    directory::v1::CreateActorRequest request;
    directory::v1::Actor* actor = request.mutable_actor();
    actor->set_display_name(name);
    actor->set_kind(kind);
    actor->add_network_categories(code);
    actor->mutable_provenance()->set_source("seed");
    request.set_request_id(StableRequestId(absl::StrCat("seed/directory/", name, "/", label)));
    directory::v1::Actor created;
    grpc::ClientContext call;
    server::PrepareClientContext(call, Deadline());
    grpc::Status status = directory->CreateActor(&call, request, &created);
    if (!status.ok()) return Failed(absl::StrCat("creating the actor '", name, "'"), status);
  }
  return absl::OkStatus();
}

}  // namespace maillage::seed
