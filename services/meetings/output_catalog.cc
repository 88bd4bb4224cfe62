// OutputCatalog (see output_catalog.h).
#include "services/meetings/output_catalog.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/api/change_outbox.h"
#include "common/api/etag.h"
#include "common/api/list_query.h"
#include "common/api/resource_name.h"
#include "common/api/update_mask.h"
#include "common/db/idempotency.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/meetings/meeting_children.h"
#include "services/meetings/meeting_planner.h"
#include "services/meetings/meeting_rules.h"
#include "services/meetings/meeting_store.h"
#include "services/meetings/output_store.h"

namespace maillage::meetings {
namespace {

struct OutputId {
  int64_t meeting = 0;
  int64_t output = 0;
};

absl::StatusOr<OutputId> ParseOutputName(const std::string& name, absl::string_view field) {
  MAILLAGE_ASSIGN_OR_RETURN(auto ids,
                            api::ParseResourceIds(name, {"meetings", "outputs"}, field, kDomain));
  return OutputId{ids[0], ids[1]};
}

absl::Status CheckNotCancelled(const v1::Meeting& meeting) {
  if (meeting.state() != v1::MEETING_STATE_CANCELLED) return absl::OkStatus();
  return FailedPrecondition(kDomain, "MEETING_CANCELLED",
                            absl::StrCat(meeting.name(), " is cancelled: it produces no output"),
                            {{"name", meeting.name()}});
}

bool IsFinal(const v1::Output& output) {
  return output.has_proposal() && (output.proposal().state() == v1::PROPOSAL_STATE_INTEGRATED ||
                                   output.proposal().state() == v1::PROPOSAL_STATE_REJECTED);
}

}  // namespace

OutputCatalog::OutputCatalog(db::Pool& pool, DirectoryClient& directory)
    : pool_(pool), directory_(directory) {}

absl::StatusOr<v1::Output> OutputCatalog::Get(const v1::GetOutputRequest& request,
                                              db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(OutputId id, ParseOutputName(request.name(), "name"));
  return ReadOutput(pool_, deadline, id.meeting, id.output);
}

absl::StatusOr<v1::ListOutputsResponse> OutputCatalog::List(const v1::ListOutputsRequest& request,
                                                            db::Deadline deadline) {
  static const auto* const kFilters = new api::FilterSchema{
      {"action", {"m.action", api::FilterField::Type::kString}},
      {"document.kind",
       api::EnumField("o.document_kind", v1::DocumentKind_descriptor(), "DOCUMENT_KIND_")},
      {"proposal.state",
       api::EnumField("o.proposal_state", v1::ProposalState_descriptor(), "PROPOSAL_STATE_")},
      {"proposal.authors", {"o.proposal_authors", api::FilterField::Type::kStringList}},
      {"proposal.roadmap_item",
       {"COALESCE('roadmapItems/' || o.roadmap_item_id, '')", api::FilterField::Type::kString}},
      {"create_time", {"o.create_time", api::FilterField::Type::kTimestamp}},
      {"content", {"o.content", api::FilterField::Type::kString}},
  };
  static const auto* const kSorts = new api::SortSchema{
      {"create_time", {"o.create_time", "timestamptz"}},
      {"update_time", {"o.update_time", "timestamptz"}},
  };
  return ListMeetingChildren<v1::ListOutputsResponse, OutputPageRow>(
      pool_, deadline, request, {*kFilters, *kSorts, "create_time", "o.id"}, "o.meeting_id",
      [](pqxx::work& txn, const api::ListQuery& query, int limit) {
        return SelectOutputs(txn, query.where, query.keyset, query.order.sort.sql, limit);
      },
      [](OutputPageRow& row, v1::ListOutputsResponse& response) {
        *response.add_outputs() = std::move(row.output);
      });
}

absl::StatusOr<v1::Output> OutputCatalog::Create(const v1::CreateOutputRequest& request,
                                                 db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t meeting_id,
                            api::ParseResourceId(request.parent(), "meetings", "parent", kDomain));
  FieldViolations violations;
  ValidateOutput(request.output(), "output", violations);
  MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kDomain));
  if (request.output().has_proposal() && request.output().proposal().authors_size() > 0) {
    std::vector<std::string> authors(request.output().proposal().authors().begin(),
                                     request.output().proposal().authors().end());
    MAILLAGE_RETURN_IF_ERROR(directory_.GetActors(authors, deadline).status());
  }
  return pool_.Transact<v1::Output>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::Output>(
        txn, request.request_id(), "CreateOutput", request, kDomain,
        [&]() -> absl::StatusOr<v1::Output> {
          MAILLAGE_ASSIGN_OR_RETURN(v1::Meeting meeting, LockMeeting(txn, meeting_id));
          MAILLAGE_RETURN_IF_ERROR(CheckNotCancelled(meeting));
          v1::Output output = InsertOutput(txn, meeting_id, request.output(), CallerPrincipal());
          api::AppendOutboxEvent(txn, "output.created", output.name(), &output);
          return output;
        });
  });
}

