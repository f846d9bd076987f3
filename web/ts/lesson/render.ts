// DOM pieces shared by the lesson player and the lab's lesson banner: narration, the
// checkpoints of a played step, its timeline, and the prediction's answer.

import { h } from "../dom";
import { pick, t, type Key } from "../i18n";
import { renderMarkdown } from "../markdown";
import type { CheckResult, Predict, Step, TimelineEntry } from "../types";

/**
 * narration renders a step's Markdown in the current language; with `told`, the part that
 * tells the outcome (written after "<!-- after -->") follows it. That part stays hidden
 * until the step has played, so it never gives away a prediction or a try step's result.
 */
export function narration(step: Step, told = false): HTMLElement {
  const div = h("div", { class: "md narration" });
  div.append(renderMarkdown(pick(step.body)));
  if (told && step.after) div.append(h("div", { class: "md narration-after" }, renderMarkdown(pick(step.after))));
  return div;
}

/** checksList shows each checkpoint as passed or failed, with what was found. */
export function checksList(checks: CheckResult[], headingLevel: "h3" | "h4" = "h4"): HTMLElement {
  const ul = h("ul", { class: "checks" });
  for (const c of checks) {
    ul.append(
      h(
        "li",
        { class: c.pass ? "check-pass" : "check-fail" },
        h("span", { class: "mark", "aria-hidden": "true" }, c.pass ? "✓" : "✗"),
        h("span", { class: "sr-only" }, `${c.pass ? t("checkPass") : t("checkFail")}: `),
        h("code", {}, c.check.replace(/^expect\s+/, "")),
        h("span", { class: "check-detail" }, pick(c.detail)),
      ),
    );
  }
  const passed = checks.filter((c) => c.pass).length;
  return h(
    "section",
    { class: "checks-box" },
    h(headingLevel, {}, `${t("checkpoints")} `, h("span", { class: passed === checks.length ? "count good" : "count bad" }, `${passed}/${checks.length}`)),
    ul,
  );
}

const KIND: Record<string, { key: Key; icon: string }> = {
  action: { key: "tlAction", icon: "▸" },
  event: { key: "tlEvent", icon: "·" },
  result: { key: "tlResult", icon: "↩" },
  check: { key: "tlCheck", icon: "✓" },
  predict: { key: "tlPredict", icon: "?" },
  note: { key: "tlNote", icon: "ℹ" },
};

/** timeline lists a step's log in plain sentences, in a collapsible box. */
export function timeline(log: TimelineEntry[], open: boolean): HTMLElement {
  const ol = h("ol", { class: "timeline" });
  for (const e of log) {
    const k = KIND[e.kind] ?? { key: "tlNote" as Key, icon: "·" };
    const icon = e.kind === "check" ? (e.pass ? "✓" : "✗") : k.icon;
    ol.append(
      h(
        "li",
        { class: `tl tl-${e.kind}${e.kind === "check" ? (e.pass ? " tl-pass" : " tl-fail") : ""}` },
        h("span", { class: "tl-t" }, `${(e.timeMs / 1000).toFixed(2)}s`),
        h("span", { class: "tl-icon", "aria-hidden": "true" }, icon),
        h("span", { class: "sr-only" }, `${t(k.key)}: `),
        h("span", { class: "tl-text" }, pick(e.text)),
      ),
    );
  }
  const d = h("details", { class: "timeline-box" }, h("summary", {}, t("timeline", { n: log.length })), h("div", { class: "timeline-scroll", tabindex: 0, "aria-label": t("timeline", { n: log.length }) }, ol));
  d.open = open;
  return d;
}

/** predictReveal tells the answer (and whether the learner's choice was right). */
export function predictReveal(p: Predict, chosen: number | undefined): HTMLElement {
  const answer = pick(p.choices[p.answer]?.text);
  let verdict: HTMLElement;
  if (chosen === undefined) {
    verdict = h("p", { class: "verdict" }, t("predictAnswer", { answer }));
  } else if (chosen === p.answer) {
    verdict = h("p", { class: "verdict right" }, t("predictRight", { answer }));
  } else {
    verdict = h("p", { class: "verdict wrong" }, t("predictWrong", { chosen: pick(p.choices[chosen]?.text), answer }));
  }
  return h(
    "section",
    { class: "predict-box revealed" },
    h("h4", {}, t("predictQuestion", { question: pick(p.question) })),
    verdict,
    p.explain ? h("p", { class: "explain" }, pick(p.explain)) : null,
  );
}

/**
 * goalList shows a try step's goal lines as the task to reach. Hidden lines (they would give
 * away the prediction's answer) are shown only with `all`, once the goal is reached; until
 * then one line says that more is checked.
 */
export function goalList(step: Step, all = false): HTMLElement {
  const ul = h("ul", { class: "goal" });
  let hidden = 0;
  for (const g of step.goal ?? []) {
    if (g.hidden && !all) {
      hidden++;
      continue;
    }
    ul.append(h("li", {}, h("code", {}, g.text.replace(/^(hidden\s+)?(expect\s+)?/, ""))));
  }
  if (hidden > 0) ul.append(h("li", { class: "goal-hidden" }, t("goalHidden", { n: hidden })));
  return ul;
}
