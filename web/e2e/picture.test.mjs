// The cluster picture on every screen: the title band tells the phase truthfully and never
// covers a card, large mode is legible on a 1024×768 projector, and a phone gets its own
// arrangement (no sideways scrolling, readable cards, partitions and lessons by touch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer, openPage, haveChromium, chromiumPath, waitView, view, shot, openTab, openLab, box } from './harness.mjs';

const skip = haveChromium ? false : 'SKIPPED: no Chromium at /usr/bin/chromium (make test installs it when run as root)';

const DESKTOP = { width: 1440, height: 900 };
const PROJECTOR = { width: 1024, height: 768 };
const PHONE = { width: 390, height: 844 };

// phone opens a touch page (a phone's viewport, taps instead of clicks).
async function phone(t, url, lang = 'en-US') {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--lang=${lang}`],
  });
  const context = await browser.newContext({ viewport: PHONE, locale: lang, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  t.after(() => browser.close());
  return { page, errors };
}

async function setLarge(page, on) {
  const b = page.getByRole('button', { name: /^(Large mode|大字模式)$/ });
  if ((await b.getAttribute('aria-pressed')) !== String(on)) await b.click();
  await page.waitForFunction((on) => document.body.classList.contains('large') === on, on);
}

// measure reads the picture as drawn: boxes in CSS pixels, and each text's font size on
// screen (its font size in view units times the SVG's scale, from getBoundingClientRect).
function measure(page) {
  return page.evaluate(() => {
    const box = (el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; };
    const px = (el) => {
      const bb = el.getBBox();
      const r = el.getBoundingClientRect();
      return bb.height > 0 ? parseFloat(getComputedStyle(el).fontSize) * (r.height / bb.height) : 0;
    };
    const texts = (sel) => Array.from(document.querySelectorAll(sel)).filter((e) => e.textContent && e.getBoundingClientRect().height > 0);
    const svg = document.querySelector('svg.cluster');
    const minOf = (xs) => (xs.length ? Math.min(...xs) : 0);
    const labels = texts('.dots .dot:not([display]) .dot-label');
    return {
      svg: box(svg),
      cards: Array.from(document.querySelectorAll('svg.cluster .srv')).map((g) => ({ id: g.dataset.server, ...box(g.querySelector('.card-bg')) })),
      badges: Array.from(document.querySelectorAll('svg.cluster .srv .group-badge')).map(box),
      title: box(document.querySelector('.centre-title')),
      titleText: document.querySelector('.centre-title').textContent,
      sub: box(document.querySelector('.centre-sub')),
      tail: box(document.querySelector('.centre-tail')),
      linePx: minOf(texts('svg.cluster .card-line').map(px)),
      lineBoxPx: minOf(texts('svg.cluster .card-line').map((e) => e.getBoundingClientRect().height)),
      cardTextPx: minOf(texts('svg.cluster .srv text').map(px)),
      titlePx: px(document.querySelector('.centre-title')),
      labelPx: labels.length ? minOf(labels.map(px)) : null,
      scrollW: document.scrollingElement.scrollWidth,
    };
  });
}

function overlaps(a, b) {
  return a.x < b.x + b.w - 0.5 && b.x < a.x + a.w - 0.5 && a.y < b.y + b.h - 0.5 && b.y < a.y + a.h - 0.5;
}

async function resetTo(srv, page, nodes, observers) {
  const r = await srv.api('POST', '/api/rooms/main/reset', { nodes, observers, seed: 1, bug: '' });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  await waitView(page, (v) => v.nodes.length === nodes + observers);
  await page.waitForFunction((n) => document.querySelectorAll('svg.cluster .srv').length === n && document.querySelector('.centre-title').textContent !== '', nodes + observers);
  await page.waitForTimeout(120);
}

const SIZES = [[1, 0], [2, 0], [3, 0], [4, 0], [5, 0], [6, 0], [7, 0], [8, 0], [9, 0], [3, 1], [5, 2], [7, 4], [9, 2], [9, 4]];

for (const [name, viewport, large] of [
  ['desktop', DESKTOP, false], ['desktop large', DESKTOP, true],
  ['projector', PROJECTOR, false], ['projector large', PROJECTOR, true],
  ['phone', PHONE, false], ['phone large', PHONE, true],
]) {
  test(`${name}: the title band never covers a card, and cards never cover each other, at 1 to 13 servers`, { skip }, async (t) => {
    const { page, errors, srv } = await openLab(t, ['--timing', 'fast', '--nodes', '5'], { viewport });
    await waitView(page, (v) => v.nodes.length === 5);
    await setLarge(page, large);
    for (const [nodes, observers] of SIZES) {
      await resetTo(srv, page, nodes, observers);
      const m = await measure(page);
      const what = `${nodes}+${observers} servers at ${viewport.width}×${viewport.height}${large ? ' large' : ''}`;
      assert.equal(m.cards.length, nodes + observers, what);
      for (const c of m.cards) {
        assert.ok(!overlaps(m.title, c), `${what}: the title ${JSON.stringify(m.title)} covers S${c.id} ${JSON.stringify(c)}`);
        assert.ok(!overlaps(m.sub, c), `${what}: the subtitle covers S${c.id}`);
        assert.ok(!overlaps(m.tail, c), `${what}: the title's second row covers S${c.id}`);
        for (const d of m.cards) if (d !== c) assert.ok(!overlaps(c, d), `${what}: S${c.id} covers S${d.id}`);
      }
      const inside = (b) => b.x >= m.svg.x - 1 && b.y >= m.svg.y - 1 && b.x + b.w <= m.svg.x + m.svg.w + 1 && b.y + b.h <= m.svg.y + m.svg.h + 1;
      for (const c of m.cards) assert.ok(inside(c), `${what}: S${c.id} is cut off`);
      for (const b of m.badges) assert.ok(inside(b), `${what}: a group badge is cut off`);
      assert.ok(m.title.x >= m.svg.x - 1 && m.title.x + m.title.w <= m.svg.x + m.svg.w + 1, `${what}: the title fits the picture's width`);
      assert.ok(m.scrollW <= viewport.width, `${what}: the page scrolls sideways (${m.scrollW}px)`);
      if (nodes + observers === 13 || nodes + observers === 1) await shot(page, `picture-${name.replace(' ', '-')}-${nodes + observers}`);
    }
    assert.deepEqual(errors, []);
  });
}

