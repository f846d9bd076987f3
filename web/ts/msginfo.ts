// Message contents on demand: hovering, tapping or focusing a message in flight (messages.ts)
// or an entry of the event log shows its fields in one popover (type, from, to, zxid as
// (epoch, counter), epoch, the vote of a notification, the op and path of a proposal, …).
// Listeners are delegated: one set per container, none per message and nothing per frame.

import type { Ctx } from "./ctx";
import { clear, h } from "./dom";
import { t, type Key } from "./i18n";
import { renderReason } from "./reasons";
import type { Store } from "./store";
import type { ZEvent } from "./types";
import { zxidFull } from "./zxid";

/** The event behind each event-log row (rows are built and dropped by the log). */
const rowEvents = new WeakMap<Element, ZEvent>();

/** tagEvent ties an event-log row to its event. */
export function tagEvent(el: Element, e: ZEvent): void {
  rowEvents.set(el, e);
}

const MESSAGE_KINDS = new Set(["send", "deliver", "drop", "queue"]);

/** opOf finds the op and path of a txn by its zxid among the page's events and the servers' logs. */
function opOf(store: Store, zxid: string | undefined): { op: string; path: string } | undefined {
  if (!zxid || zxid === "-1") return undefined;
  const log = store.log;
  for (let i = log.length - 1; i >= 0; i--) {
    const e = log[i]!;
    if (e.zxid === zxid && e.op && (e.kind === "propose" || e.kind === "logged" || e.kind === "commit")) return { op: e.op, path: e.path ?? "" };
  }
  for (const n of store.view?.nodes ?? []) {
    const x = n.log.find((l) => l.zxid === zxid);
    if (x) return { op: x.op, path: x.path };
  }
  return undefined;
}

/** eventFields lists what a message or event carries, as [label, value] rows. */
export function eventFields(e: ZEvent, store: Store, status?: string): [string, string][] {
  const rows: [string, string][] = [];
  const add = (k: Key, v: string | number | undefined) => {
    if (v !== undefined && v !== "") rows.push([t(k), String(v)]);
  };
  const message = MESSAGE_KINDS.has(e.kind);
  if (message) {
    add("msgType", e.packet);
    // deliver: node is the receiver and peer the sender.
    const [from, to] = e.kind === "deliver" ? [e.peer, e.node] : [e.node, e.peer];
    add("infoFrom", from !== undefined ? `S${from}` : undefined);
    add("infoTo", to !== undefined ? `S${to}` : undefined);
    add("infoEvent", t(e.kind === "send" ? "infoSent" : e.kind === "deliver" ? "infoDelivered" : e.kind === "drop" ? "infoDropped" : "infoQueued", { time: (e.t / 1000).toFixed(3) }));
    if (e.kind === "send" && e.at !== undefined && !status) add("infoDue", `${(e.at / 1000).toFixed(3)} s`);
    if (status) add("infoStatus", status);
    if (e.msgId !== undefined) add("infoMsgId", `#${e.msgId}`);
  } else {
    add("infoKind", e.kind);
    add("infoServer", e.node ? `S${e.node}` : undefined);
    add("infoPeer", e.peer ? `S${e.peer}` : undefined);
    add("infoTime", `${(e.t / 1000).toFixed(3)} s`);
    add("infoState", e.state ? `${e.state}${e.phase ? ` · ${e.phase}` : ""}` : undefined);
    add("infoMode", e.mode);
  }
  if (e.zxid && !(e.packet === "NOTIFICATION" && e.vote)) add("msgZxid", zxidFull(e.zxid));
  if (e.epoch) add("msgEpoch", e.epoch);
  const v = e.vote;
  if (v) {
    add("infoVoteLeader", `S${v.leader}`);
    add("infoVoteZxid", zxidFull(v.zxid));
    add("infoVotePeerEpoch", v.peerEpoch);
    add("infoVoteRound", v.round);
    add("infoVoteState", v.state);
  }
  const op = e.op ? { op: e.op, path: e.path ?? "" } : message && /PROPOSAL|COMMIT|INFORM|REQUEST/.test(e.packet ?? "") ? opOf(store, e.zxid) : undefined;
  if (op) {
    add("infoOp", op.op);
    add("infoPath", op.path);
  } else add("infoPath", e.path);
  if (e.client) add("infoClient", e.client);
  add("infoSession", e.session);
  add("infoErr", e.err);
  if (e.reason) add("infoReason", renderReason(e.reason));
  return rows;
}

/** The page's popover (one per mount of the page). */
let current: Popover | null = null;

/** Popover is the one floating box that shows an event's fields. */
export class Popover {
  readonly el: HTMLElement;
  /** Set while a tap or click holds it open (a pointer leaving does not close it). */
  pinned = false;
  /** What it shows now, so a second tap on the same thing closes it. */
  shown: object | null = null;

  constructor() {
    this.el = h("div", { class: "msg-pop", role: "tooltip", id: "msg-pop", hidden: true });
  }

  show(title: string, rows: [string, string][], x: number, y: number, what: object): void {
    clear(this.el);
    const dl = h("dl", { class: "msg-fields" });
    for (const [k, v] of rows) dl.append(h("dt", {}, k), h("dd", {}, v));
    this.el.append(h("strong", { class: "msg-pop-title" }, title), dl);
    this.el.hidden = false;
    this.shown = what;
    // Beside the point, kept inside the window.
    const w = this.el.offsetWidth;
    const ht = this.el.offsetHeight;
    const left = Math.max(4, Math.min(x + 14, window.innerWidth - w - 4));
    const top = y + 14 + ht > window.innerHeight ? Math.max(4, y - ht - 10) : y + 14;
    this.el.style.left = `${left}px`;
    this.el.style.top = `${top}px`;
  }

