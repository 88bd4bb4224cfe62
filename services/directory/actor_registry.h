// ActorRegistry: the rules of the Actor aggregate — validation against the territory and the
// reference lists, duplicates, etags, lifecycle (archive, delete, unarchive), lists with
// filters and keyset pages — each write in one transaction with its change-feed row and its
// request_id record. Also the reference lists and the change feed reads. The SQL is the
// stores' (actor_store.h, reference_store.h, change_feed.h); this class holds the rules.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "common/api/filter.h"
#include "common/db/pool.h"
#include "google/api/httpbody.pb.h"
#include "maillage/directory/v1/directory_service.pb.h"
#include "services/directory/actor_store.h"
#include "services/directory/reference_store.h"

namespace maillage::directory {

// A compiled actor filter (fields of ActorStore::FilterSchema): SQL over alias `a` with
// parameters $first_param.. in order. `implied_state` is the state added when the filter has
// no state term (ACTIVE for lists), "" for none. INVALID_ARGUMENT (field "filter") for a bad
// filter, an unknown label or member_of name.
absl::StatusOr<api::SqlCondition> CompileActorFilter(const std::string& filter,
                                                     absl::string_view implied_state,
                                                     int first_param = 1);

class ActorRegistry {
 public:
  explicit ActorRegistry(db::Pool& pool) : pool_(pool) {}

  // NOT_FOUND (ACTOR_NOT_FOUND); INVALID_ARGUMENT for a malformed name.
  absl::StatusOr<v1::Actor> Get(const v1::GetActorRequest& request, db::Deadline deadline);
  // NOT_FOUND naming the first unknown name; INVALID_ARGUMENT for a malformed name or more
  // than 1000 names.
  absl::StatusOr<v1::BatchGetActorsResponse> BatchGet(const v1::BatchGetActorsRequest& request,
                                                      db::Deadline deadline);
  // INVALID_ARGUMENT for a bad filter, order_by, page size or page token.
  absl::StatusOr<v1::ListActorsResponse> List(const v1::ListActorsRequest& request,
                                              db::Deadline deadline);
  // SearchActors (actor_search.h): French full text, accents and case folded, each unknown word
  // replaced by the closest words the actors use; two tiers (every word in the display name,
  // then the rest), newest first within a tier; narrowed by the list filter. INVALID_ARGUMENT
  // for an empty or too long query, a bad filter, page size or token.
  absl::StatusOr<v1::SearchActorsResponse> Search(const v1::SearchActorsRequest& request,
                                                  db::Deadline deadline);
  // INVALID_ARGUMENT naming every bad field; ALREADY_EXISTS (ACTOR_ALREADY_EXISTS with
  // existing_actor and matched_by) for a duplicate identifier.
  absl::StatusOr<v1::Actor> Create(const v1::CreateActorRequest& request, db::Deadline deadline);
  // As Create, plus NOT_FOUND, ABORTED (ETAG_MISMATCH), FAILED_PRECONDITION (ACTOR_MERGED).
  absl::StatusOr<v1::Actor> Update(const v1::UpdateActorRequest& request, db::Deadline deadline);
  // NOT_FOUND, ABORTED, FAILED_PRECONDITION; archives a referenced actor instead.
  absl::StatusOr<v1::DeleteActorResponse> Delete(const v1::DeleteActorRequest& request,
                                                 db::Deadline deadline);
  // NOT_FOUND, ABORTED, FAILED_PRECONDITION; returns the actor unchanged when already there.
  absl::StatusOr<v1::Actor> Archive(const v1::ArchiveActorRequest& request, db::Deadline deadline);
  absl::StatusOr<v1::Actor> Unarchive(const v1::UnarchiveActorRequest& request,
                                      db::Deadline deadline);

  // Streams the actors of the filter as CSV or GeoJSON chunks through `write` (which returns
  // false when the client went away: then CANCELLED). The first chunk carries the content
  // type. INVALID_ARGUMENT for an unspecified format or a bad filter.
  absl::Status Export(const v1::ExportActorsRequest& request, db::Deadline deadline,
                      const std::function<bool(const google::api::HttpBody&)>& write);

  // INVALID_ARGUMENT for a malformed cursor or a negative page size.
  absl::StatusOr<v1::ListChangesResponse> ListChanges(const v1::ListChangesRequest& request,
                                                      db::Deadline deadline);

  // Reference lists. INVALID_ARGUMENT for a bad page size or token.
  absl::StatusOr<v1::ListNetworkCategoriesResponse> ListNetworkCategories(
      const v1::ListNetworkCategoriesRequest& request, db::Deadline deadline);
  absl::StatusOr<v1::ListThemesResponse> ListThemes(const v1::ListThemesRequest& request,
                                                    db::Deadline deadline);
  absl::StatusOr<v1::ListCommunesResponse> ListCommunes(const v1::ListCommunesRequest& request,
                                                        db::Deadline deadline);

 private:
  // Archives or unarchives (`target` ACTIVE or ARCHIVED) with the checks of ArchiveActor.
  absl::StatusOr<v1::Actor> ChangeState(db::Deadline deadline, const std::string& name,
                                        const std::string& etag, v1::ActorState target);

  db::Pool& pool_;
};

// Validates a normalised actor against the database (commune of the territory, mapped to its
// current code; known categories and themes) and against duplicates (other than `self_id`).
// Adds violations with paths under `prefix`; returns ALREADY_EXISTS for a duplicate once the
// fields are valid. Used by ActorRegistry.
absl::Status CheckActorAgainstDirectory(pqxx::work& txn, v1::Actor& actor, int64_t self_id,
                                        absl::string_view prefix);

// The same field checks against a snapshot of the reference lists, without statements and
// without the duplicate check (imports check duplicates against their own index).
absl::Status CheckActorAgainstReference(v1::Actor& actor, absl::string_view prefix,
                                        const ReferenceSnapshot& reference);

// The ALREADY_EXISTS (ACTOR_ALREADY_EXISTS) that names the actor holding an identifier.
absl::Status DuplicateActorError(const IdentifierOwner& owner);

}  // namespace maillage::directory
