// DirectoryFeedFollower: follows the directory's change feed (ListChanges) from a cursor kept in
// the meetings database, so that references stay right when the directory changes:
//  - an actor MERGED into another: participants and proposal authors are re-pointed to the
//    surviving actor; a contact MERGED: participants are re-pointed to its new name;
//  - a contact ERASED (a person's erasure request) or DELETED (the directory forgets a deleted
//    contact as an erased one): its participants are anonymised (contact and person cleared,
//    anonymized set) and keep their status, history and counts; the idempotency records whose
//    response held them are forgotten.
// Each page of changes is applied in one transaction together with the new cursor, so a change
// is applied once even across restarts (applying one twice would change nothing anyway).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "services/meetings/reference_clients.h"

namespace maillage::meetings {

class DirectoryFeedFollower {
 public:
  // `pool` and `directory` must outlive the follower.
  DirectoryFeedFollower(db::Pool& pool, DirectoryClient& directory,
                        std::chrono::milliseconds poll_interval);
  // Stops the background thread.
  ~DirectoryFeedFollower();
  DirectoryFeedFollower(const DirectoryFeedFollower&) = delete;
  DirectoryFeedFollower& operator=(const DirectoryFeedFollower&) = delete;

  // Starts polling in a background thread (no-op when already started): CatchUp, then wait
  // poll_interval, and so on; errors are logged and retried at the next round.
  void Start();
  // Stops and joins the thread. Idempotent.
  void Stop();

  // Applies every change committed after the stored cursor, page by page, until the feed says
  // it is caught up. Returns the number of changes read. UNAVAILABLE when the directory cannot
  // be reached; an expired cursor is reset (the feed is read again from its oldest change,
  // which is harmless) and reported as FAILED_PRECONDITION.
  absl::StatusOr<int> CatchUp(db::Deadline deadline);

 private:
  void Run();

  db::Pool& pool_;
  DirectoryClient& directory_;
  const std::chrono::milliseconds poll_interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace maillage::meetings
