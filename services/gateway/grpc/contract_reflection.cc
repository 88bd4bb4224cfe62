// Server reflection over the contract's descriptors (see contract_reflection.h).
#include "services/gateway/grpc/contract_reflection.h"

#include <functional>
#include <utility>

#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"
#include "grpcpp/support/byte_buffer.h"

namespace maillage::gateway {
namespace {

using google::protobuf::FileDescriptor;
using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

// Field numbers of grpc/reflection/v1alpha/reflection.proto (the same in v1).
enum RequestField {
  kHost = 1,
  kFileByFilename = 3,
  kFileContainingSymbol = 4,
  kFileContainingExtension = 5,
  kAllExtensionNumbersOfType = 6,
  kListServices = 7,
};
enum ResponseField {
  kValidHost = 1,
  kOriginalRequest = 2,
  kFileDescriptorResponse = 4,
  kAllExtensionNumbersResponse = 5,
  kListServicesResponse = 6,
  kErrorResponse = 7,
};
constexpr int kNotFound = 5;         // grpc::StatusCode::NOT_FOUND
constexpr int kInvalidArgument = 3;  // grpc::StatusCode::INVALID_ARGUMENT

struct ParsedRequest {
  std::string host;
  int kind = 0;  // a RequestField of the oneof; 0 when none
  std::string text;
  int extension_number = 0;
};

// Reads the fields of `bytes`, calling `on_field(number, wire_type, input)`; false when the
// bytes are not a well-formed message.
bool ReadFields(
    const std::string& bytes,
    const std::function<bool(int, WireFormatLite::WireType, CodedInputStream&)>& on_field) {
  CodedInputStream input(reinterpret_cast<const uint8_t*>(bytes.data()),
                         static_cast<int>(bytes.size()));
  while (true) {
    const uint32_t tag = input.ReadTag();
    if (tag == 0)
      return input.ConsumedEntireMessage() ||
             input.CurrentPosition() == static_cast<int>(bytes.size());
    const int number = WireFormatLite::GetTagFieldNumber(tag);
    const WireFormatLite::WireType type = WireFormatLite::GetTagWireType(tag);
    if (!on_field(number, type, input)) return false;
  }
}

bool ReadString(WireFormatLite::WireType type, CodedInputStream& input, std::string* out) {
  return type == WireFormatLite::WIRETYPE_LENGTH_DELIMITED &&
         WireFormatLite::ReadString(&input, out);
}

bool Parse(const std::string& bytes, ParsedRequest& request) {
  return ReadFields(bytes, [&](int number, WireFormatLite::WireType type, CodedInputStream& in) {
    switch (number) {
      case kHost:
        return ReadString(type, in, &request.host);
      case kFileByFilename:
      case kFileContainingSymbol:
      case kAllExtensionNumbersOfType:
      case kListServices:
        request.kind = number;
        return ReadString(type, in, &request.text);
      case kFileContainingExtension: {
        std::string nested;
        if (!ReadString(type, in, &nested)) return false;
        request.kind = number;
        return ReadFields(nested, [&](int n, WireFormatLite::WireType t, CodedInputStream& i) {
          if (n == 1) return ReadString(t, i, &request.text);
          if (n == 2 && t == WireFormatLite::WIRETYPE_VARINT) {
            uint32_t value = 0;
            if (!i.ReadVarint32(&value)) return false;
            request.extension_number = static_cast<int>(value);
            return true;
          }
          return WireFormatLite::SkipField(&i, WireFormatLite::MakeTag(n, t));
        });
      }
      default:
        return WireFormatLite::SkipField(&in, WireFormatLite::MakeTag(number, type));
    }
  });
}

// A length-delimited field `number` holding `value`.
void AppendBytes(int number, const std::string& value, std::string& out) {
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  WireFormatLite::WriteBytes(number, value, &coded);
}

void AppendVarint(int number, int32_t value, std::string& out) {
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  WireFormatLite::WriteInt32(number, value, &coded);
}

std::string ErrorResponse(int code, const std::string& message) {
  std::string error;
  AppendVarint(1, code, error);
  AppendBytes(2, message, error);
  return error;
}

// `file` and the files it imports that are not in `sent`, dependencies first, serialized with
// their source info.
void AppendFiles(const FileDescriptor* file, std::set<std::string>& sent, std::string& out) {
  if (!sent.insert(file->name()).second) return;
  for (int i = 0; i < file->dependency_count(); ++i) AppendFiles(file->dependency(i), sent, out);
  google::protobuf::FileDescriptorProto proto;
  file->CopyTo(&proto);
  file->CopySourceCodeInfoTo(&proto);
  AppendBytes(1, proto.SerializeAsString(), out);
}

class ReflectionStream final : public grpc::ServerGenericBidiReactor {
 public:
  explicit ReflectionStream(const ContractReflection& reflection) : reflection_(reflection) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client's half-close (or a broken stream): the end of the call
      Finish(grpc::Status::OK);
      return;
    }
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (request_.Dump(&slices).ok()) {
      for (const grpc::Slice& slice : slices) {
        bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
      }
    }
    grpc::Slice answer(reflection_.Answer(bytes, sent_files_));
    response_ = grpc::ByteBuffer(&answer, 1);
    StartWrite(&response_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
      return;
    }
    request_.Clear();
    StartRead(&request_);
  }

