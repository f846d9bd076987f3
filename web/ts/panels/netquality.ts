// Network quality: latency, jitter and packet loss on every link or on one directed link (the
// engine's `net` command), set from the Network tab and shown on the links of the picture (a
// dashed lane and a small label such as "120 ms ±30 5% loss" wherever the settings differ
// from the timing's).

import type { ClusterPicture } from "../cluster";
import type { Ctx } from "../ctx";
import { button, clear, h, labelled, s, select, setText } from "../dom";
import { schedule } from "../frame";
import { t } from "../i18n";
import type { LinkNet, RoomView } from "../types";

const fmtMs = (us: number) => {
  const ms = us / 1000;
  return Number.isInteger(ms) ? String(ms) : ms.toFixed(1);
};

/** netLabel is the short text for a link's settings ("120 ms ±30 5% loss"). */
export function netLabel(n: LinkNet): string {
  const parts: string[] = [];
  if (n.latencyUs >= 0) parts.push(t("netLabelLatency", { ms: fmtMs(n.latencyUs) }));
  if (n.jitterUs >= 0) parts.push(t("netLabelJitter", { ms: fmtMs(n.jitterUs) }));
  if (n.lossPct > 0) parts.push(t("netLabelLoss", { pct: n.lossPct }));
  return parts.join(" ");
}

/** linkNets are the settings in force: per link, and the all-links one (from = to = 0). */
function linkNets(v: RoomView): LinkNet[] {
  const out = (v.links.links ?? []).slice();
  // Loss on all links may be set without a per-link entry (older runs, SetLoss).
  if (v.links.lossPct > 0 && !out.some((l) => l.from === 0)) out.push({ from: 0, to: 0, latencyUs: -1, jitterUs: -1, lossPct: v.links.lossPct });
  return out;
}

/** effective is what a directed link has now: its own entry, else the all-links one. */
function effective(v: RoomView, from: number, to: number): LinkNet | undefined {
  const nets = linkNets(v);
  return nets.find((l) => l.from === from && l.to === to) ?? nets.find((l) => l.from === 0);
}

/** The Network tab's link chooser: a click on a lane in the picture picks that link. */
let pickLink: ((from: number, to: number) => void) | null = null;

/**
 * drawLinkNet marks the links whose quality was changed in the cluster picture, and while the
 * Network tab is open makes each lane clickable to choose it (the selects stay the keyboard's
 * way to choose).
 */
