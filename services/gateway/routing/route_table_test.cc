// Tests of the route table: routes from annotations, lookup outcomes, precedence, start-up
// errors.
#include "services/gateway/routing/route_table.h"

#include <memory>
#include <string>

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "google/api/annotations.pb.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "maillage/testing/v1/echo.pb.h"
#include "maillage/testing/v1/transcoding.pb.h"

using maillage::testing::IsOk;

namespace maillage::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

constexpr char kBookshelf[] = "maillage.testing.v1.BookshelfService";
constexpr char kEcho[] = "maillage.testing.v1.EchoService";

class TestServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Referencing the generated messages links their descriptors into the test binary.
    ASSERT_NE(maillage::testing::v1::Book::descriptor(), nullptr);
    ASSERT_NE(maillage::testing::v1::EchoRequest::descriptor(), nullptr);
    absl::StatusOr<RouteTable> table = RouteTable::Build({kBookshelf, kEcho});
    ASSERT_THAT(table, IsOk()) << table.status();
    table_ = std::make_unique<RouteTable>(*std::move(table));
  }

  // "Service.Method" of the route `method` `path` leads to, or the outcome's name.
  std::string Target(const std::string& method, const std::string& path) {
    RouteMatch m = table_->Lookup(method, path);
    switch (m.outcome) {
      case RouteMatch::kMatched:
        return m.route->method->service()->name() + "." + m.route->method->name();
      case RouteMatch::kNotFound:
        return "404";
      case RouteMatch::kMethodNotAllowed:
        return "405";
    }
    return "?";
  }

  std::unique_ptr<RouteTable> table_;
};

TEST_F(TestServicesTest, RoutesEveryAnnotatedMethodAndBinding) {
  // 14 Bookshelf methods, one with an additional binding, and 2 Echo methods.
  EXPECT_EQ(table_->routes().size(), 17u);
  EXPECT_EQ(Target("GET", "/v1/shelves/1/books/2"), "BookshelfService.GetBook");
  EXPECT_EQ(Target("PATCH", "/v1/shelves/1/books/2"), "BookshelfService.UpdateBook");
  EXPECT_EQ(Target("DELETE", "/v1/shelves/1/books/2"), "BookshelfService.DeleteBook");
  EXPECT_EQ(Target("GET", "/v1/shelves/1/books"), "BookshelfService.ListBooks");
  EXPECT_EQ(Target("GET", "/v1/books"), "BookshelfService.ListBooks");
  EXPECT_EQ(Target("POST", "/v1/shelves/1/books"), "BookshelfService.CreateBook");
  EXPECT_EQ(Target("POST", "/v1/shelves/1/books/2:archive"), "BookshelfService.ArchiveBook");
  EXPECT_EQ(Target("POST", "/v1/shelves/1/books/2:tag"), "BookshelfService.TagBook");
  EXPECT_EQ(Target("GET", "/v1/shelves/1/books/2/cover"), "BookshelfService.GetBookCover");
  EXPECT_EQ(Target("PUT", "/v1/shelves/1/books/2/cover"), "BookshelfService.UploadBookCover");
  EXPECT_EQ(Target("GET", "/v1/shelves/1/books:export"), "BookshelfService.ExportShelf");
  EXPECT_EQ(Target("GET", "/v1/shelves/1/books:watch"), "BookshelfService.WatchBooks");
  EXPECT_EQ(Target("POST", "/v1/books:import"), "BookshelfService.ImportBooks");
  EXPECT_EQ(Target("POST", "/v1/books:review"), "BookshelfService.ReviewBooks");
  EXPECT_EQ(Target("GET", "/v1/files/a/b"), "BookshelfService.GetFile");
  EXPECT_EQ(Target("POST", "/v1/echo"), "EchoService.Echo");
  EXPECT_EQ(Target("POST", "/v1/echo:fail"), "EchoService.Fail");
}

TEST_F(TestServicesTest, ReturnsTheBindingsAndTheRoute) {
  RouteMatch m = table_->Lookup("PATCH", "/v1/shelves/s%201/books/b");
  ASSERT_EQ(m.outcome, RouteMatch::kMatched);
  EXPECT_EQ(m.route->http_method, "PATCH");
  EXPECT_EQ(m.route->body, "book");
  EXPECT_EQ(m.route->grpc_method, "/maillage.testing.v1.BookshelfService/UpdateBook");
  EXPECT_EQ(m.route->path.text(), "/v1/{book.name=shelves/*/books/*}");
  ASSERT_EQ(m.bindings.size(), 1u);
  EXPECT_EQ(m.bindings[0].field_path, "book.name");
  EXPECT_EQ(m.bindings[0].value, "shelves/s 1/books/b");
}

