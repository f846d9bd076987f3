package engine

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/zablab/zablab/engine/reason"
)

// Every event of a seed sweep renders in both languages from the catalogue: no unknown code,
// no unfilled argument, and the Chinese sentence differs from the English one.
func TestEverySentenceRenders(t *testing.T) {
	codes := map[reason.Code]bool{}
	for seed := int64(1); seed <= 30; seed++ {
		cfg := DefaultConfig(3+int(seed%3)*2, int(seed%2), seed)
		cfg.Timing = FastTiming()
		c, _ := NewCluster(cfg)
		c.OnEvent(func(e *Event) {
			codes[e.Reason.Code] = true
			en, zh := Describe(e, En), Describe(e, Zh)
			for _, s := range []string{en, zh} {
				if s == "" || strings.ContainsAny(s, "{}") || strings.Contains(s, "?") || strings.Contains(s, "unknown") {
					t.Errorf("bad sentence for %v (%s): %q", e.Kind, e.Reason.Code, s)
				}
			}
			if en == zh && e.Kind != EvSend && e.Kind != EvDeliver {
				t.Errorf("no Chinese for %v: %q", e.Kind, en)
			}
		})
		c.Start()
		w := newWorkload(c, 2, rand.New(newStream(1, "workload")))
		w.start()
		c.At(2_000_000, func() { c.Crash(c.Leader()) })
		c.At(3_000_000, func() { c.Partition([][]int{{1}, {2, 3}}) })
		c.At(5_000_000, func() { c.Heal(); c.Start() })
		c.RunFor(8_000_000)
	}
	for _, want := range []reason.Code{reason.StateStarted, reason.VoteInitial, reason.VoteAdopt, reason.SyncDiffCommitted,
		reason.LinksPartition, reason.LinksAllUp, reason.DropLinkDown, reason.SessionCreated} {
		if !codes[want] {
			t.Errorf("the sweep never emitted %s", want)
		}
	}
}

// A few real events render as before the catalogue, in both languages.
func TestDescribe(t *testing.T) {
	cases := []struct {
		e      Event
		en, zh string
	}{
		{Event{Kind: EvVote, Node: 2, Vote: Vote{Leader: 3, Zxid: 0x100000002, PeerEpoch: 1, Round: 2},
			Reason: reason.Nest(reason.VoteAdopt, reason.Of(reason.VoteHigherZxid, 0x100000002, 0x100000001), 3)},
			"server 2 votes for 3 (zxid 0x100000002, epoch 1, round 2): adopt 3's vote: higher zxid 0x100000002 > 0x100000001",
			"服务器 2 投票给 3（zxid 0x100000002，epoch 1，第 2 轮）：采用 3 的投票：zxid 更大 0x100000002 > 0x100000001"},
		{Event{Kind: EvState, Node: 1, State: Following, Phase: PhaseDiscovery, Reason: reason.Of(reason.StateElected, 3)},
			"server 1 is FOLLOWING (DISCOVERY): elected 3 as leader", "服务器 1 进入 FOLLOWING（DISCOVERY）：选出 3 为 leader"},
		{Event{Kind: EvSyncMode, Node: 3, Peer: 1, Zxid: 0x100000004, Mode: SyncDiff, Reason: reason.Of(reason.SyncDiffNothing)},
			"leader 3 syncs server 1 (at 0x100000004) by DIFF: DIFF: nothing newer to send",
			"leader 3 用 DIFF 同步服务器 1（位于 0x100000004）：DIFF：没有更新的事务需要发送"},
		{Event{Kind: EvEpoch, Node: 2, Epoch: 4, Reason: reason.Of(reason.EpochAccepted)},
			"server 2 persisted acceptedEpoch = 4", "服务器 2 持久化 acceptedEpoch = 4"},
		{Event{Kind: EvViolation, Node: 2, Reason: reason.Of(reason.VBothLead, 1, 2, 3)},
			"INVARIANT VIOLATED at server 2: Leadership1: servers 1 and 2 both lead epoch 3",
			"违反不变式（服务器 2）：Leadership1：服务器 1 和 2 同时领导 epoch 3"},
		{Event{Kind: EvLinks, Reason: (&LinkRules{Groups: [][]int{{1}, {2, 3}}}).Reason()},
			"network: partition [1] | [2 3]", "网络：分区 [1] | [2 3]"},
		{Event{Kind: EvSession, Session: 0x1ab, Reason: reason.Of(reason.SessionExpired)}, "session 0x1ab expired", "会话 0x1ab 已过期"},
		{Event{Kind: EvDrop, Node: 1, Peer: 2, Packet: Proposal, Zxid: 0x100000001, Reason: reason.Of(reason.DropServerDown, 2)},
			"PROPOSAL 0x100000001 from 1 to 2 was lost: server 2 is down", "从 1 到 2 的 PROPOSAL 0x100000001 丢失：服务器 2 已宕机"},
	}
	for _, c := range cases {
		if got := Describe(&c.e, En); got != c.en {
			t.Errorf("en: got %q\n          want %q", got, c.en)
		}
		if got := Describe(&c.e, Zh); got != c.zh {
			t.Errorf("zh: got %q\n          want %q", got, c.zh)
		}
	}
}

// The digest covers the reason's code, its arguments and its text.
func TestDigestHashesReason(t *testing.T) {
	sum := func(r reason.Reason) uint64 {
		d := newDigester()
		d.add(&Event{Seq: 1, Kind: EvState, Node: 1, Reason: r})
		return d.sum()
	}
	base := reason.Of(reason.StateElected, 2)
	for _, other := range []reason.Reason{reason.Of(reason.StateElected, 3), reason.Of(reason.StateLeaderClosed, 2),
		reason.Text(reason.StateSynced, "SNAP", 2), reason.Nest(reason.ConnReset, reason.Of(reason.ResetLinkDown))} {
		if sum(other) == sum(base) {
			t.Errorf("%v and %v hash the same", other, base)
		}
	}
	if sum(reason.Text(reason.StateSynced, "SNAP", 2)) == sum(reason.Text(reason.StateSynced, "DIFF", 2)) {
		t.Error("the text argument is not hashed")
	}
	if sum(reason.Nest(reason.ConnReset, reason.Of(reason.ResetLinkDown))) == sum(reason.Nest(reason.ConnReset, reason.Of(reason.ResetLinkCut))) {
		t.Error("a nested reason is not hashed")
	}
}
