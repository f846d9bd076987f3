// The live view's panels: the vote table of an election, message contents on hover, tap and
// focus, network quality controls drawn on the links, and the autopilot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openPage, haveChromium, waitView, view, shot } from './harness.mjs';

const skip = haveChromium ? false : 'SKIPPED: no Chromium at /usr/bin/chromium (make test installs it when run as root)';

async function lab(t, args = ['--timing', 'fast', '--nodes', '5'], opts) {
  const srv = await startServer(args);
  const b = await openPage(srv.url, opts);
  t.after(async () => { await b.close(); await srv.stop(); });
  return { srv, ...b };
}

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