test('the title tells the phase truthfully: election, a leader waiting for a quorum, broadcast', { skip }, async (t) => {
  const { page, errors, srv } = await openLab(t, ['--timing', 'fast', '--nodes', '5'], { viewport: DESKTOP });
  const v0 = await waitView(page, (v) => v.leader !== 0 && v.nodes.every((n) => n.phase === 'BROADCAST'));
  // Stop the clock, crash the leader, and walk the next election one event at a time.
  await srv.api('POST', '/api/rooms/main/pause');
  await srv.api('POST', `/api/rooms/main/nodes/${v0.leader}/crash`);
  await waitView(page, (v) => v.paused);
  const titleOf = () => page.locator('.centre-title').textContent();
  const seen = new Set();
  for (let i = 0; i < 3000 && !seen.has('broadcast'); i++) {
    const v = (await srv.api('GET', '/api/rooms/main')).json;
    const lead = v.nodes.find((n) => n.state === 'LEADING');
    let want;
    if (lead && lead.phase === 'BROADCAST') {
      want = [new RegExp(`^Leader S${lead.id} · epoch ${lead.currentEpoch}$`), 'broadcast'];
    } else if (lead && lead.phase === 'SYNCHRONIZATION') {
      want = [new RegExp(`^S${lead.id} leads epoch ${Math.max(lead.acceptedEpoch, lead.currentEpoch)}: waiting for a quorum to sync$`), 'sync'];
    } else if (lead && lead.acceptedEpoch > lead.currentEpoch) {
      want = [new RegExp(`^S${lead.id} leads epoch ${lead.acceptedEpoch}: waiting for a quorum to accept the epoch$`), 'epoch'];
    } else if (lead) {
      want = [new RegExp(`^S${lead.id} leads: waiting for a quorum to agree on a new epoch$`), 'discovery'];
    } else if (v.nodes.some((n) => n.state === 'LOOKING')) {
      const round = Math.max(...v.nodes.filter((n) => n.state === 'LOOKING').map((n) => n.vote.round));
      want = [new RegExp(`^No leader: election in progress \\(round ${round}\\)$`), 'election'];
    }
    if (want && !seen.has(want[1])) {
      await waitView(page, (pv) => pv.eventSeq === v.eventSeq);
      await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('.centre-title').textContent), want[0].source);
      assert.match(await titleOf(), want[0]);
      if (want[1] !== 'broadcast') {
        // While servers vote or sync, their cards and lines are in sight: nothing covers them.
        const m = await measure(page);
        for (const c of m.cards) assert.ok(![m.title, m.tail, m.sub].some((b) => overlaps(b, c)), `the title covers S${c.id} during ${want[1]}`);
        await shot(page, `picture-title-${want[1]}`);
      }
      seen.add(want[1]);
    }
    await srv.api('POST', '/api/rooms/main/step');
  }
  assert.ok(['election', 'discovery', 'sync', 'broadcast'].every((p) => seen.has(p)), `phases seen: ${[...seen]}`);
  assert.ok(!(await titleOf()).includes('election'));
  assert.deepEqual(errors, []);
});

