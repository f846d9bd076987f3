// The classroom (issue 14): a teacher and three students. Students join with the code and
// answer the teacher's question on their own page; the teacher's page shows the answers
// coming in; the reveal marks the right answer on the students' pages; a student cannot crash
// a server until the teacher hands over control.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPage, haveChromium, waitView, shot } from './harness.mjs';

const skip = haveChromium ? false : 'SKIPPED: no Chromium at /usr/bin/chromium (make test installs it when run as root)';
const here = dirname(fileURLToPath(import.meta.url));

async function startClass() {
  const bin = process.env.ZABLAB_BIN || join(here, '..', '..', 'zablab');
  const proc = spawn(bin, ['serve', '--classroom', '--addr', '127.0.0.1:0', '--zk-port-base', '0', '--timing', 'fast', '--nodes', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start: ' + out)), 15000);
    proc.stdout.on('data', (d) => {
      out += d;
      const s = /students: (\S+)\s+\(join code (\w+)\)/.exec(out);
      const tch = /teacher:\s+(\S+)/.exec(out);
      if (s && tch) { clearTimeout(timer); resolve({ student: s[1], code: s[2], teacher: tch[1] }); }
    });
  });
  const base = new URL(info.teacher);
  const token = base.searchParams.get('token');
  return {
    ...info, token,
    api: async (method, path, body, hdr = {}) => {
      const res = await fetch(new URL(path, base), { method, headers: { 'Content-Type': 'application/json', ...hdr }, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, json: await res.json() };
    },
    stop: () => new Promise((resolve) => { proc.on('exit', resolve); proc.kill('SIGTERM'); }),
  };
}

// joinClass fills the student link's form (name, code) and waits until the page has joined.
async function joinClass(page, name, code) {
  await page.getByRole('textbox').first().fill(name);
  await page.getByRole('textbox').nth(1).fill(code);
  await page.locator('.class-join button').click();
  await page.locator('.class-me').waitFor();
}

test('students answer the teacher\'s question; the reveal marks the right answer', { skip }, async (t) => {
  const srv = await startClass();
  const teacher = await openPage(srv.teacher, { viewport: { width: 1024, height: 768 } });
  const students = [];
  for (const [name, lang] of [['Ana', 'en-US'], ['Bo', 'zh-CN'], ['Cy', 'en-US']]) {
    const s = await openPage(srv.student, { lang, viewport: { width: 390, height: 844 } });
    students.push({ name, ...s });
  }
  t.after(async () => { await teacher.close(); for (const s of students) await s.close(); await srv.stop(); });
  await waitView(teacher.page, (v) => v.leader !== 0);
  for (const s of students) await joinClass(s.page, s.name, srv.code.toLowerCase());
  // The teacher asks; every page shows the question.
  const q = await srv.api('POST', '/api/rooms/main/questions', { text: { en: 'Which server leads?', zh: '哪台服务器是 leader？' }, choices: ['S1', 'S2', 'S3'], answer: 2 }, { 'X-Zablab-Token': srv.token });
  assert.equal(q.status, 201);
  await teacher.page.getByText('Which server leads?').waitFor();
  await students[1].page.getByText('哪台服务器是 leader？').waitFor();
  // Two students answer on their pages; the teacher's page counts them.
  await students[0].page.locator('.class-choices button', { hasText: 'S3' }).click();
  await students[1].page.locator('.class-choices button', { hasText: 'S2' }).click();
  await teacher.page.getByText('2 of 3 students answered').waitFor();
  const counts = await srv.api('GET', `/api/rooms/main/questions/${q.json.id}`, null, { 'X-Zablab-Token': srv.token });
  assert.deepEqual(counts.json.counts, [0, 1, 1]);
  assert.deepEqual(counts.json.missing, ['Cy']);
  await shot(teacher.page, 'class-teacher');
  // Reveal: the right answer is marked on the students' pages, with the class's score.
  await teacher.page.getByRole('button', { name: 'Reveal the answer' }).click();
  await students[0].page.locator('.class-choices button.right', { hasText: 'S3' }).waitFor();
  await students[0].page.getByText('The class: 50 % right (2 answers)').waitFor();
  await students[1].page.getByText('全班：50% 答对（2 份答案）').waitFor();
  await shot(students[1].page, 'class-student-zh');
  // A student cannot crash a server; once the teacher hands over control, Ana can.
  const ana = await students[0].page.context().cookies();
  const tok = ana.find((c) => c.name === 'zablab_student_main').value;
  const denied = await srv.api('POST', '/api/rooms/main/nodes/1/crash', null, { 'X-Zablab-Student': tok });
  assert.equal(denied.status, 403);
  await srv.api('POST', '/api/rooms/main/control', { student: 'Ana' }, { 'X-Zablab-Token': srv.token });
  const ok = await srv.api('POST', '/api/rooms/main/nodes/1/crash', null, { 'X-Zablab-Student': tok });
  assert.equal(ok.status, 200);
  await waitView(teacher.page, (v) => v.nodes.find((n) => n.id === 1).state === 'DOWN');
  assert.deepEqual(teacher.errors, []);
  for (const s of students) assert.deepEqual(s.errors, [], s.name);
});

test('the teacher\'s class card: join link and QR code, hands, questions from the cluster, hand-over, Present; a student comes back to the class', { skip }, async (t) => {
  const srv = await startClass();
  const teacher = await openPage(srv.teacher, { viewport: { width: 1024, height: 768 } });
  const ana = await openPage(srv.student, { viewport: { width: 390, height: 844 } });
  const bo = await openPage(srv.student, { lang: 'zh-CN', viewport: { width: 390, height: 844 } });
  t.after(async () => { await teacher.close(); await ana.close(); await bo.close(); await srv.stop(); });
  await waitView(teacher.page, (v) => v.leader !== 0);
  // The card tells students where to go, with the code and a QR code of the link.
  const card = teacher.page.locator('.teacher-card');
  await card.getByText(srv.code).waitFor();
  await card.getByText(new URL(srv.student).origin + '/?join=1').waitFor();
  await teacher.page.waitForFunction(() => { const i = document.querySelector('.class-qr'); return i && i.complete && i.naturalWidth > 0; });
  for (const [p, name] of [[ana, 'Ana'], [bo, 'Bo']]) await joinClass(p.page, name, srv.code);
  await card.getByText('2 students · 0 hands up · 0 lost').waitFor();
  // Hands and "I'm lost" arrive as counts.
  await ana.page.getByRole('button', { name: 'Raise my hand' }).click();
  await bo.page.getByRole('button', { name: '我跟不上了' }).click();
  await card.getByText('2 students · 1 hands up · 1 lost').waitFor();
  // "Who leads next?" from the cluster: the students answer, the leader is crashed, the
  // reveal marks the new leader on their pages.
  await card.getByRole('button', { name: 'Who leads next?' }).click();
  await ana.page.locator('.class-text', { hasText: 'Who leads next?' }).waitFor();
  await bo.page.locator('.class-text', { hasText: '下一个 Leader 是谁？' }).waitFor();
  const v0 = await waitView(teacher.page, (v) => v.leader !== 0);
  await ana.page.locator('.class-choices button', { hasText: 'S2' }).click();
  await bo.page.locator('.class-choices button', { hasText: 'S1' }).click();
  await teacher.page.getByText('2 of 2 students answered').waitFor();
  await srv.api('POST', `/api/rooms/main/nodes/${v0.leader}/crash`, null, { 'X-Zablab-Token': srv.token });
  const v1 = await waitView(teacher.page, (v) => v.leader !== 0 && v.leader !== v0.leader);
  await shot(teacher.page, 'class-teacher-card');
  await teacher.page.getByRole('button', { name: 'Reveal the answer' }).click();
  await ana.page.locator('.class-choices button.right', { hasText: `S${v1.leader}` }).waitFor();
  await bo.page.locator('.class-choices button.right', { hasText: `S${v1.leader}` }).waitFor();
  // The teacher lets Ana drive from the roster; she is told, and her crash works.
  await card.locator('summary').click();
  await card.locator('li', { hasText: 'Ana' }).getByRole('button', { name: 'Let drive' }).click();
  await card.getByText('Ana drives the room.').waitFor();
  await ana.page.getByText('The teacher handed you control of the room.').waitFor();
  await card.getByRole('button', { name: 'Take back control' }).click();
  await card.getByText('You drive the room.').waitFor();
  // Bo scrubs back in time and returns with "Back to the class".
  await bo.page.locator('.tape').focus();
  await bo.page.keyboard.press('Home');
  const back = bo.page.getByRole('button', { name: '回到课堂' });
  await back.waitFor();
  await shot(bo.page, 'class-student-past-zh');
  await back.click();
  await bo.page.waitForFunction(() => document.querySelector('.past-banner').hidden);
  // Present: the projector layout, large.
  await card.getByRole('button', { name: 'Present' }).click();
  assert.equal(await teacher.page.evaluate(() => document.body.classList.contains('present') && document.body.classList.contains('large')), true);
  assert.equal(await teacher.page.locator('.controls').isVisible(), false);
  await shot(teacher.page, 'class-present');
  await shot(ana.page, 'class-student-en');
  assert.deepEqual(teacher.errors, []);
  assert.deepEqual(ana.errors, []);
  assert.deepEqual(bo.errors, []);
});

test('students follow the teacher\'s lesson: the prediction waits for their answers, the reveal plays the step with animation on their pages', { skip }, async (t) => {
  const srv = await startClass();
  const teacher = await openPage(srv.teacher, { viewport: { width: 1024, height: 768 } });
  const students = [];
  for (const [name, lang] of [['Ana', 'en-US'], ['Bo', 'zh-CN'], ['Cy', 'en-US']]) {
    const s = await openPage(srv.student, { lang, viewport: { width: 390, height: 844 } });
    students.push({ name, ...s });
  }
  t.after(async () => { await teacher.close(); for (const s of students) await s.close(); await srv.stop(); });
  for (const s of students) await joinClass(s.page, s.name, srv.code);
  const T = { 'X-Zablab-Token': srv.token };
  assert.equal((await srv.api('POST', '/api/rooms/main/lesson', { action: 'start', slug: 'first-election' }, T)).status, 200);
  // Every student's page shows the teacher's lesson.
  for (const s of students) await s.page.locator('.lesson-banner').waitFor();
  // Next: the step's prediction is the class's question; the step waits.
  assert.equal((await srv.api('POST', '/api/rooms/main/lesson', { action: 'next' }, T)).status, 200);
  for (const s of students) await s.page.locator('.class-choices button').first().waitFor();
  const v0 = await waitView(teacher.page, (v) => v.lesson);
  await students[0].page.locator('.class-choices button').first().click();
  await students[1].page.locator('.class-choices button').nth(1).click();
  await teacher.page.getByText('2 of 3 students answered').waitFor();
  const before = (await waitView(students[2].page, () => true)).eventSeq;
  // The reveal plays the step for everyone: messages move on the students' pages.
  await teacher.page.getByRole('button', { name: 'Reveal the answer' }).click();
  await students[0].page.locator('.class-choices button.right').waitFor();
  for (const s of students) {
    await s.page.waitForFunction(() => document.querySelectorAll('g.dot').length > 0, null, { timeout: 20000 });
  }
  const after = await waitView(students[2].page, (v) => v.eventSeq > before + 10);
  assert.ok(after.eventSeq > v0.eventSeq);
  await shot(students[1].page, 'class-lesson-student-zh');
  assert.deepEqual(teacher.errors, []);
  for (const s of students) assert.deepEqual(s.errors, [], s.name);
});
