// The meetings' pages of the staff console in a real browser (Debian's Chromium through
// puppeteer-core), against a running gateway on which the caller made three actors in Chenôve
// (21166) and one in Talant: a meeting of November 2025 planned, the actors of Chenôve invited
// by commune, two checked in, closed with two proposals; one proposal studied, retained and
// integrated in a new roadmap item whose progress is recorded twice (history shown), the other
// integrated in that same item; the roadmap page lists the item as in progress, and adds an item
// of its own; the programme as a calendar (French
// names, keyboard: Page Up, the month chosen, arrows, Enter opens the meeting), also at 360 px;
// the indicators of 2025 with their charts drawn and their tables; the yearly report page
// opened from its link. axe-core on every page (no serious or critical violation).
//
//   node meetings.mjs --url http://127.0.0.1:8080 --email lea@pes21.fr --password ... \
//                     --screenshots DIR
//
// Prints one JSON line of figures (each interaction's time in ms, from the click or key to the
// page showing its result) and exits 0; exits 1 naming the first failed check.
import path from 'node:path';
import { accessible, base, check, launch, logIn, shots, stickingOut } from './lib.mjs';

const MEETING = 'Forum du Mois de l\'ESS à Chenôve';
const DAY = '2025-11-18';  // a Tuesday
const CHENOVE_ACTORS = ['Épicerie solidaire de Chenôve', 'Garage solidaire du Mail',
                        'Jardins partagés du Mail'];

const browser = await launch();
const figures = {};
const timings = {};
// Runs `act` (a click, a key) and waits for `done` (a function evaluated in the page);
// records the time between the two under `name`.
async function timed(page, name, act, done, ...doneArgs) {
  const start = performance.now();
  await act();
  try {
    await page.waitForFunction(done, { timeout: 15000, polling: 'mutation' }, ...doneArgs);
  } catch (error) {
    await page.screenshot({ path: path.join(shots, `meetings-failed-${name}.png`), fullPage: true });
    check(false, `${name}: ${error.message}; page errors: ${consoleErrors.join(' | ')}; ${
      page.url()}`);
  }
  timings[name] = Math.round(performance.now() - start);
}
const consoleErrors = [];
const text = (page, selector) => page.$eval(selector, (e) => e.textContent.trim());

