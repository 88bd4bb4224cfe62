// The funder's criteria for a period the person chooses (GetIndicators): meetings held,
// participation rate, distinct actors mobilised, coverage per network category and per commune,
// documents and proposals; each chart drawn by Chart.js (Debian's libjs-chart.js, served under
// /console/vendor/ and loaded on this page only) beside a table of the same figures, the
// chart's text alternative. Below, the yearly report page the gateway renders, opened in a new
// tab. Numbers and dates are written the French way (Intl, fr-FR).
import { api, element } from './api.js';
import { actionChoice } from './roadmap.js';

const $ = (id) => document.getElementById(id);
const number = new Intl.NumberFormat('fr-FR');
const percent = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 1 });
const longDate = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long',
                                                    year: 'numeric', timeZone: 'UTC' });
const KINDS = {
  MEETING_KIND_ELECTED_TECHNICIANS_MEETING: 'Rencontre élus et techniciens',
  MEETING_KIND_ELECTED_OFFICIALS_MEETING: 'Réunion des élus',
  MEETING_KIND_ACTORS_WORKSHOP: "Atelier acteurs de l'ESS",
  MEETING_KIND_RESTITUTION_DAY: 'Journée de restitution',
  MEETING_KIND_ESS_MONTH_EVENT: "Événement du Mois de l'ESS",
  MEETING_KIND_LEARNING_VISIT: 'Visite apprenante',
  MEETING_KIND_ELECTED_OFFICIALS_TRAINING: 'Formation des élus',
  MEETING_KIND_OTHER: 'Autre',
};
const DOCUMENT_KINDS = {
  DOCUMENT_KIND_SYNTHESIS: 'Synthèse', DOCUMENT_KIND_MINUTES: 'Compte rendu',
  DOCUMENT_KIND_CONTRIBUTION: 'Contribution', DOCUMENT_KIND_ROADMAP: 'Feuille de route',
};
const PROPOSAL_STATES = {
  PROPOSAL_STATE_SUBMITTED: 'Déposées', PROPOSAL_STATE_UNDER_STUDY: "À l'étude",
  PROPOSAL_STATE_RETAINED: 'Retenues', PROPOSAL_STATE_INTEGRATED: 'Intégrées',
  PROPOSAL_STATE_REJECTED: 'Rejetées',
};
// Colours with at least 3:1 against white (WCAG 1.4.11), told apart by the tables as well.
const COLOURS = ['#0b5cad', '#b35900', '#2d7a3a', '#7a3d99', '#a4161a'];

let chartModule = null;  // Chart.js, imported on first use
const charts = [];       // the charts on screen, destroyed before the next drawing

async function chartJs() {
  if (!chartModule) {
    chartModule = import('./vendor/chart.js/chart.mjs').then((module) => {
      module.Chart.register(...module.registerables);
      module.Chart.defaults.color = '#1b1b1b';
      module.Chart.defaults.font.family = 'system-ui, sans-serif';
      module.Chart.defaults.font.size = 13;
      return module.Chart;
    });
  }
  return chartModule;
}

function dateOf(value) {  // "YYYY-MM-DD" → google.type.Date query fields
  const [year, month, day] = value.split('-');
  return { year: Number(year), month: Number(month), day: Number(day) };
}
function dateQuery(prefix, value) {
  const date = dateOf(value);
  return `${prefix}.year=${date.year}&${prefix}.month=${date.month}&${prefix}.day=${date.day}`;
}
function frenchDay(value) {
  const { year, month, day } = dateOf(value);
  return longDate.format(new Date(Date.UTC(year, month - 1, day)));
}
function rate(ratio) {
  return ratio && ratio.denominator ? percent.format(ratio.numerator / ratio.denominator) : '—';
}

