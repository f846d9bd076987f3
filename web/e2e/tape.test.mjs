// The history tape and the space-time diagram (issue 9): replaying the first election,
// scrubbing back before a crash, "Live", per-viewer scrubbing, fork in place, the ordering of a
// write's PROPOSAL → ACK → COMMIT in the diagram, and SVG export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, openPage, haveChromium, waitView, view, shot, openTab, openLab, box as laidOut } from './harness.mjs';

const skip = haveChromium ? false : 'SKIPPED: no Chromium at /usr/bin/chromium (make test installs it when run as root)';
const small = { viewport: { width: 1024, height: 768 } };

const lab = (t, opts = small) => openLab(t, undefined, opts);
const settled = (v) => v.leader !== 0 && v.nodes.every((n) => n.state === 'DOWN' || n.phase === 'BROADCAST');
const tape = (page) => page.getByRole('slider', { name: /History tape/ });
const banner = (page) => page.locator('.past-banner');
const past = (page) => page.evaluate(() => {
  const el = document.querySelector('.past-banner');
  return el && !el.hidden;
});

async function waitFor(page, fn, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await page.waitForTimeout(100);
  }
  throw new Error('timed out waiting for ' + what);
}

// pressUntil presses a key on the tape until pred holds for the page's view.
async function pressUntil(page, key, pred, what, max = 12) {
  for (let i = 0; i < max; i++) {
    await tape(page).press(key);
    await page.waitForTimeout(250);
    const v = await view(page);
    if (v && (await past(page)) && pred(v)) return v;
  }
  throw new Error('never reached ' + what);
}

test('a newcomer replays the first election from the tape and sees the votes', { skip }, async (t) => {
  const { page, errors } = await lab(t);
  await waitView(page, settled);
  const log = page.getByRole('list', { name: 'Event log' });
  // The live log of a page opened after the election has no votes; the replay shows them.
  await page.getByRole('button', { name: 'Replay the first election' }).click();
  await banner(page).getByText(/Viewing the past at \d+\.\d{3} s/).waitFor();
  const v1 = await waitView(page, (v) => v.nodes.some((n) => n.state === 'LOOKING'), 5000);
  assert.equal(v1.leader, 0, 'the replay starts before anybody leads');
  await log.locator('li.k-vote').first().waitFor();
  assert.ok(await log.getByText(/votes for \d/).count() > 0, 'vote sentences in the log');
  // It plays forward at a readable pace (one step every 400 ms).
  const t1 = (await view(page)).timeMs;
  await page.waitForTimeout(1300);
  const t2 = (await view(page)).timeMs;
  assert.ok(t2 > t1, `the replay moves forward (${t1} → ${t2})`);
  // Each step animates the votes sent since the previous one on the cluster's links.
  await waitFor(page, () => page.evaluate(() => document.querySelectorAll('.dots g.dot:not([display])').length > 0), 'votes moving');
  await shot(page, 'tape-replay-election');
  // It ends with the first leader elected, still in the past.
  await waitView(page, (v) => v.leader !== 0, 40000);
  assert.ok(await past(page), 'still viewing the past');
  await page.getByRole('button', { name: 'Live: return to the present' }).first().click();
  await waitFor(page, async () => !(await past(page)), 'the banner to go');
  assert.deepEqual(errors, []);
});

