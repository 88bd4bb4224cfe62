// iCalendar (RFC 5545) export of meetings, written with libical: one VCALENDAR with the
// VTIMEZONE of Europe/Paris and one VEVENT per meeting (UID calendar_uid, SEQUENCE
// calendar_sequence, STATUS CONFIRMED or CANCELLED, local times with TZID=Europe/Paris).
// Participants are never listed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "maillage/meetings/v1/meeting.pb.h"

namespace maillage::meetings {

inline constexpr char kCalendarContentType[] = "text/calendar; charset=utf-8";

// The calendar of `meetings`, in the order given, stamped (DTSTAMP) at `stamp_micros`.
// INTERNAL when the Europe/Paris time zone cannot be loaded.
absl::StatusOr<std::string> RenderCalendar(const std::vector<v1::Meeting>& meetings,
                                           int64_t stamp_micros);

}  // namespace maillage::meetings
