package engine

// Table tests of the pure decisions: vote order, vote equality, zxid arithmetic, quorum
// size and the leader's choice of sync mode (LearnerHandlerTest, zab-reference §7 item 16).

import (
	"fmt"
	"math"
	"testing"

	"github.com/zablab/zablab/engine/zkdb"
)

// TestBetterVoteTable is FastLeaderElection.totalOrderPredicate: (epoch, zxid, sid),
// lexicographically, larger wins.
func TestBetterVoteTable(t *testing.T) {
	type side struct {
		sid   int
		zxid  Zxid
		epoch int64
	}
	rows := []struct {
		name     string
		new, cur side
		want     bool
	}{
		// FLEPredicateTest.testPredicate
		{"lower epoch loses despite higher sid", side{4, 0, 0}, side{3, 0, 2}, false},
		{"later epoch wins", side{4, 0, 3}, side{3, 0, 2}, true},
		{"same epoch, higher zxid wins", side{4, 1, 2}, side{3, 0, 2}, true},
		{"same epoch and zxid, higher sid wins", side{4, 1, 2}, side{3, 1, 2}, true},
		// more
		{"same epoch and zxid, lower sid loses", side{3, 1, 2}, side{4, 1, 2}, false},
		{"identical vote is not better", side{3, 5, 2}, side{3, 5, 2}, false},
		{"higher zxid loses to higher epoch", side{5, mz(1, 100), 1}, side{1, mz(2, 1), 2}, false},
		{"epoch beats zxid even when zxid epoch is higher", side{1, mz(1, 5), 3}, side{2, mz(3, 1), 2}, true},
		{"zxid compares epoch bits first", side{1, mz(2, 1), 2}, side{2, mz(1, 0xfffffffe), 2}, true},
		{"counter decides within an epoch", side{1, mz(2, 7), 2}, side{9, mz(2, 6), 2}, true},
		{"anything beats the observers' MIN vote", side{1, 0, 0}, side{minVote.Leader, minVote.Zxid, minVote.PeerEpoch}, true},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			got := BetterVote(r.new.sid, r.new.zxid, r.new.epoch, r.cur.sid, r.cur.zxid, r.cur.epoch)
			if got != r.want {
				t.Errorf("BetterVote(%v beats %v) = %v, want %v", r.new, r.cur, got, r.want)
			}
		})
	}
}

// TestVoteEqualTable: LOOKING votes compare (leader, zxid, round, peerEpoch); two
// non-LOOKING votes compare (leader, peerEpoch) only (ZOOKEEPER-1732, -1805).
func TestVoteEqualTable(t *testing.T) {
	base := Vote{Leader: 3, Zxid: mz(1, 4), Round: 2, PeerEpoch: 1}
	with := func(st ServerState, f func(*Vote)) Vote {
		v := base
		v.State = st
		if f != nil {
			f(&v)
		}
		return v
	}
	rows := []struct {
		name string
		a, b Vote
		want bool
	}{
		{"looking identical", with(Looking, nil), with(Looking, nil), true},
		{"looking, other zxid", with(Looking, nil), with(Looking, func(v *Vote) { v.Zxid++ }), false},
		{"looking, other round", with(Looking, nil), with(Looking, func(v *Vote) { v.Round++ }), false},
		{"looking, other peerEpoch", with(Looking, nil), with(Looking, func(v *Vote) { v.PeerEpoch++ }), false},
		{"looking, other leader", with(Looking, nil), with(Looking, func(v *Vote) { v.Leader++ }), false},
		{"looking vs following, other round", with(Looking, nil), with(Following, func(v *Vote) { v.Round += 100 }), false},
		{"looking vs following, other zxid", with(Following, func(v *Vote) { v.Zxid += 100 }), with(Looking, nil), false},
		{"looking vs leading, identical fields", with(Looking, nil), with(Leading, nil), true},
		{"following vs leading, other round and zxid", with(Following, func(v *Vote) { v.Round += 100; v.Zxid += 100 }), with(Leading, nil), true},
		{"following vs following, other round", with(Following, nil), with(Following, func(v *Vote) { v.Round = 9 }), true},
		{"following vs following, other peerEpoch", with(Following, nil), with(Following, func(v *Vote) { v.PeerEpoch = 2 }), false},
		{"following vs leading, other leader", with(Following, nil), with(Leading, func(v *Vote) { v.Leader = 1 }), false},
		{"observing vs following, other zxid", with(Observing, func(v *Vote) { v.Zxid = 0 }), with(Following, nil), true},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			if got := r.a.Equal(r.b); got != r.want {
				t.Errorf("%+v.Equal(%+v) = %v, want %v", r.a, r.b, got, r.want)
			}
			if got := r.b.Equal(r.a); got != r.want {
				t.Errorf("not symmetric: %+v.Equal(%+v) = %v, want %v", r.b, r.a, got, r.want)
			}
		})
	}
}

