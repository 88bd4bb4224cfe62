// Lists of a meeting's children (see meeting_children.h).
#include "services/meetings/meeting_children.h"

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "services/meetings/meeting_rules.h"
#include "services/meetings/meeting_store.h"

namespace maillage::meetings {

absl::StatusOr<MeetingChildrenQuery> PrepareMeetingChildrenList(const api::ListRequest& request,
                                                                const api::ListSchema& schema,
                                                                const std::string& meeting_column) {
  MeetingChildrenQuery list;
  if (request.scope != "meetings/-") {
    MAILLAGE_ASSIGN_OR_RETURN(list.meeting_id,
                              api::ParseResourceId(request.scope, "meetings", "parent", kDomain));
  }
  MAILLAGE_ASSIGN_OR_RETURN(list.query, api::PrepareList(request, schema, kDomain));
  if (list.meeting_id) {
    // A parsed number, not request text.
    list.query.where.sql =
        absl::StrCat(list.query.where.sql, " AND ", meeting_column, " = ", *list.meeting_id);
  }
  return list;
}

absl::Status CheckListedMeeting(pqxx::work& txn, const MeetingChildrenQuery& list) {
  if (!list.meeting_id) return absl::OkStatus();
  return LoadMeeting(txn, *list.meeting_id).status();
}

}  // namespace maillage::meetings
