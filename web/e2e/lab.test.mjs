import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openPage, haveChromium, waitView, view, shot, openTab, openLab } from './harness.mjs';

const skip = haveChromium ? false : 'SKIPPED: no Chromium at /usr/bin/chromium (make test installs it when run as root)';

test('the page loads without console errors and the first leader appears', { skip }, async (t) => {
  const { page, errors } = await openLab(t);
  const v = await waitView(page, (v) => v.leader !== 0);
  await page.getByText(new RegExp(`Leader S${v.leader} · epoch 1`)).first().waitFor();
  await shot(page, 'first-leader');
  assert.deepEqual(errors, []);
});

test('crashing the leader with its button leads to a new leader in a higher epoch', { skip }, async (t) => {
  const { page, errors } = await openLab(t);
  const v1 = await waitView(page, (v) => v.leader !== 0 && v.nodes.every((n) => n.phase === 'BROADCAST'));
  const old = v1.leader;
  const epoch = v1.nodes.find((n) => n.id === old).currentEpoch;
  await openTab(page, 'Servers');
  await page.getByRole('button', { name: `Crash server ${old}` }).click();
  const v2 = await waitView(page, (v) => v.leader !== 0 && v.leader !== old);
  const e2 = v2.nodes.find((n) => n.id === v2.leader).currentEpoch;
  assert.ok(e2 > epoch, `new epoch ${e2} should exceed ${epoch}`);
  await page.getByText(new RegExp(`Leader S${v2.leader} · epoch ${e2}`)).first().waitFor();
  assert.equal(v2.nodes.find((n) => n.id === old).state, 'DOWN');
  await shot(page, 'after-leader-crash');
  assert.deepEqual(errors, []);
});

test('a partition isolating the leader makes the minority side step down', { skip }, async (t) => {
  const { page, errors } = await openLab(t);
  const v1 = await waitView(page, (v) => v.leader !== 0 && v.nodes.every((n) => n.phase === 'BROADCAST'));
  const old = v1.leader;
  await openTab(page, 'Network');
  await page.getByRole('button', { name: `Server ${old} in group A: move to group B` }).click();
  await page.getByRole('button', { name: 'Apply partition' }).click();
  const v2 = await waitView(page, (v) => v.leader !== 0 && v.leader !== old && v.nodes.find((n) => n.id === old).state === 'LOOKING');
  assert.ok(v2.links.groups.length === 2, 'the partition is in force');
  await page.getByText(/Partition:/).first().waitFor();
  await shot(page, 'partition-minority-steps-down');
  // Heal all links: the editor starts again from the rules in force (everyone in group A).
  await page.getByRole('button', { name: 'Heal all links' }).click();
  await waitView(page, (v) => v.links.groups.length === 0);
  await page.getByRole('button', { name: `Server ${old} in group A: move to group B` }).waitFor();
  assert.equal(await page.getByRole('button', { name: /in group B: move/ }).count(), 0, 'no server left in group B');
  assert.deepEqual(errors, []);
});

test('a write at a follower shows PROPOSAL, ACKs and COMMIT and lands on every server', { skip }, async (t) => {
  const { page, errors, srv } = await openLab(t);
  const v1 = await waitView(page, (v) => v.leader !== 0 && v.nodes.every((n) => n.phase === 'BROADCAST'));
  const follower = v1.nodes.find((n) => n.id !== v1.leader).id;
  await openTab(page, 'Client');
  await page.getByRole('combobox', { name: 'At server' }).selectOption(String(follower));
  await page.getByRole('combobox', { name: 'Operation' }).selectOption('create');
  await page.getByRole('textbox', { name: 'Path' }).fill('/e2e');
  await page.getByRole('textbox', { name: 'Data' }).fill('hello');
  await page.getByRole('button', { name: 'Send request' }).click();
  await page.getByText(/txn zxid .*0x1000000/).first().waitFor({ timeout: 20000 });
  const log = page.getByRole('list', { name: 'Event log' });
  await log.getByText(/proposes 0x1000000\d+.*create \/e2e/).first().waitFor();
  await log.getByText(/got ACK 0x1000000/).first().waitFor();
  await log.getByText(/committed 0x1000000\d+: create \/e2e/).first().waitFor();
  for (const n of v1.nodes) {
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      const r = await srv.api('GET', `/api/rooms/main/nodes/${n.id}/tree`);
      ok = r.status === 200 && r.json.some((z) => z.path === '/e2e' && z.data === 'hello');
      if (!ok) await page.waitForTimeout(100);
    }
    assert.ok(ok, `server ${n.id} lacks /e2e`);
  }
  await shot(page, 'write-at-follower');
  assert.deepEqual(errors, []);
});

