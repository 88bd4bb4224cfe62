// SQL of participants and their status history. Every function runs inside the caller's
// transaction (which holds the meeting's row lock for writes) and lets libpqxx exceptions
// through to db::Pool.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/api/filter.h"
#include "common/db/pool.h"
#include "maillage/meetings/v1/participant.pb.h"

namespace maillage::meetings {

// Who the service records as author of the changes it makes itself.
inline constexpr const char* kSystemPrincipal = "system";

// The participant `participant_id` of meeting `meeting_id`, with its history; `lock` takes its
// row lock. NOT_FOUND PARTICIPANT_NOT_FOUND.
absl::StatusOr<v1::Participant> LoadParticipant(pqxx::work& txn, int64_t meeting_id,
                                                int64_t participant_id, bool lock = false);
// LoadParticipant without lock in one round trip outside any transaction (db::Pool::Query),
// for GetParticipant.
absl::StatusOr<v1::Participant> ReadParticipant(db::Pool& pool, db::Deadline deadline,
                                                int64_t meeting_id, int64_t participant_id);

// The columns of a participant (FROM participants p) and the participant of a row made of them
// (history left empty), for the statements of other stores that join a participant.
const std::string& ParticipantColumns();
v1::Participant ParticipantFromRow(const pqxx::row& row);
absl::Status ParticipantNotFound(int64_t meeting_id, int64_t participant_id);

// What InsertParticipant did: the participant as stored, with its history; or, when the meeting
// already has it (a participant of the same contact, of the same outside e-mail, or an
// actor-alone participant of the same actor), the name of the one already there and nothing
// written.
struct ParticipantInserted {
  std::optional<v1::Participant> participant;
  std::string existing;
};

// Inserts a participant with `status` (WAITING_LIST takes the next place in line, ATTENDED
// records `check_in_micros`), its first history entry by `changed_by` with `note`, revision 1,
// unless the meeting already has this participant: one statement (the duplicate looked for,
// the row and its history entry written, the participant returned). The caller holds the
// meeting's row lock.
ParticipantInserted InsertParticipant(pqxx::work& txn, int64_t meeting_id,
                                      const v1::Participant& participant,
                                      v1::ParticipantStatus status, const std::string& changed_by,
                                      const std::string& note,
                                      std::optional<int64_t> check_in_micros);

// What WriteStatus wrote: the participant's new revision, and the time of the change (the
// transaction's now(): its update_time and the history entry's time). Zeros when no row.
struct StatusWritten {
  int64_t revision = 0;
  int64_t time_micros = 0;
};

// Moves a participant to `status` with a history entry; WAITING_LIST takes the next place in
// line, ATTENDED records `check_in_micros`; revision + 1. One statement.
StatusWritten WriteStatus(pqxx::work& txn, int64_t participant_id, v1::ParticipantStatus status,
                          const std::string& changed_by, const std::string& note,
                          std::optional<int64_t> check_in_micros);

// WriteStatus that also reads, in the same statement, the participant's status history as it
// was before this change into `participant` (whose history must be empty): for CheckIn, which
// holds the participant's row lock since an earlier statement, so that the history read is
// the whole history.
StatusWritten WriteStatusReadingHistory(pqxx::work& txn, int64_t participant_id,
                                        v1::ParticipantStatus status, const std::string& changed_by,
                                        const std::string& note,
                                        std::optional<int64_t> check_in_micros,
                                        v1::Participant& participant);

// Reads the status history of `participant` (read under its row lock, history empty).
void ReadHistory(pqxx::work& txn, int64_t participant_id, v1::Participant& participant);

// `participant`, as LoadParticipant read it after the meeting's or its own row lock was taken,
// made what LoadParticipant would read after WriteStatus(status, changed_by, note,
// check_in_micros) returned `written`, for any `status` but WAITING_LIST (whose place in line
// is read): the writes answer without reading the row back.
void ApplyStatus(v1::Participant& participant, v1::ParticipantStatus status,
                 const std::string& changed_by, const std::string& note,
                 std::optional<int64_t> check_in_micros, const StatusWritten& written);

// Replaces role and outside person of `p` (revision + 1) unless another participant of the
// meeting would then duplicate it (InsertParticipant's rule), in one statement. Returns the
// revision and time written, or the name of that other participant (and nothing written). When
// written, `p` gets the place in line and the status history that the statement read (after the
// locks the transaction holds, so a statement that had to wait for them still reads the whole
// history).
struct RoleAndPersonWritten {
  StatusWritten written;
  std::string existing;
};
RoleAndPersonWritten WriteRoleAndPerson(pqxx::work& txn, int64_t meeting_id, int64_t participant_id,
                                        v1::Participant& p);

// Clears contact and person and sets anonymized; revision + 1. The idempotency records whose
// response held the participant are forgotten (db::ForgetRequestsAbout). Returns the revision
// and time written (zeros when there is no such participant).
StatusWritten AnonymizeRow(pqxx::work& txn, int64_t meeting_id, int64_t participant_id);

// Deletes the participant; returns its status and revision before the delete, nullopt when the
// meeting has no such participant.
struct ParticipantDeleted {
  v1::ParticipantStatus status = v1::PARTICIPANT_STATUS_UNSPECIFIED;
  std::string etag;
};
std::optional<ParticipantDeleted> DeleteParticipantRow(pqxx::work& txn, int64_t meeting_id,
                                                       int64_t participant_id);

// Seats taken (REGISTERED and ATTENDED participants) in the meeting.
int64_t SeatsTaken(pqxx::work& txn, int64_t meeting_id);

// While the meeting has a free seat (`capacity` 0 means unlimited), promotes the first of its
// waiting list to REGISTERED ("promoted from waiting list", by "system"). Returns how many.
int PromoteWaitingList(pqxx::work& txn, int64_t meeting_id, int capacity);

// CloseMeeting: every REGISTERED participant of the meeting becomes NO_SHOW ("meeting closed", by
// "system"), in one statement sent with the transaction's COMMIT (db::ExecAtCommit: before the
// statements queued after this call), whatever their number. The caller holds the meeting's row
// lock, so no participant changes in between: what it read as REGISTERED is what becomes NO_SHOW.
void MarkRegisteredAsNoShow(pqxx::work& txn, int64_t meeting_id);

// One page of participants (see SelectMeetings): `where` parameters from $1, then the keyset's.
struct ParticipantPageRow {
  v1::Participant participant;
  std::string sort_key;
  int64_t id = 0;
};
std::vector<ParticipantPageRow> SelectParticipants(pqxx::work& txn, const api::SqlCondition& where,
                                                   const api::KeysetClause& keyset,
                                                   const std::string& sort_sql, int limit);

}  // namespace maillage::meetings
