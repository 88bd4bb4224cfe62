// The network's own meeting kinds: the kinds file, its upsert into meeting_kinds, the check of a
// meeting's custom_kind.
#include "services/meetings/meeting_kinds.h"

#include "absl/strings/str_cat.h"
#include "common/db/values.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "services/meetings/meeting_rules.h"

namespace maillage::meetings {
namespace {

constexpr char kVariable[] = "MAILLAGE_MEETING_KINDS_FILE";
constexpr char kUpsert[] =
    "INSERT INTO meeting_kinds (code, display_name, description, position) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO UPDATE SET "
    "display_name = excluded.display_name, description = excluded.description, "
    "position = excluded.position";
constexpr char kStale[] =
    "SELECT k.code, EXISTS (SELECT 1 FROM meetings m WHERE m.custom_kind = k.code) "
    "FROM meeting_kinds k WHERE NOT (k.code = ANY($1::text[]))";

}  // namespace

absl::StatusOr<std::vector<csv::CodedEntry>> LoadMeetingKinds(const std::string& path) {
  if (path.empty()) return std::vector<csv::CodedEntry>{};
  absl::StatusOr<std::string> text = csv::ReadListFile(kVariable, path, kDomain);
  if (!text.ok()) return text.status();
  return csv::ParseCodedEntries(*text, absl::StrCat(kVariable, " ", path), kDomain);
}

absl::Status SyncMeetingKinds(db::Pool& pool, const std::vector<csv::CodedEntry>& kinds) {
  return pool.Transact(db::Deadline::max(), [&](pqxx::work& txn) -> absl::Status {
    std::vector<std::string> codes;
    for (size_t i = 0; i < kinds.size(); ++i) {
      txn.exec_params(kUpsert, kinds[i].code, kinds[i].display_name, kinds[i].description,
                      static_cast<int>(i + 1));
      codes.push_back(kinds[i].code);
    }
    for (const auto& row : txn.exec_params(kStale, db::PgArray(codes))) {
      if (row[1].as<bool>()) {
        log::Warn("meeting kind removed from the kinds file but still used by meetings; kept",
                  {{"code", row[0].as<std::string>()}});
      } else {
        txn.exec_params("DELETE FROM meeting_kinds WHERE code = $1", row[0].as<std::string>());
      }
    }
    return absl::OkStatus();
  });
}

absl::Status CheckCustomKind(pqxx::work& txn, const v1::Meeting& meeting, absl::string_view field) {
  if (meeting.custom_kind().empty()) return absl::OkStatus();
  if (!txn.exec_params("SELECT 1 FROM meeting_kinds WHERE code = $1", meeting.custom_kind())
           .empty()) {
    return absl::OkStatus();
  }
  return InvalidField(kDomain, field,
                      absl::StrCat("unknown meeting kind '", meeting.custom_kind(),
                                   "': not in the network's kinds file (", kVariable, ")"));
}

}  // namespace maillage::meetings