test('scrubbing back before a crash shows the old leader alive; Live returns', { skip }, async (t) => {
  const { page, errors } = await lab(t);
  const v1 = await waitView(page, settled);
  const old = v1.leader;
  await openTab(page, 'Servers');
  await page.getByRole('button', { name: `Crash server ${old}` }).click();
  const v2 = await waitView(page, (v) => settled(v) && v.leader !== old);
  await page.waitForTimeout(3500); // the tape refreshes its marks every 3 s
  // Home goes to the start; Shift+→ walks mark by mark to the first leader.
  await tape(page).focus();
  await tape(page).press('Home');
  const was = await pressUntil(page, 'Shift+ArrowRight', (v) => v.leader === old, 'the old leader');
  assert.equal(was.nodes.find((n) => n.id === old).state, 'LEADING');
  assert.ok(was.timeMs < v2.timeMs);
  await page.getByText(new RegExp(`Leader S${old} · epoch 1`)).first().waitFor();
  const row = page.locator('tr', { hasText: `S${old}` }).first();
  await row.getByText(/LEADING/).first().waitFor();
  assert.match(await tape(page).getAttribute('aria-valuetext'), /leader/);
  await shot(page, 'tape-before-crash');
  await page.getByRole('button', { name: 'Live: return to the present' }).first().click();
  await waitFor(page, async () => !(await past(page)), 'the banner to go');
  const v3 = await waitView(page, (v) => v.leader === v2.leader);
  assert.equal(v3.nodes.find((n) => n.id === old).state, 'DOWN');
  await page.getByText(new RegExp(`Leader S${v2.leader}`)).first().waitFor();
  assert.deepEqual(errors, []);
});

test('a viewer scrubbing the past does not move another viewer', { skip }, async (t) => {
  const { page, errors, srv } = await lab(t);
  const other = await openPage(srv.url, small);
  t.after(() => other.close());
  await waitView(page, settled);
  await waitView(other.page, settled);
  await page.waitForTimeout(3500);
  // Hovering a mark names it.
  await page.locator('.tape-card').evaluate((el) => el.scrollIntoView({ block: 'center' }));
  // The tape asks for the timeline every few seconds: wait until the leader's mark is drawn.
  const glyph = page.locator('.tape-glyph.k-leader').first();
  await glyph.waitFor({ state: 'visible', timeout: 15000 });
  const star = await laidOut(glyph);
  await page.mouse.move(star.x + star.width / 2, star.y + star.height / 2);
  const tip = page.getByRole('tooltip');
  await tip.waitFor();
  assert.match(await tip.textContent(), /leader: .*LEADING/);
  // Clicking the tape shows that moment.
  const box = await laidOut(tape(page));
  const end = Number(await tape(page).getAttribute('aria-valuemax'));
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await waitFor(page, () => past(page), 'the first page in the past');
  const mine = (await view(page)).timeMs;
  assert.ok(Math.abs(mine - end / 2) < end / 10, `the click shows the middle of the run (${mine} of ${end})`);
  const a = (await view(other.page)).timeMs;
  await page.waitForTimeout(1200);
  const b = (await view(other.page)).timeMs;
  assert.ok(b > a, `the other viewer stays live (${a} → ${b})`);
  assert.equal(await past(other.page), false, 'no banner for the other viewer');
  assert.equal((await view(page)).timeMs, mine, 'the first page stays at its moment');
  assert.deepEqual(other.errors, []);
  assert.deepEqual(errors, []);
});

test('fork here: the room continues from the moment shown', { skip }, async (t) => {
  const { page, errors, srv } = await lab(t);
  await waitView(page, settled);
  await page.waitForTimeout(3500);
  const before = (await srv.api('GET', '/api/rooms/main')).json;
  await tape(page).focus();
  // Shift+← from the live edge: the latest mark (the first leader).
  const at = await pressUntil(page, 'Shift+ArrowLeft', (v) => v.leader !== 0, 'a mark with a leader');
  await page.getByRole('button', { name: /^Fork here/ }).click();
  await waitFor(page, async () => !(await past(page)), 'the banner to go');
  const now = (await srv.api('GET', '/api/rooms/main')).json;
  assert.ok(now.timeMs < before.timeMs, `the room went back (${before.timeMs} → ${now.timeMs})`);
  // The room runs on from the fork: its clock starts again at the moment shown.
  assert.ok(now.timeMs >= at.timeMs - 1 && now.timeMs < at.timeMs + 5000, `the room continues from the fork (${at.timeMs}, ${now.timeMs})`);
  const run = (await srv.api('GET', '/api/rooms/main/run')).json;
  assert.ok(run.commands.every((c) => c.t <= now.timeMs * 1000 + 1), 'nothing of the discarded future is in the run');
  assert.notEqual(now.generation, before.generation);
  await waitView(page, (v) => v.generation === now.generation && v.leader === at.leader);
  assert.deepEqual(errors, []);
});

