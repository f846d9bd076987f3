// Messages moving along the links. A message's send event starts a dot at the sender; its
// position follows the simulated clock from the send time to the scheduled delivery time
// (`at`), but never faster than MIN_TRAVEL_MS of wall time so sub-millisecond links stay
// visible. Its deliver event ends it; its drop event turns it into a fading cross. SVG
// elements are pooled and the number of dots in flight is capped.

import type { SimClock } from "./clock";
import type { ClusterPicture } from "./cluster";
import { s } from "./dom";
import { t } from "./i18n";
import { CATEGORY_STYLE, OKABE_ITO, packetCategory, packetLabel } from "./palette";
import type { ZEvent } from "./types";

/** Most dots animated at once; further messages are counted but not drawn. */
export const MAX_DOTS = 100;
/** Above this many dots their labels are hidden (they would only overlap). */
const LABELS_UP_TO = 48;
const MIN_TRAVEL_MS = 280;
const DROP_FADE_MS = 1100;
/** A dot whose end never arrives is removed after this much wall time. */
const STALE_MS = 20000;
const CROSS = "M-7,-7L7,7M7,-7L-7,7";

interface Sprite {
  g: SVGGElement;
  shape: SVGPathElement;
  label: SVGTextElement;
}

interface Dot {
  id: number;
  from: number;
  to: number;
  packet: string;
  t0: number;
  t1: number;
  bornWall: number;
  delivered: boolean;
  dropped: boolean;
  dropWall: number;
  p: number;
  sprite: Sprite;
  /** The send event, shown on hover or tap (msginfo.ts). */
  e: ZEvent;
}

export class MessageLayer {
  private pool: Sprite[] = [];
  private active = new Map<number, Dot>();
  /** Messages not drawn because MAX_DOTS were in flight. */
  skipped = 0;

  constructor(
    private pic: ClusterPicture,
    private clock: SimClock,
  ) {}

  get count(): number {
    return this.active.size;
  }

  private take(): Sprite {
    const sp = this.pool.pop();
    if (sp) {
      sp.g.removeAttribute("display");
      return sp;
    }
    const shape = s("path", {});
    const label = s("text", { x: 10, y: -8, class: "dot-label" });
    const g = s("g", { class: "dot" }, shape, label);
    this.pic.dotLayer.append(g);
    return { g, shape, label };
  }

  private release(d: Dot): void {
    d.sprite.g.setAttribute("display", "none");
    d.sprite.g.removeAttribute("opacity");
    this.pool.push(d.sprite);
    this.active.delete(d.id);
  }

  /** onEvents handles a batch of new events (not replays). */
  onEvents(evs: ZEvent[], wall: number): void {
    for (const e of evs) {
      if (e.kind === "send") this.send(e, wall);
      else if (e.kind === "deliver") {
        const d = e.msgId !== undefined ? this.active.get(e.msgId) : undefined;
        if (d) d.delivered = true;
      } else if (e.kind === "drop") this.drop(e, wall);
    }
  }

  private send(e: ZEvent, wall: number): void {
    const from = e.node ?? 0;
    const to = e.peer ?? 0;
    if (from === to || e.msgId === undefined || !this.pic.has(from) || !this.pic.has(to)) return;
    if (this.active.size >= MAX_DOTS) {
      this.skipped++;
      return;
    }
    const sp = this.take();
    const cat = packetCategory(e.packet);
    const st = CATEGORY_STYLE[cat];
    sp.shape.setAttribute("d", st.shape);
    sp.shape.setAttribute("fill", st.hollow ? "var(--bg)" : st.colour);
    sp.shape.setAttribute("stroke", st.hollow ? st.colour : "var(--dot-stroke)");
    sp.shape.setAttribute("stroke-width", st.hollow ? "2.5" : "1.2");
    sp.label.textContent = packetLabel(e.packet);
    sp.label.setAttribute("fill", cat === "ping" ? "var(--muted)" : "var(--fg)");
    const t1 = e.at !== undefined && e.at > e.t ? e.at : e.t + 1;
    const d: Dot = { id: e.msgId, from, to, packet: e.packet ?? "", t0: e.t, t1, bornWall: wall, delivered: false, dropped: false, dropWall: 0, p: 0, sprite: sp, e };
    sp.g.setAttribute("data-msg", String(e.msgId));
    this.active.set(e.msgId, d);
    this.place(d);
  }

