// French labels of meeting codes (see meeting_labels.h).
#include "common/text/meeting_labels.h"

namespace maillage::text {

std::string MeetingKindLabel(meetings::v1::MeetingKind kind) {
  namespace mv1 = meetings::v1;
  switch (kind) {
    case mv1::MEETING_KIND_ELECTED_TECHNICIANS_MEETING:
      return "Rencontre élus et techniciens";
    case mv1::MEETING_KIND_ELECTED_OFFICIALS_MEETING:
      return "Réunion des élus";
    case mv1::MEETING_KIND_ACTORS_WORKSHOP:
      return "Atelier acteurs – Métropole";
    case mv1::MEETING_KIND_RESTITUTION_DAY:
      return "Journée de restitution";
    case mv1::MEETING_KIND_ESS_MONTH_EVENT:
      return "Mois de l'ESS";
    case mv1::MEETING_KIND_LEARNING_VISIT:
      return "Visite apprenante";
    case mv1::MEETING_KIND_ELECTED_OFFICIALS_TRAINING:
      return "Formation des élus";
    case mv1::MEETING_KIND_OTHER:
      return "Autre";
    default:
      return "";
  }
}

}  // namespace maillage::text
