// Checks of the leader panel's bookkeeping, run by `make render-check` (node, no browser):
// ACKs and commits that arrive after the view was taken update its outstanding proposals.
import { withLaterEvents } from "../panels/leader";
import type { NodeView, ZEvent } from "../types";

function fail(msg: string): never {
  throw new Error("leader-check: " + msg);
}

const leader = {
  id: 3,
  outstanding: [
    { zxid: "0x100000001", op: "create", path: "/a", acks: [3], needed: 2 },
    { zxid: "0x100000002", op: "create", path: "/b", acks: [3], needed: 2 },
  ],
} as unknown as NodeView;
const ev = (seq: number, kind: string, node: number, peer: number, zxid: string) => ({ seq, kind, node, peer, zxid, t: 0 }) as unknown as ZEvent;

const got = withLaterEvents(leader, [
  ev(10, "acked", 3, 1, "0x100000001"),
  ev(11, "acked", 3, 1, "0x100000002"),
  ev(12, "commit", 3, 0, "0x100000001"),
  ev(13, "acked", 2, 1, "0x100000002"), // not the leader's: ignored
]);
if (got.length !== 1 || got[0]!.zxid !== "0x100000002") fail(`committed proposal still outstanding: ${JSON.stringify(got)}`);
if (got[0]!.acks.join(",") !== "3,1") fail(`acks ${got[0]!.acks} want 3,1`);
if (leader.outstanding![1]!.acks.length !== 1) fail("the view's own proposals were changed");
console.log("leader-check: later ACKs and commits update the leader panel");