test('the title in Chinese', { skip }, async (t) => {
  const { page, errors } = await openLab(t, ['--timing', 'fast', '--nodes', '5'], { viewport: DESKTOP, lang: 'zh-CN' });
  const v = await waitView(page, (v) => v.leader !== 0 && v.nodes.every((n) => n.phase === 'BROADCAST'));
  await page.locator('.centre-title', { hasText: `Leader S${v.leader} · epoch 1` }).waitFor();
  await page.locator('.centre-sub', { hasText: /已提交 \d+ 个事务/ }).waitFor();
  assert.deepEqual(errors, []);
});

async function waitLabel(page) {
  for (let i = 0; i < 100; i++) {
    const m = await measure(page);
    if (m.labelPx !== null) return m;
    await page.waitForTimeout(50);
  }
  return measure(page);
}

for (const lang of ['en-US', 'zh-CN']) {
  test(`large mode at 1024×768 (${lang}): the picture fills the screen, card lines ≥ 20 px, message labels ≥ 16 px`, { skip }, async (t) => {
    const { page, errors } = await openLab(t, ['--nodes', '5'], { viewport: PROJECTOR, lang });
    await waitView(page, (v) => v.leader !== 0 && v.nodes.every((n) => n.phase === 'BROADCAST'));
    await setLarge(page, true);
    await page.waitForTimeout(300);
    const m = await waitLabel(page);
    const left = Math.min(...m.cards.map((c) => c.x));
    const right = Math.max(...m.cards.map((c) => c.x + c.w));
    const top = Math.min(m.title.y, ...m.cards.map((c) => c.y));
    const bottom = Math.max(...m.cards.map((c) => c.y + c.h));
    console.log(`large ${lang} 1024×768: card line ${m.linePx.toFixed(1)} px (box ${m.lineBoxPx.toFixed(1)}), smallest card text ${m.cardTextPx.toFixed(1)} px, title ${m.titlePx.toFixed(1)} px, message label ${m.labelPx?.toFixed(1)} px, cards span ${Math.round(right - left)}×${Math.round(bottom - top)} px`);
    assert.ok(m.linePx >= 20, `card lines are ${m.linePx} px`);
    assert.ok(m.labelPx !== null && m.labelPx >= 16, `message labels are ${m.labelPx} px`);
    assert.ok(m.titlePx >= 26, `the title is ${m.titlePx} px`);
    assert.ok(right - left >= 0.9 * PROJECTOR.width, `the cards span ${right - left} px of 1024`);
    assert.ok(bottom <= PROJECTOR.height + 1 && bottom - top >= 0.7 * PROJECTOR.height, `the picture spans ${top}..${bottom} of 768`);
    assert.ok(m.scrollW <= PROJECTOR.width);
    await shot(page, `picture-large-1024-${lang}`);
    assert.deepEqual(errors, []);
  });
}

