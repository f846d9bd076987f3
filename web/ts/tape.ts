// The history tape: the room's whole run under the cluster, a colour band per epoch and a
// glyph per mark (elections, leaders, crashes, partitions, syncs, writes, violations). Dragging
// or clicking it, or the arrow keys, show a moment of the past on this page only (App's time
// travel); "Live" returns. "Replay the first election" walks through that election at a
// readable pace. The timeline is asked for again every few seconds and after a reset.

import { getEvents, getTimeline, type Mark, type Timeline } from "./api";
import { shareLink } from "./share";
import type { Ctx } from "./ctx";
import { button, clear, h, s, setAttr, setText } from "./dom";
import { schedule, scheduleAtMost } from "./frame";
import { currentLang, t, type Key } from "./i18n";
import { OKABE_ITO } from "./palette";
import type { ZEvent } from "./types";

/** How often the timeline is refreshed while the page is open, wall ms. */
const REFRESH_MS = 3000;
/** The replay's pace: one step (about one message) per this many wall ms. */
export const REPLAY_STEP_MS = 400;
/** Most steps a replay takes (a long election is sampled). */
const REPLAY_MAX_STEPS = 80;
const TAPE_H = 64;
const BAND_Y = 4;
const BAND_H = 14;

/** Epoch bands cycle through these (Okabe–Ito, light enough to draw glyphs over). */
const BAND_COLOURS = [OKABE_ITO.skyBlue, OKABE_ITO.orange, OKABE_ITO.bluishGreen, OKABE_ITO.reddishPurple, OKABE_ITO.yellow, OKABE_ITO.blue, OKABE_ITO.vermillion];

/** Rows of glyphs: elections; faults and lesson steps; data (syncs and writes). */
const ROW_Y = [32, 46, 60];

/**
 * Glyph, colour, row and name of each kind of mark (never colour alone); dx moves a glyph
 * beside its moment so an election and its winner close together both show.
 */
const KINDS: Record<string, { glyph: string; colour: string; key: Key; row: number; anchor?: "start" | "end" }> = {
  election: { glyph: "?", colour: OKABE_ITO.orange, key: "markElection", row: 0, anchor: "end" },
  leader: { glyph: "★", colour: OKABE_ITO.blue, key: "markLeader", row: 0, anchor: "start" },
  epoch: { glyph: "|", colour: OKABE_ITO.blue, key: "markEpoch", row: 0 },
  crash: { glyph: "✕", colour: OKABE_ITO.vermillion, key: "markCrash", row: 1 },
  restart: { glyph: "↻", colour: OKABE_ITO.bluishGreen, key: "markRestart", row: 1 },
  start: { glyph: "▸", colour: OKABE_ITO.bluishGreen, key: "markStart", row: 1 },
  partition: { glyph: "⫽", colour: OKABE_ITO.reddishPurple, key: "markPartition", row: 1 },
  heal: { glyph: "∞", colour: OKABE_ITO.bluishGreen, key: "markHeal", row: 1 },
  link: { glyph: "⌁", colour: OKABE_ITO.reddishPurple, key: "markLink", row: 1 },
  violation: { glyph: "!", colour: OKABE_ITO.vermillion, key: "markViolation", row: 1 },
  lesson: { glyph: "⚑", colour: OKABE_ITO.reddishPurple, key: "markLesson", row: 1 },
  sync: { glyph: "■", colour: OKABE_ITO.bluishGreen, key: "markSync", row: 2, anchor: "end" },
  write: { glyph: "▲", colour: OKABE_ITO.blue, key: "markWrite", row: 2, anchor: "start" },
};

/** Events a person can see: stepping one event skips timers and PINGs. */
export const VISIBLE_KINDS = ["state", "vote", "decided", "send", "deliver", "drop", "epoch", "propose", "logged", "acked", "commit", "syncMode", "truncated", "snapshot", "client", "links", "violation"];

