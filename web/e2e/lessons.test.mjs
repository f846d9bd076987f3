import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openPage, haveChromium, waitView, view, shot, openTab } from './harness.mjs';

const skip = haveChromium ? false : 'SKIPPED: no Chromium at /usr/bin/chromium (make test installs it when run as root)';
const SLUG = 'first-election';

async function server(t) {
  const srv = await startServer(['--timing', 'fast']);
  t.after(() => srv.stop());
  return srv;
}

async function browse(t, url, opts) {
  const b = await openPage(url, opts);
  t.after(() => b.close());
  return b;
}

// lessonOf is the lesson part of the page's latest view.
const lessonOf = (v) => v && v.lesson;

// snapshot is what must be identical when a step is replayed: every server's state, epochs
// and zxids, and the digest of the last step's event log.
function snapshot(v) {
  return {
    next: v.lesson.next,
    digest: v.lesson.last ? v.lesson.last.digest : '',
    nodes: v.nodes.map((n) => ({ id: n.id, state: n.state, acceptedEpoch: n.acceptedEpoch, currentEpoch: n.currentEpoch, lastZxid: n.lastZxid, lastCommittedZxid: n.lastCommittedZxid })),
  };
}

// settled waits until the lesson stands still at step `next` (nothing playing).
function settled(page, next, timeoutMs = 60000) {
  return waitView(page, (v) => v.lesson && v.lesson.next === next && !v.lesson.playing, timeoutMs);
}

// enabled waits until a control is enabled (a command in flight keeps the player's buttons off).
async function enabled(locator, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await locator.isEnabled()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('control stayed disabled');
}

// answerPredict picks a choice (by its English text) and confirms it.
async function answerPredict(page, text) {
  await page.getByRole('radio', { name: text, exact: true }).check();
  await page.getByRole('button', { name: 'Check my answer and play' }).click();
}

// assertStepPassed checks that the panel shows every checkpoint of a played step as passed.
async function assertStepPassed(page, index) {
  const v = await view(page);
  const r = v.lesson.results.find((x) => x.index === index);
  assert.ok(r, `step ${index + 1} has a result`);
  assert.ok(r.pass, `step ${index + 1} passed on the server: ${JSON.stringify(r.checks.filter((c) => !c.pass))}`);
  const panel = page.locator('.lesson-panel');
  await panel.locator('.lesson-status', { hasText: `Step ${index + 1} done: every checkpoint passed` }).waitFor();
  if (r.checks.length > 0) {
    await panel.locator('ul.checks li.check-pass').nth(r.checks.length - 1).waitFor();
    assert.equal(await panel.locator('ul.checks li.check-pass').count(), r.checks.length, `step ${index + 1}: every checkpoint shown as passed`);
  }
  assert.equal(await panel.locator('ul.checks li.check-fail').count(), 0, `step ${index + 1}: no checkpoint shown as failed`);
  const dot = panel.getByRole('button', { name: new RegExp(`^Go to step ${index + 1}: .*\\(passed\\)$`) });
  assert.equal(await dot.count(), 1, `step ${index + 1} is marked passed in the progress`);
}

