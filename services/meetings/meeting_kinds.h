// The network's own meeting kinds as data: a CSV file given at start-up
// (MAILLAGE_MEETING_KINDS_FILE, columns code,display_name,description) lists the kinds a network
// adds to the MeetingKind values every network has. The file is validated before the service
// starts, upserted into meeting_kinds once the schema is there, and a meeting of such a kind is
// MEETING_KIND_OTHER with custom_kind set to the code (see meeting.proto).
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/csv/coded_list.h"
#include "common/db/pool.h"
#include "maillage/meetings/v1/meeting.pb.h"

namespace maillage::meetings {

// The kinds of the file at `path` (none when `path` is empty). NOT_FOUND when it cannot be
// read; INVALID_ARGUMENT naming MAILLAGE_MEETING_KINDS_FILE, the file, the line and the field
// for a bad entry.
absl::StatusOr<std::vector<csv::CodedEntry>> LoadMeetingKinds(const std::string& path);

// Upserts `kinds` into meeting_kinds in one transaction; a kind no longer listed is removed when
// no meeting uses it (a warning is logged otherwise, and it keeps its label).
absl::Status SyncMeetingKinds(db::Pool& pool, const std::vector<csv::CodedEntry>& kinds);

// INVALID_ARGUMENT on `field` when `meeting`'s custom_kind is set but not a kind of the network.
absl::Status CheckCustomKind(pqxx::work& txn, const v1::Meeting& meeting, absl::string_view field);

}  // namespace maillage::meetings
