// The cluster picture: one SVG with the servers on an ellipse, two lanes per pair of servers
// (one per direction, so a one-way cut shows), learner connections, queue badges at the
// leader, and a layer where messages move (messages.ts). Elements are created once per
// layout and then only updated.

import { clear, newId, s, setAttr, setText, toggleAttr } from "./dom";
import { t } from "./i18n";
import { groupOf, linkUp } from "./links";
import { GROUP_COLOURS, GROUP_LETTERS } from "./palette";
import type { Ctx } from "./ctx";
import type { NodeView, RoomView } from "./types";
import { zxidFull, zxidPair } from "./zxid";
import { schedule } from "./frame";

/**
 * The picture has three arrangements. "ring": servers on an ellipse (a desktop screen).
 * "large": the ring with bigger cards and shorter lines, for a projector (large mode).
 * "narrow": two staggered columns that grow downwards, for a phone. The title band at the top
 * (who leads, in which phase) never overlaps a card.
 */
export type Mode = "ring" | "large" | "narrow";

/** Geometry of an arrangement, in view units. */
interface Geo {
  mode: Mode;
  viewW: number;
  /** Height of the area below the band where the ring lies (ring and large). */
  ringH: number;
  /** Height of the title band at the top. */
  band: number;
  titleY: number;
  /** A narrow band breaks the title after its colon: the second row's baseline (0: one row). */
  tailY: number;
  subY: number;
  cardW: number;
  cardH: number;
  /** Card insides: padding, title baseline, first detail line and line spacing. */
  pad: number;
  titleBase: number;
  stateBase: number;
  line0: number;
  lineDy: number;
  /** Where the role tag goes: beside the id, or on a row of its own under the lines. */
  roleX: number;
  roleBase: number;
  badgeR: number;
  /** Zxids with their hex (wide cards) or as (epoch, counter) only. */
  hex: boolean;
}

const GEOS: Record<Mode, Geo> = {
  ring: { mode: "ring", viewW: 1000, ringH: 640, band: 64, titleY: 30, tailY: 0, subY: 56, cardW: 280, cardH: 142, pad: 14, titleBase: 28, stateBase: 27, line0: 56, lineDy: 23, roleX: 56, roleBase: 26, badgeR: 17, hex: true },
  large: { mode: "large", viewW: 1000, ringH: 566, band: 74, titleY: 34, tailY: 0, subY: 64, cardW: 300, cardH: 190, pad: 14, titleBase: 36, stateBase: 34, line0: 72, lineDy: 30, roleX: 66, roleBase: 33, badgeR: 20, hex: false },
  narrow: { mode: "narrow", viewW: 360, ringH: 0, band: 70, titleY: 20, tailY: 40, subY: 61, cardW: 168, cardH: 132, pad: 9, titleBase: 23, stateBase: 21, line0: 45, lineDy: 18, roleX: 9, roleBase: 122, badgeR: 14, hex: false },
};
/** Space between cards in the narrow arrangement. */
const NARROW_GAP = 20;
/** Space left of and right of the narrow columns (the selection ring is drawn outside a card). */
const NARROW_EDGE = 6;
/** Below this viewport width the page is a phone's: the narrow arrangement. */
export const NARROW_MEDIA = "(max-width: 600px)";

/** Distance between the two lanes of a pair, in view units. */
const LANE_GAP = 5;