// TestZxidTable: zxid = epoch<<32 | counter, printed as ZooKeeper logs it.
func TestZxidTable(t *testing.T) {
	rows := []struct {
		epoch, counter uint32
		val            int64
		str            string
	}{
		{0, 0, 0, "0x0"},
		{0, 1, 1, "0x1"},
		{1, 0, 1 << 32, "0x100000000"},
		{1, 3, 1<<32 | 3, "0x100000003"},
		{21, 0, 21 << 32, "0x1500000000"},
		{2, 0xfffffffe, 2<<32 | 0xfffffffe, "0x2fffffffe"},
		{1, 0xffffffff, 1<<32 | 0xffffffff, "0x1ffffffff"},
		{0x7fffffff, 0xffffffff, math.MaxInt64, "0x7fffffffffffffff"},
	}
	for _, r := range rows {
		t.Run(r.str, func(t *testing.T) {
			z := zkdb.MakeZxid(r.epoch, r.counter)
			if int64(z) != r.val {
				t.Errorf("MakeZxid(%d, %#x) = %d, want %d", r.epoch, r.counter, int64(z), r.val)
			}
			if z.Epoch() != r.epoch || z.Counter() != r.counter {
				t.Errorf("%s: Epoch %d Counter %#x, want %d %#x", z, z.Epoch(), z.Counter(), r.epoch, r.counter)
			}
			if z.String() != r.str {
				t.Errorf("String = %q, want %q", z.String(), r.str)
			}
			back, err := zkdb.ParseZxid(r.str)
			if err != nil || back != z {
				t.Errorf("ParseZxid(%q) = %s, %v", r.str, back, err)
			}
		})
	}
	if s := Zxid(-1).String(); s != "-1" {
		t.Errorf("Zxid(-1).String() = %q, want -1", s)
	}
	// The next zxid after the last counter of an epoch would be the next epoch's (e+1, 0):
	// which is why a leader must never propose counter 0xffffffff + 1.
	if z := mz(1, 0xffffffff) + 1; z != mz(2, 0) {
		t.Errorf("(1,0xffffffff)+1 = %s, want (2,0)", z)
	}
	// Ordering of zxids is epoch first.
	if !(mz(1, 0xfffffffe) < mz(2, 0) && mz(2, 0) < mz(2, 1)) {
		t.Error("zxids do not order by (epoch, counter)")
	}
}

// TestIsQuorumTable is QuorumMaj.containsQuorum: more than half of the voters.
func TestIsQuorumTable(t *testing.T) {
	for voters := 1; voters <= 9; voters++ {
		need := voters/2 + 1
		for n := 0; n <= voters; n++ {
			want := n >= need
			if got := IsQuorum(n, voters); got != want {
				t.Errorf("IsQuorum(%d, %d) = %v, want %v", n, voters, got, want)
			}
		}
	}
	for _, r := range []struct{ voters, min int }{{1, 1}, {2, 2}, {3, 2}, {4, 3}, {5, 3}, {6, 4}, {7, 4}, {8, 5}, {9, 5}} {
		if !IsQuorum(r.min, r.voters) || IsQuorum(r.min-1, r.voters) {
			t.Errorf("%d voters: smallest quorum should be %d", r.voters, r.min)
		}
	}
}

