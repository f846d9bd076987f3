// Shared helpers for the browser tests: start a zablab server on a free port and a headless
// Chromium (playwright-core with Debian's /usr/bin/chromium), collect console errors, save
// screenshots as artifacts.
import { spawn } from 'node:child_process';
import { mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const artifacts = join(here, 'artifacts');
mkdirSync(artifacts, { recursive: true });

export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
export const haveChromium = existsSync(chromiumPath);

export async function startServer(args = []) {
  const bin = process.env.ZABLAB_BIN || join(here, '..', '..', 'zablab');
  const proc = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--zk-port-base', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start: ' + err)), 15000);
    proc.stdout.on('data', (d) => {
      const m = /http:\/\/[^\s]+/.exec(String(d));
      if (m) { clearTimeout(timer); resolve(m[0]); }
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
  return {
    url,
    api: async (method, path, body) => {
      const res = await fetch(new URL(path, url), { method, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, json: await res.json() };
    },
    stop: () => new Promise((resolve) => { proc.on('exit', resolve); proc.kill('SIGTERM'); }),
  };
}

export async function openPage(url, { lang = 'en-US', viewport = { width: 1440, height: 900 }, touch = false } = {}) {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', `--lang=${lang}`],
  });
  const context = await browser.newContext({ viewport, locale: lang, hasTouch: touch });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  return { browser, page, errors, close: () => browser.close() };
}

// view returns the latest room view the page received.
export function view(page) {
  return page.evaluate(() => window.__zablab && window.__zablab.lastView);
}

// waitView polls the page's view until pred holds.
export async function waitView(page, pred, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let v;
  while (Date.now() < deadline) {
    v = await view(page);
    if (v && pred(v)) return v;
    await page.waitForTimeout(100);
  }
  throw new Error('condition not met; last view: ' + JSON.stringify(v && { leader: v.leader, nodes: v.nodes.map((n) => [n.id, n.state, n.currentEpoch]) }));
}

export async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, name + '.png') });
}

// openTab opens a panel tab and waits until it is the selected one. A click that lands while
// the page is still laying out is tried again (a lost click is a test flake, not a product
// defect: a person clicks again too, and the assertion that follows checks the panel).
export async function openTab(page, name, { tap = false } = {}) {
  const tab = page.getByRole('tab', { name, exact: typeof name === 'string' });
  for (let i = 0; i < 5; i++) {
    if (tap) await tab.tap(); else await tab.click();
    try {
      await page.waitForFunction((el) => el.getAttribute('aria-selected') === 'true', await tab.elementHandle(), { timeout: 2000 });
      return tab;
    } catch { /* try again */ }
  }
  throw new Error(`tab ${name} does not open`);
}

// box is an element's bounding box once it has one (a panel re-rendering between waitFor
// and boundingBox leaves it without one for a frame).
export async function box(locator, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await locator.waitFor();
    const b = await locator.boundingBox();
    if (b) return b;
    if (Date.now() > deadline) throw new Error(`${locator} is visible but has no box after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// openLab starts zablab (a fast 5-server room unless told otherwise) and opens the lab page
// in a fresh browser; both end with the test.
export async function openLab(t, args = ['--timing', 'fast', '--nodes', '5'], opts) {
  const srv = await startServer(args);
  t.after(() => srv.stop());
  const b = await openPage(srv.url, opts);
  t.after(() => b.close());
  return { srv, ...b };
}
