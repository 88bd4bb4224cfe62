// The embedded contract and the comments of its elements.
#include "services/gateway/docs/contract.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.pb.h"
#include "maillage/contract_files.h"
#include "nlohmann/json.hpp"

namespace maillage::gateway {
namespace {

using google::protobuf::SourceLocation;

// The leading comment of a location (else its trailing one), cleaned as ContractComments says.
std::string CommentOf(const SourceLocation& location) {
  const std::string& raw =
      location.leading_comments.empty() ? location.trailing_comments : location.leading_comments;
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(raw, '\n')) {
    if (absl::StartsWith(line, " ")) line.remove_prefix(1);
    lines.emplace_back(absl::StripTrailingAsciiWhitespace(line));
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  auto first = std::find_if(lines.begin(), lines.end(), [](auto& l) { return !l.empty(); });
  return absl::StrJoin(first, lines.end(), "\n");
}

template <typename D>
std::string LocatedComment(const D* d) {
  SourceLocation location;
  if (d == nullptr || !d->GetSourceLocation(&location)) return "";
  return CommentOf(location);
}

}  // namespace

std::string ContractComments::Of(const google::protobuf::ServiceDescriptor* service) const {
  if (pool_ == nullptr) return "";
  return LocatedComment(pool_->FindServiceByName(service->full_name()));
}

std::string ContractComments::Of(const google::protobuf::MethodDescriptor* method) const {
  if (pool_ == nullptr) return "";
  return LocatedComment(pool_->FindMethodByName(method->full_name()));
}

std::string ContractComments::Of(const google::protobuf::Descriptor* message) const {
  if (pool_ == nullptr) return "";
  return LocatedComment(pool_->FindMessageTypeByName(message->full_name()));
}

std::string ContractComments::Of(const google::protobuf::FieldDescriptor* field) const {
  if (pool_ == nullptr) return "";
  if (field->is_extension()) return LocatedComment(pool_->FindExtensionByName(field->full_name()));
  const google::protobuf::Descriptor* owner =
      pool_->FindMessageTypeByName(field->containing_type()->full_name());
  return owner == nullptr ? "" : LocatedComment(owner->FindFieldByName(field->name()));
}

std::string ContractComments::Of(const google::protobuf::EnumDescriptor* type) const {
  if (pool_ == nullptr) return "";
  return LocatedComment(pool_->FindEnumTypeByName(type->full_name()));
}

std::string ContractComments::Of(const google::protobuf::EnumValueDescriptor* value) const {
  if (pool_ == nullptr) return "";
  const google::protobuf::EnumDescriptor* type =
      pool_->FindEnumTypeByName(value->type()->full_name());
  return type == nullptr ? "" : LocatedComment(type->FindValueByName(value->name()));
}

std::unique_ptr<Contract> Contract::FromDescriptorSet(std::string descriptor_set,
                                                      std::string protos_zip, std::string version) {
  google::protobuf::FileDescriptorSet set;
  if (!set.ParseFromString(descriptor_set)) return nullptr;
  std::unique_ptr<Contract> contract(
      new Contract(std::move(descriptor_set), std::move(protos_zip), std::move(version)));
  for (const google::protobuf::FileDescriptorProto& file : set.file()) {
    if (contract->pool_.BuildFile(file) == nullptr) return nullptr;
    contract->files_.push_back(file.name());
  }
  return contract;
}

const Contract& Contract::Embedded() {
  static const Contract* const embedded = [] {
    std::unique_ptr<Contract> built =
        FromDescriptorSet(std::string(contract::DescriptorSet()),
                          std::string(contract::ProtosZip()), std::string(contract::Version()));
    if (built == nullptr) {
      std::fprintf(stderr, "the embedded contract does not load\n");
      std::abort();
    }
    return built.release();
  }();
  return *embedded;
}

std::vector<std::string> Contract::ServiceNames() const {
  std::vector<std::string> names;
  for (const std::string& name : files_) {
    const google::protobuf::FileDescriptor* file = pool_.FindFileByName(name);
    if (file == nullptr || !absl::StartsWith(file->package(), "maillage.")) continue;
    for (int i = 0; i < file->service_count(); ++i) names.push_back(file->service(i)->full_name());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::map<std::string, PublicFile> ContractDownloads(const Contract& contract) {
  const std::string base = absl::StrCat("maillage-contract-v1-", contract.version());
  auto headers = [&](const std::string& file_name) {
    std::vector<std::pair<std::string, std::string>> h = {
        {kContractVersionHeader, contract.version()},
        {"ETag", absl::StrCat("\"", contract.version(), "\"")},
        {"Cache-Control", "public, max-age=300"}};
    if (!file_name.empty()) {
      h.emplace_back("Content-Disposition",
                     absl::StrCat("attachment; filename=\"", file_name, "\""));
    }
    return h;
  };
  nlohmann::json index = {
      {"version", contract.version()},
      {"apiVersion", "v1"},
      {"services", contract.ServiceNames()},
      {"descriptorSet", {{"path", kContractDescriptorSetPath}, {"fileName", base + ".pb"}}},
      {"protos", {{"path", kContractProtosPath}, {"fileName", base + "-protos.zip"}}},
      {"openapi", "/openapi.json"},
      {"reflection",
       "grpc.reflection.v1alpha.ServerReflection and grpc.reflection.v1."
       "ServerReflection on the gateway's gRPC port, without a key"}};
  std::map<std::string, PublicFile> files;
  files[kContractIndexPath] = {"application/json", index.dump(2), headers("")};
  files[kContractDescriptorSetPath] = {"application/x-protobuf", contract.descriptor_set(),
                                       headers(base + ".pb")};
  files[kContractProtosPath] = {"application/zip", contract.protos_zip(),
                                headers(base + "-protos.zip")};
  return files;
}

}  // namespace maillage::gateway
