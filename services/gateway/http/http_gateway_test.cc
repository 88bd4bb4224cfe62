// End-to-end tests of the HTTP gateway: a real in-process gRPC backend (the test-only
// BookshelfService and EchoService) on port 0, the gateway's HTTP and admin servers on port 0,
// and a cpp-httplib client.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/log/log.h"
#include "common/server/client.h"
#include "common/server/server.h"
#include "common/server/test_echo_service.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "maillage/testing/v1/transcoding.grpc.pb.h"
#include "prometheus/registry.h"
#include "services/gateway/http/admin_server.h"
#include "services/gateway/http/http_metrics.h"
#include "services/gateway/http/http_server.h"
#include "services/gateway/routing/backend_caller.h"
#include "services/gateway/routing/route_table.h"
#include "tests/support/hostile_clients.h"

using maillage::testing::IsOk;

namespace maillage::gateway {
namespace {

using maillage::testing::v1::ArchiveBookRequest;
using maillage::testing::v1::Book;
using maillage::testing::v1::BookshelfService;
using maillage::testing::v1::CreateBookRequest;
using maillage::testing::v1::DeleteBookRequest;
using maillage::testing::v1::DeleteBookResponse;
using maillage::testing::v1::ExportShelfRequest;
using maillage::testing::v1::GetBookCoverRequest;
using maillage::testing::v1::GetBookRequest;
using maillage::testing::v1::GetFileRequest;
using maillage::testing::v1::GetFileResponse;
using maillage::testing::v1::ListBooksRequest;
using maillage::testing::v1::ListBooksResponse;
using maillage::testing::v1::TagBookRequest;
using maillage::testing::v1::UpdateBookRequest;
using maillage::testing::v1::UploadBookCoverRequest;
using maillage::testing::v1::WatchBooksRequest;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr char kDomain[] = "testing.maillage";
constexpr size_t kMaxBody = 64 * 1024;
constexpr char kUuidPattern[] =
    "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

// A bookshelf whose answers let the tests see what the gateway sent.
class TestBookshelf final : public BookshelfService::Service {
 public:
  // The flaky book: the request id of each call received, and the failures still to answer.
  std::mutex mu_;
  std::vector<std::string> flaky_request_ids_;
  int flaky_failures_ = 0;

  grpc::Status GetBook(grpc::ServerContext* context, const GetBookRequest* request,
                       Book* book) override {
    if (request->name() == "shelves/1/books/flaky") {  // UNAVAILABLE while failures are left
      auto id = context->client_metadata().find("x-request-id");
      std::lock_guard<std::mutex> lock(mu_);
      flaky_request_ids_.push_back(id == context->client_metadata().end()
                                       ? ""
                                       : std::string(id->second.data(), id->second.size()));
      if (flaky_failures_ > 0) {
        --flaky_failures_;
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting");
      }
    }
    if (request->name() == "shelves/1/books/missing") {
      return ToGrpcStatus(
          NotFound(kDomain, "BOOK_NOT_FOUND", "no such book", {{"name", request->name()}}),
          kDomain);
    }
    book->set_name(request->name());
    book->set_title("Germinal");
    book->set_page_count(591);
    return grpc::Status::OK;
  }

  // Echoes the request it received.
  grpc::Status ListBooks(grpc::ServerContext*, const ListBooksRequest* request,
                         ListBooksResponse* response) override {
    *response->mutable_request() = *request;
    return grpc::Status::OK;
  }

  grpc::Status CreateBook(grpc::ServerContext*, const CreateBookRequest* request,
                          Book* book) override {
    FieldViolations violations;
    if (request->book().title().empty()) violations.Add("book.title", "required");
    if (request->book().page_count() < 0) violations.Add("book.page_count", "negative");
    if (!violations.empty()) return ToGrpcStatus(violations.ToStatus(kDomain), kDomain);
    *book = request->book();
    book->set_name(request->parent() + "/books/new");
    if (!request->request_id().empty()) book->set_etag("request-" + request->request_id());
    return grpc::Status::OK;
  }

  // Returns the book with its etag set to the update mask it received, then "|" and the etag it
  // received when there was one.
  grpc::Status UpdateBook(grpc::ServerContext*, const UpdateBookRequest* request,
                          Book* book) override {
    *book = request->book();
    book->set_etag(absl::StrJoin(request->update_mask().paths(), ","));
    if (!request->book().etag().empty()) {
      book->set_etag(absl::StrCat(book->etag(), "|", request->book().etag()));
    }
    return grpc::Status::OK;
  }

  grpc::Status DeleteBook(grpc::ServerContext*, const DeleteBookRequest*,
                          DeleteBookResponse*) override {
    return grpc::Status::OK;
  }

  grpc::Status ArchiveBook(grpc::ServerContext*, const ArchiveBookRequest* request,
                           Book* book) override {
    book->set_name(request->name());
    book->set_title(request->reason());
    return grpc::Status::OK;
  }

  grpc::Status TagBook(grpc::ServerContext*, const TagBookRequest* request, Book* book) override {
    book->set_name(request->name());
    *book->mutable_tags() = request->tags();
    return grpc::Status::OK;
  }

  grpc::Status GetBookCover(grpc::ServerContext*, const GetBookCoverRequest*,
                            google::api::HttpBody* body) override {
    body->set_content_type("image/png");
    body->set_data(std::string("\x89PNG\r\n\x1a\n\0\x01", 10));
    return grpc::Status::OK;
  }

