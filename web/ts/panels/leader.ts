// At the leader: one FIFO queue per learner (head on the left) and, for each outstanding
// proposal, which voters acked it against the quorum it needs.

import type { Ctx } from "../ctx";
import { clear, h, isHidden } from "../dom";
import { scheduleAtMost } from "../frame";
import { t } from "../i18n";
import { CATEGORY_STYLE, packetCategory, packetLabel } from "../palette";
import type { NodeView, ProposalView, QueueView, RoomView, ZEvent } from "../types";
import { zxidFull, zxidPair } from "../zxid";

/** Queue entries drawn per learner; the rest are counted. */
const MAX_CHIPS = 14;
const MAX_PROPOSALS = 12;

function queueRow(q: QueueView, v: RoomView): HTMLElement {
  const learner = v.nodes.find((n) => n.id === q.learner);
  const role = learner?.role === "observer" ? ` (${t("observer")})` : "";
  const chips = h("ol", { class: "queue", "aria-label": t("queueOf", { id: q.learner, n: q.packets.length }) });
  q.packets.slice(0, MAX_CHIPS).forEach((p, i) => {
    const cat = packetCategory(p.type);
    const z = p.zxid && p.zxid !== "-1" && p.zxid !== "0x0" ? ` ${zxidPair(p.zxid)}` : "";
    chips.append(
      h("li", { class: `chip cat-${cat}`, style: `--c:${CATEGORY_STYLE[cat].colour}`, title: `${p.type}${p.zxid ? " " + zxidFull(p.zxid) : ""}` },
        i === 0 ? h("span", { class: "sr-only" }, t("queueHead") + " ") : null,
        `${packetLabel(p.type)}${z}`),
    );
  });
  if (q.packets.length > MAX_CHIPS) chips.append(h("li", { class: "chip more" }, t("andMore", { n: q.packets.length - MAX_CHIPS })));
  if (q.packets.length === 0) chips.append(h("li", { class: "empty" }, t("queueEmpty")));
  const stage = h("span", { class: `stage${q.synced ? "" : " late"}`, title: q.synced ? "" : t("notSyncedHint") }, q.stage + (q.synced ? "" : " ⚠"));
  return h("div", { class: "queue-row" }, h("span", { class: "queue-name" }, `→ S${q.learner}${role}`), stage, chips);
}

function proposalRow(p: ProposalView, voters: NodeView[]): HTMLElement {
  const acked = new Set(p.acks);
  const have = voters.filter((n) => acked.has(n.id)).length;
  const list = h("ul", { class: "acks", "aria-label": t("acksLabel", { n: have, m: p.needed }) });
  for (const n of voters) {
    const ok = acked.has(n.id);
    list.append(h("li", { class: ok ? "ack yes" : "ack no", title: ok ? t("ackedBy", { id: n.id }) : t("notAckedBy", { id: n.id }) }, `${ok ? "✓" : "·"} S${n.id}`));
  }
  const pct = Math.min(100, (have / Math.max(1, voters.length)) * 100);
  const quorumPct = (p.needed / Math.max(1, voters.length)) * 100;
  const bar = h(
    "div",
    { class: "quorum-bar", role: "meter", "aria-valuemin": 0, "aria-valuemax": voters.length, "aria-valuenow": have, "aria-label": t("quorumMeter", { n: have, m: p.needed }) },
    h("div", { class: "fill", style: `width:${pct}%` }),
    h("div", { class: "mark", style: `left:${quorumPct}%`, title: t("quorumMark", { m: p.needed }) }),
  );
  return h(
    "div",
    { class: `proposal${have >= p.needed ? " reached" : ""}` },
    h("div", { class: "proposal-head" }, h("strong", {}, zxidFull(p.zxid)), ` ${p.op} ${p.path}`, h("span", { class: "count" }, t("acksCount", { n: have, m: p.needed }))),
    bar,
    list,
  );
}

/**
 * withLaterEvents brings the leader's outstanding proposals up to date with the ACKs and
 * commits that arrived after the view was taken (views come at most every 100 ms; events at
 * once), so the panel never reads "1 / 3 acks" while the COMMITs are already on the wire.
 */
export function withLaterEvents(leader: NodeView, later: ZEvent[]): ProposalView[] {
  const props = (leader.outstanding ?? []).map((p) => ({ ...p, acks: [...p.acks] }));
  for (const e of later) {
    if (e.node !== leader.id || !e.zxid) continue;
    const i = props.findIndex((p) => p.zxid === e.zxid);
    if (i < 0) continue;
    if (e.kind === "acked" && e.peer && !props[i]!.acks.includes(e.peer)) props[i]!.acks.push(e.peer);
    if (e.kind === "commit") props.splice(i, 1);
  }
  return props;
}

export function leaderPanel(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  const root = h("div", { class: "panel-body leader-panel" });
  let last = "";
  /** ACK and commit events newer than the view (seq > view.eventSeq). */
  let later: ZEvent[] = [];

  function render(): void {
    const v = store.view;
    if (!v || isHidden(root)) return;
    later = later.filter((e) => e.seq > v.eventSeq);
    const leader = v.nodes.find((n) => n.state === "LEADING");
    const outstanding = leader ? withLaterEvents(leader, later) : [];
    const key = leader ? JSON.stringify([leader.id, leader.phase, leader.queues, outstanding, v.nodes.length]) : "none";
    if (key === last) return;
    last = key;
    clear(root);
    if (!leader) {
      root.append(h("p", { class: "empty" }, t("noLeaderNow")));
      return;
    }
    root.append(h("h3", {}, t("leaderHeading", { id: leader.id, epoch: leader.currentEpoch, phase: leader.phase })));
    root.append(h("h4", {}, t("queuesHeading")));
    const queues = leader.queues ?? [];
    if (queues.length === 0) root.append(h("p", { class: "empty" }, t("noLearners")));
    for (const q of queues) root.append(queueRow(q, v));
    root.append(h("h4", {}, t("outstandingHeading")));
    const props = outstanding;
    if (props.length === 0) root.append(h("p", { class: "empty" }, t("noOutstanding")));
    const voters = v.nodes.filter((n) => n.role === "participant");
    for (const p of props.slice(0, MAX_PROPOSALS)) root.append(proposalRow(p, voters));
    if (props.length > MAX_PROPOSALS) root.append(h("p", { class: "hint" }, t("andMore", { n: props.length - MAX_PROPOSALS })));
  }

  ctx.scope.on(store, "view", () => scheduleAtMost(render, 250));
  ctx.scope.on(store, "events", (evs) => {
    let any = false;
    for (const e of evs) {
      if (e.kind === "acked" || e.kind === "commit") {
        later.push(e);
        any = true;
      }
    }
    if (later.length > 2000) later = later.slice(-1000);
    if (any) scheduleAtMost(render, 100);
  });
  ctx.scope.on(store, "shown", () => scheduleAtMost(render, 0));
  render();
  return root;
}
