// An action's budgets in the side-by-side layout of the CERFA form (charges on the left,
// income on the right), edited line by line: each change is saved with the line's etag and the
// validator's findings are shown beside the lines they concern as soon as it answers. A new
// draft or a new line is made here too; then the budget's life: submitted (refused while an
// error remains), approved, revised into the next version, two versions compared line by line,
// and the CERFA files downloaded. What the validator says is its own French sentence
// (validation.proto). Writes are offered to the roles the budget service lets write (admin and
// staff: common/auth/permissions.cc); a funder reads.
import { api, element, frenchDateTime, session } from './api.js';

const $ = (id) => document.getElementById(id);
const euros = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
const STATES = {
  BUDGET_STATE_DRAFT: 'brouillon', BUDGET_STATE_SUBMITTED: 'soumis',
  BUDGET_STATE_APPROVED: 'approuvé',
};
const KINDS = { BUDGET_KIND_FORECAST: 'prévisionnel', BUDGET_KIND_ACTUAL: 'réalisé' };
const CHANGES = {
  LINE_CHANGE_KIND_ADDED: 'ajoutée', LINE_CHANGE_KIND_REMOVED: 'retirée',
  LINE_CHANGE_KIND_CHANGED: 'modifiée',
};
const FIELDS = {
  amount_cents: 'montant', label: 'intitulé', account_code: 'compte', note: 'note',
  funder_id: 'financeur', chapter_line: 'chapitre', position: 'place', is_chapter: 'chapitre',
};
// The files the API writes (ExportBudget): the CERFA 12156 budget and the CERFA 15059
// financial report, each as CSV and XLSX.
const EXPORTS = [
  ['EXPORT_LAYOUT_CERFA_12156', 'cerfa-12156', 'Budget (CERFA 12156)'],
  ['EXPORT_LAYOUT_FINANCIAL_REPORT_15059', 'cerfa-15059', 'Compte rendu financier (CERFA 15059)'],
];
const FORMATS = [['EXPORT_FORMAT_CSV', 'csv', 'CSV'], ['EXPORT_FORMAT_XLSX', 'xlsx', 'Excel']];
let budget = null;
let accounts = null;

// Admin and staff write budgets; a funder reads them.
function mayWrite() {
  const role = session() && session().role;
  return role === 'ROLE_ADMIN' || role === 'ROLE_STAFF';
}

function uuid() { return crypto.randomUUID(); }

// "1 234,56" or "1234.5" or "1 234 €" → cents; null when it is not an amount.
function centsOf(text) {
  const clean = text.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  if (clean === '') return null;
  if (!/^-?\d+(\.\d{1,2})?$/.test(clean)) return Number.NaN;
  return Math.round(parseFloat(clean) * 100);
}
function amountText(cents) {
  return cents === undefined || cents === null ? ''
      : (Number(cents) / 100).toLocaleString('fr-FR', { minimumFractionDigits: 2 });
}
function eurosOf(cents) {
  return cents === undefined || cents === null ? '—' : euros.format(Number(cents) / 100);
}

export async function showBudgets() {
  const actions = (await api('GET', '/v1/actions?pageSize=50')).actions || [];
  const lists = await Promise.all(actions.map((action) =>
    api('GET', `/v1/${action.name}/budgets?pageSize=50`)));
  const items = [];
  for (const [i, action] of actions.entries()) {
    for (const b of lists[i].budgets || []) {
      items.push(element('li', {},
          element('a', { href: `#budget/${b.name}`, text: b.title || b.name }),
          element('div', { class: 'place',
                           text: `${action.title || action.name} · version ${b.version} · ` +
                                 `${STATES[b.state] || ''}` })));
    }
  }
  $('budgets').replaceChildren(...items);
  $('budget-new').hidden = !mayWrite();
  $('new-budget-action').replaceChildren(...actions.map((a) =>
    element('option', { value: a.name, text: a.title || a.name })));
  if (!$('new-budget-year').value) $('new-budget-year').value = String(new Date().getFullYear());
}

$('budget-new-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('new-budget-status').textContent = '';
  const kind = $('new-budget-kind').value;
  const year = Number($('new-budget-year').value);
  try {
    const made = await api('POST', `/v1/${$('new-budget-action').value}/budgets`, {
      year, kind,
      title: $('new-budget-title').value.trim() ||
             `Budget ${KINDS[kind]} ${year}`,
    }, { 'Idempotency-Key': uuid() });
    location.hash = `#budget/${made.name}`;
  } catch (error) {
    $('new-budget-status').textContent = error.reason === 'DRAFT_EXISTS'
        ? 'Un brouillon existe déjà pour cette action, cette année et ce type : ouvrez-le.'
        : `Création refusée : ${error.message}`;
  }
});

