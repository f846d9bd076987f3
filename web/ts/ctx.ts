// What every panel gets: the store, a scope for its subscriptions, the simulated clock and a
// way to send commands.

import type { SimClock } from "./clock";
import type { Scope, Store } from "./store";
import type { Command, CommandResult } from "./types";
import type { Lang } from "./i18n";

export interface Ctx {
  store: Store;
  scope: Scope;
  clock: SimClock;
  /**
   * run sends a command (websocket when open, else REST, or REST when preferREST: client ops
   * use it so a paused room answers 202 at once); failures are also announced.
   */
  run(c: Command, preferREST?: boolean): Promise<CommandResult>;
  /** notify shows a short status message (errors are announced assertively). */
  notify(text: string, kind?: "info" | "error"): void;
  lang: Lang;
  setLang(l: Lang): void;
  large: boolean;
  setLarge(on: boolean): void;
  /** Time travel: this page alone views the past (store.past); the room goes on. */
  travel: TimeTravel;
}

export interface TimeTravel {
  /** goto shows the room as it was at t (simulated ms); false when it could not. */
  goto(t: number): Promise<boolean>;
  /** live returns to the present. */
  live(): void;
  /** fork continues the room from the moment shown, or starts a sandbox there. */
  fork(sandbox: boolean): Promise<void>;
}
