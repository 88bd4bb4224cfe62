// Tests of the gRPC status → AIP-193 envelope mapping.
#include "services/gateway/errors/http_errors.h"

#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::gateway {
namespace {

using ::testing::HasSubstr;

google::protobuf::Struct ErrorOf(const std::string& envelope) {
  google::protobuf::Struct body;
  EXPECT_THAT(google::protobuf::util::JsonStringToMessage(envelope, &body), IsOk()) << envelope;
  return body.fields().at("error").struct_value();
}

TEST(HttpErrorsTest, MapsEveryCodeToItsHttpStatus) {
  const int expected[] = {200, 499, 500, 400, 504, 404, 409, 403, 429,
                          400, 409, 400, 501, 500, 503, 500, 401};
  for (int code = 0; code <= 16; ++code) EXPECT_EQ(HttpStatusOf(code), expected[code]) << code;
  EXPECT_EQ(HttpStatusOf(99), 500);
}

TEST(HttpErrorsTest, EnvelopeCarriesCodeStatusMessageAndDetails) {
  absl::Status status = NotFound("directory.maillage", "ACTOR_NOT_FOUND",
                                 "actor \"42\" does not exist", {{"name", "actors/42"}});
  google::protobuf::Struct error = ErrorOf(ErrorEnvelope(GatewayRpcStatus(status), 404));
  EXPECT_EQ(error.fields().at("code").number_value(), 404);
  EXPECT_EQ(error.fields().at("status").string_value(), "NOT_FOUND");
  EXPECT_EQ(error.fields().at("message").string_value(), "actor \"42\" does not exist");
  const auto& details = error.fields().at("details").list_value();
  ASSERT_EQ(details.values_size(), 1);
  const auto& info = details.values(0).struct_value().fields();
  EXPECT_EQ(info.at("@type").string_value(), "type.googleapis.com/google.rpc.ErrorInfo");
  EXPECT_EQ(info.at("reason").string_value(), "ACTOR_NOT_FOUND");
  EXPECT_EQ(info.at("domain").string_value(), "directory.maillage");
  EXPECT_EQ(info.at("metadata").struct_value().fields().at("name").string_value(), "actors/42");
}

TEST(HttpErrorsTest, GatewayErrorsGetAnErrorInfoOfTheGateway) {
  google::rpc::Status rpc = GatewayRpcStatus(absl::InternalError("boom"));
  google::rpc::ErrorInfo info;
  ASSERT_EQ(rpc.details_size(), 1);
  ASSERT_TRUE(rpc.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "INTERNAL");
  EXPECT_EQ(info.domain(), "gateway.maillage");
}

TEST(HttpErrorsTest, BackendDetailsAreKeptWhole) {
  google::rpc::Status sent;
  sent.set_code(static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  sent.set_message("budget is approved");
  google::rpc::ErrorInfo info;
  info.set_reason("BUDGET_APPROVED");
  info.set_domain("budget.maillage");
  sent.add_details()->PackFrom(info);
  google::rpc::LocalizedMessage localized;  // a detail type common/status does not handle
  localized.set_locale("fr-FR");
  localized.set_message("le budget est approuvé");
  sent.add_details()->PackFrom(localized);
  grpc::Status status(grpc::StatusCode::FAILED_PRECONDITION, "budget is approved",
                      sent.SerializeAsString());
  google::rpc::Status received = BackendRpcStatus(status);
  EXPECT_EQ(received.SerializeAsString(), sent.SerializeAsString());
  EXPECT_THAT(ErrorEnvelope(received, 400), HasSubstr(R"("locale":"fr-FR")"));
}

TEST(HttpErrorsTest, BackendStatusWithoutUsableDetailsGetsAnErrorInfo) {
  google::rpc::Status other;
  other.set_code(5);  // disagrees with the call's code
  for (const grpc::Status& status :
       {grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused"),
        grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused",
                     other.SerializeAsString())}) {
    google::rpc::Status rpc = BackendRpcStatus(status);
    EXPECT_EQ(rpc.code(), 14);
    EXPECT_EQ(rpc.message(), "connection refused");
    google::rpc::ErrorInfo info;
    ASSERT_EQ(rpc.details_size(), 1);
    ASSERT_TRUE(rpc.details(0).UnpackTo(&info));
    EXPECT_EQ(info.reason(), "UNAVAILABLE");
    EXPECT_EQ(info.domain(), "gateway.maillage");
  }
}

TEST(HttpErrorsTest, UnknownDetailTypesAreWrittenByTypeOnly) {
  google::rpc::Status rpc;
  rpc.set_code(13);
  rpc.set_message("x");
  google::protobuf::Any* any = rpc.add_details();
  any->set_type_url("type.googleapis.com/elsewhere.Unknown");
  any->set_value("\x08\x01");
  EXPECT_THAT(ErrorEnvelope(rpc, 500),
              HasSubstr(R"("details":[{"@type":"type.googleapis.com/elsewhere.Unknown"}])"));
}

TEST(HttpErrorsTest, InvalidRequestFieldNamesTheField) {
  absl::Status status = InvalidRequestField("UNKNOWN_FIELD", "book.titel", "unknown field");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "book.titel: unknown field");
  ASSERT_TRUE(GetBadRequest(status).has_value());
  EXPECT_EQ(GetBadRequest(status)->field_violations(0).field(), "book.titel");
  EXPECT_EQ(GetErrorInfo(status)->metadata().at("field"), "book.titel");
  // French for people, in the HTTP body too.
  EXPECT_EQ(GetBadRequest(status)->field_violations(0).localized_message().locale(), "fr-FR");
  const std::string body = ErrorEnvelope(GatewayRpcStatus(status), 400);
  EXPECT_THAT(body, HasSubstr(R"("@type":"type.googleapis.com/google.rpc.LocalizedMessage")"));
  EXPECT_THAT(body, HasSubstr("1 champ de la requête est à corriger : book.titel."));
  EXPECT_THAT(body, HasSubstr(R"("localizedMessage":{"locale":"fr-FR")"));
}

}  // namespace
}  // namespace maillage::gateway
