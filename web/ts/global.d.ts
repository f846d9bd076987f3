import type { RoomView } from "./types";

declare global {
  interface Window {
    /** State exposed for browser tests: frame counter, the latest view, socket status. */
    __zablab?: { frames: number; lastView: RoomView | null; connected: boolean; events: number };
  }
}

export {};
