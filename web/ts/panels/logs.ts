// Every server's txn log tail side by side, one row per zxid (newest on top), so a lagging or
// diverging server shows as gaps or differing cells. Each column draws its committed line,
// its snapshot marks, and the sync mode it got from the leader and why.

import type { Ctx } from "../ctx";
import { clear, h, isHidden } from "../dom";
import { scheduleAtMost } from "../frame";
import { t } from "../i18n";
import type { LogEntryView, NodeView } from "../types";
import { compareZxid, parseZxid, zxidFull, zxidPair } from "../zxid";

/** Rows (distinct zxids) shown at most. */
const MAX_ROWS = 32;

function syncCell(ctx: Ctx, n: NodeView): HTMLElement {
  if (n.syncMode === "NONE" || !n.syncMode) {
    return h("td", { class: "sync none" }, n.state === "LEADING" ? t("syncLeader") : "—");
  }
  return h("td", { class: `sync mode-${n.syncMode}` }, h("strong", {}, n.syncMode), h("span", { class: "why" }, ctx.store.syncReasonText(n)));
}

export function logsPanel(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  const root = h("div", { class: "panel-body logs-panel" });
  let last = "";

  function render(): void {
    const v = store.view;
    if (!v || isHidden(root)) return;
    const key = JSON.stringify(v.nodes.map((n) => [n.id, n.state, n.log, n.snapshots, n.syncMode, n.syncReason, n.lastCommittedZxid])) + store.selected;
    if (key === last) return;
    last = key;
    clear(root);
    const zx = new Set<string>();
    for (const n of v.nodes) for (const e of n.log) zx.add(e.zxid);
    for (const n of v.nodes) for (const s of n.snapshots) if (!parseZxid(s).none) zx.add(s);
    const rows = Array.from(zx).sort((a, b) => compareZxid(b, a)).slice(0, MAX_ROWS);
    const byNode = new Map<number, Map<string, LogEntryView>>();
    for (const n of v.nodes) byNode.set(n.id, new Map(n.log.map((e) => [e.zxid, e])));

    const head = h("tr", {}, h("th", { scope: "col" }, t("zxidCol")));
    for (const n of v.nodes) {
      head.append(h("th", { scope: "col", class: `st-${n.state}${store.selected === n.id ? " selected" : ""}` }, `S${n.id}`, h("span", { class: "sub" }, n.state)));
    }
    const syncRow = h("tr", { class: "sync-row" }, h("th", { scope: "row" }, t("syncModeRow")));
    for (const n of v.nodes) syncRow.append(syncCell(ctx, n));

    const body = h("tbody");
    for (const z of rows) {
      const tr = h("tr", {}, h("th", { scope: "row", class: "zx" }, zxidFull(z)));
      const seen = new Set<string>();
      for (const n of v.nodes) {
        const e = byNode.get(n.id)?.get(z);
        if (e) seen.add(`${e.op} ${e.path}`);
      }
      const differs = seen.size > 1;
      for (const n of v.nodes) {
        const e = byNode.get(n.id)?.get(z);
        const snap = n.snapshots.includes(z);
        // The committed line sits under the newest committed entry of the column.
        const edge = e && e.committed && compareZxid(z, n.lastCommittedZxid) === 0;
        const cls = ["cell", e ? (e.committed ? "committed" : "uncommitted") : "missing", edge ? "commit-edge" : "", differs && e ? "differs" : ""].filter(Boolean).join(" ");
        const cell = h("td", { class: cls });
        if (e) {
          cell.append(`${e.op}${e.path ? " " + e.path : ""}`);
          if (!e.committed) cell.append(h("span", { class: "tag" }, t("uncommittedTag")));
        }
        if (snap) cell.append(h("span", { class: "snap", title: t("snapshotAt", { zxid: zxidFull(z) }) }, "◆ " + t("snapshotTag")));
        if (edge) cell.append(h("span", { class: "sr-only" }, ` ${t("committedLine")}`));
        tr.append(cell);
      }
      body.append(tr);
    }
    if (rows.length === 0) {
      root.append(h("p", { class: "empty" }, t("logsEmpty")));
    }
    const oldSnaps = v.nodes.filter((n) => n.snapshots.length > 0).map((n) => `S${n.id}: ${n.snapshots.map(zxidPair).join(", ")}`);
    root.append(
      h("div", { class: "table-scroll" }, h("table", { class: "logs" }, h("caption", { class: "sr-only" }, t("logsCaption")), h("thead", {}, head, syncRow), body)),
      h("p", { class: "hint legend-line" },
        h("span", { class: "swatch committed" }, t("legendCommitted")), " ",
        h("span", { class: "swatch uncommitted" }, t("legendUncommitted")), " ",
        h("span", { class: "swatch commit-edge" }, t("legendCommitLine")), " ",
        h("span", { class: "swatch differs" }, t("legendDiffers")), " ",
        h("span", {}, `◆ ${t("snapshotsLabel")}: ${oldSnaps.join(" · ") || "—"}`)),
    );
  }

  ctx.scope.on(store, "view", () => scheduleAtMost(render, 300));
  ctx.scope.on(store, "select", () => scheduleAtMost(render, 0));
  ctx.scope.on(store, "shown", () => scheduleAtMost(render, 0));
  render();
  return root;
}