try {
  const page = await browser.newPage();
  // Errors of the page's scripts and of its CSP; not the answers of 4xx (the session asked at
  // load is 401 before the login, as it should be).
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      consoleErrors.push(message.text());
    }
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  await page.setViewport({ width: 1280, height: 900 });
  await logIn(page);

  // Planned for 18 November 2025 in Chenôve, from the programme.
  await page.goto(`${base}/console/#reunions`, { waitUntil: 'networkidle0' });
  await page.waitForFunction(() => document.querySelector('#plan-commune').options.length > 0);
  await page.click('#plan summary');
  await page.type('#plan-title', MEETING);
  await page.select('#plan-kind', 'MEETING_KIND_ESS_MONTH_EVENT');
  await page.$eval('#plan-date', (e, v) => { e.value = v; }, DAY);
  await page.$eval('#plan-start', (e) => { e.value = '09:30'; });
  await page.$eval('#plan-end', (e) => { e.value = '12:00'; });
  await page.type('#plan-address', 'Salle des fêtes, place Pierre Meunier');
  await page.select('#plan-commune', '21166');
  await page.click('#plan-form button[type=submit]');
  await page.waitForSelector('#sheet-panel:not([hidden])');
  await page.waitForFunction((m) => document.querySelector('#sheet-title').textContent.includes(m),
                             {}, MEETING);
  await page.waitForFunction(() => document.querySelector('#sheet-count').textContent !== '');
  const meetingHash = page.url().slice(page.url().indexOf('#'));

  // Invited by commune: the three actors of Chenôve, not the one of Talant.
  await page.select('#invite-commune', '21166');
  await timed(page, 'invite_by_commune_ms', () => page.click('#invite-commune-form button'),
              () => document.querySelector('#invite-commune-status').textContent !== '');
  const invited = await text(page, '#invite-commune-status');
  check(invited === '3 acteurs invités.', `inviting the actors of Chenôve: ${invited}`);
  const rows = await page.$$eval('#sheet-rows tr', (r) => r.map((x) => x.cells[0].textContent));
  check(rows.length === 3 && CHENOVE_ACTORS.every((a) => rows.includes(a)),
        `the sheet after the invitation: ${rows.join(' | ')}`);
  await page.click('#invite-commune-form button');
  await page.waitForFunction(
      () => document.querySelector('#invite-commune-status').textContent.includes('déjà'));
  figures.invite_again = await text(page, '#invite-commune-status');
  check(figures.invite_again === 'Aucun acteur invité : 3 déjà invités ou archivés.',
        `inviting Chenôve again: ${figures.invite_again}`);

  // Two of them came; closed with minutes and two proposals.
  for (let i = 0; i < 2; ++i) {
    await page.click('#sheet-rows button.check:not([disabled])');
    await page.waitForFunction((n) => document.querySelectorAll(
        '#sheet-rows tr[data-status="PARTICIPANT_STATUS_ATTENDED"]').length === n, {}, i + 1);
  }
  await page.type('#minutes', 'Tour de table des initiatives du quartier du Mail.');
  await page.type('#proposal-1', 'Ouvrir une boutique de réemploi au Mail');
  await page.type('#proposal-2', 'Associer les ressourceries de la Métropole à la boutique');
  await page.click('#close-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#close-status').textContent !== '',
                             { timeout: 15000 });
  check(await text(page, '#close-status') === 'Réunion clôturée.', 'closing the forum');
  const frozen = await page.evaluate(() => ['invite-form', 'invite-commune-form', 'walk-in',
    'close-form'].every((id) => document.getElementById(id).hidden) &&
    document.querySelector('#sheet-rows button') === null);
  check(frozen, 'the closed meeting takes no more invitation, check-in nor walk-in');
  check(await page.$$eval('#proposals li[data-output]', (l) => l.length) === 2,
        'the two proposals under the closed sheet');

  // The first proposal: studied, retained, integrated in a new roadmap item; the second
  // integrated in that same item.
  const stateOf = (index) => page.$$eval('#proposals li[data-output]',
                                         (items, i) => items[i].dataset.state, index);
  const first = async (selector) => (await page.$$('#proposals li[data-output]'))[0].$(selector);
  await timed(page, 'proposal_to_study_ms',
              async () => (await first('button[data-to="PROPOSAL_STATE_UNDER_STUDY"]')).click(),
              () => document.querySelector('#proposals li[data-output]').dataset.state ===
                    'PROPOSAL_STATE_UNDER_STUDY');
  await timed(page, 'proposal_retained_ms',
              async () => (await first('button[data-to="PROPOSAL_STATE_RETAINED"]')).click(),
              () => document.querySelector('#proposals li[data-output]').dataset.state ===
                    'PROPOSAL_STATE_RETAINED');
  await (await first('button[data-to="PROPOSAL_STATE_INTEGRATED"]')).click();
  const axis = await first('form.integrate input[id^="integrate-axis"]');
  await axis.type('Réemploi et économie circulaire');
  await timed(page, 'proposal_integrated_ms',
              async () => (await first('form.integrate button[type=submit]')).click(),
              () => document.querySelector('#proposals li[data-output]').dataset.state ===
                    'PROPOSAL_STATE_INTEGRATED');
  const second = async (selector) => (await page.$$('#proposals li[data-output]'))[1].$(selector);
  const secondIs = (state) => page.waitForFunction((st) => document.querySelectorAll(
      '#proposals li[data-output]')[1].dataset.state === st, {}, state);
  await (await second('button[data-to="PROPOSAL_STATE_UNDER_STUDY"]')).click();
  await secondIs('PROPOSAL_STATE_UNDER_STUDY');
  await (await second('button[data-to="PROPOSAL_STATE_RETAINED"]')).click();
  await secondIs('PROPOSAL_STATE_RETAINED');
  await (await second('button[data-to="PROPOSAL_STATE_INTEGRATED"]')).click();
  const target = await second('form.integrate select');
  const existing = await target.evaluate((select) => select.options[1].value);
  await target.select(existing);
  check(await second('form.integrate input[id^="integrate-title"]').then(
      (input) => input.evaluate((e) => e.closest('div').hidden)),
        'choosing an existing item hides the new item\'s fields');
  await (await second('form.integrate button[type=submit]')).click();
  await secondIs('PROPOSAL_STATE_INTEGRATED');
  check(await stateOf(0) === 'PROPOSAL_STATE_INTEGRATED', 'the first proposal is integrated');
  const links = await page.$$eval('#proposals a[href^="#feuille-de-route/"]',
                                  (a) => a.map((x) => x.getAttribute('href')));
  check(links.length === 2 && links[0] === links[1], `both proposals in one item: ${links}`);
  figures.closed_sheet_minor_violations = await accessible(page, 'closed meeting and proposals');
  await page.screenshot({ path: path.join(shots, 'meetings-proposals.png'), fullPage: true });

  // The roadmap item, reached from the proposal: progress recorded twice, the history shown.
  await (await first('a[href^="#feuille-de-route/"]')).click();
  await page.waitForSelector('#roadmap-item-panel:not([hidden])');
  await page.waitForFunction(() => document.querySelector('#roadmap-item-title').textContent !== '');
  check((await text(page, '#roadmap-item-title')) === 'Ouvrir une boutique de réemploi au Mail',
        'the item is titled after the proposal');
  await page.waitForFunction(() => document.querySelectorAll('#roadmap-item-sources li').length === 2);
  const sources = await text(page, '#roadmap-item-sources');
  check(sources.includes('Ouvrir une boutique') && sources.includes('Associer les ressourceries'),
        `the item's sources: ${sources}`);
  for (const [value, note, name] of [
    ['40', 'Local repéré avec le bailleur, association porteuse trouvée', 'progress_recorded_ms'],
    ['70', 'Convention d\'occupation signée', 'progress_recorded_again_ms']]) {
    await page.$eval('#progress-value', (e) => { e.value = ''; });
    await page.type('#progress-value', value);
    await page.type('#progress-note', note);
    await timed(page, name, () => page.click('#progress-form button[type=submit]'),
                (n) => document.querySelectorAll('#progress-history tr').length === n &&
                       document.querySelector('#progress-status').textContent ===
                       'Avancement enregistré.', value === '40' ? 2 : 3);
  }
  const history = await page.$$eval('#progress-history tr', (r) => r.map((x) => x.textContent));
  check(history[0].includes('70') && history[0].includes('En cours') &&
        history[0].includes('Convention') && history[2].includes('Prévu'),
        `the item's history, newest first: ${history.join(' | ')}`);
  figures.roadmap_item_minor_violations = await accessible(page, 'roadmap item');
  await page.screenshot({ path: path.join(shots, 'meetings-roadmap-item.png'), fullPage: true });

  // The action's roadmap by state.
  await timed(page, 'roadmap_page_ms', () => page.click('#roadmap-item-panel a[href="#feuille-de-route"]'),
              () => !document.querySelector('#roadmap-panel').hidden &&
                    document.querySelector('#roadmap-states section') !== null);
  const inProgress = await text(page, '#roadmap-states section[data-state="ROADMAP_ITEM_STATE_IN_PROGRESS"]');
  check(inProgress.includes('Ouvrir une boutique de réemploi au Mail') && inProgress.includes('70'),
        `the roadmap's items in progress: ${inProgress}`);
  check(inProgress.includes('2 propositions'), `the item counts its two proposals: ${inProgress}`);
  figures.roadmap_minor_violations = await accessible(page, 'roadmap');
  // An item added from the roadmap page itself.
  await page.click('#roadmap-add summary');
  await page.type('#roadmap-add-title', 'Cartographier les lieux de réemploi de la Métropole');
  await page.type('#roadmap-add-axis', 'Réemploi et économie circulaire');
  await timed(page, 'roadmap_item_added_ms', () => page.click('#roadmap-add-form button[type=submit]'),
              () => !document.querySelector('#roadmap-item-panel').hidden &&
                    document.querySelector('#roadmap-item-title').textContent.startsWith('Cartographier') &&
                    document.querySelectorAll('#progress-history tr').length === 1);
  check((await text(page, '#progress-history')).includes("Création de l'élément"),
        'a new item\'s history starts with its creation');
  await page.click('#roadmap-item-panel a[href="#feuille-de-route"]');
  await page.waitForFunction(() => document.querySelector(
      '#roadmap-states section[data-state="ROADMAP_ITEM_STATE_PLANNED"]')?.textContent
      .includes('Cartographier'));
  figures.roadmap_summary = await text(page, '#roadmap-summary');
  await page.screenshot({ path: path.join(shots, 'meetings-roadmap.png'), fullPage: true });

  // The programme as a calendar: this month in French, the previous one by Page Up, November
  // 2025 chosen, the 18th reached with the arrows, Enter opens the forum. (A new document: the
  // programme of a hash change would still be loading when the switch is clicked.)
  await page.goto('about:blank');
  await page.goto(`${base}/console/#reunions`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#meetings-panel:not([hidden])');
  await page.waitForFunction(() => document.querySelector('#meetings li') !== null);
  await timed(page, 'calendar_switch_ms', () => page.click('#view-calendar'),
              () => !document.querySelector('#calendar').hidden &&
                    document.querySelectorAll('#calendar-weeks td[data-day]').length >= 28);
  const now = new Date();
  const monthName = (date) => {
    const name = date.toLocaleDateString('fr-FR', { month: 'long', year: 'numeric',
                                                    timeZone: 'Europe/Paris' });
    return name[0].toUpperCase() + name.slice(1);
  };
  check((await text(page, '#calendar-title')).startsWith(monthName(now)),
        `the calendar opens on this month: ${await text(page, '#calendar-title')}`);
  const weekdays = await page.$$eval('#calendar-weekdays th .visually-hidden',
                                     (e) => e.map((x) => x.textContent));
  check(weekdays.join(',') === 'lundi,mardi,mercredi,jeudi,vendredi,samedi,dimanche',
        `weekdays: ${weekdays.join(',')}`);
  check(page.url().endsWith('#calendrier/' + now.toLocaleDateString('sv-SE', {
    timeZone: 'Europe/Paris' }).slice(0, 7)), `the address names the month: ${page.url()}`);
  const focused = () => page.evaluate(() => document.activeElement.dataset.day || '');
  await page.focus('#calendar-weeks td[tabindex="0"]');
  const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15));
  await timed(page, 'calendar_previous_month_ms', () => page.keyboard.press('PageUp'),
              (title) => document.querySelector('#calendar-title').textContent.startsWith(title),
              monthName(previous));
  await page.$eval('#calendar-month', (e) => { e.value = '2025-11'; });
  await timed(page, 'calendar_month_chosen_ms', () => page.click('#calendar-go button[type=submit]'),
              () => document.querySelector('#calendar-title').textContent.startsWith('Novembre 2025'));
  check(await focused() === '1', 'the chosen month gets the focus on its first day');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  for (let i = 0; i < 3; ++i) await page.keyboard.press('ArrowRight');
  check(await focused() === '18', `arrows reach the 18th: ${await focused()}`);
  const day = await page.$eval('#calendar-weeks td[data-day="18"]', (e) => e.textContent);
  check(day.includes('mardi 18 novembre 2025') && day.includes('09:30') && day.includes(MEETING),
        `the 18th in the calendar: ${day}`);
  figures.calendar_minor_violations = await accessible(page, 'calendar');
  await page.screenshot({ path: path.join(shots, 'meetings-calendar.png'), fullPage: true });
  await timed(page, 'calendar_open_meeting_ms', () => page.keyboard.press('Enter'),
              (m) => !document.querySelector('#sheet-panel').hidden &&
                     document.querySelector('#sheet-title').textContent.includes(m) &&
                     document.querySelectorAll('#sheet-rows tr').length === 3, MEETING);
  check(page.url().endsWith(meetingHash), `Enter opened ${page.url()}, not ${meetingHash}`);

  // The same month on a 360 px phone, and back to the list.
  await page.goto(`${base}/console/#calendrier/2025-11`, { waitUntil: 'networkidle0' });
  await page.setViewport({ width: 360, height: 740, isMobile: true, hasTouch: true });
  await page.waitForFunction(() => document.querySelector('#calendar-title').textContent
      .startsWith('Novembre 2025'));
  const listed = await page.$eval('#calendar-list', (e) => getComputedStyle(e).display !== 'none' &&
                                                          e.textContent);
  check(listed && listed.includes(MEETING) && listed.includes('mardi 18'),
        `the month's meetings listed below the grid on a phone: ${listed}`);
  const sticking = await stickingOut(page);
  check(sticking.length === 0, `the calendar at 360 px: these stick out: ${sticking.join(', ')}`);
  figures.calendar_phone_minor_violations = await accessible(page, 'calendar on a phone');
  await page.screenshot({ path: path.join(shots, 'meetings-calendar-phone.png'), fullPage: true });
  await page.setViewport({ width: 1280, height: 900 });
  await page.waitForSelector('#meetings-panel:not([hidden])');
  await page.waitForFunction(() => !document.querySelector('#calendar').hidden);
  await timed(page, 'list_switch_ms', () => page.click('#view-list'),
              () => !document.querySelector('#meetings').hidden &&
                    document.querySelector('#calendar').hidden);

  // The indicators: this year first, then 2025 chosen; the charts drawn, their tables beside.
  await timed(page, 'indicators_page_ms',
              () => page.click('#meetings-panel a[href="#indicateurs"]'),
              () => document.querySelector('#indicators-panel').dataset.drawn !== undefined);
  await page.$eval('#period-start', (e) => { e.value = '2025-01-01'; });
  await page.$eval('#period-end', (e) => { e.value = '2025-12-31'; });
  await timed(page, 'indicators_period_ms', () => page.click('#period-form button[type=submit]'),
              () => document.querySelector('#indicators-panel').dataset.drawn ===
                    '2025-01-01/2025-12-31');
  const shown = await page.$$eval('#period-figures div', (d) => Object.fromEntries(d.map(
      (x) => [x.querySelector('dt').textContent, x.querySelector('dd').textContent])));
  figures.indicators_2025 = shown;
  check(shown['Réunions tenues (clôturées)'] === '1' && shown['Acteurs distincts mobilisés'] === '2' &&
        shown['Propositions'] === '2' &&
        shown['Propositions intégrées à la feuille de route'] === '2' &&
        /^66,7\s%$/.test(shown['Taux de participation (présences ÷ invitations)']),
        `the indicators of 2025: ${JSON.stringify(shown)}`);
  check((await text(page, '#period-status')).startsWith('Indicateurs du 1 janvier 2025 au 31 décembre 2025'),
        `the period told in French: ${await text(page, '#period-status')}`);
  const drawn = await page.$$eval('#charts canvas', (canvases) => canvases.map((c) => {
    const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let inked = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) ++inked;
    return { id: c.id, width: c.width, height: c.height, inked, label: c.getAttribute('aria-label') };
  }));
  check(drawn.length === 5 && drawn.every((c) => c.inked > 500 && c.label.length > 20),
        `the charts drawn: ${JSON.stringify(drawn.map(({ id, inked }) => [id, inked]))}`);
  const chenove = await page.$$eval('#chart-communes-table tbody tr', (r) => r.map(
      (x) => [...x.cells].map((c) => c.textContent)).find((cells) => cells[0] === 'Chenôve'));
  check(chenove && /^66,7\s%$/.test(chenove[1]) && chenove[2] === '2' && chenove[3] === '3',
        `Chenôve's coverage in the table: ${chenove}`);
  figures.charts = drawn.map((c) => c.id);
  figures.indicators_minor_violations = await accessible(page, 'indicators');
  await page.screenshot({ path: path.join(shots, 'meetings-indicators.png'), fullPage: true });

  // The yearly report page, opened in a new tab from its link.
  await page.select('#report-year', '2025');
  const href = await page.$eval('#report-link', (a) => a.getAttribute('href'));
  check(href === '/v1/actions/fa3/report.html?year=2025', `the report link: ${href}`);
  const start = performance.now();
  const [opened] = await Promise.all([
    browser.waitForTarget((t) => t.url().includes('/report.html?year=2025'), { timeout: 15000 }),
    page.click('#report-link'),
  ]);
  const report = await opened.page();
  await report.waitForFunction(() => document.readyState === 'complete' &&
                                     document.body.textContent.includes('2025'));
  timings.report_open_ms = Math.round(performance.now() - start);
  const heading = await report.$eval('h1', (e) => e.textContent.trim());
  check(heading.length > 0, 'the report page has a heading');
  figures.report_heading = heading.slice(0, 120);
  await report.setViewport({ width: 1240, height: 1754 });
  await report.screenshot({ path: path.join(shots, 'meetings-report.png') });
  await report.close();

  check(consoleErrors.length === 0, `errors in the page's console: ${consoleErrors.join(' | ')}`);
  figures.timings_ms = timings;
  figures.slowest_interaction_ms = Math.max(...Object.values(timings));
  console.log(JSON.stringify(figures));
} finally {
  await browser.close();
}