// A finding is shown beside the first line it names (for a chapter's sum, the chapter): once.
function findingsOf(findings, line) {
  return findings.filter((f) => (f.lines || [])[0] === line);
}

function findingItem(finding) {
  const warning = finding.severity === 'SEVERITY_WARNING';
  return element('li', { class: warning ? 'finding warning' : 'finding',
                         text: `${warning ? 'Attention' : 'Erreur'} : ${finding.message}` });
}

async function validate() {
  return showFindings(await api('GET', `/v1/${budget.name}:validate`));
}

// What ValidateBudget found, each finding beside its line or above the table.
function showFindings(found) {
  const findings = (found.findings || []).filter((f) => f.severity !== 'SEVERITY_INFO');
  for (const cell of document.querySelectorAll('.budget .line-findings')) {
    cell.replaceChildren(...findingsOf(findings, cell.dataset.line).map(findingItem));
  }
  const general = findings.filter((f) => (f.lines || []).length === 0);
  $('budget-findings').replaceChildren(...general.map(findingItem));
  $('budget-summary').textContent =
      `${found.errorCount || 0} erreur${found.errorCount > 1 ? 's' : ''}, ` +
      `${found.warningCount || 0} avertissement${found.warningCount > 1 ? 's' : ''}`;
  return found;
}

// Saves the amount the input holds now, if it changed, with the etag of the line's last save,
// then shows what the validator says of the budget.
async function saveAmount(line, input) {
  const cents = centsOf(input.value);
  if (Number.isNaN(cents)) {
    input.setAttribute('aria-invalid', 'true');
    return;
  }
  input.removeAttribute('aria-invalid');
  if (String(cents) === String(line.amountCents ?? null)) return;
  try {
    const saved = await api('PATCH', `/v1/${line.name}`,
                            cents === null ? { amountCents: null } : { amountCents: String(cents) },
                            { 'If-Match': `"${line.etag}"` });
    line.etag = saved.etag;
    line.amountCents = saved.amountCents;
    await Promise.all([validate(), refreshTotals()]);
  } catch (error) {
    $('budget-status').textContent = error.status === 409
        ? "Quelqu'un a modifié cette ligne entre-temps : rechargez la page."
        : `Ligne refusée : ${error.message}`;
  }
}

function lineRow(line, editable) {
  const input = element('input', {
    class: 'amount', inputmode: 'decimal', value: amountText(line.amountCents),
    'aria-label': `Montant : ${line.accountCode || ''} ${line.label}`,
  });
  input.disabled = !editable;
  // Saved once typing pauses; one save of a line at a time, so that each sends the etag the
  // previous one returned (two in flight would refuse each other as a conflict).
  let timer = 0;
  let saving = Promise.resolve();
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { saving = saving.then(() => saveAmount(line, input)); }, 150);
  });
  return element('tr', { class: line.isChapter ? 'chapter' : '' },
      element('td', { text: line.accountCode || '' }),
      element('td', { text: line.label }),
      element('td', {}, input),
      element('td', {}, element('ul', { class: 'line-findings', 'data-line': line.name })));
}

function showTotals() {
  const totals = budget.computedTotals || {};
  $('budget-totals').textContent = Object.keys(totals).length === 0 ? ''
      : `Charges ${euros.format(Number(totals.chargesCents || 0) / 100)} · ` +
        `produits ${euros.format(Number(totals.incomeCents || 0) / 100)}`;
}

async function refreshTotals() {
  budget = await api('GET', `/v1/${budget.name}`);
  showTotals();
}

function describe() {
  const when = budget.state === 'BUDGET_STATE_APPROVED' ? ` le ${frenchDateTime(budget.approveTime)}`
      : budget.state === 'BUDGET_STATE_SUBMITTED' ? ` le ${frenchDateTime(budget.submitTime)}` : '';
  const note = budget.approvalNote ? ` (${budget.approvalNote})` : '';
  $('budget-state').textContent =
      `Budget ${KINDS[budget.kind] || ''} ${budget.year} · version ${budget.version}` +
      `${budget.latest ? ' (la plus récente)' : ''} · état : ${STATES[budget.state] || ''}` +
      `${when}${note}`;
}

async function linesOf(name) {
  const lines = [];
  let token = '';
  do {
    const page = await api('GET', `/v1/${name}/lines?pageSize=500` +
                                   (token ? `&pageToken=${encodeURIComponent(token)}` : ''));
    lines.push(...(page.budgetLines || page.lines || []));
    token = page.nextPageToken || '';
  } while (token);
  return lines;
}