test('the lesson index lists every lesson without console errors', { skip }, async (t) => {
  const srv = await server(t);
  const { page, errors } = await browse(t, new URL('/lessons', srv.url).href);
  const list = page.getByRole('list', { name: 'Lessons' });
  await list.getByRole('listitem').nth(11).waitFor();
  assert.equal(await list.getByRole('listitem').count(), 12);
  const api = await srv.api('GET', '/api/lessons');
  for (const l of api.json) {
    const link = list.getByRole('link', { name: l.title.en, exact: true });
    assert.equal(await link.getAttribute('href'), `/lessons/${l.slug}`);
  }
  await page.getByText('Lesson 3 · 7 steps').waitFor();
  await shot(page, 'lessons-index');
  await page.getByRole('button', { name: '中文' }).click();
  await page.getByRole('list', { name: '课程' }).getByRole('link', { name: '第一次选举' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  await shot(page, 'lessons-index-zh');
  assert.deepEqual(errors, []);
});

test(`walking lesson ${SLUG} with Next, then Back twice, restores each step exactly`, { skip }, async (t) => {
  const srv = await server(t);
  const lesson = (await srv.api('GET', `/api/lessons/${SLUG}`)).json;
  const { page, errors } = await browse(t, new URL(`/lessons/${SLUG}`, srv.url).href);
  await waitView(page, (v) => lessonOf(v) && v.lesson.slug === SLUG && v.lesson.next === 0);
  await page.getByRole('heading', { name: lesson.title.en, exact: true }).waitFor();
  await page.getByText('Step 1 of 7', { exact: true }).waitFor();
  // The narration is rendered Markdown, not raw text.
  await page.locator('.lesson-panel .narration strong', { hasText: 'Fast Leader Election' }).waitFor();
  await shot(page, 'lesson-step1-ready');
  // Speed the room up so the walk is quick.
  await page.getByRole('combobox', { name: 'Speed' }).selectOption('5');
  await waitView(page, (v) => v.speed === 5);

  const seen = new Map();
  await t.test('every step plays and its checkpoints show as passed', async () => {
    for (const step of lesson.steps) {
      const k = step.index;
      const before = await settled(page, k);
      seen.set(k, snapshot(before));
      assert.match(page.url(), new RegExp(`[?&]step=${k}(&|#|$)`), 'the address names the step');
      const next = page.getByRole('button', { name: 'Next: play the step' });
      await enabled(next);
      if (k % 2 === 1) {
        // The keyboard shortcut works too (focus outside any form field).
        await page.locator('.lesson-panel h2').click();
        await page.keyboard.press('ArrowRight');
      } else {
        await next.click();
      }
      if (step.predict) {
        await page.getByRole('group', { name: new RegExp('Predict') }).waitFor();
        if (k === 0) await shot(page, 'lesson-predict');
        await answerPredict(page, step.predict.choices[step.predict.answer].text.en);
      }
      if (step.try) {
        const showMe = page.getByRole('button', { name: 'Show me: play the solution' });
        await showMe.waitFor({ timeout: 30000 });
        await page.getByText('Waiting for you: reach the goal').waitFor();
        await shot(page, 'lesson-try-waiting');
        await showMe.click();
      } else {
        // While the step plays, Next is off (the button follows the view within a frame or
        // two; a busy machine can take longer, so poll while the step still plays).
        for (const deadline = Date.now() + 3000; ;) {
          if (!(await view(page)).lesson.playing || !(await next.isEnabled())) break;
          assert.ok(Date.now() < deadline, 'Next is disabled while the step plays');
          await page.waitForTimeout(50);
        }
      }
      await settled(page, k + 1);
      await assertStepPassed(page, k);
      if (step.predict) await page.locator('.verdict.right', { hasText: 'Right:' }).waitFor();
      if (k === 0) await shot(page, 'lesson-step1-played');
    }
    await page.getByText('Lesson complete: 7 of 7 steps passed.').first().waitFor();
    assert.match(page.url(), /[?&]step=7(&|#|$)/);
    assert.equal(await page.getByRole('button', { name: 'Next: play the step' }).isEnabled(), false, 'Next is off at the end');
    await shot(page, 'lesson-complete');
  });

  await t.test('Back twice replays to exactly the state of that step', async () => {
    const back = page.getByRole('button', { name: 'Back: replay to the start of the previous step' });
    await enabled(back);
    await back.click();
    await settled(page, 6);
    await page.getByText('Step 7 of 7', { exact: true }).waitFor();
    await enabled(back);
    await back.click();
    const v = await settled(page, 5);
    await page.getByText('Step 6 of 7', { exact: true }).waitFor();
    assert.deepEqual(snapshot(v), seen.get(5), 'state after Back equals the state first reached at step 6');
    assert.match(page.url(), /[?&]step=5(&|#|$)/);
    // The keyboard goes back too.
    await enabled(back);
    await page.locator('.lesson-panel h2').click();
    await page.keyboard.press('ArrowLeft');
    const v4 = await settled(page, 4);
    assert.deepEqual(snapshot(v4), seen.get(4), 'state after ArrowLeft equals the state first reached at step 5');
    await shot(page, 'lesson-after-back');
  });
  assert.deepEqual(errors, []);
});

test('a try-it-yourself step is completed with the lab controls', { skip }, async (t) => {
  const srv = await server(t);
  const lesson = (await srv.api('GET', `/api/lessons/${SLUG}`)).json;
  const tryStep = lesson.steps.find((s) => s.try);
  assert.ok(tryStep, 'the lesson has a try step');
  const k = tryStep.index;
  // A deep link: the room is replayed up to the try step.
  const { page, errors } = await browse(t, new URL(`/lessons/${SLUG}?step=${k}`, srv.url).href);
  const v0 = await settled(page, k);
  assert.equal(v0.lesson.results.length, k, 'the steps before were replayed');
  await page.getByText(`Step ${k + 1} of 7`, { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Next: play the step' }).click();
  if (tryStep.predict) {
    // A wrong guess on purpose: the answer is revealed as such.
    const wrong = tryStep.predict.choices.findIndex((_c, i) => i !== tryStep.predict.answer);
    await answerPredict(page, tryStep.predict.choices[wrong].text.en);
  }
  await waitView(page, (v) => v.lesson.playing && v.lesson.waiting, 30000);
  await page.getByText('Waiting for you: reach the goal').waitFor();
  const panel = page.locator('.lesson-panel');
  if (tryStep.predict) {
    // Before the learner acts, nothing gives the answer away: not the verdict, not the goal
    // line "leader 5", not the narration's outcome. Only their own guess is repeated.
    await panel.getByText(/^You predicted: .*Now do it and see/).waitFor();
    assert.equal(await panel.locator('.verdict').count(), 0, 'no verdict before the learner acted');
    const goal = await panel.locator('ul.goal').innerText();
    assert.match(goal, /server 4 is DOWN/, 'the task is shown');
    assert.doesNotMatch(goal, /leader 5/, 'the hidden goal line (the answer) is not shown');
    assert.match(goal, /would give away the answer/, 'a line says something more is checked');
    const answer = tryStep.predict.choices[tryStep.predict.answer].text.en;
    assert.doesNotMatch(await panel.innerText(), new RegExp(`answer is .${answer}`), 'the answer is not in the panel');
    await shot(page, 'lesson-try-waiting-hidden');
  }
  // The goal of this step: the leader, server 4, crashes.
  const leader = (await view(page)).leader;
  assert.equal(leader, 4);
  await page.getByRole('link', { name: 'Go to the controls' }).click();
  await openTab(page, 'Servers');
  await page.getByRole('button', { name: `Crash server ${leader}` }).click();
  await settled(page, k + 1, 60000);
  const v = await view(page);
  const r = v.lesson.results.find((x) => x.index === k);
  assert.ok(r.pass, 'the goal was reached');
  assert.ok(!r.solved, 'reached by the learner, not by the solution');
  await page.getByText('You reached the goal yourself.').waitFor();
  if (tryStep.predict) {
    // Now the answer is revealed, and the hidden goal line is among the checkpoints.
    await page.locator('.verdict.wrong', { hasText: 'Not quite' }).waitFor();
    await panel.locator('ul.checks code', { hasText: 'leader 5' }).waitFor();
  }
  await assertStepPassed(page, k);
  await shot(page, 'lesson-try-done');
  // A reload keeps this tab's lesson room and opens the next step, ready to play.
  assert.match(page.url(), new RegExp(`[?&]step=${k + 1}(&|#|$)`));
  await page.reload();
  const again = await settled(page, k + 1);
  assert.equal(again.room, v.room, 'the lesson room is reused after a reload');
  await page.getByText(`Step ${k + 2} of 7`, { exact: true }).waitFor();
  await page.getByText('Read, then press Next to play this step.').waitFor();
  assert.deepEqual(errors, []);
});

test('every control of the lesson player is reachable by keyboard and named', { skip }, async (t) => {
  const srv = await server(t);
  const { page, errors } = await browse(t, new URL(`/lessons/${SLUG}?step=1`, srv.url).href);
  await settled(page, 1);
  await page.getByText('Step 2 of 7', { exact: true }).waitFor();
  const count = await page.evaluate(() => {
    const els = Array.from(document.querySelectorAll('.lesson-panel :is(button, select, input, textarea, a[href], summary, [tabindex="0"])'));
    let n = 0;
    for (const el of els) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0 && !el.disabled && el.checkVisibility()) el.setAttribute('data-kbd', String(n++));
    }
    return n;
  });
  assert.ok(count >= 10, `the panel has controls (${count})`);
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  const seen = new Set();
  for (let i = 0; i < 200 && seen.size < count; i++) {
    await page.keyboard.press('Tab');
    const k = await page.evaluate(() => document.activeElement && document.activeElement.getAttribute('data-kbd'));
    if (k !== null) seen.add(k);
  }
  assert.equal(seen.size, count, 'every control of the lesson panel is reached with Tab');
  const unnamed = await page.evaluate(() => Array.from(document.querySelectorAll('[data-kbd]')).filter((el) => {
    const name = el.getAttribute('aria-label') || el.textContent.trim() || el.closest('label');
    return !name;
  }).map((el) => el.outerHTML.slice(0, 80)));
  assert.deepEqual(unnamed, []);
  // Next with the keyboard: Enter on the focused button shows the prediction.
  await page.getByRole('button', { name: 'Next: play the step' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('radio').first().waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.type), 'radio', 'focus moves to the question');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await settled(page, 2);
  await page.locator('.lesson-panel .verdict').waitFor();
  assert.deepEqual(errors, []);
});

test('teaching in room main shows the lesson on the lab page', { skip }, async (t) => {
  const srv = await server(t);
  const { page, errors } = await browse(t, new URL(`/lessons/${SLUG}`, srv.url).href);
  await settled(page, 0);
  await page.getByRole('checkbox', { name: 'Teach this in room main' }).check();
  await page.waitForURL(/room=main/);
  await waitView(page, (v) => v.room === 'main' && v.lesson && v.lesson.slug === SLUG);
  // A student watching the main room.
  const student = await browse(t, srv.url);
  await student.page.getByRole('heading', { name: 'Lesson The first election' }).waitFor();
  await student.page.getByText('Step 1 of 7: Three of five servers start').waitFor();
  await student.page.getByText(/Think first: Servers 1, 2 and 3 are up/).waitFor();
  // The teacher plays the first step; the class follows.
  await page.getByRole('button', { name: 'Next: play the step' }).click();
  await answerPredict(page, 'Server 3');
  await settled(page, 1);
  await student.page.getByText('Step 1 done: every checkpoint passed.').waitFor();
  await student.page.locator('.lesson-banner .verdict', { hasText: 'Answer: Server 3' }).waitFor();
  await shot(student.page, 'lab-lesson-banner');
  await shot(page, 'teacher-player');
  assert.deepEqual(errors, []);
  assert.deepEqual(student.errors, []);
});

test('the player speaks Chinese', { skip }, async (t) => {
  const srv = await server(t);
  const { page, errors } = await browse(t, new URL(`/lessons/${SLUG}?step=1`, srv.url).href);
  await settled(page, 1);
  await page.getByText('Step 2 of 7', { exact: true }).waitFor();
  await page.getByRole('button', { name: '中文' }).click();
  await page.getByText('第 2 步，共 7 步', { exact: true }).waitFor();
  await page.getByRole('heading', { name: /后来者，带着最大的 id/ }).waitFor();
  await page.getByRole('button', { name: '下一步：运行这一步' }).click();
  await page.getByRole('radio', { name: '跟随服务器 3' }).check();
  await page.getByRole('button', { name: '确认答案并运行' }).click();
  await settled(page, 2);
  await page.getByText('✓ 第 2 步完成：所有检查点都通过了。').waitFor();
  await shot(page, 'lesson-zh');
  assert.deepEqual(errors, []);
});

// stepTo plays a lesson's steps until `index` (exclusive) through the page, answering each
// prediction rightly and using "show me" on try steps.
async function playStep(page, lesson, k) {
  const step = lesson.steps[k];
  const next = page.getByRole('button', { name: 'Next: play the step' });
  await enabled(next);
  await next.click();
  if (step.predict) {
    await page.getByRole('group', { name: new RegExp('Predict') }).waitFor();
    await answerPredict(page, step.predict.choices[step.predict.answer].text.en);
  }
  if (step.try) await page.getByRole('button', { name: 'Show me: play the solution' }).click();
  await settled(page, k + 1, 90000);
}

// inViewport: the element's box lies inside the window (no scrolling needed to see it).
async function inViewport(page, locator) {
  const box = await locator.boundingBox();
  const vp = page.viewportSize();
  return box !== null && box.y >= 0 && box.x >= 0 && box.y + Math.min(box.height, 160) <= vp.height && box.x + box.width <= vp.width + 1;
}

test('the FIFO-queue step stops with the proposals queued, and the queues are in sight', { skip }, async (t) => {
  const srv = await server(t);
  const lesson = (await srv.api('GET', '/api/lessons/a-write')).json;
  const k = lesson.steps.findIndex((s) => s.id === 'fifo-queues');
  assert.ok(k > 0, 'a-write has the step fifo-queues');
  for (const [lang, viewport, name] of [['en-US', { width: 1440, height: 900 }, '1440'], ['en-US', { width: 1024, height: 768 }, '1024'], ['zh-CN', { width: 1440, height: 900 }, 'zh']]) {
    const { page, errors } = await browse(t, new URL(`/lessons/a-write?step=${k}`, srv.url).href, { lang, viewport });
    await settled(page, k);
    const next = page.locator('.lesson-nav button.primary');
    await enabled(next);
    await next.click();
    const v = await settled(page, k + 1, 60000);
    // The picture at the step's end is the moment the narration describes: (1, 5) on the
    // wire, (1, 6) and (1, 7) queued for each follower, nothing acked by a follower yet.
    const leader = v.nodes.find((n) => n.state === 'LEADING');
    for (const f of [1, 2]) {
      const q = leader.queues.find((x) => x.learner === f);
      assert.deepEqual(q.packets.map((p) => [p.type, p.zxid]), [['PROPOSAL', '0x100000006'], ['PROPOSAL', '0x100000007']], `queue to ${f}`);
    }
    assert.deepEqual(leader.outstanding.map((p) => p.acks), [[3], [3], [3]], 'only the leader has acked');
    // The panel with the queues is in the lesson column, visible without scrolling.
    const queues = page.locator('.lesson-panel .lesson-queues');
    await queues.locator('.queue-row', { hasText: '→ S1' }).locator('.chip', { hasText: '(1, 6)' }).waitFor();
    await page.waitForTimeout(600); // the column's smooth scroll
    assert.ok(await inViewport(page, queues), `the queue panel is in sight at ${viewport.width}×${viewport.height} (${lang})`);
    assert.equal(await queues.locator('.queue-row', { hasText: '→ S2' }).locator('.chip').count(), 2);
    await shot(page, `lesson-fifo-queues-${name}`);
    assert.deepEqual(errors, []);
  }
});

test('at the default pace each vote is in sight for most of a second (slow motion at key moments)', { skip }, async (t) => {
  const srv = await server(t);
  const { page, errors } = await browse(t, new URL(`/lessons/${SLUG}`, srv.url).href);
  // The page turns slow motion on for the room it controls (on by default).
  const v0 = await waitView(page, (v) => v.lesson && v.lesson.next === 0 && v.pace && v.pace.slowMotion);
  assert.equal(v0.speed, 1, 'the default speed');
  assert.ok(v0.pace.applies, 'the lesson plays in the watch timing');
  const box = page.getByRole('checkbox', { name: 'Slow motion at key moments' });
  assert.equal(await box.isChecked(), true);
  await page.getByRole('button', { name: 'Next: play the step' }).click();
  await answerPredict(page, 'Server 3');
  // The step plays once the view says so; sampling starts there (a view from before the
  // answer still says not playing).
  await waitView(page, (v) => v.lesson && v.lesson.playing);
  // Sample the page's clock (what animates the messages) while the election plays.
  const samples = [];
  for (;;) {
    const s = await page.evaluate(() => { const z = window.__zablab; const c = z.clock(); const v = z.lastView; return { wall: performance.now(), sim: c.sim, rate: c.rate, paused: c.paused, slow: !!(v.pace && v.pace.slow), playing: v.lesson.playing }; });
    samples.push(s);
    if (!s.playing || samples.length > 600) break;
    await page.waitForTimeout(50);
  }
  const v = await settled(page, 1);
  // Inside each stretch the clock ran at 1/8 (its ends trimmed), simulated ms per wall ms.
  let dSim = 0, dWall = 0;
  const slowed = (s) => s.rate === 0.125 && !s.paused;
  for (let i = 0; i < samples.length;) {
    let j = i;
    while (j < samples.length && slowed(samples[j])) j++;
    if (j - i >= 6) {
      dSim += samples[j - 2].sim - samples[i + 1].sim;
      dWall += samples[j - 2].wall - samples[i + 1].wall;
    }
    i = Math.max(j, i + 1);
  }
  assert.ok(dWall > 2000, `slow motion held for a while (${dWall.toFixed(0)} wall ms)`);
  const ratio = dSim / dWall;
  assert.ok(ratio > 0.1 && ratio < 0.16, `simulated/wall while slowed: ${ratio.toFixed(3)}, want 1/8`);
  assert.ok(samples.some((s) => s.slow), 'the view says when it slows down');
  // Every vote of the step spent at least 90 simulated ms on the wire: at 1/8 that is more
  // than 0.7 s in sight.
  const res = await srv.api('GET', `/api/rooms/${v.room}/events?from=0&to=${Math.floor(v.timeMs)}&kinds=send&hidePackets=PING`);
  assert.equal(res.status, 200, JSON.stringify(res.json));
  const evs = res.json.events;
  const votes = evs.filter((e) => e.packet === 'NOTIFICATION' && e.at !== undefined && e.node !== e.peer);
  assert.ok(votes.length >= 6, `votes were sent (${votes.length})`);
  const minFlight = Math.min(...votes.map((e) => e.at - e.t));
  assert.ok(minFlight / 0.125 >= 700, `the shortest vote is in sight ${(minFlight / 0.125).toFixed(0)} wall ms at 1×`);
  const stepMs = samples[samples.length - 1].wall - samples[0].wall;
  assert.ok(stepMs > 4000, `the first election took ${stepMs.toFixed(0)} wall ms, not half a second`);
  await shot(page, 'lesson-slow-motion');
  // Turned off, the choice is remembered by this browser and the room runs at its speed.
  await box.uncheck();
  await waitView(page, (x) => x.pace && !x.pace.slowMotion);
  assert.equal(await page.evaluate(() => localStorage.getItem('zablab.slowMotion')), '0');
  await page.reload();
  await waitView(page, (x) => x.lesson && x.pace && !x.pace.slowMotion);
  assert.equal(await page.getByRole('checkbox', { name: 'Slow motion at key moments' }).isChecked(), false);
  assert.deepEqual(errors, []);
});

test('slow motion works where storage throws (a third-party iframe) and speaks Chinese', { skip }, async (t) => {
  const srv = await server(t);
  const b = await openPage('about:blank', { lang: 'zh-CN' });
  t.after(() => b.close());
  await b.page.addInitScript(() => {
    const deny = () => { throw new DOMException('denied', 'SecurityError'); };
    Object.defineProperty(window, 'localStorage', { get: deny });
    Object.defineProperty(window, 'sessionStorage', { get: deny });
  });
  await b.page.goto(new URL(`/lessons/${SLUG}`, srv.url).href);
  await waitView(b.page, (v) => v.lesson && v.pace && v.pace.slowMotion);
  const box = b.page.getByRole('checkbox', { name: '关键时刻慢动作' });
  assert.equal(await box.isChecked(), true, 'on by default');
  await b.page.getByRole('button', { name: '下一步：运行这一步' }).click();
  await b.page.getByRole('radio', { name: '服务器 3' }).check();
  await b.page.getByRole('button', { name: '确认答案并运行' }).click();
  await waitView(b.page, (v) => v.pace && v.pace.slow, 20000);
  await b.page.locator('label.slowmo.on').waitFor();
  await shot(b.page, 'lesson-slow-motion-zh');
  await box.uncheck();
  await waitView(b.page, (v) => v.pace && !v.pace.slowMotion);
  assert.deepEqual(b.errors, []);
});