TEST_F(TestServicesTest, UnknownPathIsNotFound) {
  EXPECT_EQ(Target("GET", "/v1/nothing"), "404");
  EXPECT_EQ(Target("GET", "/v2/shelves/1/books/2"), "404");
  EXPECT_EQ(Target("GET", "/v1/shelves/1/books/2/extra"), "404");
  EXPECT_EQ(Target("GET", "/"), "404");
  EXPECT_EQ(Target("GET", ""), "404");
}

TEST_F(TestServicesTest, PathOfAnotherMethodIsMethodNotAllowedWithTheAllowList) {
  RouteMatch m = table_->Lookup("POST", "/v1/shelves/1/books/2");
  EXPECT_EQ(m.outcome, RouteMatch::kMethodNotAllowed);
  EXPECT_THAT(m.allowed_methods, ElementsAre("DELETE", "GET", "PATCH"));
  m = table_->Lookup("GET", "/v1/echo");
  EXPECT_EQ(m.outcome, RouteMatch::kMethodNotAllowed);
  EXPECT_THAT(m.allowed_methods, ElementsAre("POST"));
}

TEST_F(TestServicesTest, KnownVerbSelectsOnlyTheTemplatesWithThatVerb) {
  // Without the verb rule, GetBook would take "2:archive" as the book id.
  RouteMatch m = table_->Lookup("GET", "/v1/shelves/1/books/2:archive");
  EXPECT_EQ(m.outcome, RouteMatch::kMethodNotAllowed);
  EXPECT_THAT(m.allowed_methods, ElementsAre("POST"));
  // An unknown "verb" is an ordinary part of the last segment.
  m = table_->Lookup("GET", "/v1/shelves/1/books/2:draft");
  ASSERT_EQ(m.outcome, RouteMatch::kMatched);
  EXPECT_EQ(m.bindings[0].value, "shelves/1/books/2:draft");
}

TEST_F(TestServicesTest, DiscoversTheServicesOfAPackage) {
  EXPECT_THAT(GeneratedServicesInPackages({"maillage.testing.v1"}),
              IsSupersetOf({kBookshelf, kEcho}));
  EXPECT_THAT(GeneratedServicesInPackages({"no.such.package"}), ElementsAre());
}

// Routes of services defined in text form, in a pool of their own.
class TextServicesTest : public ::testing::Test {
 protected:
  // Builds the table of service "routes.test.S" with `methods` (text-format
  // MethodDescriptorProtos of requests routes.test.Req).
  absl::StatusOr<RouteTable> Build(const std::string& methods) {
    google::protobuf::FileDescriptorProto file;
    const std::string text = R"pb(
                               name: "routes_test.proto"
                               package: "routes.test"
                               syntax: "proto3"
                               dependency: "google/api/annotations.proto"
                               message_type {
                                 name: "Req"
                                 field {
                                   name: "name"
                                   number: 1
                                   type: TYPE_STRING
                                   label: LABEL_OPTIONAL
                                   json_name: "name"
                                 }
                                 field {
                                   name: "tags"
                                   number: 2
                                   type: TYPE_STRING
                                   label: LABEL_REPEATED
                                   json_name: "tags"
                                 }
                                 field {
                                   name: "sub"
                                   number: 3
                                   type: TYPE_MESSAGE
                                   type_name: ".routes.test.Req"
                                   label: LABEL_OPTIONAL
                                   json_name: "sub"
                                 }
                               }
                               service { name: "S")pb" +
                             methods + "}";
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &file)) << text;
    pool_ = std::make_unique<google::protobuf::DescriptorPool>(
        google::protobuf::DescriptorPool::generated_pool());
    EXPECT_NE(pool_->BuildFile(file), nullptr);
    return RouteTable::Build({"routes.test.S"}, *pool_);
  }

  static std::string Method(const std::string& name, const std::string& rule,
                            const std::string& extra = "") {
    return "method { name: \"" + name +
           "\" input_type: \".routes.test.Req\" output_type: \".routes.test.Req\" " + extra +
           " options { [google.api.http] { " + rule + " } } }\n";
  }

  std::unique_ptr<google::protobuf::DescriptorPool> pool_;
};

