// French words for the meeting codes that people read: the funder's report, the categories of a
// calendar event (iCalendar CATEGORIES), the public pages. One list for the whole suite.
//
//   MeetingKindLabel(MEETING_KIND_LEARNING_VISIT)  // "Visite apprenante"
#pragma once

#include <string>

#include "maillage/meetings/v1/meeting.pb.h"

namespace maillage::text {

// The French label of `kind`; "" for MEETING_KIND_UNSPECIFIED or an unknown value.
std::string MeetingKindLabel(meetings::v1::MeetingKind kind);

}  // namespace maillage::text
