// The gRPC adapter of the directory: contacts, personal-data requests, relationships.
#include "common/auth/caller.h"
#include "common/status/reply.h"
#include "services/directory/actor_fields.h"
#include "services/directory/directory_service.h"

namespace maillage::directory {

grpc::Status DirectoryServiceImpl::GetContact(grpc::ServerContext* context,
                                              const v1::GetContactRequest* request,
                                              v1::Contact* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, GetContact, kDomain);
  return Reply(contacts_.Get(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ListContacts(grpc::ServerContext* context,
                                                const v1::ListContactsRequest* request,
                                                v1::ListContactsResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, ListContacts, kDomain);
  return Reply(contacts_.List(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::CreateContact(grpc::ServerContext* context,
                                                 const v1::CreateContactRequest* request,
                                                 v1::Contact* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, CreateContact, kDomain);
  return Reply(contacts_.Create(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::UpdateContact(grpc::ServerContext* context,
                                                 const v1::UpdateContactRequest* request,
                                                 v1::Contact* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, UpdateContact, kDomain);
  return Reply(contacts_.Update(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::DeleteContact(grpc::ServerContext* context,
                                                 const v1::DeleteContactRequest* request,
                                                 v1::DeleteContactResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, DeleteContact, kDomain);
  return Reply(contacts_.Delete(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ExportPersonData(grpc::ServerContext* context,
                                                    const v1::ExportPersonDataRequest* request,
                                                    v1::ExportPersonDataResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, ExportPersonData, kDomain);
  return Reply(personal_data_.Export(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ErasePerson(grpc::ServerContext* context,
                                               const v1::ErasePersonRequest* request,
                                               v1::ErasePersonResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, ErasePerson, kDomain);
  return Reply(personal_data_.Erase(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::GetRelationship(grpc::ServerContext* context,
                                                   const v1::GetRelationshipRequest* request,
                                                   v1::Relationship* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, GetRelationship, kDomain);
  return Reply(relationships_.Get(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::ListRelationships(grpc::ServerContext* context,
                                                     const v1::ListRelationshipsRequest* request,
                                                     v1::ListRelationshipsResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, ListRelationships, kDomain);
  return Reply(relationships_.List(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::CreateRelationship(grpc::ServerContext* context,
                                                      const v1::CreateRelationshipRequest* request,
                                                      v1::Relationship* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, CreateRelationship, kDomain);
  return Reply(relationships_.Create(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::UpdateRelationship(grpc::ServerContext* context,
                                                      const v1::UpdateRelationshipRequest* request,
                                                      v1::Relationship* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, UpdateRelationship, kDomain);
  return Reply(relationships_.Update(*request, context->deadline()), response, kDomain);
}

grpc::Status DirectoryServiceImpl::DeleteRelationship(grpc::ServerContext* context,
                                                      const v1::DeleteRelationshipRequest* request,
                                                      v1::DeleteRelationshipResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::DirectoryService, DeleteRelationship, kDomain);
  return Reply(relationships_.Delete(*request, context->deadline()), response, kDomain);
}

}  // namespace maillage::directory