const BODIES = { SIDE_CHARGE: 'charges-rows', SIDE_INCOME: 'income-rows' };

// The budget, its lines, its findings and its action's budgets are read at once.
export async function showBudget(name) {
  delete $('budget-panel').dataset.shown;
  const [read, lines, found, siblings] = await Promise.all([
    api('GET', `/v1/${name}`), linesOf(name), api('GET', `/v1/${name}:validate`),
    api('GET', `/v1/${name.split('/budgets/')[0]}/budgets?pageSize=100`)]);
  budget = read;
  $('budget-title').textContent = budget.title || name;
  describe();
  $('budget-status').textContent = '';
  const editable = budget.state === 'BUDGET_STATE_DRAFT' && mayWrite();
  for (const [side, body] of Object.entries(BODIES)) {
    $(body).replaceChildren(...lines.filter((l) => l.side === side).map((l) => lineRow(l, editable)));
  }
  $('budget-add-line').hidden = !editable;
  $('budget-submit').hidden = !editable;
  $('budget-approval').hidden = !(budget.state === 'BUDGET_STATE_SUBMITTED' && mayWrite());
  $('budget-revise').hidden = !(budget.state !== 'BUDGET_STATE_DRAFT' && mayWrite());
  showTotals();
  showExports();
  showFindings(found);
  showVersions(siblings.budgets || []);
  if (editable) await fillAccounts();
  $('budget-panel').dataset.shown = name;  // every part of the page is this budget's
}

// ---- Lines added to a draft ----

async function fillAccounts() {
  if (!accounts) accounts = (await api('GET', '/v1/accounts?pageSize=1000')).accounts || [];
  const side = $('line-side').value;
  const current = $('line-account').value;
  $('line-account').replaceChildren(...accounts.filter((a) => a.side === side).map((a) =>
    element('option', { value: a.code, text: `${a.code} – ${a.label}` })));
  if ([...$('line-account').options].some((o) => o.value === current)) {
    $('line-account').value = current;
  }
}
$('line-side').addEventListener('change', fillAccounts);

$('budget-add-line').addEventListener('submit', async (event) => {
  event.preventDefault();
  const cents = centsOf($('line-amount').value);
  if (Number.isNaN(cents)) {
    $('line-amount').setAttribute('aria-invalid', 'true');
    $('line-status').textContent = 'Montant illisible : écrivez par exemple 1 500 ou 1 500,50.';
    return;
  }
  $('line-amount').removeAttribute('aria-invalid');
  const code = $('line-account').value;
  const account = (accounts || []).find((a) => a.code === code) || {};
  const line = {
    side: $('line-side').value, accountCode: code,
    label: $('line-label').value.trim() || account.label || code,
  };
  if (cents !== null) line.amountCents = String(cents);
  try {
    const made = await api('POST', `/v1/${budget.name}/lines`, line, { 'Idempotency-Key': uuid() });
    $('line-label').value = '';
    $('line-amount').value = '';
    $(BODIES[made.side]).append(lineRow(made, true));
    await Promise.all([validate(), refreshTotals()]);
    $('line-status').textContent = `Ligne « ${line.label} » ajoutée.`;
  } catch (error) {
    $('line-status').textContent = `Ligne refusée : ${error.message}`;
  }
});

// ---- Submit, approve, revise ----

// The budget read again (its etag covers its lines), then `verb` with that etag.
async function transition(verb, body = {}) {
  const current = await api('GET', `/v1/${budget.name}`);
  return api('POST', `/v1/${budget.name}:${verb}`, { etag: current.etag, ...body },
             { 'Idempotency-Key': uuid() });
}

$('budget-submit').addEventListener('click', async () => {
  try {
    await transition('submit');
    await showBudget(budget.name);
    $('budget-status').textContent = 'Budget soumis.';
  } catch (error) {
    $('budget-status').textContent = error.reason === 'BUDGET_HAS_ERRORS'
        ? 'Soumission refusée : corrigez d\'abord les erreurs signalées ci-dessus.'
        : `Soumission refusée : ${error.message}`;
  }
});

$('budget-approve').addEventListener('click', async () => {
  try {
    await transition('approve', { approvalNote: $('approval-note').value.trim() });
    $('approval-note').value = '';
    await showBudget(budget.name);
    $('budget-status').textContent = 'Budget approuvé.';
  } catch (error) {
    $('budget-status').textContent = error.status === 403
        ? 'Votre rôle ne permet pas d\'approuver un budget.'
        : `Approbation refusée : ${error.message}`;
  }
});

