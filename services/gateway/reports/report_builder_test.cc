#include "services/gateway/reports/report_builder.h"

#include <tuple>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace maillage::gateway {
namespace {

namespace gv1 = gateway::v1;
namespace bv1 = budget::v1;
namespace mv1 = meetings::v1;
namespace dv1 = directory::v1;
using google::protobuf::util::TimeUtil;

BudgetInputs SeedLikeBudget() {
  BudgetInputs in;
  in.action.set_name("actions/fa3");
  in.action.set_code("FA3");
  in.action.set_title("Animation du réseau");
  in.action.add_objectives("Animer le réseau");
  in.action.set_start_year(2023);
  in.action.set_end_year(2025);
  bv1::ActionYear* y2023 = in.action.add_years();
  y2023->set_year(2023);
  y2023->set_announced_amount_cents(1000000);
  y2023->set_staffing_fte_hundredths(13);
  bv1::ActionYear* y2024 = in.action.add_years();
  y2024->set_year(2024);
  y2024->set_announced_amount_cents(1);
  bv1::ActionFunder* funder = in.action.add_funders();
  funder->set_funder_id("dijon-metropole");
  funder->set_display_name("Dijon Métropole");
  funder->set_kind(bv1::FUNDER_KIND_INTERCOMMUNALITY);
  for (int year : {2023, 2024}) {
    bv1::YearAmount* c = funder->add_commitments();
    c->set_year(year);
    c->set_amount_cents(year == 2023 ? 600000 : 1);
  }

  bv1::FinancialReport& fr = in.financial_report;
  fr.set_forecast_budget("actions/fa3/budgets/2");
  fr.set_actual_budget("actions/fa3/budgets/5");
  fr.mutable_forecast_totals()->set_charges_cents(1000000);
  fr.mutable_forecast_totals()->set_income_cents(600000);
  fr.mutable_actual_totals()->set_charges_cents(550000);
  fr.mutable_actual_totals()->set_income_cents(600000);
  auto add_row = [&](bv1::Side side, const char* code, bool chapter, int64_t forecast,
                     int64_t actual) {
    bv1::FinancialReportRow* row = fr.add_rows();
    row->set_side(side);
    row->set_account_code(code);
    row->set_label(absl::StrCat("Compte ", code));
    row->set_is_chapter(chapter);
    row->set_forecast_cents(forecast);
    row->set_actual_cents(actual);
    row->set_gap_cents(actual - forecast);
    if (forecast != 0) row->set_gap_basis_points((actual - forecast) * 10000 / forecast);
  };
  add_row(bv1::SIDE_INCOME, "74", true, 600000, 600000);  // out of order on purpose
  add_row(bv1::SIDE_CHARGE, "64", true, 940000, 500000);
  add_row(bv1::SIDE_CHARGE, "641", false, 385600, 300000);  // a detail: not a chapter row
  add_row(bv1::SIDE_CHARGE, "60", true, 20000, 50000);

  for (auto [name, version, state, kind] :
       {std::tuple{"actions/fa3/budgets/1", 1, bv1::BUDGET_STATE_DRAFT, bv1::BUDGET_KIND_FORECAST},
        std::tuple{"actions/fa3/budgets/2", 2, bv1::BUDGET_STATE_APPROVED,
                   bv1::BUDGET_KIND_FORECAST},
        std::tuple{"actions/fa3/budgets/5", 1, bv1::BUDGET_STATE_DRAFT, bv1::BUDGET_KIND_ACTUAL}}) {
    bv1::Budget b;
    b.set_name(name);
    b.set_version(version);
    b.set_state(state);
    b.set_kind(kind);
    in.budgets.push_back(b);
  }
  bv1::ValidateBudgetResponse& forecast = in.validations["actions/fa3/budgets/2"];
  bv1::Finding* warning = forecast.add_findings();
  warning->set_rule(bv1::FINDING_RULE_STAFFING_MISSING);
  warning->set_severity(bv1::SEVERITY_WARNING);
  warning->set_message("ETP manquant");
  bv1::Finding* error = forecast.add_findings();
  error->set_rule(bv1::FINDING_RULE_DETAIL_SUM_MISMATCH);
  error->set_severity(bv1::SEVERITY_ERROR);
  error->set_message("Le chapitre 64 indique 9 400 €");
  error->set_account_code("64");
  error->set_expected_cents(940000);
  error->set_actual_cents(540000);
  forecast.set_error_count(1);
  forecast.set_warning_count(1);
  bv1::ValidateBudgetResponse& actual = in.validations["actions/fa3/budgets/5"];
  actual.add_findings()->set_severity(bv1::SEVERITY_ERROR);
  actual.set_error_count(1);

  bv1::Grant grant;
  grant.set_name("actions/fa3/grants/1");
  grant.set_funder_id("dijon-metropole");
  grant.set_year(2023);
  grant.set_state(bv1::GRANT_STATE_PAID);
  grant.set_requested_amount_cents(600000);
  grant.set_notified_amount_cents(600000);
  grant.set_paid_amount_cents(300000);
  in.grants.push_back(grant);
  grant.set_year(2024);  // another year: left out
  in.grants.push_back(grant);
  return in;
}

MeetingsInputs SomeMeetings() {
  MeetingsInputs in;
  mv1::Indicators& ind = in.indicators;
  ind.set_meetings_planned(7);
  ind.set_meetings_held(3);
  ind.set_meetings_cancelled(1);
  ind.set_invitations(40);
  ind.set_registered(30);
  ind.set_attended(17);
  ind.mutable_participation_rate()->set_numerator(17);
  ind.mutable_participation_rate()->set_denominator(40);
  ind.mutable_registered_participation_rate()->set_numerator(17);
  ind.mutable_registered_participation_rate()->set_denominator(30);
  ind.set_distinct_actors_mobilized(5);
  ind.mutable_directory_coverage()->set_numerator(2);
  ind.mutable_directory_coverage()->set_denominator(3);
  mv1::CoverageGroup* iae = ind.add_coverage_by_network_category();
  iae->set_group("iae");
  iae->set_mobilized_actors(1);
  mv1::CoverageGroup* dijon = ind.add_coverage_by_commune();
  dijon->set_group("21231");
  dijon->set_mobilized_actors(2);
  mv1::RoleBreakdown* role = ind.add_by_role();
  role->set_role(mv1::PARTICIPANT_ROLE_ELECTED_OFFICIAL);
  role->set_attended(6);
  mv1::MeetingKindBreakdown* kind = ind.add_by_meeting_kind();
  kind->set_kind(mv1::MEETING_KIND_ACTORS_WORKSHOP);
  kind->set_meetings_held(2);
  ind.set_roadmap_items(4);
  mv1::RoadmapItemStateCount* abandoned = ind.add_roadmap_items_by_state();
  abandoned->set_state(mv1::ROADMAP_ITEM_STATE_ABANDONED);
  abandoned->set_count(1);
  ind.set_roadmap_mean_progress(62.5);

  mv1::Meeting late, early;
  late.set_name("meetings/2");
  late.set_title("Atelier");
  late.set_kind(mv1::MEETING_KIND_ACTORS_WORKSHOP);
  late.set_state(mv1::MEETING_STATE_CLOSED);
  *late.mutable_start_time() = TimeUtil::SecondsToTimestamp(1686000000);
  late.mutable_attendance()->set_participants(12);
  late.mutable_attendance()->set_registered(1);
  late.mutable_attendance()->set_attended(8);
  late.mutable_attendance()->set_no_show(2);
  early.set_name("meetings/1");
  early.set_state(mv1::MEETING_STATE_PLANNED);
  *early.mutable_start_time() = TimeUtil::SecondsToTimestamp(1676000000);
  in.meetings = {late, early};
  return in;
}

DirectoryInputs SmallDirectory() {
  DirectoryInputs in;
  auto actor = [&](std::vector<std::string> categories, const char* commune,
                   dv1::EssFamily family) {
    dv1::Actor a;
    for (const std::string& c : categories) a.add_network_categories(c);
    a.mutable_address()->set_commune_insee_code(commune);
    a.set_ess_family(family);
    in.actors.push_back(a);
  };
  actor({"iae", "tetes-de-reseau"}, "21231", dv1::ESS_FAMILY_ASSOCIATION);
  actor({"iae"}, "21231", dv1::ESS_FAMILY_COOPERATIVE);
  actor({"tetes-de-reseau"}, "", dv1::ESS_FAMILY_UNSPECIFIED);
  for (auto [code, label] :
       {std::pair{"iae", "IAE"}, {"tetes-de-reseau", "Têtes de réseau"}, {"culture", "Culture"}}) {
    dv1::NetworkCategory c;
    c.set_code(code);
    c.set_display_name(label);
    in.network_categories.push_back(c);
  }
  for (auto [code, label] : {std::pair{"21231", "Dijon"}, {"21515", "Quetigny"}}) {
    dv1::Commune c;
    c.set_insee_code(code);
    c.set_display_name(label);
    in.communes.push_back(c);
  }
  for (auto [family, label] : {std::pair{dv1::ESS_FAMILY_ASSOCIATION, "Association"},
                               {dv1::ESS_FAMILY_COOPERATIVE, "Coopérative"}}) {
    dv1::EssFamilyDescription d;
    d.set_family(family);
    d.set_display_name(label);
    in.ess_families.push_back(d);
  }
  return in;
}

ReportInputs AllInputs() {
  ReportInputs inputs;
  inputs.action = "actions/fa3";
  inputs.year = 2023;
  inputs.budget = SeedLikeBudget();
  inputs.meetings = SomeMeetings();
  inputs.directory = SmallDirectory();
  return inputs;
}

const gv1::PartialSection* FindPartial(const gv1::ActionReport& report,
                                       gv1::ReportSection section) {
  for (const gv1::PartialSection& p : report.partial_sections()) {
    if (p.section() == section) return &p;
  }
  return nullptr;
}

TEST(MakeRatioTest, RoundsBasisPointsHalfUp) {
  EXPECT_EQ(MakeRatio(1, 3).basis_points(), 3333);
  EXPECT_EQ(MakeRatio(2, 3).basis_points(), 6667);
  EXPECT_EQ(MakeRatio(1, 8).basis_points(), 1250);
  EXPECT_EQ(MakeRatio(1, 20000).basis_points(), 1);  // 0,5 bp: half up
  EXPECT_EQ(MakeRatio(5, 5).basis_points(), 10000);
  EXPECT_FALSE(MakeRatio(0, 0).has_basis_points());
  EXPECT_EQ(MakeRatio(0, 0).denominator(), 0);
}

TEST(ReportBuilderTest, SummaryTakesTheYearOfTheAction) {
  gv1::ActionReport report = BuildActionReport(AllInputs(), TimeUtil::SecondsToTimestamp(0));
  EXPECT_TRUE(report.partial_sections().empty());
  EXPECT_EQ(report.action(), "actions/fa3");
  EXPECT_EQ(report.year(), 2023);
  const gv1::ActionSummary& s = report.summary();
  EXPECT_EQ(s.code(), "FA3");
  EXPECT_EQ(s.announced_amount_cents(), 1000000);
  EXPECT_EQ(s.staffing_fte_hundredths(), 13);
  ASSERT_EQ(s.funders_size(), 1);
  EXPECT_EQ(s.funders(0).kind(), "FUNDER_KIND_INTERCOMMUNALITY");
  EXPECT_EQ(s.funders(0).committed_cents(), 600000);
}

TEST(ReportBuilderTest, BudgetFiguresFindingsAndGrants) {
  gv1::ActionReport report = BuildActionReport(AllInputs(), TimeUtil::SecondsToTimestamp(0));
  const gv1::BudgetSection& b = report.budget();
  EXPECT_EQ(b.forecast_budget(), "actions/fa3/budgets/2");
  EXPECT_EQ(b.forecast_version(), 2);
  EXPECT_EQ(b.forecast_state(), "BUDGET_STATE_APPROVED");
  EXPECT_EQ(b.actual_state(), "BUDGET_STATE_DRAFT");
  EXPECT_EQ(b.announced_amount_cents(), 1000000);
  EXPECT_EQ(b.forecast_charges_cents(), 1000000);
  EXPECT_EQ(b.forecast_income_cents(), 600000);
  EXPECT_EQ(b.actual_charges_cents(), 550000);
  // Chapters only, charges first (in the report's order), then income.
  ASSERT_EQ(b.chapters_size(), 3);
  EXPECT_EQ(b.chapters(0).account_code(), "64");
  EXPECT_EQ(b.chapters(1).account_code(), "60");
  EXPECT_EQ(b.chapters(2).account_code(), "74");
  EXPECT_EQ(b.chapters(2).side(), gv1::BUDGET_SIDE_INCOME);
  EXPECT_EQ(b.chapters(0).gap_cents(), -440000);
  // Both budgets' findings, errors first.
  ASSERT_EQ(b.findings_size(), 3);
  EXPECT_EQ(b.findings(0).rule(), "FINDING_RULE_DETAIL_SUM_MISMATCH");
  EXPECT_EQ(b.findings(0).severity(), gv1::FINDING_SEVERITY_ERROR);
  EXPECT_EQ(b.findings(0).expected_cents(), 940000);
  EXPECT_EQ(b.findings(0).budget(), "actions/fa3/budgets/2");
  EXPECT_EQ(b.findings(1).budget(), "actions/fa3/budgets/5");
  EXPECT_EQ(b.findings(2).severity(), gv1::FINDING_SEVERITY_WARNING);
  EXPECT_EQ(b.error_count(), 2);
  EXPECT_EQ(b.warning_count(), 1);
  ASSERT_EQ(b.grants_size(), 1);
  EXPECT_EQ(b.grants(0).funder_display_name(), "Dijon Métropole");
  EXPECT_EQ(b.grants(0).state_label(), "Versée");
  EXPECT_EQ(b.grants(0).paid_cents(), 300000);
}

TEST(ReportBuilderTest, EachStateOfAGrantShowsWhatItHas) {
  // Four grants of 2023 as the budget service returns them, one per state.
  ReportInputs inputs = AllInputs();
  std::vector<bv1::Grant>& grants = inputs.budget->grants;
  grants.clear();
  auto date = [](int y, int m, int d) {
    google::type::Date out;
    out.set_year(y);
    out.set_month(m);
    out.set_day(d);
    return out;
  };
  for (bv1::GrantState state : {bv1::GRANT_STATE_REQUESTED, bv1::GRANT_STATE_NOTIFIED,
                                bv1::GRANT_STATE_PAID, bv1::GRANT_STATE_JUSTIFIED}) {
    bv1::Grant grant;
    grant.set_name(absl::StrCat("actions/fa3/grants/", static_cast<int>(state)));
    grant.set_funder_id("dijon-metropole");
    grant.set_year(2023);
    grant.set_state(state);
    grant.set_requested_amount_cents(600000);
    if (state >= bv1::GRANT_STATE_NOTIFIED) {
      grant.set_notified_amount_cents(550000);
      *grant.mutable_justification_due_date() = date(2024, 6, 30);
    }
    if (state >= bv1::GRANT_STATE_PAID) grant.set_paid_amount_cents(275000);
    if (state == bv1::GRANT_STATE_JUSTIFIED) {
      grant.set_paid_amount_cents(550000);
      *grant.mutable_justify_date() = date(2024, 5, 28);
    }
    grants.push_back(grant);
  }
  const gv1::BudgetSection b = BuildActionReport(inputs, TimeUtil::SecondsToTimestamp(0)).budget();
  ASSERT_EQ(b.grants_size(), 4);
  const gv1::GrantRow& requested = b.grants(0);
  EXPECT_EQ(requested.state(), "GRANT_STATE_REQUESTED");
  EXPECT_EQ(requested.state_label(), "Demandée");
  EXPECT_EQ(requested.requested_cents(), 600000);
  EXPECT_FALSE(requested.has_notified_cents());
  EXPECT_FALSE(requested.has_remaining_cents());
  EXPECT_EQ(requested.paid_cents(), 0);
  EXPECT_FALSE(requested.has_justification_due_date());
  const gv1::GrantRow& notified = b.grants(1);
  EXPECT_EQ(notified.state_label(), "Notifiée");
  EXPECT_EQ(notified.notified_cents(), 550000);
  EXPECT_EQ(notified.remaining_cents(), 550000);
  EXPECT_EQ(notified.justification_due_date().year(), 2024);
  EXPECT_FALSE(notified.has_justify_date());
  const gv1::GrantRow& paid = b.grants(2);
  EXPECT_EQ(paid.state_label(), "Versée");
  EXPECT_EQ(paid.paid_cents(), 275000);
  EXPECT_EQ(paid.remaining_cents(), 275000) << "the balance still to come";
  const gv1::GrantRow& justified = b.grants(3);
  EXPECT_EQ(justified.state_label(), "Justifiée");
  EXPECT_EQ(justified.paid_cents(), 550000);
  EXPECT_EQ(justified.remaining_cents(), 0);
  EXPECT_EQ(justified.justify_date().month(), 5);
  EXPECT_EQ(justified.justification_due_date().month(), 6);
}

TEST(ReportBuilderTest, MeetingsFromTheIndicatorsAndTheYearsMeetingsInDateOrder) {
  gv1::ActionReport report = BuildActionReport(AllInputs(), TimeUtil::SecondsToTimestamp(0));
  const gv1::MeetingsSection& m = report.meetings();
  EXPECT_EQ(m.meetings_held(), 3);
  EXPECT_EQ(m.meetings_planned(), 7);
  EXPECT_EQ(m.participation_rate().basis_points(), 4250);
  EXPECT_EQ(m.registered_participation_rate().basis_points(), 5667);
  ASSERT_EQ(m.attended_by_role_size(), 1);
  EXPECT_EQ(m.attended_by_role(0).label(), "Élus");
  EXPECT_EQ(m.attended_by_role(0).count(), 6);
  EXPECT_EQ(m.meetings_held_by_kind(0).key(), "MEETING_KIND_ACTORS_WORKSHOP");
  EXPECT_EQ(m.roadmap_mean_progress_basis_points(), 6250);
  ASSERT_EQ(m.meetings_size(), 2);
  EXPECT_EQ(m.meetings(0).meeting(), "meetings/1");
  EXPECT_EQ(m.meetings(0).state_label(), "Prévue");
  EXPECT_EQ(m.meetings(1).invited(), 12);
  EXPECT_EQ(m.meetings(1).registered(), 11);  // registered + attended + no-show
  EXPECT_EQ(m.meetings(1).attended(), 8);
}

// A meeting kind of the network's own (meetings' kinds file) is shown by its code and label.
TEST(ReportBuilderTest, KindsOfTheNetworksOwnAreShownByCodeAndLabel) {
  ReportInputs inputs = AllInputs();
  mv1::MeetingKindBreakdown* custom = inputs.meetings->indicators.add_by_meeting_kind();
  custom->set_kind(mv1::MEETING_KIND_OTHER);
  custom->set_custom_kind("fete-du-port");
  custom->set_display_name("Fête du port");
  custom->set_meetings_held(1);
  mv1::Meeting& early = inputs.meetings->meetings[1];
  early.set_kind(mv1::MEETING_KIND_OTHER);
  early.set_custom_kind("fete-du-port");
  early.set_kind_label("Fête du port");
  gv1::ActionReport report = BuildActionReport(inputs, TimeUtil::SecondsToTimestamp(0));
  const gv1::MeetingsSection& m = report.meetings();
  ASSERT_EQ(m.meetings_held_by_kind_size(), 2);
  EXPECT_EQ(m.meetings_held_by_kind(1).key(), "fete-du-port");
  EXPECT_EQ(m.meetings_held_by_kind(1).label(), "Fête du port");
  EXPECT_EQ(m.meetings_held_by_kind(1).count(), 1);
  ASSERT_EQ(m.meetings_size(), 2);
  EXPECT_EQ(m.meetings(0).kind(), "fete-du-port");
  EXPECT_EQ(m.meetings(0).kind_label(), "Fête du port");
  EXPECT_EQ(m.meetings(1).kind(), "MEETING_KIND_ACTORS_WORKSHOP");
}

TEST(ReportBuilderTest, NoRoadmapProgressWhenEveryItemIsAbandoned) {
  ReportInputs inputs = AllInputs();
  inputs.meetings->indicators.set_roadmap_items(1);
  gv1::ActionReport report = BuildActionReport(inputs, TimeUtil::SecondsToTimestamp(0));
  EXPECT_FALSE(report.meetings().has_roadmap_mean_progress_basis_points());
}

TEST(ReportBuilderTest, ReachCountsDirectoryActorsAndTakesMobilisationFromTheMeetings) {
  gv1::ActionReport report = BuildActionReport(AllInputs(), TimeUtil::SecondsToTimestamp(0));
  const gv1::ReachSection& r = report.reach();
  EXPECT_EQ(r.actors_total(), 3);
  EXPECT_EQ(r.actors_mobilized(), 2);
  EXPECT_EQ(r.directory_coverage().basis_points(), 6667);
  ASSERT_EQ(r.by_network_category_size(), 3);
  EXPECT_EQ(r.by_network_category(0).key(), "iae");
  EXPECT_EQ(r.by_network_category(0).actors(), 2);
  EXPECT_EQ(r.by_network_category(0).mobilized(), 1);
  EXPECT_EQ(r.by_network_category(0).coverage().basis_points(), 5000);
  EXPECT_EQ(r.by_network_category(1).actors(), 2);
  EXPECT_EQ(r.by_network_category(1).mobilized(), 0);
  EXPECT_EQ(r.by_network_category(2).actors(), 0);
  EXPECT_FALSE(r.by_network_category(2).coverage().has_basis_points());
  EXPECT_EQ(r.communes_total(), 2);
  EXPECT_EQ(r.communes_with_actors(), 1);
  EXPECT_EQ(r.communes_mobilized(), 1);
  EXPECT_EQ(r.by_commune(0).mobilized(), 2);
  // ESS families: counted, mobilisation unknown; actors without a family listed last.
  ASSERT_EQ(r.by_ess_family_size(), 3);
  EXPECT_EQ(r.by_ess_family(0).actors(), 1);
  EXPECT_FALSE(r.by_ess_family(0).has_mobilized());
  EXPECT_EQ(r.by_ess_family(2).label(), "Non renseignée");
}

TEST(ReportBuilderTest, BudgetDownLeavesSummaryAndBudgetOutAndSaysWhy) {
  ReportInputs inputs = AllInputs();
  inputs.budget = absl::UnavailableError("connection refused");
  gv1::ActionReport report = BuildActionReport(inputs, TimeUtil::SecondsToTimestamp(0));
  EXPECT_FALSE(report.has_summary());
  EXPECT_FALSE(report.has_budget());
  EXPECT_TRUE(report.has_meetings());
  EXPECT_TRUE(report.has_reach());
  ASSERT_EQ(report.partial_sections_size(), 2);
  const gv1::PartialSection* budget = FindPartial(report, gv1::REPORT_SECTION_BUDGET);
  ASSERT_NE(budget, nullptr);
  EXPECT_EQ(budget->backend(), "budget");
  EXPECT_EQ(budget->code(), google::rpc::UNAVAILABLE);
  EXPECT_NE(budget->message().find("Service budgétaire indisponible"), std::string::npos)
      << budget->message();
  EXPECT_NE(budget->message().find("injoignable"), std::string::npos) << budget->message();
  ASSERT_NE(FindPartial(report, gv1::REPORT_SECTION_SUMMARY), nullptr);
}

TEST(ReportBuilderTest, MeetingsLateLeavesReachWithoutMobilisation) {
  ReportInputs inputs = AllInputs();
  inputs.meetings = absl::DeadlineExceededError("deadline");
  gv1::ActionReport report = BuildActionReport(inputs, TimeUtil::SecondsToTimestamp(0));
  EXPECT_FALSE(report.has_meetings());
  ASSERT_TRUE(report.has_reach());
  EXPECT_EQ(report.reach().actors_total(), 3);
  EXPECT_FALSE(report.reach().has_actors_mobilized());
  EXPECT_FALSE(report.reach().has_directory_coverage());
  EXPECT_FALSE(report.reach().has_communes_mobilized());
  EXPECT_FALSE(report.reach().by_network_category(0).has_mobilized());
  EXPECT_FALSE(report.reach().by_network_category(0).has_coverage());
  const gv1::PartialSection* meetings = FindPartial(report, gv1::REPORT_SECTION_MEETINGS);
  ASSERT_NE(meetings, nullptr);
  EXPECT_EQ(meetings->code(), google::rpc::DEADLINE_EXCEEDED);
  EXPECT_NE(meetings->message().find("délai"), std::string::npos) << meetings->message();
  const gv1::PartialSection* reach = FindPartial(report, gv1::REPORT_SECTION_REACH);
  ASSERT_NE(reach, nullptr);
  EXPECT_EQ(reach->backend(), "meetings");
}

TEST(ReportBuilderTest, DirectoryDownLeavesReachOut) {
  ReportInputs inputs = AllInputs();
  inputs.directory = absl::UnavailableError("down");
  gv1::ActionReport report = BuildActionReport(inputs, TimeUtil::SecondsToTimestamp(0));
  EXPECT_FALSE(report.has_reach());
  ASSERT_EQ(report.partial_sections_size(), 1);
  EXPECT_EQ(report.partial_sections(0).section(), gv1::REPORT_SECTION_REACH);
  EXPECT_EQ(report.partial_sections(0).backend(), "directory");
}

}  // namespace
}  // namespace maillage::gateway
