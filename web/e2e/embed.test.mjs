// Embedding (issue 10 item 13): a room or a lesson in an iframe whose third-party storage is
// blocked (any localStorage access throws) still works, and ?embed=1 is a chromeless view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer, haveChromium, chromiumPath, waitView, shot } from './harness.mjs';

const skip = haveChromium ? false : 'SKIPPED: no Chromium at /usr/bin/chromium (make test installs it when run as root)';

async function blockedStoragePage(t) {
  const srv = await startServer(['--timing', 'fast', '--nodes', '3']);
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(async () => { await browser.close(); await srv.stop(); });
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  // As in an iframe with third-party storage blocked: every storage access throws.
  await context.addInitScript(() => {
    for (const name of ['localStorage', 'sessionStorage']) {
      Object.defineProperty(window, name, { get() { throw new DOMException('storage is blocked', 'SecurityError'); } });
    }
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return { srv, page, errors };
}

test('a room with blocked storage and ?embed=1: no chrome, the cluster runs', { skip }, async (t) => {
  const { srv, page, errors } = await blockedStoragePage(t);
  await page.goto(srv.url.replace(/\/?$/, '/r/main?embed=1'));
  await waitView(page, (v) => v.leader !== 0);
  assert.equal(await page.locator('.topbar').isVisible(), false, 'no top bar');
  assert.equal(await page.locator('.controls').isVisible(), false, 'no controls');
  assert.ok(await page.getByRole('slider', { name: /History tape/ }).isVisible(), 'the tape is there');
  await shot(page, 'embed-room');
  assert.deepEqual(errors, []);
});

test('a lesson with blocked storage does not hang on "Preparing the lesson"', { skip }, async (t) => {
  const { srv, page, errors } = await blockedStoragePage(t);
  await page.goto(srv.url.replace(/\/?$/, '/lessons/first-election?embed=1'));
  await page.getByRole('button', { name: /^Next/ }).first().waitFor({ timeout: 20000 });
  assert.deepEqual(errors, []);
});