for (const lang of ['en-US', 'zh-CN']) {
  test(`a phone (${lang}): no sideways scrolling, card text ≥ 12 px, the servers table fits`, { skip }, async (t) => {
    const srv = await startServer(['--nodes', '5']);
    t.after(() => srv.stop());
    const { page, errors } = await phone(t, srv.url, lang);
    await waitView(page, (v) => v.leader !== 0 && v.nodes.every((n) => n.phase === 'BROADCAST'));
    await page.waitForTimeout(300);
    const m = await waitLabel(page);
    console.log(`phone ${lang}: card line ${m.linePx.toFixed(1)} px, smallest card text ${m.cardTextPx.toFixed(1)} px, title ${m.titlePx.toFixed(1)} px, message label ${m.labelPx?.toFixed(1)} px, picture ${Math.round(m.svg.w)}×${Math.round(m.svg.h)}`);
    assert.ok(m.scrollW <= PHONE.width, `the page is ${m.scrollW} px wide`);
    assert.ok(m.cardTextPx >= 12, `card text is ${m.cardTextPx} px`);
    assert.ok(m.titlePx >= 14, `the title is ${m.titlePx} px`);
    for (const c of m.cards) assert.ok(c.x >= 0 && c.x + c.w <= PHONE.width, `S${c.id} is off screen`);
    await shot(page, `picture-phone-${lang}`);
    await page.getByRole('tab', { name: /^(Servers|服务器)$/ }).tap();
    const table = page.locator('table.servers');
    await table.scrollIntoViewIfNeeded();
    const fit = await table.evaluate((el) => ({ w: el.getBoundingClientRect().right, sw: el.scrollWidth, cw: el.parentElement.clientWidth }));
    assert.ok(fit.w <= PHONE.width && fit.sw <= fit.cw + 1, `the servers table is ${fit.sw} px in ${fit.cw} px (right edge ${fit.w})`);
    assert.ok((await page.evaluate(() => document.scrollingElement.scrollWidth)) <= PHONE.width);
    await shot(page, `picture-phone-servers-${lang}`);
    // Every panel fits the width too.
    for (const tab of await page.getByRole('tab').all()) {
      await tab.tap();
      await page.waitForTimeout(150);
      const w = await page.evaluate(() => document.scrollingElement.scrollWidth);
      assert.ok(w <= PHONE.width, `with the ${await tab.textContent()} tab the page is ${w} px wide`);
    }
    // A leader waiting for a quorum: on a phone the title breaks after its colon, on two rows.
    const v = await view(page);
    await srv.api('POST', '/api/rooms/main/pause');
    await srv.api('POST', `/api/rooms/main/nodes/${v.leader}/crash`);
    let now;
    for (let i = 0; i < 3000; i++) {
      now = (await srv.api('GET', '/api/rooms/main')).json;
      if (now.nodes.some((n) => n.state === 'LEADING' && n.phase === 'SYNCHRONIZATION')) break;
      await srv.api('POST', '/api/rooms/main/step');
    }
    const lead = now.nodes.find((n) => n.state === 'LEADING');
    await waitView(page, (pv) => pv.eventSeq === now.eventSeq);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(200);
    const head = lang === 'en-US' ? `S${lead.id} leads epoch ${lead.acceptedEpoch}:` : `S${lead.id} 领导 epoch ${lead.acceptedEpoch}：`;
    assert.equal(await page.locator('.centre-title').first().textContent(), head);
    assert.match(await page.locator('.centre-tail').textContent(), lang === 'en-US' ? /^waiting for a quorum to sync$/ : /完成同步$/);
    const m2 = await measure(page);
    for (const c of m2.cards) assert.ok(![m2.title, m2.tail, m2.sub].some((b) => overlaps(b, c)), `the title covers S${c.id}`);
    await shot(page, `picture-phone-sync-${lang}`);
    assert.deepEqual(errors, []);
  });
}