TEST_F(TextServicesTest, LiteralSegmentsBeatWildcardsWhateverTheOrder) {
  absl::StatusOr<RouteTable> table = Build(
      Method("Any", R"(get: "/v1/{name=**}")") + Method("One", R"(get: "/v1/{name}")") +
      Method("Featured", R"(get: "/v1/featured")") + Method("Nested", R"(get: "/v1/{name=*/*}")"));
  ASSERT_THAT(table, IsOk()) << table.status();
  EXPECT_EQ(table->Lookup("GET", "/v1/featured").route->method->name(), "Featured");
  EXPECT_EQ(table->Lookup("GET", "/v1/other").route->method->name(), "One");
  EXPECT_EQ(table->Lookup("GET", "/v1/a/b").route->method->name(), "Nested");
  EXPECT_EQ(table->Lookup("GET", "/v1/a/b/c").route->method->name(), "Any");
  EXPECT_EQ(table->routes().front().method->name(), "Featured");
  EXPECT_EQ(table->routes().back().method->name(), "Any");
}

TEST_F(TextServicesTest, CustomMethodsUseTheirKind) {
  absl::StatusOr<RouteTable> table =
      Build(Method("Head", R"(custom { kind: "HEAD" path: "/v1/{name}" })"));
  ASSERT_THAT(table, IsOk()) << table.status();
  EXPECT_EQ(table->Lookup("HEAD", "/v1/x").outcome, RouteMatch::kMatched);
  EXPECT_THAT(table->Lookup("GET", "/v1/x").allowed_methods, ElementsAre("HEAD"));
}

TEST_F(TextServicesTest, MethodsWithoutRuleHaveNoRoute) {
  absl::StatusOr<RouteTable> table = Build(
      "method { name: \"Plain\" input_type: \".routes.test.Req\" output_type: "
      "\".routes.test.Req\" }" +
      Method("Get", R"(get: "/v1/{name}")"));
  ASSERT_THAT(table, IsOk()) << table.status();
  ASSERT_EQ(table->routes().size(), 1u);
}

TEST_F(TextServicesTest, RefusesRulesThatCannotBeServed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {Method("A", R"(get: "v1/x")"), "must start with '/'"},
      {Method("A", R"(get: "/v1/{missing}")"), "has no field \"missing\""},
      {Method("A", R"(get: "/v1/{tags}")"), "path variable tags must name a singular scalar"},
      {Method("A", R"(get: "/v1/{sub}")"), "path variable sub must name a singular scalar"},
      {Method("A", R"(get: "/v1/{tags.x}")"), "tags is not a singular message"},
      {Method("A", R"(post: "/v1/x" body: "nope")"), "body \"nope\" names no field"},
      {Method("A", R"(get: "/v1/x" response_body: "name")"), "response_body is not supported"},
      {Method("A", R"(post: "/v1/x" body: "name")", "client_streaming: true"),
       "a client-streaming method needs body \"*\" and no path variables"},
      {Method("A", R"(post: "/v1/{name}" body: "*")", "client_streaming: true"),
       "a client-streaming method needs body \"*\" and no path variables"},
      {Method("A", R"(body: "*")"), "no HTTP method and path"},
      {Method("A", R"(get: "/v1/{name}")") + Method("B", R"(get: "/v1/{name=*}")"),
       "GET /v1/{name=*} is already the route of another method"},
      {Method("A", R"(get: "/v1/x" additional_bindings { get: "/v1/x" })"), "is already the route"},
  };
  for (const auto& [methods, problem] : cases) {
    absl::StatusOr<RouteTable> table = Build(methods);
    ASSERT_FALSE(table.ok()) << methods;
    EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument) << methods;
    EXPECT_THAT(std::string(table.status().message()), HasSubstr(problem)) << methods;
    EXPECT_THAT(std::string(table.status().message()), HasSubstr("routes.test.S.")) << methods;
  }
}

TEST_F(TextServicesTest, UnknownServiceIsNotFound) {
  ASSERT_THAT(Build(""), IsOk());
  absl::StatusOr<RouteTable> table = RouteTable::Build({"routes.test.Missing"}, *pool_);
  EXPECT_EQ(table.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace maillage::gateway
