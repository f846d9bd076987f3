// Client tab: create / set / get / delete / ls / sync at a chosen server, like zkCli.sh, and
// the answers. A read from a follower that has not caught up is marked stale, with the zxid
// it answered at against the newest committed one; "sync, then get" shows the fix.

import { normaliseOpResult } from "../api";
import type { Ctx } from "../ctx";
import { button, checkbox, clear, h, labelled, select } from "../dom";
import { schedule } from "../frame";
import { t } from "../i18n";
import type { OpName, OpRequest, OpResult, RoomView } from "../types";
import { compareZxid, parseZxid, zxidFull } from "../zxid";

const OPS: OpName[] = ["create", "set", "get", "delete", "ls", "sync"];
const MAX_RESULTS = 8;

/** The form survives a rebuild of the page (language switch). */
const form = { server: 0, op: "create" as OpName, path: "/a", data: "hello", ephemeral: false, sequential: false };

interface Answer {
  req: OpRequest;
  res?: OpResult;
  error?: string;
  /** The newest committed zxid anywhere when the answer came. */
  newest: string;
  /** Answered later through a client event (a paused room). */
  late?: boolean;
}

/** Engine op names of the client events, per form op. */
const ENGINE_OP: Record<OpName, string> = { create: "create", set: "setData", get: "getData", delete: "delete", ls: "getChildren", sync: "sync" };

const answers: Answer[] = [];

function newestCommitted(v: RoomView | null): string {
  let best = "-1";
  for (const n of v?.nodes ?? []) {
    if (n.state === "DOWN") continue;
    if (compareZxid(n.lastCommittedZxid, best) > 0) best = n.lastCommittedZxid;
  }
  return best;
}

function answerView(a: Answer): HTMLElement {
  const { req, res } = a;
  const title = `${req.op} ${req.path} @ S${req.server}`;
  if (a.error || !res) {
    return h("li", { class: "answer bad" }, h("strong", {}, title), " → ", h("span", { class: "err" }, a.error ?? "?"));
  }
  if (res.pending) {
    return h("li", { class: "answer pending" }, h("strong", {}, title), " → ", t("pendingAnswer"));
  }
  const li = h("li", { class: `answer ${res.ok ? "good" : "bad"}` }, h("strong", {}, title), " → ", h("span", { class: res.ok ? "ok" : "err" }, res.err));
  if (res.zxid && !parseZxid(res.zxid).none && parseZxid(res.zxid).counter + parseZxid(res.zxid).epoch > 0) {
    li.append(h("div", {}, t("txnZxid", { zxid: zxidFull(res.zxid) })));
  }
  if (a.late) li.append(h("div", { class: "hint" }, t("lateAnswer")));
  if (res.path && res.path !== req.path) li.append(h("div", {}, t("createdPath", { path: res.path })));
  if (req.op === "get" && res.ok) li.append(h("div", {}, t("dataIs", { data: res.data ?? "" }), res.stat ? ` · version ${res.stat.version} · mzxid ${zxidFull(res.stat.mzxid)}` : ""));
  if (req.op === "ls" && res.ok) li.append(h("div", {}, t("childrenAre", { list: (res.children ?? []).join(", ") || "—" })));
  if (res.replyZxid) {
    li.append(h("div", { class: "hint" }, t("answeredAt", { id: res.server || req.server, zxid: zxidFull(res.replyZxid) })));
    const read = req.op === "get" || req.op === "ls";
    if (read && res.ok && compareZxid(res.replyZxid, a.newest) < 0) {
      li.classList.add("stale");
      li.append(h("div", { class: "stale-note" }, "⚠ ", t("staleRead", { id: req.server, at: zxidFull(res.replyZxid), newest: zxidFull(a.newest) })));
    } else if (read && res.ok) {
      li.append(h("div", { class: "fresh-note" }, "✓ ", t("freshRead")));
    }
    if (req.op === "sync" && res.ok) li.append(h("div", { class: "fresh-note" }, t("syncDone", { id: req.server, zxid: zxidFull(res.replyZxid) })));
  }
  return li;
}