export interface Lane {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

interface Card {
  g: SVGGElement;
  bg: SVGRectElement;
  sel: SVGRectElement;
  title: SVGTextElement;
  role: SVGTextElement;
  state: SVGTextElement;
  lines: SVGTextElement[];
  badge: SVGGElement;
  badgeText: SVGTextElement;
  badgeCircle: SVGCircleElement;
}

interface Layout {
  ids: number[];
  centre: Map<number, { x: number; y: number }>;
  scale: number;
  lanes: Map<string, Lane>;
  viewH: number;
}

function scaleFor(n: number, mode: Mode): number {
  if (mode === "narrow") return 1;
  if (mode === "large") {
    // The large ring is wide and low: past six servers its cards shrink fast.
    if (n <= 5) return 1;
    if (n <= 6) return 0.93;
    if (n <= 8) return 0.69;
    if (n <= 9) return 0.62;
    if (n <= 10) return 0.53;
    if (n <= 12) return 0.47;
    return 0.43;
  }
  if (n <= 3) return 1.1;
  if (n <= 5) return 1;
  if (n <= 7) return 0.88;
  if (n <= 9) return 0.76;
  if (n <= 11) return 0.66;
  return 0.6;
}

function laneKey(from: number, to: number): string {
  return from + ">" + to;
}

/**
 * computeLayout places the servers. Ring and large: on an ellipse below the title band, first
 * at the top, clockwise. Narrow: two columns, the right one half a card lower, so that every
 * link leaves a card through free space.
 */
function computeLayout(ids: number[], geo: Geo): Layout {
  const k = scaleFor(ids.length, geo.mode);
  const w = geo.cardW * k;
  const hgt = geo.cardH * k;
  const centre = new Map<number, { x: number; y: number }>();
  let viewH = geo.band + geo.ringH;
  if (geo.mode === "narrow") {
    const step = hgt + NARROW_GAP;
    const single = ids.length === 1;
    ids.forEach((id, i) => {
      const right = i % 2 === 1;
      const x = single ? geo.viewW / 2 : right ? geo.viewW - w / 2 - NARROW_EDGE : w / 2 + NARROW_EDGE;
      const y = geo.band + hgt / 2 + Math.floor(i / 2) * step + (right ? step / 2 : 0);
      centre.set(id, { x, y });
    });
    const rows = Math.ceil(ids.length / 2);
    viewH = geo.band + Math.max(1, rows) * step + (ids.length % 2 === 0 && ids.length > 0 ? step / 2 : 0) - NARROW_GAP + 4;
  } else {
    const rx = geo.viewW / 2 - w / 2 - 8;
    const ry = geo.ringH / 2 - hgt / 2 - 6;
    const cy = geo.band + geo.ringH / 2;
    ids.forEach((id, i) => {
      const a = -Math.PI / 2 + (2 * Math.PI * i) / ids.length;
      centre.set(id, { x: geo.viewW / 2 + rx * Math.cos(a), y: cy + ry * Math.sin(a) });
    });
  }
  const lanes = new Map<string, Lane>();
  for (const a of ids) {
    for (const b of ids) {
      if (a === b) continue;
      const ca = centre.get(a)!;
      const cb = centre.get(b)!;
      const dx = cb.x - ca.x;
      const dy = cb.y - ca.y;
      const len = Math.hypot(dx, dy) || 1;
      const ux = dx / len;
      const uy = dy / len;
      const nx = -uy * LANE_GAP;
      const ny = ux * LANE_GAP;
      const exit = Math.min(w / 2 / Math.max(Math.abs(ux), 1e-6), hgt / 2 / Math.max(Math.abs(uy), 1e-6)) + 4;
      lanes.set(laneKey(a, b), {
        x1: ca.x + ux * exit + nx,
        y1: ca.y + uy * exit + ny,
        x2: cb.x - ux * exit + nx,
        y2: cb.y - uy * exit + ny,
      });
    }
  }
  return { ids, centre, scale: k, lanes, viewH };
}

/** The state word on a card, with a symbol so it does not rely on colour. */
function stateLabel(n: NodeView): string {
  switch (n.state) {
    case "LEADING":
      return "★ LEADING";
    case "FOLLOWING":
      return "● FOLLOWING";
    case "OBSERVING":
      return "◌ OBSERVING";
    case "LOOKING":
      return "? LOOKING";
    case "DOWN":
      return "✕ DOWN";
  }
  return n.state;
}

/** cardLines are the four detail lines under a server's title. */
function cardLines(n: NodeView, v: RoomView, hex: boolean): string[] {
  const zx = hex ? zxidFull : zxidPair;
  const lines = [
    `${t("epochShort")} ${n.acceptedEpoch} / ${n.currentEpoch}`,
    `${t("lastShort")} ${zx(n.lastZxid)}`,
    // What the server knows to be committed: a restarted server knows nothing until it syncs.
    `${t("committedShort")} ${n.lastCommittedZxid === "0x0" && n.lastZxid !== "0x0" && n.state !== "DOWN" ? t("committedUnknown") : zx(n.lastCommittedZxid)}`,
  ];
  if (n.state === "LOOKING" && n.role !== "observer") {
    lines.push(t("voteLine", { leader: n.vote.leader, zxid: zxidPair(n.vote.zxid), round: n.vote.round }));
  } else if (n.state === "LOOKING") {
    lines.push(t("observerLooking", { round: n.vote.round }));
  } else if (n.state === "DOWN") {
    lines.push(t("downLine"));
  } else if (n.state === "LEADING") {
    const learners = n.queues?.length ?? 0;
    lines.push(t("leadLine", { phase: n.phase, n: learners }));
  } else {
    const mode = n.syncMode !== "NONE" ? n.syncMode : "";
    lines.push(t("followLine", { leader: n.following || v.leader, phase: n.phase, mode: mode ? `· ${mode}` : "" }));
  }
  return lines;
}

/**
 * centreTitle says who leads and in which phase, truthfully: a server that is LEADING but not
 * yet in BROADCAST waits for a quorum (to agree on its epoch, then to sync); "election in
 * progress" only while nobody leads and someone is LOOKING.
 */
export function centreTitle(v: RoomView): string {
  const leading = v.nodes.filter((n) => n.state === "LEADING");
  // Two servers may both be LEADING for a while (an old leader cut off in a minority): the
  // established one, then the highest epoch, is the one to name.
  const lead =
    leading.find((n) => n.id === v.leader) ??
    leading.slice().sort((a, b) => Math.max(b.acceptedEpoch, b.currentEpoch) - Math.max(a.acceptedEpoch, a.currentEpoch))[0];
  if (lead) {
    if (lead.phase === "BROADCAST") return t("centreLeader", { id: lead.id, epoch: lead.currentEpoch });
    const epoch = Math.max(lead.acceptedEpoch, lead.currentEpoch);
    if (lead.phase === "SYNCHRONIZATION") return t("centreSyncing", { id: lead.id, epoch });
    // DISCOVERY: the new epoch is chosen once a quorum has sent FOLLOWERINFO (acceptedEpoch).
    if (lead.acceptedEpoch > lead.currentEpoch) return t("centreEpochProposed", { id: lead.id, epoch });
    return t("centreDiscovering", { id: lead.id });
  }
  const looking = v.nodes.filter((n) => n.state === "LOOKING");
  if (looking.length > 0) return t("centreElection", { round: Math.max(...looking.map((n) => n.vote.round)) });
  if (v.nodes.length > 0 && v.nodes.every((n) => n.state === "DOWN")) return t("centreAllDown");
  return t("centreNoLeaderYet");
}

/** fitted remembers, per text element, the text and width it was last fitted to. */
const fitted = new WeakMap<SVGTextElement, string>();

/**
 * setFit sets a text and, if it is wider than maxW (view units of the element), narrows its
 * glyphs to fit instead of letting it run over a neighbour: the font size stays the same.
 */
function setFit(el: SVGTextElement, text: string, maxW: number): void {
  setText(el, text);
  const key = `${maxW}|${text}`;
  if (fitted.get(el) === key) return;
  el.removeAttribute("textLength");
  el.removeAttribute("lengthAdjust");
  if (!text || !el.isConnected) return;
  const w = el.getComputedTextLength();
  if (w === 0) return; // not laid out yet: try again on the next render
  fitted.set(el, key);
  if (w > maxW) {
    el.setAttribute("textLength", maxW.toFixed(1));
    el.setAttribute("lengthAdjust", "spacingAndGlyphs");
  }
}

export interface ClusterPicture {
  el: HTMLElement;
  dotLayer: SVGGElement;
  lane(from: number, to: number): Lane | undefined;
  /** The current layout's server ids (messages between others are not drawn). */
  has(id: number): boolean;
  /** A layer above the lanes and under the cards, for what other modules draw on the links. */
  decor: SVGGElement;
  /** onRender runs fn after every render of the picture, with the view drawn. */
  onRender(fn: (v: RoomView) => void): void;
}

/** clusterPicture builds the SVG and keeps it in step with the store. */
export function clusterPicture(ctx: Ctx): ClusterPicture {
  const { store } = ctx;
  const narrowQuery = window.matchMedia(NARROW_MEDIA);
  const modeNow = (): Mode => (narrowQuery.matches ? "narrow" : ctx.large ? "large" : "ring");
  let geo = GEOS[modeNow()];
  const svg = s("svg", {
    viewBox: `0 0 ${geo.viewW} ${geo.band + geo.ringH}`,
    class: `cluster m-${geo.mode}`,
    role: "group",
    "aria-label": t("clusterPictureLabel"),
  });
  const connLayer = s("g", { class: "conns" });
  const laneLayer = s("g", { class: "lanes" });
  const badgeLayer = s("g", { class: "qbadges" });
  // Moving messages live in their own SVG stacked on top, in its own compositing layer, so
  // that animating them does not repaint the servers and links underneath.
  const dotLayer = s("g", { class: "dots" });
  // The messages are clipped out of the server cards, so labels never cover a card's text.
  const clipId = newId("dotclip");
  const clipPath = s("path", { "clip-rule": "evenodd" });
  dotLayer.setAttribute("clip-path", `url(#${clipId})`);
  const overlay = s("svg", { viewBox: svg.getAttribute("viewBox")!, class: `cluster-overlay m-${geo.mode}`, "aria-hidden": "true" },
    s("defs", {}, s("clipPath", { id: clipId }, clipPath)), dotLayer);
  const cardLayer = s("g", { class: "cards" });
  // The title band: who leads and in which phase, then the committed count, the clock and a
  // warning. It sits above the ring, so it never hides a card or a vote.
  const centreTitle_ = s("text", { class: "centre-title", "text-anchor": "middle" });
  const centreTail = s("text", { class: "centre-tail", "text-anchor": "middle" });
  const centreSub = s("text", { class: "centre-sub", "text-anchor": "middle" });
  svg.append(connLayer, laneLayer, badgeLayer, cardLayer);
  const decor = s("g", { class: "decor" });
  svg.insertBefore(decor, cardLayer);
  const hooks: ((v: RoomView) => void)[] = [];
  // The summary sits above the moving messages so it stays readable.
  overlay.append(s("g", { class: "centre" }, centreTitle_, centreTail, centreSub));
  const summary = document.createElement("p");
  summary.className = "sr-only";
  summary.setAttribute("aria-live", "polite");
  const wrap = document.createElement("div");
  wrap.className = `cluster-wrap m-${geo.mode}`;
  wrap.append(svg, overlay, summary);

  let layout: Layout = computeLayout([], geo);
  const cards = new Map<number, Card>();
  const laneEls = new Map<string, SVGLineElement>();
  const connEls = new Map<number, SVGLineElement>();

  function buildCard(id: number): Card {
    const W = geo.cardW;
    const H = geo.cardH;
    const hw = W / 2;
    const hh = H / 2;
    const bg = s("rect", { x: -hw, y: -hh, width: W, height: H, rx: 12, class: "card-bg" });
    const sel = s("rect", { x: -hw - 6, y: -hh - 6, width: W + 12, height: H + 12, rx: 16, class: "card-sel" });
    const title = s("text", { x: -hw + geo.pad, y: -hh + geo.titleBase, class: "card-title" }, `S${id}`);
    const besideId = geo.mode !== "narrow";
    const roleX = -hw + (besideId ? geo.roleX + (id >= 10 ? geo.roleX / 4 : 0) : geo.roleX);
    const role = s("text", { x: roleX, y: -hh + geo.roleBase, class: "card-role" });
    const state = s("text", { x: hw - geo.pad + 2, y: -hh + geo.stateBase, class: "card-state", "text-anchor": "end" });
    const lines: SVGTextElement[] = [];
    for (let i = 0; i < 4; i++) {
      lines.push(s("text", { x: -hw + geo.pad, y: -hh + geo.line0 + i * geo.lineDy, class: i === 3 ? "card-line card-note" : "card-line" }));
    }
    // The group badge sits inside the lower right corner (a card may reach the picture's edge).
    const r = geo.badgeR;
    const bx = hw - r - 3;
    const by = hh - r - 3;
    const badgeCircle = s("circle", { cx: bx, cy: by, r, class: "group-badge" });
    const badgeText = s("text", { x: bx, y: by + r * 0.35, class: "group-letter", "text-anchor": "middle" });
    const badge = s("g", { class: "badge" }, badgeCircle, badgeText);
    const g = s("g", { class: "srv", tabindex: 0, role: "button", "data-server": id }, sel, bg, title, role, state, ...lines, badge);
    const activate = () => {
      if (store.tab === "network" && ctx.store.canControl()) {
        const cur = store.draftGroups.get(id) ?? 0;
        store.draftGroups.set(id, (cur + 1) % 3);
        store.emit("tab", store.tab);
      } else {
        store.select(id);
      }
    };
    g.addEventListener("click", activate);
    g.addEventListener("keydown", (ev: KeyboardEvent) => {
      if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        activate();
      }
    });
    return { g, bg, sel, title, role, state, lines, badge, badgeText, badgeCircle };
  }