function visible(e: ZEvent): boolean {
  return !(e.packet === "PING" || e.packet === "REVALIDATE");
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** markName is a mark's text as the tape names it. */
export function markName(m: Mark): string {
  const kind = KINDS[m.kind];
  const what = kind ? t(kind.key) : m.kind;
  const more = m.kind === "write" && m.count && m.count > 1 ? ` (${t("writesMerged", { n: m.count })})` : "";
  return `${secs(m.t)} s · ${what}: ${m.text}${more}`;
}

/** pastBanner says that this page shows the past, with the way back to the present. */
export function pastBanner(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  const text = h("strong", {});
  const note = h("span", { class: "past-note" }, t("pastNote"));
  const live = button(t("goLive"), () => ctx.travel.live(), { class: "primary", "aria-label": t("goLiveLabel") });
  const forkHere = button(t("forkHere"), () => void ctx.travel.fork(false), { "aria-label": t("forkHereLabel"), title: t("forkHereLabel") });
  const forkBox = button(t("forkSandbox"), () => void ctx.travel.fork(true));
  // Copy link: this run at this moment, for anyone (the link is also shown, to copy by hand).
  const linkOut = h("input", { class: "share-link", readonly: "", "aria-label": t("shareLinkLabel") }) as HTMLInputElement;
  linkOut.hidden = true;
  const share = button(t("copyLink"), () => {
    const p = store.past;
    if (p === null) return;
    void shareLink(store.room, p).then(
      async (link) => {
        linkOut.value = link;
        linkOut.hidden = false;
        linkOut.select();
        try {
          await navigator.clipboard.writeText(link);
          ctx.notify(t("linkCopied"));
        } catch {
          ctx.notify(t("linkShown"));
        }
      },
      (err: unknown) => ctx.notify(t("shareFailed", { error: String(err) }), "error"),
    );
  }, { "aria-label": t("copyLinkLabel") });
  const el = h("div", { class: "past-banner", role: "region", "aria-label": t("tapeHeading") }, h("span", { class: "past-text", role: "status" }, text, " — ", note), live, forkHere, forkBox, share, linkOut);
  function render(): void {
    const p = store.past;
    el.hidden = p === null;
    if (p === null) return;
    // It stays in sight under the sticky top bar while the page scrolls.
    const bar = document.querySelector<HTMLElement>(".topbar");
    el.style.top = `${bar ? bar.offsetHeight : 0}px`;
    setText(text, t("pastBanner", { time: secs(p) }));
    // A student who scrubbed away from the class goes back to it.
    setText(live, store.student ? t("backToClass") : t("goLive"));
    live.setAttribute("aria-label", store.student ? t("backToClass") : t("goLiveLabel"));
    const can = store.canControl();
    forkHere.hidden = !can;
    forkBox.hidden = can;
  }
  ctx.scope.on(store, "past", () => schedule(render));
  ctx.scope.on(store, "view", () => schedule(render));
  render();
  return el;
}

/** tapePanel builds the tape with its buttons. */
export function tapePanel(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  let tl: Timeline = { start: 0, end: 0, marks: [] };
  let width = 600;
  /** The position shown: the moment of the past, or the live edge. */
  const pos = () => (store.past !== null ? store.past : store.view?.timeMs ?? 0);
  const end = () => Math.max(tl.end, store.past === null ? store.view?.timeMs ?? 0 : 0, 1);
  const xOf = (ms: number) => 6 + ((ms - tl.start) / Math.max(1, end() - tl.start)) * (width - 12);
  const tOf = (x: number) => Math.min(end(), Math.max(tl.start, tl.start + ((x - 6) / Math.max(1, width - 12)) * (end() - tl.start)));

  const bands = s("g", { class: "tape-bands" });
  const marks = s("g", { class: "tape-marks" });
  const cursor = s("line", { class: "tape-cursor", y1: 0, y2: TAPE_H });
  const handle = s("path", { class: "tape-handle", d: "M-6,0H6L0,8Z" });
  const cursorG = s("g", {}, cursor, handle);
  const svg = s("svg", { class: "tape-svg", height: TAPE_H, "aria-hidden": "true" }, bands, marks, cursorG);
  const tip = h("div", { class: "tape-tip", role: "tooltip", id: "tape-tip" });
  tip.hidden = true;
  const slider = h("div", {
    class: "tape",
    role: "slider",
    tabindex: 0,
    "aria-label": t("tapeLabel"),
    "aria-valuemin": 0,
    "aria-keyshortcuts": "ArrowLeft ArrowRight Shift+ArrowLeft Shift+ArrowRight Home End",
    "aria-describedby": "tape-tip",
  }, svg, tip);
  const startLbl = h("span", { class: "tape-start" }, "0 s");
  const posLbl = h("span", { class: "tape-pos" });
  const endLbl = h("span", { class: "tape-end" });
  const replay = button(t("replayElection"), () => (playing ? stopReplay() : void replayFirstElection()));
  // The run as a file: download it, or open one (it becomes a new sandbox, paused at its end).
  const download = h("a", { class: "button", href: `/api/rooms/${encodeURIComponent(store.room)}/run`, download: `zablab-${store.room}.run.json`, "aria-label": t("downloadRunLabel") }, t("downloadRun"));
  const fileIn = h("input", { type: "file", accept: ".json,.gz,application/json", hidden: "", "aria-label": t("openRunLabel") }) as HTMLInputElement;
  const open = button(t("openRun"), () => fileIn.click(), { "aria-label": t("openRunLabel") });
  fileIn.addEventListener("change", () => {
    const f = fileIn.files?.[0];
    if (!f) return;
    void fetch("/api/runs", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: f })
      .then(async (res) => {
        const body = (await res.json()) as { url?: string; error?: string };
        if (!res.ok || !body.url) throw new Error(body.error ?? String(res.status));
        location.assign(body.url);
      })
      .catch((err: unknown) => ctx.notify(t("openRunFailed", { error: String(err) }), "error"))
      .finally(() => (fileIn.value = ""));
  });
  const live = button(t("goLive"), () => {
    stopReplay();
    ctx.travel.live();
  }, { "aria-label": t("goLiveLabel"), class: "tape-live" });

  // ---- drawing ----

  function renderBands(): void {
    clear(bands);
    const epochs = tl.marks.filter((m) => m.kind === "epoch");
    const stops = [{ t: tl.start, n: 0 }, ...epochs.map((m, i) => ({ t: m.t, n: epochNumber(m) ?? i + 1 }))];
    stops.forEach((st, i) => {
      const x0 = xOf(st.t);
      const x1 = xOf(i + 1 < stops.length ? stops[i + 1]!.t : end());
      if (x1 - x0 < 0.5) return;
      const colour = st.n === 0 ? "var(--lane)" : BAND_COLOURS[(st.n - 1) % BAND_COLOURS.length]!;
      const label = st.n === 0 ? "" : t("epochBand", { n: st.n });
      bands.append(s("rect", { x: x0.toFixed(1), y: BAND_Y, width: (x1 - x0).toFixed(1), height: BAND_H, fill: colour, class: "tape-band" }, s("title", {}, label)));
      if (label && x1 - x0 > 56) bands.append(s("text", { x: (x0 + 4).toFixed(1), y: BAND_Y + 11, class: "tape-band-label" }, label));
    });
  }

  function renderMarks(): void {
    clear(marks);
    // One glyph per kind and pixel column: an hour of marks stays a few hundred elements.
    const seen = new Set<string>();
    for (const m of tl.marks) {
      if (m.kind === "epoch") continue;
      const k = KINDS[m.kind];
      if (!k) continue;
      const x = xOf(m.t);
      const key = `${m.kind}:${Math.round(x / 3)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const y = ROW_Y[k.row]!;
      if (k.row === 2) {
        marks.append(s("line", { x1: x.toFixed(1), x2: x.toFixed(1), y1: BAND_Y + BAND_H + 2, y2: TAPE_H - 2, stroke: k.colour, class: "tape-tick" }));
      }
      const gx = k.anchor === "end" ? x + 1 : k.anchor === "start" ? x - 1 : x;
      marks.append(s("text", { x: gx.toFixed(1), y, fill: k.colour, class: `tape-glyph k-${m.kind}`, "text-anchor": k.anchor ?? "middle" }, k.glyph));
    }
  }

  function renderCursor(): void {
    const p = pos();
    const x = xOf(p);
    cursorG.setAttribute("transform", `translate(${x.toFixed(1)},0)`);
    cursorG.setAttribute("class", store.past !== null ? "tape-cur past" : "tape-cur");
    const m = markAt(p);
    const text = store.past !== null ? t("tapeValue", { time: secs(p) }) : t("tapeLive", { time: secs(p) });
    setAttr(slider, "aria-valuemax", Math.round(end()));
    setAttr(slider, "aria-valuenow", Math.round(p));
    setAttr(slider, "aria-valuetext", m ? `${text} — ${markName(m)}` : text);
    setText(posLbl, text);
    setText(endLbl, `${secs(end())} s`);
    live.hidden = store.past === null;
    if (document.activeElement === slider && m) showTip(m, x);
  }

  function render(): void {
    width = Math.max(100, slider.clientWidth || width);
    svg.setAttribute("width", String(width));
    renderBands();
    renderMarks();
    renderCursor();
  }

  function epochNumber(m: Mark): number | null {
    const x = /epoch\D*(\d+)/i.exec(m.text);
    return x ? Number(x[1]) : null;
  }

  /** markAt is the mark at exactly this moment (as stepping by marks lands). */
  function markAt(ms: number): Mark | undefined {
    return tl.marks.find((m) => Math.abs(m.t - ms) < 0.0005);
  }

  function nearestMark(x: number): Mark | undefined {
    let best: Mark | undefined;
    let bd = 7;
    for (const m of tl.marks) {
      const d = Math.abs(xOf(m.t) - x);
      if (d < bd) {
        bd = d;
        best = m;
      }
    }
    return best;
  }

  function showTip(m: Mark, x: number): void {
    setText(tip, markName(m));
    tip.hidden = false;
    tip.style.left = `${Math.max(0, Math.min(width - 260, x - 130))}px`;
  }

  // ---- data ----

  let loading = false;
  async function refresh(): Promise<void> {
    if (loading) return;
    loading = true;
    const r = await getTimeline(store.room, currentLang());
    loading = false;
    if (r.ok && r.result) {
      tl = r.result;
      schedule(render);
    }
  }

  // ---- moving ----

  let inFlight = false;
  let wanted: number | null = null;
  let lastGo = 0;
  let later = 0;
  /** SCRUB_EVERY_MS paces the moments shown while dragging: each redraws every panel, and
   * a person cannot follow more than a few a second anyway; the last one always shows. */
  const SCRUB_EVERY_MS = 150;
  /** scrub asks for a moment; while a request is out only the latest wish is kept. */
  function scrub(ms: number): void {
    wanted = ms;
    if (inFlight || later) return;
    const wait = SCRUB_EVERY_MS - (performance.now() - lastGo);
    if (wait > 0) {
      later = window.setTimeout(() => {
        later = 0;
        if (wanted !== null) scrub(wanted);
      }, wait);
      return;
    }
    inFlight = true;
    lastGo = performance.now();
    const go = wanted;
    wanted = null;
    void ctx.travel.goto(go).finally(() => {
      inFlight = false;
      if (wanted !== null) scrub(wanted);
    });
  }

  /** stepEvent moves to the next (dir 1) or previous (-1) event a person can see. */
  async function stepEvent(dir: 1 | -1): Promise<void> {
    const p = pos();
    const e = end();
    let span = 2000;
    for (let i = 0; i < 4; i++) {
      const from = dir > 0 ? p + 0.001 : Math.max(tl.start, p - span);
      const to = dir > 0 ? Math.min(e, p + span) : p - 0.001;
      if (to < from) break;
      const r = await getEvents(store.room, from, to, VISIBLE_KINDS, 2);
      if (!r.ok || !r.result) return;
      const evs = r.result.events.filter(visible).filter((x) => (dir > 0 ? x.t > p : x.t < p));
      const hit = dir > 0 ? evs[0] : evs[evs.length - 1];
      if (hit) {
        await ctx.travel.goto(hit.t);
        return;
      }
      span *= 4;
    }
    ctx.notify(t("noNextEvent"));
  }

  function stepMark(dir: 1 | -1): void {
    const p = pos();
    const list = tl.marks;
    const m = dir > 0 ? list.find((x) => x.t > p + 0.0005) : [...list].reverse().find((x) => x.t < p - 0.0005);
    if (m) scrub(m.t);
    else if (dir > 0) {
      stopReplay();
      ctx.travel.live();
    }
  }

  slider.addEventListener("keydown", (ev: KeyboardEvent) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const dir = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
    if (dir) {
      ev.preventDefault();
      stopReplay();
      if (ev.shiftKey) stepMark(dir);
      else void stepEvent(dir);
    } else if (ev.key === "Home") {
      ev.preventDefault();
      stopReplay();
      scrub(tl.start);
    } else if (ev.key === "End") {
      ev.preventDefault();
      stopReplay();
      ctx.travel.live();
    }
  });

  let dragging = false;
  const xIn = (ev: PointerEvent) => ev.clientX - slider.getBoundingClientRect().left;
  slider.addEventListener("pointerdown", (ev: PointerEvent) => {
    if (ev.button !== 0) return;
    dragging = true;
    stopReplay();
    slider.setPointerCapture(ev.pointerId);
    scrub(tOf(xIn(ev)));
  });
  slider.addEventListener("pointermove", (ev: PointerEvent) => {
    const x = xIn(ev);
    if (dragging) scrub(tOf(x));
    const m = nearestMark(x);
    if (m) showTip(m, xOf(m.t));
    else if (document.activeElement !== slider || !markAt(pos())) tip.hidden = true;
  });
  const endDrag = () => {
    dragging = false;
  };
  slider.addEventListener("pointerup", endDrag);
  slider.addEventListener("pointercancel", endDrag);
  slider.addEventListener("pointerleave", () => {
    if (!dragging) tip.hidden = true;
  });
  slider.addEventListener("blur", () => {
    tip.hidden = true;
  });

  // ---- replaying the first election ----

  let playing = false;
  let playTimer = 0;
  function stopReplay(): void {
    if (!playing) return;
    playing = false;
    clearTimeout(playTimer);
    setText(replay, t("replayElection"));
    replay.setAttribute("aria-pressed", "false");
  }

  async function replayFirstElection(): Promise<void> {
    if (tl.marks.length === 0) await refresh();
    const el = tl.marks.find((m) => m.kind === "election");
    if (!el) {
      ctx.notify(t("noElection"));
      return;
    }
    const won = tl.marks.find((m) => m.kind === "leader" && m.t >= el.t);
    const stop = won ? won.t : Math.min(end(), el.t + 5000);
    playing = true;
    setText(replay, t("stopReplay"));
    replay.setAttribute("aria-pressed", "true");
    ctx.notify(t("replaying"));
    const r = await getEvents(store.room, el.t, stop, ["state", "vote", "decided", "deliver", "epoch"], 3);
    if (!playing) return;
    // One step per vote delivered or state changed, at a pace a person can follow.
    let times = Array.from(new Set((r.result?.events ?? []).filter((e) => e.kind !== "deliver" || e.packet === "NOTIFICATION").map((e) => e.t)));
    if (times.length > REPLAY_MAX_STEPS) {
      const k = times.length / REPLAY_MAX_STEPS;
      times = Array.from({ length: REPLAY_MAX_STEPS }, (_, i) => times[Math.floor(i * k)]!);
    }
    if (times[times.length - 1] !== stop) times.push(stop);
    let i = 0;
    const next = async () => {
      if (!playing) return;
      const at = times[i++];
      if (at === undefined) {
        stopReplay();
        return;
      }
      await ctx.travel.goto(at);
      if (playing) playTimer = window.setTimeout(() => void next(), REPLAY_STEP_MS);
    };
    await next();
  }

  // ---- wiring ----

  // While live the tape grows: redraw it (bands and marks move left) a few times a second.
  ctx.scope.on(store, "view", () => (store.past === null ? scheduleAtMost(render, 500) : schedule(renderCursor)));
  ctx.scope.on(store, "past", () => schedule(renderCursor));
  ctx.scope.on(store, "reset", () => {
    if (store.past === null) void refresh();
  });
  // An event that makes a mark (a crash, a new leader, an epoch, a partition, a sync, a
  // violation) brings the marks in soon, not at the next periodic refresh.
  const MARKING = new Set(["state", "epoch", "links", "syncMode", "violation"]);
  let soon = 0;
  ctx.scope.on(store, "events", (evs) => {
    if (soon || store.past !== null || !evs.some((e) => MARKING.has(e.kind) && e.seq > store.replayUpTo)) return;
    soon = window.setTimeout(() => {
      soon = 0;
      void refresh();
    }, 300);
  });
  ctx.scope.add(() => clearTimeout(soon));
  const timer = window.setInterval(() => void refresh(), REFRESH_MS);
  ctx.scope.add(() => clearInterval(timer));
  ctx.scope.add(() => stopReplay());
  const ro = new ResizeObserver(() => schedule(render));
  ro.observe(slider);
  ctx.scope.add(() => ro.disconnect());
  void refresh();

  return h(
    "section",
    { class: "card tape-card", "aria-labelledby": "tape-h" },
    h("div", { class: "card-head" }, h("h2", { id: "tape-h" }, t("tapeHeading")), h("span", { class: "tape-hint" }, t("tapeHint")), h("div", { class: "buttons" }, replay, live, download, open, fileIn)),
    slider,
    h("div", { class: "tape-axis", "aria-hidden": "true" }, startLbl, posLbl, endLbl),
  );
}