test('the space-time diagram shows PROPOSAL → ACK → COMMIT of a write in order; SVG export', { skip }, async (t) => {
  const { page, errors, srv } = await lab(t);
  const v1 = await waitView(page, settled);
  const leader = v1.leader;
  const follower = v1.nodes.find((n) => n.id !== leader).id;
  await openTab(page, 'Client');
  await page.getByRole('combobox', { name: 'At server' }).selectOption(String(follower));
  await page.getByRole('combobox', { name: 'Operation' }).selectOption('create');
  await page.getByRole('textbox', { name: 'Path' }).fill('/st');
  await page.getByRole('textbox', { name: 'Data' }).fill('x');
  await page.getByRole('button', { name: 'Send request' }).click();
  let mark;
  await waitFor(page, async () => {
    const tl = (await srv.api('GET', '/api/rooms/main/timeline')).json;
    mark = tl.marks.find((m) => m.kind === 'write');
    return !!mark;
  }, 'a write mark');
  await page.waitForTimeout(3500);
  await tape(page).focus();
  await pressUntil(page, 'Shift+ArrowLeft', () => true, 'the write mark', 1);
  let guard = 0;
  while (!/write/.test(await tape(page).getAttribute('aria-valuetext')) && guard++ < 10) {
    await tape(page).press('Shift+ArrowLeft');
    await page.waitForTimeout(250);
  }
  assert.match(await tape(page).getAttribute('aria-valuetext'), /write/);
  await openTab(page, 'Space-time');
  await page.getByRole('combobox', { name: 'Time span' }).selectOption('20');
  const svg = page.getByRole('img', { name: /Space-time diagram/ });
  await svg.locator('g.dg-msg[data-packet="COMMIT"]').first().waitFor();
  const arrows = await svg.locator('g.dg-msg').evaluateAll((gs) => gs.map((g) => ({
    packet: g.dataset.packet, from: +g.dataset.from, to: +g.dataset.to, t0: +g.dataset.t0, t1: +g.dataset.t1, end: g.dataset.end, zxid: g.dataset.zxid,
  })));
  const zxid = arrows.find((a) => a.packet === 'PROPOSAL').zxid;
  assert.ok(zxid, 'the proposal carries a zxid');
  const of = (p) => arrows.filter((a) => a.packet === p && (!a.zxid || a.zxid === zxid));
  const props = of('PROPOSAL').filter((a) => a.from === leader);
  const acks = of('ACK').filter((a) => a.to === leader);
  const commits = of('COMMIT').filter((a) => a.from === leader);
  assert.ok(props.length >= 2 && acks.length >= 2 && commits.length >= 2, JSON.stringify({ props, acks, commits }));
  for (const ack of acks) {
    const p = props.find((x) => x.to === ack.from);
    assert.ok(p, `a proposal reached S${ack.from}`);
    assert.ok(p.t0 < p.t1 && p.t1 <= ack.t0, `S${ack.from} acks after the proposal arrives (${p.t1} ≤ ${ack.t0})`);
  }
  // The leader commits once a quorum (itself and two followers of five) acknowledged.
  const acked = acks.map((a) => a.t1).sort((x, y) => x - y);
  for (const c of commits) assert.ok(c.t0 >= acked[1], `COMMIT sent at ${c.t0} after the quorum's ACKs (${acked})`);
  assert.ok(Math.min(...props.map((p) => p.t0)) < Math.min(...commits.map((c) => c.t0)));
  // Clicking an arrow shows the message's fields.
  await svg.locator('g.dg-msg[data-packet="PROPOSAL"]').first().dispatchEvent('click');
  const detail = page.locator('.diagram-detail');
  await detail.getByText('PROPOSAL').waitFor();
  await detail.getByText(/\(1, \d+\) 0x1/).first().waitFor();
  await page.getByRole('tab', { name: 'Space-time' }).scrollIntoViewIfNeeded();
  await shot(page, 'diagram-write');

  // Export: both files are standalone SVG documents naming the servers.
  const exported = async (name) => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
    return readFile(await dl.path(), 'utf8');
  };
  for (const name of ['Export the space-time diagram as SVG', 'Export the cluster picture as SVG']) {
    const text = await exported(name);
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      const root = doc.documentElement;
      return { bad: doc.getElementsByTagName('parsererror').length, root: root.localName, ns: root.namespaceURI,
        texts: Array.from(doc.getElementsByTagName('text')).map((x) => x.textContent) };
    }, text);
    assert.equal(parsed.bad, 0, `${name}: parses`);
    assert.equal(parsed.root, 'svg');
    assert.equal(parsed.ns, 'http://www.w3.org/2000/svg');
    for (const n of v1.nodes) assert.ok(parsed.texts.includes(`S${n.id}`), `${name}: names S${n.id}`);
  }

  // The same moment in Chinese.
  await page.getByRole('button', { name: '中文' }).click();
  await page.getByRole('tab', { name: '时空图' }).waitFor();
  await banner(page).getByText(/正在查看/).waitFor();
  await page.getByRole('tab', { name: '时空图' }).scrollIntoViewIfNeeded();
  await page.waitForTimeout(500);
  await shot(page, 'diagram-write-zh');
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'tape-zh');
  assert.deepEqual(errors, []);
});

