#include "services/gateway/reports/report_page.h"

#include <regex>

#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace maillage::gateway {
namespace {

namespace gv1 = gateway::v1;

#define NNBSP "\xE2\x80\xAF"
#define EURO "\xE2\x82\xAC"

gv1::ActionReport FullReport() {
  gv1::ActionReport report;
  report.set_action("actions/fa3");
  report.set_year(2023);
  // 2023-06-01T10:00:00Z is 12:00 in Paris (summer time).
  *report.mutable_generate_time() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(1685613600);
  gv1::ActionSummary* s = report.mutable_summary();
  s->set_code("FA3");
  s->set_title("Animation <du> réseau & co");
  s->set_start_year(2023);
  s->set_end_year(2025);
  s->set_announced_amount_cents(1000000);
  s->set_staffing_fte_hundredths(13);
  gv1::FunderSummary* f = s->add_funders();
  f->set_display_name("Dijon Métropole");
  f->set_committed_cents(600000);

  gv1::MeetingsSection* m = report.mutable_meetings();
  m->set_meetings_held(3);
  m->set_meetings_planned(7);
  m->mutable_participation_rate()->set_numerator(17);
  m->mutable_participation_rate()->set_denominator(40);
  m->mutable_participation_rate()->set_basis_points(4250);
  gv1::MeetingRow* row = m->add_meetings();
  row->set_title("Atelier acteurs n°1");
  row->set_state_label("Tenue");
  *row->mutable_start_time() = google::protobuf::util::TimeUtil::SecondsToTimestamp(1681374600);
  row->set_invited(1234);

  gv1::BudgetSection* b = report.mutable_budget();
  b->set_forecast_budget("actions/fa3/budgets/1");
  b->set_forecast_version(2);
  b->set_forecast_state("BUDGET_STATE_APPROVED");
  b->set_forecast_charges_cents(1000000);
  b->set_forecast_income_cents(600000);
  b->set_announced_amount_cents(1000000);
  gv1::ChapterRow* c = b->add_chapters();
  c->set_side(gv1::BUDGET_SIDE_CHARGE);
  c->set_account_code("64");
  c->set_label("Charges de personnel");
  c->set_forecast_cents(940000);
  c->set_gap_cents(-940000);
  gv1::ReportFinding* finding = b->add_findings();
  finding->set_severity(gv1::FINDING_SEVERITY_ERROR);
  finding->set_message("Le chapitre 64 indique 9 400 € mais ses lignes totalisent 5 400 €.");
  b->set_error_count(1);

  gv1::ReachSection* r = report.mutable_reach();
  r->set_actors_total(77);
  r->set_actors_mobilized(0);
  gv1::GroupReach* g = r->add_by_network_category();
  g->set_label("Têtes de réseau");
  g->set_actors(12);
  g->set_mobilized(0);
  return report;
}

TEST(ReportPageTest, FrenchFiguresTablesAndCharts) {
  std::string html = RenderReportPage(FullReport());
  EXPECT_NE(html.find("<html lang=\"fr\">"), std::string::npos);
  EXPECT_NE(html.find("@page{size:A4"), std::string::npos);
  EXPECT_NE(html.find("id=\"forecast-charges\">10" NNBSP "000" NNBSP EURO "<"), std::string::npos);
  EXPECT_NE(html.find("id=\"forecast-income\">6" NNBSP "000" NNBSP EURO "<"), std::string::npos);
  EXPECT_NE(html.find("Solde (produits − charges)</td><td class=\"n\">-4" NNBSP "000" NNBSP EURO),
            std::string::npos);
  EXPECT_NE(html.find("id=\"participation-rate\">42,50" NNBSP "%<"), std::string::npos);
  EXPECT_NE(html.find("0,13" NNBSP "ETP"), std::string::npos);
  EXPECT_NE(html.find(">1" NNBSP "234<"), std::string::npos) << "counts grouped by thousands";
  EXPECT_NE(html.find("13/04/2023"), std::string::npos) << "dates in Europe/Paris, French order";
  EXPECT_NE(html.find("01/06/2023 à 12:00"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("Têtes de réseau"), std::string::npos);
  EXPECT_NE(html.find("Prévisionnel : version 2 (approuvée) · Réalisé : pas encore saisi"),
            std::string::npos);
  EXPECT_NE(html.find("<span class=\"sev sev-e\">Erreur</span>"), std::string::npos);
  EXPECT_EQ(html.find("Section partielle"), std::string::npos);
  EXPECT_EQ(html.find("partial-banner"), std::string::npos);
}

TEST(ReportPageTest, GrantsShowTheBalanceAndTheFinancialReport) {
  gv1::ActionReport report = FullReport();
  gv1::BudgetSection* b = report.mutable_budget();
  gv1::GrantRow* requested = b->add_grants();
  requested->set_funder_display_name("Dijon Métropole");
  requested->set_state_label("Demandée");
  requested->set_requested_cents(600000);
  gv1::GrantRow* paid = b->add_grants();
  paid->set_funder_display_name("Région");
  paid->set_state_label("Versée");
  paid->set_requested_cents(600000);
  paid->set_notified_cents(550000);
  paid->set_paid_cents(275000);
  paid->set_remaining_cents(275000);
  paid->mutable_justification_due_date()->set_year(2024);
  paid->mutable_justification_due_date()->set_month(6);
  paid->mutable_justification_due_date()->set_day(30);
  gv1::GrantRow* justified = b->add_grants();
  *justified = *paid;
  justified->set_state_label("Justifiée");
  justified->mutable_justify_date()->set_year(2024);
  justified->mutable_justify_date()->set_month(5);
  justified->mutable_justify_date()->set_day(28);
  std::string html = RenderReportPage(report);
  EXPECT_NE(html.find("<th class=\"n\">Reste à verser</th><th>Compte rendu financier</th>"),
            std::string::npos);
  EXPECT_NE(html.find("<td>Demandée</td><td class=\"n\">6" NNBSP "000" NNBSP EURO
                      "</td><td class=\"n\">—</td><td class=\"n\">0" NNBSP EURO
                      "</td><td class=\"n\">—</td><td>—</td>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<td class=\"n\">2" NNBSP "750" NNBSP EURO
                      "</td><td>à rendre au plus tard le 30/06/2024</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td>rendu le 28/05/2024</td>"), std::string::npos);
}

TEST(ReportPageTest, SelfContainedAndEscaped) {
  std::string html = RenderReportPage(FullReport());
  EXPECT_NE(html.find("Animation &lt;du&gt; réseau &amp; co"), std::string::npos);
  EXPECT_EQ(html.find("<du>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  // The only URL is the SVG namespace.
  std::string without_ns =
      std::regex_replace(html, std::regex("xmlns=\"http://www.w3.org/2000/svg\""), "");
  EXPECT_EQ(without_ns.find("http"), std::string::npos);
}

TEST(ReportPageTest, PartialSectionsAreMarkedWhereTheyAreAndAtTheTop) {
  gv1::ActionReport report = FullReport();
  report.clear_budget();
  gv1::PartialSection* p = report.add_partial_sections();
  p->set_section(gv1::REPORT_SECTION_BUDGET);
  p->set_backend("budget");
  p->set_code(google::rpc::UNAVAILABLE);
  p->set_message("Service budgétaire indisponible : budget absent (service injoignable).");
  std::string html = RenderReportPage(report);
  EXPECT_NE(html.find("id=\"partial-banner\""), std::string::npos);
  size_t box = html.find("data-partial-section=\"REPORT_SECTION_BUDGET\"");
  ASSERT_NE(box, std::string::npos);
  EXPECT_GT(box, html.find("<h2>3. Budget</h2>")) << "the box sits in the budget section";
  EXPECT_LT(box, html.find("<h2>4."));
  EXPECT_NE(html.find("[budget : UNAVAILABLE]"), std::string::npos);
  EXPECT_EQ(html.find("id=\"forecast-charges\""), std::string::npos);
  // The key figure of a missing section reads as unknown, not as zero.
  EXPECT_NE(html.find("<div class=\"v\">—</div><div class=\"l\">charges prévues"),
            std::string::npos);
}

TEST(ReportPageTest, UnknownMobilisationIsADashNotAZero) {
  gv1::ActionReport report = FullReport();
  report.mutable_reach()->clear_actors_mobilized();
  report.mutable_reach()->mutable_by_network_category(0)->clear_mobilized();
  std::string html = RenderReportPage(report);
  EXPECT_NE(html.find("dont <strong>—</strong> mobilisés"), std::string::npos);
  EXPECT_NE(html.find("<div class=\"v\">—</div><div class=\"l\">acteurs mobilisés<"),
            std::string::npos);
}

}  // namespace
}  // namespace maillage::gateway
