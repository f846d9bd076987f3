// The lesson banner of the lab page: when the room plays a lesson (a teacher drives room main
// from the lesson player), everyone watching sees the current step's title and narration,
// its prediction question, and its checkpoints once it has played.

import type { Ctx } from "../ctx";
import { button, clear, h } from "../dom";
import { schedule } from "../frame";
import { currentLang, pick, t } from "../i18n";
import { human, lessonData, LessonTracker } from "../lesson/model";
import { checksList, goalList, narration, predictReveal } from "../lesson/render";
import type { Store } from "../store";
import type { Lesson } from "../types";

/** One tracker per room for the page's life (the banner is rebuilt on a language switch). */
const trackers = new WeakMap<Store, LessonTracker>();
/** Whether the step's narration is unfolded (a class may fold it to see more cluster). */
let open = true;

export function lessonBanner(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  let tracker = trackers.get(store);
  if (!tracker) {
    tracker = new LessonTracker();
    trackers.set(store, tracker);
    const tr = tracker;
    // Follow every view, also between rebuilds of the banner.
    store.on("view", (v) => tr.update(v.lesson));
  }
  const tr = tracker;
  const el = h("section", { class: "lesson-banner", "aria-labelledby": "lb-h" });
  el.hidden = true;
  let lesson: Lesson | null = null;
  let loading = "";
  let key = "";

  function render(): void {
    const v = store.view;
    const l = v?.lesson;
    if (!v || !l) {
      el.hidden = true;
      key = "";
      return;
    }
    if (!lesson || lesson.slug !== l.slug) {
      if (loading !== l.slug) {
        loading = l.slug;
        void lessonData(l.slug).then((x) => {
          lesson = x;
          schedule(render);
        });
      }
      if (!lesson || lesson.slug !== l.slug) return;
    }
    const k = [l.slug, tr.shown, tr.phase, l.results.length, l.last?.digest ?? "", v.canControl, currentLang()].join("|");
    if (k === key) return;
    key = k;
    el.hidden = false;
    clear(el);
    const L = lesson;
    const shown = Math.min(tr.shown, L.steps.length - 1);
    const step = L.steps[shown]!;
    const r = tr.phase === "played" ? l.results.find((x) => x.index === shown) : undefined;
    const status =
      tr.phase === "playing" ? t("statusPlaying", { k: human(shown) })
      : tr.phase === "waiting" ? t("statusWaiting")
      : r ? (r.pass ? t("statusPassed", { k: human(shown) }) : t("statusFailed", { k: human(shown), n: r.checks.filter((c) => !c.pass).length }))
      : "";
    el.append(
      h(
        "div",
        { class: "lb-head" },
        h("h2", { id: "lb-h" }, h("span", { class: "lb-tag" }, t("lessonPanel")), " ", pick(L.title)),
        status ? h("p", { class: `lb-status ph-${tr.phase}`, role: "status" }, status) : null,
      ),
    );
    const side = h("div", { class: "lb-side" });
    // The answer, the hidden goal lines and the narration's outcome wait until the step has
    // played (a try step: until the goal is reached).
    const told = tr.phase === "played";
    if (step.predict && !told) {
      const ol = h("ol", { class: "lb-choices" });
      for (const c of step.predict.choices) ol.append(h("li", {}, pick(c.text)));
      side.append(h("div", { class: "predict-box" }, h("p", {}, h("strong", {}, t("thinkFirst", { question: pick(step.predict.question) }))), ol));
    } else if (step.predict) {
      side.append(predictReveal(step.predict, undefined));
    }
    if (step.try && tr.phase === "waiting") side.append(h("div", { class: "try-box" }, h("p", {}, t("tryGoal")), goalList(step)));
    if (r && r.checks.length > 0) side.append(checksList(r.checks, "h3"));
    const details = h(
      "details",
      { class: "lb-details" },
      h("summary", {}, t("lessonBannerStep", { k: human(shown), n: L.steps.length, title: pick(step.title) })),
      h("div", { class: side.childElementCount > 0 ? "lb-grid" : "lb-grid single" }, h("div", { class: "lb-body" }, narration(step, told)), side.childElementCount > 0 ? side : null),
    );
    details.open = open;
    details.addEventListener("toggle", () => {
      open = details.open;
    });
    el.append(details);
    const links = h("div", { class: "buttons lb-links" }, h("a", { href: `/lessons/${encodeURIComponent(L.slug)}?step=${tr.phase === "played" ? shown : l.next}` }, t("openLessonSelf")));
    if (v.canControl) {
      links.append(h("a", { href: `/lessons/${encodeURIComponent(L.slug)}?room=${encodeURIComponent(store.room)}&step=${l.next}` }, t("openPlayer")));
      links.append(
        button(t("stopLesson"), () => void ctx.run({ cmd: "lesson", action: "stop" })),
      );
    }
    el.append(links);
  }

  ctx.scope.on(store, "view", () => schedule(render));
  render();
  return el;
}
