// The iCalendar export parsed back with libical.
#include "services/meetings/calendar_export.h"

#include <libical/ical.h>

#include <string>

#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::meetings {
namespace {

v1::Meeting Meeting(const std::string& uid, int64_t start_seconds, v1::MeetingState state,
                    int sequence) {
  v1::Meeting m;
  m.set_title("Atelier acteurs de l'ESS – Métropole");
  m.set_kind(v1::MEETING_KIND_ACTORS_WORKSHOP);
  m.set_calendar_uid(uid);
  m.set_calendar_sequence(sequence);
  m.set_state(state);
  m.mutable_start_time()->set_seconds(start_seconds);
  m.mutable_end_time()->set_seconds(start_seconds + 3 * 3600);
  m.mutable_place()->set_venue("Locaux du PES 21");
  m.mutable_place()->set_address("12 avenue Gustave Eiffel, 21000 Dijon");
  m.set_agenda("Cartographie des acteurs; besoins");
  return m;
}

struct Parsed {
  icalcomponent* calendar = nullptr;
  ~Parsed() {
    if (calendar) icalcomponent_free(calendar);
  }
};

TEST(CalendarExportTest, ParsesBackWithTimeZoneUidSequenceAndStatus) {
  // 2023-04-13 07:30 UTC = 09:30 in Paris (summer time); 2023-11-16 16:00 UTC = 17:00 (winter).
  auto text =
      RenderCalendar({Meeting("meeting-a@maillage", 1681371000, v1::MEETING_STATE_PLANNED, 0),
                      Meeting("meeting-b@maillage", 1700150400, v1::MEETING_STATE_CANCELLED, 3)},
                     1700000000000000);
  ASSERT_THAT(text, IsOk()) << text.status();
  Parsed parsed{icalparser_parse_string(text->c_str())};
  ASSERT_NE(parsed.calendar, nullptr);
  EXPECT_EQ(icalcomponent_isa(parsed.calendar), ICAL_VCALENDAR_COMPONENT);
  EXPECT_EQ(icalcomponent_count_errors(parsed.calendar), 0) << *text;

  icalcomponent* tz = icalcomponent_get_first_component(parsed.calendar, ICAL_VTIMEZONE_COMPONENT);
  ASSERT_NE(tz, nullptr);
  EXPECT_STREQ(icalproperty_get_tzid(icalcomponent_get_first_property(tz, ICAL_TZID_PROPERTY)),
               "Europe/Paris");

  icalcomponent* first = icalcomponent_get_first_component(parsed.calendar, ICAL_VEVENT_COMPONENT);
  ASSERT_NE(first, nullptr);
  EXPECT_STREQ(icalcomponent_get_uid(first), "meeting-a@maillage");
  EXPECT_EQ(icalcomponent_get_sequence(first), 0);
  EXPECT_EQ(icalcomponent_get_status(first), ICAL_STATUS_CONFIRMED);
  EXPECT_STREQ(icalcomponent_get_summary(first), "Atelier acteurs de l'ESS – Métropole");
  icalproperty* dtstart = icalcomponent_get_first_property(first, ICAL_DTSTART_PROPERTY);
  ASSERT_NE(dtstart, nullptr);
  icalparameter* tzid = icalproperty_get_first_parameter(dtstart, ICAL_TZID_PARAMETER);
  ASSERT_NE(tzid, nullptr);
  EXPECT_STREQ(icalparameter_get_tzid(tzid), "Europe/Paris");
  icaltimetype start = icalproperty_get_dtstart(dtstart);
  EXPECT_EQ(start.year, 2023);
  EXPECT_EQ(start.month, 4);
  EXPECT_EQ(start.day, 13);
  EXPECT_EQ(start.hour, 9);
  EXPECT_EQ(start.minute, 30);
  // The parsed calendar resolves the local time back to the same instant.
  icaltimezone* zone = icaltimezone_new();
  ASSERT_TRUE(icaltimezone_set_component(zone, icalcomponent_new_clone(tz)));
  start.zone = zone;
  EXPECT_EQ(icaltime_as_timet_with_zone(start, zone), 1681371000);

  icalcomponent* second = icalcomponent_get_next_component(parsed.calendar, ICAL_VEVENT_COMPONENT);
  ASSERT_NE(second, nullptr);
  EXPECT_STREQ(icalcomponent_get_uid(second), "meeting-b@maillage");
  EXPECT_EQ(icalcomponent_get_sequence(second), 3);
  EXPECT_EQ(icalcomponent_get_status(second), ICAL_STATUS_CANCELLED);
  icaltimetype winter = icalcomponent_get_dtstart(second);
  EXPECT_EQ(winter.hour, 17);
  winter.zone = zone;
  EXPECT_EQ(icaltime_as_timet_with_zone(winter, zone), 1700150400);
  icaltimezone_free(zone, 1);
}

// CATEGORIES of a kind of the network's own is its label, as the standard kinds' French words.
TEST(CalendarExportTest, CategoryIsTheKindOrTheNetworksOwnKind) {
  v1::Meeting custom = Meeting("meeting-c@maillage", 1681371000, v1::MEETING_STATE_PLANNED, 0);
  custom.set_kind(v1::MEETING_KIND_OTHER);
  custom.set_custom_kind("fete-du-port");
  custom.set_kind_label("Fête du port");
  auto text = RenderCalendar(
      {Meeting("meeting-a@maillage", 1681371000, v1::MEETING_STATE_PLANNED, 0), custom},
      1700000000000000);
  ASSERT_THAT(text, IsOk()) << text.status();
  Parsed parsed{icalparser_parse_string(text->c_str())};
  ASSERT_NE(parsed.calendar, nullptr);
  icalcomponent* first = icalcomponent_get_first_component(parsed.calendar, ICAL_VEVENT_COMPONENT);
  ASSERT_NE(first, nullptr);
  EXPECT_STREQ(icalproperty_get_categories(
                   icalcomponent_get_first_property(first, ICAL_CATEGORIES_PROPERTY)),
               "Atelier acteurs – Métropole");
  icalcomponent* second = icalcomponent_get_next_component(parsed.calendar, ICAL_VEVENT_COMPONENT);
  ASSERT_NE(second, nullptr);
  EXPECT_STREQ(icalproperty_get_categories(
                   icalcomponent_get_first_property(second, ICAL_CATEGORIES_PROPERTY)),
               "Fête du port");
}

TEST(CalendarExportTest, CategoriesAreFrenchWordsNotEnumNames) {
  v1::Meeting visit = Meeting("meeting-c@maillage", 1681371000, v1::MEETING_STATE_PLANNED, 0);
  visit.set_kind(v1::MEETING_KIND_LEARNING_VISIT);
  v1::Meeting unknown = Meeting("meeting-d@maillage", 1681371000, v1::MEETING_STATE_PLANNED, 0);
  unknown.set_kind(v1::MEETING_KIND_UNSPECIFIED);
  auto text = RenderCalendar({visit, unknown}, 1700000000000000);
  ASSERT_THAT(text, IsOk());
  EXPECT_EQ(text->find("MEETING_KIND"), std::string::npos) << *text;
  Parsed parsed{icalparser_parse_string(text->c_str())};
  ASSERT_NE(parsed.calendar, nullptr);
  icalcomponent* first = icalcomponent_get_first_component(parsed.calendar, ICAL_VEVENT_COMPONENT);
  icalproperty* categories = icalcomponent_get_first_property(first, ICAL_CATEGORIES_PROPERTY);
  ASSERT_NE(categories, nullptr);
  EXPECT_STREQ(icalproperty_get_categories(categories), "Visite apprenante");
  // No kind, no category (rather than an empty or technical one).
  icalcomponent* second = icalcomponent_get_next_component(parsed.calendar, ICAL_VEVENT_COMPONENT);
  EXPECT_EQ(icalcomponent_get_first_property(second, ICAL_CATEGORIES_PROPERTY), nullptr);
}

TEST(CalendarExportTest, NoMeetingsGivesAnEmptyCalendar) {
  auto text = RenderCalendar({}, 1700000000000000);
  ASSERT_THAT(text, IsOk());
  Parsed parsed{icalparser_parse_string(text->c_str())};
  ASSERT_NE(parsed.calendar, nullptr);
  EXPECT_EQ(icalcomponent_count_components(parsed.calendar, ICAL_VEVENT_COMPONENT), 0);
}

}  // namespace
}  // namespace maillage::meetings