$('budget-revise').addEventListener('click', async () => {
  try {
    const next = await transition('revise');
    location.hash = `#budget/${next.name}`;
  } catch (error) {
    $('budget-status').textContent = error.reason === 'DRAFT_EXISTS'
        ? 'Une révision est déjà en cours (un brouillon existe) : ouvrez-la dans la liste des versions.'
        : `Révision refusée : ${error.message}`;
  }
});

// ---- Versions and their differences ----

function showVersions(budgets) {
  const versions = budgets
      .filter((b) => b.year === budget.year && b.kind === budget.kind)
      .sort((a, b) => a.version - b.version);
  $('budget-versions').replaceChildren(...versions.map((b) => element('li', {},
      b.name === budget.name
        ? element('span', { 'aria-current': 'page', text: `Version ${b.version} (celle-ci)` })
        : element('a', { href: `#budget/${b.name}`, text: `Version ${b.version}` }),
      ` · ${STATES[b.state] || ''}`)));
  const others = versions.filter((b) => b.name !== budget.name);
  $('budget-diff-form').hidden = others.length === 0;
  $('diff-with').replaceChildren(...others.map((b) =>
    element('option', { value: b.name, 'data-version': b.version,
                        text: `version ${b.version} (${STATES[b.state] || ''})` })));
  const previous = others.filter((b) => b.version < budget.version).pop();
  if (previous) $('diff-with').value = previous.name;
  $('budget-diff').replaceChildren();
  $('diff-summary').textContent = '';
}

function lineText(line) {
  return line ? `${line.accountCode || line.effectiveAccountCode || ''} ${line.label}`.trim() : '';
}

$('budget-diff-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const other = $('diff-with').value;
  const otherVersion = Number($('diff-with').selectedOptions[0].dataset.version);
  // From the older to the newer version.
  const [base, target] = otherVersion < budget.version ? [other, budget.name] : [budget.name, other];
  try {
    const diff = await api('GET', `/v1/${base}:diff?targetBudget=${encodeURIComponent(target)}`);
    const changes = diff.changes || [];
    const rows = changes.map((c) => element('tr', {},
        element('td', { text: CHANGES[c.kind] || '' }),
        element('td', { text: c.targetLine?.side === 'SIDE_INCOME' || c.baseLine?.side === 'SIDE_INCOME'
            ? 'Produits' : 'Charges' }),
        element('td', { text: lineText(c.targetLine || c.baseLine) }),
        element('td', { class: 'number', text: eurosOf(c.baseAmountCents) }),
        element('td', { class: 'number', text: eurosOf(c.targetAmountCents) }),
        element('td', { class: 'number', text: Number(c.differenceCents) === 0 ? '—'
            : `${Number(c.differenceCents) > 0 ? '+' : ''}${euros.format(Number(c.differenceCents) / 100)}` }),
        element('td', { text: (c.changedFields || []).map((f) => FIELDS[f] || f).join(', ') })));
    $('budget-diff').replaceChildren(...rows);
    $('budget-diff-table').hidden = rows.length === 0;
    const fields = (diff.changedBudgetFields || []).map((f) =>
      ({ title: 'titre', note: 'note', stated_totals: 'totaux déclarés' })[f] || f);
    const plural = rows.length > 1 ? 's' : '';
    const before = diff.baseTotals || {};
    const after = diff.targetTotals || {};
    $('diff-summary').textContent = (rows.length === 0 ? 'Aucune ligne ne diffère.'
        : `${rows.length} ligne${plural} diffère${rows.length > 1 ? 'nt' : ''}.`) +
        ` Charges : ${eurosOf(before.chargesCents || 0)} → ${eurosOf(after.chargesCents || 0)}.` +
        ` Produits : ${eurosOf(before.incomeCents || 0)} → ${eurosOf(after.incomeCents || 0)}.` +
        (fields.length ? ` Aussi modifié : ${fields.join(', ')}.` : '');
  } catch (error) {
    $('diff-summary').textContent = `Comparaison impossible : ${error.message}`;
  }
});

// ---- Files ----

function showExports() {
  const stem = `budget-${budget.year}-${KINDS[budget.kind] === 'réalisé' ? 'realise' : 'previsionnel'}` +
               `-v${budget.version}`;
  const links = [];
  for (const [layout, slug, title] of EXPORTS) {
    for (const [format, extension, label] of FORMATS) {
      links.push(element('li', {}, element('a', {
        href: `/v1/${budget.name}:export?format=${format}&layout=${layout}`,
        download: `${stem}-${slug}.${extension}`,
        text: `${title}, ${label}`,
      })));
    }
  }
  $('budget-exports').replaceChildren(...links);
}
