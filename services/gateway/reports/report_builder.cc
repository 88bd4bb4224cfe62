#include "services/gateway/reports/report_builder.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/text/meeting_labels.h"
#include "google/protobuf/util/time_util.h"
#include "maillage/meetings/v1/output.pb.h"
#include "maillage/meetings/v1/participant.pb.h"
#include "maillage/meetings/v1/roadmap.pb.h"

namespace maillage::gateway {
namespace {

namespace gv1 = gateway::v1;
namespace bv1 = budget::v1;
namespace mv1 = meetings::v1;
namespace dv1 = directory::v1;

std::string ParticipantRoleLabel(mv1::ParticipantRole role) {
  switch (role) {
    case mv1::PARTICIPANT_ROLE_ELECTED_OFFICIAL:
      return "Élus";
    case mv1::PARTICIPANT_ROLE_TECHNICIAN:
      return "Techniciens";
    case mv1::PARTICIPANT_ROLE_ESS_ACTOR:
      return "Acteurs de l'ESS";
    case mv1::PARTICIPANT_ROLE_EXPERT:
      return "Experts";
    case mv1::PARTICIPANT_ROLE_INHABITANT:
      return "Habitants";
    case mv1::PARTICIPANT_ROLE_STAFF:
      return "Équipe";
    default:
      return "";
  }
}

std::string DocumentKindLabel(mv1::DocumentKind kind) {
  switch (kind) {
    case mv1::DOCUMENT_KIND_SYNTHESIS:
      return "Synthèses";
    case mv1::DOCUMENT_KIND_MINUTES:
      return "Comptes rendus";
    case mv1::DOCUMENT_KIND_CONTRIBUTION:
      return "Contributions";
    case mv1::DOCUMENT_KIND_ROADMAP:
      return "Feuilles de route";
    default:
      return "";
  }
}

std::string ProposalStateLabel(mv1::ProposalState state) {
  switch (state) {
    case mv1::PROPOSAL_STATE_SUBMITTED:
      return "Déposées";
    case mv1::PROPOSAL_STATE_UNDER_STUDY:
      return "À l'étude";
    case mv1::PROPOSAL_STATE_RETAINED:
      return "Retenues";
    case mv1::PROPOSAL_STATE_INTEGRATED:
      return "Intégrées à la feuille de route";
    case mv1::PROPOSAL_STATE_REJECTED:
      return "Écartées";
    default:
      return "";
  }
}

std::string RoadmapItemStateLabel(mv1::RoadmapItemState state) {
  switch (state) {
    case mv1::ROADMAP_ITEM_STATE_PLANNED:
      return "Prévus";
    case mv1::ROADMAP_ITEM_STATE_IN_PROGRESS:
      return "En cours";
    case mv1::ROADMAP_ITEM_STATE_DONE:
      return "Réalisés";
    case mv1::ROADMAP_ITEM_STATE_ABANDONED:
      return "Abandonnés";
    default:
      return "";
  }
}

gv1::Ratio FromMeetingsRatio(const mv1::Ratio& ratio) {
  return MakeRatio(ratio.numerator(), ratio.denominator());
}

gv1::CountByKey* AddCount(google::protobuf::RepeatedPtrField<gv1::CountByKey>* list,
                          std::string key, std::string label, int64_t count) {
  gv1::CountByKey* entry = list->Add();
  entry->set_key(std::move(key));
  entry->set_label(std::move(label));
  entry->set_count(count);
  return entry;
}

// "indisponible" sentences: what the failure of one call means for a section.
std::string CauseOf(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      return "service injoignable";
    case absl::StatusCode::kDeadlineExceeded:
      return "délai de réponse dépassé";
    default:
      return absl::StrCat("erreur ", absl::StatusCodeToString(status.code()));
  }
}

void MarkPartial(gv1::ActionReport& report, gv1::ReportSection section, const std::string& backend,
                 const absl::Status& status, const std::string& what_is_missing) {
  gv1::PartialSection* partial = report.add_partial_sections();
  partial->set_section(section);
  partial->set_backend(backend);
  partial->set_code(static_cast<google::rpc::Code>(status.code()));
  partial->set_message(absl::StrCat(what_is_missing, " (", CauseOf(status), ")."));
}

// ---- Summary and budget ----

const bv1::ActionYear* YearOf(const bv1::Action& action, int year) {
  for (const bv1::ActionYear& plan : action.years()) {
    if (plan.year() == year) return &plan;
  }
  return nullptr;
}

gv1::ActionSummary BuildSummary(const bv1::Action& action, int year) {
  gv1::ActionSummary summary;
  summary.set_code(action.code());
  summary.set_title(action.title());
  *summary.mutable_objectives() = action.objectives();
  summary.set_start_year(action.start_year());
  summary.set_end_year(action.end_year());
  if (const bv1::ActionYear* plan = YearOf(action, year)) {
    if (plan->has_announced_amount_cents()) {
      summary.set_announced_amount_cents(plan->announced_amount_cents());
    }
    if (plan->has_staffing_fte_hundredths()) {
      summary.set_staffing_fte_hundredths(plan->staffing_fte_hundredths());
    }
  }
  for (const bv1::ActionFunder& funder : action.funders()) {
    gv1::FunderSummary* out = summary.add_funders();
    out->set_display_name(funder.display_name());
    out->set_kind(bv1::FunderKind_Name(funder.kind()));
    for (const bv1::YearAmount& commitment : funder.commitments()) {
      if (commitment.year() == year) out->set_committed_cents(commitment.amount_cents());
    }
  }
  return summary;
}

gv1::BudgetSide SideOf(bv1::Side side) {
  switch (side) {
    case bv1::SIDE_CHARGE:
      return gv1::BUDGET_SIDE_CHARGE;
    case bv1::SIDE_INCOME:
      return gv1::BUDGET_SIDE_INCOME;
    default:
      return gv1::BUDGET_SIDE_UNSPECIFIED;
  }
}

gv1::FindingSeverity SeverityOf(bv1::Severity severity) {
  switch (severity) {
    case bv1::SEVERITY_ERROR:
      return gv1::FINDING_SEVERITY_ERROR;
    case bv1::SEVERITY_WARNING:
      return gv1::FINDING_SEVERITY_WARNING;
    case bv1::SEVERITY_INFO:
      return gv1::FINDING_SEVERITY_INFO;
    default:
      return gv1::FINDING_SEVERITY_UNSPECIFIED;
  }
}

// Rank for "errors first": ERROR, WARNING, INFO, then anything unknown.
int SeverityRank(gv1::FindingSeverity severity) {
  return severity == gv1::FINDING_SEVERITY_UNSPECIFIED ? 4 : static_cast<int>(severity);
}

const bv1::Budget* FindBudget(const std::vector<bv1::Budget>& budgets, const std::string& name) {
  for (const bv1::Budget& budget : budgets) {
    if (budget.name() == name) return &budget;
  }
  return nullptr;
}

gv1::BudgetSection BuildBudget(const BudgetInputs& in, int year) {
  gv1::BudgetSection section;
  const bv1::FinancialReport& fr = in.financial_report;
  section.set_forecast_budget(fr.forecast_budget());
  section.set_actual_budget(fr.actual_budget());
  if (const bv1::Budget* forecast = FindBudget(in.budgets, fr.forecast_budget())) {
    section.set_forecast_version(forecast->version());
    section.set_forecast_state(bv1::BudgetState_Name(forecast->state()));
  }
  if (const bv1::Budget* actual = FindBudget(in.budgets, fr.actual_budget())) {
    section.set_actual_version(actual->version());
    section.set_actual_state(bv1::BudgetState_Name(actual->state()));
  }
  if (const bv1::ActionYear* plan = YearOf(in.action, year);
      plan != nullptr && plan->has_announced_amount_cents()) {
    section.set_announced_amount_cents(plan->announced_amount_cents());
  }
  section.set_forecast_charges_cents(fr.forecast_totals().charges_cents());
  section.set_forecast_income_cents(fr.forecast_totals().income_cents());
  section.set_actual_charges_cents(fr.actual_totals().charges_cents());
  section.set_actual_income_cents(fr.actual_totals().income_cents());

  for (const bv1::FinancialReportRow& row : fr.rows()) {
    if (!row.is_chapter()) continue;
    gv1::ChapterRow* out = section.add_chapters();
    out->set_side(SideOf(row.side()));
    out->set_account_code(row.account_code());
    out->set_label(row.label());
    if (row.has_forecast_cents()) out->set_forecast_cents(row.forecast_cents());
    if (row.has_actual_cents()) out->set_actual_cents(row.actual_cents());
    out->set_gap_cents(row.gap_cents());
    if (row.has_gap_basis_points()) out->set_gap_basis_points(row.gap_basis_points());
    out->set_explanation(row.explanation());
  }
  // Charges chapters then income chapters, each side in the report's order.
  std::stable_sort(
      section.mutable_chapters()->begin(), section.mutable_chapters()->end(),
      [](const gv1::ChapterRow& a, const gv1::ChapterRow& b) { return a.side() < b.side(); });

  for (const std::string& name : {fr.forecast_budget(), fr.actual_budget()}) {
    if (name.empty()) continue;
    auto validation = in.validations.find(name);
    if (validation == in.validations.end()) continue;
    section.set_error_count(section.error_count() + validation->second.error_count());
    section.set_warning_count(section.warning_count() + validation->second.warning_count());
    for (const bv1::Finding& finding : validation->second.findings()) {
      gv1::ReportFinding* out = section.add_findings();
      out->set_budget(finding.budget().empty() ? name : finding.budget());
      out->set_rule(bv1::FindingRule_Name(finding.rule()));
      out->set_severity(SeverityOf(finding.severity()));
      out->set_message(finding.message());
      out->set_account_code(finding.account_code());
      if (finding.has_expected_cents()) out->set_expected_cents(finding.expected_cents());
      if (finding.has_actual_cents()) out->set_actual_cents(finding.actual_cents());
    }
  }
  std::stable_sort(section.mutable_findings()->begin(), section.mutable_findings()->end(),
                   [](const gv1::ReportFinding& a, const gv1::ReportFinding& b) {
                     return SeverityRank(a.severity()) < SeverityRank(b.severity());
                   });

  std::map<std::string, std::string> funder_names;
  for (const bv1::ActionFunder& funder : in.action.funders()) {
    funder_names[funder.funder_id()] = funder.display_name();
  }
  for (const bv1::Grant& grant : in.grants) {
    if (grant.year() != year) continue;
    gv1::GrantRow* out = section.add_grants();
    out->set_grant(grant.name());
    auto funder = funder_names.find(grant.funder_id());
    out->set_funder_display_name(funder != funder_names.end() ? funder->second : grant.funder_id());
    out->set_state(bv1::GrantState_Name(grant.state()));
    out->set_state_label(GrantStateLabel(grant.state()));
    out->set_requested_cents(grant.requested_amount_cents());
    if (grant.has_notified_amount_cents()) {
      out->set_notified_cents(grant.notified_amount_cents());
      out->set_remaining_cents(grant.notified_amount_cents() - grant.paid_amount_cents());
    }
    out->set_paid_cents(grant.paid_amount_cents());
    if (grant.has_justification_due_date()) {
      *out->mutable_justification_due_date() = grant.justification_due_date();
    }
    if (grant.has_justify_date()) *out->mutable_justify_date() = grant.justify_date();
  }
  return section;
}

// ---- Meetings ----

gv1::MeetingsSection BuildMeetings(const MeetingsInputs& in) {
  const mv1::Indicators& ind = in.indicators;
  gv1::MeetingsSection section;
  section.set_meetings_planned(ind.meetings_planned());
  section.set_meetings_awaiting_closure(ind.meetings_awaiting_closure());
  section.set_meetings_held(ind.meetings_held());
  section.set_meetings_cancelled(ind.meetings_cancelled());
  section.set_invitations(ind.invitations());
  section.set_registered(ind.registered());
  section.set_attended(ind.attended());
  section.set_excused(ind.excused());
  section.set_no_show(ind.no_show());
  *section.mutable_participation_rate() = FromMeetingsRatio(ind.participation_rate());
  *section.mutable_registered_participation_rate() =
      FromMeetingsRatio(ind.registered_participation_rate());
  section.set_distinct_actors_mobilized(ind.distinct_actors_mobilized());
  section.set_attendees_outside_directory(ind.attendees_outside_directory());
  for (const mv1::RoleBreakdown& role : ind.by_role()) {
    AddCount(section.mutable_attended_by_role(), mv1::ParticipantRole_Name(role.role()),
             ParticipantRoleLabel(role.role()), role.attended());
  }
  for (const mv1::MeetingKindBreakdown& kind : ind.by_meeting_kind()) {
    // A kind of the network's own: its code and the label of its kinds file.
    const bool custom = !kind.custom_kind().empty();
    AddCount(section.mutable_meetings_held_by_kind(),
             custom ? kind.custom_kind() : mv1::MeetingKind_Name(kind.kind()),
             custom ? kind.display_name() : text::MeetingKindLabel(kind.kind()),
             kind.meetings_held());
  }
  section.set_documents_produced(ind.documents_produced());
  for (const mv1::DocumentKindCount& kind : ind.documents_by_kind()) {
    AddCount(section.mutable_documents_by_kind(), mv1::DocumentKind_Name(kind.kind()),
             DocumentKindLabel(kind.kind()), kind.count());
  }
  section.set_proposals_produced(ind.proposals_produced());
  for (const mv1::ProposalStateCount& state : ind.proposals_by_state()) {
    AddCount(section.mutable_proposals_by_state(), mv1::ProposalState_Name(state.state()),
             ProposalStateLabel(state.state()), state.count());
  }
  section.set_proposals_integrated(ind.proposals_integrated());
  section.set_roadmap_items(ind.roadmap_items());
  int32_t abandoned = 0;
  for (const mv1::RoadmapItemStateCount& state : ind.roadmap_items_by_state()) {
    AddCount(section.mutable_roadmap_items_by_state(), mv1::RoadmapItemState_Name(state.state()),
             RoadmapItemStateLabel(state.state()), state.count());
    if (state.state() == mv1::ROADMAP_ITEM_STATE_ABANDONED) abandoned = state.count();
  }
  if (ind.roadmap_items() - abandoned > 0) {
    section.set_roadmap_mean_progress_basis_points(
        static_cast<int32_t>(std::llround(ind.roadmap_mean_progress() * 100)));
  }

  std::vector<const mv1::Meeting*> meetings;
  for (const mv1::Meeting& meeting : in.meetings) meetings.push_back(&meeting);
  std::stable_sort(meetings.begin(), meetings.end(),
                   [](const mv1::Meeting* a, const mv1::Meeting* b) {
                     return a->start_time() < b->start_time();
                   });
  for (const mv1::Meeting* meeting : meetings) {
    gv1::MeetingRow* row = section.add_meetings();
    row->set_meeting(meeting->name());
    row->set_title(meeting->title());
    const bool custom = !meeting->custom_kind().empty();
    row->set_kind(custom ? meeting->custom_kind() : mv1::MeetingKind_Name(meeting->kind()));
    row->set_kind_label(custom ? meeting->kind_label() : text::MeetingKindLabel(meeting->kind()));
    row->set_state(mv1::MeetingState_Name(meeting->state()));
    row->set_state_label(MeetingStateLabel(meeting->state()));
    *row->mutable_start_time() = meeting->start_time();
    // The indicators' definitions: every participant is an invitation; REGISTERED, ATTENDED
    // and NO_SHOW said they would come or came.
    const mv1::AttendanceSummary& a = meeting->attendance();
    row->set_invited(a.participants());
    row->set_registered(a.registered() + a.attended() + a.no_show());
    row->set_attended(a.attended());
  }
  return section;
}

// ---- Reach ----

void SetMobilized(gv1::GroupReach& group, int64_t mobilized) {
  group.set_mobilized(mobilized);
  *group.mutable_coverage() = MakeRatio(mobilized, group.actors());
}

gv1::ReachSection BuildReach(const DirectoryInputs& dir, const MeetingsInputs* meetings) {
  gv1::ReachSection reach;
  reach.set_actors_total(static_cast<int64_t>(dir.actors.size()));
  std::map<std::string, int64_t> per_category, per_commune;
  std::map<int, int64_t> per_family;
  for (const dv1::Actor& actor : dir.actors) {
    std::set<std::string> categories(actor.network_categories().begin(),
                                     actor.network_categories().end());
    for (const std::string& category : categories) ++per_category[category];
    if (!actor.address().commune_insee_code().empty()) {
      ++per_commune[actor.address().commune_insee_code()];
    }
    ++per_family[actor.ess_family()];
  }
  std::map<std::string, int64_t> mobilized_category, mobilized_commune;
  if (meetings != nullptr) {
    for (const mv1::CoverageGroup& g : meetings->indicators.coverage_by_network_category()) {
      mobilized_category[g.group()] = g.mobilized_actors();
    }
    for (const mv1::CoverageGroup& g : meetings->indicators.coverage_by_commune()) {
      mobilized_commune[g.group()] = g.mobilized_actors();
    }
    int64_t mobilized = meetings->indicators.directory_coverage().numerator();
    reach.set_actors_mobilized(mobilized);
    *reach.mutable_directory_coverage() = MakeRatio(mobilized, reach.actors_total());
  }

  for (const dv1::NetworkCategory& category : dir.network_categories) {
    gv1::GroupReach* group = reach.add_by_network_category();
    group->set_key(category.code());
    group->set_label(category.display_name());
    group->set_actors(per_category[category.code()]);
    if (meetings != nullptr) SetMobilized(*group, mobilized_category[category.code()]);
  }
  int32_t with_actors = 0, communes_mobilized = 0;
  for (const dv1::Commune& commune : dir.communes) {
    gv1::GroupReach* group = reach.add_by_commune();
    group->set_key(commune.insee_code());
    group->set_label(commune.display_name());
    group->set_actors(per_commune[commune.insee_code()]);
    if (group->actors() > 0) ++with_actors;
    if (meetings != nullptr) {
      SetMobilized(*group, mobilized_commune[commune.insee_code()]);
      if (group->mobilized() > 0) ++communes_mobilized;
    }
  }
  reach.set_communes_total(static_cast<int32_t>(dir.communes.size()));
  reach.set_communes_with_actors(with_actors);
  if (meetings != nullptr) reach.set_communes_mobilized(communes_mobilized);

  for (const dv1::EssFamilyDescription& family : dir.ess_families) {
    gv1::GroupReach* group = reach.add_by_ess_family();
    group->set_key(dv1::EssFamily_Name(family.family()));
    group->set_label(family.display_name());
    group->set_actors(per_family[family.family()]);
  }
  if (int64_t unknown = per_family[dv1::ESS_FAMILY_UNSPECIFIED]; unknown > 0) {
    gv1::GroupReach* group = reach.add_by_ess_family();
    group->set_key(dv1::EssFamily_Name(dv1::ESS_FAMILY_UNSPECIFIED));
    group->set_label("Non renseignée");
    group->set_actors(unknown);
  }
  return reach;
}

}  // namespace

