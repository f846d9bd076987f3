// The live view's panels: the vote table of an election, message contents on hover, tap and
// focus, network quality controls drawn on the links, and the autopilot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openPage, haveChromium, waitView, view, shot, openTab, openLab } from './harness.mjs';

const skip = haveChromium ? false : 'SKIPPED: no Chromium at /usr/bin/chromium (make test installs it when run as root)';

test('the vote table opens during an election and says exactly why each server switched', { skip }, async (t) => {
  // The first election in slow motion: paused at once, then run at a third of the pace.
  const srv = await startServer(['--nodes', '5']);
  await srv.api('POST', '/api/rooms/main/pause');
  await srv.api('POST', '/api/rooms/main/speed', { speed: 0.3 });
  const { page, errors, close } = await openPage(srv.url);
  t.after(async () => { await close(); await srv.stop(); });
  await waitView(page, (v) => v.paused);
  await srv.api('POST', '/api/rooms/main/resume');
  const card = page.getByRole('region', { name: 'Election: votes' });
  const table = card.getByRole('table');
  await table.waitFor();
  await card.getByText('An election is running').waitFor();
  // A fresh ensemble: every epoch and zxid is equal, so each server goes over to S5 because of
  // its server id alone (totalOrderPredicate's last rule).
  await table.getByText(/S\d switches to S5 \(heard from S\d\): same epoch and zxid, higher server id 5 > \d/).first().waitFor({ timeout: 20000 });
  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'S1', exact: true }) });
  await row.getByText(/^S\d→S\d \(0, 0\) e0 r1 L/).first().waitFor();
  // The page opened after the first votes went out: it asks for them.
  const s5 = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'S5', exact: true }) });
  await s5.getByText('S5 starts round 1 voting for itself').waitFor();
  await card.scrollIntoViewIfNeeded();
  await shot(page, 'panels-votes-election');
  await waitView(page, (v) => v.leader === 5 && v.nodes.every((n) => n.state !== 'LOOKING'), 30000);
  await card.getByText('No election now: the table shows the last one').waitFor();
  assert.equal(await table.isVisible(), false, 'closed when no election runs');
  const keep = card.getByRole('button', { name: 'Keep the vote table open' });
  await keep.click();
  await table.waitFor();
  await table.getByText(/S1 decided: S5 leads/).waitFor();
  assert.equal(await keep.getAttribute('aria-pressed'), 'true');
  await keep.click();
  await table.waitFor({ state: 'hidden' });
  assert.deepEqual(errors, []);
});

test('a server that missed a write switches to one with a higher zxid, and the table says so', { skip }, async (t) => {
  const { page, errors, srv } = await openLab(t, ['--timing', 'fast', '--nodes', '3']);
  const v = await waitView(page, (v) => v.leader !== 0 && v.nodes.every((n) => n.phase === 'BROADCAST'));
  const L = v.leader;
  const [F, A] = v.nodes.map((n) => n.id).filter((id) => id !== L);
  // F misses a write; the leader crashes; A is left alone, LOOKING, with the write; F comes back.
  await srv.api('POST', `/api/rooms/main/nodes/${F}/crash`);
  const w = await srv.api('POST', '/api/rooms/main/ops', { server: L, op: 'create', path: '/missed', data: 'x', ephemeral: false, sequential: false });
  assert.equal(w.status, 200, JSON.stringify(w.json));
  await waitView(page, (v) => v.nodes.find((n) => n.id === A).lastCommittedZxid === w.json.zxid);
  await srv.api('POST', `/api/rooms/main/nodes/${L}/crash`);
  await waitView(page, (v) => v.nodes.find((n) => n.id === A).state === 'LOOKING');
  const fz = (await view(page)).nodes.find((n) => n.id === F).lastZxid;
  await srv.api('POST', `/api/rooms/main/nodes/${F}/restart`);
  await waitView(page, (v) => v.leader === A && v.nodes.find((n) => n.id === F).state === 'FOLLOWING');
  const card = page.getByRole('region', { name: 'Election: votes' });
  await card.getByRole('button', { name: 'Keep the vote table open' }).click();
  const row = card.getByRole('row').filter({ has: page.getByRole('rowheader', { name: `S${F}`, exact: true }) });
  // A is in a later round: F joins it, comparing A's vote with its own (totalOrderPredicate:
  // same peer epoch, so the zxid decides).
  await row.getByText(new RegExp(`^S${F} joins round \\d+ of S${A} and switches to S${A}: higher zxid ${w.json.zxid} > ${fz}$`)).waitFor();
  await row.getByText(new RegExp(`^S${F} decided: S${A} leads`)).waitFor();
  await card.scrollIntoViewIfNeeded();
  await shot(page, 'panels-votes-zxid');
  assert.deepEqual(errors, []);
});

