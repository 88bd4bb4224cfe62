// The OpenAPI document against the route table it is made from, spot checks of the proto3 JSON
// schemas, and GET /openapi.json and /docs served by the gateway's HTTP server.
#include "services/gateway/docs/openapi.h"

#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "prometheus/registry.h"
#include "services/gateway/docs/contract.h"
#include "services/gateway/docs/docs_page.h"
#include "services/gateway/http/http_metrics.h"
#include "services/gateway/http/http_server.h"
#include "services/gateway/routing/backend_caller.h"
#include "services/gateway/routing/route_table.h"

using maillage::testing::IsOk;

namespace maillage::gateway {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

RouteTable PublicRoutes() {
  absl::StatusOr<RouteTable> routes =
      RouteTable::Build(GeneratedServicesInPackages(PublicPackages()));
  EXPECT_THAT(routes, IsOk()) << routes.status();
  return *std::move(routes);
}

class OpenApiTest : public ::testing::Test {
 protected:
  OpenApiTest() : routes_(PublicRoutes()), text_(BuildOpenApiDocument(routes_)) {
    document_ = json::parse(text_);
  }

  // The operation whose operationId is `id`, or null.
  const json* Operation(const std::string& id) const {
    for (const auto& [path, item] : document_["paths"].items()) {
      for (const auto& [verb, operation] : item.items()) {
        if (operation.value("operationId", "") == id) return &operation;
      }
    }
    return nullptr;
  }

  const json& Schema(const std::string& name) const {
    return document_["components"]["schemas"][name];
  }

  RouteTable routes_;
  std::string text_;
  json document_;
};

void CollectRefs(const json& node, std::vector<std::string>& refs) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref" && value.is_string()) refs.push_back(value.get<std::string>());
      CollectRefs(value, refs);
    }
  } else if (node.is_array()) {
    for (const json& value : node) CollectRefs(value, refs);
  }
}

TEST_F(OpenApiTest, HeaderNamesTheApiAndItsKeyScheme) {
  EXPECT_EQ(document_["openapi"], "3.0.3");
  EXPECT_EQ(document_["info"]["title"], "maillage");
  EXPECT_EQ(document_["info"]["version"], "v1");
  EXPECT_EQ(document_["servers"][0]["url"], "/");
  const json& scheme = document_["components"]["securitySchemes"]["ApiKeyAuth"];
  EXPECT_EQ(scheme["type"], "apiKey");
  EXPECT_EQ(scheme["in"], "header");
  EXPECT_EQ(scheme["name"], "x-api-key");
  // Either header: x-api-key or Authorization: Bearer.
  EXPECT_EQ(document_["security"], json::parse(R"([{"ApiKeyAuth": []}, {"BearerAuth": []}])"));
  const json& bearer = document_["components"]["securitySchemes"]["BearerAuth"];
  EXPECT_EQ(bearer["type"], "http");
  EXPECT_EQ(bearer["scheme"], "bearer");
}

// Every public service, RPC, message reachable from an RPC and field of such a message has a
// comment in the contract: the comments are the documentation (openapi.json, /docs,
// reflection), so an undocumented one is a hole in it.
TEST(ContractTest, EveryPublicServiceRpcMessageAndFieldIsDocumented) {
  const ContractComments& comments = Contract::Embedded().comments();
  const google::protobuf::DescriptorPool& pool = Contract::Embedded().pool();
  std::vector<std::string> undocumented;
  std::set<const google::protobuf::Descriptor*> seen;
  std::function<void(const google::protobuf::Descriptor*)> walk =
      [&](const google::protobuf::Descriptor* type) {
        if (!absl::StartsWith(type->full_name(), "maillage.") || !seen.insert(type).second) return;
        if (type->options().map_entry()) {  // a map's key and value: described by the map field
          if (type->map_value()->message_type() != nullptr) walk(type->map_value()->message_type());
          return;
        }
        if (comments.Of(type).empty()) undocumented.push_back("message " + type->full_name());
        for (int i = 0; i < type->field_count(); ++i) {
          const google::protobuf::FieldDescriptor* field = type->field(i);
          if (comments.Of(field).empty()) undocumented.push_back("field " + field->full_name());
          if (field->message_type() != nullptr) walk(field->message_type());
        }
        for (int i = 0; i < type->nested_type_count(); ++i) walk(type->nested_type(i));
      };
  const std::vector<std::string> services = Contract::Embedded().ServiceNames();
  EXPECT_EQ(services, GeneratedServicesInPackages(PublicPackages()));
  for (const std::string& name : services) {
    const google::protobuf::ServiceDescriptor* service = pool.FindServiceByName(name);
    ASSERT_NE(service, nullptr) << name;
    if (comments.Of(service).empty()) undocumented.push_back("service " + name);
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      if (comments.Of(method).empty()) undocumented.push_back("rpc " + method->full_name());
      walk(method->input_type());
      walk(method->output_type());
    }
  }
  EXPECT_THAT(undocumented, ::testing::IsEmpty()) << "add a comment in the .proto to each of:\n"
                                                  << absl::StrJoin(undocumented, "\n");
}

