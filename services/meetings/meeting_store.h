// SQL of the meetings table. Every function runs inside the caller's transaction and lets
// libpqxx exceptions through to db::Pool, which maps them.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/api/filter.h"
#include "common/db/pool.h"
#include "common/db/statement.h"
#include "maillage/meetings/v1/meeting.pb.h"
#include "maillage/meetings/v1/participant.pb.h"

namespace maillage::meetings {

// The meeting with `id`, attendance computed from its participants (a write takes the row lock
// first with LockMeeting: every write to a meeting or its participants does, so they queue per
// meeting). NOT_FOUND MEETING_NOT_FOUND.
absl::StatusOr<v1::Meeting> LoadMeeting(pqxx::work& txn, int64_t id);
// LoadMeeting in one round trip outside any transaction (db::Pool::Query), for GetMeeting.
absl::StatusOr<v1::Meeting> ReadMeeting(db::Pool& pool, db::Deadline deadline, int64_t id);

// Same with a row lock but without computing the attendance (left at zero): for the writes
// of participants and outputs, which need the meeting's state, capacity and times only.
absl::StatusOr<v1::Meeting> LockMeeting(pqxx::work& txn, int64_t id);

// LockMeeting, and participant `participant_id` of the meeting under its row lock (without its
// history), and whether the meeting's day has come (Europe/Paris), in one statement (the meeting
// locked first, as every write of the meeting does). kShared, for CheckIn: the check-ins of one
// meeting run side by side while every other write of the meeting or of its participants
// (kExclusive) still waits for them. The participant's columns are its latest committed version
// (a statement that waited for a lock rereads the locked rows), but not what the statement reads
// beside them: its history and its place in line are to be read by a later statement.
// NOT_FOUND MEETING_NOT_FOUND or PARTICIPANT_NOT_FOUND.
enum class MeetingLock { kShared, kExclusive };
struct LockedParticipant {
  v1::Meeting meeting;
  bool day_reached = false;
  v1::Participant participant;
};
absl::StatusOr<LockedParticipant> LockMeetingAndParticipant(pqxx::work& txn, int64_t id,
                                                            int64_t participant_id,
                                                            MeetingLock lock);

// Whether the day of meeting `id` has come (Europe/Paris); false when there is no such meeting.
bool MeetingDayReached(pqxx::work& txn, int64_t id);

// Inserts a PLANNED meeting (the writable fields of `meeting`) and returns it as stored.
v1::Meeting InsertMeeting(pqxx::work& txn, const v1::Meeting& meeting);

// Writes the writable fields of `meeting` (name identifying the row), minutes included,
// revision + 1, and calendar_sequence + 1 when `calendar_changed`. Returns it as stored, with its
// attendance, from the same statement. The caller holds the meeting's row lock.
absl::StatusOr<v1::Meeting> WriteMeetingFields(pqxx::work& txn, const v1::Meeting& meeting,
                                               bool calendar_changed);

// Moves the meeting to HELD (held_time now), CLOSED (minutes, close_time now) or CANCELLED
// (reason, cancel_time now, calendar_sequence + 1); revision + 1. Each returns the meeting as
// stored, with its attendance, from the same statement. The caller holds the meeting's row lock
// (the meeting exists).
v1::Meeting MarkHeldRow(pqxx::work& txn, int64_t id);
v1::Meeting CloseRow(pqxx::work& txn, int64_t id, const std::string& minutes);
v1::Meeting CancelRow(pqxx::work& txn, int64_t id, const std::string& reason);

// Number of participants and outputs of the meeting.
int64_t CountDependents(pqxx::work& txn, int64_t id);
void DeleteMeetingRow(pqxx::work& txn, int64_t id);

// One page of meetings matching `where` (its parameters numbered from 1) after `keyset`
// (parameters following), ordered by it, at most `limit` rows. Each row comes with its sort
// key as text (for the next page token).
struct MeetingPageRow {
  v1::Meeting meeting;
  std::string sort_key;
  int64_t id = 0;
};
std::vector<MeetingPageRow> SelectMeetings(pqxx::work& txn, const api::SqlCondition& where,
                                           const api::KeysetClause& keyset,
                                           const std::string& sort_sql, int limit);

// Every meeting of `action` whose start (Europe/Paris local date) lies from `first_day` to
// `last_day` ("YYYY-MM-DD", empty for an open bound), by start time.
std::vector<v1::Meeting> SelectActionMeetings(pqxx::work& txn, const std::string& action,
                                              const std::string& first_day,
                                              const std::string& last_day);

// True when the database holds at least one meeting.
bool AnyMeeting(pqxx::work& txn);

}  // namespace maillage::meetings
