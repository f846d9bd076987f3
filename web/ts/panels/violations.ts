// Banners above everything: invariant violations caught by the checker (prominent, announced
// once each), the teaching variant in force, and "view only" when this browser may not
// control the room.

import type { Ctx } from "../ctx";
import { clear, h } from "../dom";
import { schedule } from "../frame";
import { t } from "../i18n";
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

  function render(): void {
    const v = store.view;
    if (!v) return;
    const key = `${v.violations.length}|${v.bug}|${v.canControl}|${v.eventSeq < 10 ? 0 : 1}`;
    if (key === lastKey) return;
    lastKey = key;
    clear(viol);
    viol.hidden = v.violations.length === 0;
    if (v.violations.length > 0) {
      viol.append(h("h2", { id: "viol-h" }, "⚠ ", t("violationsHeading", { n: v.violations.length })));
      const ul = h("ul");
      const recent = v.violations.slice(-SHOWN).reverse();
      for (const x of recent) {
        ul.append(h("li", {}, h("strong", {}, x.invariant), ` — S${x.node}, t = ${(x.timeUs / 1e6).toFixed(3)} s: `, detailText(x)));
      }
      viol.append(ul);
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
    viewOnly.textContent = v.canControl ? "" : t("viewOnly");
  }

  ctx.scope.on(store, "view", () => schedule(render));
  render();
  return h("div", { class: "banners" }, viewOnly, bug, viol);
}