TEST(ContractTest, CommentsComeFromTheSourceInfoLookedUpByFullName) {
  const ContractComments& comments = Contract::Embedded().comments();
  const google::protobuf::DescriptorPool& generated =
      *google::protobuf::DescriptorPool::generated_pool();
  const auto* list =
      generated.FindMethodByName("maillage.directory.v1.DirectoryService.ListActors");
  ASSERT_NE(list, nullptr);
  EXPECT_THAT(comments.Of(list), ::testing::StartsWith("Lists actors matching a filter"));
  EXPECT_THAT(comments.Of(list->input_type()->FindFieldByName("filter")), HasSubstr("Example:"));
  // Not in the contract (a test proto): no comment, no failure.
  ContractComments none(nullptr);
  EXPECT_EQ(none.Of(list), "");
  EXPECT_EQ(Contract::Embedded().version().size(), 12u);
}

TEST_F(OpenApiTest, OperationsCarryTheProtoComments) {
  const json* list = Operation("DirectoryService_ListActors");
  ASSERT_NE(list, nullptr);
  EXPECT_EQ((*list)["summary"], "Lists actors matching a filter, in a stable order, page by page.");
  EXPECT_THAT((*list)["description"].get<std::string>(),
              HasSubstr("only ACTIVE actors are listed"));
  std::map<std::string, json> parameters;
  for (const json& p : (*list)["parameters"]) parameters[p["name"]] = p;
  // The filter's grammar and its fields, from the comment of ListActorsRequest.filter.
  const std::string filter = parameters["filter"]["description"];
  EXPECT_THAT(filter, HasSubstr("AIP-160"));
  EXPECT_THAT(filter, HasSubstr("network_category"));
  EXPECT_THAT(parameters["pageSize"]["description"].get<std::string>(), HasSubstr("1000"));
  // Fields of schemas are described.
  EXPECT_THAT(Schema("Actor")["properties"]["displayName"]["description"].get<std::string>(),
              HasSubstr("Name used by the network"));
  EXPECT_THAT(Schema("Actor")["description"].get<std::string>(),
              HasSubstr("maillage.directory.v1.Actor"));
  // Error answers: those the comment names, and those of any call (the key, the rate limit).
  const json& responses = (*list)["responses"];
  EXPECT_THAT(responses["400"]["description"].get<std::string>(), HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(responses["401"]["description"].get<std::string>(), HasSubstr("API_KEY_MISSING"));
  EXPECT_THAT(responses["429"]["description"].get<std::string>(), HasSubstr("RATE_LIMITED"));
  const json* create = Operation("DirectoryService_CreateActor");
  ASSERT_NE(create, nullptr);
  EXPECT_THAT((*create)["x-error-reasons"], ::testing::Contains("ACTOR_ALREADY_EXISTS"));
  EXPECT_TRUE((*create)["responses"].contains("409"));
  const json* get = Operation("DirectoryService_GetActor");
  ASSERT_NE(get, nullptr);
  EXPECT_TRUE((*get)["responses"].contains("404"));
}

TEST_F(OpenApiTest, EveryOperationHasExamplesOfItsJson) {
  int operations = 0;
  for (const auto& [path, item] : document_["paths"].items()) {
    for (const auto& [verb, operation] : item.items()) {
      ++operations;
      for (const auto& [media_type, media] : operation["responses"]["200"]["content"].items()) {
        if (absl::StrContains(media_type, "json")) {
          EXPECT_TRUE(media.contains("example")) << verb << " " << path;
        }
      }
      if (!operation.contains("requestBody")) continue;
      for (const auto& [media_type, media] : operation["requestBody"]["content"].items()) {
        if (absl::StrContains(media_type, "json")) {
          EXPECT_TRUE(media.contains("example")) << verb << " " << path;
        }
      }
    }
  }
  EXPECT_GT(operations, 50);
  // Values from the comments' "e.g." where there is one; no output-only field in a request.
  const json* create = Operation("DirectoryService_CreateActor");
  ASSERT_NE(create, nullptr);
  const json& example = (*create)["requestBody"]["content"]["application/json"]["example"];
  EXPECT_EQ(example["displayName"], "Pôle d'Economie Solidaire 21");
  EXPECT_FALSE(example.contains("createTime"));
  EXPECT_TRUE((*create)["responses"]["200"]["content"]["application/json"]["example"].contains(
      "createTime"));
}

TEST_F(OpenApiTest, EveryRouteIsExactlyOneOperationAndNoOperationLacksARoute) {
  ASSERT_GT(routes_.routes().size(), 20u);
  std::map<std::pair<std::string, std::string>, std::string> grpc_of_operation;
  for (const auto& [path, item] : document_["paths"].items()) {
    for (const auto& [verb, operation] : item.items()) {
      grpc_of_operation[{path, verb}] = operation["x-grpc-method"].get<std::string>();
    }
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (const Route& route : routes_.routes()) {
    std::string verb = route.http_method;
    for (char& c : verb) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::pair<std::string, std::string> key = {OpenApiPath(route.path), verb};
    EXPECT_TRUE(seen.insert(key).second) << key.first << " " << key.second << " twice";
    auto it = grpc_of_operation.find(key);
    ASSERT_NE(it, grpc_of_operation.end()) << route.path.text() << " has no operation";
    EXPECT_EQ(it->second, route.grpc_method) << key.first;
  }
  EXPECT_EQ(grpc_of_operation.size(), routes_.routes().size());
}

TEST_F(OpenApiTest, OperationIdsAreUniqueAndNamedAfterServiceAndMethod) {
  std::set<std::string> ids;
  for (const auto& [path, item] : document_["paths"].items()) {
    for (const auto& [verb, operation] : item.items()) {
      EXPECT_TRUE(ids.insert(operation["operationId"].get<std::string>()).second);
    }
  }
  ASSERT_NE(Operation("DirectoryService_GetActor"), nullptr);
  EXPECT_EQ((*Operation("DirectoryService_GetActor"))["tags"], json::array({"DirectoryService"}));
}

TEST_F(OpenApiTest, EveryReferenceResolves) {
  std::vector<std::string> refs;
  CollectRefs(document_, refs);
  ASSERT_FALSE(refs.empty());
  for (const std::string& ref : refs) {
    ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
    EXPECT_TRUE(document_.contains(json::json_pointer(ref.substr(1)))) << ref;
  }
}

TEST_F(OpenApiTest, PathParametersMatchThePathTemplate) {
  for (const auto& [path, item] : document_["paths"].items()) {
    std::set<std::string> in_path;
    for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open)) {
      const size_t close = path.find('}', open);
      in_path.insert(path.substr(open + 1, close - open - 1));
      open = close;
    }
    for (const auto& [verb, operation] : item.items()) {
      std::set<std::string> declared;
      for (const json& p : operation.value("parameters", json::array())) {
        if (p["in"] == "path") declared.insert(p["name"].get<std::string>());
      }
      EXPECT_EQ(declared, in_path) << verb << " " << path;
    }
  }
}

