// The application: connects the socket to the store, keeps the simulated clock, and builds the
// page inside #app. A language switch rebuilds the page: every string, event sentence and
// reason is rendered anew from the catalogue (the socket carries no language).

import { describeEvent } from "./reasons";
import { fork, getAt, getView, sendREST } from "./api";
import { SimClock } from "./clock";
import { clusterPicture } from "./cluster";
import { slowMotionPref, statusLine, topBar } from "./controls";
import type { Ctx, TimeTravel } from "./ctx";
import { diagramPanel } from "./diagram";
import { exportPng, exportSvg } from "./svgexport";
import { momentOfLink, openSharedRun } from "./share";
import { classPanel, isClassMsg, teacherPanel, type ClassMsg } from "./classroom";
import { pastBanner, tapePanel } from "./tape";
import { button, h, storedGet, storedSet } from "./dom";
import { onFrame, startFrames } from "./frame";
import { setLang, t, t as tr, type Lang } from "./i18n";
import { MessageLayer } from "./messages";
import { attachDotInfo, installPopover } from "./msginfo";
import { clientPanel } from "./panels/client";
import { eventsPanel } from "./panels/events";
import { leaderPanel } from "./panels/leader";
import { lessonBanner } from "./panels/lesson";
import { legend } from "./panels/legend";
import { logsPanel } from "./panels/logs";
import { draftFromRules, networkPanel } from "./panels/network";
import { drawLinkNet } from "./panels/netquality";
import { serversPanel } from "./panels/servers";
import { setupPanel } from "./panels/setup";
import { tabs } from "./panels/tabs";
import { treePanel } from "./panels/tree";
import { votesPanel } from "./panels/votes";
import { banners } from "./panels/violations";
import { autopilotBanner, autopilotPanel } from "./panels/autopilot";
import { LOG_KEEP, Scope, Store } from "./store";
import type { Command, CommandResult, RoomView, ServerMsg, ZEvent } from "./types";
import { Socket } from "./ws";

const LARGE_KEY = "zablab.large";

export interface AppOptions {
  /** The lesson page: a lesson column built beside the cluster on every mount. */
  aside?: (ctx: Ctx) => HTMLElement;
}
/** Events asked for when the page opens. */
const REPLAY_ON_START = 400;

/** A step forward in the past at most this long (simulated ms) animates its messages. */
const STEP_ANIMATE_MS = 2000;

/** The present, kept aside while the page shows the past (the socket keeps it current). */
interface Present {
  view: RoomView | null;
  log: ZEvent[];
  lastSeq: number;
}

export class App {
  readonly store: Store;
  readonly clock = new SimClock();
  private socket: Socket;
  private scope = new Scope();
  private messages: MessageLayer | null = null;
  private notice = statusLine();
  private large: boolean;
  private detailTab = "leader";
  /** The first event batch after a (re)connect may replay older events. */
  private justConnected = false;
  /** Receivers of classroom messages (the question card). */
  private classListeners: ((m: ClassMsg) => void)[] = [];
  /** Set while the page shows the past. */
  private present: Present | null = null;
  /** Numbers the /at requests: only the latest one is shown. */
  private pastReq = 0;
  private travel: TimeTravel = {
    goto: (t) => this.gotoPast(t),
    live: () => this.goLive(),
    fork: (sandbox) => this.forkHere(sandbox),
  };

  constructor(
    private root: HTMLElement,
    room: string,
    private lang: Lang,
    private opts: AppOptions = {},
  ) {
    this.store = new Store(room);
    this.large = storedGet(LARGE_KEY) === "1";
    window.__zablab = {
      frames: 0,
      lastView: null,
      connected: false,
      events: 0,
      clock: () => ({ sim: this.clock.now(performance.now()), rate: this.clock.speed, paused: this.clock.paused }),
    };
    this.socket = new Socket(room, {
      onMessage: (m) => this.onMessage(m),
      onOpen: () => {
        this.justConnected = true;
        this.setConn(true);
      },
      onClose: () => this.setConn(false),
      lastSeq: () => this.store.lastSeq,
    });
  }

