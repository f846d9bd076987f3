// Banners above everything: invariant violations caught by the checker (prominent, announced
// once each), the teaching variant in force, and "view only" when this browser may not
// control the room.

import type { Ctx } from "../ctx";
import { button, clear, h } from "../dom";
import { schedule } from "../frame";
import { t, type Key } from "../i18n";
import { renderReason } from "../reasons";
import type { Violation } from "../types";

const SHOWN = 4;

export function banners(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  const viol = h("section", { class: "violations", role: "alert", "aria-labelledby": "viol-h" });
  const bug = h("p", { class: "bug-banner" });
  const viewOnly = h("p", { class: "viewonly-banner" });
  let lastKey = "";

  function detailText(v: Violation): string {
    return renderReason(v.detail);
  }

  /** What an invariant means, in a sentence ("" for one without an explanation). */
  function meaning(inv: string): string {
    const key = `inv${inv}` as Key;
    const s: string | undefined = t(key);
    return typeof s === "string" && s !== key ? s : "";
  }

  let shown: Violation | null = null;
  let autoShown = false;

  /** One violation: the invariant, what it means, where and when, and a Show button. */
  function item(x: Violation, highlighted: boolean): HTMLElement {
    const secs = (x.timeUs / 1e6).toFixed(3);
    const show = button(t("violationShow"), () => {
      shown = x;
      lastKey = "";
      store.select(x.node);
      void ctx.travel.goto(x.timeUs / 1000);
      render();
    }, { class: "small", "aria-label": t("violationShowLabel", { inv: x.invariant, id: x.node, t: secs }) });
    const what = meaning(x.invariant);
    return h("li", { class: highlighted ? "shown" : "" },
      h("strong", {}, x.invariant), ` — S${x.node}, t = ${secs} s: `, detailText(x),
      what ? h("div", { class: "inv-what" }, what, " ", show) : h("div", { class: "inv-what" }, show));
  }

  function render(): void {
    const v = store.view;
    if (!v) return;
    const key = `${v.violations.length}|${v.bug}|${v.canControl}|${v.eventSeq < 10 ? 0 : 1}|${store.student}`;
    if (key === lastKey) return;
    lastKey = key;
    clear(viol);
    viol.hidden = v.violations.length === 0;
    if (v.violations.length > 0) {
      viol.append(h("h2", { id: "viol-h" }, "⚠ ", t("violationsHeading", { n: v.violations.length })));
      const ul = h("ul");
      // The first violation (where a `zablab check` run was cut) and the latest few.
      const first = v.violations[0]!;
      const recent = v.violations.slice(-SHOWN).reverse();
      if (!recent.includes(first)) recent.push(first);
      for (const x of recent) ul.append(item(x, x === (shown ?? first)));
      viol.append(ul);
      if (!autoShown) {
        // The offending server is selected and outlined as soon as a violation shows.
        autoShown = true;
        store.select(first.node);
      }
      if (v.violations.length > SHOWN) {
        const all = h("ul");
        for (const x of v.violations) all.append(h("li", {}, h("strong", {}, x.invariant), ` — S${x.node}, t = ${(x.timeUs / 1e6).toFixed(3)} s: ${detailText(x)}`));
        viol.append(h("details", {}, h("summary", {}, t("showAllViolations", { n: v.violations.length })), all));
      }
      viol.append(h("p", { class: "hint" }, t("violationsHint")));
    }
    bug.hidden = !v.bug;
    bug.textContent = v.bug ? `⚠ ${t("bugBanner", { bug: v.bug })}` : "";
    viewOnly.hidden = v.canControl;
    viewOnly.textContent = v.canControl ? "" : store.student ? t("viewOnlyStudent") : t("viewOnly");
  }

  ctx.scope.on(store, "view", () => schedule(render));
  ctx.scope.on(store, "student", () => schedule(render));
  render();
  return h("div", { class: "banners" }, viewOnly, bug, viol);
}
