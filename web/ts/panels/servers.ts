// Servers tab: one row per server with its state and why it is in it, crash / restart, and
// "inspect" (choose the server whose log and data tree the detail panels show).

import type { Ctx } from "../ctx";
import { button, clear, h, setText } from "../dom";
import { scheduleAtMost } from "../frame";
import { t } from "../i18n";
import type { NodeView } from "../types";

interface Row {
  tr: HTMLTableRowElement;
  state: HTMLElement;
  reason: HTMLElement;
  inspect: HTMLButtonElement;
  crash: HTMLButtonElement;
  restart: HTMLButtonElement;
}

export function serversPanel(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  const body = h("tbody");
  const table = h(
    "table",
    { class: "servers" },
    h("caption", { class: "sr-only" }, t("serversCaption")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("server")), h("th", { scope: "col" }, t("stateCol")), h("th", { scope: "col" }, t("actionsCol")))),
    body,
  );
  const rows = new Map<number, Row>();
  let ids = "";

  function build(nodes: NodeView[]): void {
    clear(body);
    rows.clear();
    for (const n of nodes) {
      const id = n.id;
      const state = h("span", { class: "state-word" });
      const reason = h("span", { class: "reason" });
      const inspect = button(t("inspectShort"), () => store.select(id), { "aria-label": t("inspectServer", { id }), class: "small" });
      const crash = button(t("crash"), () => void ctx.run({ cmd: "apply", command: { kind: "crash", node: id } }), { "aria-label": t("crashServer", { id }), class: "small danger" });
      const restart = button(t("restart"), () => void ctx.run({ cmd: "apply", command: { kind: "restart", node: id } }), { "aria-label": t("restartServer", { id }), class: "small" });
      const name = n.role === "observer" ? `S${id} (${t("observer")})` : `S${id}`;
      const tr = h(
        "tr",
        {},
        h("th", { scope: "row" }, name),
        h("td", {}, state, h("br"), reason),
        h("td", { class: "actions" }, crash, restart, inspect),
      );
      rows.set(id, { tr, state, reason, inspect, crash, restart });
      body.append(tr);
    }
  }

  function render(): void {
    const v = store.view;
    if (!v) return;
    const key = v.nodes.map((n) => `${n.id}:${n.role}`).join(",");
    if (key !== ids) {
      build(v.nodes);
      ids = key;
    }
    const can = v.canControl;
    for (const n of v.nodes) {
      const r = rows.get(n.id);
      if (!r) continue;
      r.tr.className = `st-${n.state}${store.selected === n.id ? " selected" : ""}`;
      setText(r.state, `${n.state} · ${n.phase}`);
      setText(r.reason, store.reasonText(n));
      r.crash.disabled = !can || n.state === "DOWN";
      r.restart.disabled = !can || n.state !== "DOWN";
      r.inspect.setAttribute("aria-pressed", String(store.selected === n.id));
    }
  }

  ctx.scope.on(store, "view", () => scheduleAtMost(render, 250));
  ctx.scope.on(store, "select", () => scheduleAtMost(render, 0));
  render();
  return h("div", { class: "panel-body" }, table, h("p", { class: "hint" }, t("serversHint")));
}