absl::StatusOr<v1::Output> OutputCatalog::Update(const v1::UpdateOutputRequest& request,
                                                 db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(OutputId id, ParseOutputName(request.output().name(), "output.name"));
  // A oneof: the mask names the document's fields or the proposal's, never both kinds.
  MAILLAGE_ASSIGN_OR_RETURN(
      google::protobuf::FieldMask mask,
      api::EffectiveUpdateMask(request.update_mask(), request.output(), kDomain));
  auto merge = [&](const v1::Output& current) -> absl::StatusOr<v1::Output> {
    for (const std::string& path : mask.paths()) {
      bool document_path = path == "document" || absl::StartsWith(path, "document.");
      if (document_path != current.has_document()) {
        return InvalidField(kDomain, "update_mask",
                            "an output cannot change between document and proposal");
      }
    }
    v1::Output merged = current;
    api::MergeUpdate(request.output(), mask, &merged);
    FieldViolations violations;
    ValidateOutput(merged, "output", violations);
    MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kDomain));
    return merged;
  };
  // When the mask may change the authors, they are checked with the directory before the
  // transaction (read in one statement outside it); an update that cannot change them goes
  // straight to the transaction, which checks the rest again under the row lock.
  bool may_change_authors = api::MaskTouches(mask, "proposal.authors");
  for (const std::string& path : mask.paths()) may_change_authors |= path == "*";
  if (may_change_authors) {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Output current,
                              ReadOutput(pool_, deadline, id.meeting, id.output));
    MAILLAGE_ASSIGN_OR_RETURN(v1::Output planned, merge(current));
    if (planned.has_proposal() && planned.proposal().authors_size() > 0) {
      std::vector<std::string> authors(planned.proposal().authors().begin(),
                                       planned.proposal().authors().end());
      MAILLAGE_RETURN_IF_ERROR(directory_.GetActors(authors, deadline).status());
    }
  }
  return pool_.Transact<v1::Output>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::Output> {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Output fresh, LoadOutput(txn, id.meeting, id.output, true));
    MAILLAGE_RETURN_IF_ERROR(
        api::CheckEtag(request.output().etag(), fresh.etag(), fresh.name(), kDomain));
    if (IsFinal(fresh)) {
      return FailedPrecondition(
          kDomain, "PROPOSAL_FINAL",
          absl::StrCat(fresh.name(), " is ", v1::ProposalState_Name(fresh.proposal().state()),
                       ": it no longer changes"),
          {{"name", fresh.name()}});
    }
    MAILLAGE_ASSIGN_OR_RETURN(v1::Output merged, merge(fresh));
    RowWritten written = WriteOutputFields(txn, id.output, merged);
    // Built from the row read under its lock and what the write returned, not read back.
    *merged.mutable_update_time() = db::TimestampOf(written.time_micros);
    merged.set_etag(absl::StrCat(written.revision));
    return merged;
  });
}

