// Raw file uploads forwarded to their backend (see upload_forwarder.h).
#include "services/gateway/http/upload_forwarder.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/csv/csv_reader.h"
#include "common/csv/spreadsheet_text.h"
#include "common/status/errors.h"
#include "google/type/date.pb.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// The media type (lower case) and charset parameter (lower case, unquoted; "" when absent) of a
// Content-Type header.
struct MediaType {
  std::string type;
  std::string charset;
};

MediaType ParseMediaType(absl::string_view content_type) {
  MediaType media;
  std::vector<absl::string_view> parts = absl::StrSplit(content_type, ';');
  media.type = absl::AsciiStrToLower(absl::StripAsciiWhitespace(parts[0]));
  for (size_t i = 1; i < parts.size(); ++i) {
    absl::string_view parameter = absl::StripAsciiWhitespace(parts[i]);
    const size_t equals = parameter.find('=');
    if (equals == absl::string_view::npos) continue;
    if (!absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(parameter.substr(0, equals)),
                                "charset")) {
      continue;
    }
    absl::string_view value = absl::StripAsciiWhitespace(parameter.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    media.charset = absl::AsciiStrToLower(value);
  }
  return media;
}

bool IsJson(const MediaType& media) {
  return media.type.empty() || media.type == "application/json" ||
         absl::EndsWith(media.type, "+json");
}

enum class Charset { kDetect, kUtf8, kWindows1252, kUnsupported };

Charset CharsetOf(absl::string_view label) {
  if (label.empty()) return Charset::kDetect;
  if (label == "utf-8" || label == "utf8") return Charset::kUtf8;
  if (label == "windows-1252" || label == "cp1252" || label == "iso-8859-1" || label == "latin1" ||
      label == "us-ascii" || label == "ascii") {
    return Charset::kWindows1252;
  }
  return Charset::kUnsupported;
}

absl::Status UnsupportedMediaType(const UploadRoute& upload, absl::string_view content_type) {
  const std::string charsets = upload.utf8_only ? "utf-8" : "utf-8, windows-1252";
  return MakeError(absl::StatusCode::kInvalidArgument, kGatewayDomain, "UNSUPPORTED_MEDIA_TYPE",
                   absl::StrCat("this route takes application/json or a raw file of type ",
                                absl::StrJoin(upload.media_types, ", "), " (charset ", charsets,
                                "), not \"", ToValidUtf8(content_type.substr(0, 200)), "\""),
                   {{"content_type", ToValidUtf8(content_type.substr(0, 200))},
                    {"accepted", absl::StrJoin(upload.media_types, ", ")},
                    {"charsets", charsets}});
}

absl::Status TooLarge(const UploadRoute& upload) {
  return MakeError(absl::StatusCode::kInvalidArgument, kGatewayDomain, "BODY_TOO_LARGE",
                   absl::StrCat("the uploaded file is larger than ", upload.max_bytes,
                                " bytes, the upload limit of this route"),
                   {{"max_bytes", std::to_string(upload.max_bytes)}});
}

absl::Status BodyUnreadable() {
  return MakeError(absl::StatusCode::kInvalidArgument, kGatewayDomain, "BAD_HTTP_REQUEST",
                   "the uploaded file could not be read to its end (connection closed, or too "
                   "slow)");
}

UploadResult Refused(absl::Status status, int http_status) {
  UploadResult result;
  result.gateway_error = std::move(status);
  result.http_status = http_status;
  return result;
}

std::unique_ptr<Message> NewMessage(const Descriptor* type) {
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
}

