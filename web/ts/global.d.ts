import type { RoomView } from "./types";

declare global {
  interface Window {
    /** State exposed for browser tests: frame counter, the latest view, socket status. */
    __zablab?: {
      frames: number;
      lastView: RoomView | null;
      connected: boolean;
      events: number;
      /** The page's simulated clock now: time (ms), rate (simulated ms per wall ms), paused. */
      clock?: () => { sim: number; rate: number; paused: boolean };
    };
  }
}

export {};