  // Returns the book with its title "<content type> <size>" of the cover received.
  grpc::Status UploadBookCover(grpc::ServerContext*, const UploadBookCoverRequest* request,
                               Book* book) override {
    book->set_name(request->name());
    book->set_title(request->cover().content_type() + " " +
                    std::to_string(request->cover().data().size()));
    return grpc::Status::OK;
  }

  grpc::Status ExportShelf(grpc::ServerContext*, const ExportShelfRequest* request,
                           grpc::ServerWriter<google::api::HttpBody>* writer) override {
    for (int i = 0; i < request->chunks(); ++i) {
      google::api::HttpBody chunk;
      chunk.set_content_type("text/csv");
      chunk.set_data("row " + std::to_string(i) + "\n");
      writer->Write(chunk);
    }
    if (request->fail_code() != 0) {
      return grpc::Status(static_cast<grpc::StatusCode>(request->fail_code()), "export failed");
    }
    return grpc::Status::OK;
  }

  grpc::Status WatchBooks(grpc::ServerContext*, const WatchBooksRequest* request,
                          grpc::ServerWriter<Book>* writer) override {
    for (int i = 0; i < 3; ++i) {
      Book book;
      book.set_name(request->parent() + "/books/" + std::to_string(i));
      writer->Write(book);
    }
    return grpc::Status::OK;
  }

  grpc::Status ImportBooks(grpc::ServerContext*,
                           grpc::ServerReader<maillage::testing::v1::ImportBooksRequest>* reader,
                           maillage::testing::v1::ImportBooksResponse* response) override {
    maillage::testing::v1::ImportBooksRequest request;
    while (reader->Read(&request)) {
      if (request.book().title().empty()) {
        return ToGrpcStatus(InvalidField(kDomain, "book.title", "required"), kDomain);
      }
      response->add_titles(request.book().title());
    }
    return grpc::Status::OK;
  }

  // Answers each book with its page count doubled.
  grpc::Status ReviewBooks(grpc::ServerContext*,
                           grpc::ServerReaderWriter<Book, Book>* stream) override {
    Book book;
    while (stream->Read(&book)) {
      book.set_page_count(book.page_count() * 2);
      stream->Write(book);
    }
    return grpc::Status::OK;
  }

  grpc::Status GetFile(grpc::ServerContext*, const GetFileRequest* request,
                       GetFileResponse* response) override {
    response->set_path(request->path());
    return grpc::Status::OK;
  }
};

// A loopback port that was free a moment ago: nothing listens there.
int UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

google::protobuf::Struct ParseJson(const std::string& json) {
  google::protobuf::Struct out;
  EXPECT_THAT(google::protobuf::util::JsonStringToMessage(json, &out), IsOk()) << json;
  return out;
}

const google::protobuf::Value& Field(const google::protobuf::Struct& s, const std::string& key) {
  static const google::protobuf::Value kMissing;
  auto it = s.fields().find(key);
  EXPECT_NE(it, s.fields().end()) << "no field " << key;
  return it == s.fields().end() ? kMissing : it->second;
}

// Checks an AIP-193 envelope: code, status, and the reason and domain of its ErrorInfo.
void ExpectEnvelope(const httplib::Result& result, int http_status, const std::string& status,
                    const std::string& reason, const std::string& domain) {
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, http_status) << result->body;
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
  google::protobuf::Struct body = ParseJson(result->body);
  const google::protobuf::Struct& error = Field(body, "error").struct_value();
  EXPECT_EQ(Field(error, "code").number_value(), http_status);
  EXPECT_EQ(Field(error, "status").string_value(), status);
  EXPECT_FALSE(Field(error, "message").string_value().empty());
  const google::protobuf::ListValue& details = Field(error, "details").list_value();
  ASSERT_GE(details.values_size(), 1) << result->body;
  const google::protobuf::Struct& info = details.values(0).struct_value();
  EXPECT_EQ(Field(info, "@type").string_value(), "type.googleapis.com/google.rpc.ErrorInfo");
  EXPECT_EQ(Field(info, "reason").string_value(), reason) << result->body;
  EXPECT_EQ(Field(info, "domain").string_value(), domain);
}

class HttpGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::ServerOptions options;
    options.host = "127.0.0.1";
    backend_ =
        std::make_unique<server::Server>(options, std::vector<grpc::Service*>{&bookshelf_, &echo_});
    ASSERT_THAT(backend_->Start(), IsOk());
    backend_->SetServing(true);
    channel_ = server::MakeChannel("127.0.0.1:" + std::to_string(backend_->port()));
    http_port_ = StartGateway(channel_);
  }

  void TearDown() override {
    for (auto& gateway : gateways_) gateway->Stop();
    backend_->Shutdown();
  }

  // Starts a gateway whose backend for both test services is `channel`; returns its port.
  int StartGateway(std::shared_ptr<grpc::Channel> channel,
                   const std::function<void(HttpServerOptions&)>& tune = nullptr) {
    absl::StatusOr<RouteTable> routes = RouteTable::Build(
        {"maillage.testing.v1.BookshelfService", "maillage.testing.v1.EchoService"});
    EXPECT_THAT(routes, IsOk()) << routes.status();
    routes_.push_back(std::make_unique<RouteTable>(*std::move(routes)));
    callers_.push_back(
        std::make_unique<BackendCaller>(std::map<std::string, std::shared_ptr<grpc::Channel>>{
            {"maillage.testing.v1.BookshelfService", channel},
            {"maillage.testing.v1.EchoService", channel}}));
    HttpServerOptions options;
    options.listener.threads = 8;
    options.listener.max_body_bytes = kMaxBody;
    options.timeouts.default_timeout = std::chrono::seconds(5);
    options.timeouts.max_timeout = std::chrono::seconds(10);
    if (tune) tune(options);
    gateways_.push_back(
        std::make_unique<GatewayHttpServer>(*routes_.back(), *callers_.back(), metrics_, options));
    absl::StatusOr<int> port = gateways_.back()->Start("127.0.0.1", 0);
    EXPECT_THAT(port, IsOk()) << port.status();
    return port.ok() ? *port : 0;
  }

  httplib::Client Client(int port = 0) {
    httplib::Client client("127.0.0.1", port == 0 ? http_port_ : port);
    client.set_read_timeout(std::chrono::seconds(10));
    return client;
  }

  TestBookshelf bookshelf_;
  server::TestEchoService echo_{"backend-1"};
  std::unique_ptr<server::Server> backend_;
  std::shared_ptr<grpc::Channel> channel_;
  prometheus::Registry registry_;
  HttpMetrics metrics_{registry_};
  std::vector<std::unique_ptr<RouteTable>> routes_;
  std::vector<std::unique_ptr<BackendCaller>> callers_;
  std::vector<std::unique_ptr<GatewayHttpServer>> gateways_;
  int http_port_ = 0;
};