// dotsInFlight are the messages drawn in the picture now.
const dotsInFlight = (page) => page.locator('svg.cluster-overlay g.dot:not([display])');

// pointAtDot is the centre of a message in flight that a pointer reaches (not under a card).
async function pointAtDot(page, tries = 50) {
  for (let i = 0; i < tries; i++) {
    const p = await page.evaluate(() => {
      for (const g of document.querySelectorAll('svg.cluster-overlay g.dot:not([display])')) {
        if (g.querySelector('text').textContent !== 'VOTE') continue; // a NOTIFICATION
        const b = g.querySelector('path').getBoundingClientRect();
        const x = b.left + b.width / 2;
        const y = b.top + b.height / 2;
        const el = document.elementFromPoint(x, y);
        if (el && g.contains(el)) return { x, y };
      }
      return null;
    });
    if (p) return p;
    await page.waitForTimeout(100);
  }
  if (tries < 50) return null;
  throw new Error('no message in flight can be pointed at');
}

// freezeElection runs the first election slowly and pauses it while a message that a pointer
// can reach is on a link; it returns that message's centre.
async function freezeElection(srv, page) {
  await waitView(page, (v) => v.paused);
  await srv.api('POST', '/api/rooms/main/speed', { speed: 0.1 });
  for (let i = 0; i < 20; i++) {
    await srv.api('POST', '/api/rooms/main/resume');
    await dotsInFlight(page).first().waitFor();
    await page.waitForTimeout(100 + 30 * i);
    await srv.api('POST', '/api/rooms/main/pause');
    await waitView(page, (v) => v.paused);
    const p = await pointAtDot(page, 5);
    if (p) return p;
  }
  throw new Error('no message in flight can be pointed at');
}

test('a message in flight and an event-log entry show their fields on hover, tap and keyboard focus', { skip }, async (t) => {
  const srv = await startServer(['--nodes', '5']);
  await srv.api('POST', '/api/rooms/main/pause');
  const { page, errors, close } = await openPage(srv.url);
  t.after(async () => { await close(); await srv.stop(); });
  // The first election, stopped while its notifications are on the links.
  const dot = await freezeElection(srv, page);
  const pop = page.getByRole('tooltip');
  await page.mouse.move(dot.x, dot.y);
  await pop.waitFor();
  await pop.getByText(/^NOTIFICATION S\d → S\d$/).waitFor();
  for (const field of ['From', 'To', 'Vote: leader', 'Vote: zxid', 'Vote: peer epoch', 'Vote: round', "Sender's state", 'Message id']) {
    await pop.getByText(field, { exact: true }).waitFor();
  }
  await pop.getByText(/^In flight \(due [\d.]+ s\)$/).waitFor();
  await shot(page, 'panels-message-hover');
  // Leaving it closes the popover; a click (a tap) keeps it open until a tap elsewhere.
  await page.mouse.move(5, 5);
  await pop.waitFor({ state: 'hidden' });
  await page.mouse.click(dot.x, dot.y);
  await pop.waitFor();
  await page.mouse.move(5, 5);
  await page.waitForTimeout(200);
  assert.ok(await pop.isVisible(), 'a tapped message stays open');
  await page.mouse.click(4, 400); // a tap elsewhere (the page's margin)
  await pop.waitFor({ state: 'hidden' });

  // A write: its PROPOSAL in the log shows the op and path; keyboard focus shows the fields.
  await srv.api('POST', '/api/rooms/main/speed', { speed: 2 });
  await srv.api('POST', '/api/rooms/main/resume');
  const v = await waitView(page, (v) => v.leader !== 0 && v.nodes.every((n) => n.phase === 'BROADCAST'));
  const w = await srv.api('POST', '/api/rooms/main/ops', { server: v.leader, op: 'create', path: '/pop', data: 'x', ephemeral: false, sequential: false });
  assert.equal(w.status, 200, JSON.stringify(w.json));
  await waitView(page, (v) => v.committed > 0);
  await srv.api('POST', '/api/rooms/main/pause');
  await page.getByRole('combobox', { name: 'Filter events by kind' }).selectOption('send');
  const log = page.getByRole('list', { name: 'Event log' });
  const zxid = w.json.zxid;
  const proposal = log.getByRole('listitem').filter({ hasText: `PROPOSAL ${zxid}` }).first();
  await proposal.waitFor();
  await proposal.click();
  await pop.getByText(/^PROPOSAL S\d → S\d$/).waitFor();
  await pop.getByText('/pop', { exact: true }).waitFor();
  await pop.getByText('create', { exact: true }).waitFor();
  await pop.getByText(new RegExp(`^\\(1, ${Number(zxid) - 2 ** 32}\\) ${zxid}$`)).waitFor();
  await shot(page, 'panels-log-proposal');
  await page.keyboard.press('Escape');
  await pop.waitFor({ state: 'hidden' });
  await page.locator('.events-scroll').focus();
  await page.keyboard.press('ArrowDown');
  await pop.waitFor();
  const first = log.getByRole('listitem').first();
  assert.equal(await first.evaluate((el) => el === document.activeElement), true, 'ArrowDown focuses the newest entry');
  assert.equal(await first.getAttribute('aria-describedby'), 'msg-pop');
  await page.keyboard.press('ArrowDown');
  assert.equal(await log.getByRole('listitem').nth(1).evaluate((el) => el === document.activeElement), true);
  await pop.getByText('Message id', { exact: true }).waitFor();
  assert.deepEqual(errors, []);
});

