// The application: connects the socket to the store, keeps the simulated clock, and builds the
// page inside #app. A language switch rebuilds the page: every string, event sentence and
// reason is rendered anew from the catalogue (the socket carries no language).

import { describeEvent } from "./reasons";
import { getView, sendREST } from "./api";
import { SimClock } from "./clock";
import { clusterPicture } from "./cluster";
import { statusLine, topBar } from "./controls";
import type { Ctx } from "./ctx";
import { h } from "./dom";
import { onFrame, startFrames } from "./frame";
import { setLang, t, type Lang } from "./i18n";
import { MessageLayer } from "./messages";
import { clientPanel } from "./panels/client";
import { eventsPanel } from "./panels/events";
import { leaderPanel } from "./panels/leader";
import { lessonBanner } from "./panels/lesson";
import { legend } from "./panels/legend";
import { logsPanel } from "./panels/logs";
import { draftFromRules, networkPanel } from "./panels/network";
import { serversPanel } from "./panels/servers";
import { setupPanel } from "./panels/setup";
import { tabs } from "./panels/tabs";
import { treePanel } from "./panels/tree";
import { banners } from "./panels/violations";
import { Scope, Store } from "./store";
import type { Command, CommandResult, RoomView, ServerMsg, ZEvent } from "./types";
import { Socket } from "./ws";

const LARGE_KEY = "zablab.large";

export interface AppOptions {
  /** The lesson page: a lesson column built beside the cluster on every mount. */
  aside?: (ctx: Ctx) => HTMLElement;
}
/** Events asked for when the page opens. */
const REPLAY_ON_START = 400;

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

  constructor(
    private root: HTMLElement,
    room: string,
    private lang: Lang,
    private opts: AppOptions = {},
  ) {
    this.store = new Store(room);
    this.large = localStorage.getItem(LARGE_KEY) === "1";
    window.__zablab = { frames: 0, lastView: null, connected: false, events: 0 };
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
    this.applyLarge();
    this.mount();
    startFrames();
    onFrame((wall) => this.messages?.frame(wall));
    // The view first (a first paint), then the socket, asking for the recent events so the
    // log starts full; those replayed events are not animated.
    void getView(this.store.room).then((r) => {
      if (r.ok && r.result) {
        if (!this.store.view) this.setView(r.result, false);
        this.store.replayUpTo = r.result.eventSeq;
        this.socket.connect(Math.max(0, r.result.eventSeq - REPLAY_ON_START));
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

  /** isNewCluster: the room got a new cluster (reset, a lesson's start, back or goto). */
  private isNewCluster(v: RoomView): boolean {
    const old = this.store.view;
    if (!old) return false;
    return old.generation !== v.generation;
  }

  private setView(v: RoomView, fresh: boolean): void {
    const wall = performance.now();
    const first = this.store.view === null;
    this.store.view = v;
    const g = window.__zablab;
    if (g) g.lastView = v;
    this.clock.configure(v.paused, v.speed, wall);
    if (fresh || first) {
      if (!first && this.store.generation !== v.generation) {
        // A new cluster: its events are all new, whatever their numbers (animate them).
        this.store.replayUpTo = 0;
        this.store.log.length = 0;
      }
      this.store.generation = v.generation;
      this.store.lastSeq = v.eventSeq;
      this.clock.reset(v.timeMs, wall);
      this.messages?.clear();
      if (!this.store.selected || !this.store.node(this.store.selected)) this.store.selected = v.leader || v.nodes[0]?.id || 0;
      draftFromRules(this.ctx(), v);
      if (fresh && !first) this.store.emit("reset", v);
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
        const merged: RoomView = { ...(this.store.view ?? v), ...v, canControl: true };
        if (!("lesson" in v)) delete merged.lesson; // the room left lesson mode
        this.setView(merged, rebuilt);
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
      setLarge: (on) => {
        this.large = on;
        localStorage.setItem(LARGE_KEY, on ? "1" : "0");
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
    const details = tabs(
      t("detailsTabs"),
      [
        { id: "leader", label: t("tabLeader"), panel: leaderPanel(ctx) },
        { id: "logs", label: t("tabLogs"), panel: logsPanel(ctx) },
        { id: "tree", label: t("tabTree"), panel: treePanel(ctx) },
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
      ],
      this.store.tab,
      (id) => {
        if (id === "network" && this.store.view && this.store.tab !== "network") draftFromRules(ctx, this.store.view);
        this.store.setTab(id);
      },
    );
    const picture = h("section", { class: "card picture", "aria-labelledby": "pic-h" }, h("h2", { id: "pic-h", class: "sr-only" }, t("clusterHeading")), pic.el, legend());
    const detailsCard = h("section", { class: "card details", "aria-label": t("detailsTabs") }, details);
    const controls = h("section", { class: "card controls", id: "controls", "aria-label": t("controlTabs"), tabindex: -1 }, side);
    const head = [h("a", { class: "skip", href: "#controls" }, t("skipToControls")), topBar(ctx), this.notice.el, banners(ctx)];
    if (this.opts.aside) {
      // The lesson page: narration first, then the cluster with its controls right below it
      // (a try-it step needs them), then the details and the event log.
      this.root.append(
        ...head,
        h(
          "div",
          { class: "layout lesson-layout" },
          this.opts.aside(ctx),
          h("div", { class: "col-main" }, picture, controls, detailsCard),
          h("div", { class: "col-side" }, eventsPanel(ctx)),
        ),
      );
    } else {
      this.root.append(
        ...head,
        lessonBanner(ctx),
        h("div", { class: "layout" }, h("div", { class: "col-main" }, picture, detailsCard), h("div", { class: "col-side" }, controls, eventsPanel(ctx))),
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
