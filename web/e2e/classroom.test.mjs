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
  for (const s of students) {
    await s.page.getByRole('textbox').first().fill(s.name);
    await s.page.getByRole('textbox').nth(1).fill(srv.code.toLowerCase());
    await s.page.locator('.class-join button').click();
    await s.page.locator('.class-me').waitFor();
  }
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