test('tapping a message on a touch screen shows its fields', { skip }, async (t) => {
  const srv = await startServer(['--nodes', '5']);
  await srv.api('POST', '/api/rooms/main/pause');
  const { page, errors, close } = await openPage(srv.url, { touch: true, viewport: { width: 900, height: 1000 } });
  t.after(async () => { await close(); await srv.stop(); });
  const dot = await freezeElection(srv, page);
  await page.touchscreen.tap(dot.x, dot.y);
  const pop = page.getByRole('tooltip');
  await pop.getByText('Vote: leader', { exact: true }).waitFor();
  await shot(page, 'panels-message-tap');
  assert.deepEqual(errors, []);
});

test('latency, jitter and loss are set per link and on all links, and shown on the links', { skip }, async (t) => {
  const { page, errors, srv } = await openLab(t);
  const v0 = await waitView(page, (v) => v.leader !== 0 && v.nodes.every((n) => n.phase === 'BROADCAST'));
  // The leader's link to a follower (followers do not talk to each other).
  const L = v0.leader;
  const F = v0.nodes.find((n) => n.id !== L).id;
  await openTab(page, 'Network');
  const box = page.getByRole('group', { name: 'Latency, jitter and packet loss' });
  // A click on a lane in the picture chooses that link, focusing its latency: two neighbouring
  // followers' lane (no message crosses it).
  const ids = v0.nodes.map((n) => n.id);
  const [P, Q] = ids.map((id, i) => [id, ids[(i + 1) % ids.length]]).find(([p, q]) => p !== L && q !== L);
  await page.locator(`svg.cluster .lane-hit[data-link="${P}>${Q}"]`).click();
  assert.equal(await box.getByRole('combobox', { name: 'Link from' }).inputValue(), String(P));
  assert.equal(await box.getByRole('combobox', { name: 'to' }).inputValue(), String(Q));
  assert.equal(await box.getByRole('spinbutton', { name: 'Latency (ms)' }).evaluate((el) => el === document.activeElement), true);
  await box.getByRole('combobox', { name: 'Link from' }).selectOption(String(L));
  await box.getByRole('combobox', { name: 'to' }).selectOption(String(F));
  await box.getByRole('spinbutton', { name: 'Latency (ms)' }).fill('120');
  await box.getByRole('spinbutton', { name: 'Jitter (ms)' }).fill('30');
  await box.getByRole('spinbutton', { name: 'Loss (%)' }).fill('5');
  await box.getByRole('button', { name: 'Set network quality' }).click();
  const v = await waitView(page, (v) => (v.links.links ?? []).length === 1);
  assert.deepEqual(v.links.links, [{ from: L, to: F, latencyUs: 120000, jitterUs: 30000, lossPct: 5 }]);
  const label = page.locator(`svg.cluster .net-label[data-link="${L}>${F}"]`);
  assert.equal(await label.locator('text').textContent(), `S${L}→S${F} 120 ms ±30 5% loss`);
  assert.equal(await page.locator('svg.cluster .lane-net').count(), 1, 'one link marked');
  await box.getByText(`S${L} → S${F}: 120 ms ±30 5% loss`).waitFor();
  // The engine takes it: messages on that link now take at least 120 ms.
  const from = v.timeMs;
  await waitView(page, (x) => x.timeMs > from + 3000);
  const sends = (await srv.api('GET', `/api/rooms/main/events?from=${from}&to=${from + 3000}&kinds=send`)).json.events.filter((e) => e.node === L && e.peer === F);
  assert.ok(sends.length > 0, 'the leader sent to the follower');
  for (const e of sends) assert.ok(e.at - e.t >= 119.9, `a message took ${e.at - e.t} ms`);
  await shot(page, 'panels-net-link');

  // Every link: 2% loss, one label in the middle and every lane marked.
  await box.getByRole('combobox', { name: 'Link from' }).selectOption('0');
  assert.equal(await box.getByRole('combobox', { name: 'to' }).isDisabled(), true);
  await box.getByRole('spinbutton', { name: 'Loss (%)' }).fill('2');
  await box.getByRole('button', { name: 'Set network quality' }).click();
  await waitView(page, (v) => (v.links.links ?? []).some((l) => l.from === 0 && l.lossPct === 2));
  await page.locator('svg.cluster .net-label.all').getByText('All links: 2% loss').waitFor();
  assert.equal(await page.locator('svg.cluster .lane-net').count(), 20);
  const run = (await srv.api('GET', '/api/rooms/main/run')).json;
  const nets = run.commands.map((c) => c.cmd).filter((c) => c.kind === 'net');
  assert.deepEqual(nets.map((c) => [c.from ?? 0, c.to ?? 0, c.lossPct]), [[L, F, 5], [0, 0, 2]]);
  // Reset the one link: back to the all-links setting there.
  await box.getByRole('button', { name: `Reset the network quality of S${L} → S${F}` }).click();
  await waitView(page, (v) => (v.links.links ?? []).length === 1);
  await label.waitFor({ state: 'detached' });
  await box.getByRole('button', { name: 'Back to the timing\'s' }).click();
  await waitView(page, (v) => (v.links.links ?? []).length === 0 && v.links.lossPct === 0);
  assert.equal(await page.locator('svg.cluster .lane-net').count(), 0);
  assert.deepEqual(errors, []);
});