TEST_F(HttpGatewayTest, GetReturnsTheResourceWithDefaultsEmitted) {
  httplib::Result r = Client().Get("/v1/shelves/1/books/2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  google::protobuf::Struct book = ParseJson(r->body);
  EXPECT_EQ(Field(book, "name").string_value(), "shelves/1/books/2");
  EXPECT_EQ(Field(book, "title").string_value(), "Germinal");
  EXPECT_EQ(Field(book, "pageCount").string_value(), "591");
  EXPECT_EQ(Field(book, "available").kind_case(), google::protobuf::Value::kBoolValue);
  EXPECT_FALSE(Field(book, "available").bool_value());
  EXPECT_EQ(Field(book, "etag").string_value(), "");
}

TEST_F(HttpGatewayTest, ListCarriesQueryParameters) {
  httplib::Result r = Client().Get(
      "/v1/shelves/s1/books?pageSize=5&tags=a&tags=b%20c&author.name=Zola&genre=GENRE_ESSAY"
      "&availableOnly=true&minPages=12345678901");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  ListBooksResponse response;
  ASSERT_THAT(google::protobuf::util::JsonStringToMessage(r->body, &response), IsOk()) << r->body;
  EXPECT_EQ(response.request().parent(), "shelves/s1");
  EXPECT_EQ(response.request().page_size(), 5);
  EXPECT_THAT(response.request().tags(), ::testing::ElementsAre("a", "b c"));
  EXPECT_EQ(response.request().author().name(), "Zola");
  EXPECT_EQ(response.request().genre(), Book::GENRE_ESSAY);
  EXPECT_TRUE(response.request().available_only());
  EXPECT_EQ(response.request().min_pages(), 12345678901);
}

TEST_F(HttpGatewayTest, QueryComesFromTheUrlOnlyWhateverTheContentType) {
  httplib::Client client = Client();
  // curl -d sends JSON as a form: it is still the body.
  httplib::Result r =
      client.Post("/v1/echo", R"({"message":"a+b c"})", "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Field(ParseJson(r->body), "message").string_value(), "a+b c");
  client.set_url_encode(false);  // send the query exactly as written
  r = client.Get("/v1/shelves/s1/books?filter=a+b%2Bc%26d&author.name=%C3%89mile");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  ListBooksResponse response;
  ASSERT_THAT(google::protobuf::util::JsonStringToMessage(r->body, &response), IsOk()) << r->body;
  EXPECT_EQ(response.request().filter(), "a b+c&d");
  EXPECT_EQ(response.request().author().name(), "\xC3\x89mile");
}

TEST_F(HttpGatewayTest, EtagTravelsInHeadersAndIdempotencyKeyAsRequestId) {
  httplib::Client client = Client();
  httplib::Result patched =
      client.Patch("/v1/shelves/s1/books/b1", httplib::Headers{{"If-Match", "\"r7\""}},
                   R"({"title":"Nana","updateTime":"2024-01-01T00:00:00Z"})", "application/json");
  ASSERT_TRUE(patched);
  EXPECT_EQ(patched->status, 200) << patched->body;
  // The backend got etag r7 and a mask without the output-only field; its answer's etag
  // comes back as the ETag header, quoted.
  EXPECT_EQ(Field(ParseJson(patched->body), "etag").string_value(), "title|r7");
  EXPECT_EQ(patched->get_header_value("ETag"), "\"title|r7\"");

  // The JSON body field keeps working, and the etag is never part of the derived mask.
  patched = client.Patch("/v1/shelves/s1/books/b1", R"({"title":"Nana","etag":"r7"})",
                         "application/json");
  ASSERT_TRUE(patched);
  EXPECT_EQ(Field(ParseJson(patched->body), "etag").string_value(), "title|r7");

  httplib::Result conflicting =
      client.Patch("/v1/shelves/s1/books/b1", httplib::Headers{{"If-Match", "\"r8\""}},
                   R"({"title":"Nana","etag":"r7"})", "application/json");
  ASSERT_TRUE(conflicting);
  EXPECT_EQ(conflicting->status, 400) << conflicting->body;

  httplib::Result created =
      client.Post("/v1/shelves/s1/books", httplib::Headers{{"Idempotency-Key", "k-1"}},
                  R"({"title":"Nana"})", "application/json");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 200) << created->body;
  EXPECT_EQ(Field(ParseJson(created->body), "etag").string_value(), "request-k-1");
  EXPECT_EQ(created->get_header_value("ETag"), "\"request-k-1\"");
}

TEST_F(HttpGatewayTest, PostPatchDeleteRoundTrips) {
  httplib::Client client = Client();
  httplib::Result created = client.Post(
      "/v1/shelves/s1/books", R"({"title":"Nana","pageCount":"400"})", "application/json");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 200) << created->body;
  google::protobuf::Struct book = ParseJson(created->body);
  EXPECT_EQ(Field(book, "name").string_value(), "shelves/s1/books/new");
  EXPECT_EQ(Field(book, "pageCount").string_value(), "400");

  httplib::Result patched = client.Patch(
      "/v1/shelves/s1/books/b1", R"({"title":"Nana","available":false})", "application/json");
  ASSERT_TRUE(patched);
  EXPECT_EQ(patched->status, 200) << patched->body;
  book = ParseJson(patched->body);
  EXPECT_EQ(Field(book, "name").string_value(), "shelves/s1/books/b1");
  EXPECT_EQ(Field(book, "etag").string_value(), "title,available");

  httplib::Result deleted = client.Delete("/v1/shelves/s1/books/b1?force=true");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 200) << deleted->body;
  EXPECT_EQ(deleted->body, "{}");

  httplib::Result archived = client.Post("/v1/shelves/s1/books/b1:archive",
                                         R"({"reason":"worn out"})", "application/json");
  ASSERT_TRUE(archived);
  EXPECT_EQ(archived->status, 200) << archived->body;
  EXPECT_EQ(Field(ParseJson(archived->body), "title").string_value(), "worn out");
}