// txnsAt builds committed txns with the given zxids (creates of distinct paths).
func txnsAt(zs ...Zxid) []*zkdb.Txn {
	out := make([]*zkdb.Txn, len(zs))
	for i, z := range zs {
		out[i] = &zkdb.Txn{Zxid: z, Cxid: int32(i), Op: zkdb.Op{Type: zkdb.OpCreate, Path: fmt.Sprintf("/t%d", i), ACL: zkdb.OpenACL}}
	}
	return out
}

// syncPeer builds a server standing in for ZooKeeper's LearnerHandlerTest mock database:
// lastProcessedZxid L, the in-memory committedLog and the on-disk txn log (with a snapshot
// big enough that snapshotSizeFactor lets the txn log be used) are set by hand.
func syncPeer(t *testing.T, last Zxid, committed, txnlog []*zkdb.Txn, factor float64) *Peer {
	t.Helper()
	c := newTestCluster(t, 3, 0, 1, func(cfg *Config) { cfg.SnapshotSizeFactor, cfg.ShortCommitLog = factor, true })
	p := c.Peer(1)
	p.tree = zkdb.NewDataTree()
	p.tree.SetLastProcessedZxid(last)
	p.clog = committed
	p.disk.snaps[0].Bytes = 1 << 20
	for _, t := range txnlog { // one txn log file
		p.disk.Append(t)
	}
	return p
}