// The query of a client-streaming upload as fields of its options message: `key` becomes
// `options.key`, a google.type.Date given as YYYY-MM-DD (or DD/MM/YYYY) its year, month, day.
absl::StatusOr<std::multimap<std::string, std::string>> OptionsQuery(
    const UploadRoute& upload, const Descriptor* input,
    const std::multimap<std::string, std::string>& query) {
  std::multimap<std::string, std::string> options;
  const FieldDescriptor* options_field = input->FindFieldByName(upload.options_field);
  const Descriptor* type = options_field->message_type();
  for (const auto& [key, value] : query) {
    const FieldDescriptor* field = type->FindFieldByName(key);
    if (field == nullptr) field = type->FindFieldByCamelcaseName(key);
    const std::string prefixed = absl::StrCat(upload.options_field, ".", key);
    if (field != nullptr && field->message_type() != nullptr &&
        field->message_type()->full_name() == "google.type.Date") {
      google::type::Date date;
      if (!csv::ParseSpreadsheetDate(value, &date)) {
        return InvalidRequestField("INVALID_QUERY_PARAMETER", key,
                                   "not a date (YYYY-MM-DD or DD/MM/YYYY)");
      }
      options.emplace(prefixed + ".year", std::to_string(date.year()));
      options.emplace(prefixed + ".month", std::to_string(date.month()));
      options.emplace(prefixed + ".day", std::to_string(date.day()));
      continue;
    }
    options.emplace(prefixed, value);
  }
  return options;
}

// The enum value of an `encoding` field for `charset`, by the suffix of its name
// (TEXT_ENCODING_UTF8, TEXT_ENCODING_WINDOWS_1252).
void SetEncoding(Message& request, const std::string& field_name, Charset charset) {
  const FieldDescriptor* field = request.GetDescriptor()->FindFieldByName(field_name);
  if (field == nullptr || field->enum_type() == nullptr || charset == Charset::kDetect) return;
  const absl::string_view suffix = charset == Charset::kUtf8 ? "_UTF8" : "_WINDOWS_1252";
  for (int i = 0; i < field->enum_type()->value_count(); ++i) {
    const auto* value = field->enum_type()->value(i);
    if (absl::EndsWith(value->name(), suffix)) {
      request.GetReflection()->SetEnumValue(&request, field, value->number());
      return;
    }
  }
}

// A unary upload: the whole file (up to the limit) into the request, then one call.
UploadResult ForwardWhole(const Route& route, const UploadRoute& upload, const HttpRequest& request,
                          std::unique_ptr<Message> call, Charset charset,
                          std::chrono::milliseconds timeout, const BackendCaller& backends) {
  std::string file;
  std::string chunk;
  while (true) {
    const BodySource::Outcome outcome = request.body_source->Read(chunk);
    if (outcome == BodySource::Outcome::kTooLarge) return Refused(TooLarge(upload), 413);
    if (outcome == BodySource::Outcome::kFailed) return Refused(BodyUnreadable(), 400);
    if (outcome == BodySource::Outcome::kEnd) break;
    file += chunk;
  }
  const FieldDescriptor* field = call->GetDescriptor()->FindFieldByName(upload.file_field);
  if (field->type() == FieldDescriptor::TYPE_STRING) {  // a text field holds UTF-8
    if (charset == Charset::kUtf8 && !csv::IsValidUtf8(file)) {
      return Refused(InvalidRequestField("INVALID_FIELD_VALUE", upload.file_field,
                                         "the file is not valid UTF-8 (charset=utf-8)"),
                     400);
    }
    const csv::TextEncoding encoding = charset == Charset::kWindows1252
                                           ? csv::TextEncoding::kWindows1252
                                       : charset == Charset::kUtf8 ? csv::TextEncoding::kUtf8
                                                                   : csv::DetectEncoding(file);
    file = csv::ToUtf8(file, encoding);
  } else if (!upload.encoding_field.empty()) {
    SetEncoding(*call, upload.encoding_field, charset);
  }
  call->GetReflection()->SetString(call.get(), field, std::move(file));
  UploadResult result;
  result.answer = NewMessage(route.method->output_type());
  result.backend_status = backends.Call(*route.method, std::chrono::system_clock::now() + timeout,
                                        *call, *result.answer);
  if (!result.backend_status.ok()) result.answer.reset();
  return result;
}