TEST(OpenApiPathTest, MultiSegmentVariablesBecomeOneParameterPerWildcard) {
  auto converted = [](const char* text) {
    absl::StatusOr<PathTemplate> t = PathTemplate::Parse(text);
    EXPECT_THAT(t, IsOk()) << t.status();
    return OpenApiPath(*t);
  };
  EXPECT_EQ(converted("/v1/{name=actors/*/contacts/*}"),
            "/v1/actors/{actorsId}/contacts/{contactsId}");
  EXPECT_EQ(converted("/v1/{parent=actors/*}/contacts"), "/v1/actors/{actorsId}/contacts");
  EXPECT_EQ(converted("/v1/{name=actors/*}:merge"), "/v1/actors/{actorsId}:merge");
  EXPECT_EQ(converted("/v1/actors:batchGet"), "/v1/actors:batchGet");
  EXPECT_EQ(converted("/v1/shelves/{shelf}/books/{book}"), "/v1/shelves/{shelf}/books/{book}");
  EXPECT_EQ(converted("/v1/files/{path=**}"), "/v1/files/{filesPath}");
  EXPECT_EQ(converted("/v1/{name=a/*/a/*}"), "/v1/a/{aId}/a/{aId2}");
}

TEST_F(OpenApiTest, MultiSegmentParametersSayWhichFieldTheyFill) {
  const json* get_contact = Operation("DirectoryService_GetContact");
  ASSERT_NE(get_contact, nullptr);
  const json& parameters = (*get_contact)["parameters"];
  ASSERT_GE(parameters.size(), 2u);
  EXPECT_EQ(parameters[0]["name"], "actorsId");
  EXPECT_EQ(parameters[1]["name"], "contactsId");
  EXPECT_THAT(parameters[0]["description"].get<std::string>(), HasSubstr("`name`"));
  EXPECT_EQ(document_["paths"].count("/v1/actors/{actorsId}/contacts/{contactsId}"), 1u);
}