gv1::Ratio MakeRatio(int64_t numerator, int64_t denominator) {
  gv1::Ratio ratio;
  ratio.set_numerator(numerator);
  ratio.set_denominator(denominator);
  if (denominator != 0) {
    // Half up, in integers: floor((2 * n * 10000 + d) / (2 * d)) for non-negative counts.
    ratio.set_basis_points(
        static_cast<int32_t>((2 * numerator * 10000 + denominator) / (2 * denominator)));
  }
  return ratio;
}

std::string MeetingStateLabel(mv1::MeetingState state) {
  switch (state) {
    case mv1::MEETING_STATE_PLANNED:
      return "Prévue";
    case mv1::MEETING_STATE_HELD:
      return "Tenue, à clore";
    case mv1::MEETING_STATE_CLOSED:
      return "Tenue";
    case mv1::MEETING_STATE_CANCELLED:
      return "Annulée";
    default:
      return "";
  }
}

std::string GrantStateLabel(bv1::GrantState state) {
  switch (state) {
    case bv1::GRANT_STATE_REQUESTED:
      return "Demandée";
    case bv1::GRANT_STATE_NOTIFIED:
      return "Notifiée";
    case bv1::GRANT_STATE_PAID:
      return "Versée";
    case bv1::GRANT_STATE_JUSTIFIED:
      return "Justifiée";
    default:
      return "";
  }
}

