// gRPC server reflection for the gateway's public gRPC port, over the published contract:
// grpc.reflection.v1alpha.ServerReflection and grpc.reflection.v1.ServerReflection (the same
// messages under two package names), served by the pass-through (grpc_passthrough.h), since the
// methods it reflects are not registered services of the gateway's server: gRPC's own
// reflection plugin would list only GatewayAdminService and ReportService.
//
//   ContractReflection reflection(Contract::Embedded().pool(), services);
//   PassthroughOptions options;
//   options.reflection = &reflection;
//
// ServerReflectionInfo answers, per request of the stream:
//   - list_services: `services` (the public ones, grpc.health.v1.Health and reflection itself);
//   - file_by_filename, file_containing_symbol (a service, method, message, enum or field by
//     full name), file_containing_extension: the file, with its source info (the comments), and
//     every file it imports that this stream has not sent yet, dependencies first;
//   - all_extension_numbers_of_type: the extension numbers of the message type;
// looking the contract's pool up first, then the generated pool (health, reflection). An
// unknown name is an error_response NOT_FOUND (5) on the stream, which stays open.
// Reflection needs no API key: it only tells what /v1/contract/descriptor.pb and
// /openapi.json already publish.
//
// The messages are read and written with protobuf's wire format directly (Debian installs no
// header for the reflection messages); field numbers as in grpc/reflection/v1alpha/
// reflection.proto.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/support/server_callback.h"

namespace maillage::gateway {

class ContractReflection {
 public:
  // `pool` must outlive this object.
  ContractReflection(const google::protobuf::DescriptorPool& pool,
                     std::vector<std::string> services);

  // Whether `method` ("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo") is a
  // reflection method served here.
  static bool IsReflectionMethod(const std::string& method);

  // The reactor of one ServerReflectionInfo stream (deletes itself when done).
  grpc::ServerGenericBidiReactor* NewStream() const;

  // The serialized ServerReflectionResponse to a serialized ServerReflectionRequest;
  // `sent_files` holds the names of the files already sent on the stream, and grows.
  std::string Answer(const std::string& request, std::set<std::string>& sent_files) const;

 private:
  const google::protobuf::FileDescriptor* FindFile(const std::string& name) const;
  const google::protobuf::FileDescriptor* FindFileContainingSymbol(const std::string& name) const;
  const google::protobuf::FieldDescriptor* FindExtension(const std::string& type, int number) const;
  const google::protobuf::Descriptor* FindMessage(const std::string& type) const;

  std::vector<const google::protobuf::DescriptorPool*> pools_;  // looked up in this order
  std::vector<std::string> services_;
};

}  // namespace maillage::gateway