  void OnDone() override { delete this; }

 private:
  const ContractReflection& reflection_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  std::set<std::string> sent_files_;
};

}  // namespace

ContractReflection::ContractReflection(const google::protobuf::DescriptorPool& pool,
                                       std::vector<std::string> services)
    : pools_({&pool, google::protobuf::DescriptorPool::generated_pool()}),
      services_(std::move(services)) {}

bool ContractReflection::IsReflectionMethod(const std::string& method) {
  return method == "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo" ||
         method == "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
}

grpc::ServerGenericBidiReactor* ContractReflection::NewStream() const {
  return new ReflectionStream(*this);
}

const FileDescriptor* ContractReflection::FindFile(const std::string& name) const {
  for (const auto* pool : pools_) {
    if (const FileDescriptor* file = pool->FindFileByName(name)) return file;
  }
  return nullptr;
}

const FileDescriptor* ContractReflection::FindFileContainingSymbol(const std::string& name) const {
  for (const auto* pool : pools_) {
    if (const FileDescriptor* file = pool->FindFileContainingSymbol(name)) return file;
  }
  return nullptr;
}

const google::protobuf::Descriptor* ContractReflection::FindMessage(const std::string& type) const {
  for (const auto* pool : pools_) {
    if (const auto* message = pool->FindMessageTypeByName(type)) return message;
  }
  return nullptr;
}

const google::protobuf::FieldDescriptor* ContractReflection::FindExtension(const std::string& type,
                                                                           int number) const {
  for (const auto* pool : pools_) {
    const auto* message = pool->FindMessageTypeByName(type);
    if (message == nullptr) continue;
    if (const auto* extension = pool->FindExtensionByNumber(message, number)) return extension;
  }
  return nullptr;
}

std::string ContractReflection::Answer(const std::string& request_bytes,
                                       std::set<std::string>& sent_files) const {
  ParsedRequest request;
  std::string response;
  if (!Parse(request_bytes, request)) {
    AppendBytes(kErrorResponse, ErrorResponse(kInvalidArgument, "malformed request"), response);
    return response;
  }
  AppendBytes(kValidHost, request.host, response);
  AppendBytes(kOriginalRequest, request_bytes, response);
  const FileDescriptor* file = nullptr;
  switch (request.kind) {
    case kListServices: {
      std::string list;
      for (const std::string& name : services_) {
        std::string service;
        AppendBytes(1, name, service);
        AppendBytes(1, service, list);
      }
      AppendBytes(kListServicesResponse, list, response);
      return response;
    }
    case kFileByFilename:
      file = FindFile(request.text);
      break;
    case kFileContainingSymbol:
      file = FindFileContainingSymbol(request.text);
      break;
    case kFileContainingExtension: {
      const auto* extension = FindExtension(request.text, request.extension_number);
      file = extension == nullptr ? nullptr : extension->file();
      break;
    }
    case kAllExtensionNumbersOfType: {
      const google::protobuf::Descriptor* type = FindMessage(request.text);
      if (type == nullptr) break;
      std::string numbers;
      AppendBytes(1, request.text, numbers);
      std::vector<const google::protobuf::FieldDescriptor*> extensions;
      type->file()->pool()->FindAllExtensions(type, &extensions);
      for (const auto* extension : extensions) AppendVarint(2, extension->number(), numbers);
      AppendBytes(kAllExtensionNumbersResponse, numbers, response);
      return response;
    }
    default:
      AppendBytes(kErrorResponse, ErrorResponse(kInvalidArgument, "no request in the message"),
                  response);
      return response;
  }
  if (file == nullptr) {
    AppendBytes(kErrorResponse, ErrorResponse(kNotFound, "not found: " + request.text), response);
    return response;
  }
  std::string files;
  // A file asked for again is sent again (the client asked), its imports only once.
  sent_files.erase(file->name());
  AppendFiles(file, sent_files, files);
  AppendBytes(kFileDescriptorResponse, files, response);
  return response;
}

}  // namespace maillage::gateway
