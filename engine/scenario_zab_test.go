package engine

// Scenario tests of Zab discovery, synchronization and broadcast, named after ZooKeeper's
// Zab1_0Test and LearnerHandlerTest (zab-reference §7 items 9–16). The shared helpers of
// every scenario file live here too.

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

// ---------------------------------------------------------------------------------------
// helpers shared by scenario_*_test.go

const (
	ms  = int64(1000)
	sec = int64(1_000_000)
)

// newTestCluster builds a cluster with FastTiming (tickTime 100 ms, initLimit 10, syncLimit 5).
func newTestCluster(t *testing.T, voters, observers int, seed int64, mods ...func(*Config)) *Cluster {
	t.Helper()
	cfg := DefaultConfig(voters, observers, seed)
	cfg.Timing = FastTiming()
	for _, m := range mods {
		m(&cfg)
	}
	c, err := NewCluster(cfg)
	if err != nil {
		t.Fatalf("NewCluster: %v", err)
	}
	return c
}

// allBut lists servers 1..n except id.
func allBut(n, id int) []int {
	var ids []int
	for i := 1; i <= n; i++ {
		if i != id {
			ids = append(ids, i)
		}
	}
	return ids
}

// recorder keeps a copy of every event.
type recorder struct{ evs []Event }

func record(c *Cluster) *recorder {
	r := &recorder{}
	c.OnEvent(func(e *Event) { r.evs = append(r.evs, *e) })
	return r
}

func (r *recorder) filter(f func(*Event) bool) []Event {
	var out []Event
	for i := range r.evs {
		if f(&r.evs[i]) {
			out = append(out, r.evs[i])
		}
	}
	return out
}

// states lists the state changes of one server (State, Phase, Reason), in order.
func (r *recorder) states(node int) []Event {
	return r.filter(func(e *Event) bool { return e.Kind == EvState && e.Node == node })
}

// syncModes lists the leader's sync decisions for one learner, in order.
func (r *recorder) syncModes(learner int) []Event {
	return r.filter(func(e *Event) bool { return e.Kind == EvSyncMode && e.Peer == learner })
}

// everIn reports whether node was ever in state s (since recording started).
func (r *recorder) everIn(node int, s ServerState) bool {
	for _, e := range r.states(node) {
		if e.State == s {
			return true
		}
	}
	return false
}

func waitFor(t *testing.T, c *Cluster, limitUs int64, what string, cond func() bool) {
	t.Helper()
	if !c.RunUntilCond(limitUs, cond) {
		t.Fatalf("t=%.3fs: timed out after %.1fs waiting for %s\n%s", float64(c.Now())/1e6, float64(limitUs)/1e6, what, clusterState(c))
	}
}

// waitLeader waits for an established leader and returns it.
func waitLeader(t *testing.T, c *Cluster, limitUs int64) int {
	t.Helper()
	waitFor(t, c, limitUs, "an established leader", func() bool { return c.Leader() != 0 })
	return c.Leader()
}

// settled: one established leader, every running server up to date with it (learners in
// BROADCAST following it), the same last zxid everywhere and nothing outstanding.
func settled(c *Cluster) bool {
	l := c.Leader()
	if l == 0 {
		return false
	}
	lp := c.Peer(l)
	if len(lp.lead.outstanding) > 0 {
		return false
	}
	lz := lp.LastProcessedZxid()
	for id := 1; id <= c.Size(); id++ {
		p := c.Peer(id)
		if id == l || p.State() == Down {
			continue
		}
		if p.learn == nil || !p.learn.upToDate || p.learn.leader != l || p.LastProcessedZxid() != lz {
			return false
		}
	}
	return true
}

func waitSettled(t *testing.T, c *Cluster, limitUs int64) int {
	t.Helper()
	waitFor(t, c, limitUs, "the running servers to settle behind one leader", func() bool { return settled(c) })
	return c.Leader()
}

func clusterState(c *Cluster) string {
	var b strings.Builder
	for id := 1; id <= c.Size(); id++ {
		p := c.Peer(id)
		fmt.Fprintf(&b, "  server %d: %s/%s acc=%d cur=%d last=%s reason=%q\n", id, p.State(), p.Phase(),
			p.Disk().AcceptedEpoch, p.Disk().CurrentEpoch, p.LastProcessedZxid(), p.reason)
	}
	return b.String()
}

