// iCalendar export with libical (see calendar_export.h).
#include "services/meetings/calendar_export.h"

#include <libical/ical.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/text/meeting_labels.h"
#include "services/meetings/meeting_rules.h"

namespace maillage::meetings {
namespace {

// Europe/Paris as RFC 5545 describes it: the European rules in force since 1996 (last Sunday
// of March and of October). Every meeting of the network falls under them.
constexpr char kParisTimeZone[] =
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/Paris\r\n"
    "X-LIC-LOCATION:Europe/Paris\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZNAME:CEST\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\n"
    "DTSTART:19700329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZNAME:CET\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\n"
    "DTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n";

struct ComponentDeleter {
  void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};

// The local wall-clock time of `micros` in `zone`, as a floating icaltimetype.
icaltimetype LocalTime(int64_t micros, const absl::TimeZone& zone) {
  absl::CivilSecond local = absl::ToCivilSecond(absl::FromUnixMicros(micros), zone);
  icaltimetype t = icaltime_null_time();
  t.year = static_cast<int>(local.year());
  t.month = local.month();
  t.day = local.day();
  t.hour = local.hour();
  t.minute = local.minute();
  t.second = local.second();
  t.is_date = 0;
  return t;
}

icalproperty* WithParisZone(icalproperty* property) {
  icalproperty_add_parameter(property, icalparameter_new_tzid("Europe/Paris"));
  return property;
}

}  // namespace

absl::StatusOr<std::string> RenderCalendar(const std::vector<v1::Meeting>& meetings,
                                           int64_t stamp_micros) {
  absl::TimeZone paris;
  if (!absl::LoadTimeZone(std::string(kTimeZone), &paris)) {
    return Internal(kDomain, "TIME_ZONE_MISSING",
                    "the Europe/Paris time zone cannot be loaded (install tzdata)");
  }
  std::unique_ptr<icalcomponent, ComponentDeleter> calendar(
      icalcomponent_vanew(ICAL_VCALENDAR_COMPONENT, icalproperty_new_version("2.0"),
                          icalproperty_new_prodid("-//maillage//meetings//FR"),
                          icalproperty_new_calscale("GREGORIAN"), nullptr));
  icalcomponent_add_component(calendar.get(), icalcomponent_new_from_string(kParisTimeZone));
  icaltimetype stamp = icaltime_from_timet_with_zone(static_cast<time_t>(stamp_micros / 1000000), 0,
                                                     icaltimezone_get_utc_timezone());

  for (const v1::Meeting& meeting : meetings) {
    icalcomponent* event = icalcomponent_new_vevent();
    icalcomponent_add_property(event, icalproperty_new_uid(meeting.calendar_uid().c_str()));
    icalcomponent_add_property(event, icalproperty_new_dtstamp(stamp));
    icalcomponent_add_property(event, icalproperty_new_sequence(meeting.calendar_sequence()));
    icalcomponent_add_property(event, WithParisZone(icalproperty_new_dtstart(
                                          LocalTime(db::MicrosOf(meeting.start_time()), paris))));
    icalcomponent_add_property(
        event,
        WithParisZone(icalproperty_new_dtend(LocalTime(db::MicrosOf(meeting.end_time()), paris))));
    icalcomponent_add_property(event, icalproperty_new_summary(meeting.title().c_str()));
    if (!meeting.agenda().empty()) {
      icalcomponent_add_property(event, icalproperty_new_description(meeting.agenda().c_str()));
    }
    std::vector<std::string> location;
    if (!meeting.place().venue().empty()) location.push_back(meeting.place().venue());
    if (!meeting.place().address().empty()) location.push_back(meeting.place().address());
    if (!location.empty()) {
      icalcomponent_add_property(event,
                                 icalproperty_new_location(absl::StrJoin(location, ", ").c_str()));
    }
    if (!meeting.place().online_url().empty()) {
      icalcomponent_add_property(event, icalproperty_new_url(meeting.place().online_url().c_str()));
    }
    // CATEGORIES in the words people read in their calendar, not the enum name: the label of a
    // kind of the network's own (its code when it has none), or the kind's French label.
    std::string category =
        meeting.custom_kind().empty()
            ? text::MeetingKindLabel(meeting.kind())
            : (meeting.kind_label().empty() ? meeting.custom_kind() : meeting.kind_label());
    if (!category.empty()) {
      icalcomponent_add_property(event, icalproperty_new_categories(category.c_str()));
    }
    icalcomponent_add_property(
        event, icalproperty_new_status(meeting.state() == v1::MEETING_STATE_CANCELLED
                                           ? ICAL_STATUS_CANCELLED
                                           : ICAL_STATUS_CONFIRMED));
    icalcomponent_add_component(calendar.get(), event);
  }
  char* text = icalcomponent_as_ical_string(calendar.get());  // owned by libical's ring buffer
  return std::string(text);
}

}  // namespace maillage::meetings
