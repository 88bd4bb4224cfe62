// The budget's life in the console, in a real browser, as the network's people do it: a
// coordinator (staff) makes a new draft budget of the seed's action, adds its lines, edits one
// into an error and sees the finding beside it, fixes it and submits; an admin approves it,
// revises it into version 2, changes a line and reads the difference between the versions, and
// downloads the CERFA files; then the admin's page of staff accounts (a generated first
// password shown once, a role changed, an account disabled and enabled again), refused to the
// coordinator by the page and by the API; a funder reads the approved budget without the
// buttons to change it. axe-core on every page; screenshots under --screenshots.
//
//   node budget.mjs --url http://127.0.0.1:8080 --email staff@... --password ... \
//                   --admin-email admin@... --admin-password ... --screenshots DIR
//
// Prints one JSON line of figures (timings in ms) and exits 0; exits 1 naming the first failed
// check.
import fs from 'node:fs';
import path from 'node:path';
import { accessible, args, base, check, launch, shots, stickingOut } from './lib.mjs';

const figures = {};
const shot = (page, name) => page.screenshot({ path: path.join(shots, `budget-${name}.png`),
                                                fullPage: true });
const text = (page, selector) => page.$eval(selector, (e) => e.textContent);
const until = (page, fn, ...rest) => page.waitForFunction(fn, { timeout: 15000 }, ...rest);
// The budget page shows, whole, the budget its address names.
const shown = () => document.querySelector('#budget-panel').dataset.shown ===
                    location.hash.slice('#budget/'.length);

