// The gRPC adapter of the meetings service: request -> logic -> response, errors converted at
// the edge (domain "meetings.maillage"). The logic lives in MeetingPlanner and
// ParticipantRoster, OutputCatalog, Roadmap and IndicatorReport; the adapter only passes the call's
// deadline.
#pragma once

#include "maillage/meetings/v1/meetings_service.grpc.pb.h"
#include "services/meetings/indicator_report.h"
#include "services/meetings/meeting_planner.h"
#include "services/meetings/output_catalog.h"
#include "services/meetings/participant_roster.h"
#include "services/meetings/roadmap.h"

namespace maillage::meetings {

class MeetingsServiceImpl : public v1::MeetingsService::Service {
 public:
  // The logic objects must outlive the service.
  MeetingsServiceImpl(MeetingPlanner& planner, ParticipantRoster& roster, OutputCatalog& outputs,
                      Roadmap& roadmap, IndicatorReport& indicators);

  grpc::Status GetMeeting(grpc::ServerContext* context, const v1::GetMeetingRequest* request,
                          v1::Meeting* response) override;
  grpc::Status ListMeetings(grpc::ServerContext* context, const v1::ListMeetingsRequest* request,
                            v1::ListMeetingsResponse* response) override;
  grpc::Status CreateMeeting(grpc::ServerContext* context, const v1::CreateMeetingRequest* request,
                             v1::Meeting* response) override;
  grpc::Status UpdateMeeting(grpc::ServerContext* context, const v1::UpdateMeetingRequest* request,
                             v1::Meeting* response) override;
  grpc::Status DeleteMeeting(grpc::ServerContext* context, const v1::DeleteMeetingRequest* request,
                             google::protobuf::Empty* response) override;
  grpc::Status MarkMeetingHeld(grpc::ServerContext* context,
                               const v1::MarkMeetingHeldRequest* request,
                               v1::Meeting* response) override;
  grpc::Status CloseMeeting(grpc::ServerContext* context, const v1::CloseMeetingRequest* request,
                            v1::Meeting* response) override;
  grpc::Status CancelMeeting(grpc::ServerContext* context, const v1::CancelMeetingRequest* request,
                             v1::Meeting* response) override;
  grpc::Status GetMeetingCalendar(grpc::ServerContext* context,
                                  const v1::GetMeetingCalendarRequest* request,
                                  google::api::HttpBody* response) override;
  grpc::Status GetActionCalendar(grpc::ServerContext* context,
                                 const v1::GetActionCalendarRequest* request,
                                 google::api::HttpBody* response) override;

  grpc::Status GetParticipant(grpc::ServerContext* context,
                              const v1::GetParticipantRequest* request,
                              v1::Participant* response) override;
  grpc::Status ListParticipants(grpc::ServerContext* context,
                                const v1::ListParticipantsRequest* request,
                                v1::ListParticipantsResponse* response) override;
  grpc::Status CreateParticipant(grpc::ServerContext* context,
                                 const v1::CreateParticipantRequest* request,
                                 v1::Participant* response) override;
  grpc::Status UpdateParticipant(grpc::ServerContext* context,
                                 const v1::UpdateParticipantRequest* request,
                                 v1::Participant* response) override;
  grpc::Status DeleteParticipant(grpc::ServerContext* context,
                                 const v1::DeleteParticipantRequest* request,
                                 google::protobuf::Empty* response) override;
  grpc::Status BatchInviteParticipants(grpc::ServerContext* context,
                                       const v1::BatchInviteParticipantsRequest* request,
                                       v1::BatchInviteParticipantsResponse* response) override;
  grpc::Status CheckIn(grpc::ServerContext* context, const v1::CheckInRequest* request,
                       v1::Participant* response) override;
  grpc::Status SetParticipantStatus(grpc::ServerContext* context,
                                    const v1::SetParticipantStatusRequest* request,
                                    v1::Participant* response) override;
  grpc::Status AnonymizeParticipant(grpc::ServerContext* context,
                                    const v1::AnonymizeParticipantRequest* request,
                                    v1::Participant* response) override;

  grpc::Status GetOutput(grpc::ServerContext* context, const v1::GetOutputRequest* request,
                         v1::Output* response) override;
  grpc::Status ListOutputs(grpc::ServerContext* context, const v1::ListOutputsRequest* request,
                           v1::ListOutputsResponse* response) override;
  grpc::Status CreateOutput(grpc::ServerContext* context, const v1::CreateOutputRequest* request,
                            v1::Output* response) override;
  grpc::Status UpdateOutput(grpc::ServerContext* context, const v1::UpdateOutputRequest* request,
                            v1::Output* response) override;
  grpc::Status DeleteOutput(grpc::ServerContext* context, const v1::DeleteOutputRequest* request,
                            google::protobuf::Empty* response) override;
  grpc::Status TransitionProposal(grpc::ServerContext* context,
                                  const v1::TransitionProposalRequest* request,
                                  v1::Output* response) override;

  grpc::Status GetRoadmapItem(grpc::ServerContext* context,
                              const v1::GetRoadmapItemRequest* request,
                              v1::RoadmapItem* response) override;
  grpc::Status ListRoadmapItems(grpc::ServerContext* context,
                                const v1::ListRoadmapItemsRequest* request,
                                v1::ListRoadmapItemsResponse* response) override;
  grpc::Status CreateRoadmapItem(grpc::ServerContext* context,
                                 const v1::CreateRoadmapItemRequest* request,
                                 v1::RoadmapItem* response) override;
  grpc::Status UpdateRoadmapItem(grpc::ServerContext* context,
                                 const v1::UpdateRoadmapItemRequest* request,
                                 v1::RoadmapItem* response) override;
  grpc::Status DeleteRoadmapItem(grpc::ServerContext* context,
                                 const v1::DeleteRoadmapItemRequest* request,
                                 google::protobuf::Empty* response) override;
  grpc::Status RecordRoadmapProgress(grpc::ServerContext* context,
                                     const v1::RecordRoadmapProgressRequest* request,
                                     v1::RoadmapItem* response) override;

  grpc::Status GetIndicators(grpc::ServerContext* context, const v1::GetIndicatorsRequest* request,
                             v1::Indicators* response) override;
  grpc::Status ListMeetingChanges(grpc::ServerContext* context,
                                  const v1::ListMeetingChangesRequest* request,
                                  v1::ListMeetingChangesResponse* response) override;

 private:
  MeetingPlanner& planner_;
  ParticipantRoster& roster_;
  OutputCatalog& outputs_;
  Roadmap& roadmap_;
  IndicatorReport& indicators_;
};

}  // namespace maillage::meetings
