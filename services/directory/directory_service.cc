// The gRPC adapter of the directory: actors, change feed, reference lists.
#include "services/directory/directory_service.h"

#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/reply.h"
#include "services/directory/actor_fields.h"
#include "services/directory/reference_data.h"

namespace maillage::directory {

grpc::Status DirectoryServiceImpl::GetActor(grpc::ServerContext* context,
                                            const v1::GetActorRequest* request,
                                            v1::Actor* response) {
  return Reply(actors_.Get(context->deadline(), *request), response, kDomain);
}

grpc::Status DirectoryServiceImpl::BatchGetActors(grpc::ServerContext* context,
                                                  const v1::BatchGetActorsRequest* request,
                                                  v1::BatchGetActorsResponse* response) {
  return Reply(actors_.BatchGet(context->deadline(), *request), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ListActors(grpc::ServerContext* context,
                                              const v1::ListActorsRequest* request,
                                              v1::ListActorsResponse* response) {
  return Reply(actors_.List(context->deadline(), *request), response, kDomain);
}

grpc::Status DirectoryServiceImpl::SearchActors(grpc::ServerContext* context,
                                                const v1::SearchActorsRequest* request,
                                                v1::SearchActorsResponse* response) {
  return Reply(actors_.Search(context->deadline(), *request), response, kDomain);
}

grpc::Status DirectoryServiceImpl::CreateActor(grpc::ServerContext* context,
                                               const v1::CreateActorRequest* request,
                                               v1::Actor* response) {
  return Reply(actors_.Create(context->deadline(), *request), response, kDomain);
}

grpc::Status DirectoryServiceImpl::UpdateActor(grpc::ServerContext* context,
                                               const v1::UpdateActorRequest* request,
                                               v1::Actor* response) {
  return Reply(actors_.Update(context->deadline(), *request), response, kDomain);
}

grpc::Status DirectoryServiceImpl::DeleteActor(grpc::ServerContext* context,
                                               const v1::DeleteActorRequest* request,
                                               v1::DeleteActorResponse* response) {
  return Reply(actors_.Delete(context->deadline(), *request), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ArchiveActor(grpc::ServerContext* context,
                                                const v1::ArchiveActorRequest* request,
                                                v1::Actor* response) {
  return Reply(actors_.Archive(context->deadline(), *request), response, kDomain);
}

grpc::Status DirectoryServiceImpl::UnarchiveActor(grpc::ServerContext* context,
                                                  const v1::UnarchiveActorRequest* request,
                                                  v1::Actor* response) {
  return Reply(actors_.Unarchive(context->deadline(), *request), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ImportActors(grpc::ServerContext* context,
                                                const v1::ImportActorsRequest* request,
                                                v1::ImportActorsResponse* response) {
  return Reply(importer_.Import(context->deadline(), *request), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ImportSireneExtract(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportSireneExtractRequest>* reader,
    v1::ImportSireneExtractResponse* response) {
  v1::ImportSireneExtractRequest message;
  if (!reader->Read(&message) || !message.has_options()) {
    return ToGrpcStatus(InvalidField(kDomain, "options", "the first message carries the options"),
                        kDomain);
  }
  v1::SireneImportOptions options = message.options();
  bool options_again = false;
  auto next_chunk = [&](std::string* chunk) {
    if (options_again || !reader->Read(&message)) return false;
    if (message.has_options()) {
      options_again = true;
      return false;
    }
    *chunk = message.data();
    return true;
  };
  absl::StatusOr<v1::ImportSireneExtractResponse> result =
      sirene_.Import(context->deadline(), options, next_chunk);
  if (options_again) {
    return ToGrpcStatus(InvalidField(kDomain, "options", "only the first message has options"),
                        kDomain);
  }
  return Reply(std::move(result), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ExportActors(grpc::ServerContext* context,
                                                const v1::ExportActorsRequest* request,
                                                grpc::ServerWriter<google::api::HttpBody>* writer) {
  absl::Status status =
      actors_.Export(context->deadline(), *request,
                     [&](const google::api::HttpBody& chunk) { return writer->Write(chunk); });
  return ToGrpcStatus(status, kDomain);
}

grpc::Status DirectoryServiceImpl::FindDuplicates(grpc::ServerContext* context,
                                                  const v1::FindDuplicatesRequest* request,
                                                  v1::FindDuplicatesResponse* response) {
  return Reply(merger_.FindDuplicates(context->deadline(), *request), response, kDomain);
}

grpc::Status DirectoryServiceImpl::MergeActors(grpc::ServerContext* context,
                                               const v1::MergeActorsRequest* request,
                                               v1::Actor* response) {
  return Reply(merger_.Merge(context->deadline(), *request), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ListChanges(grpc::ServerContext* context,
                                               const v1::ListChangesRequest* request,
                                               v1::ListChangesResponse* response) {
  return Reply(actors_.ListChanges(context->deadline(), *request), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ListNetworkCategories(
    grpc::ServerContext* context, const v1::ListNetworkCategoriesRequest* request,
    v1::ListNetworkCategoriesResponse* response) {
  return Reply(actors_.ListNetworkCategories(context->deadline(), *request), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ListThemes(grpc::ServerContext* context,
                                              const v1::ListThemesRequest* request,
                                              v1::ListThemesResponse* response) {
  return Reply(actors_.ListThemes(context->deadline(), *request), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ListEssFamilies(grpc::ServerContext* context,
                                                   const v1::ListEssFamiliesRequest* request,
                                                   v1::ListEssFamiliesResponse* response) {
  for (const v1::EssFamilyDescription& family : EssFamilies()) {
    *response->add_ess_families() = family;
  }
  return grpc::Status::OK;
}

grpc::Status DirectoryServiceImpl::ListCommunes(grpc::ServerContext* context,
                                                const v1::ListCommunesRequest* request,
                                                v1::ListCommunesResponse* response) {
  return Reply(actors_.ListCommunes(context->deadline(), *request), response, kDomain);
}

}  // namespace maillage::directory