  hide(): void {
    this.el.hidden = true;
    this.pinned = false;
    this.shown = null;
  }
}

function titleOf(e: ZEvent): string {
  if (MESSAGE_KINDS.has(e.kind)) {
    const [from, to] = e.kind === "deliver" ? [e.peer, e.node] : [e.node, e.peer];
    return `${e.packet ?? e.kind} S${from} → S${to}`;
  }
  return e.node ? `${e.kind} · S${e.node}` : e.kind;
}

/**
 * attachInfo gives a container hover, tap and focus popovers for the events its children
 * stand for: find maps an event target to the event (and a status line) or undefined.
 */
function attachInfo(ctx: Ctx, box: Element, find: (target: EventTarget | null) => { e: ZEvent; el: Element; status?: string } | undefined): void {
  const showFor = (pop: Popover, hit: { e: ZEvent; el: Element; status?: string }, x: number, y: number) => {
    pop.show(titleOf(hit.e), eventFields(hit.e, ctx.store, hit.status), x, y, hit.el);
  };
  const on = <K extends keyof HTMLElementEventMap>(type: K, fn: (ev: HTMLElementEventMap[K]) => void) => {
    box.addEventListener(type, fn as EventListener);
    ctx.scope.add(() => box.removeEventListener(type, fn as EventListener));
  };
  on("pointerover", (ev) => {
    const pop = current;
    if (!pop || ev.pointerType !== "mouse" || pop.pinned) return;
    const hit = find(ev.target);
    if (hit) showFor(pop, hit, ev.clientX, ev.clientY);
  });
  on("pointerout", (ev) => {
    const pop = current;
    if (!pop || ev.pointerType !== "mouse" || pop.pinned) return;
    const hit = find(ev.target);
    if (hit && !(ev.relatedTarget instanceof Node && hit.el.contains(ev.relatedTarget))) pop.hide();
  });
  // A tap (or a click) holds the popover open; tapping the same thing again closes it.
  on("click", (ev) => {
    const pop = current;
    const hit = find(ev.target);
    if (!pop || !hit) return;
    if (pop.pinned && pop.shown === hit.el) {
      pop.hide();
      return;
    }
    showFor(pop, hit, ev.clientX, ev.clientY);
    pop.pinned = true;
  });
  on("focusin", (ev) => {
    const pop = current;
    const hit = find(ev.target);
    if (!pop || !hit) return;
    const r = hit.el.getBoundingClientRect();
    showFor(pop, hit, r.left + 24, r.bottom - 10);
    hit.el.setAttribute("aria-describedby", pop.el.id);
  });
  on("focusout", (ev) => {
    const pop = current;
    const hit = find(ev.target);
    if (!pop || !hit) return;
    hit.el.removeAttribute("aria-describedby");
    if (!(ev.relatedTarget instanceof Node && box.contains(ev.relatedTarget))) pop.hide();
  });
}

/** installPopover puts the popover on the page and closes it on Escape or a tap elsewhere. */
export function installPopover(ctx: Ctx, root: HTMLElement): Popover {
  const pop = new Popover();
  current = pop;
  root.append(pop.el);
  const away = (ev: PointerEvent) => {
    if (pop.el.hidden || !(ev.target instanceof Element)) return;
    if (!pop.el.contains(ev.target) && !ev.target.closest(".dot, .ev")) pop.hide();
  };
  const esc = (ev: KeyboardEvent) => {
    if (ev.key === "Escape" && !pop.el.hidden) pop.hide();
  };
  document.addEventListener("pointerdown", away, true);
  document.addEventListener("keydown", esc);
  ctx.scope.add(() => {
    if (current === pop) current = null;
    document.removeEventListener("pointerdown", away, true);
    document.removeEventListener("keydown", esc);
  });
  return pop;
}

/** attachLogInfo: the event log's rows show their event; ↑/↓ move between rows. */
export function attachLogInfo(ctx: Ctx, list: HTMLElement, scroller: HTMLElement): void {
  attachInfo(ctx, list, (target) => {
    const el = target instanceof Element ? target.closest("li") : null;
    const e = el ? rowEvents.get(el) : undefined;
    return el && e ? { e, el } : undefined;
  });
  const keys = (ev: KeyboardEvent) => {
    if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp" && ev.key !== "Home" && ev.key !== "End") return;
    const rows = list.children;
    if (rows.length === 0) return;
    const cur = ev.target instanceof Element ? ev.target.closest("li") : null;
    let i = cur ? Array.prototype.indexOf.call(rows, cur) : -1;
    if (ev.key === "Home") i = 0;
    else if (ev.key === "End") i = rows.length - 1;
    else if (i < 0) i = 0;
    else i = Math.max(0, Math.min(rows.length - 1, i + (ev.key === "ArrowDown" ? 1 : -1)));
    ev.preventDefault();
    (rows[i] as HTMLElement).focus();
  };
  scroller.addEventListener("keydown", keys);
  ctx.scope.add(() => scroller.removeEventListener("keydown", keys));
}

/** attachDotInfo: messages in flight show their send event. */
export function attachDotInfo(ctx: Ctx, dots: SVGGElement, find: (id: number) => { e: ZEvent; status: string } | undefined): void {
  attachInfo(ctx, dots, (target) => {
    const el = target instanceof Element ? target.closest(".dot") : null;
    const id = el ? Number(el.getAttribute("data-msg")) : NaN;
    const hit = Number.isFinite(id) ? find(id) : undefined;
    return el && hit ? { e: hit.e, el, status: hit.status } : undefined;
  });
}