// A client-streaming upload: the options first, then the file in chunks as it arrives.
UploadResult ForwardStreamed(const Route& route, const UploadRoute& upload,
                             const HttpRequest& request, std::unique_ptr<Message> first,
                             std::chrono::milliseconds timeout,
                             std::chrono::milliseconds upload_timeout,
                             const BackendCaller& backends) {
  std::unique_ptr<ResponseStream> stream = backends.OpenStream(
      *route.method, std::chrono::system_clock::now() + upload_timeout + timeout);
  std::unique_ptr<Message> part = NewMessage(route.method->input_type());
  const FieldDescriptor* data = part->GetDescriptor()->FindFieldByName(upload.file_field);
  bool open = stream->Write(*first);
  std::string pending;
  std::string chunk;
  auto send = [&] {
    part->GetReflection()->SetString(part.get(), data, std::move(pending));
    pending.clear();
    open = stream->Write(*part);
    part->Clear();
  };
  while (open) {
    const BodySource::Outcome outcome = request.body_source->Read(chunk);
    if (outcome == BodySource::Outcome::kTooLarge) return Refused(TooLarge(upload), 413);
    if (outcome == BodySource::Outcome::kFailed) return Refused(BodyUnreadable(), 400);
    if (outcome == BodySource::Outcome::kEnd) break;
    pending += chunk;
    if (pending.size() >= kUploadChunkBytes) send();
  }
  if (open && !pending.empty()) send();
  stream->WritesDone();
  // The backend may have answered early (a refused first message): its status says why.
  UploadResult result;
  result.answer = NewMessage(route.method->output_type());
  const bool answered = stream->Read(*result.answer);
  result.backend_status = stream->Finish();
  if (result.backend_status.ok() && !answered) {
    return Refused(absl::InternalError("the backend sent no response"), 500);
  }
  if (!result.backend_status.ok()) result.answer.reset();
  return result;
}

}  // namespace

size_t UploadLimit(const RouteTable& routes, const HttpRequest& head) {
  if (head.method != "POST") return 0;
  if (IsJson(ParseMediaType(head.header("Content-Type")))) return 0;
  absl::string_view path = head.target;
  path = path.substr(0, path.find('?'));
  RouteMatch match = routes.Lookup("POST", path);
  if (match.outcome != RouteMatch::kMatched) return 0;
  const UploadRoute* upload = FindUploadRoute(match.route->grpc_method);
  return upload == nullptr ? 0 : upload->max_bytes;
}

UploadResult ForwardUpload(const Route& route, const UploadRoute& upload,
                           const HttpRequest& request, const HttpRequestParts& parts,
                           std::chrono::milliseconds timeout,
                           std::chrono::milliseconds upload_timeout,
                           const BackendCaller& backends) {
  const std::string content_type = request.header("Content-Type");
  const MediaType media = ParseMediaType(content_type);
  const Charset charset = CharsetOf(media.charset);
  if (std::find(upload.media_types.begin(), upload.media_types.end(), media.type) ==
          upload.media_types.end() ||
      charset == Charset::kUnsupported || (upload.utf8_only && charset == Charset::kWindows1252)) {
    return Refused(UnsupportedMediaType(upload, content_type), 415);
  }
  if (uint64_t length = 0;
      absl::SimpleAtoi(request.header("Content-Length"), &length) && length > upload.max_bytes) {
    return Refused(TooLarge(upload), 413);
  }
  // The other fields: from the path and the query string, as a route without a body reads them.
  Route fields_route = route;
  fields_route.body = "";
  HttpRequestParts fields = parts;
  fields.body = "";
  std::multimap<std::string, std::string> options_query;
  if (!upload.options_field.empty() && parts.query != nullptr) {
    absl::StatusOr<std::multimap<std::string, std::string>> options =
        OptionsQuery(upload, route.method->input_type(), *parts.query);
    if (!options.ok()) return Refused(options.status(), 400);
    options_query = *std::move(options);
    fields.query = &options_query;
  }
  absl::StatusOr<std::unique_ptr<Message>> call = TranscodeRequest(fields_route, fields);
  if (!call.ok())
    return Refused(call.status(), HttpStatusOf(static_cast<int>(call.status().code())));
  if (!upload.options_field.empty()) {
    // The first message is the options, even when the query sets none of them.
    const FieldDescriptor* options =
        (*call)->GetDescriptor()->FindFieldByName(upload.options_field);
    (*call)->GetReflection()->MutableMessage(call->get(), options);
    return ForwardStreamed(route, upload, request, *std::move(call), timeout, upload_timeout,
                           backends);
  }
  return ForwardWhole(route, upload, request, *std::move(call), charset, timeout, backends);
}

}  // namespace maillage::gateway