async function logInAs(page, email, password) {
  await page.goto(`${base}/console/`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#login-panel:not([hidden])');
  await page.type('#email', email);
  await page.type('#password', password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#directory-panel:not([hidden])');
}

// Clears an input and types `value`; resolves when the last key is typed, with that time.
async function retype(handle, value) {
  await handle.click({ clickCount: 3 });
  await handle.press('Backspace');
  await handle.type(value);
  return Date.now();
}

// The amount input of the line whose account code is `code` on `side` ('charges' or 'income').
function amountOf(page, side, code) {
  return page.evaluateHandle((s, c) => [...document.querySelectorAll(`#${s}-rows tr`)]
      .find((r) => r.cells[0].textContent === c)?.querySelector('input.amount'), side, code);
}

const browser = await launch();
const cspErrors = [];
try {
  // ---- The coordinator ----
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') cspErrors.push(m.text()); });
  let saveSent = 0;  // when the page last sent a line's amount
  page.on('request', (r) => { if (r.method() === 'PATCH') saveSent = Date.now(); });
  await page.setViewport({ width: 1440, height: 900 });
  await logInAs(page, args.email, args.password);

  // Not an admin: no accounts page, and the API refuses the list and a creation.
  check(await page.$eval('#nav-accounts', (e) => e.hidden), 'staff sees the accounts link');
  const refused = await page.evaluate(async (csrf) => {
    const list = await fetch('/v1/staffAccounts');
    const made = await fetch('/v1/staffAccounts', {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ staffAccount: { email: 'x@pes21.fr', role: 'ROLE_ADMIN' } }),
    });
    return [list.status, made.status];
  }, await page.evaluate(async () => (await (await fetch('/console/api/session')).json()).csrfToken));
  check(refused[0] === 403 && refused[1] === 403, `the API lets staff manage accounts: ${refused}`);
  await page.goto(`${base}/console/#comptes`, { waitUntil: 'networkidle0' });
  check(await page.$eval('#accounts-panel', (e) => e.hidden), 'staff reaches the accounts page');

  // A new draft: the seed's action, 2026 (no amount announced, no commitment: it can be clean).
  await page.goto(`${base}/console/#budgets`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#budgets a');
  await page.click('#budget-new summary');
  await page.$eval('#new-budget-year', (e) => { e.value = '2026'; });
  await page.select('#new-budget-kind', 'BUDGET_KIND_FORECAST');
  await page.type('#new-budget-title', 'Budget prévisionnel 2026 de la console');
  figures.budgets_minor_violations = await accessible(page, 'budgets');
  await shot(page, 'list-new');
  let start = Date.now();
  await page.click('#budget-new-form button[type=submit]');
  await until(page, shown);
  check((await text(page, '#budget-title')).includes('2026 de la console'), 'the new draft is shown');
  figures.create_budget_ms = Date.now() - start;
  const draftUrl = page.url();

  // Its two lines, each with its account's own label.
  for (const [side, code] of [['SIDE_CHARGE', '606'], ['SIDE_INCOME', '706']]) {
    await page.select('#line-side', side);
    await until(page, (c) => [...document.querySelector('#line-account').options].some((o) => o.value === c), code);
    await page.select('#line-account', code);
    await page.type('#line-amount', '1 500');
    start = Date.now();
    await page.click('#budget-add-line button[type=submit]');
    await until(page, (c) => document.querySelector('#line-status').textContent.includes('ajoutée') &&
        [...document.querySelectorAll('.budget tbody tr')].some((r) => r.cells[0].textContent === c), code);
    figures[`add_line_${code}_ms`] = Date.now() - start;
  }
  await until(page, () => document.querySelector('#budget-summary').textContent.startsWith('0 erreur'));
  const clean = await text(page, '#budget-summary');

  // Edited into an error: the finding appears beside the line. Fixed: it goes.
  const charge = await amountOf(page, 'charges', '606');
  let typed = await retype(charge, '-150');
  await until(page, () => [...document.querySelectorAll('#charges-rows .line-findings li')]
      .some((e) => e.textContent.startsWith('Erreur')));
  // From the last key (the page waits 150 ms for typing to pause before saving), and from the
  // save sent (the API's part: save, validate, totals, shown).
  figures.finding_shown_after_last_key_ms = Date.now() - typed;
  figures.finding_shown_after_save_sent_ms = Date.now() - saveSent;
  figures.finding_beside_the_line = (await page.$$eval('#charges-rows .line-findings li',
                                                       (e) => e.map((x) => x.textContent)))[0];
  check(!(await page.$eval('#budget-submit', (e) => e.hidden)), 'a draft offers to submit');
  figures.budget_draft_minor_violations = await accessible(page, 'budget draft');
  await shot(page, 'finding');
  typed = await retype(charge, '1 500');
  await until(page, (s) => document.querySelector('#budget-summary').textContent === s &&
                           document.querySelectorAll('#charges-rows .finding:not(.warning)').length === 0, clean);
  figures.finding_gone_after_last_key_ms = Date.now() - typed;
  figures.finding_gone_after_save_sent_ms = Date.now() - saveSent;
  start = Date.now();
  await page.click('#budget-submit');
  await until(page, () => document.querySelector('#budget-status').textContent !== '');
  figures.submit_ms = Date.now() - start;
  const submitted = await text(page, '#budget-status');
  check(submitted === 'Budget soumis.', `submit: ${submitted}`);
  const state = await text(page, '#budget-state');
  check(state.includes('version 1') && state.includes('soumis'), `state after submit: ${state}`);
  await shot(page, 'submitted');

  // ---- The admin ----
  const adminContext = await browser.createBrowserContext();
  const admin = await adminContext.newPage();
  admin.on('console', (m) => { if (m.type() === 'error') cspErrors.push(m.text()); });
  await admin.setViewport({ width: 1440, height: 900 });
  await logInAs(admin, args['admin-email'], args['admin-password']);
  await admin.goto(draftUrl, { waitUntil: 'networkidle0' });
  await admin.waitForSelector('#budget-approval:not([hidden])');
  await admin.type('#approval-note', 'Conseil d\'administration du PES 21');
  start = Date.now();
  await admin.click('#budget-approve');
  await until(admin, () => document.querySelector('#budget-status').textContent !== '');
  figures.approve_ms = Date.now() - start;
  const approved = await text(admin, '#budget-status');
  check(approved === 'Budget approuvé.', `approve: ${approved}`);
  const approvedState = await text(admin, '#budget-state');
  check(approvedState.includes('approuvé le') && approvedState.includes('PES 21'),
        `state after approval: ${approvedState}`);

  // The CERFA files: each link named and typed; one downloaded for real.
  const files = await admin.$$eval('#budget-exports a', (links) => links.map((a) => ({
    href: a.getAttribute('href'), name: a.getAttribute('download') })));
  check(files.length === 4, `four CERFA files offered: ${JSON.stringify(files)}`);
  figures.export_files = [];
  for (const file of files) {
    start = Date.now();
    const got = await admin.evaluate(async (href) => {
      const response = await fetch(href);
      const bytes = new Uint8Array(await response.arrayBuffer());
      return { status: response.status, type: response.headers.get('Content-Type'),
               size: bytes.length, head: [...bytes.slice(0, 3)] };
    }, file.href);
    const ms = Date.now() - start;
    const csv = file.name.endsWith('.csv');
    check(got.status === 200 && got.size > 100 &&
          (csv ? got.type.startsWith('text/csv') && got.head.join() === '239,187,191'
               : got.type === 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
          `${file.name}: ${JSON.stringify(got)}`);
    figures.export_files.push(`${file.name} ${got.size} o ${ms} ms`);
  }
  const downloads = path.join(shots, 'budget-downloads');
  fs.rmSync(downloads, { recursive: true, force: true });
  fs.mkdirSync(downloads, { recursive: true });
  const cdp = await browser.target().createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads,
                                                  browserContextId: adminContext.id });
  await admin.click('#budget-exports li:first-child a');
  const wanted = path.join(downloads, files[0].name);
  for (let i = 0; i < 100 && !fs.existsSync(wanted); ++i) await new Promise((r) => setTimeout(r, 100));
  check(fs.existsSync(wanted), `the browser downloaded ${files[0].name}: ${fs.readdirSync(downloads)}`);
  const downloaded = fs.readFileSync(wanted, 'utf8');
  check(downloaded.includes('Achats non stockés') && /1\s500/.test(downloaded),
        `the downloaded CERFA 12156 holds the lines: ${downloaded.slice(0, 300)}`);
  figures.downloaded = `${files[0].name} (${downloaded.length} caractères)`;
  await shot(admin, 'approved');

  // Revised into version 2, a line changed, the difference read.
  start = Date.now();
  await admin.click('#budget-revise');
  await until(admin, () => document.querySelector('#budget-panel').dataset.shown ===
                           location.hash.slice('#budget/'.length) &&
                           document.querySelector('#budget-state').textContent.includes('version 2'));
  figures.revise_ms = Date.now() - start;
  const income = await amountOf(admin, 'income', '706');
  const charge2 = await amountOf(admin, 'charges', '606');
  await retype(charge2, '1 800');
  await until(admin, () => /1\s800/.test(document.querySelector('#budget-totals').textContent));
  await retype(income, '1 800');
  await until(admin, () => /^0 erreur/.test(document.querySelector('#budget-summary').textContent) &&
                           document.querySelector('#budget-totals').textContent.match(/1\s800/g)?.length === 2);
  await admin.select('#diff-with', await admin.$eval('#diff-with', (s) => s.options[0].value));
  start = Date.now();
  await admin.click('#budget-diff-form button[type=submit]');
  await until(admin, () => document.querySelectorAll('#budget-diff tr').length > 0);
  figures.diff_ms = Date.now() - start;
  const diff = await admin.$$eval('#budget-diff tr', (rows) => rows.map((r) => r.textContent));
  check(diff.length === 2 && diff.every((r) => r.startsWith('modifiée') && r.includes('+300,00') &&
                                               r.includes('montant')),
        `the difference of versions 1 and 2: ${diff.join(' | ')}`);
  figures.diff_summary = await text(admin, '#diff-summary');
  figures.budget_revised_minor_violations = await accessible(admin, 'budget revised with its diff');
  await shot(admin, 'revised-diff');

  // ---- Staff accounts, for the admin ----
  check(!(await admin.$eval('#nav-accounts', (e) => e.hidden)), 'the admin sees the accounts link');
  await admin.click('#nav-accounts');
  await admin.waitForSelector('#accounts-panel:not([hidden])');
  await until(admin, () => document.querySelectorAll('#accounts-rows tr').length >= 2);
  await admin.type('#account-email', 'lea@pes21.fr');
  await admin.type('#account-name', 'Léa Moreau');
  start = Date.now();
  await admin.click('#account-form button[type=submit]');
  await admin.waitForSelector('#account-password-shown:not([hidden])');
  figures.create_account_ms = Date.now() - start;
  const generated = await text(admin, '#account-generated');
  check(generated.length === 24, `a generated password is shown: ${generated}`);
  await until(admin, () => !!document.querySelector('#accounts-rows tr[data-email="lea@pes21.fr"]'));
  figures.accounts_minor_violations = await accessible(admin, 'staff accounts');
  await shot(admin, 'accounts-created');
  // Shown once: the page read again does not have it.
  await admin.reload({ waitUntil: 'networkidle0' });
  await admin.waitForSelector('#accounts-panel:not([hidden])');
  check(await admin.$eval('#account-password-shown', (e) => e.hidden), 'the password is shown again');

  const lea = await browser.createBrowserContext();
  const leaPage = await lea.newPage();
  await logInAs(leaPage, 'lea@pes21.fr', generated);

  const row = 'tr[data-email="lea@pes21.fr"]';
  await until(admin, (r) => !!document.querySelector(r), row);
  start = Date.now();
  await admin.select(`${row} select`, 'ROLE_ADMIN');
  await until(admin, () => document.querySelector('#accounts-status').textContent.startsWith('Rôle'));
  figures.role_change_ms = Date.now() - start;
  const role = await leaPage.evaluate(async () => (await (await fetch('/console/api/session')).json()).role);
  check(role === 'ROLE_ADMIN', `the role applies to Léa's session at once: ${role}`);
  await admin.select(`${row} select`, 'ROLE_FUNDER');
  await until(admin, () => document.querySelector('#accounts-status').textContent.startsWith('Changement refusé'));
  check(await admin.$eval(`${row} select`, (s) => s.value) === 'ROLE_ADMIN', 'a refused role stays');
  await admin.select(`${row} select`, 'ROLE_STAFF');
  await until(admin, () => document.querySelector('#accounts-status').textContent.includes('Équipe'));

  start = Date.now();
  await admin.click(`${row} button`);
  await until(admin, (r) => document.querySelector(r)?.dataset.state === 'STAFF_ACCOUNT_STATE_DISABLED', row);
  figures.disable_ms = Date.now() - start;
  const ended = await leaPage.evaluate(async () => (await fetch('/v1/actions?pageSize=1')).status);
  check(ended === 401, `a disabled account's session ends: ${ended}`);
  await shot(admin, 'accounts-disabled');
  await admin.click(`${row} button`);
  await until(admin, (r) => document.querySelector(r)?.dataset.state === 'STAFF_ACCOUNT_STATE_ACTIVE', row);
  await logInAs(leaPage, 'lea@pes21.fr', generated);
  await lea.close();

  // A funder's person, made with a password given: reads the approved budget, cannot change it.
  await admin.select('#account-role', 'ROLE_FUNDER');
  await admin.waitForSelector('#account-funder-field:not([hidden])');
  await admin.type('#account-email', 'paul@dijon-metropole.fr');
  await admin.type('#account-funder', 'dijon-metropole');
  await admin.type('#account-password', 'mot de passe du financeur');
  await admin.click('#account-form button[type=submit]');
  await until(admin, () => document.querySelector('#account-created').textContent.startsWith('Compte créé'));
  check(await admin.$eval('#account-password-shown', (e) => e.hidden), 'a given password is not shown');
  const funderContext = await browser.createBrowserContext();
  const funder = await funderContext.newPage();
  await logInAs(funder, 'paul@dijon-metropole.fr', 'mot de passe du financeur');
  await funder.goto(draftUrl, { waitUntil: 'networkidle0' });
  await until(funder, shown);
  check((await text(funder, '#budget-state')).includes('approuvé'), 'the funder reads the state');
  figures.budget_funder_minor_violations = await accessible(funder, 'budget read by a funder');
  await shot(funder, 'funder');
  const offered = await funder.evaluate(() => ['#budget-approval', '#budget-revise', '#budget-submit',
    '#budget-add-line'].filter((s) => !document.querySelector(s).hidden));
  check(offered.length === 0, `a funder is offered ${offered}`);
  check(await funder.$$eval('#budget-exports a', (l) => l.length) === 4, 'a funder downloads the files');
  await funderContext.close();

  // On a 360 px phone, the budget and the accounts fit the width (wide tables scroll in place).
  await admin.setViewport({ width: 360, height: 740, isMobile: true, hasTouch: true });
  await admin.goto(draftUrl, { waitUntil: 'networkidle0' });
  await until(admin, shown);
  const budgetOut = await stickingOut(admin);
  await shot(admin, 'phone');
  check(budgetOut.length === 0, `the budget at 360 px: these stick out: ${budgetOut.join(', ')}`);
  await admin.goto(`${base}/console/#comptes`, { waitUntil: 'networkidle0' });
  await until(admin, () => document.querySelectorAll('#accounts-rows tr').length >= 2);
  const accountsOut = await stickingOut(admin);
  figures.accounts_phone_minor_violations = await accessible(admin, 'staff accounts at 360 px');
  await shot(admin, 'accounts-phone');
  check(accountsOut.length === 0, `the accounts at 360 px: these stick out: ${accountsOut.join(', ')}`);

  await adminContext.close();
  check(cspErrors.filter((e) => e.includes('Content Security Policy')).length === 0,
        `CSP violations: ${cspErrors.join(' | ')}`);
  console.log(JSON.stringify(figures));
} finally {
  await browser.close();
}
