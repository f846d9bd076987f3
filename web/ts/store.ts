// The page's state and a small publish/subscribe hub. Panels subscribe through a Scope so a
// language switch can rebuild the whole UI and drop every old subscription at once.

import { renderReason } from "./reasons";
import type { NodeView, RoomView, ZEvent } from "./types";

export type ConnState = "connecting" | "live" | "reconnecting";

export interface StoreEvents {
  /** A new view arrived (possibly the same cluster, possibly after a reset). */
  view: RoomView;
  /** A batch of new events, oldest first. */
  events: ZEvent[];
  /** Animation state must be dropped: the viewer fell behind or the cluster was rebuilt. */
  reset: RoomView;
  conn: ConnState;
  /** The selected server changed. */
  select: number;
  /** Which side tab is open (the cluster picture reacts to the network tab). */
  tab: string;
  /** A detail tab was opened (hidden panels skip work and catch up then). */
  shown: string;
  /** The page shows a moment of the past (simulated ms), or the present (null). */
  past: number | null;
  /** This browser joined the room's class as a student (the name). */
  student: string;
}

/** How many events the page keeps for the event log. */
export const LOG_KEEP = 3000;

type Handler<T> = (value: T) => void;

/** Store holds what every panel reads. */
export class Store {
  room: string;
  view: RoomView | null = null;
  conn: ConnState = "connecting";
  /** Seq of the last event handled (a reconnect asks for the events after it). */
  lastSeq = 0;
  /** Server whose log and tree are inspected. */
  selected = 0;
  /** Open side tab id. */
  tab = "servers";
  /** Partition being edited: server id → group index (0 = A). */
  draftGroups = new Map<number, number>();
  /** Recent events, oldest first, capped (the event log redraws from here). */
  log: ZEvent[] = [];
  /** Events with seq up to this are replays (asked for when the page opens): log them only. */
  replayUpTo = 0;
  /** generation of the room's cluster the page shows (RoomView.generation). */
  generation = 0;
  /** The moment of the past this page shows (simulated ms), or null while live. */
  past: number | null = null;
  /** The live room's latest simulated time known to the page (also while in the past). */
  liveMs = 0;
  /** The name this browser joined the room's class with ("" : not a student). */
  student = "";
  private handlers = new Map<keyof StoreEvents, Set<Handler<never>>>();

  constructor(room: string) {
    this.room = room;
  }

  on<K extends keyof StoreEvents>(key: K, fn: Handler<StoreEvents[K]>): () => void {
    let set = this.handlers.get(key);
    if (!set) {
      set = new Set();
      this.handlers.set(key, set);
    }
    set.add(fn as Handler<never>);
    return () => set?.delete(fn as Handler<never>);
  }

  emit<K extends keyof StoreEvents>(key: K, value: StoreEvents[K]): void {
    const set = this.handlers.get(key);
    if (!set) return;
    for (const fn of Array.from(set)) {
      try {
        (fn as Handler<StoreEvents[K]>)(value);
      } catch (err) {
        console.error(err);
      }
    }
  }

  /** remember keeps the tail of the event log. */
  remember(evs: ZEvent[]): void {
    this.log.push(...evs);
    if (this.log.length > LOG_KEEP + 500) this.log.splice(0, this.log.length - LOG_KEEP);
  }

  /** reasonText is a server's state reason in the page's language. */
  reasonText(n: NodeView): string {
    return renderReason(n.reason);
  }

  /** syncReasonText is a server's sync reason in the page's language. */
  syncReasonText(n: NodeView): string {
    return renderReason(n.syncReason);
  }

  /** node returns a server of the current view. */
  node(id: number): NodeView | undefined {
    return this.view?.nodes.find((n) => n.id === id);
  }

  /** canControl says whether this browser may send commands to the room. */
  canControl(): boolean {
    return this.view?.canControl ?? false;
  }

  select(id: number): void {
    if (this.selected === id) return;
    this.selected = id;
    this.emit("select", id);
  }

  setTab(id: string): void {
    if (this.tab === id) return;
    this.tab = id;
    this.emit("tab", id);
  }
}

/** Scope collects subscriptions and timers so they can be dropped together. */
export class Scope {
  private disposers: (() => void)[] = [];

  add(dispose: () => void): void {
    this.disposers.push(dispose);
  }

  on<K extends keyof StoreEvents>(store: Store, key: K, fn: Handler<StoreEvents[K]>): void {
    this.add(store.on(key, fn));
  }

  dispose(): void {
    for (const d of this.disposers.splice(0)) {
      try {
        d();
      } catch (err) {
        console.error(err);
      }
    }
  }
}