TEST_F(HttpGatewayTest, UnknownRouteIsNotFound) {
  ExpectEnvelope(Client().Get("/v1/nothing/here"), 404, "NOT_FOUND", "ROUTE_NOT_FOUND",
                 "gateway.maillage");
}

TEST_F(HttpGatewayTest, WrongMethodIsMethodNotAllowedWithAllow) {
  httplib::Result r = Client().Post("/v1/shelves/1/books/2", "{}", "application/json");
  ExpectEnvelope(r, 405, "UNIMPLEMENTED", "METHOD_NOT_ALLOWED", "gateway.maillage");
  EXPECT_EQ(r->get_header_value("Allow"), "DELETE, GET, PATCH");
}

TEST_F(HttpGatewayTest, OversizedBodyIsRefused) {
  httplib::Result r = Client().Post("/v1/echo", std::string(kMaxBody + 1, ' '), "application/json");
  ExpectEnvelope(r, 413, "INVALID_ARGUMENT", "BODY_TOO_LARGE", "gateway.maillage");
  EXPECT_EQ(echo_.echo_calls_started(), 0);
}

TEST_F(HttpGatewayTest, MalformedJsonAndUnknownFieldsAreBadRequests) {
  httplib::Client client = Client();
  ExpectEnvelope(client.Post("/v1/echo", "{\"message\":", "application/json"), 400,
                 "INVALID_ARGUMENT", "MALFORMED_JSON", "gateway.maillage");
  httplib::Result r = client.Post("/v1/echo", R"({"mesage":"x"})", "application/json");
  ExpectEnvelope(r, 400, "INVALID_ARGUMENT", "UNKNOWN_FIELD", "gateway.maillage");
  EXPECT_THAT(r->body, HasSubstr(R"("field":"mesage")"));
  EXPECT_THAT(r->body, HasSubstr("type.googleapis.com/google.rpc.BadRequest"));
  ExpectEnvelope(client.Get("/v1/shelves/1/books?pageSize=ten"), 400, "INVALID_ARGUMENT",
                 "INVALID_QUERY_PARAMETER", "gateway.maillage");
  ExpectEnvelope(client.Get("/v1/shelves/1/books?colour=red"), 400, "INVALID_ARGUMENT",
                 "UNKNOWN_QUERY_PARAMETER", "gateway.maillage");
  EXPECT_EQ(echo_.echo_calls_started(), 0);
}

