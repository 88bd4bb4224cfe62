// Roadmap (see roadmap.h).
#include "services/meetings/roadmap.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/api/etag.h"
#include "common/api/list_query.h"
#include "common/api/resource_name.h"
#include "common/api/update_mask.h"
#include "common/db/idempotency.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/meetings/meeting_planner.h"
#include "services/meetings/meeting_rules.h"
#include "services/meetings/output_store.h"

namespace maillage::meetings {
namespace {

void ValidateItem(const v1::RoadmapItem& item, FieldViolations& violations) {
  if (!IsActionName(item.action())) {
    violations.Add("roadmap_item.action", "required: \"actions/{action}\"");
  }
  if (absl::StripAsciiWhitespace(item.title()).empty()) {
    violations.Add("roadmap_item.title", "required");
  }
  for (int i = 0; i < item.source_proposals_size(); ++i) {
    if (!api::ParseResourceIds(item.source_proposals(i), {"meetings", "outputs"}, "s", kDomain)
             .ok()) {
      violations.Add(absl::StrCat("roadmap_item.source_proposals[", i, "]"),
                     "must be \"meetings/{meeting}/outputs/{output}\"");
    }
  }
  for (int i = 0; i < item.source_meetings_size(); ++i) {
    if (!api::ParseResourceId(item.source_meetings(i), "meetings", "s", kDomain).ok()) {
      violations.Add(absl::StrCat("roadmap_item.source_meetings[", i, "]"),
                     "must be \"meetings/{meeting}\"");
    }
  }
}

absl::Status SourceOfAnotherAction(const std::string& source, const std::string& action) {
  return FailedPrecondition(kDomain, "SOURCE_OF_ANOTHER_ACTION",
                            absl::StrCat(source, " is not a proposal or meeting of ", action),
                            {{"source", source}, {"action", action}});
}

// FAILED_PRECONDITION unless every source exists, is of the item's action, and every source
// proposal is a proposal.
absl::Status CheckSources(pqxx::work& txn, const v1::RoadmapItem& item) {
  for (const std::string& source : item.source_meetings()) {
    int64_t meeting = *api::ParseResourceId(source, "meetings", "s", kDomain);
    if (ActionOfMeeting(txn, meeting) != item.action()) {
      return SourceOfAnotherAction(source, item.action());
    }
  }
  for (const std::string& source : item.source_proposals()) {
    auto ids = *api::ParseResourceIds(source, {"meetings", "outputs"}, "s", kDomain);
    absl::StatusOr<v1::Output> output = LoadOutput(txn, ids[0], ids[1], false);
    if (!output.ok() || !output->has_proposal() || ActionOfMeeting(txn, ids[0]) != item.action()) {
      return SourceOfAnotherAction(source, item.action());
    }
  }
  return absl::OkStatus();
}

absl::Status CheckNotAbandoned(const v1::RoadmapItem& item) {
  if (item.state() != v1::ROADMAP_ITEM_STATE_ABANDONED) return absl::OkStatus();
  return FailedPrecondition(kDomain, "ROADMAP_ITEM_ABANDONED",
                            absl::StrCat(item.name(), " is abandoned: it no longer changes"),
                            {{"name", item.name()}});
}

}  // namespace

Roadmap::Roadmap(db::Pool& pool, ActionRegistry& actions) : pool_(pool), actions_(actions) {}

absl::StatusOr<v1::RoadmapItem> Roadmap::Get(const v1::GetRoadmapItemRequest& request,
                                             db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                            api::ParseResourceId(request.name(), "roadmapItems", "name", kDomain));
  return ReadRoadmapItem(pool_, deadline, id);
}

absl::StatusOr<v1::ListRoadmapItemsResponse> Roadmap::List(
    const v1::ListRoadmapItemsRequest& request, db::Deadline deadline) {
  static const auto* const kFilters = new api::FilterSchema{
      {"action", {"r.action", api::FilterField::Type::kString}},
      {"axis", {"r.axis", api::FilterField::Type::kString}},
      {"state",
       api::EnumField("r.state", v1::RoadmapItemState_descriptor(), "ROADMAP_ITEM_STATE_")},
      {"progress", {"r.progress", api::FilterField::Type::kInt}},
      {"source_meetings", {"r.source_meetings", api::FilterField::Type::kStringList}},
      {"source_proposals", {"r.source_proposals", api::FilterField::Type::kStringList}},
  };
  static const auto* const kSorts = new api::SortSchema{
      {"create_time", {"r.create_time", "timestamptz"}},
      {"update_time", {"r.update_time", "timestamptz"}},
      {"axis", {"r.axis", "text"}},
      {"progress", {"r.progress", "integer"}},
  };
  MAILLAGE_ASSIGN_OR_RETURN(api::ListQuery query,
                            api::PrepareList({request.page_size(), request.page_token(),
                                              request.filter(), request.order_by(), "roadmapItems"},
                                             {*kFilters, *kSorts, "create_time", "r.id"}, kDomain));
  return pool_.ReadOnly<v1::ListRoadmapItemsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListRoadmapItemsResponse> {
        std::vector<RoadmapPageRow> rows = SelectRoadmapItems(
            txn, query.where, query.keyset, query.order.sort.sql, query.page_size + 1);
        v1::ListRoadmapItemsResponse response;
        int count = api::CutPage(
            query, rows.size(), [&](int i) { return std::make_pair(rows[i].sort_key, rows[i].id); },
            response.mutable_next_page_token());
        for (int i = 0; i < count; ++i) *response.add_roadmap_items() = std::move(rows[i].item);
        return response;
      });
}

