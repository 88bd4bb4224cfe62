// The console's directory in a real browser: a CSV import checked row by row before anything
// is written, then imported; the filters (commune, ESS family, label) combined with the search,
// the count, the URL that keeps them across a reload; the map of the actors (Leaflet, no tile
// server); an actor's duplicates with the finder's explanation and a merge; archive and
// unarchive with a confirmation; the phone width. axe-core on every page.
//
//   node directory.mjs --url http://127.0.0.1:8080 --email ... --password ... --screenshots DIR
//
// Prints one JSON line of figures (timings in ms) and exits 0; exits 1 naming the first failed
// check.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accessible, base, check, launch, logIn, shots, stickingOut } from './lib.mjs';

const HEADER = 'display_name;siret;ess_family;address.commune_insee_code;address.postal_code;' +
               'address.city;coordinates.latitude;coordinates.longitude;network_categories;' +
               'labels.siae_types;website';
const GOOD = [
  'Atelier Vélo Dijon;;ASSOCIATION;21231;21000;Dijon;47.3220;5.0415;structures-ess;ACI;' +
      'https://www.atelier-velo-dijon.fr/',
  'L\'Atelier vélo de Dijon;;ASSOCIATION;21231;21000;Dijon;47.3190;5.0380;culture;;' +
      'http://atelier-velo-dijon.fr',
  'Jardins de Chenôve;;COOPERATIVE;21166;21300;Chenôve;47.2920;5.0090;' +
      'foncier-agroecologie-bio;;',
];
const BAD = 'Ressourcerie de Quetigny;12345678901234;ASSOCIATION;21515;21800;Quetigny;47.3130;' +
            '5.1080;;;';
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'console-directory-'));
const badFile = path.join(folder, 'acteurs-avec-erreur.csv');
const goodFile = path.join(folder, 'acteurs.csv');
fs.writeFileSync(badFile, [HEADER, GOOD[0], GOOD[1], BAD, GOOD[2]].join('\n') + '\n');
fs.writeFileSync(goodFile, [HEADER, ...GOOD].join('\n') + '\n');

const text = (page, selector) => page.$eval(selector, (e) => e.textContent);
const waitText = (page, selector, pattern, timeout = 10000) => page.waitForFunction(
    (s, p) => new RegExp(p).test(document.querySelector(s).textContent), { timeout },
    selector, pattern);
const total = (page) => page.evaluate(async () =>
  Number((await (await fetch('/v1/actors?pageSize=1')).json()).totalSize));