// A chart and its table: `rows` are [label, ...values], `columns` the values' headings, the
// first `series` columns drawn as bars (as percentages when `asPercent`).
function chartFigure({ id, title, summary, columns, rows, series = 1, asPercent = false,
                       horizontal = false }) {
  const canvas = element('canvas', { id: `${id}-chart`, role: 'img',
                                     'aria-label': `${title}. ${summary} Détail dans le tableau qui suit.` });
  const table = element('table', { class: 'chart-data', id: `${id}-table` },
      element('caption', { text: `${title} (tableau)` }),
      element('thead', {}, element('tr', {}, ...columns.map(
          (c) => element('th', { scope: 'col', text: c })))),
      element('tbody', {}, ...rows.map((row) => element('tr', {},
          element('th', { scope: 'row', text: row[0] }),
          ...row.slice(1).map((value) => element('td', { text: String(value.text ?? value) }))))));
  const height = horizontal ? Math.max(160, rows.length * 26 + 60) : 260;
  const figure = element('figure', { class: 'chart', id },
      element('figcaption', { text: title }),
      element('div', { class: 'chart-box', 'data-height': String(height) }, canvas),
      element('p', { class: 'status', text: summary }), table);
  return { figure, canvas, height, draw: (Chart) => new Chart(canvas, {
    type: 'bar',
    data: {
      labels: rows.map((r) => r[0]),
      datasets: columns.slice(1, 1 + series).map((label, i) => ({
        label, backgroundColor: COLOURS[i % COLOURS.length], maxBarThickness: 48,
        data: rows.map((r) => Number(r[1 + i].value ?? r[1 + i])),
      })),
    },
    options: {
      locale: 'fr-FR', animation: false, maintainAspectRatio: false,
      indexAxis: horizontal ? 'y' : 'x',
      plugins: { legend: { display: series > 1 }, tooltip: { enabled: true } },
      scales: {
        [horizontal ? 'x' : 'y']: {
          beginAtZero: true,
          ...(asPercent ? { max: 1, ticks: { callback: (v) => percent.format(v) } }
                        : { ticks: { precision: 0 } }),
        },
      },
    },
  }) };
}

function coverageRows(groups) {
  return (groups || []).map((g) => [g.displayName || g.group,
    { value: g.coverage || 0, text: percent.format(g.coverage || 0) },
    g.mobilizedActors || 0, g.directoryActors || 0]);
}

function figures(found) {
  const held = found.meetingsHeld || 0;
  return [
    ['Réunions tenues (clôturées)', number.format(held)],
    ['Réunions prévues', number.format(found.meetingsPlanned || 0)],
    ['Réunions tenues, à clôturer', number.format(found.meetingsAwaitingClosure || 0)],
    ['Taux de participation (présences ÷ invitations)', rate(found.participationRate)],
    ['Présence des inscrits (présences ÷ inscriptions)', rate(found.registeredParticipationRate)],
    ['Présences', number.format(found.attended || 0)],
    ['Acteurs distincts mobilisés', number.format(found.distinctActorsMobilized || 0)],
    ["Couverture de l'annuaire", rate(found.directoryCoverage)],
    ['Documents produits', number.format(found.documentsProduced || 0)],
    ['Propositions', number.format(found.proposalsProduced || 0)],
    ['Propositions intégrées à la feuille de route', number.format(found.proposalsIntegrated || 0)],
    ['Avancement moyen de la feuille de route',
     percent.format((found.roadmapMeanProgress || 0) / 100)],
  ];
}

function chartsOf(found) {
  const kinds = (found.byMeetingKind || []).filter((k) =>
    k.meetingsHeld || k.meetingsPlanned || k.meetingsAwaitingClosure || k.meetingsCancelled);
  const categories = coverageRows(found.coverageByNetworkCategory);
  const communes = coverageRows(found.coverageByCommune);
  const coverageSummary = (rows, what) => {
    if (rows.length === 0) return "L'annuaire n'a pas répondu : couverture indisponible.";
    const reached = rows.filter((r) => r[2] > 0).length;
    if (reached === 0) return `Aucun acteur mobilisé dans les ${rows.length} ${what}.`;
    const best = [...rows].sort((a, b) => b[1].value - a[1].value)[0];
    return `${reached} ${reached > 1 ? what : what.slice(0, -1)} sur ${rows.length} ${
      reached > 1 ? 'ont' : 'a'} au moins un ` +
           `acteur mobilisé ; la plus couverte : ${best[0]} (${best[1].text}).`;
  };
  return [
    chartFigure({
      id: 'chart-meetings', title: 'Réunions par type',
      summary: `${number.format(found.meetingsHeld || 0)} réunion(s) tenue(s) et ${
        number.format(found.meetingsPlanned || 0)} prévue(s) sur la période.`,
      columns: ['Type de réunion', 'Tenues', 'Prévues', 'Invitations', 'Présences',
                'Taux de participation'],
      series: 2,
      rows: kinds.map((k) => [k.displayName || KINDS[k.kind] || k.kind, k.meetingsHeld || 0,
        k.meetingsPlanned || 0, k.invitations || 0, k.attended || 0,
        { value: 0, text: rate(k.participationRate) }]),
    }),
    chartFigure({
      id: 'chart-categories', title: 'Couverture par catégorie du réseau', horizontal: true,
      asPercent: true, summary: coverageSummary(categories, 'catégories'),
      columns: ['Catégorie', 'Couverture', 'Acteurs mobilisés', "Acteurs de l'annuaire"],
      rows: categories,
    }),
    chartFigure({
      id: 'chart-communes', title: 'Couverture par commune', horizontal: true, asPercent: true,
      summary: coverageSummary(communes, 'communes'),
      columns: ['Commune', 'Couverture', 'Acteurs mobilisés', "Acteurs de l'annuaire"],
      rows: communes,
    }),
    chartFigure({
      id: 'chart-documents', title: 'Documents produits par type',
      summary: `${number.format(found.documentsProduced || 0)} document(s) produit(s).`,
      columns: ['Type de document', 'Documents'],
      rows: (found.documentsByKind || []).map((d) => [DOCUMENT_KINDS[d.kind] || d.kind,
                                                      d.count || 0]),
    }),
    chartFigure({
      id: 'chart-proposals', title: 'Propositions par état',
      summary: `${number.format(found.proposalsProduced || 0)} proposition(s), dont ${
        number.format(found.proposalsIntegrated || 0)} intégrée(s) à la feuille de route.`,
      columns: ['État', 'Propositions'],
      rows: (found.proposalsByState || []).map((p) => [PROPOSAL_STATES[p.state] || p.state,
                                                       p.count || 0]),
    }),
  ];
}

