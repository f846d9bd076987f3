// The lesson player: narration beside the live cluster. It drives the lesson room with the
// "lesson" command (next, back, goto, solve), asks a step's prediction before the step plays,
// shows the step's checkpoints and timeline once it has played, and keeps ?step= in the
// address so a reload or a shared link opens the same step. Its state outlives the panel,
// which is rebuilt when the language changes.

import { getLessons, sendREST } from "../api";
import type { Ctx } from "../ctx";
import { button, clear, h, setText } from "../dom";
import { schedule } from "../frame";
import { currentLang, pick, t } from "../i18n";
import type { Store } from "../store";
import type { Command, Lesson, LessonSummary, LessonView, RoomView, Step } from "../types";
import { leaderPanel } from "../panels/leader";
import { aboutQueues, human, LessonTracker, stepMark } from "./model";
import { checksList, goalList, narration, predictReveal, timeline } from "./render";

export const DONE_KEY = "zablab.lessonDone.";

/** isTyping: keyboard shortcuts stay off while a form field or a widget with arrows has focus. */
export function isTyping(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) return true;
  return el.closest('[role="tablist"], [role="radiogroup"], [role="slider"], [role="listbox"]') !== null;
}

/** scrollWithin scrolls the panel (when it scrolls by itself) so el shows near its top. */
function scrollWithin(panel: HTMLElement, el: HTMLElement): void {
  if (panel.scrollHeight <= panel.clientHeight + 1 || getComputedStyle(panel).overflowY === "visible") return;
  const top = el.getBoundingClientRect().top - panel.getBoundingClientRect().top + panel.scrollTop - 12;
  panel.scrollTo({ top: Math.max(0, top), behavior: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
}

export class LessonPlayer {
  private tracker = new LessonTracker();
  /** The learner's answers to predictions, by step index. */
  private answers = new Map<number, number>();
  /** The choice picked while a prediction is asked. */
  private picked = -1;
  private store: Store | null = null;
  private ctx: Ctx | null = null;
  private busy = false;
  private redraw: (() => void) | null = null;
  private focusAfter: "question" | "title" | "" = "";
  private index: LessonSummary[] | null = null;
  /** The leader's queues and acks, shown in the lesson column for steps about them. */
  private queues: HTMLElement | null = null;

  constructor(
    readonly lesson: Lesson,
    readonly room: string,
  ) {}

  private get lv(): LessonView | undefined {
    const l = this.store?.view?.lesson;
    return l && l.slug === this.lesson.slug ? l : undefined;
  }

  private get canControl(): boolean {
    return this.store?.canControl() ?? false;
  }

  /** attach follows the room's views (once, for the page's life). */
  attach(store: Store): void {
    this.store = store;
    store.on("view", (v) => this.onView(v));
    document.addEventListener("keydown", (ev) => this.onKey(ev));
  }

  private onView(v: RoomView): void {
    const l = v.lesson && v.lesson.slug === this.lesson.slug ? v.lesson : undefined;
    const asking = this.tracker.phase === "asking";
    const shownBefore = this.tracker.shown;
    if (!this.tracker.update(l)) return;
    if (asking && l && !l.playing && l.next === shownBefore && this.tracker.phase === "ready") {
      this.tracker.show(shownBefore, "asking"); // still answering: nothing moved
    }
    if (l) {
      this.updateURL(l.next);
      if (this.tracker.phase === "played" && this.tracker.shown === l.steps - 1) {
        try {
          localStorage.setItem(DONE_KEY + this.lesson.slug, "1");
        } catch {
          // storage unavailable: the index just shows no mark
        }
      }
    }
    schedule(this.requestRedraw);
  }

  private requestRedraw = (): void => {
    this.redraw?.();
  };

  private updateURL(next: number): void {
    const url = new URL(location.href);
    if (url.searchParams.get("step") === String(next)) return;
    url.searchParams.set("step", String(next));
    history.replaceState(history.state, "", url);
  }

  private async send(c: Command): Promise<boolean> {
    if (!this.ctx || this.busy) return false;
    this.busy = true;
    const before = document.activeElement;
    this.redraw?.();
    const r = await this.ctx.run(c);
    this.busy = false;
    if (!r.ok) {
      // Whatever we assumed, the room's next view says where it stands.
      this.tracker.reset();
      if (this.store?.view) this.onView(this.store.view);
    }
    this.redraw?.();
    // The button pressed was disabled while the command ran, which drops focus: give it back.
    const now = document.activeElement;
    if (before instanceof HTMLButtonElement && before.isConnected && !before.disabled && (!now || now === document.body)) before.focus({ preventScroll: true });
    return r.ok;
  }

  /** next: ask the prediction first, if the step has one, else play the step. */
  next(): void {
    const l = this.lv;
    if (!l || !this.canControl || this.busy || l.playing || l.next >= l.steps) return;
    if (this.tracker.phase === "asking") {
      this.confirm();
      return;
    }
    const step = this.lesson.steps[l.next];
    if (step?.predict) {
      this.tracker.show(l.next, "asking");
      this.picked = -1;
      this.focusAfter = "question";
      this.redraw?.();
      return;
    }
    this.play(l.next);
  }

  private play(index: number): void {
    this.tracker.show(index, "playing");
    this.focusAfter = "title";
    void this.send({ cmd: "lesson", action: "next" });
  }

  private confirm(): void {
    const l = this.lv;
    if (!l) return;
    if (this.picked < 0) {
      this.ctx?.notify(t("predictPick"), "error");
      return;
    }
    this.answers.set(l.next, this.picked);
    this.play(l.next);
  }

  back(): void {
    const l = this.lv;
    if (!l || !this.canControl || this.busy) return;
    if (l.next === 0 && !l.playing) {
      if (this.tracker.phase === "asking") {
        this.tracker.show(0, "ready");
        this.redraw?.();
      }
      return;
    }
    void this.send({ cmd: "lesson", action: "back" });
  }

  private goto(index: number): void {
    if (!this.canControl || this.busy) return;
    void this.send({ cmd: "lesson", action: "goto", step: index });
  }

  private solve(): void {
    if (!this.canControl) return;
    void this.send({ cmd: "lesson", action: "solve" });
  }

  private onKey(ev: KeyboardEvent): void {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.shiftKey) return;
    if (ev.key !== "ArrowRight" && ev.key !== "ArrowLeft") return;
    if (isTyping(ev.target)) return;
    ev.preventDefault();
    if (ev.key === "ArrowRight") this.next();
    else this.back();
  }

  /** teach moves this lesson, at the current step, to room main (or back to a sandbox). */
  private async teach(on: boolean, box: HTMLInputElement): Promise<void> {
    const next = this.lv?.next ?? 0;
    const slug = this.lesson.slug;
    const r = await sendREST("main", on ? { cmd: "lesson", action: "start", slug, step: next } : { cmd: "lesson", action: "stop" });
    if (!r.ok && on) {
      box.checked = false;
      this.ctx?.notify(t("teachFailed", { error: r.error ?? r.code ?? "?" }), "error");
      return;
    }
    const url = new URL(`/lessons/${encodeURIComponent(slug)}`, location.href);
    url.searchParams.set("step", String(next));
    if (on) url.searchParams.set("room", "main");
    const lang = new URL(location.href).searchParams.get("lang");
    if (lang) url.searchParams.set("lang", lang);
    location.assign(url.toString());
  }

  /** panel builds the lesson column for one mount of the page. */
  panel(ctx: Ctx): HTMLElement {
    this.ctx = ctx;
    const L = this.lesson;
    document.title = `${pick(L.title)} — zablab`;
    const progress = h("p", { class: "lesson-progress" });
    const dots = h("ol", { class: "lesson-steps", "aria-label": t("stepsNav") });
    const dotBtns: HTMLButtonElement[] = L.steps.map((_st, i) => {
      const b = button(String(human(i)), () => this.goto(i), { class: "dot-step" });
      dots.append(h("li", {}, b));
      return b;
    });
    const body = h("div", { class: "lesson-body" });
    // Steps about the leader's queues show them here, beside the picture and above the fold
    // (the details card with the same panel sits below the controls).
    this.queues = h(
      "section",
      { class: "lesson-queues", "aria-labelledby": "lq-h" },
      h("h4", { id: "lq-h" }, t("lessonQueuesHeading")),
      leaderPanel(ctx),
    );
    const status = h("p", { class: "lesson-status", role: "status", "aria-live": "polite" });
    const backBtn = button(t("back"), () => this.back(), { "aria-label": t("backLabel"), "aria-keyshortcuts": "ArrowLeft" });
    const nextBtn = button(t("next"), () => this.next(), { class: "primary", "aria-label": t("nextLabel"), "aria-keyshortcuts": "ArrowRight" });
    const teachBox = h("input", { type: "checkbox" });
    teachBox.checked = this.room === "main";
    teachBox.addEventListener("change", () => void this.teach(teachBox.checked, teachBox));
    const teach = h("div", { class: "teach" }, h("label", { class: "check" }, teachBox, " ", t("teach")), h("p", { class: "hint" }, t("teachHint")));

    let bodyKey = "";
    let lastShown = -1;
    const aside = h("aside", { class: "card lesson-panel", id: "lesson", "aria-labelledby": "lesson-h" });
    const render = (): void => {
      const l = this.lv;
      const tr = this.tracker;
      const can = this.canControl;
      const shown = Math.min(tr.shown, L.steps.length);
      const step: Step | undefined = L.steps[shown];
      setText(progress, step ? t("stepOf", { k: human(shown), n: L.steps.length }) : t("lessonComplete", { p: l?.results.filter((r) => r.pass).length ?? 0, n: L.steps.length }));
      dotBtns.forEach((b, i) => {
        const mark = stepMark(l, i);
        const state = mark === "passed" ? t("stepPassed") : mark === "failed" ? t("stepFailed") : t("stepNotPlayed");
        b.className = `dot-step ${mark}${i === shown ? " current" : ""}`;
        b.setAttribute("aria-label", t("gotoStep", { k: human(i), title: pick(L.steps[i]!.title), state }));
        if (i === shown) b.setAttribute("aria-current", "step");
        else b.removeAttribute("aria-current");
        b.textContent = mark === "passed" ? `${human(i)} ✓` : mark === "failed" ? `${human(i)} ✗` : String(human(i));
        b.disabled = !can || this.busy;
      });
      const playing = !!l?.playing;
      backBtn.disabled = !l || !can || this.busy || (l.next === 0 && !playing && tr.phase !== "asking");
      nextBtn.disabled = !l || !can || this.busy || playing || l.next >= l.steps || (tr.phase === "asking" && this.picked < 0);

      // Status line.
      let st = "";
      if (!l) st = this.store?.view ? t("statusNoLesson") : "";
      else if (!can) st = t("statusFollow");
      else if (tr.phase === "playing") st = t("statusPlaying", { k: human(shown) });
      else if (tr.phase === "waiting") st = t("statusWaiting");
      else if (tr.phase === "asking") st = t("statusAsking");
      else if (tr.phase === "played") {
        const r = l.results.find((x) => x.index === shown);
        const failed = r ? r.checks.filter((c) => !c.pass).length : 0;
        if (l.last?.index === shown && l.last.error) st = t("statusError", { error: l.last.error });
        else st = failed > 0 || (r && !r.pass) ? t("statusFailed", { k: human(shown), n: failed }) : t("statusPassed", { k: human(shown) });
      } else if (step) st = step.predict ? t("statusReadyPredict") : t("statusReady");
      setText(status, st);
      status.className = `lesson-status ph-${tr.phase}`;

      const key = [shown, tr.phase, currentLang(), l?.last?.digest ?? "", l?.results.length ?? -1, can, l?.error ?? "", l ? 1 : 0].join("|");
      if (key === bodyKey) return;
      bodyKey = key;
      const moved = shown !== lastShown;
      lastShown = shown;
      const active = document.activeElement;
      const lost = !active || active === document.body;
      const hadFocus = body.contains(active) || (lost && this.focusAfter !== "");
      this.fillBody(body, shown, l);
      if (this.queues?.isConnected) ctx.store.emit("shown", "queues"); // draw it now, even when paused
      // Bring what matters now into view inside the panel (never scroll the page away from
      // the cluster): the question, the task, the results, or the new step's title.
      const target =
        tr.phase === "asking" ? body.querySelector<HTMLElement>(".predict-box")
        : tr.phase === "waiting" ? body.querySelector<HTMLElement>(".try-box")
        : tr.phase === "played" ? body.querySelector<HTMLElement>(".predict-box, .lesson-queues, .try-done, .checks-box, .lesson-error")
        : moved ? body.querySelector<HTMLElement>(".step-title")
        : null;
      if (target) scrollWithin(aside, target);
      if (this.focusAfter === "question") {
        body.querySelector<HTMLInputElement>("input[type=radio]")?.focus({ preventScroll: true });
      } else if (hadFocus && (this.focusAfter === "title" || !document.activeElement || document.activeElement === document.body)) {
        // Focus was in the rebuilt part (or lost with a disabled button): keep it nearby.
        if (!nextBtn.disabled) nextBtn.focus({ preventScroll: true });
        else body.querySelector<HTMLElement>(".step-title")?.focus({ preventScroll: true });
      }
      this.focusAfter = "";
    };
    this.redraw = render;
    ctx.scope.add(() => {
      if (this.redraw === render) this.redraw = null;
    });
    ctx.scope.on(ctx.store, "view", () => schedule(render));
    render();

    aside.append(
      h(
        "div",
        { class: "lesson-head" },
        h("a", { href: "/lessons", class: "all-lessons" }, t("allLessons")),
        h("h2", { id: "lesson-h" }, pick(L.title)),
        progress,
        dots,
      ),
      body,
      teach,
      h(
        "div",
        { class: "lesson-foot" },
        status,
        h("div", { class: "lesson-nav", role: "group", "aria-label": t("lessonNav") }, backBtn, nextBtn, h("span", { class: "keys hint", "aria-hidden": "true" }, t("keysHint"))),
      ),
    );
    return aside;
  }

  /** fillBody rebuilds the step's part of the panel. */
  private fillBody(body: HTMLElement, shown: number, l: LessonView | undefined): void {
    clear(body);
    const L = this.lesson;
    const step = L.steps[shown];
    const phase = this.tracker.phase;
    if (!step) {
      body.append(this.complete(l));
      return;
    }
    body.append(h("h3", { class: "step-title", tabindex: -1 }, h("span", { class: "step-no" }, `${human(shown)}.`), " ", pick(step.title)));
    if (step.try) body.append(h("p", { class: "try-tag" }, t("tryHeading")));
    // What tells the outcome (the narration's "after" part, the prediction's answer, a try
    // step's hidden goal lines) waits until the step has played: for a try step, until the
    // learner reached the goal.
    const told = phase === "played";
    body.append(narration(step, told));

    if (step.predict && phase === "asking") body.append(this.question(step));
    const chosen = this.answers.get(shown);
    if (step.predict && (phase === "playing" || phase === "waiting") && chosen !== undefined) {
      const key = phase === "waiting" ? "youPredictedTry" : "youPredicted";
      body.append(h("p", { class: "predict-box chosen" }, t(key, { answer: pick(step.predict.choices[chosen]?.text) })));
    }
    if (step.predict && told) body.append(predictReveal(step.predict, chosen));
    if (this.queues && aboutQueues(step)) body.append(this.queues);
    if (step.try && phase === "waiting") {
      const showMe = button(t("showMe"), () => this.solve(), { "aria-label": t("showMeLabel"), class: "show-me" });
      showMe.disabled = !this.canControl;
      body.append(
        h(
          "section",
          { class: "try-box", "aria-labelledby": "try-h" },
          h("h4", { id: "try-h" }, t("tryHeading")),
          h("p", {}, t("tryGoal")),
          goalList(step),
          h("p", { class: "hint" }, t("tryHowTo")),
          h("div", { class: "buttons" }, h("a", { href: "#controls", class: "to-controls" }, t("toControls")), showMe),
        ),
      );
    }
    if (phase === "played" && l) {
      const r = l.results.find((x) => x.index === shown);
      if (step.try && r) body.append(h("p", { class: r.solved ? "try-done solved" : "try-done" }, r.solved ? t("trySolved") : t("trySuccess")));
      if (r && r.checks.length > 0) body.append(checksList(r.checks));
      if (l.last && l.last.index === shown) {
        if (l.last.error) body.append(h("p", { class: "lesson-error" }, t("statusError", { error: l.last.error })));
        body.append(timeline(l.last.log ?? [], true));
      }
      if (shown === L.steps.length - 1) body.append(this.complete(l));
    }
  }

  private question(step: Step): HTMLElement {
    const p = step.predict!;
    const fs = h("fieldset", { class: "predict-box asking" });
    fs.append(h("legend", {}, h("span", { class: "predict-tag" }, t("predictHeading")), " ", pick(p.question)));
    const group = h("div", { class: "choices" });
    const name = `predict-${step.index}`;
    p.choices.forEach((c, i) => {
      const r = h("input", { type: "radio", name, value: String(i) });
      r.checked = this.picked === i;
      r.addEventListener("change", () => {
        if (r.checked) this.picked = i;
        this.redraw?.();
      });
      group.append(h("label", { class: "choice" }, r, " ", pick(c.text)));
    });
    const confirm = button(t("predictConfirm"), () => this.confirm(), { class: "primary" });
    fs.append(group, h("div", { class: "buttons" }, confirm));
    fs.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && ev.target instanceof HTMLInputElement) {
        ev.preventDefault();
        this.confirm();
      }
    });
    return fs;
  }

  /** complete is the end of the lesson: how it went, the next lesson, start over. */
  private complete(l: LessonView | undefined): HTMLElement {
    const L = this.lesson;
    const passed = l?.results.filter((r) => r.pass).length ?? 0;
    const nextLink = h("span");
    const fill = (list: LessonSummary[]) => {
      const i = list.findIndex((x) => x.slug === L.slug);
      const nx = i >= 0 ? list[i + 1] : undefined;
      if (nx) nextLink.replaceChildren(h("a", { href: `/lessons/${encodeURIComponent(nx.slug)}` }, t("nextLesson", { title: pick(nx.title) })));
    };
    if (this.index) fill(this.index);
    else
      void getLessons().then((r) => {
        if (r.ok && r.result) {
          this.index = r.result;
          fill(r.result);
        }
      });
    const again = button(t("startOver"), () => this.goto(0));
    again.disabled = !this.canControl;
    return h(
      "section",
      { class: "lesson-complete" },
      h("h4", {}, t("lessonComplete", { p: passed, n: L.steps.length })),
      h("div", { class: "buttons" }, nextLink, again, h("a", { href: "/lessons" }, t("allLessons"))),
    );
  }
}