  function relayout(ids: number[]): void {
    layout = computeLayout(ids, geo);
    const box = `0 0 ${geo.viewW} ${layout.viewH.toFixed(0)}`;
    for (const el of [svg, overlay]) {
      setAttr(el, "viewBox", box);
      setAttr(el, "class", `${el === svg ? "cluster" : "cluster-overlay"} m-${geo.mode}`);
    }
    wrap.className = `cluster-wrap m-${geo.mode}`;
    setAttr(centreTitle_, "x", geo.viewW / 2);
    setAttr(centreTitle_, "y", geo.titleY);
    setAttr(centreTail, "x", geo.viewW / 2);
    setAttr(centreTail, "y", geo.tailY);
    setAttr(centreSub, "x", geo.viewW / 2);
    setAttr(centreSub, "y", geo.subY);
    clear(cardLayer);
    clear(laneLayer);
    clear(connLayer);
    clear(badgeLayer);
    cards.clear();
    laneEls.clear();
    connEls.clear();
    for (const id of ids) {
      const c = buildCard(id);
      const p = layout.centre.get(id)!;
      c.g.setAttribute("transform", `translate(${p.x.toFixed(1)},${p.y.toFixed(1)}) scale(${layout.scale})`);
      cards.set(id, c);
      cardLayer.append(c.g);
    }
    let clip = `M0,0H${geo.viewW}V${layout.viewH}H0Z`;
    const w = geo.cardW * layout.scale;
    const hh = geo.cardH * layout.scale;
    for (const id of ids) {
      const p = layout.centre.get(id)!;
      clip += `M${(p.x - w / 2).toFixed(1)},${(p.y - hh / 2).toFixed(1)}h${w.toFixed(1)}v${hh.toFixed(1)}h${(-w).toFixed(1)}Z`;
    }
    clipPath.setAttribute("d", clip);
    for (const [key, ln] of layout.lanes) {
      const el = s("line", { x1: ln.x1.toFixed(1), y1: ln.y1.toFixed(1), x2: ln.x2.toFixed(1), y2: ln.y2.toFixed(1), class: "lane" });
      laneEls.set(key, el);
      laneLayer.append(el);
    }
    for (const id of ids) {
      const el = s("line", { class: "lconn" });
      connEls.set(id, el);
      connLayer.append(el);
    }
  }

