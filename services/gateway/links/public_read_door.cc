#include "services/gateway/links/public_read_door.h"

#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/auth/caller.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "maillage/directory/v1/directory_service.pb.h"
#include "maillage/meetings/v1/meetings_service.pb.h"
#include "nlohmann/json.hpp"
#include "services/gateway/access/access_control.h"
#include "services/gateway/console/staff_sessions.h"
#include "services/gateway/errors/http_errors.h"
#include "services/gateway/links/read_answer.h"
#include "services/gateway/routing/transcoder.h"

namespace maillage::gateway {
namespace {

namespace dir = ::maillage::directory::v1;
namespace mtg = ::maillage::meetings::v1;
using google::protobuf::Message;

constexpr char kDirectory[] = "/maillage.directory.v1.DirectoryService/";
constexpr char kMeetings[] = "/maillage.meetings.v1.MeetingsService/";

// The public reads: gRPC method → the role the gateway reads it with.
const std::map<std::string, v1::Role>& PublicMethods() {
  static const auto* const kMethods = new std::map<std::string, v1::Role>{
      {absl::StrCat(kDirectory, "ListActors"), v1::ROLE_PARTNER},
      {absl::StrCat(kDirectory, "GetActor"), v1::ROLE_PARTNER},
      {absl::StrCat(kDirectory, "SearchActors"), v1::ROLE_PARTNER},
      {absl::StrCat(kDirectory, "ExportActors"), v1::ROLE_PARTNER},
      {absl::StrCat(kMeetings, "ListMeetings"), v1::ROLE_STAFF},
      {absl::StrCat(kMeetings, "GetMeeting"), v1::ROLE_STAFF},
  };
  return *kMethods;
}

bool IsPublicKind(mtg::MeetingKind kind) {
  for (mtg::MeetingKind k : kPublicMeetingKinds) {
    if (k == kind) return true;
  }
  return false;
}

// `filter` (user text, parsed by the service) narrowed to ACTIVE actors.
std::string ActiveOnly(const std::string& filter) {
  return filter.empty() ? "state = ACTIVE" : absl::StrCat("(", filter, ") AND state = ACTIVE");
}

// `filter` narrowed to the public meeting kinds (OR binds tighter than AND).
std::string PublicKindsOnly(const std::string& filter) {
  std::string kinds;
  for (mtg::MeetingKind kind : kPublicMeetingKinds) {
    absl::StrAppend(&kinds, kinds.empty() ? "" : " OR ", "kind = ", mtg::MeetingKind_Name(kind));
  }
  return filter.empty() ? kinds : absl::StrCat("(", filter, ") AND (", kinds, ")");
}

absl::Status NotPublic(absl::string_view what) {
  return NotFound(kGatewayDomain, "NOT_PUBLIC",
                  absl::StrCat("no public ", what,
                               " here (the public read mode shows active "
                               "actors and public meetings only)"));
}

// Narrows the request before the read: INVALID_ARGUMENT for an export that is not GeoJSON.
absl::Status Narrow(Message& request) {
  if (auto* list = dynamic_cast<dir::ListActorsRequest*>(&request)) {
    list->set_filter(ActiveOnly(list->filter()));
  } else if (auto* search = dynamic_cast<dir::SearchActorsRequest*>(&request)) {
    search->set_filter(ActiveOnly(search->filter()));
  } else if (auto* exported = dynamic_cast<dir::ExportActorsRequest*>(&request)) {
    if (exported->format() != dir::EXPORT_FORMAT_GEOJSON) {
      return InvalidField(kGatewayDomain, "format",
                          "the public read mode exports EXPORT_FORMAT_GEOJSON only");
    }
    exported->set_filter(ActiveOnly(exported->filter()));
  } else if (auto* meetings = dynamic_cast<mtg::ListMeetingsRequest*>(&request)) {
    meetings->set_filter(PublicKindsOnly(meetings->filter()));
  }
  return absl::OkStatus();
}

// Cuts the answer to its public part: NOT_FOUND (NOT_PUBLIC) for one resource that is not.
absl::Status Project(Message& answer) {
  if (auto* actor = dynamic_cast<dir::Actor*>(&answer)) {
    if (actor->state() != dir::ACTOR_STATE_ACTIVE) return NotPublic("actor");
    PublicActor(*actor);
  } else if (auto* list = dynamic_cast<dir::ListActorsResponse*>(&answer)) {
    dir::ListActorsResponse kept;
    for (dir::Actor& a : *list->mutable_actors()) {
      if (a.state() != dir::ACTOR_STATE_ACTIVE) continue;
      PublicActor(a);
      *kept.add_actors() = std::move(a);
    }
    list->mutable_actors()->Swap(kept.mutable_actors());
  } else if (auto* search = dynamic_cast<dir::SearchActorsResponse*>(&answer)) {
    dir::SearchActorsResponse kept;
    for (dir::ActorSearchResult& r : *search->mutable_results()) {
      if (r.actor().state() != dir::ACTOR_STATE_ACTIVE) continue;
      PublicActor(*r.mutable_actor());
      *kept.add_results() = std::move(r);
    }
    search->mutable_results()->Swap(kept.mutable_results());
  } else if (auto* meeting = dynamic_cast<mtg::Meeting*>(&answer)) {
    if (!IsPublicKind(meeting->kind())) return NotPublic("meeting");
    PublicMeeting(*meeting);
  } else if (auto* meetings = dynamic_cast<mtg::ListMeetingsResponse*>(&answer)) {
    mtg::ListMeetingsResponse kept;
    for (mtg::Meeting& m : *meetings->mutable_meetings()) {
      if (!IsPublicKind(m.kind())) continue;
      PublicMeeting(m);
      *kept.add_meetings() = std::move(m);
    }
    meetings->mutable_meetings()->Swap(kept.mutable_meetings());
  }
  return absl::OkStatus();
}

}  // namespace

// Whitelists: a field added to a message later stays out of public answers until it is named
// here (a projection that removed the private fields would publish every new one).
void PublicActor(dir::Actor& actor) {
  dir::Actor kept;
  kept.set_name(actor.name());
  kept.set_display_name(actor.display_name());
  kept.set_legal_name(actor.legal_name());
  kept.set_description(actor.description());
  kept.set_kind(actor.kind());
  kept.set_website(actor.website());
  if (actor.has_address()) *kept.mutable_address() = actor.address();
  if (actor.has_coordinates()) *kept.mutable_coordinates() = actor.coordinates();
  kept.set_siren(actor.siren());
  kept.set_siret(actor.siret());
  kept.set_rna(actor.rna());
  kept.set_legal_category_code(actor.legal_category_code());
  kept.set_naf_code(actor.naf_code());
  kept.set_ess_family(actor.ess_family());
  *kept.mutable_network_categories() = actor.network_categories();
  *kept.mutable_themes() = actor.themes();
  if (actor.has_labels()) *kept.mutable_labels() = actor.labels();
  kept.set_state(actor.state());
  if (actor.has_create_time()) *kept.mutable_create_time() = actor.create_time();
  if (actor.has_update_time()) *kept.mutable_update_time() = actor.update_time();
  kept.set_etag(actor.etag());
  actor = std::move(kept);
}

void PublicMeeting(mtg::Meeting& meeting) {
  mtg::Meeting kept;
  kept.set_name(meeting.name());
  kept.set_title(meeting.title());
  kept.set_kind(meeting.kind());
  kept.set_custom_kind(meeting.custom_kind());
  kept.set_kind_label(meeting.kind_label());
  kept.set_format(meeting.format());
  kept.set_action(meeting.action());
  if (meeting.has_start_time()) *kept.mutable_start_time() = meeting.start_time();
  if (meeting.has_end_time()) *kept.mutable_end_time() = meeting.end_time();
  kept.set_time_zone(meeting.time_zone());
  if (meeting.has_place()) *kept.mutable_place() = meeting.place();
  kept.set_agenda(meeting.agenda());
  kept.set_state(meeting.state());
  kept.set_calendar_uid(meeting.calendar_uid());
  kept.set_calendar_sequence(meeting.calendar_sequence());
  if (meeting.has_create_time()) *kept.mutable_create_time() = meeting.create_time();
  if (meeting.has_update_time()) *kept.mutable_update_time() = meeting.update_time();
  kept.set_etag(meeting.etag());
  meeting = std::move(kept);
}

absl::StatusOr<std::string> PublicGeoJson(absl::string_view geojson) {
  // The directory's GeoJSON properties (services/directory/actor_exchange_formats.cc) that are
  // public; any other (e-mail, phone, provenance, one added later) is dropped.
  static const auto* const kPublicProperties =
      new absl::flat_hash_set<std::string>{"name",
                                           "resource_name",
                                           "legal_name",
                                           "description",
                                           "kind",
                                           "website",
                                           "address.lines",
                                           "address.postal_code",
                                           "address.city",
                                           "address.commune_insee_code",
                                           "siren",
                                           "siret",
                                           "rna",
                                           "legal_category_code",
                                           "naf_code",
                                           "ess_family",
                                           "network_categories",
                                           "themes",
                                           "labels.esus_agrement.start_date",
                                           "labels.esus_agrement.end_date",
                                           "labels.siae_types"};
  nlohmann::json document = nlohmann::json::parse(geojson, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return absl::InvalidArgumentError("the export is not JSON");
  }
  if (document.contains("features") && document["features"].is_array()) {
    for (nlohmann::json& feature : document["features"]) {
      if (!feature.contains("properties") || !feature["properties"].is_object()) continue;
      nlohmann::json kept = nlohmann::json::object();
      for (auto& [key, value] : feature["properties"].items()) {
        if (kPublicProperties->contains(key)) kept[key] = std::move(value);
      }
      feature["properties"] = std::move(kept);
    }
  }
  return document.dump();
}

PublicReadDoor::PublicReadDoor(const RouteTable& routes, const BackendCaller& backends,
                               PublicReadOptions options)
    : routes_(routes), backends_(backends), options_(options), per_address_(options.per_address) {}

std::string PublicReadDoor::Handle(const HttpRequest& request, absl::string_view path,
                                   const std::multimap<std::string, std::string>& query,
                                   HttpResponse& response) {
  if (request.method != "GET" && request.method != "HEAD") return "";
  if (!PresentedApiKey(request.header(kApiKeyHeader), request.header(kAuthorizationHeader))
           .empty() ||
      !CookieValue(request.header("Cookie"), kSessionCookie).empty()) {
    return "";
  }
  RouteMatch match = routes_.Lookup("GET", path);
  if (match.outcome != RouteMatch::kMatched) return "";
  const Route& route = *match.route;
  auto role = PublicMethods().find(route.grpc_method);
  if (role == PublicMethods().end()) return "";
  const std::string label = route.path.text();

  if (std::optional<absl::Duration> wait = per_address_.Take(request.client_address, absl::Now())) {
    response.set_header(
        "Retry-After", absl::StrCat(std::max<int64_t>(1, std::ceil(absl::ToDoubleSeconds(*wait)))));
    absl::Status limited =
        MakeError(absl::StatusCode::kResourceExhausted, kGatewayDomain, "PUBLIC_READ_RATE_LIMITED",
                  "too many anonymous requests from this address; retry later");
    SetRetryDelay(limited, *wait);
    AnswerError(limited, response);
    return label;
  }
  HttpRequestParts parts;
  parts.path_bindings = &match.bindings;
  parts.query = &query;
  absl::StatusOr<std::unique_ptr<Message>> call = TranscodeRequest(route, parts);
  if (!call.ok()) {
    AnswerError(call.status(), response);
    return label;
  }
  if (absl::Status narrowed = Narrow(**call); !narrowed.ok()) {
    AnswerError(narrowed, response);
    return label;
  }
  auth::Principal gateway = auth::ServicePrincipal("gateway-public-read", role->second);
  gateway.request_id = log::CurrentRequestId();
  ReadResult result;
  grpc::Status status;
  {
    auth::CallerScope scope(gateway);
    status = CallRead(backends_, *route.method, std::chrono::system_clock::now() + options_.timeout,
                      **call, result);
  }
  if (!status.ok()) {
    AnswerBackendError(status, response);
    return label;
  }
  const std::string cache_control =
      absl::StrCat("public, max-age=", absl::ToInt64Seconds(options_.max_age));
  if (result.message == nullptr || IsHttpBody(result.message->GetDescriptor())) {
    absl::StatusOr<std::string> geojson = PublicGeoJson(result.bytes);
    if (!geojson.ok()) {
      AnswerError(absl::InternalError(geojson.status().message()), response);
      return label;
    }
    AnswerCacheable(request, *std::move(geojson),
                    result.content_type.empty() ? "application/geo+json" : result.content_type,
                    cache_control, response);
    return label;
  }
  if (absl::Status projected = Project(*result.message); !projected.ok()) {
    AnswerError(projected, response);
    return label;
  }
  absl::StatusOr<std::string> json = MessageToJson(*result.message);
  if (!json.ok()) {
    AnswerError(json.status(), response);
    return label;
  }
  AnswerCacheable(request, *std::move(json), "application/json", cache_control, response);
  return label;
}

}  // namespace maillage::gateway