// TestSyncModeTable is LearnerHandlerTest: for a hand-built leader database and a learner's
// last zxid P, the leader's syncFollower decision (planSync here): the mode, the zxid of the
// DIFF/TRUNC packet, which txns follow it (as PROPOSAL+COMMIT), and, where ZooKeeper's test
// checks it, the zxid from which the learner is forwarded (currentZxid; here upTo).
func TestSyncModeTable(t *testing.T) {
	const noCheck = Zxid(-2)
	z := func(c uint32) Zxid { return Zxid(c) } // epoch-0 zxids as LearnerHandlerTest writes them
	rows := []struct {
		name      string
		last      Zxid
		committed []Zxid
		txnlog    []Zxid
		factor    float64 // snapshotSizeFactor; negative disables txn-log sync
		peer      Zxid
		mode      SyncMode
		opZxid    Zxid   // DIFF/TRUNC zxid
		sent      []Zxid // txns queued after it
		upTo      Zxid
	}{
		// testEmptyCommittedLog
		{"EmptyCommittedLog/peer newer: TRUNC to L", z(1), nil, nil, 0.33, z(3), SyncTrunc, z(1), nil, z(1)},
		{"EmptyCommittedLog/peer in sync: empty DIFF", z(1), nil, nil, 0.33, z(1), SyncDiff, z(1), nil, z(1)},
		{"EmptyCommittedLog/new machine, txnlog off: SNAP", z(1), nil, nil, -1, z(0), SyncSnap, 0, nil, noCheck},
		// testCommittedLog: committedLog {2,3,5}, L = 6 (the commit log may lag the tree)
		{"CommittedLog/P=4 never seen: TRUNC(3)+5", z(6), []Zxid{2, 3, 5}, nil, 0.33, z(4), SyncTrunc, z(3), []Zxid{5}, z(5)},
		{"CommittedLog/P=2 inside: DIFF(5)+3,5", z(6), []Zxid{2, 3, 5}, nil, 0.33, z(2), SyncDiff, z(5), []Zxid{3, 5}, z(5)},
		{"CommittedLog/P=1 before it, txnlog off: SNAP", z(6), []Zxid{2, 3, 5}, nil, -1, z(1), SyncSnap, 0, nil, noCheck},
		// testTxnLog: txnlog {2,3,5,6,7,8,9}, committedLog {6,7,8}, L = 9
		{"TxnLog/P=4 never seen: TRUNC(3)+5..8", z(9), []Zxid{6, 7, 8}, []Zxid{2, 3, 5, 6, 7, 8, 9}, 0.33, z(4), SyncTrunc, z(3), []Zxid{5, 6, 7, 8}, z(8)},
		{"TxnLog/P=3 in txnlog: DIFF(8)+5..8", z(9), []Zxid{6, 7, 8}, []Zxid{2, 3, 5, 6, 7, 8, 9}, 0.33, z(3), SyncDiff, z(8), []Zxid{5, 6, 7, 8}, z(8)},
		// testTxnLogOnly: txnlog {2,3,5,6,7,8}, empty committedLog, L = 8
		{"TxnLogOnly/P=4 never seen: TRUNC(3)+5..8", z(8), nil, []Zxid{2, 3, 5, 6, 7, 8}, 0.33, z(4), SyncTrunc, z(3), []Zxid{5, 6, 7, 8}, z(8)},
		// testNewEpochZxid: txnlog {(0,1),(1,1),(1,2)}, committedLog {(1,1),(1,2)}, L = (2,0)
		{"NewEpochZxid/P=(0,0): SNAP", mz(2, 0), []Zxid{mz(1, 1), mz(1, 2)}, []Zxid{mz(0, 1), mz(1, 1), mz(1, 2)}, 0.33, mz(0, 0), SyncSnap, 0, nil, noCheck},
		{"NewEpochZxid/P=(1,0): DIFF((1,2))+both", mz(2, 0), []Zxid{mz(1, 1), mz(1, 2)}, []Zxid{mz(0, 1), mz(1, 1), mz(1, 2)}, 0.33, mz(1, 0), SyncDiff, mz(1, 2), []Zxid{mz(1, 1), mz(1, 2)}, mz(1, 2)},
		{"NewEpochZxid/P=(2,0) in sync: empty DIFF", mz(2, 0), []Zxid{mz(1, 1), mz(1, 2)}, []Zxid{mz(0, 1), mz(1, 1), mz(1, 2)}, 0.33, mz(2, 0), SyncDiff, mz(2, 0), nil, mz(2, 0)},
		{"NewEpochZxid/committedLog only, P=(0,0): SNAP", mz(2, 0), []Zxid{mz(1, 1), mz(1, 2)}, nil, 0.33, mz(0, 0), SyncSnap, 0, nil, noCheck},
		// testNewEpochZxidWithTxnlogOnly: txnlog {(1,1),(2,1),(2,2),(4,1)}, L = (6,0), empty
		// committed log (so minC = maxC = L). ZooKeeper 3.8's syncFollower checks the gap after
		// the txn-log pass: it stops at (4,1) (or at P), short of minC = (6,0), so 3.8 falls
		// back to SNAP (the older test expected DIFF, from before the gap check).
		{"NewEpochZxidWithTxnlogOnly/P=(3,0): SNAP (gap to L)", mz(6, 0), nil, []Zxid{mz(1, 1), mz(2, 1), mz(2, 2), mz(4, 1)}, 0.33, mz(3, 0), SyncSnap, 0, nil, noCheck},
		{"NewEpochZxidWithTxnlogOnly/P=(4,0): SNAP (gap to L)", mz(6, 0), nil, []Zxid{mz(1, 1), mz(2, 1), mz(2, 2), mz(4, 1)}, 0.33, mz(4, 0), SyncSnap, 0, nil, noCheck},
		{"NewEpochZxidWithTxnlogOnly/P=(5,0): SNAP (gap to L)", mz(6, 0), nil, []Zxid{mz(1, 1), mz(2, 1), mz(2, 2), mz(4, 1)}, 0.33, mz(5, 0), SyncSnap, 0, nil, noCheck},
		{"NewEpochZxidWithTxnlogOnly/P=(6,0) in sync: empty DIFF", mz(6, 0), nil, []Zxid{mz(1, 1), mz(2, 1), mz(2, 2), mz(4, 1)}, 0.33, mz(6, 0), SyncDiff, mz(6, 0), nil, mz(6, 0)},
		// testCrossEpochTrunc: committedLog {(1,1),(2,1),(2,2),(4,1)}, P = (3,1) → never
		// TRUNC across an epoch: SNAP.
		{"CrossEpochTrunc/P=(3,1): SNAP", mz(4, 1), []Zxid{mz(1, 1), mz(2, 1), mz(2, 2), mz(4, 1)}, nil, 0.33, mz(3, 1), SyncSnap, 0, nil, noCheck},
		// testTxnLogGap: txnlog {2,3,4}, committedLog {7,8}, L = 8, P = 3 → 5 and 6 are
		// in neither: SNAP.
		{"TxnLogGap/P=3: SNAP", z(8), []Zxid{7, 8}, []Zxid{2, 3, 4}, 0.33, z(3), SyncSnap, 0, nil, noCheck},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			p := syncPeer(t, r.last, txnsAt(r.committed...), txnsAt(r.txnlog...), r.factor)
			plan := p.planSync(r.peer)
			if plan.mode != r.mode {
				t.Fatalf("mode %s (%s), want %s", plan.mode, plan.why, r.mode)
			}
			if r.mode == SyncSnap {
				if len(plan.txns) != 0 {
					t.Errorf("SNAP plan also queues txns %v", zxidsOf(plan.txns))
				}
				if plan.upTo != r.last {
					t.Errorf("SNAP plan ends at %s, want L = %s", plan.upTo, r.last)
				}
				return
			}
			wantOp := Diff
			if r.mode == SyncTrunc {
				wantOp = Trunc
			}
			if plan.op != wantOp || plan.opZxid != r.opZxid {
				t.Errorf("op %s(%s), want %s(%s)", plan.op, plan.opZxid, wantOp, r.opZxid)
			}
			if got := zxidsOf(plan.txns); fmt.Sprint(got) != fmt.Sprint(r.sent) {
				t.Errorf("txns sent %v, want %v (%s)", got, r.sent, plan.why)
			}
			if r.upTo != noCheck && plan.upTo != r.upTo {
				t.Errorf("forwarding starts after %s, want %s", plan.upTo, r.upTo)
			}
		})
	}
}

