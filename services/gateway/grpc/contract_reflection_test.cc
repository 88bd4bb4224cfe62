// Server reflection over a contract pool, read back with the published reflection.proto
// (Debian's grpc-proto package) parsed at test time: the wire format is checked by an
// independent reading, and one stream goes through a real server whose generic service is the
// pass-through.
#include "services/gateway/grpc/contract_reflection.h"

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/server/client.h"
#include "common/server/server.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/client_callback.h"
#include "gtest/gtest.h"
#include "services/gateway/grpc/grpc_passthrough.h"

using maillage::testing::IsOk;

namespace maillage::gateway {
namespace {

using google::protobuf::Message;
using ::testing::ElementsAre;

// The echo contract (with its comments) and the reflection messages, compiled from their
// .proto files by protoc at test time into a pool of the test's own.
class ReflectionTest : public ::testing::Test {
 protected:
  ReflectionTest() {
    const std::string out = ::testing::TempDir() + "/reflection_test.pb";
    const std::string command =
        std::string("protoc --include_imports --include_source_info --proto_path=") +
        MAILLAGE_PROTO_DIR + " --proto_path=/usr/share/grpc-proto --descriptor_set_out=" + out +
        " maillage/testing/v1/echo.proto grpc/reflection/v1alpha/reflection.proto";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    std::ifstream in(out, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    google::protobuf::FileDescriptorSet set;
    EXPECT_TRUE(set.ParseFromString(bytes.str()));
    for (const auto& file : set.file()) EXPECT_NE(pool_.BuildFile(file), nullptr) << file.name();
    echo_file_ = pool_.FindFileByName("maillage/testing/v1/echo.proto");
    reflection_ = std::make_unique<ContractReflection>(
        pool_, std::vector<std::string>{"maillage.testing.v1.EchoService"});
  }

  std::unique_ptr<Message> New(const std::string& type) {
    const auto* descriptor = pool_.FindMessageTypeByName(type);
    EXPECT_NE(descriptor, nullptr) << type;
    return std::unique_ptr<Message>(factory_.GetPrototype(descriptor)->New());
  }

  // A request with string field `field` set to `value`.
  std::string Request(const std::string& field, const std::string& value) {
    std::unique_ptr<Message> request = New("grpc.reflection.v1alpha.ServerReflectionRequest");
    const auto* f = request->GetDescriptor()->FindFieldByName(field);
    request->GetReflection()->SetString(request.get(), f, value);
    return request->SerializeAsString();
  }

  std::unique_ptr<Message> Response(const std::string& bytes) {
    std::unique_ptr<Message> response = New("grpc.reflection.v1alpha.ServerReflectionResponse");
    EXPECT_TRUE(response->ParseFromString(bytes));
    return response;
  }

  // The file names of a file_descriptor_response, in order, and whether each has comments.
  std::vector<std::string> Files(const Message& response, bool* commented = nullptr) {
    const auto* field = response.GetDescriptor()->FindFieldByName("file_descriptor_response");
    const Message& files = response.GetReflection()->GetMessage(response, field);
    const auto* bytes = files.GetDescriptor()->FindFieldByName("file_descriptor_proto");
    std::vector<std::string> names;
    for (int i = 0; i < files.GetReflection()->FieldSize(files, bytes); ++i) {
      google::protobuf::FileDescriptorProto file;
      EXPECT_TRUE(file.ParseFromString(files.GetReflection()->GetRepeatedString(files, bytes, i)));
      names.push_back(file.name());
      if (commented != nullptr && file.name() == "maillage/testing/v1/echo.proto") {
        *commented = file.source_code_info().location_size() > 0;
      }
    }
    return names;
  }

  google::protobuf::DescriptorPool pool_;
  google::protobuf::DynamicMessageFactory factory_;
  const google::protobuf::FileDescriptor* echo_file_ = nullptr;
  std::unique_ptr<ContractReflection> reflection_;
};

TEST_F(ReflectionTest, ListsTheServicesItWasGiven) {
  std::set<std::string> sent;
  std::unique_ptr<Message> response =
      Response(reflection_->Answer(Request("list_services", ""), sent));
  EXPECT_NE(response->DebugString().find("maillage.testing.v1.EchoService"), std::string::npos)
      << response->DebugString();
}

TEST_F(ReflectionTest, FileContainingASymbolComesWithItsCommentsAndItsImportsOnce) {
  ASSERT_NE(echo_file_, nullptr);
  std::set<std::string> sent;
  bool commented = false;
  std::vector<std::string> first =
      Files(*Response(reflection_->Answer(
                Request("file_containing_symbol", "maillage.testing.v1.EchoService"), sent)),
            &commented);
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first.back(), "maillage/testing/v1/echo.proto");  // dependencies first
  EXPECT_TRUE(commented);
  EXPECT_GE(first.size(), 1u + echo_file_->dependency_count());
  // A method's name resolves to its file too; the imports already sent are not sent again.
  std::vector<std::string> second = Files(*Response(reflection_->Answer(
      Request("file_containing_symbol", "maillage.testing.v1.EchoService.Echo"), sent)));
  EXPECT_THAT(second, ElementsAre("maillage/testing/v1/echo.proto"));
  std::vector<std::string> by_name = Files(*Response(
      reflection_->Answer(Request("file_by_filename", "maillage/testing/v1/echo.proto"), sent)));
  EXPECT_THAT(by_name, ElementsAre("maillage/testing/v1/echo.proto"));
}

TEST_F(ReflectionTest, AnUnknownSymbolIsNotFoundOnTheStream) {
  std::set<std::string> sent;
  std::unique_ptr<Message> response =
      Response(reflection_->Answer(Request("file_containing_symbol", "no.such.Thing"), sent));
  const auto* field = response->GetDescriptor()->FindFieldByName("error_response");
  ASSERT_TRUE(response->GetReflection()->HasField(*response, field));
  const Message& error = response->GetReflection()->GetMessage(*response, field);
  EXPECT_EQ(
      error.GetReflection()->GetInt32(error, error.GetDescriptor()->FindFieldByName("error_code")),
      5);
}

// One request and its answer on a bidi stream, through the generic callback stub.
class OneExchange : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  explicit OneExchange(const std::string& request) {
    grpc::Slice slice(request);
    request_ = grpc::ByteBuffer(&slice, 1);
  }
  void Start() {
    StartWrite(&request_);
    StartRead(&response_);
    StartCall();
  }
  void OnWriteDone(bool) override { StartWritesDone(); }
  void OnReadDone(bool ok) override { read_ok_ = ok; }
  void OnDone(const grpc::Status& status) override {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
    done_ = true;
    cv_.notify_all();
  }
  grpc::Status Wait(std::string* answer) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return done_; });
    std::vector<grpc::Slice> slices;
    if (read_ok_ && response_.Dump(&slices).ok()) {
      for (const grpc::Slice& s : slices)
        answer->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    return status_;
  }

 private:
  grpc::ByteBuffer request_, response_;
  bool read_ok_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  grpc::Status status_;
};

