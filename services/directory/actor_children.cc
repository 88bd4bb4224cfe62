// What contacts and relationships share (see actor_children.h).
#include "services/directory/actor_children.h"

#include "common/api/resource_name.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_store.h"

namespace maillage::directory {

absl::Status CheckWritableParent(pqxx::work& txn, int64_t id) {
  return CheckWritableParent(ActorStore::Get(txn, id));
}

absl::Status CheckWritableParent(const absl::StatusOr<v1::Actor>& read) {
  MAILLAGE_RETURN_IF_ERROR(read.status());
  const v1::Actor& actor = *read;
  if (actor.state() == v1::ACTOR_STATE_MERGED) {
    return FailedPrecondition(
        kDomain, "ACTOR_MERGED",
        absl::StrCat("actor ", actor.name(), " was merged into ", actor.merged_into()),
        {{"name", actor.name()}, {"merged_into", actor.merged_into()}});
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ListParent(pqxx::work& txn, const std::string& parent) {
  if (parent == "actors/-") return int64_t{0};
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(parent, "actors", "parent", kDomain));
  MAILLAGE_RETURN_IF_ERROR(ActorStore::Get(txn, id).status());
  return id;
}

}  // namespace maillage::directory
