// The List method of a meeting's children (participants, outputs): the parent is one meeting
// ("meetings/{meeting}") or every meeting ("meetings/-"). One place for what those lists share:
// the parent read, the request's page, filter and order prepared against the collection's
// schema, the parent's condition, NOT_FOUND for a parent meeting that does not exist, and the
// page with its next page token.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/api/list_query.h"
#include "common/db/pool.h"
#include "common/status/status_macros.h"

namespace maillage::meetings {

struct MeetingChildrenQuery {
  std::optional<int64_t> meeting_id;  // unset for "meetings/-"
  api::ListQuery query;               // the parent's condition included
};

// INVALID_ARGUMENT naming the field for a parent that is neither "meetings/-" nor a meeting
// name, and as api::PrepareList. `request.scope` is the parent; `meeting_column` the SQL of
// the children's meeting id (e.g. "p.meeting_id").
absl::StatusOr<MeetingChildrenQuery> PrepareMeetingChildrenList(const api::ListRequest& request,
                                                                const api::ListSchema& schema,
                                                                const std::string& meeting_column);

// NOT_FOUND MEETING_NOT_FOUND when the list names a meeting that does not exist.
absl::Status CheckListedMeeting(pqxx::work& txn, const MeetingChildrenQuery& list);

// The whole List of `request` (a List*Request with parent, page_size, page_token, filter and
// order_by): prepared as above, then in one read-only transaction the parent checked,
// `select_page(txn, query, limit)` asked for up to page size + 1 rows (each with `sort_key`
// and `id`), and `add(row, response)` called for those of the page.
template <typename Response, typename PageRow, typename Request>
absl::StatusOr<Response> ListMeetingChildren(
    db::Pool& pool, db::Deadline deadline, const Request& request, const api::ListSchema& schema,
    const std::string& meeting_column,
    const std::function<std::vector<PageRow>(pqxx::work&, const api::ListQuery&, int limit)>&
        select_page,
    const std::function<void(PageRow&, Response&)>& add) {
  MAILLAGE_ASSIGN_OR_RETURN(
      MeetingChildrenQuery list,
      PrepareMeetingChildrenList({request.page_size(), request.page_token(), request.filter(),
                                  request.order_by(), request.parent()},
                                 schema, meeting_column));
  return pool.ReadOnly<Response>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<Response> {
    MAILLAGE_RETURN_IF_ERROR(CheckListedMeeting(txn, list));
    std::vector<PageRow> rows = select_page(txn, list.query, list.query.page_size + 1);
    Response response;
    int count = api::CutPage(
        list.query, rows.size(),
        [&](int i) { return std::make_pair(rows[i].sort_key, rows[i].id); },
        response.mutable_next_page_token());
    for (int i = 0; i < count; ++i) add(rows[i], response);
    return response;
  });
}

}  // namespace maillage::meetings
