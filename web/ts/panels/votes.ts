// The vote table of Fast Leader Election: per server its current vote (proposed leader, zxid
// as (epoch, counter), peer epoch, round), the latest notification it received from each
// peer, and why its vote last changed. Open by itself while a voter is LOOKING; a toggle
// keeps it open otherwise. Everything comes from the view (the votes) and from the events on
// the page (deliveries of NOTIFICATIONs, vote and decided events), so it also shows the past.

import { getEvents } from "../api";
import type { Ctx } from "../ctx";
import { button, clear, h, setText } from "../dom";
import { scheduleAtMost } from "../frame";
import { t } from "../i18n";
import { renderReason } from "../reasons";
import type { EventVote, NodeView, Reason, RoomView, ZEvent } from "../types";
import { compareZxid, zxidFull, zxidPair } from "../zxid";

/** The three fields FastLeaderElection.totalOrderPredicate compares. */
export interface Ballot {
  leader: number;
  zxid: string;
  peerEpoch: number;
}

/** better is ZooKeeper's totalOrderPredicate: higher peerEpoch, else higher zxid, else higher sid. */
export function better(n: Ballot, cur: Ballot): boolean {
  if (n.peerEpoch !== cur.peerEpoch) return n.peerEpoch > cur.peerEpoch;
  const z = compareZxid(n.zxid, cur.zxid);
  if (z !== 0) return z > 0;
  return n.leader > cur.leader;
}

/** whyBetter names the field that decides, as the engine's whyBetter does (catalogue reasons). */
export function whyBetter(n: Ballot, cur: Ballot): Reason {
  if (n.peerEpoch !== cur.peerEpoch) return { code: "vote.higherEpoch", args: { epoch: n.peerEpoch, than: cur.peerEpoch } };
  if (compareZxid(n.zxid, cur.zxid) !== 0) return { code: "vote.higherZxid", args: { zxid: n.zxid, than: cur.zxid } };
  return { code: "vote.higherId", args: { id: n.leader, than: cur.leader } };
}

/**
 * ownBallot is a server's initial vote: itself, its last logged zxid, its currentEpoch — from
 * its initial vote event, else from the view while it is still LOOKING (neither changes then).
 */
function ownBallot(initial: ZEvent | undefined, n: NodeView): Ballot | undefined {
  if (initial?.vote) return initial.vote;
  return n.state === "LOOKING" ? { leader: n.id, zxid: n.lastZxid, peerEpoch: n.currentEpoch } : undefined;
}

const same = (a: Ballot, b: Ballot) => a.leader === b.leader && a.zxid === b.zxid && a.peerEpoch === b.peerEpoch;

/**
 * switchText explains a server's latest vote or decided event in the page's language. own is
 * the server's own initial vote in that election (what a vote of a later round is compared
 * with), when known.
 */
export function switchText(e: ZEvent, own: Ballot | undefined): string {
  const id = e.node ?? 0;
  const v = e.vote;
  if (!v) return "";
  if (e.kind === "decided") return t("voteDecided", { node: id, leader: v.leader, why: renderReason(e.reason) });
  const r = e.reason;
  const args = r?.args ?? {};
  switch (r?.code) {
    case "vote.initial":
      return t("voteInitial", { node: id, round: v.round });
    case "vote.adopt": {
      const why = args.why;
      return t("voteSwitch", { node: id, to: v.leader, from: Number(args.from ?? 0), why: typeof why === "object" && !Array.isArray(why) ? renderReason(why) : "" });
    }
    case "vote.adoptBetter": {
      // A notification of a later round: compared with the server's own initial vote.
      const from = Number(args.from ?? 0);
      const why = own ? renderReason(whyBetter(v, own)) : "";
      return t("voteNewRoundSwitch", { node: id, to: v.leader, from, round: v.round, why });
    }
    case "vote.ownBetter": {
      const from = Number(args.from ?? 0);
      return t("voteNewRoundOwn", { node: id, from, round: v.round });
    }
  }
  return renderReason(r);
}

