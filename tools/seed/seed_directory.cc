// Seed data of the directory service: the seed's 77 partners (network_partners.csv: name,
// seed_category) as actors in their network category, created through CreateActor. The seed's
// French category labels are mapped to the codes of the directory's network categories; "CAE"
// and "Cigales" are kinds of structure. No identifier, address or family is invented: the seed
// gives none. Loads nothing when the directory already lists an actor.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/csv/csv_reader.h"
#include "common/server/client.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"
#include "tools/seed/seed.h"

namespace maillage::seed {
namespace {

constexpr char kFile[] = "network_partners.csv";

std::chrono::system_clock::time_point Deadline() {
  return std::chrono::system_clock::now() + std::chrono::seconds(10);
}

absl::Status Failed(absl::string_view what, const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

// The seed's category labels (as written in the seed) → network category codes.
const std::map<std::string, std::string>& CategoryCodes() {
  static const auto* const kCodes = new std::map<std::string, std::string>{
      {"Partenaires ressources", "partenaires-ressources"},
      {"Structures de l'ESS", "structures-ess"},
      {"Têtes de réseau", "tetes-de-reseau"},
      {"Structures de l'accompagnement à la création d'entreprise", "accompagnement-creation"},
      {"Habitat", "habitat"},
      {"Education populaire", "education-populaire"},
      {"Culture", "culture"},
      {"Foncier, agro écologie, bio", "foncier-agroecologie-bio"},
      {"IAE", "iae"},
      {"Entreprises de l'ESS", "entreprises-ess"},
      {"Sports", "sports"},
      {"Organismes de formation", "organismes-formation"},
      {"Autres", "autres"},
  };
  return *kCodes;
}

// Seed entries that are kinds of structure rather than one organisation.
bool IsStructureType(const std::string& name) { return name == "CAE" || name == "Cigales"; }

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

  std::ifstream in(absl::StrCat(context.data_dir, "/", kFile), std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", context.data_dir, "/", kFile));
  std::ostringstream content;
  content << in.rdbuf();
  csv::CsvReader reader(',');
  reader.Feed(content.str());
  reader.Finish();
  bool header = true;
  while (auto record = reader.Next()) {
    if (header) {
      header = false;
      continue;
    }
    if (record->fields.size() < 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(kFile, " line ", record->line, ": expected name,seed_category"));
    }
    const std::string& name = record->fields[0];
    const std::string& label = record->fields[1];
    auto code = CategoryCodes().find(label);
    if (code == CategoryCodes().end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(kFile, " line ", record->line, ": unknown seed category '", label, "'"));
    }
    directory::v1::CreateActorRequest request;
    directory::v1::Actor* actor = request.mutable_actor();
    actor->set_display_name(name);
    actor->set_kind(IsStructureType(name) ? directory::v1::ACTOR_KIND_STRUCTURE_TYPE
                                          : directory::v1::ACTOR_KIND_ORGANISATION);
    actor->add_network_categories(code->second);
    actor->mutable_provenance()->set_source("seed");
    request.set_request_id(StableRequestId(absl::StrCat("seed/directory/", name, "/", label)));
    directory::v1::Actor created;
    grpc::ClientContext call;
    server::PrepareClientContext(call, Deadline());
    grpc::Status status = directory->CreateActor(&call, request, &created);
    if (!status.ok()) return Failed(absl::StrCat("creating the actor '", name, "'"), status);
  }
  return reader.status();
}

}  // namespace maillage::seed