absl::StatusOr<v1::RoadmapItem> Roadmap::Create(const v1::CreateRoadmapItemRequest& request,
                                                db::Deadline deadline) {
  FieldViolations violations;
  ValidateItem(request.roadmap_item(), violations);
  MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kDomain));
  MAILLAGE_RETURN_IF_ERROR(actions_.CheckAction(request.roadmap_item().action(), deadline));
  return pool_.Transact<v1::RoadmapItem>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::RoadmapItem>(
        txn, request.request_id(), "CreateRoadmapItem", request, kDomain,
        [&]() -> absl::StatusOr<v1::RoadmapItem> {
          MAILLAGE_RETURN_IF_ERROR(CheckSources(txn, request.roadmap_item()));
          return InsertRoadmapItem(txn, request.roadmap_item(), CallerPrincipal());
        });
  });
}

absl::StatusOr<v1::RoadmapItem> Roadmap::Update(const v1::UpdateRoadmapItemRequest& request,
                                                db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                            api::ParseResourceId(request.roadmap_item().name(), "roadmapItems",
                                                 "roadmap_item.name", kDomain));
  MAILLAGE_ASSIGN_OR_RETURN(
      google::protobuf::FieldMask mask,
      api::EffectiveUpdateMask(request.update_mask(), request.roadmap_item(), kDomain));
  const std::string& new_action = request.roadmap_item().action();
  if (api::MaskTouches(mask, "action") && IsActionName(new_action)) {
    MAILLAGE_RETURN_IF_ERROR(actions_.CheckAction(new_action, deadline));
  }
  return pool_.Transact<v1::RoadmapItem>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::RoadmapItem> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::RoadmapItem current, LoadRoadmapItem(txn, id, true));
        MAILLAGE_RETURN_IF_ERROR(
            api::CheckEtag(request.roadmap_item().etag(), current.etag(), current.name(), kDomain));
        MAILLAGE_RETURN_IF_ERROR(CheckNotAbandoned(current));
        v1::RoadmapItem merged = current;
        api::MergeUpdate(request.roadmap_item(), mask, &merged);
        FieldViolations violations;
        ValidateItem(merged, violations);
        MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kDomain));
        MAILLAGE_RETURN_IF_ERROR(CheckSources(txn, merged));
        WriteRoadmapFields(txn, id, merged);
        return LoadRoadmapItem(txn, id, false);
      });
}

absl::Status Roadmap::Delete(const v1::DeleteRoadmapItemRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                            api::ParseResourceId(request.name(), "roadmapItems", "name", kDomain));
  return pool_.Transact(deadline, [&](pqxx::work& txn) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(v1::RoadmapItem item, LoadRoadmapItem(txn, id, true));
    MAILLAGE_RETURN_IF_ERROR(api::CheckEtag(request.etag(), item.etag(), item.name(), kDomain));
    if (IntegratedProposals(txn, id) > 0) {
      return FailedPrecondition(
          kDomain, "ROADMAP_ITEM_HAS_INTEGRATED_PROPOSALS",
          absl::StrCat(item.name(), " has integrated proposals: abandon it instead"),
          {{"name", item.name()}});
    }
    DeleteRoadmapItemRow(txn, id);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::RoadmapItem> Roadmap::RecordProgress(
    const v1::RecordRoadmapProgressRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                            api::ParseResourceId(request.name(), "roadmapItems", "name", kDomain));
  if (request.progress() < 0 || request.progress() > 100) {
    return InvalidField(kDomain, "progress", "from 0 to 100");
  }
  if (!v1::RoadmapItemState_IsValid(request.state())) {
    return InvalidField(kDomain, "state", "one of the RoadmapItemState values");
  }
  return pool_.Transact<v1::RoadmapItem>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::RoadmapItem>(
        txn, request.request_id(), "RecordRoadmapProgress", request, kDomain,
        [&]() -> absl::StatusOr<v1::RoadmapItem> {
          MAILLAGE_ASSIGN_OR_RETURN(v1::RoadmapItem item, LoadRoadmapItem(txn, id, true));
          MAILLAGE_RETURN_IF_ERROR(
              api::CheckEtag(request.etag(), item.etag(), item.name(), kDomain));
          MAILLAGE_RETURN_IF_ERROR(CheckNotAbandoned(item));
          v1::RoadmapItemState state = request.state();
          if (state == v1::ROADMAP_ITEM_STATE_UNSPECIFIED) {
            state = item.state() == v1::ROADMAP_ITEM_STATE_PLANNED && request.progress() > 0
                        ? v1::ROADMAP_ITEM_STATE_IN_PROGRESS
                        : item.state();
          }
          if (state == v1::ROADMAP_ITEM_STATE_DONE && request.progress() < 100) {
            return InvalidField(kDomain, "progress", "a DONE item has progress 100");
          }
          MAILLAGE_RETURN_IF_ERROR(CheckRoadmapTransition(item.state(), state));
          WriteRoadmapProgress(txn, id, request.progress(), state, CallerPrincipal(),
                               request.note());
          return LoadRoadmapItem(txn, id, false);
        });
  });
}

}  // namespace maillage::meetings