/** Latest per server: its last vote or decided event and each sender's last notification. */
interface Heard {
  /** The latest vote event (a change of vote, with its reason). */
  vote: ZEvent | undefined;
  /** The server's latest initial vote (its own: id, last zxid, currentEpoch), at or before vote. */
  initial: ZEvent | undefined;
  /** The latest decided event, when it came after that vote. */
  decided: ZEvent | undefined;
  from: Map<number, ZEvent>;
}

/** collect scans the page's events, newest first, for what the table shows. */
function collect(log: ZEvent[], ids: number[]): Map<number, Heard> {
  const out = new Map<number, Heard>();
  for (const id of ids) out.set(id, { vote: undefined, initial: undefined, decided: undefined, from: new Map() });
  for (let i = log.length - 1; i >= 0; i--) {
    const e = log[i]!;
    const me = out.get(e.node ?? 0);
    if (!me) continue;
    if (e.kind === "vote" && e.reason?.code === "vote.initial" && !me.initial) me.initial = e;
    if (e.kind === "vote" && !me.vote) me.vote = e;
    else if (e.kind === "decided" && !me.vote && !me.decided) me.decided = e;
    else if (e.kind === "deliver" && e.packet === "NOTIFICATION" && e.vote && e.peer && e.peer !== e.node && !me.from.has(e.peer)) me.from.set(e.peer, e);
  }
  return out;
}

function stateShort(s: string): string {
  return s === "LOOKING" ? "L" : s === "FOLLOWING" ? "F" : s === "LEADING" ? "Ld" : s === "OBSERVING" ? "O" : s.slice(0, 1);
}

/** heardChip is one sender's latest notification: its vote, round and state. */
function heardChip(from: number, e: ZEvent, n: NodeView): HTMLElement {
  const v = e.vote as EventVote;
  const agrees = n.state === "LOOKING" && v.state === "LOOKING" && v.round === n.vote.round && same(v, n.vote);
  const old = n.state === "LOOKING" && v.state === "LOOKING" && v.round < n.vote.round;
  const title = t("heardTitle", { from, leader: v.leader, zxid: zxidFull(v.zxid), epoch: v.peerEpoch, round: v.round, state: v.state, time: (e.t / 1000).toFixed(3) });
  return h(
    "li",
    { class: `heard${agrees ? " agrees" : ""}${old ? " old" : ""}`, title, "aria-label": title },
    h("b", {}, `S${from}`),
    `→S${v.leader} ${zxidPair(v.zxid)} e${v.peerEpoch} r${v.round} ${stateShort(v.state)}`,
    agrees ? " ✓" : "",
  );
}