test('← and → step one visible event; a viewer without control forks into a sandbox', { skip }, async (t) => {
  const srv = await startServer(['--timing', 'fast', '--nodes', '3']);
  t.after(() => srv.stop());
  const made = await srv.api('POST', '/api/rooms', { nodes: 3, observers: 0, seed: 7, bug: '' });
  assert.equal(made.status, 201);
  // A fresh browser has no token for this room: it may watch and scrub, not control.
  const b = await openPage(new URL(made.json.url, srv.url).href, small);
  t.after(() => b.close());
  const { page, errors } = b;
  const v0 = await waitView(page, settled);
  assert.equal(v0.canControl, false);
  await page.waitForTimeout(3500);
  await tape(page).focus();
  await tape(page).press('Home');
  await waitFor(page, () => past(page), 'the page in the past');
  const seen = [];
  for (let i = 0; i < 4; i++) {
    await tape(page).press('ArrowRight');
    await page.waitForTimeout(300);
    seen.push((await view(page)).timeMs);
  }
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `→ moves forward: ${seen}`);
  await tape(page).press('ArrowLeft');
  await page.waitForTimeout(300);
  const back = (await view(page)).timeMs;
  assert.ok(back < seen[3] && back >= seen[2], `← moves back one event (${seen} ← ${back})`);
  await pressUntil(page, 'Shift+ArrowRight', (v) => v.leader !== 0, 'the first leader');
  const at = await view(page);
  assert.equal(await page.getByRole('button', { name: /^Fork here/ }).count(), 0, 'no in-place fork without control');
  await Promise.all([
    page.waitForURL((u) => u.pathname.startsWith('/r/') && !u.pathname.endsWith(made.json.room)),
    page.getByRole('button', { name: 'Fork into my own sandbox' }).click(),
  ]);
  const v1 = await waitView(page, (v) => v.room !== made.json.room);
  assert.equal(v1.canControl, true, 'the sandbox is mine');
  assert.ok(Math.abs(v1.timeMs - at.timeMs) < 1, `the sandbox starts at the moment (${at.timeMs}, ${v1.timeMs})`);
  assert.equal(v1.leader, at.leader);
  assert.deepEqual(errors, []);
});

