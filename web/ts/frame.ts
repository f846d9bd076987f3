// One requestAnimationFrame loop for the whole page: animations run every frame, DOM updates
// are batched into the next frame (a panel asks once, however many views arrive meanwhile).

type FrameFn = (wallMs: number) => void;

const everyFrame = new Set<FrameFn>();
const nextFrame = new Set<() => void>();
let started = false;

/** Counter read by the performance test through window.__zablab.frames. */
export const stats = { frames: 0 };

/** onFrame runs fn on every animation frame until the returned function is called. */
export function onFrame(fn: FrameFn): () => void {
  everyFrame.add(fn);
  return () => everyFrame.delete(fn);
}

/** schedule runs fn once in the next frame; scheduling the same fn twice runs it once. */
export function schedule(fn: () => void): void {
  nextFrame.add(fn);
}

const lastRun = new Map<() => void, number>();
const waiting = new Set<() => void>();

/**
 * scheduleAtMost is schedule for panels that need not follow every view: fn runs in a frame at
 * most once per everyMs (a person cannot read tables that change ten times a second).
 */
export function scheduleAtMost(fn: () => void, everyMs: number): void {
  if (waiting.has(fn)) return;
  const wait = (lastRun.get(fn) ?? -Infinity) + everyMs - performance.now();
  const run = () => {
    waiting.delete(fn);
    lastRun.set(fn, performance.now());
    fn();
  };
  waiting.add(fn);
  if (wait <= 0) schedule(run);
  else window.setTimeout(() => schedule(run), wait);
}

function tick(wallMs: number): void {
  stats.frames++;
  const g = window.__zablab;
  if (g) g.frames = stats.frames;
  const jobs = Array.from(nextFrame);
  nextFrame.clear();
  for (const fn of jobs) {
    try {
      fn();
    } catch (err) {
      console.error(err);
    }
  }
  for (const fn of everyFrame) {
    try {
      fn(wallMs);
    } catch (err) {
      console.error(err);
    }
  }
  requestAnimationFrame(tick);
}

/** startFrames starts the loop (once). */
export function startFrames(): void {
  if (started) return;
  started = true;
  requestAnimationFrame(tick);
}
