// The public contract as the gateway publishes it: the descriptor set of the public protos with
// their comments (built with --include_source_info, embedded at build time by
// proto/CMakeLists.txt), the .proto files, and the contract's version.
//
//   const Contract& contract = Contract::Embedded();
//   std::string summary = contract.comments().Of(method);  // the RPC's leading comment
//
// The proto comments are the single source of the API's documentation: /openapi.json and /docs
// take their descriptions from `comments()`, reflection serves the same files (comments
// included), and partners download the same bytes (/v1/contract/...).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "services/gateway/http/http_message.h"

namespace maillage::gateway {

// The comments of the elements of a descriptor pool built with source info, looked up by full
// name so that descriptors of another pool (the generated one, which has no source info) find
// theirs. Of(x) is the leading comment of x (else its trailing one), one leading space removed
// from each line and surrounding blank lines trimmed; "" when x is not in the pool or has none.
class ContractComments {
 public:
  explicit ContractComments(const google::protobuf::DescriptorPool* pool) : pool_(pool) {}

  std::string Of(const google::protobuf::ServiceDescriptor* service) const;
  std::string Of(const google::protobuf::MethodDescriptor* method) const;
  std::string Of(const google::protobuf::Descriptor* message) const;
  std::string Of(const google::protobuf::FieldDescriptor* field) const;
  std::string Of(const google::protobuf::EnumDescriptor* type) const;
  std::string Of(const google::protobuf::EnumValueDescriptor* value) const;

 private:
  const google::protobuf::DescriptorPool* pool_;  // null: no comment anywhere
};

class Contract {
 public:
  // The contract compiled into this binary. Built once; aborts if the embedded descriptor set
  // does not load (a build error, never a runtime one).
  static const Contract& Embedded();

  // A contract from a serialized FileDescriptorSet whose files come in dependency order (as
  // protoc --include_imports writes them); null when it does not parse or a file does not build.
  static std::unique_ptr<Contract> FromDescriptorSet(std::string descriptor_set,
                                                     std::string protos_zip, std::string version);

  // The pool of the contract's files, with their source info.
  const google::protobuf::DescriptorPool& pool() const { return pool_; }
  const ContractComments& comments() const { return comments_; }
  // The serialized FileDescriptorSet, as downloaded from /v1/contract/descriptor.pb.
  const std::string& descriptor_set() const { return descriptor_set_; }
  // The zip of the .proto files, as downloaded from /v1/contract/protos.zip.
  const std::string& protos_zip() const { return protos_zip_; }
  // "1a2b3c4d5e6f": the first 12 hex digits of the SHA-256 of descriptor_set().
  const std::string& version() const { return version_; }
  // The full names of the services the contract declares, sorted.
  std::vector<std::string> ServiceNames() const;

 private:
  Contract(std::string descriptor_set, std::string protos_zip, std::string version)
      : descriptor_set_(std::move(descriptor_set)),
        protos_zip_(std::move(protos_zip)),
        version_(std::move(version)),
        comments_(&pool_) {}

  const std::string descriptor_set_;
  const std::string protos_zip_;
  const std::string version_;
  google::protobuf::DescriptorPool pool_;
  std::vector<std::string> files_;  // in the set's order
  ContractComments comments_;
};

// The paths of the contract's downloads, served without a key (the contract is public, as
// /openapi.json is):
inline constexpr char kContractIndexPath[] = "/v1/contract";
inline constexpr char kContractDescriptorSetPath[] = "/v1/contract/descriptor.pb";
inline constexpr char kContractProtosPath[] = "/v1/contract/protos.zip";
// The header that carries the contract's version on each of them.
inline constexpr char kContractVersionHeader[] = "X-Contract-Version";

// The downloads of `contract` by path: the index (JSON: version, the two files' paths and
// versioned names, the reflection service), the descriptor set
// (application/x-protobuf; a FileDescriptorSet with source info, e.g. for `grpcurl
// -protoset`, `protoc --descriptor_set_in` or Postman) and the zip of the .proto files. Each
// carries X-Contract-Version, ETag "<version>" and, for the files, a Content-Disposition whose
// file name holds the version (maillage-contract-v1-<version>.pb / -protos.zip).
std::map<std::string, PublicFile> ContractDownloads(const Contract& contract);

}  // namespace maillage::gateway
