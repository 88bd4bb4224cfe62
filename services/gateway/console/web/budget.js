// An action's budgets in the side-by-side layout of the CERFA form (charges on the left,
// income on the right), edited line by line: each change is saved with the line's etag and the
// validator's findings are shown beside the lines they concern as soon as it answers; then
// submitted. What the validator says is its own French sentence (validation.proto).
import { api, element } from './api.js';

const $ = (id) => document.getElementById(id);
const euros = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
const STATES = {
  BUDGET_STATE_DRAFT: 'brouillon', BUDGET_STATE_SUBMITTED: 'soumis',
  BUDGET_STATE_APPROVED: 'approuvé',
};
let budget = null;

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

export async function showBudgets() {
  const actions = (await api('GET', '/v1/actions?pageSize=50')).actions || [];
  const items = [];
  for (const action of actions) {
    const found = await api('GET', `/v1/${action.name}/budgets?pageSize=50`);
    for (const b of found.budgets || []) {
      items.push(element('li', {},
          element('a', { href: `#budget/${b.name}`, text: b.title || b.name }),
          element('div', { class: 'place',
                           text: `${action.title || action.name} · ${STATES[b.state] || ''}` })));
    }
  }
  $('budgets').replaceChildren(...items);
}

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
  const found = await api('GET', `/v1/${budget.name}:validate`);
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

function lineRow(line, editable) {
  const input = element('input', {
    class: 'amount', inputmode: 'decimal', value: amountText(line.amountCents),
    'aria-label': `Montant : ${line.accountCode || ''} ${line.label}`,
  });
  input.disabled = !editable;
  let timer = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const cents = centsOf(input.value);
      if (Number.isNaN(cents)) {
        input.setAttribute('aria-invalid', 'true');
        return;
      }
      input.removeAttribute('aria-invalid');
      try {
        const saved = await api('PATCH', `/v1/${line.name}`,
                                cents === null ? { amountCents: null } : { amountCents: String(cents) },
                                { 'If-Match': `"${line.etag}"` });
        line.etag = saved.etag;
        await validate();
      } catch (error) {
        $('budget-status').textContent = error.status === 409
            ? "Quelqu'un a modifié cette ligne entre-temps : rechargez la page."
            : `Ligne refusée : ${error.message}`;
      }
    }, 250);
  });
  return element('tr', { class: line.isChapter ? 'chapter' : '' },
      element('td', { text: line.accountCode || '' }),
      element('td', { text: line.label }),
      element('td', {}, input),
      element('td', {}, element('ul', { class: 'line-findings', 'data-line': line.name })));
}

export async function showBudget(name) {
  budget = await api('GET', `/v1/${name}`);
  $('budget-title').textContent = budget.title || name;
  $('budget-state').textContent = `État : ${STATES[budget.state] || ''}`;
  $('budget-status').textContent = '';
  const lines = [];
  let token = '';
  do {
    const page = await api('GET', `/v1/${name}/lines?pageSize=500` +
                                   (token ? `&pageToken=${encodeURIComponent(token)}` : ''));
    lines.push(...(page.budgetLines || page.lines || []));
    token = page.nextPageToken || '';
  } while (token);
  const editable = budget.state === 'BUDGET_STATE_DRAFT';
  for (const [side, body] of [['SIDE_CHARGE', 'charges-rows'], ['SIDE_INCOME', 'income-rows']]) {
    $(body).replaceChildren(...lines.filter((l) => l.side === side).map((l) => lineRow(l, editable)));
  }
  $('budget-submit').hidden = !editable;
  const totals = budget.computedTotals || {};
  $('budget-totals').textContent = Object.keys(totals).length === 0 ? ''
      : `Charges ${euros.format(Number(totals.chargesCents || 0) / 100)} · ` +
        `produits ${euros.format(Number(totals.incomeCents || 0) / 100)}`;
  await validate();
}

$('budget-submit').addEventListener('click', async () => {
  try {
    const current = await api('GET', `/v1/${budget.name}`);
    await api('POST', `/v1/${budget.name}:submit`, { etag: current.etag });
    await showBudget(budget.name);
    $('budget-status').textContent = 'Budget soumis.';
  } catch (error) {
    $('budget-status').textContent = error.reason === 'BUDGET_HAS_ERRORS'
        ? 'Soumission refusée : corrigez d\'abord les erreurs signalées ci-dessus.'
        : `Soumission refusée : ${error.message}`;
  }
});