TEST_F(HttpGatewayTest, InvalidUtf8InAJsonStringIsABadRequestNamingTheField) {
  httplib::Client client = Client();
  // Raw bytes that are not UTF-8 inside the JSON string, then a lone surrogate escape.
  for (const std::string& body :
       {std::string("{\"message\":\"Caf\xC3(\"}"), std::string(R"({"message":"x\ud800y"})")}) {
    httplib::Result r = client.Post("/v1/echo", body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;
    EXPECT_THAT(r->body, HasSubstr(R"("status":"INVALID_ARGUMENT")"));
    EXPECT_THAT(r->body, HasSubstr(R"("field":"message")"));
  }
  EXPECT_EQ(echo_.echo_calls_started(), 0);
}

TEST_F(HttpGatewayTest, BackendErrorsKeepTheirDetails) {
  httplib::Client client = Client();
  httplib::Result r = client.Get("/v1/shelves/1/books/missing");
  ExpectEnvelope(r, 404, "NOT_FOUND", "BOOK_NOT_FOUND", kDomain);
  EXPECT_THAT(r->body, HasSubstr(R"("metadata":{"name":"shelves/1/books/missing"})"));

  r = client.Post("/v1/shelves/s1/books", R"({"pageCount":"-1"})", "application/json");
  ExpectEnvelope(r, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", kDomain);
  google::protobuf::Struct body = ParseJson(r->body);
  const auto& details = Field(Field(body, "error").struct_value(), "details").list_value();
  // ErrorInfo, BadRequest and, for people, a French LocalizedMessage (common/status/localized.h).
  ASSERT_EQ(details.values_size(), 3) << r->body;
  const google::protobuf::Struct& bad_request = details.values(1).struct_value();
  EXPECT_EQ(Field(bad_request, "@type").string_value(),
            "type.googleapis.com/google.rpc.BadRequest");
  const auto& violations = Field(bad_request, "fieldViolations").list_value();
  ASSERT_EQ(violations.values_size(), 2);
  const auto& french_field = Field(violations.values(0).struct_value(), "localizedMessage");
  EXPECT_EQ(Field(french_field.struct_value(), "locale").string_value(), "fr-FR");
  EXPECT_EQ(Field(french_field.struct_value(), "message").string_value(),
            "« book.title » : obligatoire.");
  const google::protobuf::Struct& french = details.values(2).struct_value();
  EXPECT_EQ(Field(french, "@type").string_value(),
            "type.googleapis.com/google.rpc.LocalizedMessage");
  EXPECT_EQ(Field(french, "locale").string_value(), "fr-FR");
}

TEST_F(HttpGatewayTest, BackendCodesMapToHttpStatuses) {
  const std::vector<std::pair<int, int>> cases = {
      {1, 499}, {2, 500},  {3, 400},  {4, 504},  {5, 404},  {6, 409},  {7, 403},  {8, 429},
      {9, 400}, {10, 409}, {11, 400}, {12, 501}, {13, 500}, {14, 503}, {15, 500}, {16, 401}};
  httplib::Client client = Client();
  for (const auto& [code, http_status] : cases) {
    httplib::Result r =
        client.Post("/v1/echo:fail", R"({"code":)" + std::to_string(code) + R"(,"message":"boom"})",
                    "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, http_status) << "code " << code << ": " << r->body;
    google::protobuf::Struct body = ParseJson(r->body);
    const google::protobuf::Struct& error = Field(body, "error").struct_value();
    EXPECT_EQ(Field(error, "code").number_value(), http_status);
    EXPECT_EQ(Field(error, "message").string_value(), "boom");
    // A backend error without details still gets an ErrorInfo.
    EXPECT_THAT(r->body, HasSubstr(R"("domain":"gateway.maillage")"));
  }
}

TEST_F(HttpGatewayTest, RequestIdIsPassedToTheBackendAndEchoed) {
  httplib::Client client = Client();
  httplib::Headers headers = {
      {"X-Request-Id", "req-42"},
      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
  httplib::Result r = client.Post("/v1/echo", headers, R"({"message":"hi"})", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("X-Request-Id"), "req-42");
  EXPECT_EQ(Field(ParseJson(r->body), "requestId").string_value(), "req-42");
  EXPECT_EQ(echo_.last_seen().thread_traceparent,
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

  r = client.Post("/v1/echo", R"({"message":"hi"})", "application/json");
  ASSERT_TRUE(r);
  const std::string generated = r->get_header_value("X-Request-Id");
  EXPECT_THAT(generated, MatchesRegex(kUuidPattern));
  EXPECT_EQ(Field(ParseJson(r->body), "requestId").string_value(), generated);

  // Errors carry it too.
  r = client.Get("/v1/nothing", {{"X-Request-Id", "req-43"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("X-Request-Id"), "req-43");
}

TEST_F(HttpGatewayTest, SlowBackendGivesGatewayTimeoutAtTheRequestedDeadline) {
  httplib::Client client = Client();
  for (const auto& header : std::vector<std::pair<std::string, std::string>>{
           {"X-Request-Timeout", "200ms"}, {"grpc-timeout", "200m"}}) {
    auto start = std::chrono::steady_clock::now();
    httplib::Result r = client.Post("/v1/echo", {{header.first, header.second}},
                                    R"({"message":"slow","delayMs":3000})", "application/json");
    auto elapsed = std::chrono::steady_clock::now() - start;
    ExpectEnvelope(r, 504, "DEADLINE_EXCEEDED", "DEADLINE_EXCEEDED", "gateway.maillage");
    EXPECT_LT(elapsed, std::chrono::milliseconds(1500)) << header.first;
    EXPECT_GE(elapsed, std::chrono::milliseconds(150)) << header.first;
  }
  ExpectEnvelope(client.Post("/v1/echo", {{"X-Request-Timeout", "soon"}}, "{}", "application/json"),
                 400, "INVALID_ARGUMENT", "INVALID_REQUEST_TIMEOUT", "gateway.maillage");
}

TEST_F(HttpGatewayTest, BackendDownIsServiceUnavailable) {
  int port = StartGateway(server::MakeChannel("127.0.0.1:" + std::to_string(UnusedPort())));
  auto start = std::chrono::steady_clock::now();
  ExpectEnvelope(Client(port).Get("/v1/shelves/1/books/2"), 503, "UNAVAILABLE", "UNAVAILABLE",
                 "gateway.maillage");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(HttpGatewayTest, HttpBodyIsServedRawAndReceivedRaw) {
  httplib::Client client = Client();
  httplib::Result r = client.Get("/v1/shelves/1/books/2/cover");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(r->body, std::string("\x89PNG\r\n\x1a\n\0\x01", 10));

  r = client.Put("/v1/shelves/1/books/2/cover", std::string(1000, '\xff'), "image/jpeg");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Field(ParseJson(r->body), "title").string_value(), "image/jpeg 1000");
}

TEST_F(HttpGatewayTest, ServerStreamingHttpBodyIsChunked) {
  httplib::Client client = Client();
  httplib::Result r = client.Get("/v1/shelves/1/books:export?chunks=3");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/csv");
  EXPECT_EQ(r->get_header_value("Transfer-Encoding"), "chunked");
  EXPECT_EQ(r->body, "row 0\nrow 1\nrow 2\n");

  // A failure before the first chunk is an ordinary error answer.
  ExpectEnvelope(client.Get("/v1/shelves/1/books:export?chunks=0&failCode=5"), 404, "NOT_FOUND",
                 "NOT_FOUND", "gateway.maillage");
  // A failure after it cuts the body short: the client cannot take it for a complete export.
  r = client.Get("/v1/shelves/1/books:export?chunks=2&failCode=13");
  EXPECT_TRUE(!r || r->body != "row 0\nrow 1\n");
}

TEST_F(HttpGatewayTest, ServerStreamingMessagesAreNewlineDelimitedJson) {
  httplib::Result r = Client().Get("/v1/shelves/7/books:watch");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/x-ndjson");
  std::vector<std::string> lines = absl::StrSplit(r->body, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << r->body;
  EXPECT_EQ(Field(ParseJson(lines[2]), "name").string_value(), "shelves/7/books/2");
}

TEST_F(HttpGatewayTest, ClientStreamingTakesJsonObjectsFromTheBody) {
  httplib::Client client = Client();
  httplib::Result r = client.Post("/v1/books:import",
                                  "{\"book\":{\"title\":\"a\"}}\n{\"book\":{\"title\":\"b\"}}\n",
                                  "application/x-ndjson");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, R"({"titles":["a","b"]})");
  r = client.Post("/v1/books:import", "", "application/x-ndjson");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, R"({"titles":[]})");
  ExpectEnvelope(client.Post("/v1/books:import", R"({"book":{"title":"a"}} {"book":{}})",
                             "application/x-ndjson"),
                 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", kDomain);
  ExpectEnvelope(client.Post("/v1/books:import", R"({"book":{"title":"a"}} {"bok":{}})",
                             "application/x-ndjson"),
                 400, "INVALID_ARGUMENT", "UNKNOWN_FIELD", "gateway.maillage");
}

TEST_F(HttpGatewayTest, BidirectionalStreamingAnswersNewlineDelimitedJson) {
  httplib::Result r = Client().Post("/v1/books:review",
                                    R"({"name":"a","pageCount":"1"} {"name":"b","pageCount":"21"})",
                                    "application/x-ndjson");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/x-ndjson");
  std::vector<std::string> lines = absl::StrSplit(r->body, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << r->body;
  EXPECT_EQ(Field(ParseJson(lines[0]), "pageCount").string_value(), "2");
  EXPECT_EQ(Field(ParseJson(lines[1]), "pageCount").string_value(), "42");
}

TEST_F(HttpGatewayTest, RepeatedBodyAndWildcardPaths) {
  httplib::Client client = Client();
  httplib::Result r = client.Post("/v1/shelves/1/books/2:tag", R"(["a","b"])", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_THAT(r->body, HasSubstr(R"("tags":["a","b"])"));
  r = client.Get("/v1/files/docs/2023/report%20final.pdf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Field(ParseJson(r->body), "path").string_value(), "docs/2023/report final.pdf");
}

TEST_F(HttpGatewayTest, MetricsCountRequestsByRoute) {
  httplib::Client client = Client();
  ASSERT_TRUE(client.Get("/v1/shelves/1/books/2"));
  ASSERT_TRUE(client.Get("/v1/nothing"));
  AdminHttpServer admin({{"testing", channel_}}, registry_);
  absl::StatusOr<int> port = admin.Start("127.0.0.1", 0);
  ASSERT_THAT(port, IsOk()) << port.status();
  httplib::Client admin_client("127.0.0.1", *port);
  httplib::Result r = admin_client.Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(
      r->body,
      HasSubstr(
          R"(http_requests_total{code="200",method="GET",route="/v1/{name=shelves/*/books/*}"} 1)"));
  EXPECT_THAT(r->body,
              HasSubstr(R"(http_requests_total{code="404",method="GET",route="unmatched"} 1)"));
  EXPECT_THAT(r->body, HasSubstr("http_request_duration_seconds_bucket"));
}

TEST_F(HttpGatewayTest, AdminReportsHealthAndReadiness) {
  AdminHttpServer admin(
      {{"testing", channel_},
       {"down", server::MakeChannel("127.0.0.1:" + std::to_string(UnusedPort()))}},
      registry_, std::chrono::milliseconds(500));
  AdminHttpServer ready_admin({{"testing", channel_}}, registry_);
  absl::StatusOr<int> port = admin.Start("127.0.0.1", 0);
  absl::StatusOr<int> ready_port = ready_admin.Start("127.0.0.1", 0);
  ASSERT_THAT(port, IsOk());
  ASSERT_THAT(ready_port, IsOk());
  httplib::Client client("127.0.0.1", *port);
  httplib::Client ready_client("127.0.0.1", *ready_port);

  httplib::Result r = client.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);

  // Not serving until start-up is done, even with every backend SERVING.
  r = ready_client.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_THAT(r->body, HasSubstr(R"("gateway":"NOT_SERVING")"));
  ready_admin.SetServing(true);
  r = ready_client.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_THAT(r->body, HasSubstr(R"("testing":"SERVING")"));

  admin.SetServing(true);
  r = client.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_THAT(r->body, HasSubstr(R"("testing":"SERVING")"));
  EXPECT_THAT(r->body, HasSubstr(R"("down":"UNREACHABLE)"));

  backend_->SetServing(false);
  r = ready_client.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_THAT(r->body, HasSubstr(R"("testing":"NOT_SERVING")"));
}

// Slow sockets (a header byte every 200 ms, never finished) hold no worker: with 2 workers and
// 60 such sockets, other clients are answered at once, and each slow socket is closed at the
// header timeout.
TEST_F(HttpGatewayTest, SlowSocketsHoldNoWorkerAndAreClosedAtTheHeaderTimeout) {
  GatewayHttpServer* gateway = nullptr;
  const int port = StartGateway(channel_, [](HttpServerOptions& options) {
    options.listener.threads = 2;
    options.listener.header_timeout = std::chrono::milliseconds(1500);
  });
  gateway = gateways_.back().get();
  maillage::testing::SlowLoris slow(port, 60, std::chrono::milliseconds(200), "127.0.0.2");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_GE(slow.open(), 50);
  httplib::Client client = Client(port);
  for (int i = 0; i < 10; ++i) {
    const auto start = std::chrono::steady_clock::now();
    httplib::Result r = client.Get("/v1/shelves/1/books/2");
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500)) << i;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  EXPECT_GE(slow.closed_by_server(), 50);
  EXPECT_GE(gateway->listener_stats().timed_out.load(), 50);
}

// Past the connections allowed per address, a new connection gets 503 and is closed; another
// address is still served.
TEST_F(HttpGatewayTest, ConnectionsPerAddressAreBoundedWith503) {
  const int port = StartGateway(channel_, [](HttpServerOptions& options) {
    options.listener.max_connections_per_address = 4;
  });
  std::vector<int> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(maillage::testing::ConnectFrom("127.0.0.2", port));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  int extra = maillage::testing::ConnectFrom("127.0.0.2", port);
  ASSERT_GE(extra, 0);
  std::string body;
  EXPECT_EQ(
      maillage::testing::RawExchange(extra, "GET /v1/shelves/1/books/2 HTTP/1.1\r\nHost: x\r\n\r\n",
                                     std::chrono::seconds(5), &body),
      503);
  EXPECT_THAT(body, HasSubstr("GATEWAY_SATURATED"));
  ::close(extra);
  int other = maillage::testing::ConnectFrom("127.0.0.3", port);
  EXPECT_EQ(
      maillage::testing::RawExchange(other, "GET /v1/shelves/1/books/2 HTTP/1.1\r\nHost: x\r\n\r\n",
                                     std::chrono::seconds(5)),
      200);
  ::close(other);
  for (int fd : idle) ::close(fd);
}

// When every worker is busy and the queue is full, a request gets 503 at once instead of
// waiting behind the others.
TEST_F(HttpGatewayTest, SaturatedWorkersAnswer503AtOnce) {
  const int port = StartGateway(channel_, [](HttpServerOptions& options) {
    options.listener.threads = 1;
    options.listener.max_queued = 0;
  });
  std::thread busy([&] {
    httplib::Client client = Client(port);
    httplib::Result r =
        client.Post("/v1/echo", R"({"message":"slow","delayMs":1500})", "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  httplib::Result r = Client(port).Get("/v1/shelves/1/books/2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_THAT(r->body, HasSubstr("GATEWAY_SATURATED"));
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  busy.join();
}

// Runs a shell command; its exit code and output (stdout and stderr).
std::pair<int, std::string> Shell(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// A private CA and a certificate for 127.0.0.1 signed by it, made with the openssl tool.
struct TestCertificates {
  explicit TestCertificates(const std::string& dir, const std::string& name = "server")
      : ca(dir + "/ca.pem"), cert(dir + "/" + name + ".pem"), key(dir + "/" + name + ".key") {
    std::filesystem::create_directories(dir);
    const std::string ca_key = dir + "/ca.key";
    if (!std::filesystem::exists(ca)) {
      Run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=maillage-test-ca -keyout " +
          ca_key + " -out " + ca);
    }
    Run("openssl req -newkey rsa:2048 -nodes -subj /CN=" + name + " -keyout " + key + " -out " +
        dir + "/" + name + ".csr");
    std::ofstream(dir + "/san.ext") << "subjectAltName=IP:127.0.0.1\n";
    Run("openssl x509 -req -days 2 -in " + dir + "/" + name + ".csr -CA " + ca + " -CAkey " +
        ca_key + " -CAcreateserial -extfile " + dir + "/san.ext -out " + cert);
  }
  static void Run(const std::string& command) {
    auto [code, output] = Shell(command);
    EXPECT_EQ(code, 0) << command << "\n" << output;
  }
  std::string ca, cert, key;
};

// GET over TLS with curl: its exit code and what it printed (status code, or the error).
std::pair<int, std::string> CurlTls(int port, const std::string& ca) {
  return Shell(absl::StrCat("curl -sS -o /dev/null -w '%{http_code}' --max-time 5 ",
                            ca.empty() ? "" : "--cacert " + ca + " ", "https://127.0.0.1:", port,
                            "/v1/shelves/1/books/2"));
}

// With a certificate and key, the door speaks HTTPS: a client that trusts the CA is served, a
// client without it refuses the handshake, a plain-HTTP request gets nothing; a new certificate
// written over the files is served to the connections that follow.
TEST_F(HttpGatewayTest, ServesHttpsWithTheGivenCertificateAndReloadsIt) {
  const std::string dir = ::testing::TempDir() + "/gateway-tls-" + std::to_string(::getpid());
  TestCertificates first(dir);
  const int port = StartGateway(channel_, [&](HttpServerOptions& options) {
    options.listener.tls_cert_file = first.cert;
    options.listener.tls_key_file = first.key;
    options.listener.tls_reload_interval = std::chrono::milliseconds(100);
  });
  ASSERT_GT(port, 0);
  auto [code, output] = CurlTls(port, first.ca);
  EXPECT_EQ(code, 0) << output;
  EXPECT_EQ(output, "200");
  auto [refused, why] = CurlTls(port, "");
  EXPECT_NE(refused, 0) << why;  // 60: the peer's certificate is not trusted
  EXPECT_THAT(why, HasSubstr("certificate"));
  EXPECT_FALSE(Client(port).Get("/v1/shelves/1/books/2")) << "plain HTTP on the HTTPS port";

  // A new certificate (another subject) replaces the files.
  TestCertificates second(dir, "renewed");
  std::filesystem::copy_file(second.cert, first.cert,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(second.key, first.key,
                             std::filesystem::copy_options::overwrite_existing);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CurlTls(port, first.ca);  // the connection whose accept notices the change
  auto [shown, subject] = Shell(absl::StrCat("openssl s_client -connect 127.0.0.1:", port,
                                             " -CAfile ", first.ca, " </dev/null"));
  EXPECT_EQ(shown, 0) << subject;
  EXPECT_THAT(subject, HasSubstr("CN = renewed"));
  EXPECT_THAT(subject, HasSubstr("Verify return code: 0 (ok)"));
}

// A certificate that does not load stops the start with INVALID_ARGUMENT.
TEST_F(HttpGatewayTest, UnloadableCertificateIsRefusedAtStart) {
  HttpServerOptions options;
  options.listener.tls_cert_file = "/nonexistent/cert.pem";
  options.listener.tls_key_file = "/nonexistent/key.pem";
  absl::StatusOr<RouteTable> routes = RouteTable::Build({"maillage.testing.v1.EchoService"});
  ASSERT_THAT(routes, IsOk());
  BackendCaller caller(std::map<std::string, std::shared_ptr<grpc::Channel>>{
      {"maillage.testing.v1.EchoService", channel_}});
  GatewayHttpServer gateway(*routes, caller, metrics_, options);
  EXPECT_EQ(gateway.Start("127.0.0.1", 0).status().code(), absl::StatusCode::kInvalidArgument);
}

// CallAsync (the call of a request answered without a worker) retries a read answered
// UNAVAILABLE, each attempt with the request id of the thread that started it, and calls `done`
// once with the answer; past kMaxAttempts, UNAVAILABLE.
TEST_F(HttpGatewayTest, CallAsyncRetriesAReadWithItsRequestId) {
  BackendCaller caller(std::map<std::string, std::shared_ptr<grpc::Channel>>{
      {"maillage.testing.v1.BookshelfService", channel_}});
  const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
      "maillage.testing.v1.BookshelfService");
  ASSERT_NE(service, nullptr);
  {
    std::lock_guard<std::mutex> lock(bookshelf_.mu_);
    bookshelf_.flaky_failures_ = 2;
  }
  GetBookRequest request;
  request.set_name("shelves/1/books/flaky");
  Book book;
  std::promise<grpc::Status> done;
  {
    log::ScopedRequestContext context("async-request-1", "");
    caller.CallAsync(*service->FindMethodByName("GetBook"),
                     std::chrono::system_clock::now() + std::chrono::seconds(5), request, book,
                     [&done](grpc::Status status) { done.set_value(std::move(status)); });
  }
  std::future<grpc::Status> status = done.get_future();
  ASSERT_EQ(status.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(status.get().ok());
  EXPECT_EQ(book.title(), "Germinal");
  {
    std::lock_guard<std::mutex> lock(bookshelf_.mu_);
    EXPECT_EQ(bookshelf_.flaky_request_ids_,
              std::vector<std::string>(3, "async-request-1"));  // two refusals, then the answer
  }

  // Past the attempts allowed: UNAVAILABLE, after kMaxAttempts calls.
  {
    std::lock_guard<std::mutex> lock(bookshelf_.mu_);
    bookshelf_.flaky_failures_ = 10;
    bookshelf_.flaky_request_ids_.clear();
  }
  std::promise<grpc::Status> failed;
  caller.CallAsync(*service->FindMethodByName("GetBook"),
                   std::chrono::system_clock::now() + std::chrono::seconds(5), request, book,
                   [&failed](grpc::Status status) { failed.set_value(std::move(status)); });
  EXPECT_EQ(failed.get_future().get().error_code(), grpc::StatusCode::UNAVAILABLE);
  std::lock_guard<std::mutex> lock(bookshelf_.mu_);
  EXPECT_EQ(bookshelf_.flaky_request_ids_.size(), static_cast<size_t>(kMaxAttempts));
}

}  // namespace
}  // namespace maillage::gateway