test('a phone: a partition is made by tapping, and the picture shows it', { skip }, async (t) => {
  const srv = await startServer(['--timing', 'fast', '--nodes', '5']);
  t.after(() => srv.stop());
  const { page, errors } = await phone(t, srv.url);
  const v1 = await waitView(page, (v) => v.leader !== 0 && v.nodes.every((n) => n.phase === 'BROADCAST'));
  await openTab(page, 'Network', { tap: true });
  // Tap a server's chip to move it to the next group; tap S1 and S2 into group B.
  for (const id of [1, 2]) {
    const chip = page.getByRole('button', { name: `Server ${id} in group A: move to group B` });
    const b = await box(chip);
    assert.ok(b.height >= 40 && b.width >= 40, `S${id}'s chip is ${b.width}×${b.height} px`);
    await chip.tap();
  }
  await page.getByRole('button', { name: 'Apply partition' }).tap();
  const v2 = await waitView(page, (v) => v.links.groups.length === 2);
  assert.deepEqual(v2.links.groups.map((g) => g.slice().sort()).sort(), [[1, 2], [3, 4, 5]]);
  // Tapping a card in the picture cycles its group too while the Network tab is open.
  await page.locator('svg.cluster .srv[data-server="3"]').tap();
  await page.getByRole('button', { name: 'Server 3 in group B: move to group C' }).waitFor();
  assert.ok((await page.evaluate(() => document.scrollingElement.scrollWidth)) <= PHONE.width);
  await shot(page, 'picture-phone-partition');
  assert.equal(v1.links.groups.length, 0);
  assert.deepEqual(errors, []);
});

for (const lang of ['en-US', 'zh-CN']) {
  test(`a phone (${lang}): the lesson player is usable with thumbs`, { skip }, async (t) => {
    const srv = await startServer(['--timing', 'fast']);
    t.after(() => srv.stop());
    const { page, errors } = await phone(t, new URL('/lessons', srv.url).href, lang);
    const first = page.locator('ol.lesson-list a').first();
    await first.waitFor();
    assert.ok((await page.evaluate(() => document.scrollingElement.scrollWidth)) <= PHONE.width, 'the lesson index scrolls sideways');
    await first.tap();
    await page.locator('.lesson-nav button').first().waitFor();
    await waitView(page, (v) => v.lesson);
    await page.waitForTimeout(500);
    const small = await page.evaluate(() => Array.from(document.querySelectorAll('.lesson-panel button, .lesson-nav button'))
      .filter((b) => b.getBoundingClientRect().height > 0)
      .map((b) => ({ text: b.textContent.trim(), h: b.getBoundingClientRect().height }))
      .filter((b) => b.h < 40));
    assert.deepEqual(small, [], 'lesson buttons under 40 px tall');
    const sw = await page.evaluate(() => document.scrollingElement.scrollWidth);
    assert.ok(sw <= PHONE.width, `the lesson page is ${sw} px wide`);
    const m = await measure(page);
    assert.ok(m.cardTextPx >= 12, `card text in the lesson is ${m.cardTextPx} px`);
    await shot(page, `picture-phone-lesson-${lang}`);
    const next = page.locator('.lesson-nav button').filter({ hasText: /Next|下一步/ }).first();
    const nb = await box(next);
    assert.ok(nb.height >= 40);
    assert.ok(nb.x >= 0 && nb.x + nb.width <= PHONE.width);
    assert.deepEqual(errors, []);
  });
}