  function renderCard(c: Card, n: NodeView, v: RoomView): void {
    const violating = v.violations.some((x) => x.node === n.id);
    c.g.setAttribute("class", `srv st-${n.state} role-${n.role}${store.selected === n.id ? " selected" : ""}${violating ? " violating" : ""}`);
    const inner = geo.cardW - 2 * geo.pad;
    // Large cards have no room for both the role tag and "◌ OBSERVING", which says it already.
    const roleTag = n.role === "observer" && !(geo.mode === "large" && n.state === "OBSERVING");
    setFit(c.role, roleTag ? t("observerTag") : "", geo.mode === "narrow" ? inner - geo.badgeR * 2 : geo.cardW * 0.3);
    setFit(c.state, stateLabel(n), geo.mode === "narrow" ? inner - 36 : geo.cardW * 0.52);
    // Group badge: the draft while editing the partition, else the partition in force.
    let group = -1;
    if (store.tab === "network" && store.canControl()) group = store.draftGroups.get(n.id) ?? 0;
    else if (v.links.groups.length > 0) group = groupOf(v.links, n.id);
    const show = store.tab === "network" || v.links.groups.length > 0;
    const lines = cardLines(n, v, geo.hex);
    // The last line leaves room for the badge when it shows.
    c.lines.forEach((el, i) => setFit(el, lines[i] ?? "", i === 3 && show ? inner - 2 * geo.badgeR - 4 : inner));
    const label = t("cardLabel", {
      id: n.id,
      state: n.state,
      role: n.role === "observer" ? t("observer") : t("participant"),
      epoch: n.currentEpoch,
      last: zxidFull(n.lastZxid),
    });
    setAttr(c.g, "aria-label", store.tab === "network" && store.canControl() ? `${label}. ${t("cardCycleHint")}` : label);
    toggleAttr(c.g, "aria-current", store.selected === n.id);
    setAttr(c.badge, "visibility", show ? "visible" : "hidden");
    setText(c.badgeText, group >= 0 ? GROUP_LETTERS[group] ?? "?" : "–");
    setAttr(c.badgeCircle, "fill", group >= 0 ? GROUP_COLOURS[group] ?? "#999" : "#fff");
  }