async function compute() {
  const action = $('period-action').value;
  const start = $('period-start').value;
  const end = $('period-end').value;
  if (!action || !start || !end) return;
  $('period-status').textContent = 'Calcul…';
  const [found, Chart] = await Promise.all([
    api('GET', `/v1/${action}/indicators?${dateQuery('periodStart', start)}&${
      dateQuery('periodEnd', end)}`),
    chartJs(),
  ]);
  $('period-figures').replaceChildren(...figures(found).flatMap(([term, value]) => [
    element('div', {}, element('dt', { text: term }), element('dd', { text: value }))]));
  for (const chart of charts.splice(0)) chart.destroy();
  const made = chartsOf(found);
  $('charts').replaceChildren(...made.map((m) => m.figure));
  for (const m of made) {
    m.canvas.parentElement.style.height = `${m.height}px`;
    charts.push(m.draw(Chart));
  }
  $('period-status').textContent = `Indicateurs du ${frenchDay(start)} au ${frenchDay(end)}` +
      (found.directoryDataTime ? '.' : " (l'annuaire n'a pas répondu : sans couverture).");
  $('indicators-panel').dataset.drawn = `${start}/${end}`;
  history.replaceState(null, '', `#indicateurs/${start}/${end}`);
}

function reportLink() {
  const action = $('period-action').value;
  const year = $('report-year').value;
  $('report-link').href = `/v1/${action}/report.html?year=${year}`;
  $('report-link').textContent = `Ouvrir le rapport ${year} (page imprimable, nouvel onglet)`;
}

// #indicateurs, or #indicateurs/<first day>/<last day>; the current year by default.
export async function showIndicatorsPage(hash) {
  const asked = /^indicateurs\/(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})$/.exec(hash);
  const year = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' }).slice(0, 4);
  $('period-start').value = asked ? asked[1] : `${year}-01-01`;
  $('period-end').value = asked ? asked[2] : `${year}-12-31`;
  const action = await actionChoice($('period-action'));
  // The action's years (and this one); this year by default, or the action's last one.
  const first = Math.min(Number((action && action.startYear) || year), Number(year));
  const end = Number((action && action.endYear) || year);
  const last = Math.max(end, Number(year));
  const chosen = $('report-year').value || String(Math.min(Number(year), end));
  $('report-year').replaceChildren(...Array.from({ length: last - first + 1 },
      (_, i) => element('option', { value: String(first + i), text: String(first + i) })));
  $('report-year').value = chosen;
  reportLink();
  await compute();
}

$('period-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if ($('period-end').value < $('period-start').value) {
    $('period-status').textContent = 'La fin de la période précède son début.';
    return;
  }
  compute().catch((error) => {
    $('period-status').textContent = `Calcul impossible : ${error.message}`;
  });
});
$('period-action').addEventListener('change', () => {
  reportLink();
  compute();
});
$('report-year').addEventListener('change', reportLink);
