// The gRPC adapter of the meetings service (see meetings_service.h).
#include "services/meetings/meetings_service.h"

#include <utility>

#include "common/auth/caller.h"
#include "common/status/grpc_status.h"
#include "common/status/reply.h"
#include "services/meetings/meeting_rules.h"

namespace maillage::meetings {

MeetingsServiceImpl::MeetingsServiceImpl(MeetingPlanner& planner, ParticipantRoster& roster,
                                         OutputCatalog& outputs, Roadmap& roadmap,
                                         IndicatorReport& indicators)
    : planner_(planner),
      roster_(roster),
      outputs_(outputs),
      roadmap_(roadmap),
      indicators_(indicators) {}

grpc::Status MeetingsServiceImpl::GetMeeting(grpc::ServerContext* context,
                                             const v1::GetMeetingRequest* request,
                                             v1::Meeting* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, GetMeeting, kDomain);
  return Reply(planner_.Get(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::ListMeetings(grpc::ServerContext* context,
                                               const v1::ListMeetingsRequest* request,
                                               v1::ListMeetingsResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, ListMeetings, kDomain);
  return Reply(planner_.List(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::CreateMeeting(grpc::ServerContext* context,
                                                const v1::CreateMeetingRequest* request,
                                                v1::Meeting* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, CreateMeeting, kDomain);
  return Reply(planner_.Create(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::UpdateMeeting(grpc::ServerContext* context,
                                                const v1::UpdateMeetingRequest* request,
                                                v1::Meeting* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, UpdateMeeting, kDomain);
  return Reply(planner_.Update(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::DeleteMeeting(grpc::ServerContext* context,
                                                const v1::DeleteMeetingRequest* request,
                                                google::protobuf::Empty*) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, DeleteMeeting, kDomain);
  return ToGrpcStatus(planner_.Delete(*request, context->deadline()), kDomain);
}

grpc::Status MeetingsServiceImpl::MarkMeetingHeld(grpc::ServerContext* context,
                                                  const v1::MarkMeetingHeldRequest* request,
                                                  v1::Meeting* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, MarkMeetingHeld, kDomain);
  return Reply(planner_.MarkHeld(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::CloseMeeting(grpc::ServerContext* context,
                                               const v1::CloseMeetingRequest* request,
                                               v1::Meeting* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, CloseMeeting, kDomain);
  return Reply(planner_.Close(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::CancelMeeting(grpc::ServerContext* context,
                                                const v1::CancelMeetingRequest* request,
                                                v1::Meeting* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, CancelMeeting, kDomain);
  return Reply(planner_.Cancel(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::GetMeetingCalendar(grpc::ServerContext* context,
                                                     const v1::GetMeetingCalendarRequest* request,
                                                     google::api::HttpBody* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, GetMeetingCalendar, kDomain);
  return Reply(planner_.Calendar(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::GetActionCalendar(grpc::ServerContext* context,
                                                    const v1::GetActionCalendarRequest* request,
                                                    google::api::HttpBody* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, GetActionCalendar, kDomain);
  return Reply(planner_.ActionCalendar(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::GetParticipant(grpc::ServerContext* context,
                                                 const v1::GetParticipantRequest* request,
                                                 v1::Participant* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, GetParticipant, kDomain);
  return Reply(roster_.Get(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::ListParticipants(grpc::ServerContext* context,
                                                   const v1::ListParticipantsRequest* request,
                                                   v1::ListParticipantsResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, ListParticipants, kDomain);
  return Reply(roster_.List(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::CreateParticipant(grpc::ServerContext* context,
                                                    const v1::CreateParticipantRequest* request,
                                                    v1::Participant* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, CreateParticipant, kDomain);
  return Reply(roster_.Create(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::UpdateParticipant(grpc::ServerContext* context,
                                                    const v1::UpdateParticipantRequest* request,
                                                    v1::Participant* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, UpdateParticipant, kDomain);
  return Reply(roster_.Update(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::DeleteParticipant(grpc::ServerContext* context,
                                                    const v1::DeleteParticipantRequest* request,
                                                    google::protobuf::Empty*) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, DeleteParticipant, kDomain);
  return ToGrpcStatus(roster_.Delete(*request, context->deadline()), kDomain);
}

grpc::Status MeetingsServiceImpl::BatchInviteParticipants(
    grpc::ServerContext* context, const v1::BatchInviteParticipantsRequest* request,
    v1::BatchInviteParticipantsResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, BatchInviteParticipants, kDomain);
  return Reply(roster_.BatchInvite(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::CheckIn(grpc::ServerContext* context,
                                          const v1::CheckInRequest* request,
                                          v1::Participant* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, CheckIn, kDomain);
  return Reply(roster_.CheckIn(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::SetParticipantStatus(
    grpc::ServerContext* context, const v1::SetParticipantStatusRequest* request,
    v1::Participant* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, SetParticipantStatus, kDomain);
  return Reply(roster_.SetStatus(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::AnonymizeParticipant(
    grpc::ServerContext* context, const v1::AnonymizeParticipantRequest* request,
    v1::Participant* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, AnonymizeParticipant, kDomain);
  return Reply(roster_.Anonymize(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::GetOutput(grpc::ServerContext* context,
                                            const v1::GetOutputRequest* request,
                                            v1::Output* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, GetOutput, kDomain);
  return Reply(outputs_.Get(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::ListOutputs(grpc::ServerContext* context,
                                              const v1::ListOutputsRequest* request,
                                              v1::ListOutputsResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, ListOutputs, kDomain);
  return Reply(outputs_.List(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::CreateOutput(grpc::ServerContext* context,
                                               const v1::CreateOutputRequest* request,
                                               v1::Output* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, CreateOutput, kDomain);
  return Reply(outputs_.Create(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::UpdateOutput(grpc::ServerContext* context,
                                               const v1::UpdateOutputRequest* request,
                                               v1::Output* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, UpdateOutput, kDomain);
  return Reply(outputs_.Update(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::DeleteOutput(grpc::ServerContext* context,
                                               const v1::DeleteOutputRequest* request,
                                               google::protobuf::Empty*) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, DeleteOutput, kDomain);
  return ToGrpcStatus(outputs_.Delete(*request, context->deadline()), kDomain);
}

grpc::Status MeetingsServiceImpl::TransitionProposal(grpc::ServerContext* context,
                                                     const v1::TransitionProposalRequest* request,
                                                     v1::Output* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, TransitionProposal, kDomain);
  return Reply(outputs_.TransitionProposal(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::GetRoadmapItem(grpc::ServerContext* context,
                                                 const v1::GetRoadmapItemRequest* request,
                                                 v1::RoadmapItem* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, GetRoadmapItem, kDomain);
  return Reply(roadmap_.Get(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::ListRoadmapItems(grpc::ServerContext* context,
                                                   const v1::ListRoadmapItemsRequest* request,
                                                   v1::ListRoadmapItemsResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, ListRoadmapItems, kDomain);
  return Reply(roadmap_.List(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::CreateRoadmapItem(grpc::ServerContext* context,
                                                    const v1::CreateRoadmapItemRequest* request,
                                                    v1::RoadmapItem* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, CreateRoadmapItem, kDomain);
  return Reply(roadmap_.Create(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::UpdateRoadmapItem(grpc::ServerContext* context,
                                                    const v1::UpdateRoadmapItemRequest* request,
                                                    v1::RoadmapItem* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, UpdateRoadmapItem, kDomain);
  return Reply(roadmap_.Update(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::DeleteRoadmapItem(grpc::ServerContext* context,
                                                    const v1::DeleteRoadmapItemRequest* request,
                                                    google::protobuf::Empty*) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, DeleteRoadmapItem, kDomain);
  return ToGrpcStatus(roadmap_.Delete(*request, context->deadline()), kDomain);
}

grpc::Status MeetingsServiceImpl::RecordRoadmapProgress(
    grpc::ServerContext* context, const v1::RecordRoadmapProgressRequest* request,
    v1::RoadmapItem* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, RecordRoadmapProgress, kDomain);
  return Reply(roadmap_.RecordProgress(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::GetIndicators(grpc::ServerContext* context,
                                                const v1::GetIndicatorsRequest* request,
                                                v1::Indicators* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, GetIndicators, kDomain);
  return Reply(indicators_.Get(*request, context->deadline()), response, kDomain);
}

grpc::Status MeetingsServiceImpl::ListMeetingChanges(grpc::ServerContext* context,
                                                     const v1::ListMeetingChangesRequest* request,
                                                     v1::ListMeetingChangesResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::MeetingsService, ListMeetingChanges, kDomain);
  return Reply(planner_.Changes(*request, context->deadline()), response, kDomain);
}

}  // namespace maillage::meetings