func zxidsOf(ts []*zkdb.Txn) []Zxid {
	var out []Zxid
	for _, t := range ts {
		out = append(out, t.Zxid)
	}
	return out
}

// TestSyncLearnerStream checks what syncLearner actually queues for a plan (LearnerHandler
// after syncFollower): the op packet, then PROPOSAL+COMMIT per txn, then outstanding
// proposals (PROPOSAL only, participants only), then NEWLEADER.
func TestSyncLearnerStream(t *testing.T) {
	c := newTestCluster(t, 3, 1, 3)
	c.Start()
	l := waitSettled(t, c, 5*sec)
	cl := c.NewClient(l, 3000)
	for i := 0; i < 3; i++ {
		mustOK(t, c, cl, opCreate(fmt.Sprintf("/s%d", i), ""))
	}
	waitSettled(t, c, 2*sec)
	assertNoViolations(t, c)
	lp := c.Peer(l)
	last := lp.LastProcessedZxid()
	// An extra outstanding proposal that nobody acked yet.
	extra := &zkdb.Txn{Zxid: last + 1, Op: zkdb.Op{Type: zkdb.OpCreate, Path: "/pending", ACL: zkdb.OpenACL}}
	lp.lead.outstanding = append(lp.lead.outstanding, &proposal{txn: extra, acks: []int{l}})
	for _, observer := range []bool{false, true} {
		h := &learnerHandler{sid: 99, observer: observer, peerLast: last - 2, busy: true} // busy: keep the queue for inspection
		lp.syncLearner(h)
		var got []string
		for _, m := range h.queue {
			got = append(got, fmt.Sprintf("%s(%s)", m.Packet, m.Zxid))
		}
		want := []string{fmt.Sprintf("DIFF(%s)", last),
			fmt.Sprintf("PROPOSAL(%s)", last-1), fmt.Sprintf("COMMIT(%s)", last-1),
			fmt.Sprintf("PROPOSAL(%s)", last), fmt.Sprintf("COMMIT(%s)", last)}
		if !observer {
			want = append(want, fmt.Sprintf("PROPOSAL(%s)", last+1))
		}
		want = append(want, fmt.Sprintf("NEWLEADER(%s)", mz(uint32(lp.lead.epoch), 0)))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("observer=%v: queued %v, want %v", observer, got, want)
		}
	}
}
