// DirectoryFeedFollower (see directory_feed_follower.h).
#include "services/meetings/directory_feed_follower.h"

#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/caller.h"
#include "common/db/idempotency.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/meetings/indicator_store.h"
#include "services/meetings/meeting_rules.h"

namespace maillage::meetings {
namespace {

constexpr int kPageSize = 500;

constexpr const char* kReadCursor = "SELECT cursor FROM directory_feed WHERE id = 1 FOR UPDATE";
constexpr const char* kWriteCursor =
    "UPDATE directory_feed SET cursor = $1, update_time = now() WHERE id = 1";
constexpr const char* kRepointActor =
    "UPDATE participants SET actor = $2, revision = revision + 1, update_time = now() "
    "WHERE actor = $1 RETURNING meeting_id";
constexpr const char* kRepointAuthors =
    "UPDATE outputs SET proposal_authors = ARRAY(SELECT a FROM (SELECT a, min(n) AS n FROM "
    "unnest(array_replace(proposal_authors, $1, $2)) WITH ORDINALITY AS t(a, n) GROUP BY a) s "
    "ORDER BY n), "
    "revision = revision + 1, update_time = now() WHERE $1 = ANY(proposal_authors)";
constexpr const char* kRepointContact =
    "UPDATE participants SET contact = $2, actor = $3, revision = revision + 1, "
    "update_time = now() WHERE contact = $1 RETURNING meeting_id";
constexpr const char* kAnonymizeContact =
    "UPDATE participants SET contact = '', person_display_name = '', person_organization = '', "
    "person_email = '', anonymized = true, revision = revision + 1, update_time = now() "
    "WHERE contact = $1 RETURNING meeting_id, id";

// Applies `change`; adds the meetings whose participants it changed to `touched`.
void Apply(pqxx::work& txn, const directory::v1::Change& change, std::set<int64_t>& touched) {
  using directory::v1::ChangedResourceType;
  using directory::v1::ChangeKind;
  pqxx::result changed;
  if (change.kind() == directory::v1::CHANGE_KIND_MERGED && !change.merged_into().empty()) {
    if (change.resource_type() == directory::v1::CHANGED_RESOURCE_TYPE_ACTOR) {
      changed = txn.exec_params(kRepointActor, change.resource_name(), change.merged_into());
      txn.exec_params(kRepointAuthors, change.resource_name(), change.merged_into());
    } else if (change.resource_type() == directory::v1::CHANGED_RESOURCE_TYPE_CONTACT) {
      changed = txn.exec_params(kRepointContact, change.resource_name(), change.merged_into(),
                                ActorOfContact(change.merged_into()));
    }
  } else if ((change.kind() == directory::v1::CHANGE_KIND_ERASED ||
              change.kind() == directory::v1::CHANGE_KIND_DELETED) &&
             change.resource_type() == directory::v1::CHANGED_RESOURCE_TYPE_CONTACT) {
    // A deleted contact is forgotten as an erased one is (the directory keeps nothing either).
    changed = txn.exec_params(kAnonymizeContact, change.resource_name());
    std::vector<std::string> participants;
    for (const pqxx::row& row : changed) {
      participants.push_back(
          absl::StrCat("meetings/", row[0].as<int64_t>(), "/participants/", row[1].as<int64_t>()));
    }
    db::ForgetRequestsAbout(txn, participants);
  }
  for (const pqxx::row& row : changed) touched.insert(row[0].as<int64_t>());
}

}  // namespace

DirectoryFeedFollower::DirectoryFeedFollower(db::Pool& pool, DirectoryClient& directory,
                                             std::chrono::milliseconds poll_interval)
    : pool_(pool), directory_(directory), poll_interval_(poll_interval) {}

DirectoryFeedFollower::~DirectoryFeedFollower() { Stop(); }

void DirectoryFeedFollower::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void DirectoryFeedFollower::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DirectoryFeedFollower::Run() {
  absl::StatusCode last_error = absl::StatusCode::kOk;
  while (true) {
    absl::StatusOr<int> applied =
        CatchUp(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (!applied.ok() && applied.status().code() != last_error) {
      log::Warn("directory change feed: round failed, retrying",
                {{"error", std::string(applied.status().message())}});
    }
    last_error = applied.ok() ? absl::StatusCode::kOk : applied.status().code();
    std::unique_lock<std::mutex> lock(mu_);
    if (wake_.wait_for(lock, poll_interval_, [this] { return stopping_; })) return;
  }
}

absl::StatusOr<int> DirectoryFeedFollower::CatchUp(db::Deadline deadline) {
  // Nobody asked for this work: the service reads the feed in its own name. STAFF, so that the
  // contacts' snapshots (erasures to apply) are not left out.
  auth::CallerScope caller(auth::ServicePrincipal("meetings", gateway::v1::ROLE_STAFF));
  int read = 0;
  while (true) {
    MAILLAGE_ASSIGN_OR_RETURN(
        std::string cursor,
        pool_.ReadOnly<std::string>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<std::string> {
          return txn.exec("SELECT cursor FROM directory_feed WHERE id = 1")[0][0].as<std::string>();
        }));
    absl::StatusOr<directory::v1::ListChangesResponse> page =
        directory_.ListChanges(cursor, kPageSize, deadline);
    if (!page.ok()) {
      auto info = GetErrorInfo(page.status());
      // A cursor the directory no longer accepts as its own (page tokens are signed: its key
      // was derived from a secret since rotated, or by a version before signing) is followed
      // from the start again, as an expired one.
      auto bad_request = GetBadRequest(page.status());
      bool refused_cursor = page.status().code() == absl::StatusCode::kInvalidArgument &&
                            bad_request && bad_request->field_violations_size() > 0 &&
                            bad_request->field_violations(0).field() == "since";
      if ((info && info->reason() == "CHANGE_CURSOR_EXPIRED") || refused_cursor) {
        log::Warn("directory change feed: cursor refused, following the feed from its start",
                  {{"error", std::string(page.status().message())}});
        MAILLAGE_RETURN_IF_ERROR(pool_.Transact(deadline, [&](pqxx::work& txn) {
          txn.exec_params(kWriteCursor, "");
          return absl::OkStatus();
        }));
      }
      return page.status();
    }
    MAILLAGE_RETURN_IF_ERROR(pool_.Transact(deadline, [&](pqxx::work& txn) -> absl::Status {
      // Another replica may have moved the cursor meanwhile: apply only from where we read.
      std::string stored = txn.exec(kReadCursor)[0][0].as<std::string>();
      if (stored != cursor) return absl::OkStatus();
      std::set<int64_t> touched;
      for (const directory::v1::Change& change : page->changes()) Apply(txn, change, touched);
      // Closed meetings are counted from their summaries: keep them equal to the participants.
      SummarizeClosedAttendance(txn, {touched.begin(), touched.end()});
      txn.exec_params(kWriteCursor, page->next_cursor());
      return absl::OkStatus();
    }));
    read += page->changes_size();
    if (page->caught_up() || page->changes().empty()) return read;
  }
}

}  // namespace maillage::meetings