  function renderLinks(v: RoomView): void {
    const down = new Set(v.nodes.filter((n) => n.state === "DOWN").map((n) => n.id));
    for (const [key, el] of laneEls) {
      const [a, b] = key.split(">").map(Number) as [number, number];
      const up = linkUp(v.links, a, b);
      const cls = `lane${up ? "" : " cut"}${down.has(a) || down.has(b) ? " dead" : ""}`;
      if (el.getAttribute("class") !== cls) el.setAttribute("class", cls);
    }
    for (const n of v.nodes) {
      const el = connEls.get(n.id);
      if (!el) continue;
      const l = n.following;
      const a = layout.centre.get(n.id);
      const b = layout.centre.get(l);
      if (!l || l === n.id || !a || !b || n.state === "DOWN" || n.state === "LOOKING") {
        setAttr(el, "visibility", "hidden");
        continue;
      }
      setAttr(el, "visibility", "visible");
      setAttr(el, "x1", a.x.toFixed(1));
      setAttr(el, "y1", a.y.toFixed(1));
      setAttr(el, "x2", b.x.toFixed(1));
      setAttr(el, "y2", b.y.toFixed(1));
      setAttr(el, "class", `lconn${n.phase === "BROADCAST" ? "" : " syncing"}`);
    }
  }