export function drawLinkNet(ctx: Ctx, pic: ClusterPicture): void {
  let key = "";
  const hits = s("g", { class: "lane-hits" });
  pic.decor.after(hits);
  hits.addEventListener("click", (ev) => {
    const link = ev.target instanceof Element ? ev.target.getAttribute("data-link") : null;
    if (!link || !pickLink) return;
    const [a, b] = link.split(">").map(Number) as [number, number];
    pickLink(a, b);
  });
  let hitKey = "";
  pic.onRender((v) => {
    const on = ctx.store.tab === "network" && v.canControl;
    const k = on ? JSON.stringify([v.nodes.map((n) => n.id), ctx.lang]) : "";
    if (k === hitKey) return;
    hitKey = k;
    clear(hits);
    if (!on) return;
    for (const a of v.nodes) {
      for (const b of v.nodes) {
        const ln = a.id !== b.id ? pic.lane(a.id, b.id) : undefined;
        if (!ln) continue;
        hits.append(s("line", { x1: ln.x1.toFixed(1), y1: ln.y1.toFixed(1), x2: ln.x2.toFixed(1), y2: ln.y2.toFixed(1), class: "lane-hit", "data-link": `${a.id}>${b.id}` },
          s("title", {}, t("netPickLink", { from: a.id, to: b.id }))));
      }
    }
  });
  // Labels go above the cards (a short lane leaves no room between them); lines under them.
  const labels = s("g", { class: "net-labels" });
  pic.decor.ownerSVGElement?.append(labels);
  pic.onRender((v) => {
    const nets = linkNets(v);
    const k = JSON.stringify([nets, v.nodes.map((n) => n.id), ctx.lang]);
    if (k === key) return;
    key = k;
    clear(pic.decor);
    clear(labels);
    const ids = v.nodes.map((n) => n.id);
    for (const a of ids) {
      for (const b of ids) {
        if (a === b) continue;
        const n = effective(v, a, b);
        const ln = pic.lane(a, b);
        if (!n || !ln) continue;
        pic.decor.append(s("line", { x1: ln.x1.toFixed(1), y1: ln.y1.toFixed(1), x2: ln.x2.toFixed(1), y2: ln.y2.toFixed(1), class: `lane-net${n.lossPct > 0 ? " lossy" : ""}`, "data-link": `${a}>${b}` }));
        if (n.from === 0) continue; // one label for all links, below
        // The label sits beside the middle of its lane, on the lane's own side (a→b and b→a
        // have their lanes, and so their labels, on either side of the pair's axis).
        const dx = ln.x2 - ln.x1;
        const dy = ln.y2 - ln.y1;
        const len = Math.hypot(dx, dy) || 1;
        const x = (ln.x1 + ln.x2) / 2 - (dy / len) * 14;
        const y = (ln.y1 + ln.y2) / 2 + (dx / len) * 14 + 4;
        const text = netLabel(n);
        labels.append(s("g", { class: "net-label", "data-link": `${a}>${b}` },
          s("title", {}, t("netLinkTitle", { from: a, to: b, what: text })),
          s("text", { x: x.toFixed(1), y: y.toFixed(1), "text-anchor": "middle" }, `S${a}→S${b} ${text}`)));
      }
    }
    const all = nets.find((l) => l.from === 0);
    if (all) {
      labels.append(s("g", { class: "net-label all" },
        s("text", { x: 500, y: 400, "text-anchor": "middle" }, t("netAllLabel", { what: netLabel(all) }))));
    }
  });
}

