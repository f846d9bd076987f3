// The znode tree of one server with its Stat fields (fetched from /tree), refreshed as that
// server commits; and "compare servers": every up server's tree side by side, rows where
// they differ highlighted.

import { getTree } from "../api";
import type { Ctx } from "../ctx";
import { button, checkbox, clear, h, labelled, select } from "../dom";
import { schedule } from "../frame";
import { t } from "../i18n";
import type { ZNode } from "../types";
import { zxidFull, zxidPair } from "../zxid";

/** Znodes listed at most (the rest are counted). */
const MAX_NODES = 400;
/** Refresh at most this often while a server commits, in wall ms. */
const REFRESH_MS = 700;

function depth(path: string): number {
  return path === "/" ? 0 : path.split("/").length - 1;
}

function baseName(path: string): string {
  if (path === "/") return "/";
  return path.slice(path.lastIndexOf("/") + 1);
}

function statList(n: ZNode): HTMLElement {
  const st = n.stat;
  const rows: [string, string][] = [
    ["czxid", zxidFull(st.czxid)],
    ["mzxid", zxidFull(st.mzxid)],
    ["pzxid", zxidFull(st.pzxid)],
    ["version", String(st.version)],
    ["cversion", String(st.cversion)],
    ["aversion", String(st.aversion)],
    ["ephemeralOwner", st.ephemeralOwner && st.ephemeralOwner !== "0" && st.ephemeralOwner !== "0x0" ? st.ephemeralOwner : "0 (" + t("persistent") + ")"],
    ["dataLength", String(st.dataLength)],
    ["numChildren", String(st.numChildren)],
    ["ctime / mtime", `${st.ctime} / ${st.mtime} ms`],
  ];
  const dl = h("dl", { class: "stat" });
  for (const [k, val] of rows) dl.append(h("dt", {}, k), h("dd", {}, val));
  return dl;
}

/** Znodes whose Stat is open survive refreshes (by path). */
const openPaths = new Set<string>();

function treeList(nodes: ZNode[]): HTMLElement {
  const ul = h("ul", { class: "ztree" });
  for (const n of nodes.slice(0, MAX_NODES)) {
    const eph = n.stat.ephemeralOwner && n.stat.ephemeralOwner !== "0" && n.stat.ephemeralOwner !== "0x0";
    const summary = h(
      "summary",
      {},
      h("span", { class: "zname" }, baseName(n.path)),
      eph ? h("span", { class: "tag" }, t("ephemeralTag")) : null,
      n.data ? h("span", { class: "zdata" }, `= "${n.data.length > 40 ? n.data.slice(0, 40) + "…" : n.data}"`) : null,
      h("span", { class: "zmeta" }, `m ${zxidPair(n.stat.mzxid)} v${n.stat.version}`),
    );
    const det = h("details", { open: openPaths.has(n.path) }, summary, h("div", { class: "zpath" }, n.path), statList(n));
    det.addEventListener("toggle", () => {
      if (det.open) openPaths.add(n.path);
      else openPaths.delete(n.path);
    });
    ul.append(h("li", { style: `--depth:${depth(n.path)}` }, det));
  }
  if (nodes.length > MAX_NODES) ul.append(h("li", { class: "hint" }, t("andMore", { n: nodes.length - MAX_NODES })));
  return ul;
}

/** A compact signature of a znode for comparing servers. */
function sig(n: ZNode | undefined): string {
  return n ? `${n.stat.mzxid}|${n.stat.pzxid}|${n.stat.version}|${n.stat.cversion}|${n.data}` : "";
}

function compareTable(trees: Map<number, ZNode[] | null>, onlyDiff: boolean): HTMLElement {
  const ids = Array.from(trees.keys());
  const maps = new Map<number, Map<string, ZNode>>();
  const paths = new Set<string>();
  for (const [id, nodes] of trees) {
    const m = new Map<string, ZNode>();
    for (const n of nodes ?? []) {
      m.set(n.path, n);
      paths.add(n.path);
    }
    maps.set(id, m);
  }
  const sorted = Array.from(paths).sort();
  const head = h("tr", {}, h("th", { scope: "col" }, t("pathCol")));
  for (const id of ids) head.append(h("th", { scope: "col" }, `S${id}`, trees.get(id) === null ? h("span", { class: "sub" }, t("downShort")) : null));
  const body = h("tbody");
  let diffs = 0;
  let shown = 0;
  for (const p of sorted) {
    const up = ids.filter((id) => trees.get(id) !== null);
    const sigs = new Set(up.map((id) => sig(maps.get(id)?.get(p))));
    const differs = sigs.size > 1;
    if (differs) diffs++;
    if (onlyDiff && !differs) continue;
    if (shown >= MAX_NODES) continue;
    shown++;
    const tr = h("tr", { class: differs ? "differs" : "" }, h("th", { scope: "row", class: "zpath" }, p, differs ? h("span", { class: "sr-only" }, ` (${t("differs")})`) : null));
    for (const id of ids) {
      if (trees.get(id) === null) {
        tr.append(h("td", { class: "down" }, "—"));
        continue;
      }
      const n = maps.get(id)?.get(p);
      tr.append(
        n
          ? h("td", { title: `czxid ${zxidFull(n.stat.czxid)}, mzxid ${zxidFull(n.stat.mzxid)}, pzxid ${zxidFull(n.stat.pzxid)}` },
            `m ${zxidPair(n.stat.mzxid)} v${n.stat.version}`, n.data ? h("span", { class: "zdata" }, ` "${n.data.slice(0, 16)}"`) : null)
          : h("td", { class: "missing" }, t("missing")),
      );
    }
    body.append(tr);
  }
  const summary = h("p", { class: diffs ? "diff-summary bad" : "diff-summary good", role: "status" }, diffs ? t("diffCount", { n: diffs }) : t("noDiffs"));
  return h("div", {}, summary, h("div", { class: "table-scroll" }, h("table", { class: "compare" }, h("caption", { class: "sr-only" }, t("compareCaption")), h("thead", {}, head), body)));
}