  private drop(e: ZEvent, wall: number): void {
    let d = e.msgId !== undefined ? this.active.get(e.msgId) : undefined;
    if (!d) {
      // A drop without a drawn send (e.g. over the cap): show the cross near the sender.
      const from = e.node ?? 0;
      const to = e.peer ?? 0;
      if (from === to || !this.pic.has(from) || !this.pic.has(to) || this.active.size >= MAX_DOTS) return;
      this.send({ ...e, kind: "send", msgId: e.msgId ?? -e.seq, at: e.t + 1 }, wall);
      d = this.active.get(e.msgId ?? -e.seq);
      if (!d) return;
    }
    d.dropped = true;
    d.dropWall = wall;
    d.p = Math.max(d.p, 0.3);
    d.sprite.shape.setAttribute("d", CROSS);
    d.sprite.shape.setAttribute("fill", "none");
    d.sprite.shape.setAttribute("stroke", OKABE_ITO.vermillion);
    d.sprite.shape.setAttribute("stroke-width", "4");
    d.sprite.label.textContent = `✕ ${packetLabel(d.packet)}`;
    d.sprite.label.setAttribute("fill", OKABE_ITO.vermillion);
    this.place(d);
  }

  private laneLength(d: Dot): number {
    const ln = this.pic.lane(d.from, d.to);
    return ln ? Math.abs(ln.x2 - ln.x1) + Math.abs(ln.y2 - ln.y1) : 0;
  }

  private place(d: Dot): void {
    const ln = this.pic.lane(d.from, d.to);
    if (!ln) return;
    const x = ln.x1 + (ln.x2 - ln.x1) * d.p;
    const y = ln.y1 + (ln.y2 - ln.y1) * d.p;
    d.sprite.g.setAttribute("transform", `translate(${x.toFixed(1)},${y.toFixed(1)})`);
  }

  /** frame moves every dot to where the clock says it is. */
  private busy = false;

  frame(wall: number): void {
    const busy = this.active.size > LABELS_UP_TO;
    if (busy !== this.busy) {
      this.busy = busy;
      this.pic.dotLayer.classList.toggle("busy", busy);
    }
    if (this.active.size === 0) return;
    const now = this.clock.now(wall);
    // Deleting from a Map while iterating it is safe in JavaScript.
    for (const d of this.active.values()) {
      if (d.dropped) {
        const age = wall - d.dropWall;
        if (age >= DROP_FADE_MS) {
          this.release(d);
          continue;
        }
        d.sprite.g.setAttribute("opacity", (1 - age / DROP_FADE_MS).toFixed(2));
        continue;
      }
      const simP = d.delivered ? 1 : (now - d.t0) / (d.t1 - d.t0);
      const wallP = (wall - d.bornWall) / MIN_TRAVEL_MS;
      const p = Math.max(0, Math.min(1, simP, wallP));
      if (d.delivered && p >= 1) {
        this.release(d);
        continue;
      }
      const age = wall - d.bornWall;
      if ((age > STALE_MS && !this.clock.paused) || (age > 3000 && now - d.t1 > 3000)) {
        this.release(d);
        continue;
      }
      // Sub-pixel moves are skipped: they cost a repaint and show nothing.
      if (Math.abs(p - d.p) * this.laneLength(d) >= 0.6 || (p >= 1 && d.p < 1)) {
        d.p = p;
        this.place(d);
      }
    }
  }

  /** info is a message in flight's send event and whether it is on its way or dropped. */
  info(id: number): { e: ZEvent; status: string } | undefined {
    const d = this.active.get(id);
    if (!d) return undefined;
    return { e: d.e, status: d.dropped ? t("msgDropped") : d.delivered ? t("msgDelivered") : t("msgInFlight", { time: (d.t1 / 1000).toFixed(3) }) };
  }

  /** clear forgets every message (after a reset). */
  clear(): void {
    for (const d of Array.from(this.active.values())) this.release(d);
    this.skipped = 0;
  }
}