func assertNoViolations(t *testing.T, c *Cluster) {
	t.Helper()
	if vs := c.Checker().Violations(); len(vs) != 0 {
		for i, v := range vs {
			if i == 5 {
				break
			}
			t.Errorf("violation: %s", v)
		}
		t.Fatalf("%d invariant violations", c.Checker().Count())
	}
}

// doOp submits op and runs the simulation until its answer arrives.
func doOp(t *testing.T, c *Cluster, cl *Client, op zkdb.Op, watch bool) Reply {
	t.Helper()
	var got *Reply
	cl.Submit(op, watch, func(r Reply) { rr := r; got = &rr })
	waitFor(t, c, 10*sec, fmt.Sprintf("the answer to %s %s", op.Type, op.Path), func() bool { return got != nil })
	return *got
}

// mustOK runs op and fails the test unless it succeeds.
func mustOK(t *testing.T, c *Cluster, cl *Client, op zkdb.Op) Reply {
	t.Helper()
	r := doOp(t, c, cl, op, false)
	if r.Err != zkdb.OK {
		t.Fatalf("%s %s: %s", op.Type, op.Path, r.Err.Name())
	}
	return r
}

func waitConnected(t *testing.T, c *Cluster, cl *Client, limitUs int64) {
	t.Helper()
	waitFor(t, c, limitUs, fmt.Sprintf("client %d to connect", cl.ID()), func() bool { return cl.State() == ClientConnected })
}

// findTxn finds zxid z in a log (nil if absent).
func findTxn(log []*zkdb.Txn, z Zxid) *zkdb.Txn {
	i := sort.Search(len(log), func(i int) bool { return log[i].Zxid >= z })
	if i < len(log) && log[i].Zxid == z {
		return log[i]
	}
	return nil
}

func opCreate(path, data string) zkdb.Op {
	return zkdb.Op{Type: zkdb.OpCreate, Path: path, Data: []byte(data), ACL: zkdb.OpenACL}
}

func opSet(path, data string) zkdb.Op {
	return zkdb.Op{Type: zkdb.OpSetData, Path: path, Data: []byte(data), Version: -1}
}

// hasNode reports whether server id's data tree holds path (a down server: its disk, loaded).
func hasNode(c *Cluster, id int, path string) bool {
	tree := c.Peer(id).Tree()
	if tree == nil {
		tree, _ = c.Peer(id).Disk().Load()
	}
	_, err := tree.Exists(path, 0)
	return err == zkdb.OK
}

func nodeData(c *Cluster, id int, path string) (string, bool) {
	tree := c.Peer(id).Tree()
	if tree == nil {
		tree, _ = c.Peer(id).Disk().Load()
	}
	d, _, err := tree.GetData(path, 0)
	return string(d), err == zkdb.OK
}