  function renderBadges(v: RoomView): void {
    clear(badgeLayer);
    const leader = v.nodes.find((n) => n.state === "LEADING");
    if (!leader || !leader.queues) return;
    for (const q of leader.queues) {
      const ln = layout.lanes.get(laneKey(leader.id, q.learner));
      if (!ln || q.packets.length === 0) continue;
      const x = ln.x1 + (ln.x2 - ln.x1) * 0.16;
      const y = ln.y1 + (ln.y2 - ln.y1) * 0.16;
      const text = s("text", { x: x.toFixed(1), y: (y + 5).toFixed(1), "text-anchor": "middle", class: "qbadge-text" }, `${q.packets.length}`);
      const rect = s("rect", { x: (x - 15).toFixed(1), y: (y - 11).toFixed(1), width: 30, height: 22, rx: 4, class: "qbadge" });
      const g = s("g", {}, s("title", {}, t("queueBadge", { n: q.packets.length, id: q.learner })), rect, text);
      badgeLayer.append(g);
    }
  }

  function renderCentre(v: RoomView): void {
    const title = centreTitle(v);
    // A phone's band is narrow: "S5 leads epoch 2:" on one row, what it waits for on the next.
    const cut = geo.tailY > 0 ? Math.max(title.indexOf(": "), title.indexOf("：")) : -1;
    const head = cut >= 0 ? title.slice(0, cut + 1) : title;
    const tail = cut >= 0 ? title.slice(cut + 1).trim() : "";
    setFit(centreTitle_, head, geo.viewW - 16);
    setFit(centreTail, tail, geo.viewW - 16);
    const sub = t("centreSub", { n: v.committed, time: (v.timeMs / 1000).toFixed(1) });
    const warn = v.bug ? t("centreBug", { bug: v.bug }) : v.paused ? t("centrePaused") : "";
    setFit(centreSub, warn ? `${warn} · ${sub}` : sub, geo.viewW - 16);
    setAttr(centreSub, "class", v.bug ? "centre-sub bug" : v.paused ? "centre-sub paused" : "centre-sub");
    setText(summary, title);
  }

  function render(): void {
    const v = store.view;
    if (!v) return;
    const ids = v.nodes.map((n) => n.id);
    const mode = modeNow();
    if (mode !== geo.mode || ids.join(",") !== layout.ids.join(",")) {
      geo = GEOS[mode];
      relayout(ids);
    }
    for (const n of v.nodes) {
      const c = cards.get(n.id);
      if (c) renderCard(c, n, v);
    }
    renderLinks(v);
    renderBadges(v);
    renderCentre(v);
    for (const fn of hooks) fn(v);
  }

  const later = () => schedule(render);
  ctx.scope.on(store, "view", later);
  ctx.scope.on(store, "select", later);
  ctx.scope.on(store, "tab", later);
  // A phone turned sideways (or a window made narrow) gets the other arrangement.
  narrowQuery.addEventListener("change", later);
  ctx.scope.add(() => narrowQuery.removeEventListener("change", later));
  render();

  return {
    el: wrap,
    dotLayer,
    lane: (from, to) => layout.lanes.get(laneKey(from, to)),
    has: (id) => layout.centre.has(id),
    decor,
    onRender: (fn) => {
      hooks.push(fn);
      if (store.view) fn(store.view);
    },
  };
}
