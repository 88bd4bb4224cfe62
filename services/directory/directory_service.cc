// The gRPC adapter of the directory: actors, change feed, reference lists.
#include "services/directory/directory_service.h"

#include "common/auth/caller.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/reply.h"
#include "services/directory/actor_fields.h"
#include "services/directory/reference_data.h"

namespace maillage::directory {

grpc::Status DirectoryServiceImpl::GetActor(grpc::ServerContext* context,
                                            const v1::GetActorRequest* request,
                                            v1::Actor* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, GetActor, kDomain);
  return Reply(actors_.Get(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::BatchGetActors(grpc::ServerContext* context,
                                                  const v1::BatchGetActorsRequest* request,
                                                  v1::BatchGetActorsResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, BatchGetActors, kDomain);
  return Reply(actors_.BatchGet(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ListActors(grpc::ServerContext* context,
                                              const v1::ListActorsRequest* request,
                                              v1::ListActorsResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, ListActors, kDomain);
  return Reply(actors_.List(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::SearchActors(grpc::ServerContext* context,
                                                const v1::SearchActorsRequest* request,
                                                v1::SearchActorsResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, SearchActors, kDomain);
  return Reply(actors_.Search(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::CreateActor(grpc::ServerContext* context,
                                               const v1::CreateActorRequest* request,
                                               v1::Actor* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, CreateActor, kDomain);
  return Reply(actors_.Create(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::UpdateActor(grpc::ServerContext* context,
                                               const v1::UpdateActorRequest* request,
                                               v1::Actor* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, UpdateActor, kDomain);
  return Reply(actors_.Update(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::DeleteActor(grpc::ServerContext* context,
                                               const v1::DeleteActorRequest* request,
                                               v1::DeleteActorResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, DeleteActor, kDomain);
  return Reply(actors_.Delete(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ArchiveActor(grpc::ServerContext* context,
                                                const v1::ArchiveActorRequest* request,
                                                v1::Actor* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, ArchiveActor, kDomain);
  return Reply(actors_.Archive(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::UnarchiveActor(grpc::ServerContext* context,
                                                  const v1::UnarchiveActorRequest* request,
                                                  v1::Actor* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, UnarchiveActor, kDomain);
  return Reply(actors_.Unarchive(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ImportActors(grpc::ServerContext* context,
                                                const v1::ImportActorsRequest* request,
                                                v1::ImportActorsResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, ImportActors, kDomain);
  return Reply(importer_.Import(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ImportSireneExtract(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportSireneExtractRequest>* reader,
    v1::ImportSireneExtractResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, ImportSireneExtract, kDomain);
  v1::ImportSireneExtractRequest message;
  if (!reader->Read(&message) || !message.has_options()) {
    return ToGrpcStatus(InvalidField(kDomain, "options", "the first message carries the options"),
                        kDomain);
  }
  v1::SireneImportOptions options = message.options();
  bool options_again = false;
  auto next_chunk = [&](SireneChunk* chunk) {
    if (options_again || !reader->Read(&message)) return false;
    if (message.has_options()) {
      options_again = true;
      return false;
    }
    chunk->legal_units = message.has_legal_units_data();
    chunk->data = chunk->legal_units ? message.legal_units_data() : message.data();
    return true;
  };
  absl::StatusOr<v1::ImportSireneExtractResponse> result =
      sirene_.Import(options, context->deadline(), next_chunk);
  if (options_again) {
    return ToGrpcStatus(InvalidField(kDomain, "options", "only the first message has options"),
                        kDomain);
  }
  return Reply(std::move(result), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ExportActors(grpc::ServerContext* context,
                                                const v1::ExportActorsRequest* request,
                                                grpc::ServerWriter<google::api::HttpBody>* writer) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, ExportActors, kDomain);
  absl::Status status =
      actors_.Export(*request, context->deadline(),
                     [&](const google::api::HttpBody& chunk) { return writer->Write(chunk); });
  return ToGrpcStatus(status, kDomain);
}

grpc::Status DirectoryServiceImpl::FindDuplicates(grpc::ServerContext* context,
                                                  const v1::FindDuplicatesRequest* request,
                                                  v1::FindDuplicatesResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, FindDuplicates, kDomain);
  return Reply(merger_.FindDuplicates(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::MergeActors(grpc::ServerContext* context,
                                               const v1::MergeActorsRequest* request,
                                               v1::Actor* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, MergeActors, kDomain);
  return Reply(merger_.Merge(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ListChanges(grpc::ServerContext* context,
                                               const v1::ListChangesRequest* request,
                                               v1::ListChangesResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, ListChanges, kDomain);
  grpc::Status status =
      Reply(actors_.ListChanges(*request, context->deadline()), response, kDomain);
  if (status.ok() && !authorized_call.may_read_personal_data()) {
    // Field-level visibility: the changes of contacts stay in the feed (a partner's sync must
    // see that something happened), their snapshots of a person do not.
    for (v1::Change& change : *response->mutable_changes()) {
      if (change.has_contact()) change.clear_contact();
    }
  }
  return status;
}

grpc::Status DirectoryServiceImpl::ListNetworkCategories(
    grpc::ServerContext* context, const v1::ListNetworkCategoriesRequest* request,
    v1::ListNetworkCategoriesResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, ListNetworkCategories, kDomain);
  return Reply(actors_.ListNetworkCategories(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ListThemes(grpc::ServerContext* context,
                                              const v1::ListThemesRequest* request,
                                              v1::ListThemesResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, ListThemes, kDomain);
  return Reply(actors_.ListThemes(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ListEssFamilies(grpc::ServerContext* context,
                                                   const v1::ListEssFamiliesRequest* request,
                                                   v1::ListEssFamiliesResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, ListEssFamilies, kDomain);
  for (const v1::EssFamilyDescription& family : EssFamilies()) {
    *response->add_ess_families() = family;
  }
  return grpc::Status::OK;
}

grpc::Status DirectoryServiceImpl::ListCommunes(grpc::ServerContext* context,
                                                const v1::ListCommunesRequest* request,
                                                v1::ListCommunesResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, ListCommunes, kDomain);
  return Reply(actors_.ListCommunes(*request, context->deadline()), response, kDomain);
}

}  // namespace maillage::directory