gv1::ActionReport BuildActionReport(const ReportInputs& inputs,
                                    const google::protobuf::Timestamp& generate_time) {
  gv1::ActionReport report;
  report.set_action(inputs.action);
  report.set_year(inputs.year);
  *report.mutable_generate_time() = generate_time;

  if (inputs.budget.ok()) {
    *report.mutable_summary() = BuildSummary(inputs.budget->action, inputs.year);
  } else {
    MarkPartial(report, gv1::REPORT_SECTION_SUMMARY, "budget", inputs.budget.status(),
                "Service budgétaire indisponible : présentation de l'action absente");
  }
  if (inputs.meetings.ok()) {
    *report.mutable_meetings() = BuildMeetings(*inputs.meetings);
  } else {
    MarkPartial(report, gv1::REPORT_SECTION_MEETINGS, "meetings", inputs.meetings.status(),
                "Service des réunions indisponible : réunions et participation absentes");
  }
  if (inputs.budget.ok()) {
    *report.mutable_budget() = BuildBudget(*inputs.budget, inputs.year);
  } else {
    MarkPartial(report, gv1::REPORT_SECTION_BUDGET, "budget", inputs.budget.status(),
                "Service budgétaire indisponible : budget, contrôles et subventions absents");
  }
  if (inputs.directory.ok()) {
    *report.mutable_reach() =
        BuildReach(*inputs.directory, inputs.meetings.ok() ? &*inputs.meetings : nullptr);
    if (!inputs.meetings.ok()) {
      MarkPartial(report, gv1::REPORT_SECTION_REACH, "meetings", inputs.meetings.status(),
                  "Service des réunions indisponible : acteurs mobilisés inconnus");
    }
  } else {
    MarkPartial(report, gv1::REPORT_SECTION_REACH, "directory", inputs.directory.status(),
                "Annuaire indisponible : rayonnement auprès des acteurs absent");
  }
  return report;
}

}  // namespace maillage::gateway
