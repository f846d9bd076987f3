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

const VIEW_W = 1000;
const VIEW_H = 640;
const CARD_W = 280;
const CARD_H = 142;
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
}

function scaleFor(n: number): number {
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

/** computeLayout places n servers on an ellipse, first at the top, clockwise. */
function computeLayout(ids: number[]): Layout {
  const k = scaleFor(ids.length);
  const w = CARD_W * k;
  const hgt = CARD_H * k;
  const rx = VIEW_W / 2 - w / 2 - 8;
  const ry = VIEW_H / 2 - hgt / 2 - 8;
  const centre = new Map<number, { x: number; y: number }>();
  ids.forEach((id, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / ids.length;
    centre.set(id, { x: VIEW_W / 2 + rx * Math.cos(a), y: VIEW_H / 2 + ry * Math.sin(a) });
  });
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
  return { ids, centre, scale: k, lanes };
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
function cardLines(n: NodeView, v: RoomView): string[] {
  const lines = [
    `${t("epochShort")} ${n.acceptedEpoch} / ${n.currentEpoch}`,
    `${t("lastShort")} ${zxidFull(n.lastZxid)}`,
    `${t("committedShort")} ${zxidFull(n.lastCommittedZxid)}`,
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
  const svg = s("svg", {
    viewBox: `0 0 ${VIEW_W} ${VIEW_H}`,
    class: "cluster",
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
  const overlay = s("svg", { viewBox: `0 0 ${VIEW_W} ${VIEW_H}`, class: "cluster-overlay", "aria-hidden": "true" },
    s("defs", {}, s("clipPath", { id: clipId }, clipPath)), dotLayer);
  const cardLayer = s("g", { class: "cards" });
  const centreTitle = s("text", { x: VIEW_W / 2, y: VIEW_H / 2 - 14, class: "centre-title", "text-anchor": "middle" });
  const centreSub = s("text", { x: VIEW_W / 2, y: VIEW_H / 2 + 16, class: "centre-sub", "text-anchor": "middle" });
  const centreWarn = s("text", { x: VIEW_W / 2, y: VIEW_H / 2 + 44, class: "centre-warn", "text-anchor": "middle" });
  svg.append(connLayer, laneLayer, badgeLayer, cardLayer);
  const decor = s("g", { class: "decor" });
  svg.insertBefore(decor, cardLayer);
  const hooks: ((v: RoomView) => void)[] = [];
  // The summary sits above the moving messages so it stays readable.
  overlay.append(s("g", { class: "centre" }, centreTitle, centreSub, centreWarn));
  const summary = document.createElement("p");
  summary.className = "sr-only";
  summary.setAttribute("aria-live", "polite");
  const wrap = document.createElement("div");
  wrap.className = "cluster-wrap";
  wrap.append(svg, overlay, summary);

  let layout: Layout = computeLayout([]);
  const cards = new Map<number, Card>();
  const laneEls = new Map<string, SVGLineElement>();
  const connEls = new Map<number, SVGLineElement>();

  function buildCard(id: number): Card {
    const hw = CARD_W / 2;
    const hh = CARD_H / 2;
    const bg = s("rect", { x: -hw, y: -hh, width: CARD_W, height: CARD_H, rx: 12, class: "card-bg" });
    const sel = s("rect", { x: -hw - 6, y: -hh - 6, width: CARD_W + 12, height: CARD_H + 12, rx: 16, class: "card-sel" });
    const title = s("text", { x: -hw + 14, y: -hh + 28, class: "card-title" }, `S${id}`);
    const role = s("text", { x: -hw + (id >= 10 ? 70 : 56), y: -hh + 26, class: "card-role" });
    const state = s("text", { x: hw - 12, y: -hh + 27, class: "card-state", "text-anchor": "end" });
    const lines: SVGTextElement[] = [];
    for (let i = 0; i < 4; i++) {
      lines.push(s("text", { x: -hw + 14, y: -hh + 56 + i * 23, class: i === 3 ? "card-line card-note" : "card-line" }));
    }
    const badgeCircle = s("circle", { cx: hw - 4, cy: hh - 4, r: 17, class: "group-badge" });
    const badgeText = s("text", { x: hw - 4, y: hh + 2, class: "group-letter", "text-anchor": "middle" });
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
    layout = computeLayout(ids);
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
    let clip = `M0,0H${VIEW_W}V${VIEW_H}H0Z`;
    const w = CARD_W * layout.scale;
    const hh = CARD_H * layout.scale;
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
    c.g.setAttribute("class", `srv st-${n.state} role-${n.role}${store.selected === n.id ? " selected" : ""}`);
    setText(c.role, n.role === "observer" ? t("observerTag") : "");
    setText(c.state, stateLabel(n));
    const lines = cardLines(n, v);
    c.lines.forEach((el, i) => setText(el, lines[i] ?? ""));
    const label = t("cardLabel", {
      id: n.id,
      state: n.state,
      role: n.role === "observer" ? t("observer") : t("participant"),
      epoch: n.currentEpoch,
      last: zxidFull(n.lastZxid),
    });
    setAttr(c.g, "aria-label", store.tab === "network" && store.canControl() ? `${label}. ${t("cardCycleHint")}` : label);
    toggleAttr(c.g, "aria-current", store.selected === n.id);
    // Group badge: the draft while editing the partition, else the partition in force.
    let group = -1;
    if (store.tab === "network" && store.canControl()) group = store.draftGroups.get(n.id) ?? 0;
    else if (v.links.groups.length > 0) group = groupOf(v.links, n.id);
    const show = store.tab === "network" || v.links.groups.length > 0;
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
    const leader = v.nodes.find((n) => n.id === v.leader && n.state === "LEADING");
    setText(centreTitle, leader ? t("centreLeader", { id: leader.id, epoch: leader.currentEpoch }) : t("centreNoLeader"));
    setText(centreSub, t("centreSub", { n: v.committed, time: (v.timeMs / 1000).toFixed(1) }));
    setText(centreWarn, v.bug ? t("centreBug", { bug: v.bug }) : v.paused ? t("centrePaused") : "");
    setAttr(centreWarn, "class", v.bug ? "centre-warn bug" : "centre-warn");
    setText(summary, leader ? t("centreLeader", { id: leader.id, epoch: leader.currentEpoch }) : t("centreNoLeader"));
  }

  function placeCentre(n: number): void {
    // With few servers the lower cards reach the middle: lift the summary.
    const y = n <= 4 ? VIEW_H / 2 - 60 : VIEW_H / 2 - 14;
    setAttr(centreTitle, "y", y);
    setAttr(centreSub, "y", y + 30);
    setAttr(centreWarn, "y", y + 58);
  }

  function render(): void {
    const v = store.view;
    if (!v) return;
    const ids = v.nodes.map((n) => n.id);
    if (ids.join(",") !== layout.ids.join(",")) {
      relayout(ids);
      placeCentre(ids.length);
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