test('switching to Chinese changes the UI text', { skip }, async (t) => {
  const { page, errors } = await openLab(t);
  await waitView(page, (v) => v.leader !== 0);
  await page.getByRole('button', { name: 'Pause' }).waitFor();
  await page.getByRole('button', { name: '中文' }).click();
  await page.getByRole('tab', { name: '服务器' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Pause' }).count(), 0, 'English text remains after switching');
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  await shot(page, 'chinese');
  assert.deepEqual(errors, []);
});

test('the page follows a Chinese browser', { skip }, async (t) => {
  const { page } = await openLab(t, undefined, { lang: 'zh-CN' });
  await page.getByRole('tab', { name: '服务器' }).waitFor();
});

test('every control is reachable by keyboard', { skip }, async (t) => {
  const { page, errors } = await openLab(t);
  await waitView(page, (v) => v.leader !== 0);
  for (const tab of ['Servers', 'Client', 'Network', 'Cluster']) {
    await page.getByRole('tab', { name: tab }).click();
    const ids = await page.evaluate(() => {
      // Tabs use a roving tabindex (arrow keys move between them), as ARIA's tabs pattern says.
      const els = Array.from(document.querySelectorAll('button, select, input, textarea, a[href], [tabindex="0"]'))
        .filter((el) => el.getAttribute('tabindex') !== '-1');
      let n = 0;
      for (const el of els) {
        const r = el.getBoundingClientRect();
        const visible = r.width > 0 && r.height > 0 && el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true }) &&
          !el.closest('details:not([open]) > :not(summary)') && !el.disabled;
        if (visible) el.setAttribute('data-kbd', String(n++));
      }
      return n;
    });
    await page.locator('body').focus();
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    const seen = new Set();
    for (let i = 0; i < ids * 3 + 20 && seen.size < ids; i++) {
      await page.keyboard.press('Tab');
      const k = await page.evaluate(() => document.activeElement && document.activeElement.getAttribute('data-kbd'));
      if (k !== null) seen.add(k);
    }
    const missed = await page.evaluate((seen) => Array.from(document.querySelectorAll('[data-kbd]'))
      .filter((el) => !seen.includes(el.getAttribute('data-kbd')))
      .map((el) => el.getAttribute('aria-label') || el.textContent.trim().slice(0, 40) || el.tagName), [...seen]);
    assert.deepEqual(missed, [], `controls of tab ${tab} not reachable by Tab`);
    const unnamed = await page.evaluate(() => Array.from(document.querySelectorAll('[data-kbd]')).filter((el) => {
      const name = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.textContent.trim() || el.getAttribute('title') ||
        (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.closest('label');
      return !name;
    }).map((el) => el.outerHTML.slice(0, 80)));
    assert.deepEqual(unnamed, [], 'controls without an accessible name');
    await page.evaluate(() => document.querySelectorAll('[data-kbd]').forEach((el) => el.removeAttribute('data-kbd')));
  }
  // Arrow keys move between tabs.
  await page.getByRole('tab', { name: 'Servers' }).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Client');
  assert.deepEqual(errors, []);
});

test('a `zablab check` violation opens at the violating event with the invariant highlighted', { skip }, async (t) => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, readdirSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'zablab-check-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bin = process.env.ZABLAB_BIN;
  spawnSync(bin, ['check', '--bug', 'commit-without-quorum', '--runs', '20', '--seed', '1', '--out', dir], { encoding: 'utf8' });
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') || f.endsWith('.json.gz')).sort();
  assert.ok(files.length > 0, 'check found a violating run');
  const { page, errors } = await openLab(t, ['--open', join(dir, files[0])]);
  const v = await waitView(page, (v) => v.violations.length > 0);
  const first = v.violations[0];
  // The banner highlights the violation the run was cut at and says what the invariant means.
  const shown = page.locator('.violations li.shown');
  await shown.waitFor();
  assert.match(await shown.innerText(), new RegExp(first.invariant));
  assert.ok((await shown.locator('.inv-what').innerText()).length > 20, 'the invariant is explained');
  // The offending server is outlined and selected in the picture.
  await page.waitForFunction((id) => {
    const g = [...document.querySelectorAll('g.srv')].find((el) => el.classList.contains('violating') && el.classList.contains('selected'));
    return g && (g.getAttribute('aria-label') || '').includes(`Server ${id}`);
  }, first.node);
  await shot(page, 'check-violation-opened');
  // Show goes to the moment of the violation.
  await shown.getByRole('button', { name: /^Show / }).click();
  await page.locator('.past-banner').waitFor();
  assert.deepEqual(errors, []);
});
