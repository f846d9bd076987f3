// The space-time diagram: one vertical lane per server, time flowing down, an arrow per message
// from its send to its delivery (a dropped one ends in ✕, one still travelling is dashed),
// coloured and shaped as the cluster picture's messages; state and epoch changes are marked on
// the lanes. It shows a window of a few seconds read from GET /events: ending at the live edge,
// or around the moment the page shows from the past. PINGs are hidden by default.

import { getEvents } from "./api";
import type { Ctx } from "./ctx";
import { button, checkbox, clear, h, isHidden, s, select, setText } from "./dom";
import { schedule } from "./frame";
import { t, type Key } from "./i18n";
import { CATEGORY_STYLE, OKABE_ITO, packetCategory, packetLabel, type Category } from "./palette";
import { exportPng, exportSvg } from "./svgexport";
import type { ZEvent } from "./types";
import { zxidFull } from "./zxid";

const SPANS = [20, 100, 500, 1000, 2000, 5000, 10000, 30000];
const LIVE_REFRESH_MS = 600;
const TOP = 34;
const BOTTOM = 10;
const SIDE = 46;
const HEIGHT = 440;
/** Most arrows drawn (the newest are kept). */
const MAX_ARROWS = 1500;

const CAT_KEYS: [Category, Key][] = [
  ["election", "catElection"],
  ["discovery", "catDiscovery"],
  ["sync", "catSync"],
  ["broadcast", "catBroadcast"],
  ["request", "catRequest"],
  ["ping", "catPing"],
];

/** Choices survive a rebuild of the page. */
const opts = {
  span: 2000,
  shown: new Map<Category, boolean>(CAT_KEYS.map(([c]) => [c, c !== "ping"])),
};

/** A message of the window: its send, and its delivery or drop when they are in the window. */
export interface Arrow {
  id: number;
  packet: string;
  from: number;
  to: number;
  t0: number;
  t1: number;
  end: "deliver" | "drop" | "flight";
  send: ZEvent;
}

/** arrowsOf pairs the sends of a window with their deliveries and drops (by message id). */
export function arrowsOf(evs: ZEvent[]): Arrow[] {
  const byId = new Map<number, Arrow>();
  const out: Arrow[] = [];
  for (const e of evs) {
    if (e.msgId === undefined) continue;
    if (e.kind === "send") {
      const a: Arrow = { id: e.msgId, packet: e.packet ?? "", from: e.node ?? 0, to: e.peer ?? 0, t0: e.t, t1: e.at !== undefined && e.at > e.t ? e.at : e.t, end: "flight", send: e };
      byId.set(e.msgId, a);
      out.push(a);
    } else if (e.kind === "deliver" || e.kind === "drop") {
      const a = byId.get(e.msgId);
      if (!a) continue;
      a.end = e.kind;
      a.t1 = e.kind === "drop" ? Math.max(e.t, a.t0 + (a.t1 - a.t0) / 2) : e.t;
    }
  }
  return out;
}

