#include "services/gateway/reports/report_page.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/text/french_format.h"
#include "common/text/html.h"

namespace maillage::gateway {
namespace {

namespace gv1 = gateway::v1;
using text::FormatBasisPoints;
using text::FormatEuros;
using text::FormatFrenchInteger;
using text::HtmlEscape;

constexpr char kStyle[] = R"css(
@page{size:A4;margin:14mm 13mm 15mm}
*{box-sizing:border-box}
body{margin:0;font-family:"DejaVu Sans","Liberation Sans",Arial,sans-serif;font-size:9.5pt;
line-height:1.35;color:#1f2a37;background:#fff}
.page{max-width:184mm;margin:0 auto;padding:8mm 0}
@media print{.page{padding:0;max-width:none}}
header{border-bottom:2px solid #1d5c63;padding-bottom:3mm;margin-bottom:4mm}
.kicker{color:#1d5c63;font-weight:700;text-transform:uppercase;letter-spacing:.04em;font-size:8.5pt}
h1{font-size:16pt;margin:1mm 0 1mm;line-height:1.2}
h2{font-size:12pt;color:#1d5c63;margin:6mm 0 2mm;padding-bottom:1mm;border-bottom:1px solid #c9d6d8;
break-after:avoid}
h3{font-size:10pt;margin:3mm 0 1.5mm;break-after:avoid}
.muted{color:#5b6673;font-size:8.5pt}
.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:2.5mm;margin:3mm 0}
.kpi{border:1px solid #c9d6d8;border-radius:1.5mm;padding:2mm 2.5mm;background:#f4f8f8}
.kpi .v{font-size:14pt;font-weight:700;color:#12393d;white-space:nowrap}
.kpi .l{font-size:8pt;color:#455260}
table{width:100%;border-collapse:collapse;margin:1.5mm 0 2mm;font-size:8.5pt}
th,td{border-bottom:1px solid #dde3e8;padding:1mm 1.5mm;text-align:left;vertical-align:top}
th{background:#eef3f4;font-weight:700}
tr{break-inside:avoid}
td.n,th.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.total td{font-weight:700;border-top:1.5px solid #1f2a37}
.neg{color:#a4231b}
.partial{border:1.5px dashed #b45309;background:#fff7ed;color:#7c2d12;padding:2mm 3mm;
margin:2mm 0;border-radius:1.5mm;break-inside:avoid}
.partial strong{text-transform:uppercase;letter-spacing:.03em}
.banner{border-style:solid}
.sev{display:inline-block;min-width:17mm;text-align:center;border-radius:1mm;font-size:7.5pt;
font-weight:700;padding:.2mm 1mm}
.sev-e{background:#fde2e1;color:#8f1d16}.sev-w{background:#fef3c7;color:#7a4b00}
.sev-i{background:#e0ecf7;color:#1d4f7a}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:4mm}
svg{display:block;width:100%;height:auto;margin:1mm 0 2mm}
ul{margin:1mm 0 2mm;padding-left:5mm}
footer{margin-top:6mm;border-top:1px solid #c9d6d8;padding-top:2mm}
)css";

std::string Esc(const std::string& s) { return HtmlEscape(s); }

std::string Count(int64_t n) { return FormatFrenchInteger(n); }

std::string Rate(const gv1::Ratio& ratio) {
  if (!ratio.has_basis_points()) return "—";
  return FormatBasisPoints(ratio.basis_points());
}

// "version 2 (approuvée)" from a budget's version and BudgetState name.
std::string BudgetVersion(int32_t version, const std::string& state) {
  const char* label = state == "BUDGET_STATE_DRAFT"       ? "brouillon"
                      : state == "BUDGET_STATE_SUBMITTED" ? "soumise"
                      : state == "BUDGET_STATE_APPROVED"  ? "approuvée"
                                                          : "";
  return absl::StrCat("version ", version, *label != '\0' ? absl::StrCat(" (", label, ")") : "");
}

// "15/03/2025".
std::string FrenchDate(const google::type::Date& d) {
  return absl::StrFormat("%02d/%02d/%04d", d.day(), d.month(), d.year());
}

// The financial report of a grant: "rendu le 28/05/2025", "à rendre au plus tard le 30/06/2025", or
// "—" before the notification.
std::string Justification(const gv1::GrantRow& g) {
  if (g.has_justify_date()) return absl::StrCat("rendu le ", FrenchDate(g.justify_date()));
  if (g.has_justification_due_date()) {
    return absl::StrCat("à rendre au plus tard le ", FrenchDate(g.justification_due_date()));
  }
  return "—";
}

std::string OptionalEuros(bool present, int64_t cents) {
  return present ? FormatEuros(cents) : "—";
}

absl::TimeZone Paris() {
  absl::TimeZone tz;
  if (!absl::LoadTimeZone("Europe/Paris", &tz)) return absl::FixedTimeZone(3600);
  return tz;
}

std::string ParisTime(const google::protobuf::Timestamp& t, const char* format) {
  return absl::FormatTime(format, absl::FromUnixSeconds(t.seconds()), Paris());
}

// ---- Charts: horizontal bars in inline SVG ----

struct Series {
  std::string name;
  std::string color;
};

struct ChartRow {
  std::string label;
  // One value per series; absent values draw no bar and print "—".
  std::vector<std::optional<int64_t>> values;
  std::vector<std::string> texts;
};

// `text` cut to at most `max_chars` characters (UTF-8 code points), "…" marking a cut.
std::string Shorten(const std::string& text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (chars == max_chars - 1) return text.substr(0, i) + "…";
    ++chars;
  }
  return text;
}

struct ChartLayout {
  int width = 680;        // viewBox units; about one CSS pixel each at full page width
  int label_width = 230;  // right-aligned labels end here, bars start here
  int bar_area = 340;     // length of the largest bar
  size_t label_chars = 38;
  // false: one bar per series, stacked in the row. true: every series in the same row, each
  // drawn over the previous one a little thinner (for a part of a whole); the row's first
  // text is printed after the bars.
  bool overlay = false;
};

constexpr ChartLayout kHalfWidth{340, 120, 160, 20, false};

// A horizontal bar chart: the label on the left, the bars, the value after the bar. Every bar
// is scaled to the largest value of the chart.
std::string BarChart(const std::string& title, const std::vector<Series>& series,
                     const std::vector<ChartRow>& rows, const ChartLayout& layout = {}) {
  constexpr int kBar = 11, kGap = 6;
  const int bars_per_row = layout.overlay ? 1 : static_cast<int>(series.size());
  const int per_row = bars_per_row * kBar + kGap;
  const int legend = series.size() > 1 ? 18 : 0;
  const int height = legend + static_cast<int>(rows.size()) * per_row + 2;
  int64_t max = 0;
  for (const ChartRow& row : rows) {
    for (const auto& v : row.values) max = std::max<int64_t>(max, v.value_or(0));
  }
  std::string svg = absl::StrCat("<svg viewBox=\"0 0 ", layout.width, " ", height,
                                 "\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" "
                                 "font-size=\"10.5\" font-family=\"DejaVu Sans, Arial, "
                                 "sans-serif\"><title>",
                                 Esc(title), "</title>");
  if (series.size() > 1) {
    int x = layout.label_width;
    for (const Series& s : series) {
      absl::StrAppend(&svg, "<rect x=\"", x, "\" y=\"3\" width=\"10\" height=\"10\" fill=\"",
                      s.color, "\"/><text x=\"", x + 14, "\" y=\"12\" fill=\"#1f2a37\">",
                      Esc(s.name), "</text>");
      x += 24 + static_cast<int>(s.name.size()) * 6;
    }
  }
  auto bar_width = [&](int64_t value) {
    int width = max > 0 ? static_cast<int>(value * layout.bar_area / max) : 0;
    return value > 0 && width < 1 ? 1 : width;
  };
  int y = legend;
  for (const ChartRow& row : rows) {
    absl::StrAppend(&svg, "<text x=\"", layout.label_width - 6, "\" y=\"",
                    y + bars_per_row * kBar / 2 + 4, "\" text-anchor=\"end\" fill=\"#1f2a37\">",
                    Esc(Shorten(row.label, layout.label_chars)), "</text>");
    int widest = 0;
    for (size_t i = 0; i < series.size(); ++i) {
      const int width = bar_width(i < row.values.size() ? row.values[i].value_or(0) : 0);
      widest = std::max(widest, width);
      const int inset = layout.overlay ? static_cast<int>(i) * 2 : 0;
      const int bar_y = y + (layout.overlay ? 0 : static_cast<int>(i) * kBar) + 1 + inset;
      absl::StrAppend(&svg, "<rect x=\"", layout.label_width, "\" y=\"", bar_y, "\" width=\"",
                      width, "\" height=\"", kBar - 2 - 2 * inset, "\" fill=\"", series[i].color,
                      "\"/>");
      if (!layout.overlay) {
        absl::StrAppend(&svg, "<text x=\"", layout.label_width + width + 4, "\" y=\"",
                        bar_y + kBar - 3, "\" fill=\"#37424f\" font-size=\"9.5\">",
                        Esc(i < row.texts.size() ? row.texts[i] : ""), "</text>");
      }
    }
    if (layout.overlay && !row.texts.empty()) {
      absl::StrAppend(&svg, "<text x=\"", layout.label_width + widest + 4, "\" y=\"", y + kBar - 2,
                      "\" fill=\"#37424f\" font-size=\"9.5\">", Esc(row.texts[0]), "</text>");
    }
    y += per_row;
  }
  absl::StrAppend(&svg, "<line x1=\"", layout.label_width, "\" y1=\"", legend, "\" x2=\"",
                  layout.label_width, "\" y2=\"", height - 1,
                  "\" stroke=\"#8a96a3\" stroke-width=\"1\"/></svg>");
  return svg;
}

// ---- Partial marking ----

const char* SectionName(gv1::ReportSection section) {
  switch (section) {
    case gv1::REPORT_SECTION_SUMMARY:
      return "L'action";
    case gv1::REPORT_SECTION_MEETINGS:
      return "Réunions et participation";
    case gv1::REPORT_SECTION_BUDGET:
      return "Budget";
    case gv1::REPORT_SECTION_REACH:
      return "Rayonnement auprès des acteurs";
    default:
      return "Section";
  }
}

std::string PartialBoxes(const gv1::ActionReport& report, gv1::ReportSection section) {
  std::string html;
  for (const gv1::PartialSection& partial : report.partial_sections()) {
    if (partial.section() != section) continue;
    absl::StrAppend(&html, "<div class=\"partial\" data-partial-section=\"",
                    gv1::ReportSection_Name(section), "\"><strong>Section partielle</strong> — ",
                    Esc(partial.message()), " <span class=\"muted\">[", Esc(partial.backend()),
                    " : ", google::rpc::Code_Name(partial.code()), "]</span></div>");
  }
  return html;
}

std::string Kpi(const std::string& value, const std::string& label) {
  return absl::StrCat("<div class=\"kpi\"><div class=\"v\">", value, "</div><div class=\"l\">",
                      label, "</div></div>");
}

// ---- Sections ----

std::string SummaryHtml(const gv1::ActionReport& report) {
  std::string html = "<h2>1. L'action</h2>";
  html += PartialBoxes(report, gv1::REPORT_SECTION_SUMMARY);
  if (!report.has_summary()) return html;
  const gv1::ActionSummary& s = report.summary();
  absl::StrAppend(&html, "<p>Période de l'action : ", s.start_year(), "–", s.end_year(),
                  ". Budget annuel annoncé pour ", report.year(), " : <strong>",
                  OptionalEuros(s.has_announced_amount_cents(), s.announced_amount_cents()),
                  "</strong>. Temps de travail prévu : <strong>",
                  s.has_staffing_fte_hundredths()
                      ? absl::StrCat(text::FormatHundredths(s.staffing_fte_hundredths()),
                                     text::kNarrowNoBreakSpace, "ETP")
                      : std::string("non précisé"),
                  "</strong>.</p>");
  if (!s.objectives().empty()) {
    html += "<h3>Objectifs</h3><ul>";
    for (const std::string& objective : s.objectives()) {
      absl::StrAppend(&html, "<li>", Esc(objective), "</li>");
    }
    html += "</ul>";
  }
  if (!s.funders().empty()) {
    absl::StrAppend(&html, "<table><tr><th>Financeur</th><th class=\"n\">Engagement ",
                    report.year(), "</th></tr>");
    for (const gv1::FunderSummary& f : s.funders()) {
      absl::StrAppend(&html, "<tr><td>", Esc(f.display_name()), "</td><td class=\"n\">",
                      OptionalEuros(f.has_committed_cents(), f.committed_cents()), "</td></tr>");
    }
    html += "</table>";
  }
  return html;
}

std::string CountsTable(const std::string& heading,
                        const google::protobuf::RepeatedPtrField<gv1::CountByKey>& counts) {
  std::string html =
      absl::StrCat("<table><tr><th>", heading, "</th><th class=\"n\">Nombre</th></tr>");
  for (const gv1::CountByKey& c : counts) {
    absl::StrAppend(&html, "<tr><td>", Esc(c.label().empty() ? c.key() : c.label()),
                    "</td><td class=\"n\">", Count(c.count()), "</td></tr>");
  }
  return html + "</table>";
}

std::string MeetingsHtml(const gv1::ActionReport& report) {
  std::string html = "<h2>2. Réunions et participation</h2>";
  html += PartialBoxes(report, gv1::REPORT_SECTION_MEETINGS);
  if (!report.has_meetings()) return html;
  const gv1::MeetingsSection& m = report.meetings();
  const Series kBlue{"Réunions", "#1d5c63"};
  std::vector<ChartRow> states = {
      {"Tenues et closes", {m.meetings_held()}, {Count(m.meetings_held())}},
      {"Tenues, à clore", {m.meetings_awaiting_closure()}, {Count(m.meetings_awaiting_closure())}},
      {"Prévues", {m.meetings_planned()}, {Count(m.meetings_planned())}},
      {"Annulées", {m.meetings_cancelled()}, {Count(m.meetings_cancelled())}},
  };
  html += "<div class=\"cols\"><div><h3>Réunions de l'année</h3>";
  html += BarChart("Réunions par état", {kBlue}, states, kHalfWidth);
  html += "</div><div><h3>Participation (réunions tenues)</h3><table>";
  absl::StrAppend(
      &html, "<tr><td>Invitations</td><td class=\"n\">", Count(m.invitations()), "</td></tr>",
      "<tr><td>Inscrits</td><td class=\"n\">", Count(m.registered()), "</td></tr>",
      "<tr><td>Présents</td><td class=\"n\">", Count(m.attended()), "</td></tr>",
      "<tr><td>Excusés / absents</td><td class=\"n\">", Count(m.excused()), " / ",
      Count(m.no_show()), "</td></tr>",
      "<tr class=\"total\"><td>Taux de participation (présents ÷ invités)</td><td class=\"n\" "
      "id=\"participation-rate\">",
      Rate(m.participation_rate()), "</td></tr>",
      "<tr><td>Présents ÷ inscrits</td><td class=\"n\">", Rate(m.registered_participation_rate()),
      "</td></tr>", "<tr><td>Acteurs distincts mobilisés</td><td class=\"n\">",
      Count(m.distinct_actors_mobilized()), "</td></tr>",
      "<tr><td>Participants hors annuaire</td><td class=\"n\">",
      Count(m.attendees_outside_directory()), "</td></tr></table></div></div>");

  if (!m.meetings().empty()) {
    html +=
        "<h3>Calendrier</h3><table><tr><th>Date</th><th>Réunion</th><th>Type</th>"
        "<th>État</th><th class=\"n\">Invités</th><th class=\"n\">Inscrits</th>"
        "<th class=\"n\">Présents</th></tr>";
    for (const gv1::MeetingRow& row : m.meetings()) {
      absl::StrAppend(&html, "<tr><td>", ParisTime(row.start_time(), "%d/%m/%Y"), "</td><td>",
                      Esc(row.title()), "</td><td>", Esc(row.kind_label()), "</td><td>",
                      Esc(row.state_label()), "</td><td class=\"n\">", Count(row.invited()),
                      "</td><td class=\"n\">", Count(row.registered()), "</td><td class=\"n\">",
                      Count(row.attended()), "</td></tr>");
    }
    html += "</table>";
  }

  html += "<h3>Productions des réunions</h3><div class=\"cols\"><div><table>";
  absl::StrAppend(
      &html, "<tr><td>Documents produits</td><td class=\"n\">", Count(m.documents_produced()),
      "</td></tr>", "<tr><td>Propositions produites</td><td class=\"n\">",
      Count(m.proposals_produced()), "</td></tr>",
      "<tr><td>Propositions intégrées à la feuille de route</td><td class=\"n\">",
      Count(m.proposals_integrated()), "</td></tr>",
      "<tr><td>Éléments de la feuille de route</td><td class=\"n\">", Count(m.roadmap_items()),
      "</td></tr>", "<tr><td>Avancement moyen de la feuille de route</td><td class=\"n\">",
      m.has_roadmap_mean_progress_basis_points()
          ? FormatBasisPoints(m.roadmap_mean_progress_basis_points())
          : std::string("—"),
      "</td></tr></table></div><div>");
  html += CountsTable("Documents", m.documents_by_kind());
  html += "</div></div>";
  return html;
}

std::string BudgetHtml(const gv1::ActionReport& report) {
  std::string html = "<h2>3. Budget</h2>";
  html += PartialBoxes(report, gv1::REPORT_SECTION_BUDGET);
  if (!report.has_budget()) return html;
  const gv1::BudgetSection& b = report.budget();
  const bool has_actual = !b.actual_budget().empty();
  absl::StrAppend(&html, "<p class=\"muted\">Prévisionnel : ",
                  b.forecast_budget().empty()
                      ? std::string("aucun")
                      : BudgetVersion(b.forecast_version(), b.forecast_state()),
                  " · Réalisé : ",
                  has_actual ? BudgetVersion(b.actual_version(), b.actual_state())
                             : std::string("pas encore saisi"),
                  "</p>");
  absl::StrAppend(
      &html,
      "<table id=\"budget-totals\"><tr><th></th><th class=\"n\">Prévisionnel</th>"
      "<th class=\"n\">Réalisé</th></tr>",
      "<tr><td>Total des charges</td><td class=\"n\" id=\"forecast-charges\">",
      FormatEuros(b.forecast_charges_cents()), "</td><td class=\"n\">",
      OptionalEuros(has_actual, b.actual_charges_cents()), "</td></tr>",
      "<tr><td>Total des produits</td><td class=\"n\" id=\"forecast-income\">",
      FormatEuros(b.forecast_income_cents()), "</td><td class=\"n\">",
      OptionalEuros(has_actual, b.actual_income_cents()), "</td></tr>",
      "<tr class=\"total\"><td>Solde (produits − charges)</td><td class=\"n\">",
      FormatEuros(b.forecast_income_cents() - b.forecast_charges_cents()), "</td><td class=\"n\">",
      OptionalEuros(has_actual, b.actual_income_cents() - b.actual_charges_cents()), "</td></tr>",
      "<tr><td>Budget annuel annoncé par l'action</td><td class=\"n\" id=\"announced\">",
      OptionalEuros(b.has_announced_amount_cents(), b.announced_amount_cents()),
      "</td><td></td></tr></table>");

  if (!b.chapters().empty()) {
    // Without an actual budget the chart alone gives the forecast; with one, forecast and
    // actual bars and the table of gaps (CERFA 15059).
    std::vector<ChartRow> rows;
    for (const gv1::ChapterRow& c : b.chapters()) {
      ChartRow row{absl::StrCat(c.side() == gv1::BUDGET_SIDE_INCOME ? "Produits " : "Charges ",
                                c.account_code(), " – ", c.label()),
                   {},
                   {}};
      row.values.push_back(c.has_forecast_cents() ? std::optional<int64_t>(c.forecast_cents())
                                                  : std::nullopt);
      row.texts.push_back(OptionalEuros(c.has_forecast_cents(), c.forecast_cents()));
      if (has_actual) {
        row.values.push_back(c.has_actual_cents() ? std::optional<int64_t>(c.actual_cents())
                                                  : std::nullopt);
        row.texts.push_back(OptionalEuros(c.has_actual_cents(), c.actual_cents()));
      }
      rows.push_back(std::move(row));
    }
    if (!has_actual) {
      html += "<h3>Budget prévisionnel par chapitre</h3>";
      html += BarChart("Budget prévisionnel par chapitre", {{"Prévisionnel", "#1d5c63"}}, rows,
                       ChartLayout{680, 270, 300, 44, false});
    } else {
      html += "<h3>Prévisionnel et réalisé par chapitre</h3>";
      html += BarChart("Prévisionnel et réalisé par chapitre",
                       {{"Prévisionnel", "#1d5c63"}, {"Réalisé", "#d08a2c"}}, rows,
                       ChartLayout{680, 270, 300, 44, false});
      html +=
          "<table><tr><th>Chapitre</th><th class=\"n\">Prévu</th><th class=\"n\">Réalisé</th>"
          "<th class=\"n\">Écart</th><th class=\"n\">Écart %</th><th>Explication</th></tr>";
      gv1::BudgetSide side = gv1::BUDGET_SIDE_UNSPECIFIED;
      for (const gv1::ChapterRow& c : b.chapters()) {
        if (c.side() != side) {
          side = c.side();
          absl::StrAppend(&html, "<tr><th colspan=\"6\">",
                          side == gv1::BUDGET_SIDE_INCOME ? "Produits" : "Charges", "</th></tr>");
        }
        absl::StrAppend(
            &html, "<tr><td>", Esc(c.account_code()), " – ", Esc(c.label()),
            "</td><td class=\"n\">", OptionalEuros(c.has_forecast_cents(), c.forecast_cents()),
            "</td><td class=\"n\">", OptionalEuros(c.has_actual_cents(), c.actual_cents()),
            "</td><td class=\"n", c.gap_cents() < 0 ? " neg" : "", "\">",
            FormatEuros(c.gap_cents()), "</td><td class=\"n\">",
            c.has_gap_basis_points() ? FormatBasisPoints(c.gap_basis_points()) : std::string("—"),
            "</td><td>", Esc(c.explanation()), "</td></tr>");
      }
      html += "</table>";
    }
  }

  absl::StrAppend(&html, "<h3>Contrôles du budget : ", Count(b.error_count()), " erreur",
                  b.error_count() > 1 ? "s" : "", ", ", Count(b.warning_count()), " alerte",
                  b.warning_count() > 1 ? "s" : "", "</h3>");
  if (!b.findings().empty()) {
    html += "<table id=\"findings\"><tr><th>Gravité</th><th>Constat</th></tr>";
    for (const gv1::ReportFinding& f : b.findings()) {
      const char* css = f.severity() == gv1::FINDING_SEVERITY_ERROR     ? "sev-e"
                        : f.severity() == gv1::FINDING_SEVERITY_WARNING ? "sev-w"
                                                                        : "sev-i";
      const char* name = f.severity() == gv1::FINDING_SEVERITY_ERROR     ? "Erreur"
                         : f.severity() == gv1::FINDING_SEVERITY_WARNING ? "Alerte"
                                                                         : "Info";
      absl::StrAppend(&html, "<tr><td><span class=\"sev ", css, "\">", name, "</span></td><td>",
                      Esc(f.message()), "</td></tr>");
    }
    html += "</table>";
  }

  html += "<h3>Subventions</h3>";
  if (b.grants().empty()) {
    absl::StrAppend(&html, "<p class=\"muted\">Aucune subvention enregistrée pour ", report.year(),
                    ".</p>");
  } else {
    html +=
        "<table><tr><th>Financeur</th><th>État</th><th class=\"n\">Demandé</th>"
        "<th class=\"n\">Notifié</th><th class=\"n\">Versé</th>"
        "<th class=\"n\">Reste à verser</th><th>Compte rendu financier</th></tr>";
    for (const gv1::GrantRow& g : b.grants()) {
      absl::StrAppend(&html, "<tr><td>", Esc(g.funder_display_name()), "</td><td>",
                      Esc(g.state_label()), "</td><td class=\"n\">",
                      FormatEuros(g.requested_cents()), "</td><td class=\"n\">",
                      OptionalEuros(g.has_notified_cents(), g.notified_cents()),
                      "</td><td class=\"n\">", FormatEuros(g.paid_cents()), "</td><td class=\"n\">",
                      OptionalEuros(g.has_remaining_cents(), g.remaining_cents()), "</td><td>",
                      Justification(g), "</td></tr>");
    }
    html += "</table>";
  }
  return html;
}

std::string GroupTable(const std::string& heading,
                       const google::protobuf::RepeatedPtrField<gv1::GroupReach>& groups,
                       bool only_with_actors) {
  std::string html = absl::StrCat("<table><tr><th>", heading,
                                  "</th><th class=\"n\">Acteurs</th><th class=\"n\">Mobilisés</th>"
                                  "<th class=\"n\">Couverture</th></tr>");
  for (const gv1::GroupReach& g : groups) {
    if (only_with_actors && g.actors() == 0 && g.mobilized() == 0) continue;
    absl::StrAppend(&html, "<tr><td>", Esc(g.label()), "</td><td class=\"n\">", Count(g.actors()),
                    "</td><td class=\"n\">", g.has_mobilized() ? Count(g.mobilized()) : "—",
                    "</td><td class=\"n\">", g.has_coverage() ? Rate(g.coverage()) : "—",
                    "</td></tr>");
  }
  return html + "</table>";
}

std::string ReachHtml(const gv1::ActionReport& report) {
  std::string html = "<h2>4. Rayonnement auprès des acteurs du territoire</h2>";
  html += PartialBoxes(report, gv1::REPORT_SECTION_REACH);
  if (!report.has_reach()) return html;
  const gv1::ReachSection& r = report.reach();
  absl::StrAppend(&html, "<p>L'annuaire compte <strong id=\"actors-total\">",
                  Count(r.actors_total()), "</strong> acteurs actifs, dont <strong>",
                  r.has_actors_mobilized() ? Count(r.actors_mobilized()) : std::string("—"),
                  "</strong> mobilisés au moins une fois dans l'année (couverture ",
                  r.has_directory_coverage() ? Rate(r.directory_coverage()) : std::string("—"),
                  "). ", Count(r.communes_with_actors()), " communes sur ",
                  Count(r.communes_total()), " comptent au moins un acteur",
                  r.has_communes_mobilized()
                      ? absl::StrCat(", ", Count(r.communes_mobilized()), " un acteur mobilisé")
                      : std::string(),
                  ".</p>");
  if (!r.by_network_category().empty()) {
    std::vector<ChartRow> rows;
    for (const gv1::GroupReach& g : r.by_network_category()) {
      ChartRow row{g.label(), {g.actors()}, {}};
      if (g.has_mobilized()) {
        row.values.push_back(g.mobilized());
        row.texts.push_back(absl::StrCat(Count(g.mobilized()), " / ", Count(g.actors())));
      } else {
        row.texts.push_back(absl::StrCat("— / ", Count(g.actors())));
      }
      rows.push_back(std::move(row));
    }
    html += "<h3>Par catégorie du réseau (mobilisés / acteurs)</h3>";
    html += BarChart("Acteurs et acteurs mobilisés par catégorie du réseau",
                     {{"Acteurs de l'annuaire", "#a9c7ca"}, {"Mobilisés", "#1d5c63"}}, rows,
                     ChartLayout{680, 270, 330, 44, true});
  }
  html += "<div class=\"cols\"><div><h3>Par commune (communes avec des acteurs)</h3>";
  if (r.communes_with_actors() == 0) {
    html += "<p class=\"muted\">Aucun acteur de l'annuaire n'a de commune renseignée.</p>";
  } else {
    html += GroupTable("Commune", r.by_commune(), true);
  }
  html += "</div><div><h3>Par famille de l'ESS</h3>";
  html += GroupTable("Famille", r.by_ess_family(), true);
  html += "</div></div>";
  return html;
}

}  // namespace

std::string RenderReportPage(const gv1::ActionReport& report) {
  const std::string title =
      report.has_summary() ? absl::StrCat(report.summary().code(), " – ", report.summary().title())
                           : report.action();
  std::string html = absl::StrCat(
      "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>Rapport ",
      report.year(), " – ", Esc(title), "</title><style>", kStyle,
      "</style></head><body><div class=\"page\"><header><div class=\"kicker\">Rapport annuel au "
      "financeur · ",
      report.year(), "</div><h1>", Esc(title), "</h1><div class=\"muted\">", Esc(report.action()),
      " · établi le ", ParisTime(report.generate_time(), "%d/%m/%Y à %H:%M"),
      " (heure de Paris)</div></header>");

  if (!report.partial_sections().empty()) {
    html +=
        "<div class=\"partial banner\" id=\"partial-banner\"><strong>Rapport partiel</strong>"
        " — un service n'a pas répondu ; les sections concernées sont marquées :<ul>";
    for (const gv1::PartialSection& p : report.partial_sections()) {
      absl::StrAppend(&html, "<li>", SectionName(p.section()), " : ", Esc(p.message()), "</li>");
    }
    html += "</ul></div>";
  }

  html += "<div class=\"kpis\">";
  if (report.has_meetings()) {
    const gv1::MeetingsSection& m = report.meetings();
    html += Kpi(absl::StrCat(Count(m.meetings_held()), " / ",
                             Count(m.meetings_held() + m.meetings_awaiting_closure() +
                                   m.meetings_planned())),
                "réunions tenues / programmées");
    html += Kpi(Rate(m.participation_rate()), "taux de participation");
  } else {
    html += Kpi("—", "réunions tenues") + Kpi("—", "taux de participation");
  }
  html += report.has_reach() && report.reach().has_actors_mobilized()
              ? Kpi(absl::StrCat(Count(report.reach().actors_mobilized()), " / ",
                                 Count(report.reach().actors_total())),
                    "acteurs mobilisés / annuaire")
              : Kpi("—", "acteurs mobilisés");
  html += report.has_budget()
              ? Kpi(FormatEuros(report.budget().forecast_charges_cents()), "charges prévues")
              : Kpi("—", "charges prévues");
  html += "</div>";

  html += SummaryHtml(report);
  html += MeetingsHtml(report);
  html += BudgetHtml(report);
  html += ReachHtml(report);
  html +=
      "<footer class=\"muted\">Chiffres calculés à la demande par maillage à partir des "
      "services annuaire, réunions et budget ; définitions des indicateurs : réunions tenues "
      "= réunions closes de l'année ; taux de participation = présents ÷ invités des réunions "
      "tenues ; montants en euros.</footer></div></body></html>";
  return html;
}

}  // namespace maillage::gateway