absl::Status OutputCatalog::Delete(const v1::DeleteOutputRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(OutputId id, ParseOutputName(request.name(), "name"));
  return pool_.Transact(deadline, [&](pqxx::work& txn) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Output output, LoadOutput(txn, id.meeting, id.output, true));
    MAILLAGE_RETURN_IF_ERROR(api::CheckEtag(request.etag(), output.etag(), output.name(), kDomain));
    if (output.has_proposal() && output.proposal().state() == v1::PROPOSAL_STATE_INTEGRATED) {
      return FailedPrecondition(
          kDomain, "PROPOSAL_INTEGRATED",
          absl::StrCat(output.name(), " is integrated in ", output.proposal().roadmap_item(),
                       ": the roadmap refers to it"),
          {{"name", output.name()}, {"roadmap_item", output.proposal().roadmap_item()}});
    }
    DeleteOutputRow(txn, id.output);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Output> OutputCatalog::TransitionProposal(
    const v1::TransitionProposalRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(OutputId id, ParseOutputName(request.name(), "name"));
  FieldViolations violations;
  if (request.state() == v1::PROPOSAL_STATE_UNSPECIFIED ||
      !v1::ProposalState_IsValid(request.state())) {
    violations.Add("state", "required: one of the ProposalState values");
  }
  int64_t item_id = 0;
  if (request.state() == v1::PROPOSAL_STATE_INTEGRATED) {
    auto parsed =
        api::ParseResourceId(request.roadmap_item(), "roadmapItems", "roadmap_item", kDomain);
    if (parsed.ok()) {
      item_id = *parsed;
    } else {
      violations.Add("roadmap_item", "required for INTEGRATED: \"roadmapItems/{item}\"");
    }
  } else if (!request.roadmap_item().empty()) {
    violations.Add("roadmap_item", "only for the state INTEGRATED");
  }
  MAILLAGE_RETURN_IF_ERROR(violations.ToStatus(kDomain));
  return pool_.Transact<v1::Output>(deadline, [&](pqxx::work& txn) {
    return db::RunIdempotent<v1::Output>(
        txn, request.request_id(), "TransitionProposal", request, kDomain,
        [&]() -> absl::StatusOr<v1::Output> {
          MAILLAGE_ASSIGN_OR_RETURN(v1::Output output,
                                    LoadOutput(txn, id.meeting, id.output, true));
          MAILLAGE_RETURN_IF_ERROR(
              api::CheckEtag(request.etag(), output.etag(), output.name(), kDomain));
          if (!output.has_proposal()) {
            return FailedPrecondition(kDomain, "NOT_A_PROPOSAL",
                                      absl::StrCat(output.name(), " is a document"),
                                      {{"name", output.name()}});
          }
          MAILLAGE_RETURN_IF_ERROR(
              CheckProposalTransition(output.proposal().state(), request.state()));
          if (item_id != 0) {
            MAILLAGE_ASSIGN_OR_RETURN(v1::RoadmapItem item, LoadRoadmapItem(txn, item_id, true));
            std::string action = ActionOfMeeting(txn, id.meeting);
            if (item.action() != action) {
              return FailedPrecondition(kDomain, "ROADMAP_ITEM_OF_ANOTHER_ACTION",
                                        absl::StrCat(item.name(), " belongs to ", item.action(),
                                                     ", the proposal's "
                                                     "meeting to ",
                                                     action),
                                        {{"roadmap_item", item.name()}, {"action", action}});
            }
            AddRoadmapSources(txn, item_id, output.name(),
                              api::ResourceName("meetings", id.meeting));
          }
          RowWritten written = WriteProposalState(txn, id.output, request.state(), item_id,
                                                  CallerPrincipal(), request.note());
          // Built from the row read under its lock and what the write returned, not read back.
          v1::Proposal* proposal = output.mutable_proposal();
          proposal->set_state(request.state());
          if (item_id != 0) {
            proposal->set_roadmap_item(api::ResourceName("roadmapItems", item_id));
          } else {
            proposal->clear_roadmap_item();
          }
          v1::ProposalStateChange* change = proposal->add_state_history();
          change->set_state(request.state());
          *change->mutable_time() = db::TimestampOf(written.time_micros);
          change->set_changed_by(CallerPrincipal());
          change->set_note(request.note());
          *output.mutable_update_time() = db::TimestampOf(written.time_micros);
          output.set_etag(absl::StrCat(written.revision));
          return output;
        });
  });
}

}  // namespace maillage::meetings