  start(): void {
    // ?embed=1: the picture, the tape and the diagram without the lab's chrome (an iframe on a
    // course page; commands there need the room's token, so a framed lab is read-only).
    if (new URLSearchParams(location.search).get("embed") === "1") document.body.classList.add("embed");
    this.applyLarge();
    this.mount();
    startFrames();
    onFrame((wall) => this.messages?.frame(wall));
    // The view first (a first paint), then the socket, asking for the recent events so the
    // log starts full; those replayed events are not animated.
    // A shared link carrying a run opens it in a new sandbox (the page then goes there).
    void openSharedRun().catch((err: unknown) => this.notify(t("shareOpenFailed", { error: String(err) }), "error"));
    void getView(this.store.room).then((r) => {
      if (r.ok && r.result) {
        if (!this.store.view) this.setView(r.result, false);
        this.store.replayUpTo = r.result.eventSeq;
        this.socket.connect(Math.max(0, r.result.eventSeq - REPLAY_ON_START));
        // A shared link to a moment (#t=MS) opens there.
        const at = momentOfLink();
        if (at !== null && !/(?:^#|&)run=/.test(location.hash)) void this.gotoPast(at);
      } else {
        this.notify(t("roomUnavailable", { error: r.error ?? "" }), "error");
        this.socket.connect();
      }
    });
    document.addEventListener("keydown", (ev) => this.shortcut(ev));
  }

  private setConn(open: boolean): void {
    const g = window.__zablab;
    if (g) g.connected = open;
    this.store.conn = open ? "live" : "reconnecting";
    this.store.emit("conn", this.store.conn);
  }

  private onMessage(m: ServerMsg): void {
    const wall = performance.now();
    if (isClassMsg(m)) {
      for (const fn of this.classListeners) fn(m);
      return;
    }
    if (this.present) {
      this.keepPresent(m);
      return;
    }
    switch (m.type) {
      case "view":
        if (m.view) this.setView(m.view, this.isNewCluster(m.view));
        break;
      case "reset":
        if (m.view) this.setView(m.view, true);
        break;
      case "events":
        this.onEvents(m.events ?? [], wall);
        if (m.view) this.setView(m.view, this.isNewCluster(m.view));
        break;
    }
  }

  /** keepPresent follows the live room while the page shows the past. */
  private keepPresent(m: ServerMsg): void {
    const p = this.present!;
    if (m.type !== "view" && m.type !== "reset" && m.type !== "events") return;
    if (m.type === "events" && m.events && m.events.length > 0) {
      if (m.events[0]!.seq < p.lastSeq && !this.justConnected) p.log.length = 0;
      this.justConnected = false;
      p.log.push(...m.events.filter((e) => e.seq > p.lastSeq));
      if (p.log.length > LOG_KEEP + 500) p.log.splice(0, p.log.length - LOG_KEEP);
      p.lastSeq = m.events[m.events.length - 1]!.seq;
    }
    if (m.type === "events" && m.events && m.events.length > 0) this.store.liveMs = m.events[m.events.length - 1]!.t;
    if (m.view) {
      this.store.liveMs = m.view.timeMs;
      if (p.view && p.view.generation !== m.view.generation) p.log.length = 0;
      p.view = m.view;
      if (m.type !== "events") p.lastSeq = m.view.eventSeq;
    }
  }

  /** gotoPast shows the room as it was at t, on this page only. */
  private async gotoPast(t: number): Promise<boolean> {
    const req = ++this.pastReq;
    const r = await getAt(this.store.room, t);
    if (req !== this.pastReq) return false;
    if (!r.ok || !r.result) {
      this.notify(tr("pastFailed", { error: r.error ?? "?" }), "error");
      return false;
    }
    const { events, ...view } = r.result;
    const prev = this.store.past;
    if (!this.present) {
      this.present = { view: this.store.view, log: this.store.log.slice(), lastSeq: this.store.lastSeq };
      this.messages?.clear();
    }
    const live = this.present.view;
    // Pause and speed stay the live room's (the run controls act on it); the clock stands.
    const shown: RoomView = { ...view, paused: live?.paused ?? true, speed: live?.speed ?? 1 };
    this.store.past = view.timeMs;
    this.store.log.length = 0;
    this.store.log.push(...events);
    this.store.replayUpTo = Number.MAX_SAFE_INTEGER;
    this.setView(shown, true, true);
    this.showMessages(events, prev, view.timeMs);
    this.store.emit("past", view.timeMs);
    return true;
  }

  /**
   * showMessages draws the messages of a moment of the past: a short step forward animates
   * what happened since the previous moment (a replay shows each vote travel); a jump shows
   * the messages in flight at that moment.
   */
  private showMessages(events: ZEvent[], prev: number | null, at: number): void {
    const layer = this.messages;
    if (!layer) return;
    const wall = performance.now();
    const moving = (e: ZEvent) => e.kind === "send" || e.kind === "deliver" || e.kind === "drop";
    if (prev !== null && at >= prev && at - prev <= STEP_ANIMATE_MS) {
      layer.onEvents(events.filter((e) => moving(e) && e.t > prev), wall);
      return;
    }
    layer.clear();
    const ended = new Set<number>();
    for (const e of events) if ((e.kind === "deliver" || e.kind === "drop") && e.msgId !== undefined) ended.add(e.msgId);
    layer.onEvents(events.filter((e) => e.kind === "send" && e.msgId !== undefined && !ended.has(e.msgId) && (e.at ?? e.t) > at), wall);
  }

  /** goLive returns to the present kept aside. */
  private goLive(): void {
    const p = this.present;
    if (!p) return;
    this.pastReq++;
    this.present = null;
    this.store.past = null;
    this.store.log.length = 0;
    this.store.log.push(...p.log);
    this.store.replayUpTo = p.lastSeq;
    this.messages?.clear();
    if (p.view) {
      this.setView(p.view, true, true);
      this.store.lastSeq = Math.max(p.lastSeq, p.view.eventSeq);
    }
    this.store.emit("past", null);
  }

  /** forkHere continues the room from the moment shown, or opens a sandbox started there. */
  private async forkHere(sandbox: boolean): Promise<void> {
    const at = this.store.past;
    if (at === null) return;
    const r = await fork(this.store.room, at, sandbox);
    if (!r.ok || !r.result) {
      this.notify(tr("forkFailed", { error: r.error ?? r.code ?? "?" }), "error");
      return;
    }
    if (sandbox) {
      if (r.result.url) location.assign(r.result.url);
      return;
    }
    // The room now continues from the moment shown: the present is that view.
    this.pastReq++;
    this.present = null;
    this.store.past = null;
    this.forgetCluster(at, performance.now());
    this.setView({ ...(this.store.view ?? r.result), ...r.result, canControl: true }, true);
    this.store.emit("past", null);
    this.notify(tr("forked", { time: (at / 1000).toFixed(3) }));
  }

  /** isNewCluster: the room got a new cluster (reset, a lesson's start, back or goto). */
  private isNewCluster(v: RoomView): boolean {
    const old = this.store.view;
    if (!old) return false;
    return old.generation !== v.generation;
  }

  private setView(v: RoomView, fresh: boolean, travel = false): void {
    const wall = performance.now();
    const first = this.store.view === null;
    this.store.view = v;
    if (this.present === null) this.store.liveMs = v.timeMs;
    const g = window.__zablab;
    if (g) g.lastView = v;
    const rate = v.pace?.rate ?? v.speed;
    this.clock.configure(v.paused || this.present !== null, rate, wall);
    if (first && v.canControl && v.pace && v.pace.slowMotion !== slowMotionPref()) {
      // This browser's choice of slow motion applies to a room it controls.
      void this.run({ cmd: "slowmotion", on: slowMotionPref() });
    }
    if (fresh || first) {
      if (!first && !travel && this.store.generation !== v.generation) {
        // A new cluster: its events are all new, whatever their numbers (animate them).
        this.store.replayUpTo = 0;
        this.store.log.length = 0;
      }
      this.store.generation = v.generation;
      this.store.lastSeq = v.eventSeq;
      this.clock.reset(v.timeMs, wall);
      this.clock.configure(v.paused || this.present !== null, rate, wall);
      if (!travel) this.messages?.clear();
      if (!this.store.selected || !this.store.node(this.store.selected)) this.store.selected = v.leader || v.nodes[0]?.id || 0;
      draftFromRules(this.ctx(), v);
      if ((fresh && !first) || travel) this.store.emit("reset", v);
    } else {
      this.clock.observe(v.timeMs, wall);
    }
    this.store.emit("view", v);
  }

  private onEvents(evs: ZEvent[], wall: number): void {
    if (evs.length === 0) return;
    const last = evs[evs.length - 1]!;
    const replayPossible = this.justConnected;
    this.justConnected = false;
    if (!replayPossible && evs[0]!.seq < this.store.lastSeq) {
      // Numbers went back outside a replay: the room got a new cluster.
      this.forgetCluster(evs[0]!.t, wall);
    }
    // Replayed events (asked for when the page opened) only refill the log.
    const fresh = evs.filter((e) => e.seq > this.store.replayUpTo);
    this.store.remember(evs);
    this.store.lastSeq = last.seq;
    const g = window.__zablab;
    if (g) g.events += fresh.length;
    this.clock.observe(last.t, wall);
    this.messages?.onEvents(fresh, wall);
    this.store.emit("events", evs);
  }

  /** forgetCluster drops what belonged to the previous cluster of this room. */
  private forgetCluster(simMs: number, wall: number): void {
    this.store.lastSeq = 0;
    this.store.replayUpTo = 0;
    this.store.log.length = 0;
    this.clock.reset(simMs, wall);
    this.messages?.clear();
  }

  /** run sends a command and announces a failure. */
  private async run(c: Command, preferREST = false): Promise<CommandResult> {
    if (!this.store.canControl() && this.store.view) {
      this.notify(t("viewOnly"), "error");
      return { ok: false, error: "view only", code: "forbidden" };
    }
    const r = !preferREST && this.socket.open ? await this.socket.send(c) : await sendREST(this.store.room, c);
    // A reset, and a lesson's back, goto or start, give the room a new cluster.
    const rebuilt = c.cmd === "reset" || (c.cmd === "lesson" && (c.action === "back" || c.action === "goto" || c.action === "start"));
    if (!r.ok) {
      this.notify(t("commandFailed", { cmd: c.cmd === "lesson" ? `${c.cmd} ${c.action}` : c.cmd === "apply" ? c.command.kind : c.cmd, error: r.error ?? r.code ?? "?" }), "error");
    } else if (rebuilt) {
      this.forgetCluster(0, performance.now());
    }
    if (r.ok && c.cmd === "step") {
      // A step goes to the next event a person can see and says what it was.
      const st = (r.result as { stepped?: ZEvent } | undefined)?.stepped;
      this.notify(st ? t("stepped", { what: describeEvent(st) }) : t("nothingToStep"));
    }
    if (r.ok && r.result && typeof r.result === "object" && "nodes" in (r.result as object)) {
      // Commands answer with the new view: show it at once. The command went through, so
      // this browser controls the room whatever the answer's canControl says.
      const v = r.result as RoomView;
      if (Array.isArray(v.nodes)) {
        if (this.present && rebuilt) this.goLive();
        const base = this.present ? this.present.view : this.store.view;
        const merged: RoomView = { ...(base ?? v), ...v, canControl: true };
        if (!("lesson" in v)) delete merged.lesson; // the room left lesson mode
        if (!("autopilot" in v)) delete merged.autopilot; // the autopilot is off
        if (this.present) {
          this.present.view = merged;
          // The run controls act on the live room: show its pause state and speed.
          if (this.store.view) this.store.view = { ...this.store.view, paused: merged.paused, speed: merged.speed, canControl: true };
          if (this.store.view) this.store.emit("view", this.store.view);
        } else this.setView(merged, rebuilt);
      }
    }
    return r;
  }

  private notify(text: string, kind: "info" | "error" = "info"): void {
    this.notice.show(text, kind);
  }

  private ctx(): Ctx {
    return {
      store: this.store,
      scope: this.scope,
      clock: this.clock,
      run: (c, preferREST) => this.run(c, preferREST),
      notify: (text, kind) => this.notify(text, kind),
      lang: this.lang,
      setLang: (l) => this.switchLang(l),
      large: this.large,
      travel: this.travel,
      setLarge: (on) => {
        this.large = on;
        storedSet(LARGE_KEY, on ? "1" : "0");
        this.applyLarge();
        this.remount();
      },
    };
  }

  private applyLarge(): void {
    document.body.classList.toggle("large", this.large);
  }

  private switchLang(l: Lang): void {
    if (l === this.lang) return;
    this.lang = l;
    setLang(l, true);
    // Events carry typed reasons, not sentences: the rebuilt page renders the same log,
    // reasons and violations in the new language without asking the server again.
    this.remount();
  }

  private remount(): void {
    // Keep focus on the same control (found again by its name) across the rebuild.
    const name = (el: Element) => el.getAttribute("aria-label") || el.textContent?.trim() || "";
    const active = document.activeElement;
    const focusName = active && this.root.contains(active) ? name(active) : "";
    const focusTag = active?.tagName;
    this.scope.dispose();
    this.scope = new Scope();
    this.root.replaceChildren();
    this.mount();
    if (focusName) {
      const again = Array.from(this.root.querySelectorAll<HTMLElement>(focusTag ?? "*")).find((el) => name(el) === focusName);
      again?.focus();
    }
  }

  private mount(): void {
    const ctx = this.ctx();
    const pic = clusterPicture(ctx);
    this.messages = new MessageLayer(pic, this.clock);
    const messages = this.messages;
    installPopover(ctx, this.root);
    attachDotInfo(ctx, pic.dotLayer, (id) => messages.info(id));
    drawLinkNet(ctx, pic);
    const details = tabs(
      t("detailsTabs"),
      [
        { id: "leader", label: t("tabLeader"), panel: leaderPanel(ctx) },
        { id: "logs", label: t("tabLogs"), panel: logsPanel(ctx) },
        { id: "tree", label: t("tabTree"), panel: treePanel(ctx) },
        { id: "diagram", label: t("tabDiagram"), panel: diagramPanel(ctx) },
      ],
      this.detailTab,
      (id) => {
        this.detailTab = id;
        this.store.emit("shown", id);
      },
    );
    const side = tabs(
      t("controlTabs"),
      [
        { id: "servers", label: t("tabServers"), panel: serversPanel(ctx) },
        { id: "client", label: t("tabClient"), panel: clientPanel(ctx) },
        { id: "network", label: t("tabNetwork"), panel: networkPanel(ctx) },
        { id: "setup", label: t("tabSetup"), panel: setupPanel(ctx) },
        { id: "autopilot", label: t("tabAutopilot"), panel: autopilotPanel(ctx) },
      ],
      this.store.tab,
      (id) => {
        if (id === "network" && this.store.view && this.store.tab !== "network") draftFromRules(ctx, this.store.view);
        this.store.setTab(id);
      },
    );
    const exportPic = button(t("exportSvg"), () => exportSvg(pic.el, "zablab-cluster.svg"), { class: "export", "aria-label": t("exportCluster"), title: t("exportCluster") });
    const exportPicPng = button(t("exportPng"), () => void exportPng(pic.el, "zablab-cluster.png"), { class: "export", "aria-label": t("exportClusterPng"), title: t("exportClusterPng") });
    const picture = h(
      "section",
      { class: "card picture", "aria-labelledby": "pic-h" },
      h("h2", { id: "pic-h", class: "sr-only" }, t("clusterHeading")),
      pic.el,
      h("div", { class: "picture-foot" }, legend(), h("span", { class: "exports" }, exportPic, exportPicPng)),
    );
    const tape = tapePanel(ctx);
    const votes = votesPanel(ctx);
    const detailsCard = h("section", { class: "card details", "aria-label": t("detailsTabs") }, details);
    const controls = h("section", { class: "card controls", id: "controls", "aria-label": t("controlTabs"), tabindex: -1 }, side);
    this.classListeners = [];
    const classCard = classPanel(ctx, (fn) => this.classListeners.push(fn));
    const teacherCard = teacherPanel(ctx, (fn) => this.classListeners.push(fn));
    const head = [h("a", { class: "skip", href: "#controls" }, t("skipToControls")), topBar(ctx), this.notice.el, pastBanner(ctx), banners(ctx), autopilotBanner(ctx), classCard, teacherCard];
    if (this.opts.aside) {
      // The lesson page: narration first, then the cluster with its controls right below it
      // (a try-it step needs them), then the details and the event log.
      this.root.append(
        ...head,
        h(
          "div",
          { class: "layout lesson-layout" },
          this.opts.aside(ctx),
          h("div", { class: "col-main" }, picture, votes, tape, controls, detailsCard),
          h("div", { class: "col-side" }, eventsPanel(ctx)),
        ),
      );
    } else {
      this.root.append(
        ...head,
        lessonBanner(ctx),
        h("div", { class: "layout" }, h("div", { class: "col-main" }, picture, votes, tape, detailsCard), h("div", { class: "col-side" }, controls, eventsPanel(ctx))),
      );
    }
    if (this.store.view) this.store.emit("view", this.store.view);
  }

  /** Keyboard shortcuts: p pauses or resumes, s steps (not while typing). */
  private shortcut(ev: KeyboardEvent): void {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const tgt = ev.target as HTMLElement | null;
    if (tgt && (tgt.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(tgt.tagName))) return;
    const v = this.store.view;
    if (!v || !v.canControl) return;
    if (ev.key === "p") {
      ev.preventDefault();
      void this.run({ cmd: v.paused ? "resume" : "pause" });
    } else if (ev.key === "s") {
      ev.preventDefault();
      void this.run({ cmd: "step" });
    }
  }
}
