// The CSV import page: the file chosen is first checked (ImportActors with validateOnly: the
// report row by row, nothing written), then imported by a second click, which the page allows
// only when the check of that very file refused no row (a real import is all or nothing).
import { api, element } from './api.js';

const $ = (id) => document.getElementById(id);
const OUTCOMES = {
  IMPORT_ROW_OUTCOME_CREATED: 'sera créé', IMPORT_ROW_OUTCOME_UPDATED: 'mettra à jour',
  IMPORT_ROW_OUTCOME_UNCHANGED: 'inchangé', IMPORT_ROW_OUTCOME_REJECTED: 'refusée',
};
const DONE = {
  IMPORT_ROW_OUTCOME_CREATED: 'créé', IMPORT_ROW_OUTCOME_UPDATED: 'mis à jour',
  IMPORT_ROW_OUTCOME_UNCHANGED: 'inchangé', IMPORT_ROW_OUTCOME_REJECTED: 'refusée',
};
const count = new Intl.NumberFormat('fr-FR');
let checked = null;  // {file, data} of the last check that refused no row

function base64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

async function readFile() {
  const file = $('import-file').files[0];
  if (!file) return null;
  return { file, data: base64(new Uint8Array(await file.arrayBuffer())) };
}

// "3 créations, 1 mise à jour, 0 inchangé, 1 ligne refusée" (a check) or "3 acteurs créés, ..."
function summary(report, dry) {
  const n = (x) => Number(x || 0);
  const part = (value, singular, pluralForm) =>
    `${count.format(value)} ${value > 1 ? pluralForm : singular}`;
  const created = n(report.createdCount);
  const parts = [
    dry ? part(created, 'création', 'créations') : part(created, 'acteur créé', 'acteurs créés'),
    part(n(report.updatedCount), 'mise à jour', 'mises à jour'),
    part(n(report.unchangedCount), 'inchangé', 'inchangés'),
  ];
  if (dry) parts.push(part(n(report.rejectedCount), 'ligne refusée', 'lignes refusées'));
  return parts.join(', ');
}

function showReport(report, dry) {
  const problems = new Map();
  for (const issue of report.issues || []) {
    const row = Number(issue.row || 0);
    if (!problems.has(row)) problems.set(row, []);
    problems.get(row).push(issue);
  }
  const rows = (report.rows || []).map((r) => {
    const row = Number(r.row);
    const issues = problems.get(row) || [];
    const cell = element('td');
    if (issues.length) {
      cell.append(element('ul', { class: 'findings' }, ...issues.map((i) => element('li', {
        class: 'finding', text: (i.localizedMessage && i.localizedMessage.message) || i.reason,
        'data-field': i.field || '' }))));
    } else if (r.actor) {
      cell.append(element('a', { href: `#acteur/${r.actor.split('/')[1]}`, text: 'voir la fiche' }));
    }
    return element('tr', { 'data-outcome': r.outcome },
                   element('td', { text: String(row) }),
                   element('td', { text: (dry ? OUTCOMES : DONE)[r.outcome] || r.outcome }), cell);
  });
  const whole = problems.get(0) || [];
  if (whole.length) {
    rows.unshift(element('tr', {}, element('td', { text: 'fichier' }), element('td', { text: '' }),
                         element('td', { text: whole.map((i) => i.localizedMessage?.message ||
                                                               i.reason).join(' ') })));
  }
  $('import-rows').replaceChildren(...rows);
  $('import-report').hidden = false;
}

$('import-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  checked = null;
  $('import-run').disabled = true;
  $('import-error').textContent = '';
  $('import-status').textContent = '';
  $('import-report').hidden = true;
  const read = await readFile();
  if (!read) { $('import-error').textContent = 'Choisissez d\'abord un fichier.'; return; }
  $('import-status').textContent = 'Vérification en cours…';
  try {
    const report = await api('POST', '/v1/actors:import',
                             { csvData: read.data, validateOnly: true },
                             { 'X-Request-Timeout': '60s' });
    showReport(report, true);
    const rejected = Number(report.rejectedCount || 0);
    $('import-status').textContent = `Vérification de « ${read.file.name} » (rien n'a été ` +
        `écrit) : ${summary(report, true)}.` +
        (rejected ? ' Corrigez le fichier puis vérifiez-le à nouveau.' : '');
    if (rejected === 0) {
      checked = read;
      $('import-run').disabled = false;
    }
  } catch (error) {
    $('import-status').textContent = '';
    $('import-error').textContent = `Le fichier ne peut pas être lu : ${error.message}`;
  }
});

$('import-file').addEventListener('change', () => {
  checked = null;
  $('import-run').disabled = true;
});

$('import-run').addEventListener('click', async () => {
  if (!checked) return;
  $('import-run').disabled = true;
  $('import-error').textContent = '';
  $('import-status').textContent = 'Import en cours…';
  try {
    const report = await api('POST', '/v1/actors:import',
                             { csvData: checked.data, requestId: crypto.randomUUID() },
                             { 'X-Request-Timeout': '60s' });
    showReport(report, false);
    $('import-status').textContent = `Import de « ${checked.file.name} » terminé : ` +
        `${summary(report, false)}.`;
    checked = null;
  } catch (error) {
    $('import-status').textContent = '';
    $('import-error').textContent = `L'import a échoué, rien n'a été écrit : ${error.message}`;
  }
});

export function showImport() {
  $('import-file').focus();
}