// commandsOf counts the kinds of the commands recorded in room main's run after seq.
async function commandsOf(srv, afterSeq = 0) {
  const run = (await srv.api('GET', '/api/rooms/main/run')).json;
  const kinds = {};
  let last = 0;
  for (const c of run.commands) {
    last = Math.max(last, c.seq);
    if (c.seq > afterSeq) kinds[c.cmd.kind] = (kinds[c.cmd.kind] ?? 0) + 1;
  }
  return { kinds, last };
}

test('the autopilot writes and injects faults, recorded in the run, shows on every page, and stops', { skip }, async (t) => {
  const { page, errors, srv } = await openLab(t);
  const other = await openPage(srv.url);
  t.after(() => other.close());
  await waitView(page, (v) => v.leader !== 0 && v.nodes.every((n) => n.phase === 'BROADCAST'));
  await openTab(page, 'Autopilot');
  await page.getByText('The autopilot is off.').first().waitFor();
  await page.getByRole('spinbutton', { name: 'Writes per second' }).fill('5');
  await page.getByRole('checkbox', { name: 'Inject faults' }).check();
  await page.getByRole('spinbutton', { name: 'Every (seconds)' }).fill('2');
  await page.getByRole('checkbox', { name: 'partition a minority' }).check();
  const before = await commandsOf(srv);
  await page.getByRole('button', { name: 'Start the autopilot' }).click();
  const v = await waitView(page, (v) => !!v.autopilot);
  assert.deepEqual(v.autopilot, { writesPerSec: 5, faultEverySec: 2, faults: ['leader', 'partition'] });
  const banner = '▶ Autopilot: 5 writes/s · a fault every 2 s (crash the leader, partition a minority)';
  await page.getByText(banner).waitFor();
  await other.page.getByText(banner).waitFor(); // every viewer sees it
  await page.getByText('On: 5 writes/s · a fault every 2 s (crash the leader, partition a minority)').waitFor();
  await page.getByRole('button', { name: 'Update the autopilot' }).waitFor();
  // Five simulated seconds: about 25 writes and two faults, each an ordinary command in the run.
  const t0 = v.timeMs;
  await waitView(page, (x) => x.timeMs > t0 + 5000, 30000);
  await shot(page, 'panels-autopilot-on');
  const on = await commandsOf(srv, before.last);
  assert.ok((on.kinds['client.op'] ?? 0) >= 10, `writes recorded: ${JSON.stringify(on.kinds)}`);
  assert.ok((on.kinds.crash ?? 0) + (on.kinds.partition ?? 0) >= 1, `faults recorded: ${JSON.stringify(on.kinds)}`);

  await page.getByRole('button', { name: 'Stop the autopilot' }).click();
  const off = await waitView(page, (v) => !v.autopilot);
  await page.getByText(banner).waitFor({ state: 'hidden' });
  await other.page.getByText(banner).waitFor({ state: 'hidden' });
  await page.getByText('The autopilot is off.').first().waitFor();
  const stopped = await commandsOf(srv);
  await waitView(page, (x) => x.timeMs > off.timeMs + 5000, 30000);
  const after = await commandsOf(srv, stopped.last);
  assert.equal(after.kinds['client.op'] ?? 0, 0, `no writes after it stopped: ${JSON.stringify(after.kinds)}`);
  assert.equal((after.kinds.crash ?? 0) + (after.kinds.partition ?? 0), 0, `no new faults: ${JSON.stringify(after.kinds)}`);
  assert.deepEqual(errors, []);
  assert.deepEqual(other.errors, []);
});