export function treePanel(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  const serverSel = select([], "", {});
  const out = h("div", { class: "tree-out", "aria-live": "polite", "aria-busy": "false" });
  let auto = true;
  let mode: "one" | "compare" = "one";
  let onlyDiff = false;
  let lastFetch = 0;
  let timer = 0;
  let inflight = false;
  let ids = "";

  function fillServers(): void {
    const v = store.view;
    if (!v) return;
    const key = v.nodes.map((n) => n.id).join(",");
    if (key === ids) return;
    ids = key;
    clear(serverSel);
    for (const n of v.nodes) serverSel.append(h("option", { value: String(n.id) }, `S${n.id}`));
    const want = store.selected || v.leader || v.nodes[0]?.id || 1;
    serverSel.value = String(want);
  }

  async function load(): Promise<void> {
    if (inflight) return;
    inflight = true;
    lastFetch = performance.now();
    out.setAttribute("aria-busy", "true");
    try {
      if (mode === "one") {
        const id = Number(serverSel.value);
        if (!id) return;
        const r = await getTree(store.room, id);
        const scroll = out.querySelector(".ztree")?.scrollTop ?? 0;
        const focusPath = (document.activeElement?.closest("li")?.querySelector(".zpath")?.textContent) ?? null;
        clear(out);
        if (!r.ok || !r.result) {
          out.append(h("p", { class: "empty" }, t("treeUnavailable", { id, error: r.error ?? "" })));
          return;
        }
        const list = treeList(r.result);
        out.append(h("p", { class: "hint" }, t("treeCount", { id, n: r.result.length })), list);
        list.scrollTop = scroll;
        if (focusPath !== null && out.contains(document.activeElement) === false) {
          // Keep keyboard focus on the same znode after a refresh.
          for (const z of Array.from(list.querySelectorAll(".zpath"))) {
            if (z.textContent === focusPath) (z.parentElement?.querySelector("summary") as HTMLElement | null)?.focus();
          }
        }
      } else {
        const v = store.view;
        if (!v) return;
        const trees = new Map<number, ZNode[] | null>();
        const results = await Promise.all(v.nodes.map((n) => (n.state === "DOWN" ? Promise.resolve(null) : getTree(store.room, n.id))));
        v.nodes.forEach((n, i) => {
          const r = results[i];
          trees.set(n.id, r && r.ok && r.result ? r.result : null);
        });
        clear(out);
        out.append(compareTable(trees, onlyDiff));
      }
    } finally {
      inflight = false;
      out.setAttribute("aria-busy", "false");
    }
  }

  let stale = false;
  const root = h("div", { class: "panel-body tree-panel" });
  const hidden = () => root.closest("[hidden]") !== null || !root.isConnected;

  function soon(): void {
    if (!auto || timer) return;
    if (hidden()) {
      stale = true;
      return;
    }
    const wait = Math.max(0, REFRESH_MS - (performance.now() - lastFetch));
    timer = window.setTimeout(() => {
      timer = 0;
      void load();
    }, wait);
  }
  ctx.scope.add(() => clearTimeout(timer));
  // A hidden panel does not fetch; it catches up when it is shown again.
  const watch = window.setInterval(() => {
    if (stale && !hidden()) {
      stale = false;
      void load();
    }
  }, 500);
  ctx.scope.add(() => clearInterval(watch));

  serverSel.addEventListener("change", () => {
    store.select(Number(serverSel.value));
    void load();
  });
  const oneBtn = button(t("oneServer"), () => setMode("one"), { "aria-pressed": "true" });
  const cmpBtn = button(t("compareServers"), () => setMode("compare"), { "aria-pressed": "false" });
  const diffOnly = checkbox(t("onlyDifferences"), false, (on) => {
    onlyDiff = on;
    void load();
  });
  diffOnly.hidden = true;
  const serverField = labelled(t("treeOf"), serverSel, "field inline");
  function setMode(m: "one" | "compare"): void {
    mode = m;
    oneBtn.setAttribute("aria-pressed", String(m === "one"));
    cmpBtn.setAttribute("aria-pressed", String(m === "compare"));
    serverField.hidden = m !== "one";
    diffOnly.hidden = m !== "compare";
    void load();
  }

  ctx.scope.on(store, "view", () => schedule(fillServers));
  ctx.scope.on(store, "select", (id) => {
    if (String(id) !== serverSel.value && mode === "one") {
      serverSel.value = String(id);
      if (hidden()) stale = true;
      else void load();
    }
  });
  ctx.scope.on(store, "events", (evs) => {
    const id = Number(serverSel.value);
    if (evs.some((e) => (e.kind === "commit" && (mode === "compare" || e.node === id)) || e.kind === "truncated" || (e.kind === "state" && e.node === id))) soon();
  });
  ctx.scope.on(store, "reset", () => {
    ids = "";
    fillServers();
    stale = true;
  });

  fillServers();
  stale = true;
  root.append(
    h("div", { class: "toolbar" },
      h("div", { class: "seg", role: "group", "aria-label": t("treeMode") }, oneBtn, cmpBtn),
      serverField,
      diffOnly,
      button(t("refresh"), () => void load()),
      checkbox(t("autoRefresh"), true, (on) => (auto = on))),
    out,
  );
  return root;
}