export function votesPanel(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  let pinned = false;
  const body = h("tbody");
  const table = h(
    "table",
    { class: "votes" },
    h("caption", { class: "sr-only" }, t("votesCaption")),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, t("server")),
        h("th", { scope: "col" }, t("stateCol")),
        h("th", { scope: "col" }, t("voteForCol")),
        h("th", { scope: "col" }, t("voteZxidCol")),
        h("th", { scope: "col" }, t("votePeerEpochCol")),
        h("th", { scope: "col" }, t("voteRoundCol")),
        h("th", { scope: "col" }, t("voteHeardCol")),
        h("th", { scope: "col" }, t("voteWhyCol")),
      ),
    ),
    body,
  );
  const status = h("span", { class: "votes-status", role: "status" });
  const toggle = button(t("votesKeepOpen"), () => {
    pinned = !pinned;
    toggle.setAttribute("aria-pressed", String(pinned));
    scheduleAtMost(render, 0);
  }, { "aria-pressed": "false", class: "small" });
  const hint = h("p", { class: "hint" }, t("votesHint"));
  const wrap = h("div", { class: "votes-wrap" }, table, hint);
  const card = h(
    "section",
    { class: "card votes-card", "aria-labelledby": "votes-h" },
    h("div", { class: "card-head" }, h("h2", { id: "votes-h" }, t("votesHeading")), status, h("div", { class: "buttons" }, toggle)),
    wrap,
  );

  function electionRunning(v: RoomView): boolean {
    return v.nodes.some((n) => n.role === "participant" && n.state === "LOOKING");
  }

  let shownKey = "";
  /** Vote and decided events older than the page's log, asked for once per cluster. */
  let older: ZEvent[] = [];
  let askedFor = "";

  /** fetchOlder asks the server for the election's vote events the page joined too late for. */
  async function fetchOlder(v: RoomView): Promise<void> {
    const first = store.log[0];
    const to = first ? first.t : v.timeMs;
    const r = await getEvents(store.room, Math.max(0, to - 60000), to, ["vote", "decided"], 1);
    if (!r.ok || !r.result || store.view?.generation !== v.generation || store.past !== null) return;
    const before = store.log[0]?.seq ?? Number.MAX_SAFE_INTEGER;
    older = r.result.events.filter((e) => e.seq < before);
    shownKey = "";
    scheduleAtMost(render, 0);
  }

  function render(): void {
    const v = store.view;
    if (!v) return;
    const running = electionRunning(v);
    const open = running || pinned;
    wrap.hidden = !open;
    card.classList.toggle("running", running);
    setText(status, running ? t("votesRunning") : t("votesIdle"));
    if (!open) {
      // Closed: no rows at all (nothing to keep up to date, nothing for a search to find).
      clear(body);
      return;
    }
    // Nothing new (no event, no view): keep the rows.
    const last = store.log[store.log.length - 1];
    const key = `${store.log.length}:${last?.seq ?? 0}:${v.timeMs}:${v.generation}:${store.past ?? ""}`;
    if (key === shownKey && body.childElementCount > 0) return;
    shownKey = key;
    const log = older.length > 0 && store.past === null ? older.concat(store.log) : store.log;
    const heard = collect(log, v.nodes.map((n) => n.id));
    // A page opened during an election may lack its first votes: ask once for this cluster.
    const ask = `${v.generation}`;
    if (askedFor !== ask && store.past === null && v.nodes.some((n) => n.role === "participant" && n.state !== "DOWN" && !heard.get(n.id)?.vote)) {
      askedFor = ask;
      void fetchOlder(v);
    }
    clear(body);
    for (const n of v.nodes) {
      const got = heard.get(n.id)!;
      const looking = n.state === "LOOKING";
      const voter = n.role === "participant";
      const chips = h("ul", { class: "heard-list" });
      for (const from of Array.from(got.from.keys()).sort((a, b) => a - b)) chips.append(heardChip(from, got.from.get(from)!, n));
      if (chips.childElementCount === 0) chips.append(h("li", { class: "heard none" }, t("voteNothingHeard")));
      const showVote = voter && n.state !== "DOWN";
      const why = h("td", { class: `vote-why${looking ? "" : " settled"}` });
      const own = ownBallot(got.initial, n);
      if (got.vote) why.append(h("span", {}, switchText(got.vote, own)));
      if (got.decided) why.append(h("span", { class: "vote-decided" }, switchText(got.decided, own)));
      body.append(
        h(
          "tr",
          { class: `st-${n.state}`, "data-server": n.id },
          h("th", { scope: "row" }, voter ? `S${n.id}` : `S${n.id} (${t("observer")})`),
          h("td", {}, n.state),
          h("td", { class: "vote-leader" }, showVote ? `S${n.vote.leader}` : "—"),
          h("td", { class: "zx" }, showVote ? zxidFull(n.vote.zxid) : "—"),
          h("td", {}, showVote ? String(n.vote.peerEpoch) : "—"),
          h("td", {}, n.state === "DOWN" ? "—" : String(n.vote.round)),
          h("td", {}, chips),
          why,
        ),
      );
    }
  }

  const later = () => scheduleAtMost(render, 250);
  ctx.scope.on(store, "view", later);
  ctx.scope.on(store, "events", later);
  ctx.scope.on(store, "reset", () => {
    older = [];
    later();
  });
  ctx.scope.on(store, "past", later);
  render();
  return card;
}