TEST_F(ReflectionTest, ThePassThroughServesReflectionWithoutAdmissionOnBothVersions) {
  PassthroughOptions options;
  options.reflection = reflection_.get();
  int admissions = 0;
  absl::StatusOr<std::unique_ptr<GrpcPassthrough>> passthrough = GrpcPassthrough::Create(
      {},
      [&](const auto&, const std::string&, const std::string&) -> absl::StatusOr<AdmittedCall> {
        ++admissions;
        return absl::UnauthenticatedError("no key");
      },
      options);
  ASSERT_THAT(passthrough, IsOk());
  server::ServerOptions server_options;
  server_options.service_name = "gateway";
  server_options.host = "127.0.0.1";
  server_options.reflection = false;
  server::Server server(server_options, {});
  server.SetGenericService(passthrough->get());
  ASSERT_THAT(server.Start(), IsOk());
  server.SetServing(true);
  std::shared_ptr<grpc::Channel> channel =
      server::MakeChannel(absl::StrCat("127.0.0.1:", server.port()));
  grpc::GenericStub stub(channel);
  for (const char* method : {"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                             "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"}) {
    grpc::ClientContext context;
    OneExchange exchange(Request("list_services", ""));
    stub.PrepareBidiStreamingCall(&context, method, grpc::StubOptions(), &exchange);
    exchange.Start();
    std::string answer;
    grpc::Status status = exchange.Wait(&answer);
    EXPECT_TRUE(status.ok()) << method << ": " << status.error_message();
    EXPECT_NE(Response(answer)->DebugString().find("maillage.testing.v1.EchoService"),
              std::string::npos)
        << method;
  }
  EXPECT_EQ(admissions, 0);
  server.Shutdown();
}

}  // namespace
}  // namespace maillage::gateway
