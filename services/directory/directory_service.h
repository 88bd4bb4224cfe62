// The gRPC adapter of the directory: request → ActorRegistry, ContactRegistry,
// RelationshipRegistry, PersonalDataRequests, importers → response. Each handler first checks
// the caller (MAILLAGE_AUTHORIZE, common/auth/caller.h: the principal the gateway signed,
// against the permission table) and hides contact snapshots from roles without personal-data
// access; validation and rules live in the registries, SQL in the stores.
#pragma once

#include "common/db/pool.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"
#include "services/directory/actor_importer.h"
#include "services/directory/actor_merger.h"
#include "services/directory/actor_registry.h"
#include "services/directory/contact_registry.h"
#include "services/directory/personal_data_requests.h"
#include "services/directory/relationship_registry.h"
#include "services/directory/sirene_importer.h"

namespace maillage::directory {

class DirectoryServiceImpl final : public v1::DirectoryService::Service {
 public:
  explicit DirectoryServiceImpl(db::Pool& pool)
      : actors_(pool),
        merger_(pool),
        importer_(pool),
        sirene_(pool),
        contacts_(pool),
        relationships_(pool),
        personal_data_(pool) {}

  // Actors.
  grpc::Status GetActor(grpc::ServerContext* context, const v1::GetActorRequest* request,
                        v1::Actor* response) override;
  grpc::Status BatchGetActors(grpc::ServerContext* context,
                              const v1::BatchGetActorsRequest* request,
                              v1::BatchGetActorsResponse* response) override;
  grpc::Status ListActors(grpc::ServerContext* context, const v1::ListActorsRequest* request,
                          v1::ListActorsResponse* response) override;
  grpc::Status SearchActors(grpc::ServerContext* context, const v1::SearchActorsRequest* request,
                            v1::SearchActorsResponse* response) override;
  grpc::Status CreateActor(grpc::ServerContext* context, const v1::CreateActorRequest* request,
                           v1::Actor* response) override;
  grpc::Status UpdateActor(grpc::ServerContext* context, const v1::UpdateActorRequest* request,
                           v1::Actor* response) override;
  grpc::Status DeleteActor(grpc::ServerContext* context, const v1::DeleteActorRequest* request,
                           v1::DeleteActorResponse* response) override;
  grpc::Status ArchiveActor(grpc::ServerContext* context, const v1::ArchiveActorRequest* request,
                            v1::Actor* response) override;
  grpc::Status UnarchiveActor(grpc::ServerContext* context,
                              const v1::UnarchiveActorRequest* request,
                              v1::Actor* response) override;
  grpc::Status ImportActors(grpc::ServerContext* context, const v1::ImportActorsRequest* request,
                            v1::ImportActorsResponse* response) override;
  grpc::Status ImportSireneExtract(grpc::ServerContext* context,
                                   grpc::ServerReader<v1::ImportSireneExtractRequest>* reader,
                                   v1::ImportSireneExtractResponse* response) override;
  grpc::Status ExportActors(grpc::ServerContext* context, const v1::ExportActorsRequest* request,
                            grpc::ServerWriter<google::api::HttpBody>* writer) override;
  grpc::Status FindDuplicates(grpc::ServerContext* context,
                              const v1::FindDuplicatesRequest* request,
                              v1::FindDuplicatesResponse* response) override;
  grpc::Status MergeActors(grpc::ServerContext* context, const v1::MergeActorsRequest* request,
                           v1::Actor* response) override;

  // Contacts, personal data and relationships (directory_service_contacts.cc).
  grpc::Status GetContact(grpc::ServerContext* context, const v1::GetContactRequest* request,
                          v1::Contact* response) override;
  grpc::Status ListContacts(grpc::ServerContext* context, const v1::ListContactsRequest* request,
                            v1::ListContactsResponse* response) override;
  grpc::Status CreateContact(grpc::ServerContext* context, const v1::CreateContactRequest* request,
                             v1::Contact* response) override;
  grpc::Status UpdateContact(grpc::ServerContext* context, const v1::UpdateContactRequest* request,
                             v1::Contact* response) override;
  grpc::Status DeleteContact(grpc::ServerContext* context, const v1::DeleteContactRequest* request,
                             v1::DeleteContactResponse* response) override;
  grpc::Status ExportPersonData(grpc::ServerContext* context,
                                const v1::ExportPersonDataRequest* request,
                                v1::ExportPersonDataResponse* response) override;
  grpc::Status ErasePerson(grpc::ServerContext* context, const v1::ErasePersonRequest* request,
                           v1::ErasePersonResponse* response) override;
  grpc::Status GetRelationship(grpc::ServerContext* context,
                               const v1::GetRelationshipRequest* request,
                               v1::Relationship* response) override;
  grpc::Status ListRelationships(grpc::ServerContext* context,
                                 const v1::ListRelationshipsRequest* request,
                                 v1::ListRelationshipsResponse* response) override;
  grpc::Status CreateRelationship(grpc::ServerContext* context,
                                  const v1::CreateRelationshipRequest* request,
                                  v1::Relationship* response) override;
  grpc::Status UpdateRelationship(grpc::ServerContext* context,
                                  const v1::UpdateRelationshipRequest* request,
                                  v1::Relationship* response) override;
  grpc::Status DeleteRelationship(grpc::ServerContext* context,
                                  const v1::DeleteRelationshipRequest* request,
                                  v1::DeleteRelationshipResponse* response) override;

  // Change feed and reference lists.
  grpc::Status ListChanges(grpc::ServerContext* context, const v1::ListChangesRequest* request,
                           v1::ListChangesResponse* response) override;
  grpc::Status ListNetworkCategories(grpc::ServerContext* context,
                                     const v1::ListNetworkCategoriesRequest* request,
                                     v1::ListNetworkCategoriesResponse* response) override;
  grpc::Status ListThemes(grpc::ServerContext* context, const v1::ListThemesRequest* request,
                          v1::ListThemesResponse* response) override;
  grpc::Status ListEssFamilies(grpc::ServerContext* context,
                               const v1::ListEssFamiliesRequest* request,
                               v1::ListEssFamiliesResponse* response) override;
  grpc::Status ListCommunes(grpc::ServerContext* context, const v1::ListCommunesRequest* request,
                            v1::ListCommunesResponse* response) override;

 private:
  ActorRegistry actors_;
  ActorMerger merger_;
  ActorImporter importer_;
  SireneImporter sirene_;
  ContactRegistry contacts_;
  RelationshipRegistry relationships_;
  PersonalDataRequests personal_data_;
};

}  // namespace maillage::directory
