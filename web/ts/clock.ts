// The simulated clock as the page estimates it. The room advances simulated time at `speed`
// simulated ms per wall ms; the page learns the true time from events and views and
// extrapolates between them, never running backwards (except on a new cluster).

/** How long the clock may run on without hearing from the room, in wall ms. */
const MAX_EXTRAPOLATE_WALL_MS = 1500;

export class SimClock {
  private anchorSim = 0;
  private anchorWall = 0;
  private shown = 0;
  speed = 1;
  paused = true;

  /** observe reports a simulated time the room has reached. */
  observe(simMs: number, wallMs: number): void {
    const cur = this.now(wallMs);
    this.anchorSim = Math.max(simMs, cur);
    this.anchorWall = wallMs;
  }

  /** configure follows the room's pause state and speed. */
  configure(paused: boolean, speed: number, wallMs: number): void {
    if (paused === this.paused && speed === this.speed) return;
    const cur = this.now(wallMs);
    this.anchorSim = cur;
    this.anchorWall = wallMs;
    this.paused = paused;
    this.speed = speed > 0 ? speed : 1;
  }

  /** reset jumps to a time, possibly backwards (a new cluster starts at 0). */
  reset(simMs: number, wallMs: number): void {
    this.anchorSim = simMs;
    this.anchorWall = wallMs;
    this.shown = simMs;
  }

  /** now is the estimated simulated time at a wall time. */
  now(wallMs: number): number {
    let t = this.anchorSim;
    if (!this.paused) {
      const dt = Math.min(Math.max(0, wallMs - this.anchorWall), MAX_EXTRAPOLATE_WALL_MS);
      t += dt * this.speed;
    }
    if (t > this.shown) this.shown = t;
    return this.shown;
  }
}