/** netQualitySection is the Network tab's part for latency, jitter and loss. */
export function netQualitySection(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  const fromSel = select([["0", t("netAllLinks")]], "0", {});
  const toSel = select([], "", {});
  const latency = h("input", { type: "number", min: 0, max: 10000, step: 1, inputmode: "decimal", placeholder: "" });
  const jitter = h("input", { type: "number", min: 0, max: 10000, step: 1, inputmode: "decimal", placeholder: "" });
  const loss = h("input", { type: "number", min: 0, max: 100, step: 0.5, inputmode: "decimal", placeholder: "0" });
  const apply = button(t("netApply"), () => void send(false), { class: "primary" });
  const reset = button(t("netReset"), () => void send(true));
  const list = h("ul", { class: "net-list", "aria-live": "polite" });
  let ids = "";
  let listKey = "";

  function link(): [number, number] {
    const from = Number(fromSel.value);
    return from === 0 ? [0, 0] : [from, Number(toSel.value)];
  }

  /** fill shows the chosen link's settings in force (empty: the timing's). */
  function fill(): void {
    const v = store.view;
    if (!v) return;
    const [from, to] = link();
    toSel.disabled = from === 0 || !v.canControl;
    const n = from === 0 ? linkNets(v).find((l) => l.from === 0) : effective(v, from, to);
    latency.value = n && n.latencyUs >= 0 ? fmtMs(n.latencyUs) : "";
    jitter.value = n && n.jitterUs >= 0 ? fmtMs(n.jitterUs) : "";
    loss.value = n && n.lossPct > 0 ? String(n.lossPct) : "";
    latency.placeholder = fmtMs(v.timing.linkLatencyUs);
    jitter.placeholder = fmtMs(v.timing.linkJitterUs);
  }

  async function send(back: boolean): Promise<void> {
    const [from, to] = link();
    if (from !== 0 && from === to) {
      ctx.notify(t("sameServer"), "error");
      return;
    }
    const num = (el: HTMLInputElement, max: number): number | null | undefined => {
      if (el.value.trim() === "") return null;
      const x = Number(el.value);
      return Number.isFinite(x) && x >= 0 && x <= max ? x : undefined;
    };
    const lat = back ? null : num(latency, 10000);
    const jit = back ? null : num(jitter, 10000);
    const lp = back ? 0 : num(loss, 100);
    if (lat === undefined || jit === undefined || lp === undefined) {
      ctx.notify(t("netBadNumber"), "error");
      return;
    }
    const r = await ctx.run({
      cmd: "apply",
      command: { kind: "net", ...(from ? { from, to } : {}), latencyUs: lat === null ? -1 : Math.round(lat * 1000), jitterUs: jit === null ? -1 : Math.round(jit * 1000), lossPct: lp ?? 0 },
    });
    if (r.ok) ctx.notify(back ? t("netResetDone") : t("netApplied"));
  }

  function render(): void {
    const v = store.view;
    if (!v) return;
    const key = v.nodes.map((n) => n.id).join(",");
    if (key !== ids) {
      ids = key;
      const keepFrom = fromSel.value;
      const keepTo = toSel.value;
      clear(fromSel);
      fromSel.append(h("option", { value: "0" }, t("netAllLinks")));
      clear(toSel);
      for (const n of v.nodes) {
        fromSel.append(h("option", { value: String(n.id) }, `S${n.id}`));
        toSel.append(h("option", { value: String(n.id) }, `S${n.id}`));
      }
      fromSel.value = v.nodes.some((n) => String(n.id) === keepFrom) ? keepFrom : "0";
      toSel.value = v.nodes.some((n) => String(n.id) === keepTo) ? keepTo : String(v.nodes[1]?.id ?? 1);
      fill();
    }
    const nets = linkNets(v);
    const lk = JSON.stringify([nets, v.canControl]);
    if (lk !== listKey) {
      listKey = lk;
      clear(list);
      for (const n of nets) {
        const where = n.from === 0 ? t("netAllLinks") : `S${n.from} → S${n.to}`;
        const resetOne = () => void ctx.run({ cmd: "apply", command: { kind: "net", ...(n.from ? { from: n.from, to: n.to } : {}), latencyUs: -1, jitterUs: -1, lossPct: 0 } });
        list.append(h("li", {}, `${where}: ${netLabel(n)} `, button(t("netResetOne"), resetOne, { class: "small", "aria-label": t("netResetOneLabel", { where }), disabled: !v.canControl })));
      }
      if (nets.length === 0) list.append(h("li", { class: "muted" }, t("netNone", { latency: fmtMs(v.timing.linkLatencyUs), jitter: fmtMs(v.timing.linkJitterUs) })));
      if (![latency, jitter, loss].includes(document.activeElement as HTMLInputElement)) fill();
    }
    for (const el of [fromSel, latency, jitter, loss, apply, reset]) el.disabled = !v.canControl;
    toSel.disabled = !v.canControl || fromSel.value === "0";
    setText(apply, t("netApply"));
  }

  pickLink = (a, b) => {
    if (!store.canControl()) return;
    fromSel.value = String(a);
    toSel.value = String(b);
    fill();
    latency.focus();
  };
  ctx.scope.add(() => {
    pickLink = null;
  });
  fromSel.addEventListener("change", fill);
  toSel.addEventListener("change", fill);
  const later = () => schedule(render);
  ctx.scope.on(store, "view", later);
  ctx.scope.on(store, "reset", () => {
    ids = "";
    later();
  });
  render();

  const fields = h(
    "div",
    { class: "net-fields" },
    labelled(t("netLinkFrom"), fromSel, "field inline"),
    labelled(t("netLinkTo"), toSel, "field inline"),
    labelled(t("netLatency"), latency, "field inline"),
    labelled(t("netJitter"), jitter, "field inline"),
    labelled(t("netLoss"), loss, "field inline"),
  );
  return h(
    "div",
    { class: "net-quality", role: "group", "aria-labelledby": "netq-h" },
    h("h3", { id: "netq-h" }, t("netHeading")),
    h("p", { class: "hint" }, t("netHint")),
    fields,
    h("div", { class: "buttons" }, apply, reset),
    h("h4", {}, t("netInForce")),
    list,
  );
}
