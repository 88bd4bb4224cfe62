// The staff console in a real browser (Debian's Chromium through puppeteer-core), against a
// running gateway: every page checked by axe-core (no serious or critical violation), a login,
// a typo-tolerant search, the phone width, a logout; screenshots written for people to look at.
//
//   node scenario.mjs --url http://127.0.0.1:8080 --email anne@pes21.fr --password ... \
//                     --screenshots DIR
//
// Prints one JSON line of figures (timings in ms) and exits 0; exits 1 naming the first failed
// check.
import path from 'node:path';
import { accessible, args, base, check, launch, shots, stickingOut } from './lib.mjs';

const browser = await launch();
const figures = {};
try {
  const page = await browser.newPage();
  const cspErrors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') cspErrors.push(message.text());
  });
  await page.setViewport({ width: 1280, height: 800 });

  // Until the login form can be used (not 'networkidle0', which waits 500 ms of silence more).
  let start = Date.now();
  await page.goto(`${base}/console/`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#login-panel:not([hidden])');
  figures.first_page_interactive_ms = Date.now() - start;
  figures.login_page_minor_violations = await accessible(page, 'login page');
  await page.screenshot({ path: path.join(shots, 'console-login.png') });

  // A wrong password is told, in French, without saying whether the e-mail exists.
  await page.type('#email', args.email);
  await page.type('#password', 'not the password');
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#login-error').textContent !== '');
  const refused = await page.$eval('#login-error', (e) => e.textContent);
  check(refused.includes('incorrect'), `wrong password message: ${refused}`);

  await page.$eval('#password', (e) => { e.value = ''; });
  await page.type('#password', args.password);
  start = Date.now();
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#directory-panel:not([hidden])');
  figures.login_ms = Date.now() - start;

  // Search as you type, with a typo: "recylerie" finds La Recyclade.
  start = Date.now();
  await page.type('#search', 'recylerie');
  await page.waitForFunction(
      () => document.querySelector('#search-status').textContent.includes('trouvé') &&
          [...document.querySelectorAll('#results .name')]
              .some((e) => e.textContent.includes('Recyclade')),
      { timeout: 10000 });
  figures.search_ms = Date.now() - start;
  figures.directory_minor_violations = await accessible(page, 'directory');
  await page.screenshot({ path: path.join(shots, 'console-directory.png') });

  // La Recyclade's card, then a conflict: a second session changes it while this one edits.
  await page.$$eval('#results a.name', (links) =>
    links.find((a) => a.textContent.includes('Recyclade')).click());
  await page.waitForSelector('#actor-panel:not([hidden])');
  await page.waitForFunction(() => document.querySelector('#actor-title').textContent.includes('Recyclade'));
  figures.actor_minor_violations = await accessible(page, 'actor card');
  const other = await browser.createBrowserContext();
  const second = await other.newPage();
  await second.goto(`${base}/console/`, { waitUntil: 'networkidle0' });
  await second.type('#email', args.email);
  await second.type('#password', args.password);
  await second.click('#login-form button[type=submit]');
  await second.waitForSelector('#directory-panel:not([hidden])');
  await second.goto(`${base}/console/${page.url().slice(page.url().indexOf('#'))}`,
                    { waitUntil: 'networkidle0' });
  await second.waitForFunction(() => document.querySelector('#actor-title').textContent !== '');
  await second.$eval('#actor-description', (e) => { e.value = ''; });
  await second.type('#actor-description', 'Recyclerie et atelier de réparation');
  await second.click('#actor-form button[type=submit]');
  await second.waitForFunction(
      () => document.querySelector('#actor-saved').textContent === 'Fiche enregistrée.');
  await other.close();

  await page.$eval('#actor-description', (e) => { e.value = ''; });
  await page.type('#actor-description', 'Ressourcerie');
  await page.click('#actor-form button[type=submit]');
  await page.waitForSelector('#actor-conflict:not([hidden])');
  const told = await page.$eval('#actor-changes', (e) => e.textContent);
  check(told.includes('Description') && told.includes('Recyclerie et atelier de réparation'),
        `the conflict says what changed: ${told}`);
  await page.screenshot({ path: path.join(shots, 'console-actor-conflict.png'), fullPage: true });
  await page.click('#actor-reload');
  await page.$eval('#actor-description', (e) => { e.value = ''; });
  await page.type('#actor-description', 'Ressourcerie, recyclerie et atelier de réparation');
  await page.click('#actor-form button[type=submit]');
  await page.waitForFunction(
      () => document.querySelector('#actor-saved').textContent === 'Fiche enregistrée.');
  await page.goto(`${base}/console/#annuaire`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#directory-panel:not([hidden])');

  // The same on a 360 px wide phone.
  await page.setViewport({ width: 360, height: 740, isMobile: true, hasTouch: true });
  await page.screenshot({ path: path.join(shots, 'console-directory-phone.png') });
  const overflow = await stickingOut(page);
  check(overflow.length === 0, `on a 360 px phone these stick out: ${overflow.join(', ')}`);

  // The attendance sheet on the phone: eight taps check eight people in, a walk-in is added.
  {
    // Planned from the programme (today, in Dijon), the IAE category invited from the sheet.
    await page.goto(`${base}/console/#reunions`, { waitUntil: 'networkidle0' });
    await page.waitForFunction(() => document.querySelector('#plan-commune').options.length > 0);
    figures.programme_minor_violations = await accessible(page, 'programme');
    await page.click('#plan summary');
    await page.type('#plan-title', 'Atelier IAE et achats responsables');
    await page.select('#plan-kind', 'MEETING_KIND_ACTORS_WORKSHOP');
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
    await page.$eval('#plan-date', (e, v) => { e.value = v; }, today);
    await page.$eval('#plan-start', (e) => { e.value = '00:00'; });
    await page.$eval('#plan-end', (e) => { e.value = '23:59'; });
    await page.type('#plan-address', 'Maison des associations, 2 rue des Corroyeurs');
    await page.select('#plan-commune', '21231');
    await page.click('#plan-form button[type=submit]');
    await page.waitForSelector('#sheet-panel:not([hidden])');
    await page.waitForFunction(
        () => document.querySelector('#sheet-title').textContent.includes('Atelier IAE'));
    await page.select('#invite-category', 'iae');
    await page.click('#invite-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#invite-status').textContent !== '');
    const invited = await page.$eval('#invite-status', (e) => e.textContent);
    check(invited === '10 acteurs invités.', `inviting the IAE category: ${invited}`);
    await page.waitForSelector('#sheet-rows button.check');
    const taps = [];
    for (let i = 0; i < 8; ++i) {
      const button = await page.$('#sheet-rows button.check:not([disabled])');
      check(button !== null, `a ${i + 1}th participant to check in`);
      start = Date.now();
      await button.tap();
      await page.waitForFunction(
          (n) => document.querySelectorAll('#sheet-rows tr[data-status="PARTICIPANT_STATUS_ATTENDED"]').length === n,
          {}, i + 1);
      taps.push(Date.now() - start);
    }
    figures.check_in_ms_max = Math.max(...taps);
    await page.type('#walk-in-name', 'Camille Durand');
    await page.type('#walk-in-org', 'Habitants du quartier');
    await page.click('#walk-in button[type=submit]');
    await page.waitForFunction(
        () => document.querySelector('#sheet-count').textContent.startsWith('9 présent'));
    const walkIn = await page.$$eval('#sheet-rows tr', (rows) => rows.some(
        (r) => r.textContent.includes('Camille Durand') && r.dataset.status.endsWith('ATTENDED')));
    check(walkIn, 'the walk-in is on the sheet, present');
    figures.sheet_minor_violations = await accessible(page, 'attendance sheet');
    const sticking = await page.evaluate(() => [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .length);
    check(sticking === 0, 'the attendance sheet sticks out at 360 px');
    await page.screenshot({ path: path.join(shots, 'console-attendance-phone.png'), fullPage: true });
    // Closed with its minutes and two proposals; the year's indicators move.
    await page.type('#minutes', 'Échanges sur les clauses sociales des marchés publics.');
    await page.type('#proposal-1', 'Recenser les SIAE pouvant répondre aux marchés de la Métropole');
    await page.type('#proposal-2', 'Organiser une rencontre acheteurs publics et SIAE au printemps');
    await page.click('#close-form button[type=submit]');
    await page.waitForFunction(
        () => document.querySelector('#close-status').textContent !== '', { timeout: 15000 });
    const closed = await page.$eval('#close-status', (e) => e.textContent);
    check(closed === 'Réunion clôturée.', `closing: ${closed}`);

    // The sign-in sheet as printed (A4 at 96 dpi; a change of viewport reloads the page).
    await page.setViewport({ width: 794, height: 1123 });
    await page.waitForSelector('#sheet-rows tr');
    await page.emulateMediaType('print');
    await page.screenshot({ path: path.join(shots, 'console-sign-in-sheet-print.png'), fullPage: true });
    await page.emulateMediaType('screen');
    await page.goto(`${base}/console/#reunions`, { waitUntil: 'networkidle0' });
    await page.waitForFunction(() => document.querySelector('#indicators').textContent !== '');
    const indicators = await page.$$eval('#indicators dt, #indicators dd', (e) => e.map((x) => x.textContent));
    const value = (term) => indicators[indicators.indexOf(term) + 1];
    check(value('Réunions tenues') === '1' && value('Présences') === '9' &&
          value('Acteurs mobilisés') === '8',
          `the year's indicators after the workshop: ${indicators.join(' | ')}`);
    await page.screenshot({ path: path.join(shots, 'console-programme.png'), fullPage: true });
    await page.goto(`${base}/console/#annuaire`, { waitUntil: 'networkidle0' });
  }

  // A budget: a line edited into an error shows the finding beside a line, fixed it goes away.
  await page.setViewport({ width: 1440, height: 900 });
  await page.goto(`${base}/console/#budgets`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#budgets a');
  await page.click('#budgets li:first-child a');
  await page.waitForFunction(() => document.querySelector('#budget-summary').textContent !== '');
  figures.budget_minor_violations = await accessible(page, 'budget');
  const beside = () => page.$$eval('.line-findings li', (e) => e.length);
  const before = await beside();
  const summaryBefore = await page.$eval('#budget-summary', (e) => e.textContent);
  const input = await page.$('#charges-rows tr:not(.chapter) input.amount:not([disabled])');
  check(input !== null, 'an editable charge line');
  const original = await input.evaluate((e) => e.value);
  start = Date.now();
  await input.click({ clickCount: 3 });
  await input.type('987654,32');
  try {
    await page.waitForFunction((n) => document.querySelectorAll('.line-findings li').length > n,
                               { timeout: 15000 }, before);
  } catch (error) {
    await page.screenshot({ path: path.join(shots, 'console-budget-failed.png'), fullPage: true });
    check(false, `no finding beside a line after the edit: status "${
      await page.$eval('#budget-status', (e) => e.textContent)}", summary "${
      await page.$eval('#budget-summary', (e) => e.textContent)}" (was "${summaryBefore}"); ${
      await page.evaluate(async () => {
        const cells = [...document.querySelectorAll('.line-findings')].map((c) => `${c.dataset.line}:${c.children.length}`);
        const budget = location.hash.slice('#budget/'.length);
        const found = await (await fetch(`/v1/${budget}:validate`)).json();
        return JSON.stringify({ cells: cells.slice(0, 4), findings: (found.findings || []).map((f) => [f.rule, f.lines]) });
      })}`);
  }
  figures.finding_shown_ms = Date.now() - start;
  const beside_text = await page.$$eval('.line-findings li', (e) => e.map((x) => x.textContent).join(' | '));
  await page.screenshot({ path: path.join(shots, 'console-budget-finding.png'), fullPage: true });
  await input.click({ clickCount: 3 });
  await input.type(original || '0');
  await page.waitForFunction((n) => document.querySelectorAll('.line-findings li').length === n,
                             { timeout: 15000 }, before);
  const summaryAfter = await page.$eval('#budget-summary', (e) => e.textContent);
  check(summaryAfter === summaryBefore, `fixed, the findings are back: ${summaryBefore} / ${summaryAfter}`);
  figures.budget_finding = beside_text.slice(0, 200);
  await page.click('#budget-submit');
  await page.waitForFunction(() => document.querySelector('#budget-status').textContent !== '');
  figures.budget_submit = await page.$eval('#budget-status', (e) => e.textContent);
  // The seed's 2023 table has the errors of its source document (the validator's point): the
  // submission is refused, and the person is told why in French.
  check(figures.budget_submit ===
            'Soumission refusée : corrigez d\'abord les erreurs signalées ci-dessus.',
        `submit: ${figures.budget_submit}`);
  await page.screenshot({ path: path.join(shots, 'console-budget-submitted.png'), fullPage: true });
  await page.goto(`${base}/console/#annuaire`, { waitUntil: 'networkidle0' });

  // A reload keeps the session (the cookie), and logout ends it.
  await page.reload({ waitUntil: 'networkidle0' });
  await page.waitForSelector('#directory-panel:not([hidden])');
  await page.click('#logout');
  await page.waitForSelector('#login-panel:not([hidden])');
  const after = await page.evaluate(async () => (await fetch('/v1/actors?pageSize=1')).status);
  check(after === 401, `after logout the API answers ${after}`);
  // The session cookie is out of the scripts' reach.
  const cookies = await page.evaluate(() => document.cookie);
  check(!cookies.includes('maillage_session'), 'the session cookie is readable by scripts');
  check(cspErrors.filter((e) => e.includes('Content Security Policy')).length === 0,
        `CSP violations: ${cspErrors.join(' | ')}`);
  console.log(JSON.stringify(figures));
} finally {
  await browser.close();
}
