// Network tab: the link rules in force, as they are; a partition editor (click servers in the
// picture, drag chips between groups, or pick a group per server), one-way cuts, heal.

import type { Ctx } from "../ctx";
import { button, clear, h, labelled, select, setText } from "../dom";
import { schedule } from "../frame";
import { t } from "../i18n";
import { groupOf } from "../links";
import { GROUP_COLOURS, GROUP_LETTERS } from "../palette";
import { netQualitySection } from "./netquality";
import type { LinkRules, RoomView } from "../types";

/** describeRules renders the link rules in one line per rule. */
export function describeRules(r: LinkRules): string[] {
  const out: string[] = [];
  if (r.groups.length > 0) out.push(t("rulesPartition", { groups: r.groups.map((g) => `{${g.join(", ")}}`).join(" | ") }));
  for (const c of r.cuts) out.push(t("rulesCut", { from: c[0], to: c[1] }));
  if (r.lossPct > 0) out.push(t("rulesLoss", { pct: r.lossPct }));
  if (out.length === 0) out.push(t("rulesNone"));
  return out;
}

/** draftFromRules starts the editor from the partition in force (or everyone in A). */
export function draftFromRules(ctx: Ctx, v: RoomView): void {
  ctx.store.draftGroups.clear();
  for (const n of v.nodes) {
    const g = groupOf(v.links, n.id);
    ctx.store.draftGroups.set(n.id, g >= 0 && g < 3 ? g : 0);
  }
}