export function diagramPanel(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  let evs: ZEvent[] = [];
  let win = { from: 0, to: 0 };
  let width = 640;
  let selected: Arrow | null = null;

  const defs = s("defs", {});
  for (const [c] of CAT_KEYS) {
    const col = CATEGORY_STYLE[c].colour;
    defs.append(s("marker", { id: `dg-arrow-${c}`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, s("path", { d: "M0,0L10,5L0,10Z", fill: col })));
  }
  const lanesG = s("g", {});
  const statesG = s("g", {});
  const arrowsG = s("g", {});
  const cursorG = s("g", {});
  const svg = s("svg", { class: "diagram-svg", role: "img", "aria-label": t("diagramLabel"), height: HEIGHT }, defs, lanesG, arrowsG, statesG, cursorG);
  const spanSel = select(SPANS.map((x) => [String(x), x < 1000 ? `${x} ms` : `${x / 1000} s`]), String(opts.span), { "aria-label": t("diagramSpan") });
  spanSel.addEventListener("change", () => {
    opts.span = Number(spanSel.value);
    void load();
  });
  const kinds = h("div", { class: "kind-groups", role: "group", "aria-label": t("diagramKinds") });
  for (const [c, key] of CAT_KEYS) {
    kinds.append(checkbox(t(key), opts.shown.get(c) ?? true, (on) => {
      opts.shown.set(c, on);
      schedule(render);
    }));
  }
  const exportBtn = button(t("exportSvg"), () => exportSvg(svg, "zablab-spacetime.svg"), { "aria-label": t("exportDiagram"), title: t("exportDiagram") });
  const exportPngBtn = button(t("exportPng"), () => void exportPng(svg, "zablab-spacetime.png"), { "aria-label": t("exportDiagramPng"), title: t("exportDiagramPng") });
  const windowLbl = h("span", { class: "diagram-window" });
  const detail = h("div", { class: "diagram-detail", role: "status", "aria-live": "polite" }, t("diagramHint"));
  const box = h("div", { class: "diagram-box" }, svg);

  const yOf = (ms: number) => TOP + ((ms - win.from) / Math.max(1, win.to - win.from)) * (HEIGHT - TOP - BOTTOM);

  function lanes(): Map<number, number> {
    const ids = store.view?.nodes.map((n) => n.id) ?? [];
    const m = new Map<number, number>();
    const step = ids.length > 1 ? (width - 2 * SIDE) / (ids.length - 1) : 0;
    ids.forEach((id, i) => m.set(id, ids.length > 1 ? SIDE + i * step : width / 2));
    return m;
  }

  function render(): void {
    if (isHidden(box)) return;
    width = Math.max(320, box.clientWidth || width);
    svg.setAttribute("width", String(width));
    svg.setAttribute("viewBox", `0 0 ${width} ${HEIGHT}`);
    clear(lanesG);
    clear(statesG);
    clear(arrowsG);
    clear(cursorG);
    const xs = lanes();
    for (const [id, x] of xs) {
      lanesG.append(
        s("line", { x1: x, x2: x, y1: TOP - 6, y2: HEIGHT - BOTTOM, stroke: "#8c8c8c", "stroke-width": 1.5 }),
        s("text", { x, y: 16, "text-anchor": "middle", class: "dg-lane-label", fill: "currentColor", "font-weight": "bold" }, `S${id}`),
      );
    }
    // Time marks on the left edge.
    const span = win.to - win.from;
    const tick = span <= 20 ? 2 : span <= 100 ? 10 : span <= 500 ? 50 : span <= 1000 ? 100 : span <= 2000 ? 250 : span <= 5000 ? 500 : span <= 10000 ? 1000 : 5000;
    for (let x = Math.ceil(win.from / tick) * tick; x <= win.to; x += tick) {
      const y = yOf(x);
      lanesG.append(s("line", { x1: 0, x2: 8, y1: y, y2: y, stroke: "#8c8c8c" }), s("text", { x: 2, y: y - 2, class: "dg-time", fill: "#5b6270", "font-size": 10 }, `${(x / 1000).toFixed(tick < 10 ? 3 : tick < 1000 ? 2 : 0)}s`));
    }
    let arrows = arrowsOf(evs).filter((a) => opts.shown.get(packetCategory(a.packet)) ?? true).filter((a) => xs.has(a.from) && xs.has(a.to));
    if (arrows.length > MAX_ARROWS) arrows = arrows.slice(arrows.length - MAX_ARROWS);
    const labels = arrows.length <= 60;
    for (const a of arrows) {
      const cat = packetCategory(a.packet);
      const st = CATEGORY_STYLE[cat];
      const x0 = xs.get(a.from)!;
      let x1 = xs.get(a.to)!;
      const y0 = yOf(a.t0);
      const y1 = yOf(Math.min(a.t1, win.to));
      if (a.end === "drop") x1 = x0 + (x1 - x0) / 2;
      const colour = st.colour;
      const g = s("g", {
        class: `dg-msg${selected && selected.id === a.id ? " sel" : ""}`,
        "data-packet": a.packet,
        "data-from": a.from,
        "data-to": a.to,
        "data-t0": a.t0,
        "data-t1": a.t1,
        "data-end": a.end,
        "data-zxid": a.send.zxid ?? "",
      });
      g.append(s("title", {}, `${a.packet} S${a.from} → S${a.to} · ${(a.t0 / 1000).toFixed(3)} s`));
      g.append(s("line", {
        x1: x0, y1: y0, x2: x1, y2: y1, stroke: colour, "stroke-width": cat === "ping" ? 1 : 1.6,
        "stroke-dasharray": a.end === "flight" ? "4 3" : cat === "ping" ? "2 2" : null,
        "marker-end": a.end === "deliver" ? `url(#dg-arrow-${cat === "other" ? "ping" : cat})` : null,
      }));
      g.append(s("path", { d: st.shape, transform: `translate(${x0},${y0}) scale(0.5)`, fill: st.hollow ? "#ffffff" : colour, stroke: colour, "stroke-width": 2 }));
      if (a.end === "drop") {
        g.append(s("path", { d: "M-5,-5L5,5M5,-5L-5,5", transform: `translate(${x1},${y1})`, stroke: OKABE_ITO.vermillion, "stroke-width": 2.5, fill: "none" }));
      }
      if (labels) {
        g.append(s("text", { x: (x0 + x1) / 2, y: (y0 + y1) / 2 - 3, "text-anchor": "middle", class: "dg-label", fill: colour, "font-size": 10 }, packetLabel(a.packet)));
      }
      // A wide invisible stroke makes thin arrows easy to click.
      g.append(s("line", { x1: x0, y1: y0, x2: x1, y2: y1, stroke: "transparent", "stroke-width": 9, class: "dg-hit" }));
      g.addEventListener("click", () => {
        selected = a;
        showDetail(a);
        schedule(render);
      });
      arrowsG.append(g);
    }
    // State and epoch changes on the lanes.
    for (const e of evs) {
      if (e.kind !== "state" && e.kind !== "epoch") continue;
      const x = xs.get(e.node ?? 0);
      if (x === undefined || e.t < win.from || e.t > win.to) continue;
      const y = yOf(e.t);
      const text = e.kind === "epoch" ? `e${e.epoch ?? ""}` : stateShort(e.state ?? "");
      const colour = e.kind === "epoch" ? OKABE_ITO.blue : stateColour(e.state ?? "");
      statesG.append(s("g", { class: "dg-state", "data-kind": e.kind },
        s("title", {}, e.kind === "epoch" ? `S${e.node} epoch ${e.epoch}` : `S${e.node} ${e.state} ${e.phase ?? ""}`),
        s("rect", { x: x - 4, y: y - 4, width: 8, height: 8, fill: colour, stroke: "#ffffff" }),
        s("text", { x: x > width - 90 ? x - 6 : x + 6, y: y + 4, fill: colour, "font-size": 10, "font-weight": "bold", "text-anchor": x > width - 90 ? "end" : "start" }, text)));
    }
    // The moment shown.
    const now = store.past ?? store.view?.timeMs ?? win.to;
    if (now >= win.from && now <= win.to) {
      const y = yOf(now);
      cursorG.append(s("line", { x1: 0, x2: width, y1: y, y2: y, stroke: OKABE_ITO.vermillion, "stroke-dasharray": "6 3" }));
    }
    setText(windowLbl, t("diagramWindow", { from: (win.from / 1000).toFixed(2), to: (win.to / 1000).toFixed(2) }));
    if (arrows.length === 0) arrowsG.append(s("text", { x: width / 2, y: HEIGHT / 2, "text-anchor": "middle", fill: "#5b6270" }, t("diagramEmpty")));
  }

  function showDetail(a: Arrow): void {
    clear(detail);
    const e = a.send;
    const rows: [string, string][] = [
      [t("msgType"), a.packet],
      [t("msgRoute"), `S${a.from} → S${a.to}`],
      [t("msgSent"), `${(a.t0 / 1000).toFixed(3)} s`],
      a.end === "deliver" ? [t("msgDelivered"), `${(a.t1 / 1000).toFixed(3)} s`] : a.end === "drop" ? [t("msgDropped"), `${(a.t1 / 1000).toFixed(3)} s`] : [t("msgInFlight", { time: ((e.at ?? a.t1) / 1000).toFixed(3) }), ""],
    ];
    if (e.zxid) rows.push([t("msgZxid"), zxidFull(e.zxid)]);
    if (e.vote) rows.push([t("msgVote"), t("msgVoteText", { leader: e.vote.leader, zxid: zxidFull(e.vote.zxid), epoch: e.vote.peerEpoch, round: e.vote.round })]);
    if (e.epoch) rows.push([t("msgEpoch"), String(e.epoch)]);
    const dl = h("dl", { class: "msg-fields" });
    for (const [k, v] of rows) dl.append(h("dt", {}, k), h("dd", {}, v));
    detail.append(dl, button(t("msgClose"), () => {
      selected = null;
      clear(detail);
      detail.append(t("diagramHint"));
      schedule(render);
    }));
  }

  let loading = false;
  let again = false;
  async function load(): Promise<void> {
    if (isHidden(box) || !store.view) return;
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    const past = store.past;
    const edge = Math.max(store.liveMs, past ?? 0);
    const to = past === null ? edge : Math.min(edge, past + opts.span / 4);
    const from = Math.max(0, to - opts.span);
    // Hidden PINGs are left out by the server: they are most of a busy window's messages.
    const hide = opts.shown.get("ping") ? [] : ["PING"];
    const r = await getEvents(store.room, from, to, ["send", "deliver", "drop", "state", "epoch"], 3, hide);
    loading = false;
    if (r.ok && r.result) {
      evs = r.result.events;
      win = { from, to };
      schedule(render);
    }
    if (again) {
      again = false;
      void load();
    }
  }

  // While the tape is dragged the moment changes several times a second: the diagram follows
  // once it rests (redrawing its arrows each time would take the frames the page needs).
  let settle = 0;
  const loadSoon = (): void => {
    window.clearTimeout(settle);
    settle = window.setTimeout(() => void load(), 250);
  };
  ctx.scope.add(() => window.clearTimeout(settle));
  ctx.scope.on(store, "past", loadSoon);
  ctx.scope.on(store, "reset", loadSoon);
  ctx.scope.on(store, "shown", (id) => {
    if (id === "diagram") schedule(() => void load());
  });
  // Built (again, after a language switch) while its tab is open: load once it is in the page.
  schedule(() => void load());
  const timer = window.setInterval(() => {
    if (store.past === null) void load();
  }, LIVE_REFRESH_MS);
  ctx.scope.add(() => clearInterval(timer));

  return h(
    "div",
    { class: "diagram" },
    h("div", { class: "diagram-bar" }, h("label", { class: "inline" }, t("diagramSpan"), " ", spanSel), windowLbl, exportBtn, exportPngBtn),
    kinds,
    box,
    detail,
  );
}

function stateShort(state: string): string {
  switch (state) {
    case "LEADING":
      return "★ LEADING";
    case "FOLLOWING":
      return "● FOLLOWING";
    case "LOOKING":
      return "? LOOKING";
    case "OBSERVING":
      return "◌ OBSERVING";
    case "DOWN":
      return "✕ DOWN";
  }
  return state;
}

function stateColour(state: string): string {
  switch (state) {
    case "LEADING":
      return OKABE_ITO.blue;
    case "FOLLOWING":
      return OKABE_ITO.bluishGreen;
    case "LOOKING":
      return OKABE_ITO.orange;
    case "DOWN":
      return OKABE_ITO.grey;
  }
  return OKABE_ITO.skyBlue;
}
