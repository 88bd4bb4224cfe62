// What every console scenario shares: its arguments, a check that stops the run naming what
// failed, Debian's Chromium, a login, axe-core on a page, the 360 px overflow check.
//
//   import { args, check, accessible, launch, logIn, stickingOut } from './lib.mjs';
//   const browser = await launch();
//   const page = await browser.newPage();
//   await logIn(page);                       // --url, --email, --password
//   figures.x = await accessible(page, 'page name');   // minor violations; fails on grave ones
import fs from 'node:fs';
import { createRequire } from 'node:module';
import puppeteer from 'puppeteer-core';

const require = createRequire(import.meta.url);

export const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => {
  if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
  return pairs;
}, []));
export const base = args.url;
export const shots = args.screenshots || '.';
fs.mkdirSync(shots, { recursive: true });
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export function check(condition, what) {
  if (!condition) {
    console.error(`FAILED: ${what}`);
    process.exit(1);
  }
}

// axe-core on the page as it is: fails on a serious or critical violation, returns the number
// of minor ones.
export async function accessible(page, name) {
  // Through the DevTools protocol, which the page's CSP does not govern (a <script> would be
  // refused by it, as it should).
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  const grave = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  // Two elements with one id: the second is unreachable by getElementById, its label lost.
  const twice = await page.evaluate(() => {
    const seen = new Set();
    return [...document.querySelectorAll('[id]')].map((e) => e.id)
        .filter((id) => seen.has(id) || !seen.add(id));
  });
  check(twice.length === 0, `${name}: ids used twice: ${twice.join(', ')}`);
  check(grave.length === 0, `${name}: accessibility violations ${JSON.stringify(grave)}`);
  return result.length;
}

export function launch() {
  return puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
           '--no-first-run', '--disable-background-networking', '--disable-component-update',
           '--disable-sync'],
  });
}

// Opens the console and logs in with --email and --password; resolves on the directory page.
export async function logIn(page) {
  await page.goto(`${base}/console/`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#login-panel:not([hidden])');
  await page.type('#email', args.email);
  await page.type('#password', args.password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#directory-panel:not([hidden])');
}

// The elements wider than the viewport (at most five, described), for the phone-width checks.
export function stickingOut(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > width + 1)
        .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`).slice(0, 5);
  });
}