export function networkPanel(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  const rules = h("ul", { class: "rules", "aria-live": "polite" });
  const zones = h("div", { class: "zones" });
  const selects = h("div", { class: "group-selects" });
  const apply = button(t("applyPartition"), () => void applyPartition(), { class: "primary" });
  const heal = button(t("healAll"), () => void ctx.run({ cmd: "apply", command: { kind: "heal" } }));
  const fromSel = select([], "", {});
  const toSel = select([], "", {});
  const cut = button(t("cutLink"), () => void setLink(false), { class: "danger" });
  const restore = button(t("restoreLink"), () => void setLink(true));
  const cutList = h("ul", { class: "cuts" });
  let ids = "";
  let lastRules = "";
  let lastGroups = "";

  async function applyPartition(): Promise<void> {
    const v = store.view;
    if (!v) return;
    const groups: number[][] = [[], [], []];
    for (const n of v.nodes) groups[store.draftGroups.get(n.id) ?? 0]!.push(n.id);
    const nonEmpty = groups.filter((g) => g.length > 0);
    if (nonEmpty.length <= 1) {
      const r = await ctx.run({ cmd: "apply", command: { kind: "heal" } });
      if (r.ok) ctx.notify(t("oneGroupHealed"));
      return;
    }
    await ctx.run({ cmd: "apply", command: { kind: "partition", groups: nonEmpty } });
  }

  async function setLink(up: boolean): Promise<void> {
    const from = Number(fromSel.value);
    const to = Number(toSel.value);
    if (from === to) {
      ctx.notify(t("sameServer"), "error");
      return;
    }
    await ctx.run({ cmd: "apply", command: { kind: "link", from, to, up } });
  }

  function move(id: number, g: number): void {
    store.draftGroups.set(id, g);
    store.emit("tab", store.tab); // redraw the picture's badges and this editor
  }

  let zonesKey = "";
  function renderZones(v: RoomView, can: boolean): void {
    const key = JSON.stringify([can, v.nodes.map((n) => [n.id, store.draftGroups.get(n.id) ?? 0])]);
    if (key === zonesKey) return;
    zonesKey = key;
    // Rebuilding loses focus: remember which server's chip or select had it.
    const active = document.activeElement as HTMLElement | null;
    const focusId = active && (zones.contains(active) || selects.contains(active)) ? active.dataset.server : undefined;
    const focusSel = active !== null && selects.contains(active);
    clear(zones);
    clear(selects);
    for (let g = 0; g < 3; g++) {
      const letter = GROUP_LETTERS[g]!;
      const list = h("ul", { class: "zone-list" });
      const zone = h("div", { class: "zone", style: `--gc:${GROUP_COLOURS[g]}`, "data-group": g }, h("div", { class: "zone-title" }, t("groupName", { g: letter })), list);
      zone.addEventListener("dragover", (ev) => {
        if (!can) return;
        ev.preventDefault();
        zone.classList.add("over");
      });
      zone.addEventListener("dragleave", () => zone.classList.remove("over"));
      zone.addEventListener("drop", (ev) => {
        ev.preventDefault();
        zone.classList.remove("over");
        const id = Number(ev.dataTransfer?.getData("text/plain"));
        if (id) move(id, g);
      });
      for (const n of v.nodes) {
        if ((store.draftGroups.get(n.id) ?? 0) !== g) continue;
        const next = GROUP_LETTERS[(g + 1) % 3]!;
        const chip = button(`S${n.id}`, () => move(n.id, (g + 1) % 3), {
          class: "chip-btn",
          draggable: "true",
          "aria-label": t("chipLabel", { id: n.id, g: letter, next }),
          disabled: !can,
          "data-server": n.id,
        });
        chip.addEventListener("dragstart", (ev) => ev.dataTransfer?.setData("text/plain", String(n.id)));
        list.append(h("li", {}, chip));
      }
      zones.append(zone);
    }
    for (const n of v.nodes) {
      const sel = select(GROUP_LETTERS.map((l, i) => [String(i), l]), String(store.draftGroups.get(n.id) ?? 0), {
        "aria-label": t("groupFor", { id: n.id }),
        disabled: !can,
        "data-server": n.id,
      });
      sel.addEventListener("change", () => move(n.id, Number(sel.value)));
      selects.append(h("label", { class: "inline" }, `S${n.id} `, sel));
    }
    if (focusId) {
      const again = (focusSel ? selects : zones).querySelector<HTMLElement>(`[data-server="${focusId}"]`);
      again?.focus();
    }
  }

  function render(): void {
    const v = store.view;
    if (!v) return;
    const can = v.canControl;
    const key = v.nodes.map((n) => n.id).join(",");
    if (key !== ids) {
      ids = key;
      draftFromRules(ctx, v);
      for (const sel of [fromSel, toSel]) {
        const keep = sel.value;
        clear(sel);
        for (const n of v.nodes) sel.append(h("option", { value: String(n.id) }, `S${n.id}`));
        if (keep) sel.value = keep;
      }
      if (!toSel.value || toSel.value === fromSel.value) toSel.value = String(v.nodes[1]?.id ?? 1);
    }
    const rk = JSON.stringify(v.links);
    if (rk !== lastRules) {
      // A partition made or healed (here or by anyone): the editor starts again from it.
      const gk = JSON.stringify(v.links.groups);
      if (gk !== lastGroups) {
        if (lastGroups !== "") draftFromRules(ctx, v);
        lastGroups = gk;
      }
      lastRules = rk;
      clear(rules);
      for (const line of describeRules(v.links)) rules.append(h("li", {}, line));
      clear(cutList);
      for (const c of v.links.cuts) {
        cutList.append(h("li", {}, `${c[0]} → ${c[1]} `, button(t("restoreOne", { from: c[0], to: c[1] }), () => void ctx.run({ cmd: "apply", command: { kind: "link", from: c[0], to: c[1], up: true } }), { class: "small", disabled: !can })));
      }
    }
    renderZones(v, can);
    for (const el of [apply, heal, cut, restore, fromSel, toSel]) el.disabled = !can;
    setText(apply, t("applyPartition"));
  }

  const later = () => schedule(render);
  ctx.scope.on(store, "view", later);
  ctx.scope.on(store, "tab", later);
  ctx.scope.on(store, "reset", () => {
    ids = "";
    later();
  });
  render();

  return h(
    "div",
    { class: "panel-body network-panel" },
    h("h3", {}, t("rulesInForce")),
    rules,
    h("h3", {}, t("partitionHeading")),
    h("p", { class: "hint" }, t("partitionHint")),
    zones,
    h("details", { class: "group-select-box" }, h("summary", {}, t("groupSelects")), selects),
    h("div", { class: "buttons" }, apply, heal),
    h("h3", {}, t("oneWayHeading")),
    h("p", { class: "hint" }, t("oneWayHint")),
    h("div", { class: "row" }, labelled(t("fromServer"), fromSel, "field inline"), labelled(t("toServer"), toSel, "field inline")),
    h("div", { class: "buttons" }, cut, restore),
    cutList,
    netQualitySection(ctx),
  );
}
