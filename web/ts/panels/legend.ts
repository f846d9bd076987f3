// The key under the cluster picture: each message category with its shape, colour and packets,
// plus a dropped message and a cut link.

import { h, s } from "../dom";
import { t, type Key } from "../i18n";
import { CATEGORIES, CATEGORY_STYLE, OKABE_ITO, categoryPackets, type Category } from "../palette";

const NAMES: Record<Category, Key> = {
  election: "catElection",
  discovery: "catDiscovery",
  sync: "catSync",
  broadcast: "catBroadcast",
  ping: "catPing",
  request: "catRequest",
  other: "catOther",
};

function glyph(c: Category): SVGSVGElement {
  const st = CATEGORY_STYLE[c];
  return s("svg", { viewBox: "-10 -10 20 20", width: 18, height: 18, "aria-hidden": "true" },
    s("path", { d: st.shape, fill: st.hollow ? "none" : st.colour, stroke: st.hollow ? st.colour : "var(--dot-stroke)", "stroke-width": st.hollow ? 2.5 : 1.2 }));
}

export function legend(): HTMLElement {
  const ul = h("ul", { class: "legend", "aria-label": t("legend") });
  for (const c of CATEGORIES) {
    ul.append(h("li", { title: categoryPackets(c).join(", ") }, glyph(c), h("span", {}, t(NAMES[c])), h("span", { class: "packets" }, categoryPackets(c).join(" · "))));
  }
  ul.append(
    h("li", {}, s("svg", { viewBox: "-10 -10 20 20", width: 18, height: 18, "aria-hidden": "true" }, s("path", { d: "M-7,-7L7,7M7,-7L-7,7", stroke: OKABE_ITO.vermillion, "stroke-width": 4 })), h("span", {}, t("legendDropped"))),
    h("li", {}, s("svg", { viewBox: "0 0 28 10", width: 28, height: 10, "aria-hidden": "true" }, s("line", { x1: 0, y1: 5, x2: 28, y2: 5, class: "lane cut" })), h("span", {}, t("legendCut"))),
  );
  return ul;
}