const browser = await launch();
const figures = {};
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  await page.setViewport({ width: 1280, height: 900 });
  let start = Date.now();
  await logIn(page);
  await waitText(page, '#search-status', 'acteurs dans l\'annuaire');
  figures.directory_after_login_ms = Date.now() - start;
  const before = await total(page);
  check(before > 50, `the seed's actors are listed: ${before}`);
  check((await text(page, '#search-status')).includes(`${before} acteurs dans l'annuaire`),
        `the directory's count: ${await text(page, '#search-status')}`);
  figures.directory_minor_violations = await accessible(page, 'directory with filters');

  // 1. CSV import: the check of a file with a bad row reports it, in French, and writes nothing.
  await page.click('#open-import');
  await page.waitForSelector('#import-panel:not([hidden])');
  figures.import_minor_violations = await accessible(page, 'import page');
  await (await page.$('#import-file')).uploadFile(badFile);
  start = Date.now();
  await page.click('#import-check');
  await waitText(page, '#import-status', 'rien n\'a été écrit');
  figures.import_check_ms = Date.now() - start;
  const report = await page.$$eval('#import-rows tr', (rows) => rows.map((r) =>
    [...r.children].map((c) => c.textContent)));
  check(report.length === 4, `one report line per data row: ${JSON.stringify(report)}`);
  const refused = report.find((r) => r[1] === 'refusée');
  check(refused && refused[0] === '4' && refused[2].includes('« siret » : n\'est pas un SIRET valide'),
        `the refused row, its number and its French message: ${JSON.stringify(report)}`);
  check(report.filter((r) => r[1] === 'sera créé').length === 3, `three rows would create actors`);
  check(await page.$eval('#import-run', (e) => e.disabled), 'import allowed after a refused row');
  check(await total(page) === before, 'the check wrote nothing');
  figures.import_report_minor_violations = await accessible(page, 'import report');
  await page.screenshot({ path: path.join(shots, 'directory-import-check.png'), fullPage: true });

  // The corrected file: checked, then imported.
  await (await page.$('#import-file')).uploadFile(goodFile);
  await page.click('#import-check');
  await waitText(page, '#import-status', '0 ligne refusée');
  check(!(await page.$eval('#import-run', (e) => e.disabled)), 'import allowed after a clean check');
  await page.click('#import-run');
  await waitText(page, '#import-status', 'terminé');
  const imported = await text(page, '#import-status');
  check(imported.includes('3 acteurs créés'), `the import's result: ${imported}`);
  check(await total(page) === before + 3, 'three actors more');
  await page.screenshot({ path: path.join(shots, 'directory-import-done.png'), fullPage: true });

  // 2. Filters with the search, the count, the hash kept across a reload.
  await page.goto(`${base}/console/#annuaire`, { waitUntil: 'networkidle0' });
  await waitText(page, '#search-status', 'dans l\'annuaire');
  start = Date.now();
  await page.select('#filter-commune', '21231');
  await waitText(page, '#search-status', '^2 acteurs correspondant aux filtres');
  figures.filter_change_ms = Date.now() - start;
  await page.select('#filter-family', 'ASSOCIATION');
  await page.click('#label-SIAE_ACI');
  await waitText(page, '#search-status', '^1 acteur correspondant aux filtres');
  check((await page.$$eval('#results .name', (e) => e.map((x) => x.textContent)))
      .join() === 'Atelier Vélo Dijon', 'Dijon, association, ACI: the Atelier Vélo');
  await page.click('#label-SIAE_ACI');
  start = Date.now();
  await page.type('#search', 'velo');
  await waitText(page, '#search-status', '^2 acteurs trouvés');
  figures.search_with_filters_ms = Date.now() - start;
  const hash = await page.evaluate(() => location.hash);
  check(hash.includes('q=velo') && hash.includes('commune=21231') &&
        hash.includes('famille=ASSOCIATION'), `the filters in the URL: ${hash}`);
  await page.reload({ waitUntil: 'networkidle0' });
  await waitText(page, '#search-status', '^2 acteurs trouvés');
  check(await page.$eval('#filter-commune', (e) => e.value) === '21231' &&
        await page.$eval('#search', (e) => e.value) === 'velo', 'a reload keeps the filters');
  figures.filtered_minor_violations = await accessible(page, 'directory filtered');
  await page.screenshot({ path: path.join(shots, 'directory-filtered.png'), fullPage: true });

  // 3. The map: the same filters, markers over a plain background.
  start = Date.now();
  await page.click('#directory-view-map');
  await page.waitForFunction(() => document.querySelector('#map').dataset.points === '2');
  figures.map_ms = Date.now() - start;
  await page.click('#filters-clear');
  await page.click('#search', { clickCount: 3 });
  await page.keyboard.press('Backspace');
  await page.waitForFunction(() => document.querySelector('#map').dataset.points === '3');
  check((await text(page, '#map-status')).startsWith('3 acteurs sur la carte'),
        `the map's count: ${await text(page, '#map-status')}`);
  check((await page.evaluate(() => location.hash)).includes('vue=carte'), 'the map in the URL');
  figures.map_minor_violations = await accessible(page, 'map');
  await page.screenshot({ path: path.join(shots, 'directory-map.png'), fullPage: true });
  await page.click('#directory-view-list');

  // 4. Duplicates of the Atelier Vélo, with the finder's explanation, and a merge.
  await page.type('#search', 'Atelier Vélo Dijon');
  await page.waitForFunction(() => [...document.querySelectorAll('#results .name')]
      .some((e) => e.textContent === 'Atelier Vélo Dijon'));
  await page.$$eval('#results a.name', (links) =>
    links.find((a) => a.textContent === 'Atelier Vélo Dijon').click());
  await waitText(page, '#actor-title', 'Atelier Vélo Dijon');
  start = Date.now();
  await page.click('#find-duplicates');
  await page.waitForSelector('#duplicates li');
  figures.find_duplicates_ms = Date.now() - start;
  const candidate = await text(page, '#duplicates li');
  check(candidate.includes('L\'Atelier vélo de Dijon') && candidate.includes('Probabilité') &&
        candidate.includes('Pourquoi'), `the duplicate and why: ${candidate}`);
  await page.click('#duplicates li button');
  await page.waitForSelector('#merge-form:not([hidden])');
  await page.waitForSelector('#merge-moves li');
  const moves = await page.$$eval('#merge-moves li', (e) => e.map((x) => x.textContent));
  check(moves[0].includes('« L\'Atelier vélo de Dijon » deviendra un renvoi vers « Atelier Vélo Dijon »'),
        `what the merge does: ${moves.join(' | ')}`);
  // The other fiche chosen to survive: the sentences follow the choice.
  await page.click('#survivor-1');
  await page.waitForFunction(() => document.querySelector('#merge-moves li').textContent
      .includes('« Atelier Vélo Dijon » deviendra un renvoi'));
  const survivorMoves = await page.$$eval('#merge-moves li', (e) => e.map((x) => x.textContent));
  check(survivorMoves.some((m) => m.includes('Catégories ajoutées : Structures de l\'ESS')),
        `the categories united: ${survivorMoves.join(' | ')}`);
  figures.merge_minor_violations = await accessible(page, 'merge');
  await page.screenshot({ path: path.join(shots, 'directory-merge.png'), fullPage: true });
  await page.click('#merge-form button[type=submit]');
  await waitText(page, '#merge-status', 'Fusion faite');
  check((await text(page, '#actor-title')) === 'L\'Atelier vélo de Dijon', 'on the survivor');
  const merged = await page.evaluate(async () => {
    const list = await (await fetch('/v1/actors?pageSize=1000&filter=state%20%3D%20MERGED')).json();
    return (list.actors || []).map((a) => a.displayName);
  });
  check(merged.join() === 'Atelier Vélo Dijon', `the merged actor: ${merged}`);
  await page.screenshot({ path: path.join(shots, 'directory-merged.png'), fullPage: true });

  // 5. Archive with a confirmation, then bring back.
  await page.click('#archive');
  await page.waitForSelector('#archive-confirm:not([hidden])');
  check((await text(page, '#archive-question')).includes('Archiver « L\'Atelier vélo de Dijon »'),
        'the archive asks first');
  await page.screenshot({ path: path.join(shots, 'directory-archive-confirm.png'), fullPage: true });
  await page.click('#archive-yes');
  await waitText(page, '#actor-state', 'Fiche archivée');
  check(await total(page) === before + 1, 'the archived fiche leaves the list');
  check((await text(page, '#archive')) === 'Désarchiver la fiche', 'unarchive offered');
  await page.click('#archive');
  await page.click('#archive-yes');
  await waitText(page, '#actor-state', 'Fiche active');
  check(await total(page) === before + 2, 'back in the list');
  figures.card_minor_violations = await accessible(page, 'card with archive and merge');

  // 6. On a 360 px phone: the filters and the list fit.
  await page.goto(`${base}/console/#annuaire?commune=21231`, { waitUntil: 'networkidle0' });
  await page.setViewport({ width: 360, height: 740, isMobile: true, hasTouch: true });
  await waitText(page, '#search-status', 'correspondant aux filtres');
  const overflow = await stickingOut(page);
  check(overflow.length === 0, `on a 360 px phone these stick out: ${overflow.join(', ')}`);
  await page.screenshot({ path: path.join(shots, 'directory-phone.png'), fullPage: true });

  check(errors.filter((e) => e.includes('Content Security Policy')).length === 0,
        `CSP violations: ${errors.join(' | ')}`);
  console.log(JSON.stringify(figures));
} finally {
  await browser.close();
  fs.rmSync(folder, { recursive: true, force: true });
}
