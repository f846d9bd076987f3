package describe

import (
	"testing"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/reason"
)

// A few real events render as before the catalogue, in both languages.
func TestDescribe(t *testing.T) {
	cases := []struct {
		e      engine.Event
		en, zh string
	}{
		{engine.Event{Kind: engine.EvVote, Node: 2, Vote: engine.Vote{Leader: 3, Zxid: 0x100000002, PeerEpoch: 1, Round: 2},
			Reason: reason.Nest(reason.VoteAdopt, reason.Of(reason.VoteHigherZxid, 0x100000002, 0x100000001), 3)},
			"server 2 votes for 3 (zxid 0x100000002, epoch 1, round 2): adopt 3's vote: higher zxid 0x100000002 > 0x100000001",
			"服务器 2 投票给 3（zxid 0x100000002，epoch 1，第 2 轮）：采用 3 的投票：zxid 更大 0x100000002 > 0x100000001"},
		{engine.Event{Kind: engine.EvState, Node: 1, State: engine.Following, Phase: engine.PhaseDiscovery, Reason: reason.Of(reason.StateElected, 3)},
			"server 1 is FOLLOWING (DISCOVERY): elected 3 as leader", "服务器 1 进入 FOLLOWING（DISCOVERY）：选出 3 为 leader"},
		{engine.Event{Kind: engine.EvSyncMode, Node: 3, Peer: 1, Zxid: 0x100000004, Mode: engine.SyncDiff, Reason: reason.Of(reason.SyncDiffNothing)},
			"leader 3 syncs server 1 (at 0x100000004) by DIFF: DIFF: nothing newer to send",
			"leader 3 用 DIFF 同步服务器 1（位于 0x100000004）：DIFF：没有更新的事务需要发送"},
		{engine.Event{Kind: engine.EvEpoch, Node: 2, Epoch: 4, Reason: reason.Of(reason.EpochAccepted)},
			"server 2 persisted acceptedEpoch = 4", "服务器 2 持久化 acceptedEpoch = 4"},
		{engine.Event{Kind: engine.EvViolation, Node: 2, Reason: reason.Of(reason.VBothLead, 1, 2, 3)},
			"INVARIANT VIOLATED at server 2: Leadership1: servers 1 and 2 both lead epoch 3",
			"违反不变式（服务器 2）：Leadership1：服务器 1 和 2 同时领导 epoch 3"},
		{engine.Event{Kind: engine.EvLinks, Reason: (&engine.LinkRules{Groups: [][]int{{1}, {2, 3}}}).Reason()},
			"network: partition [1] | [2 3]", "网络：分区 [1] | [2 3]"},
		{engine.Event{Kind: engine.EvSession, Session: 0x1ab, Reason: reason.Of(reason.SessionExpired)}, "session 0x1ab expired", "会话 0x1ab 已过期"},
		{engine.Event{Kind: engine.EvDrop, Node: 1, Peer: 2, Packet: engine.Proposal, Zxid: 0x100000001, Reason: reason.Of(reason.DropServerDown, 2)},
			"PROPOSAL 0x100000001 from 1 to 2 was lost: server 2 is down", "从 1 到 2 的 PROPOSAL 0x100000001 丢失：服务器 2 已宕机"},
	}
	for _, c := range cases {
		if got := Event(&c.e, engine.En); got != c.en {
			t.Errorf("en: got %q\n          want %q", got, c.en)
		}
		if got := Event(&c.e, engine.Zh); got != c.zh {
			t.Errorf("zh: got %q\n          want %q", got, c.zh)
		}
	}
}