test('copy link: a fresh browser opens the same run at the same moment', { skip }, async (t) => {
  const { page, errors, srv } = await lab(t);
  const v1 = await waitView(page, settled);
  const old = v1.leader;
  await openTab(page, 'Servers');
  await page.getByRole('button', { name: `Crash server ${old}` }).click();
  await waitView(page, (v) => settled(v) && v.leader !== old);
  await page.waitForTimeout(3500);
  await tape(page).focus();
  // Back to a moment where the first leader still leads.
  const at = await pressUntil(page, 'Shift+ArrowLeft', (v) => v.leader === old, 'the first leader', 20);
  await page.getByRole('button', { name: 'Copy a link that reopens this run at this moment' }).click();
  const box = page.getByRole('textbox', { name: 'Link to this moment' });
  await box.waitFor();
  const link = await box.inputValue();
  assert.match(link, /#run=[A-Za-z0-9_-]+&t=\d+\.\d{3}$/, 'a small run travels in the link');
  // Another browser, another person: the link opens a sandbox of this run at this moment.
  const other = await openPage(link, small);
  t.after(() => other.close());
  await other.page.waitForURL(/\/r\/[0-9a-f]+#t=/, { timeout: 20000 });
  await other.page.locator('.past-banner').getByText(/Viewing the past at/).waitFor({ timeout: 20000 });
  const seen = await waitView(other.page, (v) => Math.abs(v.timeMs - at.timeMs) < 0.01, 20000);
  assert.equal(seen.leader, at.leader, 'the same leader');
  assert.deepEqual(seen.nodes.map((n) => [n.id, n.state, n.lastZxid]), at.nodes.map((n) => [n.id, n.state, n.lastZxid]), 'the same servers and zxids');
  await shot(other.page, 'shared-moment');
  assert.deepEqual(errors, []);
  assert.deepEqual(other.errors, []);
});

test('the event log pages back to the start of the run', { skip }, async (t) => {
  const { page, errors } = await lab(t);
  await waitView(page, settled);
  await page.waitForTimeout(2500);
  const log = page.getByRole('list', { name: 'Event log' });
  const earlier = page.getByRole('button', { name: 'Load earlier events of the run' });
  for (let i = 0; i < 30; i++) {
    await earlier.click();
    if (await page.getByText('This is the start of the run.').count()) break;
    await page.waitForTimeout(100);
  }
  await page.getByText('This is the start of the run.').waitFor();
  // The log now holds the first election, which happened before the page opened.
  assert.ok(await log.getByText(/votes for \d/).count() > 0, 'the first votes are in the log');
  assert.ok(await log.locator('li').filter({ hasText: /^0\.000s/ }).count() > 0, 'events at 0 s');
  assert.deepEqual(errors, []);
});

test('download the run, then open it: a sandbox at the same moment', { skip }, async (t) => {
  const { page, errors } = await lab(t);
  const v1 = await waitView(page, settled);
  await page.getByRole('button', { name: 'Pause' }).click();
  const paused = await waitView(page, (v) => v.paused);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: "Download this room's run as a run file" }).click()]);
  const path = await dl.path();
  const run = JSON.parse(await readFile(path, 'utf8'));
  assert.equal(run.format, 'zablab-run/1');
  await page.locator('input[type=file]').setInputFiles(path);
  await page.waitForURL(/\/r\/[0-9a-f]+$/, { timeout: 20000 });
  const opened = await waitView(page, (v) => v.room !== 'main', 20000);
  assert.equal(opened.leader, v1.leader, 'the same leader');
  assert.ok(Math.abs(opened.timeMs - run.end / 1000) < 0.01, `paused at the run's end (${opened.timeMs} vs ${run.end / 1000})`);
  assert.ok(opened.paused, 'paused');
  assert.ok(paused.timeMs <= opened.timeMs + 1);
  assert.deepEqual(errors, []);
});

test('drops to a crashed server are grouped in the event log', { skip }, async (t) => {
  const { page, errors } = await lab(t);
  const v1 = await waitView(page, settled);
  await openTab(page, 'Servers');
  await page.getByRole('button', { name: `Crash server ${v1.leader}` }).click();
  await waitView(page, (v) => settled(v) && v.leader !== v1.leader);
  const log = page.getByRole('list', { name: 'Event log' });
  await log.getByText(new RegExp(`\\d+ NOTIFICATION messages to S${v1.leader} dropped: server ${v1.leader} is down`)).first().waitFor({ timeout: 10000 });
  assert.deepEqual(errors, []);
});
