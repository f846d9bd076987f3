// The event log in plain sentences (rendered from the catalogue in the page's language), newest
// first, filterable by server and by kind. The DOM holds at most MAX_ROWS rows; new rows
// are added once per frame.

import type { Ctx } from "../ctx";
import { getEvents } from "../api";
import { button, checkbox, clear, h, select, setText } from "../dom";
import { schedule } from "../frame";
import { t, type Key } from "../i18n";
import { attachLogInfo, tagEvent } from "../msginfo";
import { describeEvent, renderReason } from "../reasons";
import type { EventKind, ZEvent } from "../types";

const MAX_ROWS = 150;
/** LOG_PAGE is how many earlier events one "Earlier events" adds. */
const LOG_PAGE = 300;
/** Under load the log is redrawn at most this often (a person cannot read faster). */
const FLUSH_EVERY_MS = 250;

/** Kind groups offered as filters. */
const GROUPS: { id: string; key: Key; kinds: EventKind[]; on: boolean }[] = [
  { id: "election", key: "kindElection", kinds: ["state", "vote", "decided"], on: true },
  { id: "messages", key: "kindMessages", kinds: ["send", "deliver", "queue"], on: false },
  { id: "drops", key: "kindDrops", kinds: ["drop", "links", "conn"], on: true },
  { id: "epochs", key: "kindSync", kinds: ["epoch", "syncMode", "truncated", "snapshot"], on: true },
  { id: "broadcast", key: "kindBroadcast", kinds: ["propose", "logged", "acked", "commit"], on: true },
  { id: "clients", key: "kindClients", kinds: ["session", "client", "watch"], on: true },
  { id: "violations", key: "kindViolations", kinds: ["violation"], on: true },
];

/** Filter choices survive a rebuild of the page. */
const filter = {
  server: 0,
  groups: new Map(GROUPS.map((g) => [g.id, g.on])),
  kind: "" as "" | EventKind,
  frozen: false,
};

function kindGroup(k: EventKind): string {
  return GROUPS.find((g) => g.kinds.includes(k))?.id ?? "";
}

function matches(e: ZEvent): boolean {
  if (filter.server && e.node !== filter.server && e.peer !== filter.server) return false;
  if (filter.kind) return e.kind === filter.kind;
  return filter.groups.get(kindGroup(e.kind)) ?? true;
}

/** A run of drops of one kind to one server (a crashed one, during a re-election). */
interface Grouped {
  e: ZEvent;
  n: number;
}

const dropKey = (e: ZEvent): string => (e.kind === "drop" ? `${e.peer}|${e.packet ?? ""}|${e.reason?.code ?? ""}` : "");

/** How far back (rows, simulated ms) a drop looks for a row of the same drops to join. */
const GROUP_ROWS = 12;
const GROUP_MS = 2000;

/** grouped merges drops of the same packet type to the same server for the same reason into
 * one row ("12 NOTIFICATION messages to S5 dropped: server 5 is down"): a drop joins such a
 * row among the last few (a server that is down refuses notifications as they are sent, so
 * they interleave with the votes that caused them), and the row moves to the latest. */
function grouped(evs: ZEvent[]): Grouped[] {
  const out: Grouped[] = [];
  for (const e of evs) {
    const k = dropKey(e);
    if (k) {
      let i = out.length - 1;
      for (; i >= 0 && i >= out.length - GROUP_ROWS; i--) {
        if (dropKey(out[i]!.e) === k) break;
      }
      const g = i >= 0 && i >= out.length - GROUP_ROWS ? out[i]! : undefined;
      if (g && dropKey(g.e) === k && e.t - g.e.t <= GROUP_MS) {
        g.n++;
        g.e = e;
        out.splice(i, 1);
        out.push(g);
        continue;
      }
    }
    out.push({ e, n: 1 });
  }
  return out;
}

function row({ e, n }: Grouped): HTMLLIElement {
  const text = n > 1 ? t("dropsGrouped", { n, packet: e.packet ?? "", to: e.peer ?? 0, why: renderReason(e.reason) }) : describeEvent(e);
  const li = h(
    "li",
    { class: `ev k-${e.kind}`, tabindex: -1 },
    h("span", { class: "ev-t" }, `${(e.t / 1000).toFixed(3)}s`),
    h("span", { class: "ev-k" }, e.kind),
    h("span", { class: "ev-text" }, text),
  );
  tagEvent(li, e);
  return li;
}

