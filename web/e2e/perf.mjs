// Browser performance figures (not a test; `make perf-web` runs it):
// frames per second while a 7-server cluster animates under a steady client write load,
// and how long the page takes to become interactive on localhost.
import { startServer, openPage, waitView } from './harness.mjs';

const srv = await startServer(['--nodes', '7']);
const { page, close } = await openPage(srv.url);
await page.waitForFunction(() => window.__zablab && window.__zablab.lastView);
// Measure a second, warm navigation: from the request to controls drawn from the first view.
const t0 = Date.now();
await page.reload();
await page.getByRole('button', { name: 'Pause' }).waitFor();
await page.waitForFunction(() => window.__zablab && window.__zablab.lastView);
const interactiveMs = Date.now() - t0;
await waitView(page, (v) => v.leader !== 0 && v.nodes.every((n) => n.phase === 'BROADCAST'), 60000);
// Steady write load: a write every 100 ms at rotating servers, for the whole measurement.
let writes = 0;
const load = setInterval(() => {
  const server = 1 + (writes % 7);
  srv.api('POST', '/api/rooms/main/ops', { server, op: 'set', path: '/', data: String(writes++) }).catch(() => {});
}, 100);
await page.waitForTimeout(2000);
const f0 = await page.evaluate(() => window.__zablab.frames);
const s0 = Date.now();
await page.waitForTimeout(10000);
const f1 = await page.evaluate(() => window.__zablab.frames);
const secs = (Date.now() - s0) / 1000;
// The same with the space-time diagram open (it follows the live edge).
await page.getByRole('tab', { name: 'Space-time' }).click();
await page.waitForTimeout(1500);
const d0 = await page.evaluate(() => window.__zablab.frames);
const ds = Date.now();
await page.waitForTimeout(10000);
const d1 = await page.evaluate(() => window.__zablab.frames);
const dsecs = (Date.now() - ds) / 1000;
// And while dragging the history tape back and forth (each position shows that moment),
// with the diagram closed.
// (the diagram stays open)
const tape = page.getByRole('slider', { name: /History tape/ });
const box = await tape.boundingBox();
const g0 = await page.evaluate(() => window.__zablab.frames);
const gs = Date.now();
for (let i = 0; i < 40 && box; i++) {
  await page.mouse.move(box.x + box.width * (0.2 + 0.6 * ((i % 10) / 10)), box.y + box.height / 2);
  if (i === 0) await page.mouse.down();
  await page.waitForTimeout(125);
}
await page.mouse.up();
const g1 = await page.evaluate(() => window.__zablab.frames);
const gsecs = (Date.now() - gs) / 1000;
clearInterval(load);
const dots = await page.evaluate(() => document.querySelectorAll('svg circle').length);
console.log(`page interactive after ${interactiveMs} ms (navigation to first view, headless Chromium, localhost)`);
console.log(`${((f1 - f0) / secs).toFixed(1)} frames/s over ${secs.toFixed(1)} s animating 7 servers under ${writes} writes (${dots} circles in the SVG at the end)`);
console.log(`${((d1 - d0) / dsecs).toFixed(1)} frames/s with the space-time diagram open and following the live edge`);
console.log(`${((g1 - g0) / gsecs).toFixed(1)} frames/s while dragging the history tape (${gsecs.toFixed(1)} s)`);
await close();
await srv.stop();
