// run.mjs — the browser tier: `whatworks serve` on a loopback port, driven
// by Debian's headless Chromium through playwright-core (no downloaded
// browser), with axe-core's WCAG 2.1 A/AA rules on every page.
//
// What it checks: the search page shows ranked rows for "truancy", reached
// by keyboard alone; the page renders with JavaScript off (chromium
// --dump-dom); the intervention page and its business-case form; the issue
// list; a submission through the form is refused without a token (401) and
// stored with one (201); no page logs an error or a CSP violation; axe-core
// finds no violation. It saves a screenshot of each page, and one in print
// media, under $WW_BROWSER_OUT (build/browser by default).
//
// Environment: WW_BIN (the whatworks binary), WW_TOP (the project root),
// CHROMIUM (default /usr/bin/chromium), WW_BROWSER_OUT.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const top = resolve(process.env.WW_TOP || '../..');
const bin = resolve(process.env.WW_BIN || join(top, 'build/whatworks'));
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
const out = resolve(process.env.WW_BROWSER_OUT || join(top, 'build/browser'));
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const chromeArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const work = mkdtempSync(join(tmpdir(), 'ww-browser-'));
const db = join(work, 'w.db');
let failures = 0, passes = 0;
function check(ok, what) {
  if (ok) { passes++; console.log(`ok    ${what}`); } else { failures++; console.log(`FAIL  ${what}`); }
}
function ww(...args) {
  return execFileSync(bin, ['--db', db, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

mkdirSync(out, { recursive: true });
ww('init');
ww('import', join(top, 'data/examples'));
const token = ww('token', 'add', 'browser-evaluator').trim();
const submission = readFileSync(join(top, 'data/examples/attendance-mentoring.xml'), 'utf8')
  .replace('</title>', ' (browser cohort)</title>');
writeFileSync(join(work, 'pilot.xml'), submission);

const server = spawn(bin, ['--db', db, 'serve', '--port', '0', '--threads', '2'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
let serverLog = '';
server.stderr.on('data', (d) => { serverLog += d; });
const base = await new Promise((res, rej) => {
  let buf = '';
  server.stdout.on('data', (d) => {
    buf += d;
    const m = buf.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
    if (m) res(m[1]);
  });
  server.on('exit', (code) => rej(new Error(`server exited ${code}: ${serverLog}`)));
  setTimeout(() => rej(new Error('server did not start')), 10000);
});

// 1. What --dump-dom sees is the server's HTML as Chromium parsed it (the
// pages carry no script at all: test_web checks every one).
{
  const profile = mkdtempSync(join(work, 'profile-'));
  const dom = execFileSync(browserPath, ['--headless', ...chromeArgs, `--user-data-dir=${profile}`,
    '--dump-dom', `${base}/search?q=truancy&provisional=1`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60000 });
  const rows = (dom.match(/<tr>/g) || []).length - 1;
  check(rows >= 1 && dom.includes('Attendance mentoring'),
    `chromium --dump-dom: /search?q=truancy has ${rows} ranked rows`);
}

const browser = await chromium.launch({ executablePath: browserPath, headless: true, args: chromeArgs });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const problems = [];
context.on('page', (p) => {
  // the 401 and 404 pages this test asks for are not problems; anything else is
  p.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/status of (401|404)/.test(m.text()) && /\/submit$|no-such-thing$/.test(p.url())) return;
    problems.push(`${p.url()}: ${m.text()}`);
  });
  p.on('pageerror', (e) => problems.push(`${p.url()}: ${e}`));
});
const page = await context.newPage();

async function shot(name) {
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
}

// 2. Search by keyboard: the skip link comes first, the form submits on Enter.
await page.goto(`${base}/`);
await page.keyboard.press('Tab');
check(await page.evaluate(() => document.activeElement?.classList.contains('skip')),
  'the first Tab reaches the skip link');
await shot('home');
await page.focus('#q');
await page.keyboard.type('truancy');
await page.check('#provisional'); // the examples are submissions, not yet reviewed
await Promise.all([page.waitForURL(/\/search\?q=truancy/), page.keyboard.press('Enter')]);
const rowCount = await page.locator('tbody tr').count();
const firstRow = await page.locator('tbody tr').first().innerText();
check(rowCount >= 1 && /Attendance mentoring/.test(firstRow) && /no clear effect|beneficial/.test(firstRow),
  `search for truancy shows ${rowCount} ranked rows, first: ${firstRow.split('\t')[1]}`);
await shot('search');
await page.emulateMedia({ media: 'print' });
await shot('search-print');
await page.emulateMedia({ media: 'screen' });

// 3. The intervention page and its business-case form.
await Promise.all([page.waitForURL(/\/interventions\//), page.locator('tbody tr th a').first().click()]);
check(/Attendance mentoring/.test(await page.locator('h1').innerText()) &&
  await page.getByRole('heading', { name: 'Pooled results' }).count() === 1,
  'the intervention page renders its evidence');
await shot('intervention');
await page.fill('#participants', '250');
await Promise.all([page.waitForURL(/\/case\?/), page.getByRole('button', { name: 'Make the case' }).click()]);
check(/Net present value/.test(await page.locator('main').innerText()), 'the business-case form gives a case');
await shot('case');

await page.goto(`${base}/issues`);
check(await page.locator('tbody tr').count() > 5, 'the issue list renders');
await shot('issues');

// 4. Submissions through the form: refused without a token, stored with one.
await page.goto(`${base}/submit`);
await shot('submit');
await page.setInputFiles('#file', join(work, 'pilot.xml'));
let [resp] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/submit') &&
  r.request().method() === 'POST'), page.getByRole('button', { name: 'Submit' }).click()]);
check(resp.status() === 401 && /Not authorised/.test(await page.locator('h1').innerText()),
  `a submission without a token is refused (${resp.status()})`);
await shot('submit-refused');
await page.goto(`${base}/submit`);
await page.fill('#token', token);
await page.setInputFiles('#file', join(work, 'pilot.xml'));
[resp] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/submit') &&
  r.request().method() === 'POST'), page.getByRole('button', { name: 'Submit' }).click()]);