TEST_F(OpenApiTest, ListActorsTakesItsRequestFieldsAsQueryParameters) {
  const json* list = Operation("DirectoryService_ListActors");
  ASSERT_NE(list, nullptr);
  std::map<std::string, json> query;
  for (const json& p : (*list)["parameters"]) {
    if (p["in"] == "query") query[p["name"].get<std::string>()] = p;
  }
  ASSERT_TRUE(query.count("pageSize"));
  EXPECT_EQ(query["pageSize"]["schema"]["type"], "integer");
  ASSERT_TRUE(query.count("filter"));
  EXPECT_EQ(query["filter"]["schema"]["type"], "string");
  EXPECT_FALSE(query.count("page_size"));  // JSON names only
  EXPECT_FALSE(list->contains("requestBody"));
  EXPECT_EQ((*list)["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ListActorsResponse");
  EXPECT_EQ((*list)["responses"]["default"]["$ref"], "#/components/responses/Error");
}

TEST_F(OpenApiTest, CreateActorTakesTheActorAsBodyAndNoQueryParameterForIt) {
  const json* create = Operation("DirectoryService_CreateActor");
  ASSERT_NE(create, nullptr);
  EXPECT_EQ((*create)["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Actor");
  for (const json& p : create->value("parameters", json::array())) {
    EXPECT_THAT(p["name"].get<std::string>(), Not(HasSubstr("actor"))) << p.dump();
  }
}

TEST_F(OpenApiTest, SchemasFollowTheProto3JsonMapping) {
  // int64 as a string.
  EXPECT_EQ(Schema("ImportSireneExtractResponse")["properties"]["rowsRead"]["type"], "string");
  // An enum lists its value names.
  const json& kind = Schema("ActorKind");
  EXPECT_EQ(kind["type"], "string");
  EXPECT_THAT(kind["enum"], ::testing::Contains("ACTOR_KIND_ORGANISATION"));
  // A described reference is wrapped in allOf (siblings of a $ref are ignored in OpenAPI 3.0).
  EXPECT_EQ(Schema("Actor")["properties"]["kind"]["allOf"][0]["$ref"],
            "#/components/schemas/ActorKind");
  EXPECT_FALSE(Schema("Actor")["properties"]["kind"]["description"].get<std::string>().empty());
  // The error envelope of AIP-193.
  const json& error = Schema("Error")["properties"]["error"]["properties"];
  for (const char* field : {"code", "message", "status", "details"}) {
    EXPECT_TRUE(error.contains(field)) << field;
  }
}

TEST_F(OpenApiTest, ExportAnswersRawBytes) {
  const json* export_actors = Operation("DirectoryService_ExportActors");
  ASSERT_NE(export_actors, nullptr);
  const json& content = (*export_actors)["responses"]["200"]["content"];
  EXPECT_TRUE(content.contains("application/octet-stream"));
  EXPECT_FALSE(content.contains("application/json"));
}

TEST_F(OpenApiTest, OutputIsDeterministic) {
  EXPECT_EQ(BuildOpenApiDocument(PublicRoutes()), text_);
}

TEST_F(OpenApiTest, DocsPageListsOperationsWithoutExternalAssets) {
  const std::string html = RenderDocsPage(text_);
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("DirectoryService_ListActors"));
  EXPECT_THAT(html, HasSubstr("/v1/actors/{actorsId}/contacts/{contactsId}"));
  EXPECT_THAT(html, HasSubstr("id=\"schema-Actor\""));
  // No external asset (a URL may appear in the text of a proto comment, e.g. schema.org's).
  for (const char* reference : {"src=\"http", "href=\"http", "url(http", "@import"}) {
    EXPECT_THAT(html, Not(HasSubstr(reference))) << reference;
  }
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  // The comments, the errors and the examples of each operation.
  EXPECT_THAT(html, HasSubstr("Lists actors matching a filter"));
  EXPECT_THAT(html, HasSubstr("API_KEY_MISSING"));
  EXPECT_THAT(html, HasSubstr("<summary>Example request</summary><pre>{"));
  EXPECT_THAT(html, HasSubstr("<summary>Example response</summary><pre>{"));
  EXPECT_THAT(html, Not(HasSubstr("<pre>null")));
  // Backticks of the comments are code, escaped; none is left in a description.
  EXPECT_THAT(html,
              HasSubstr("gRPC: <code>/maillage.directory.v1.DirectoryService/ListActors</code>"));
  EXPECT_THAT(html, Not(HasSubstr("gRPC: `")));
}

TEST_F(OpenApiTest, HttpServerServesTheDocumentAndThePageBeforeRouting) {
  prometheus::Registry registry;
  HttpMetrics metrics(registry);
  BackendCaller backends({});
  HttpServerOptions options;
  options.listener.threads = 2;
  options.openapi_json = text_;
  options.docs_html = RenderDocsPage(text_);
  options.public_files = ContractDownloads(Contract::Embedded());
  GatewayHttpServer server(routes_, backends, metrics, options);
  absl::StatusOr<int> port = server.Start("127.0.0.1", 0);
  ASSERT_THAT(port, IsOk()) << port.status();
  httplib::Client client("127.0.0.1", *port);

  httplib::Result document = client.Get("/openapi.json");
  ASSERT_TRUE(document);
  EXPECT_EQ(document->status, 200);
  EXPECT_EQ(document->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(document->body, text_);

  httplib::Result page = client.Get("/docs");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->get_header_value("Content-Type"), HasSubstr("text/html"));
  EXPECT_EQ(page->body, options.docs_html);

  // The contract's downloads, versioned, without a key.
  const Contract& contract = Contract::Embedded();
  httplib::Result descriptor_set = client.Get(kContractDescriptorSetPath);
  ASSERT_TRUE(descriptor_set);
  EXPECT_EQ(descriptor_set->status, 200);
  EXPECT_EQ(descriptor_set->body, contract.descriptor_set());
  EXPECT_EQ(descriptor_set->get_header_value(kContractVersionHeader), contract.version());
  EXPECT_THAT(descriptor_set->get_header_value("Content-Disposition"),
              HasSubstr("maillage-contract-v1-" + contract.version() + ".pb"));
  google::protobuf::FileDescriptorSet set;
  ASSERT_TRUE(set.ParseFromString(descriptor_set->body));
  bool has_comments = false;
  for (const auto& file : set.file()) has_comments |= file.source_code_info().location_size() > 0;
  EXPECT_TRUE(has_comments);
  httplib::Result protos = client.Get(kContractProtosPath);
  ASSERT_TRUE(protos);
  EXPECT_EQ(protos->status, 200);
  EXPECT_EQ(protos->get_header_value("Content-Type"), "application/zip");
  EXPECT_EQ(protos->body.substr(0, 2), "PK");
  EXPECT_THAT(protos->body, HasSubstr("maillage/directory/v1/directory_service.proto"));
  httplib::Result index = client.Get(kContractIndexPath);
  ASSERT_TRUE(index);
  EXPECT_EQ(json::parse(index->body)["version"], contract.version());

  httplib::Result post = client.Post("/openapi.json", "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 404);  // only GET; other methods go through the route table
  server.Stop();
}

}  // namespace
}  // namespace maillage::gateway