export function eventsPanel(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  const list = h("ol", { class: "events", "aria-label": t("eventLog"), reversed: true });
  const serverSel = select([["0", t("allServers")]], String(filter.server), { "aria-label": t("filterServer") });
  const kindSel = select([["", t("allKindsByGroup")]], filter.kind, { "aria-label": t("filterKind") });
  for (const g of GROUPS) {
    const og = h("optgroup", { label: t(g.key) });
    for (const k of g.kinds) og.append(h("option", { value: k }, k));
    kindSel.append(og);
  }
  kindSel.value = filter.kind;
  const groupBoxes = h("div", { class: "kind-groups", role: "group", "aria-label": t("kindGroups") });
  for (const g of GROUPS) {
    groupBoxes.append(checkbox(t(g.key), filter.groups.get(g.id) ?? true, (on) => {
      filter.groups.set(g.id, on);
      rebuild();
    }, { title: g.kinds.join(", ") }));
  }
  const freeze = button(t("freezeLog"), () => {
    filter.frozen = !filter.frozen;
    freeze.setAttribute("aria-pressed", String(filter.frozen));
    if (!filter.frozen) rebuild();
  }, { "aria-pressed": String(filter.frozen) });
  const clearBtn = button(t("clearLog"), () => {
    store.log.length = 0;
    rebuild();
  });
  let pending: ZEvent[] = [];
  let ids = "";
  // The whole run is on the server: "Earlier events" pages back through it (GET /events).
  const earlierNote = h("span", { class: "earlier-note", role: "status" });
  const earlier = button(t("earlierEvents"), () => void loadEarlier(), { "aria-label": t("earlierEventsLabel") });
  async function loadEarlier(): Promise<void> {
    earlier.disabled = true;
    try {
      const oldest = store.log[0];
      let to = oldest ? oldest.t : store.liveMs;
      const before = oldest ? oldest.seq : Number.MAX_SAFE_INTEGER;
      let found: ZEvent[] = [];
      for (let span = 5000; to > 0 && found.length === 0; span *= 4) {
        const from = Math.max(0, to - span);
        const r = await getEvents(store.room, from, to, [], 2);
        if (!r.ok || !r.result) break;
        found = r.result.events.filter((e) => e.seq < before);
        to = from;
      }
      if (found.length === 0) {
        setText(earlierNote, t("noEarlierEvents"));
        return;
      }
      store.log.unshift(...found.slice(-LOG_PAGE));
      setText(earlierNote, t("earlierFrom", { time: (store.log[0]!.t / 1000).toFixed(3) }));
      rebuild(true);
    } finally {
      earlier.disabled = false;
    }
  }

  function rebuild(all = false): void {
    pending = [];
    clear(list);
    const limit = all ? store.log.length : MAX_ROWS;
    const shown: ZEvent[] = [];
    for (let i = store.log.length - 1; i >= 0 && shown.length < 4 * limit; i--) {
      const e = store.log[i]!;
      if (matches(e)) shown.push(e);
    }
    shown.reverse();
    const rows = grouped(shown).slice(-limit).map(row).reverse();
    list.append(...rows);
    groupBoxes.hidden = filter.kind !== "";
  }

  function flush(): void {
    if (filter.frozen || pending.length === 0) {
      pending = [];
      return;
    }
    const fresh = pending.filter(matches).slice(-MAX_ROWS);
    pending = [];
    if (fresh.length === 0) return;
    const frag = document.createDocumentFragment();
    const g = grouped(fresh);
    for (let i = g.length - 1; i >= 0; i--) frag.append(row(g[i]!));
    list.prepend(frag);
    while (list.childElementCount > MAX_ROWS) list.lastElementChild!.remove();
  }

  function fillServers(): void {
    const v = store.view;
    if (!v) return;
    const key = v.nodes.map((n) => n.id).join(",");
    if (key === ids) return;
    ids = key;
    const keep = String(filter.server);
    clear(serverSel);
    serverSel.append(h("option", { value: "0" }, t("allServers")));
    for (const n of v.nodes) serverSel.append(h("option", { value: String(n.id) }, `S${n.id}`));
    serverSel.value = v.nodes.some((n) => String(n.id) === keep) ? keep : "0";
  }

  serverSel.addEventListener("change", () => {
    filter.server = Number(serverSel.value);
    rebuild();
  });
  kindSel.addEventListener("change", () => {
    filter.kind = kindSel.value as "" | EventKind;
    rebuild();
  });
  let flushTimer = 0;
  let lastFlush = 0;
  ctx.scope.add(() => clearTimeout(flushTimer));
  ctx.scope.on(store, "events", (evs) => {
    pending.push(...evs);
    if (pending.length > 4 * MAX_ROWS) pending.splice(0, pending.length - 4 * MAX_ROWS);
    if (flushTimer) return;
    const wait = Math.max(0, FLUSH_EVERY_MS - (performance.now() - lastFlush));
    flushTimer = window.setTimeout(() => {
      flushTimer = 0;
      lastFlush = performance.now();
      schedule(flush);
    }, wait);
  });
  ctx.scope.on(store, "view", () => schedule(fillServers));
  ctx.scope.on(store, "reset", () => schedule(rebuild));
  fillServers();
  rebuild();
  const scroller = h("div", { class: "events-scroll", tabindex: 0, "aria-label": t("eventLog"), "aria-describedby": "events-keys" }, list, h("div", { class: "earlier" }, earlier, " ", earlierNote));
  attachLogInfo(ctx, list, scroller);

  return h(
    "section",
    { class: "card events-panel", "aria-labelledby": "events-h" },
    h("div", { class: "card-head" }, h("h2", { id: "events-h" }, t("eventLog")), h("div", { class: "buttons" }, freeze, clearBtn)),
    h("div", { class: "filters" }, serverSel, kindSel),
    groupBoxes,
    h("p", { class: "hint", id: "events-keys" }, t("eventsInfoHint")),
    scroller,
  );
}