check(resp.status() === 201 && /Submission stored/.test(await page.locator('h1').innerText()),
  `a submission with a token is stored (${resp.status()})`);
await shot('submit-stored');

await page.goto(`${base}/interventions/no-such-thing`);
await shot('not-found');
check(problems.length === 0, `no console errors or CSP violations${problems.length ? ': ' + problems.join('; ') : ''}`);

// 5. axe-core on every page. Its script is injected, so this context
// bypasses the CSP that (rightly) refuses any script the server did not send.
const axeContext = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
const axePage = await axeContext.newPage();
const pages = ['/', '/search?q=truancy&provisional=1', '/interventions/attendance-mentoring-illustrative-example',
  '/case?intervention=attendance-mentoring-illustrative-example&participants=100&horizon=10',
  '/issues', '/submit', '/nope'];
for (const path of pages) {
  await axePage.goto(`${base}${path}`);
  await axePage.addScriptTag({ content: axeSource });
  const result = await axePage.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }));
  const v = result.violations;
  check(v.length === 0, `axe-core, WCAG 2.1 AA + best practice, ${path}: ${v.length} violations` +
    (v.length ? ' — ' + v.map((x) => `${x.id} (${x.nodes.length}): ${x.nodes[0].target}`).join('; ') : ` (${result.passes.length} rules pass)`));
}

await browser.close();
server.kill('SIGTERM');
await new Promise((res) => server.on('exit', res));
check(/SIGTERM, stopping/.test(serverLog), 'the server stopped on SIGTERM');
rmSync(work, { recursive: true, force: true });
console.log(`browser tier: ${passes} passed, ${failures} failed; screenshots in ${out}`);
process.exit(failures ? 1 : 0);