test('a page without control sees the autopilot and network controls disabled', { skip }, async (t) => {
  const srv = await startServer(['--timing', 'fast', '--nodes', '3']);
  t.after(() => srv.stop());
  // A sandbox needs its token for commands; this browser does not have it.
  const made = await srv.api('POST', '/api/rooms', { nodes: 3, observers: 0, seed: 7 });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const b = await openPage(new URL(`/r/${made.json.room}`, srv.url).href);
  t.after(() => b.close());
  const { page } = b;
  await waitView(page, (v) => v.leader !== 0 && v.canControl === false);
  await openTab(page, 'Autopilot');
  for (const name of ['Start the autopilot', 'Stop the autopilot']) assert.equal(await page.getByRole('button', { name }).isDisabled(), true, name);
  assert.equal(await page.getByRole('checkbox', { name: 'Write in the background' }).isDisabled(), true);
  await openTab(page, 'Network');
  const box = page.getByRole('group', { name: 'Latency, jitter and packet loss' });
  assert.equal(await box.getByRole('button', { name: 'Set network quality' }).isDisabled(), true);
  assert.equal(await box.getByRole('spinbutton', { name: 'Latency (ms)' }).isDisabled(), true);
  assert.deepEqual(b.errors, []);
});

test('in Chinese: the vote table, a message popover, network quality and the autopilot', { skip }, async (t) => {
  const srv = await startServer(['--nodes', '5']);
  await srv.api('POST', '/api/rooms/main/pause');
  const { page, errors, close } = await openPage(srv.url, { lang: 'zh-CN' });
  t.after(async () => { await close(); await srv.stop(); });
  const dot = await freezeElection(srv, page);
  const card = page.getByRole('region', { name: '选举：投票' });
  await card.getByText('选举进行中').waitFor();
  await card.getByText(/S\d 改投 S\d（从 S\d 得知）：epoch 和 zxid 相同，服务器 id 更大 \d > \d/).first().waitFor();
  await page.mouse.move(dot.x, dot.y);
  const pop = page.getByRole('tooltip');
  await pop.getByText('投票：leader', { exact: true }).waitFor();
  await pop.getByText('发送者状态', { exact: true }).waitFor();
  await shot(page, 'panels-zh-election');
  await card.scrollIntoViewIfNeeded();
  await shot(page, 'panels-zh-votes');
  await page.mouse.move(4, 400);

  await srv.api('POST', '/api/rooms/main/speed', { speed: 1 });
  await srv.api('POST', '/api/rooms/main/resume');
  await waitView(page, (v) => v.leader !== 0 && v.nodes.every((n) => n.phase === 'BROADCAST'), 30000);
  await openTab(page, '网络');
  const box = page.getByRole('group', { name: '延迟、抖动与丢包' });
  await box.getByRole('spinbutton', { name: '延迟（毫秒）' }).fill('50');
  await box.getByRole('spinbutton', { name: '丢包率（%）' }).fill('3');
  await box.getByRole('button', { name: '设置网络质量' }).click();
  await page.locator('svg.cluster .net-label.all').getByText('所有链路：50 毫秒 丢包 3%').waitFor();
  await openTab(page, '自动演示');
  await page.getByRole('button', { name: '启动自动演示' }).click();
  await page.getByText('▶ 自动演示：每秒写入 2 次').waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'panels-zh-net-autopilot');
  assert.deepEqual(errors, []);
});