// assertNodeEverywhere checks that every server (running or not) holds path, or none does.
func assertNode(t *testing.T, c *Cluster, path string, want bool, ids ...int) {
	t.Helper()
	if len(ids) == 0 {
		for id := 1; id <= c.Size(); id++ {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		if got := hasNode(c, id, path); got != want {
			t.Errorf("server %d: has %s = %v, want %v (last zxid %s)", id, path, got, want, c.Peer(id).LastProcessedZxid())
		}
	}
}

// loggedZxids lists the zxids in a server's txn log.
func loggedZxids(p *Peer) []Zxid {
	var out []Zxid
	for _, t := range p.Disk().Log() {
		out = append(out, t.Zxid)
	}
	return out
}

func containsZxid(zs []Zxid, z Zxid) bool {
	for _, x := range zs {
		if x == z {
			return true
		}
	}
	return false
}

// injectVote puts a FLE notification on the link from (usually a server that is not
// running, standing in for the mock peers of ZooKeeper's FLE tests) to a server.
func injectVote(c *Cluster, from, to int, v Vote) {
	c.transmit(&Message{From: from, To: to, Packet: Notification, Vote: v, Zxid: v.Zxid})
}

func mz(epoch, counter uint32) Zxid { return zkdb.MakeZxid(epoch, counter) }

// handshake lists the quorum packets between leader and follower from the FOLLOWERINFO
// that opened the accepted connection (the last one before the first LEADERINFO), PINGs
// left out. Nil when there is no such FOLLOWERINFO.
func (r *recorder) handshake(leader, follower int) []Event {
	pk := r.quorumPackets(leader, follower)
	start := -1
	for i, e := range pk {
		if e.Packet == LeaderInfo {
			break
		}
		if e.Packet == FollowerInfo {
			start = i
		}
	}
	if start < 0 {
		return nil
	}
	var seq []Event
	for _, e := range pk[start:] {
		if e.Packet != Ping {
			seq = append(seq, e)
		}
	}
	return seq
}

// quorumPackets lists the quorum packets sent on the connections between a and b (both
// directions, election notifications excluded), in send order.
func (r *recorder) quorumPackets(a, b int) []Event {
	return r.filter(func(e *Event) bool {
		return e.Kind == EvSend && e.Packet != Notification &&
			((e.Node == a && e.Peer == b) || (e.Node == b && e.Peer == a))
	})
}

// ---------------------------------------------------------------------------------------
// Zab1_0Test

// TestZab1_0NormalRun is Zab1_0Test.testNormalRun seen from the wire: the packets between
// the leader and a follower of a fresh ensemble, and the epochs each side has persisted
// when it sends them.
func TestZab1_0NormalRun(t *testing.T) {
	c := newTestCluster(t, 3, 0, 7)
	type epochs struct{ acc, cur int64 }
	at := map[uint64]epochs{} // EvSend MsgID → sender's epochs at send time
	c.OnEvent(func(e *Event) {
		if e.Kind == EvSend && e.Packet != Notification {
			d := c.Peer(e.Node).Disk()
			at[e.MsgID] = epochs{d.AcceptedEpoch, d.CurrentEpoch}
		}
	})
	rec := record(c)
	c.Start()
	l := waitSettled(t, c, 5*sec)
	if l != 3 {
		t.Fatalf("leader %d, want 3 (equal zxids and epochs: the highest sid wins)", l)
	}
	e1 := mz(1, 0)
	// The epoch is decided on the first quorum of FOLLOWERINFOs; the leader's currentEpoch
	// becomes 1 only when a quorum ACKEPOCHed, after it delivered an ACKEPOCH and before any
	// sync packet. The follower that got the first LEADERINFO saw acc=1, cur=0; a later one
	// may see cur=1 already.
	infos := rec.filter(func(e *Event) bool { return e.Kind == EvSend && e.Packet == LeaderInfo })
	if len(infos) == 0 {
		t.Fatal("no LEADERINFO")
	}
	firstInfo := infos[0].Peer
	cur := rec.filter(func(e *Event) bool { return e.Kind == EvEpoch && e.Node == l && e.Reason.Code == reason.EpochCurrent })
	acks := rec.filter(func(e *Event) bool { return e.Kind == EvDeliver && e.Node == l && e.Packet == AckEpoch })
	diffs := rec.filter(func(e *Event) bool { return e.Kind == EvSend && e.Node == l && e.Packet == Diff })
	if len(cur) != 1 || cur[0].Epoch != 1 || len(acks) == 0 || len(diffs) == 0 || cur[0].Seq < acks[0].Seq || cur[0].Seq > diffs[0].Seq {
		t.Errorf("leader's currentEpoch events %v: want one, epoch 1, after the first ACKEPOCH and before the first DIFF", cur)
	}
	for _, f := range []int{1, 2} {
		seq := rec.handshake(l, f)
		if len(seq) == 0 {
			t.Fatalf("follower %d: no FOLLOWERINFO before LEADERINFO", f)
		}
		want := []struct {
			from int
			pt   PacketType
			zxid Zxid
			ep   epochs // sender's (acceptedEpoch, currentEpoch) when it sent the packet
		}{
			{f, FollowerInfo, 0, epochs{0, 0}},
			{l, LeaderInfo, e1, epochs{1, 0}},
			{f, AckEpoch, 0, epochs{1, 0}},
			{l, Diff, 0, epochs{1, 1}},
			{l, NewLeader, e1, epochs{1, 1}},
			{f, Ack, e1, epochs{1, 1}},
			{l, UpToDate, -1, epochs{1, 1}},
			{f, Ack, e1, epochs{1, 1}}, // the ACK after UPTODATE, ignored by the leader
		}
		if len(seq) < len(want) {
			t.Fatalf("follower %d: only %d packets: %v", f, len(seq), seq)
		}
		for i, w := range want {
			g := seq[i]
			if g.Node != w.from || g.Packet != w.pt || g.Zxid != w.zxid {
				t.Errorf("follower %d packet %d: %d→%d %s(%s), want %d→ %s(%s)", f, i, g.Node, g.Peer, g.Packet, g.Zxid, w.from, w.pt, w.zxid)
				continue
			}
			if got := at[g.MsgID]; got != w.ep && !(w.pt == LeaderInfo && f != firstInfo && got == epochs{1, 1}) {
				t.Errorf("follower %d packet %s: sender %d had acc=%d cur=%d, want acc=%d cur=%d", f, w.pt, g.Node, got.acc, got.cur, w.ep.acc, w.ep.cur)
			}
		}
		modes := rec.syncModes(f)
		if len(modes) != 1 || modes[0].Mode != SyncDiff || modes[0].N != 0 {
			t.Errorf("follower %d: sync decisions %v, want one empty DIFF", f, modes)
		}
	}
	for id := 1; id <= 3; id++ {
		if d := c.Peer(id).Disk(); d.AcceptedEpoch != 1 || d.CurrentEpoch != 1 {
			t.Errorf("server %d: acc=%d cur=%d, want 1/1", id, d.AcceptedEpoch, d.CurrentEpoch)
		}
	}
	// First write of the epoch is (1, 1) and reaches everybody.
	cl := c.NewClient(1, 3000)
	r := mustOK(t, c, cl, opCreate("/foo", "x"))
	if c.Peer(l).LastLoggedZxid() != mz(1, 2) || r.TxnZxid != mz(1, 2) {
		t.Errorf("create zxid %s (leader last %s), want 0x100000002 (after the createSession 0x100000001)", r.TxnZxid, c.Peer(l).LastLoggedZxid())
	}
	waitSettled(t, c, 2*sec)
	assertNode(t, c, "/foo", true)
	assertNoViolations(t, c)
}

// TestZab1_0LeaderInConnectingFollowers is Zab1_0Test.testLeaderInConnectingFollowers: the
// leader has acceptedEpoch 5; two followers cannot reach it during discovery and time out;
// the leader still proposes epoch 6 with the quorum it has, and the late followers join it.
func TestZab1_0LeaderInConnectingFollowers(t *testing.T) {
	c := newTestCluster(t, 5, 0, 11)
	c.Peer(5).Disk().AcceptedEpoch = 5
	// Followers 1 and 2 cannot talk to the leader-to-be at all.
	for _, f := range []int{1, 2} {
		c.SetLink(f, 5, false)
		c.SetLink(5, f, false)
	}
	rec := record(c)
	c.Start()
	l := waitLeader(t, c, 5*sec)
	if l != 5 {
		t.Fatalf("leader %d, want 5", l)
	}
	if e := c.Peer(5).lead.epoch; e != 6 {
		t.Errorf("proposed epoch %d, want 6 = leader's acceptedEpoch 5 + 1", e)
	}
	infos := rec.filter(func(e *Event) bool { return e.Kind == EvSend && e.Packet == LeaderInfo })
	for _, e := range infos {
		if e.Zxid != mz(6, 0) {
			t.Errorf("LEADERINFO to %d carries %s, want (6,0)", e.Peer, e.Zxid)
		}
	}
	// 1 and 2 keep timing out; let them try for a while.
	c.RunFor(3 * sec)
	for _, f := range []int{1, 2} {
		if c.Peer(f).Phase() == PhaseBroadcast {
			t.Errorf("server %d is in BROADCAST although it cannot reach the leader", f)
		}
		if c.Peer(f).Disk().AcceptedEpoch != 0 {
			t.Errorf("server %d accepted epoch %d without ever hearing LEADERINFO", f, c.Peer(f).Disk().AcceptedEpoch)
		}
	}
	if c.Leader() != 5 || c.Peer(5).Disk().CurrentEpoch != 6 {
		t.Fatalf("leader %d cur=%d, want 5 still leading epoch 6", c.Leader(), c.Peer(5).Disk().CurrentEpoch)
	}
	c.Heal()
	waitSettled(t, c, 5*sec)
	for id := 1; id <= 5; id++ {
		if d := c.Peer(id).Disk(); d.AcceptedEpoch != 6 || d.CurrentEpoch != 6 {
			t.Errorf("server %d: acc=%d cur=%d, want 6/6", id, d.AcceptedEpoch, d.CurrentEpoch)
		}
	}
	assertNoViolations(t, c)
}

// TestZab1_0LastAcceptedEpoch is Zab1_0Test.testLastAcceptedEpoch: the leader has
// acceptedEpoch 5, a follower of the first connecting quorum reports acceptedEpoch 6 → the
// new epoch is 7.
func TestZab1_0LastAcceptedEpoch(t *testing.T) {
	c := newTestCluster(t, 3, 0, 12)
	c.Peer(3).Disk().AcceptedEpoch = 5
	c.Peer(1).Disk().AcceptedEpoch = 6
	// Server 2 cannot reach 3, so the first connecting quorum is {3, 1}.
	c.SetLink(2, 3, false)
	c.SetLink(3, 2, false)
	rec := record(c)
	c.Start()
	l := waitLeader(t, c, 5*sec)
	if l != 3 {
		t.Fatalf("leader %d, want 3", l)
	}
	if d := c.Peer(3).Disk(); d.AcceptedEpoch != 7 || d.CurrentEpoch != 7 {
		t.Errorf("leader acc=%d cur=%d, want 7/7 (max(5, 6) + 1)", d.AcceptedEpoch, d.CurrentEpoch)
	}
	fi := rec.filter(func(e *Event) bool { return e.Kind == EvSend && e.Packet == FollowerInfo && e.Node == 1 })
	if len(fi) == 0 || fi[len(fi)-1].Zxid != mz(6, 0) {
		t.Errorf("follower 1's FOLLOWERINFO: %v, want zxid (6,0)", fi)
	}
	li := rec.filter(func(e *Event) bool { return e.Kind == EvSend && e.Packet == LeaderInfo })
	if len(li) == 0 || li[0].Zxid != mz(7, 0) {
		t.Errorf("LEADERINFO %v, want (7,0)", li)
	}
	c.Heal()
	waitSettled(t, c, 5*sec)
	for id := 1; id <= 3; id++ {
		if d := c.Peer(id).Disk(); d.AcceptedEpoch != 7 || d.CurrentEpoch != 7 {
			t.Errorf("server %d: acc=%d cur=%d, want 7/7", id, d.AcceptedEpoch, d.CurrentEpoch)
		}
	}
	assertNoViolations(t, c)
}

// TestZab1_0LeaderBehind is Zab1_0Test.testLeaderBehind: the follower reports acceptedEpoch
// 20 → LEADERINFO (21, 0), and the sync is a normal one (empty DIFF, NEWLEADER (21, 0)).
func TestZab1_0LeaderBehind(t *testing.T) {
	c := newTestCluster(t, 2, 0, 13) // two voters: the leader needs the follower
	c.Peer(1).Disk().AcceptedEpoch = 20
	rec := record(c)
	c.Start()
	l := waitSettled(t, c, 5*sec)
	if l != 2 {
		t.Fatalf("leader %d, want 2", l)
	}
	var seq []string
	for _, e := range rec.handshake(2, 1) {
		seq = append(seq, fmt.Sprintf("%s(%s)", e.Packet, e.Zxid))
	}
	got := strings.Join(seq, " ")
	want := "FOLLOWERINFO(0x1400000000) LEADERINFO(0x1500000000) ACKEPOCH(0x0) DIFF(0x0) NEWLEADER(0x1500000000) ACK(0x1500000000) UPTODATE(-1) ACK(0x1500000000)"
	if !strings.HasPrefix(got, want) {
		t.Errorf("packets:\n got %s\nwant %s", got, want)
	}
	for id := 1; id <= 2; id++ {
		if d := c.Peer(id).Disk(); d.AcceptedEpoch != 21 || d.CurrentEpoch != 21 {
			t.Errorf("server %d: acc=%d cur=%d, want 21/21", id, d.AcceptedEpoch, d.CurrentEpoch)
		}
	}
	cl := c.NewClient(2, 3000)
	r := mustOK(t, c, cl, opCreate("/x", ""))
	if r.TxnZxid.Epoch() != 21 {
		t.Errorf("first write of the epoch has zxid %s, want epoch 21", r.TxnZxid)
	}
	assertNoViolations(t, c)
}

// TestZab1_0AbandonBeforeACKEpoch is Zab1_0Test.testAbandonBeforeACKEpoch: the follower's
// FOLLOWERINFO arrives but no ACKEPOCH ever does → after initLimit·tickTime the leader
// abandons; it has promised epoch 1 but its currentEpoch stays 0.
func TestZab1_0AbandonBeforeACKEpoch(t *testing.T) {
	c := newTestCluster(t, 2, 0, 14)
	rec := record(c)
	var cutAt int64 = -1
	c.OnEvent(func(e *Event) {
		if cutAt < 0 && e.Kind == EvDeliver && e.Packet == FollowerInfo && e.Node == 2 && c.Peer(2).State() == Leading {
			cutAt = c.Now()
			// Right after the leader handled FOLLOWERINFO (and sent LEADERINFO): the link
			// breaks, so neither LEADERINFO nor any ACKEPOCH gets through.
			c.At(c.Now(), func() { c.Partition([][]int{{1}, {2}}) })
		}
	})
	c.Start()
	waitFor(t, c, 5*sec, "the leader to abandon", func() bool {
		return cutAt >= 0 && c.Peer(2).State() == Looking
	})
	if c.Peer(2).lead != nil {
		t.Fatal("leader state left behind")
	}
	st := rec.states(2)
	last := st[len(st)-1]
	if !strings.Contains(last.Reason.String(), "ACKEPOCH") || !strings.Contains(last.Reason.String(), "initLimit") {
		t.Errorf("leader went LOOKING because %q, want the ACKEPOCH initLimit timeout", last.Reason)
	}
	waited := last.TimeUs - cutAt
	limit := c.msUs(c.Config().Timing.InitLimit * c.Config().Timing.TickTimeMs)
	if waited < limit-5*ms || waited > limit+50*ms {
		t.Errorf("leader gave up %d ms after the cut, want about initLimit·tickTime = %d ms", waited/1000, limit/1000)
	}
	if d := c.Peer(2).Disk(); d.AcceptedEpoch != 1 || d.CurrentEpoch != 0 {
		t.Errorf("leader acc=%d cur=%d, want acc=1 cur=0", d.AcceptedEpoch, d.CurrentEpoch)
	}
	if d := c.Peer(1).Disk(); d.AcceptedEpoch != 0 || d.CurrentEpoch != 0 {
		t.Errorf("follower acc=%d cur=%d, want 0/0", d.AcceptedEpoch, d.CurrentEpoch)
	}
	if len(rec.filter(func(e *Event) bool { return e.Kind == EvDeliver && e.Packet == AckEpoch })) != 0 {
		t.Error("an ACKEPOCH was delivered")
	}
	// After healing, the promise of epoch 1 is skipped: the next epoch is 2.
	c.Heal()
	l := waitSettled(t, c, 5*sec)
	if e := c.Peer(l).Disk().CurrentEpoch; e != 2 {
		t.Errorf("epoch after healing %d, want 2", e)
	}
	assertNoViolations(t, c)
}

// TestZab1_0TxnTimeout is Zab1_0Test.testTxnTimeout: a follower that answers PINGs but never
// ACKs a PROPOSAL is closed by the leader within about syncLimit ticks. Like ZooKeeper's test
// it drives the leader with a mock follower (server 1, never booted) that speaks the
// learner protocol by hand.
func TestZab1_0TxnTimeout(t *testing.T) {
	c := newTestCluster(t, 2, 0, 15)
	rec := record(c)
	c.Restart(2)
	c.RunFor(ms)
	// The mock tells 2 it follows it: 2 leads.
	injectVote(c, 1, 2, Vote{Leader: 2, Zxid: 0, Round: 1, PeerEpoch: 0, State: Following})
	waitFor(t, c, sec, "server 2 to lead", func() bool { return c.Peer(2).State() == Leading })
	conn := c.openConn(1, 2)
	send := func(m *Message) { c.sendOnConn(1, 2, conn, m) }
	send(&Message{Packet: FollowerInfo, Zxid: 0, Epoch: 0x10000})
	c.RunFor(10 * ms)
	if c.Peer(2).lead.epoch != 1 || c.Peer(2).Disk().AcceptedEpoch != 1 {
		t.Fatalf("leader epoch %d acc %d, want 1", c.Peer(2).lead.epoch, c.Peer(2).Disk().AcceptedEpoch)
	}
	send(&Message{Packet: AckEpoch, Zxid: 0, Epoch: 0})
	c.RunFor(10 * ms)
	send(&Message{Packet: Ack, Zxid: mz(1, 0)})
	waitFor(t, c, sec, "the leader to establish", func() bool { return c.Leader() == 2 })
	// From now on the mock answers every PING (every 50 ms) but never ACKs a proposal.
	var pinger func()
	pinger = func() {
		if c.Peer(2).lead == nil {
			return
		}
		send(&Message{Packet: Ping, Zxid: 0})
		c.At(c.Now()+50*ms, pinger)
	}
	pinger()
	c.RunFor(sec)
	if c.Leader() != 2 {
		t.Fatalf("the leader lost a follower that answers pings:\n%s", clusterState(c))
	}
	cl := c.NewClient(2, 3000)
	var got *Reply
	cl.Submit(opCreate("/a", ""), false, func(r Reply) { got = &r })
	proposedAt := int64(-1)
	waitFor(t, c, 3*sec, "the leader to close the silent follower", func() bool {
		if proposedAt < 0 {
			for _, e := range rec.evs {
				if e.Kind == EvPropose {
					proposedAt = e.TimeUs
					break
				}
			}
		}
		for _, e := range rec.evs {
			if e.Kind == EvConn && e.Node == 2 && strings.Contains(e.Reason.String(), "transaction timeout") {
				return true
			}
		}
		return false
	})
	closes := rec.filter(func(e *Event) bool {
		return e.Kind == EvConn && e.Node == 2 && strings.Contains(e.Reason.String(), "transaction timeout")
	})
	sl := c.msUs(c.Config().Timing.SyncLimit * c.Config().Timing.TickTimeMs)
	if d := closes[0].TimeUs - proposedAt; d <= sl || d > sl+c.msUs(c.Config().Timing.TickTimeMs) {
		t.Errorf("closed %d ms after the first proposal, want just over syncLimit·tickTime = %d ms", d/1000, sl/1000)
	}
	// Without the follower there is no quorum: the leader steps down, the write fails.
	waitFor(t, c, sec, "the client's answer", func() bool { return got != nil })
	if got.Err != zkdb.ErrConnectionLoss {
		t.Errorf("write answered %s, want CONNECTIONLOSS", got.Err.Name())
	}
	if c.Peer(2).State() != Looking {
		t.Errorf("leader is %s, want LOOKING after losing its only follower", c.Peer(2).State())
	}
	assertNoViolations(t, c)
}

// TestZab1_0UnnecessarySnap is Zab1_0Test.testUnnecessarySnap: a follower restarted with
// everything the leader has is synced by an empty DIFF, never by SNAP.
func TestZab1_0UnnecessarySnap(t *testing.T) {
	c := newTestCluster(t, 3, 0, 16)
	c.Start()
	l := waitSettled(t, c, 5*sec)
	cl := c.NewClient(l, 3000)
	for i := 0; i < 5; i++ {
		mustOK(t, c, cl, opCreate(fmt.Sprintf("/n%d", i), "v"))
	}
	waitSettled(t, c, 2*sec)
	f := 1
	if f == l {
		f = 2
	}
	before := c.Peer(f).Disk().SnapshotZxids()
	c.Crash(f)
	c.RunFor(200 * ms)
	rec := record(c)
	c.Restart(f)
	waitSettled(t, c, 5*sec)
	modes := rec.syncModes(f)
	if len(modes) != 1 {
		t.Fatalf("sync decisions for %d: %v", f, modes)
	}
	if modes[0].Mode != SyncDiff || modes[0].N != 0 || !strings.Contains(modes[0].Reason.String(), "already in sync") {
		t.Errorf("restarted follower synced by %s (%d txns): %q, want an empty DIFF", modes[0].Mode, modes[0].N, modes[0].Reason)
	}
	if len(rec.filter(func(e *Event) bool { return e.Kind == EvSend && e.Packet == Snap })) != 0 {
		t.Error("a SNAP was sent")
	}
	if after := c.Peer(f).Disk().SnapshotZxids(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("follower's snapshots changed %v → %v", before, after)
	}
	assertNode(t, c, "/n4", true)
	assertNoViolations(t, c)
}

// TestZab1_0NormalFollowerRun is Zab1_0Test.testNormalFollowerRun: a mock leader (server 2,
// never booted) drives a real follower through SNAP(/foo=data1), NEWLEADER, PROPOSAL
// setData(/foo=data2) at (1, 1000), COMMIT, UPTODATE. Expected: no snapshot on disk before
// NEWLEADER; snapshot and currentEpoch 1 persisted before ACK((1,0)); the data changes only
// after UPTODATE; ACK((1,0)) then ACK((1,1000)); everything durable across a restart.
func TestZab1_0NormalFollowerRun(t *testing.T) {
	c := newTestCluster(t, 3, 0, 17)
	rec := record(c)
	f := c.Peer(1)
	type atAck struct {
		zxid  Zxid
		cur   int64
		snaps []Zxid
		data  string
	}
	var acks []atAck
	c.OnEvent(func(e *Event) {
		if e.Kind == EvSend && e.Node == 1 && e.Packet == Ack {
			d, _ := nodeData(c, 1, "/foo")
			acks = append(acks, atAck{e.Zxid, f.Disk().CurrentEpoch, f.Disk().SnapshotZxids(), d})
		}
	})
	c.Restart(1)
	c.RunFor(ms)
	// Mocks 2 (leader) and 3 (its follower) tell 1 whom they follow.
	injectVote(c, 2, 1, Vote{Leader: 2, Zxid: 0, Round: 1, PeerEpoch: 0, State: Leading})
	injectVote(c, 3, 1, Vote{Leader: 2, Zxid: 0, Round: 1, PeerEpoch: 0, State: Following})
	waitFor(t, c, sec, "server 1 to follow 2", func() bool { return f.State() == Following })
	conn := f.learn.conn
	send := func(m *Message) { c.sendOnConn(2, 1, conn, m); c.RunFor(5 * ms) }
	send(&Message{Packet: LeaderInfo, Zxid: mz(1, 0), Epoch: 0x10000})
	if f.Disk().AcceptedEpoch != 1 || f.Phase() != PhaseSynchronization {
		t.Fatalf("after LEADERINFO: acc=%d phase %s", f.Disk().AcceptedEpoch, f.Phase())
	}
	snapTree := zkdb.NewDataTree()
	snapTree.Apply(&zkdb.Txn{Zxid: 0, Op: opCreate("/foo", "data1")})
	snapTree.SetLastProcessedZxid(0)
	send(&Message{Packet: Snap, Zxid: 0, Snap: &Snapshot{Zxid: 0, Tree: snapTree, Bytes: snapTree.ApproxBytes()}})
	if d, _ := nodeData(c, 1, "/foo"); d != "data1" {
		t.Fatalf("after SNAP /foo = %q, want data1", d)
	}
	if n := len(f.Disk().SnapshotZxids()); n != 1 || hasSnapFoo(f) {
		t.Errorf("a snapshot was persisted before NEWLEADER")
	}
	send(&Message{Packet: NewLeader, Zxid: mz(1, 0)})
	if len(acks) != 1 || acks[0].zxid != mz(1, 0) || acks[0].cur != 1 || !hasSnapFoo(f) {
		t.Fatalf("after NEWLEADER: acks %+v (snapshot with /foo on disk: %v), want ACK((1,0)) sent with cur=1 after the snapshot", acks, hasSnapFoo(f))
	}
	prop := &zkdb.Txn{Zxid: mz(1, 1000), TimeMs: 5, Op: opSet("/foo", "data2")}
	c.emit(&Event{Kind: EvPropose, Node: 2, Zxid: prop.Zxid, Op: prop.Op.Type, Path: prop.Op.Path, Txn: prop}) // the mock leader's proposal, as a real one announces it (the checker's ghost state)
	send(&Message{Packet: Proposal, Zxid: prop.Zxid, Txn: prop})
	send(&Message{Packet: Commit, Zxid: prop.Zxid})
	if d, _ := nodeData(c, 1, "/foo"); d != "data1" || len(acks) != 1 {
		t.Errorf("before UPTODATE: /foo = %q, %d acks; want data1 and no new ACK", d, len(acks))
	}
	send(&Message{Packet: UpToDate, Zxid: -1})
	if len(acks) != 3 || acks[1].zxid != mz(1, 0) || acks[2].zxid != mz(1, 1000) {
		t.Errorf("acks %+v, want ACK((1,0)), ACK((1,0)), ACK((1,1000))", acks)
	}
	if d, _ := nodeData(c, 1, "/foo"); d != "data2" || f.Phase() != PhaseBroadcast {
		t.Errorf("after UPTODATE: /foo = %q, phase %s; want data2 in BROADCAST", d, f.Phase())
	}
	if !containsZxid(loggedZxids(f), mz(1, 1000)) {
		t.Errorf("proposal not logged: %v", loggedZxids(f))
	}
	if m := rec.filter(func(e *Event) bool { return e.Kind == EvSend && e.Node == 1 && e.Packet == AckEpoch }); len(m) != 1 || m[0].Zxid != 0 {
		t.Errorf("ACKEPOCH %v, want one with zxid 0", m)
	}
	// Durable: restart from disk.
	c.Crash(1)
	c.Restart(1)
	if d, _ := nodeData(c, 1, "/foo"); d != "data2" || f.LastLoggedZxid() != mz(1, 1000) {
		t.Errorf("after restart /foo = %q, last %s", d, f.LastLoggedZxid())
	}
	if d := f.Disk(); d.AcceptedEpoch != 1 || d.CurrentEpoch != 1 {
		t.Errorf("after restart acc=%d cur=%d, want 1/1", d.AcceptedEpoch, d.CurrentEpoch)
	}
	assertNoViolations(t, c)
}

// hasSnapFoo: the server's newest snapshot on disk holds /foo.
func hasSnapFoo(p *Peer) bool {
	_, err := p.disk.newestSnap().Tree.Exists("/foo", 0)
	return err == zkdb.OK
}
