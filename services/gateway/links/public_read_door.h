// The public read mode (MAILLAGE_PUBLIC_READ=on; off by default): anonymous GETs, without an
// API key or a console session, of what a network shows on its website and map.
//
//   PublicReadDoor door(routes, backends, {});
//   std::string route = door.Handle(request, path, query, response);  // "": not answered here
//
// What is public (nothing else is answered here: any other anonymous call goes on to the
// usual 401):
//   - actors: GET /v1/actors, /v1/actors/{id}, /v1/actors:search and /v1/actors:export with
//     format EXPORT_FORMAT_GEOJSON; ACTIVE actors only (`state = ACTIVE` is added to the filter
//     and any other actor is left out, GetActor of another is 404), with their public fields
//     (PublicActor: no e-mail, phone, provenance; contacts and persons are never read);
//   - meetings: GET /v1/meetings and /v1/meetings/{id} of the public kinds (a journée de
//     restitution, an event of the Mois de l'ESS: kPublicMeetingKinds), with their public
//     fields (PublicMeeting: no minutes, attendance, cancellation reason; participants are
//     never read).
// The reads are made as the gateway itself (a service principal: PARTNER for the directory,
// whose answers then carry no personal data; STAFF for the meetings, whose answer is then cut
// to the public fields here), limited per client address (`per_address`, 429
// PUBLIC_READ_RATE_LIMITED with Retry-After), answered with an ETag (If-None-Match → 304) and
// `Cache-Control: public, max-age=<max_age>`.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "maillage/directory/v1/actor.pb.h"
#include "maillage/meetings/v1/meeting.pb.h"
#include "services/gateway/access/pre_auth_limit.h"
#include "services/gateway/http/http_message.h"
#include "services/gateway/routing/backend_caller.h"
#include "services/gateway/routing/route_table.h"

namespace maillage::gateway {

struct PublicReadOptions {
  PreAuthLimitOptions per_address = {.rps = 10, .burst = 60};
  absl::Duration max_age = absl::Seconds(60);  // Cache-Control: public, max-age
  std::chrono::milliseconds timeout{10000};    // of the read
};

// The meeting kinds open to the public.
inline constexpr meetings::v1::MeetingKind kPublicMeetingKinds[] = {
    meetings::v1::MEETING_KIND_RESTITUTION_DAY, meetings::v1::MEETING_KIND_ESS_MONTH_EVENT};

// `actor` with its public fields only, named one by one (so not its e-mail, phone, provenance,
// merged_into, archive_time, nor a field added later).
void PublicActor(directory::v1::Actor& actor);
// `meeting` with its public fields only, named one by one (not its minutes, attendance,
// cancellation reason, capacity, nor a field added later).
void PublicMeeting(meetings::v1::Meeting& meeting);
// A GeoJSON FeatureCollection whose features keep their public properties only (a list of
// names: not "email", "phone", "provenance.*"); INVALID_ARGUMENT when it is not JSON.
absl::StatusOr<std::string> PublicGeoJson(absl::string_view geojson);

class PublicReadDoor {
 public:
  // `routes` and `backends` must outlive the door.
  PublicReadDoor(const RouteTable& routes, const BackendCaller& backends,
                 PublicReadOptions options);

  // Answers an anonymous GET of a public route (see above) and returns its route label; ""
  // when the request carries a key or a session cookie, or is not a public read.
  std::string Handle(const HttpRequest& request, absl::string_view path,
                     const std::multimap<std::string, std::string>& query, HttpResponse& response);

 private:
  const RouteTable& routes_;
  const BackendCaller& backends_;
  const PublicReadOptions options_;
  PreAuthLimit per_address_;
};

}  // namespace maillage::gateway