export function clientPanel(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  const serverSel = select([], "", { name: "server" });
  const opSel = select(OPS.map((o) => [o, o]), form.op, { name: "op" });
  const path = h("input", { type: "text", name: "path", value: form.path, spellcheck: "false", autocomplete: "off" });
  const data = h("input", { type: "text", name: "data", value: form.data, spellcheck: "false", autocomplete: "off" });
  const eph = checkbox(t("ephemeral"), form.ephemeral, (on) => (form.ephemeral = on));
  const seq = checkbox(t("sequential"), form.sequential, (on) => (form.sequential = on));
  const send = h("button", { type: "submit", class: "primary" }, t("sendRequest"));
  const syncGet = button(t("syncThenGet"), () => void syncThenGet());
  const list = h("ol", { class: "answers", "aria-live": "polite", "aria-label": t("answers") });
  let ids = "";

  function fillServers(): void {
    const v = store.view;
    if (!v) return;
    const key = v.nodes.map((n) => `${n.id}${n.state}`).join(",");
    if (key !== ids) {
      ids = key;
      const keep = form.server || Number(serverSel.value) || v.nodes.find((n) => n.state === "FOLLOWING")?.id || 1;
      clear(serverSel);
      for (const n of v.nodes) serverSel.append(h("option", { value: String(n.id) }, `S${n.id} · ${n.state}`));
      serverSel.value = String(keep);
      form.server = Number(serverSel.value);
    }
    const can = v.canControl;
    for (const el of [send, syncGet, serverSel, opSel, path, data]) el.disabled = !can;
    const o = opSel.value as OpName;
    data.disabled = !can || !(o === "create" || o === "set");
    for (const l of [eph, seq]) {
      const input = l.querySelector("input")!;
      input.disabled = !can || o !== "create";
    }
  }

  function renderAnswers(): void {
    clear(list);
    for (const a of answers) list.append(answerView(a));
  }

  function request(op: OpName): OpRequest {
    form.server = Number(serverSel.value);
    form.path = path.value;
    form.data = data.value;
    return { server: form.server, op, path: path.value || "/", data: data.value, ephemeral: form.ephemeral, sequential: form.sequential };
  }

  async function submit(req: OpRequest): Promise<OpResult | undefined> {
    const r = await ctx.run({ cmd: "op", ...req }, true);
    const a: Answer = { req, newest: newestCommitted(store.view) };
    if (r.ok) a.res = normaliseOpResult(r.result);
    else a.error = `${r.code ?? ""}${r.code ? ": " : ""}${r.error ?? ""}`;
    answers.unshift(a);
    answers.splice(MAX_RESULTS);
    renderAnswers();
    return a.res;
  }

  async function syncThenGet(): Promise<void> {
    const s = await submit(request("sync"));
    if (s && s.ok && !s.pending) await submit(request("get"));
  }

  opSel.addEventListener("change", () => {
    form.op = opSel.value as OpName;
    fillServers();
  });
  serverSel.addEventListener("change", () => (form.server = Number(serverSel.value)));
  const f = h(
    "form",
    { class: "client-form", "aria-label": t("clientForm") },
    labelled(t("atServer"), serverSel),
    labelled(t("operation"), opSel),
    labelled(t("path"), path),
    labelled(t("data"), data),
    h("div", { class: "checks" }, eph, seq),
    h("div", { class: "buttons" }, send, syncGet),
  );
  f.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void submit(request(opSel.value as OpName));
  });
  // A request made while the room was paused is answered later, as a "client" event.
  ctx.scope.on(store, "events", (evs) => {
    let changed = false;
    for (const e of evs) {
      if (e.kind !== "client" || !e.op || e.seq <= store.replayUpTo) continue;
      const a = answers
        .slice()
        .reverse()
        .find((x) => x.res?.pending && x.req.server === e.node && ENGINE_OP[x.req.op] === e.op);
      if (!a) continue;
      a.res = { ok: e.err === "OK", err: e.err ?? "?", server: e.node ?? a.req.server, zxid: e.zxid ?? "" };
      a.late = true;
      changed = true;
    }
    if (changed) renderAnswers();
  });
  ctx.scope.on(store, "view", () => schedule(fillServers));
  fillServers();
  renderAnswers();
  return h("div", { class: "panel-body client-panel" }, f, h("p", { class: "hint" }, t("clientHint")), h("h3", {}, t("answers")), list);
}
