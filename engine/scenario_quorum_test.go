package engine

// Scenario tests of whole ensembles under crashes and partitions, named after ZooKeeper's
// QuorumPeerMainTest, TruncateTest, DIFFSyncConsistencyTest, QuorumZxidSyncTest,
// ZxidRolloverTest, EphemeralNodeDeletionTest and WatcherTest (zab-reference §7 items
// 17–25), plus determinism and randomized seed sweeps.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zablab/zablab/engine/zkdb"
)

// submitAll submits ops without waiting; the returned slice fills in as answers arrive.
func submitAll(cl *Client, ops []zkdb.Op) []*Reply {
	out := make([]*Reply, len(ops))
	for i, op := range ops {
		i := i
		cl.Submit(op, false, func(r Reply) { out[i] = &r })
	}
	return out
}

func allAnswered(rs []*Reply) bool {
	for _, r := range rs {
		if r == nil {
			return false
		}
	}
	return true
}

// truncateSetup: leader 3 of {1,2,3} commits /0../9, then is cut off and logs 50 creates
// (/10../59) alone; 1 and 2 elect 2 in epoch 2. It returns the cluster (still partitioned),
// the recorder and the last committed zxid.
func truncateSetup(t *testing.T, seed int64) (*Cluster, *recorder, Zxid) {
	t.Helper()
	c := newTestCluster(t, 3, 0, seed)
	c.Start()
	l := waitSettled(t, c, 5*sec)
	if l != 3 {
		t.Fatalf("leader %d, want 3", l)
	}
	cl := c.NewClient(3, 2000)
	for i := 0; i < 10; i++ {
		mustOK(t, c, cl, opCreate(fmt.Sprintf("/%d", i), ""))
	}
	waitSettled(t, c, 2*sec)
	committed := c.Peer(3).LastProcessedZxid()
	c.Partition([][]int{{3}, {1, 2}})
	var ops []zkdb.Op
	for i := 10; i < 60; i++ {
		ops = append(ops, opCreate(fmt.Sprintf("/%d", i), ""))
	}
	rs := submitAll(cl, ops)
	waitFor(t, c, 5*sec, "the lonely writes to fail and 1, 2 to elect", func() bool {
		return allAnswered(rs) && c.Leader() == 2 && c.Peer(3).State() == Looking
	})
	for i, r := range rs {
		if r.Err != zkdb.ErrConnectionLoss {
			t.Fatalf("create /%d answered %s, want CONNECTIONLOSS", i+10, r.Err.Name())
		}
	}
	logged := loggedZxids(c.Peer(3))
	if len(logged) == 0 || logged[len(logged)-1] != committed+50 {
		t.Fatalf("server 3 logged up to %v, want %s + 50", logged[len(logged)-1], committed)
	}
	for _, id := range []int{1, 2} {
		if got := c.Peer(id).LastLoggedZxid(); got != committed {
			t.Fatalf("server %d logged up to %s, want %s", id, got, committed)
		}
	}
	if e := c.Peer(2).Disk().CurrentEpoch; e != 2 {
		t.Fatalf("new leader's epoch %d, want 2", e)
	}
	rec := record(c)
	return c, rec, committed
}

// TestTruncate is TruncateTest.testTruncate: server 3 holds 50 txns nobody else has; it
// joins the others' leader and is TRUNCed: it keeps /9 but /12 (and every other txn of its
// own) is gone, from its tree and its log, also after a restart.
func TestTruncate(t *testing.T) {
	c, rec, committed := truncateSetup(t, 51)
	c.Heal()
	waitSettled(t, c, 5*sec)
	if c.Leader() != 2 || c.Peer(3).State() != Following {
		t.Fatalf("leader %d, server 3 %s: want 3 following 2", c.Leader(), c.Peer(3).State())
	}
	modes := rec.syncModes(3)
	if len(modes) == 0 {
		t.Fatal("server 3 was never synced")
	}
	m := modes[len(modes)-1]
	if m.Mode != SyncTrunc || !strings.Contains(m.Reason.String(), "TRUNC to "+committed.String()) {
		t.Errorf("server 3 synced by %s: %q, want TRUNC to %s", m.Mode, m.Reason, committed)
	}
	tr := rec.filter(func(e *Event) bool { return e.Kind == EvTruncated && e.Node == 3 })
	if len(tr) != 1 || tr[0].Zxid != committed {
		t.Errorf("truncation events %v, want one to %s", tr, committed)
	}
	for _, z := range loggedZxids(c.Peer(3)) {
		if z > committed && z.Epoch() == 1 {
			t.Errorf("server 3 still logs %s", z)
		}
	}
	assertNode(t, c, "/9", true)
	assertNode(t, c, "/12", false)
	assertNode(t, c, "/10", false)
	assertNode(t, c, "/59", false)
	// Writes go on, and a restart does not bring the truncated txns back.
	cl := c.NewClient(3, 2000)
	mustOK(t, c, cl, opCreate("/after", ""))
	c.Crash(3)
	c.Restart(3)
	waitSettled(t, c, 5*sec)
	assertNode(t, c, "/after", true)
	assertNode(t, c, "/12", false)
	assertNoViolations(t, c)
}

// TestLateJoinerAheadOfLeaderIsSynced is Leader.waitForEpochAck once electionFinished: a
// learner that connects after the leader's epoch-ack quorum is not compared with the
// leader's state summary ("Follower is ahead of the leader" applies only to the learners of
// the establishing quorum). So server 3 of TestTruncate, whose (currentEpoch 1, last zxid)
// is above the new leader's summary, is TRUNCed on its first connection, not refused.
func TestLateJoinerAheadOfLeaderIsSynced(t *testing.T) {
	c, rec, _ := truncateSetup(t, 52)
	c.Heal()
	waitSettled(t, c, 5*sec)
	refused := rec.filter(func(e *Event) bool {
		return e.Kind == EvConn && e.Node == 2 && e.Peer == 3 && strings.Contains(e.Reason.String(), "ahead")
	})
	for _, e := range refused {
		t.Errorf("leader 2 refused the late joiner 3: %q", e.Reason)
	}
	if n := len(rec.syncModes(3)); n != 1 {
		t.Errorf("server 3 was synced %d times, want once", n)
	}
	assertNoViolations(t, c)
}

// TestEarlyLeaderAbandonment is QuorumPeerMainTest.testEarlyLeaderAbandonment: the
// followers go down, a create is logged only by the leader (its client gets an error), the
// leader goes down; the other two elect and write /zk1 and /zk2; the old leader comes back →
// everybody has /zk1 and /zk2, nobody has /zk3.
func TestEarlyLeaderAbandonment(t *testing.T) {
	c := newTestCluster(t, 3, 0, 53)
	c.Start()
	l := waitSettled(t, c, 5*sec)
	if l != 3 {
		t.Fatalf("leader %d, want 3", l)
	}
	zk3 := c.NewClient(3, 2000)
	waitConnected(t, c, zk3, sec)
	c.Crash(1)
	c.Crash(2)
	rs := submitAll(zk3, []zkdb.Op{opCreate("/zk3", "zk")})
	waitFor(t, c, 2*sec, "the create to fail", func() bool { return allAnswered(rs) })
	if rs[0].Err == zkdb.OK {
		t.Fatal("create /zk3 succeeded without a quorum")
	}
	pz := rec0(c, 3)
	if !containsZxid(loggedZxids(c.Peer(3)), pz) {
		t.Fatalf("the leader did not log its create (log %v)", loggedZxids(c.Peer(3)))
	}
	waitFor(t, c, sec, "the leader to step down", func() bool { return c.Peer(3).State() == Looking })
	c.Crash(3)
	c.Restart(1)
	c.Restart(2)
	l2 := waitSettled(t, c, 5*sec)
	if l2 != 2 || c.Peer(2).Disk().CurrentEpoch != 2 {
		t.Fatalf("leader %d epoch %d, want 2 in epoch 2", l2, c.Peer(2).Disk().CurrentEpoch)
	}
	for _, id := range []int{1, 2} {
		mustOK(t, c, c.NewClient(id, 2000), opCreate(fmt.Sprintf("/zk%d", id), "zk"))
	}
	rec := record(c)
	c.Restart(3)
	waitSettled(t, c, 5*sec)
	modes := rec.syncModes(3)
	if len(modes) == 0 || modes[len(modes)-1].Mode != SyncSnap {
		t.Errorf("old leader synced by %v, want SNAP (its extra txn is in epoch 1, the leader's history moved on to epoch 2)", modes)
	}
	for _, id := range []int{1, 2, 3} {
		for _, p := range []string{"/zk1", "/zk2"} {
			if !hasNode(c, id, p) {
				t.Errorf("server %d lacks %s", id, p)
			}
		}
		if hasNode(c, id, "/zk3") {
			t.Errorf("server %d has the abandoned /zk3", id)
		}
		if containsZxid(loggedZxids(c.Peer(id)), pz) {
			if txn := findTxn(c.Peer(id).Disk().Log(), pz); txn != nil && txn.Op.Path == "/zk3" {
				t.Errorf("server %d still logs the abandoned create %s", id, pz)
			}
		}
	}
	// A client of the old leader sees the new data.
	r := doOp(t, c, c.NewClient(3, 2000), zkdb.Op{Type: zkdb.OpExists, Path: "/zk3"}, false)
	if r.Err != zkdb.ErrNoNode {
		t.Errorf("exists /zk3 on 3: %s, want NONODE", r.Err.Name())
	}
	assertNoViolations(t, c)
}

// rec0 returns the zxid of the last create proposed by server id (from its log).
func rec0(c *Cluster, id int) Zxid {
	log := c.Peer(id).Disk().Log()
	for i := len(log) - 1; i >= 0; i-- {
		if log[i].Op.Type == zkdb.OpCreate {
			return log[i].Zxid
		}
	}
	return -1
}

// TestHighestZxidJoinLate is QuorumPeerMainTest.testHighestZxidJoinLate: the leader alone
// logs setData(v=2) and dies; the others still see v=1 and write more; the old leader
// rejoins → it has v=1 plus the later write.
func TestHighestZxidJoinLate(t *testing.T) {
	c := newTestCluster(t, 3, 0, 54)
	c.Start()
	leader := waitSettled(t, c, 5*sec)
	nonleader := leader%3 + 1
	path := "/hzxidtest"
	zkL := c.NewClient(leader, 2000)
	mustOK(t, c, zkL, opCreate(fmt.Sprintf("%s%d", path, leader), "1"))
	mustOK(t, c, zkL, opCreate(fmt.Sprintf("%s%d", path, nonleader), "1"))
	waitSettled(t, c, 2*sec)
	for id := 1; id <= 3; id++ {
		if id != leader {
			c.Crash(id)
		}
	}
	rs := submitAll(zkL, []zkdb.Op{opSet(fmt.Sprintf("%s%d", path, leader), "2")})
	c.RunFor(500 * ms)
	if !allAnswered(rs) || rs[0].Err == zkdb.OK {
		t.Fatalf("setData without quorum: %v", rs[0])
	}
	if log := c.Peer(leader).Disk().Log(); log[len(log)-1].Op.Type != zkdb.OpSetData {
		t.Fatal("the leader did not log its setData")
	}
	c.Crash(leader)
	for id := 1; id <= 3; id++ {
		if id != leader {
			c.Restart(id)
		}
	}
	waitSettled(t, c, 5*sec)
	zkN := c.NewClient(nonleader, 2000)
	r := mustOK(t, c, zkN, zkdb.Op{Type: zkdb.OpGetData, Path: fmt.Sprintf("%s%d", path, leader)})
	if string(r.Data) != "1" {
		t.Fatalf("expecting old value 1 since 2 isn't committed yet, got %q", r.Data)
	}
	mustOK(t, c, zkN, opSet(fmt.Sprintf("%s%d", path, nonleader), "2"))
	c.Restart(leader)
	waitSettled(t, c, 5*sec)
	zkL2 := c.NewClient(leader, 2000)
	r = mustOK(t, c, zkL2, zkdb.Op{Type: zkdb.OpGetData, Path: fmt.Sprintf("%s%d", path, leader)})
	if r.Server != leader || string(r.Data) != "1" {
		t.Errorf("deposed leader %d (answered by %d) has %q, want the rolled back 1", leader, r.Server, r.Data)
	}
	r = mustOK(t, c, zkL2, zkdb.Op{Type: zkdb.OpGetData, Path: fmt.Sprintf("%s%d", path, nonleader)})
	if string(r.Data) != "2" {
		t.Errorf("deposed leader did not catch up: %q, want 2", r.Data)
	}
	for id := 1; id <= 3; id++ {
		if d, _ := nodeData(c, id, fmt.Sprintf("%s%d", path, leader)); d != "1" {
			t.Errorf("server %d: %s%d = %q, want 1", id, path, leader, d)
		}
	}
	assertNoViolations(t, c)
}

// TestFailedTxnAsPartOfQuorumLoss is QuorumPeerMainTest.testFailedTxnAsPartOfQuorumLoss: the
// followers form a new quorum (epoch 2) while the old leader still leads epoch 1 alone and
// logs a create → the create fails, the old leader steps down and rejoins as a follower;
// after restarting everybody no server has the node.
func TestFailedTxnAsPartOfQuorumLoss(t *testing.T) {
	c := newTestCluster(t, 3, 0, 55)
	rec := record(c)
	c.Start()
	l := waitSettled(t, c, 5*sec)
	if l != 3 {
		t.Fatalf("leader %d, want 3", l)
	}
	zk3 := c.NewClient(3, 2000)
	mustOK(t, c, zk3, opCreate("/base", ""))
	waitSettled(t, c, 2*sec)
	committed := c.Peer(3).LastProcessedZxid()
	// Cut the leader off; the followers restart at once (they need not wait for their read
	// timeout), so they elect while the old leader still believes it leads.
	c.Partition([][]int{{3}, {1, 2}})
	for _, id := range []int{1, 2} {
		c.Crash(id)
		c.Restart(id)
	}
	waitFor(t, c, 2*sec, "1 and 2 to establish epoch 2", func() bool {
		return c.Leader() == 2 && c.Peer(2).Disk().CurrentEpoch == 2
	})
	old := c.Peer(3)
	if old.State() != Leading || old.Disk().CurrentEpoch != 1 {
		t.Fatalf("old leader is %s in epoch %d, want still LEADING epoch 1", old.State(), old.Disk().CurrentEpoch)
	}
	rs := submitAll(zk3, []zkdb.Op{opCreate("/zk3", "")})
	waitFor(t, c, 2*sec, "the old leader to step down", func() bool { return old.State() == Looking && allAnswered(rs) })
	if rs[0].Err != zkdb.ErrConnectionLoss {
		t.Errorf("create on the old leader answered %s, want CONNECTIONLOSS", rs[0].Err.Name())
	}
	if !containsZxid(loggedZxids(old), committed+1) {
		t.Errorf("old leader did not log the create (log %v)", loggedZxids(old))
	}
	st := rec.states(3)
	if last := st[len(st)-1]; !strings.HasPrefix(last.Reason.String(), "not sufficient followers synced, only synced with sids: [3]") {
		t.Errorf("old leader stepped down because %q", last.Reason)
	}
	c.Heal()
	waitSettled(t, c, 5*sec)
	if old.State() != Following || old.learnerLeader() != 2 {
		t.Fatalf("old leader is %s, want following 2", old.State())
	}
	modes := rec.syncModes(3)
	wantMode := SyncTrunc
	if c.Peer(2).LastProcessedZxid().Epoch() == 2 {
		wantMode = SyncSnap // the new leader's history moved on to epoch 2
	}
	if len(modes) == 0 || modes[len(modes)-1].Mode != wantMode {
		t.Errorf("old leader synced by %v, want %s", modes, wantMode)
	}
	assertNode(t, c, "/zk3", false)
	for id := 1; id <= 3; id++ {
		c.Crash(id)
	}
	for id := 1; id <= 3; id++ {
		c.Restart(id)
	}
	waitSettled(t, c, 5*sec)
	assertNode(t, c, "/zk3", false)
	assertNode(t, c, "/base", true)
	for id := 1; id <= 3; id++ {
		r := doOp(t, c, c.NewClient(id, 2000), zkdb.Op{Type: zkdb.OpExists, Path: "/zk3"}, false)
		if r.Err != zkdb.ErrNoNode {
			t.Errorf("server %d: exists /zk3 = %s, want NONODE", id, r.Err.Name())
		}
	}
	assertNoViolations(t, c)
}

// TestElectionFraud is QuorumPeerMainTest.testElectionFraud: a follower forced into LEADING
// without support goes LEADING → LOOKING (no quorum within initLimit) → FOLLOWING; the true
// leader keeps leading, undisturbed.
func TestElectionFraud(t *testing.T) {
	c := newTestCluster(t, 3, 0, 56)
	c.Start()
	l := waitSettled(t, c, 5*sec)
	if l != 3 {
		t.Fatalf("leader %d, want 3", l)
	}
	epoch := c.Peer(3).Disk().CurrentEpoch
	rec := record(c)
	f := c.Peer(1)
	// The fraud: server 1 abandons its leader and declares itself leader.
	f.leaveRole()
	f.loadDatabase()
	f.becomeLeading()
	if f.State() != Leading {
		t.Fatal("fraud did not take")
	}
	cl := c.NewClient(3, 2000)
	mustOK(t, c, cl, opCreate("/during", ""))
	waitFor(t, c, 5*sec, "server 1 to follow again", func() bool { return f.State() == Following && f.Phase() == PhaseBroadcast })
	var seq []string
	for _, e := range rec.states(1) {
		if len(seq) == 0 || seq[len(seq)-1] != e.State.String() {
			seq = append(seq, e.State.String())
		}
	}
	if got := strings.Join(seq, " "); got != "LEADING LOOKING FOLLOWING" {
		t.Errorf("server 1 went through %s, want LEADING LOOKING FOLLOWING", got)
	}
	st := rec.states(1)
	for _, e := range st {
		if e.State == Looking && !strings.Contains(e.Reason.String(), "initLimit") {
			t.Errorf("server 1 stopped leading because %q, want an initLimit timeout", e.Reason)
		}
	}
	if n := len(rec.states(3)); n != 0 || c.Leader() != 3 || c.Peer(3).Disk().CurrentEpoch != epoch {
		t.Errorf("true leader changed state %d times; leader %d epoch %d", n, c.Leader(), c.Peer(3).Disk().CurrentEpoch)
	}
	if f.learnerLeader() != 3 || f.Disk().AcceptedEpoch != epoch {
		t.Errorf("server 1 follows %d with acc %d, want 3 and %d", f.learnerLeader(), f.Disk().AcceptedEpoch, epoch)
	}
	waitSettled(t, c, 2*sec)
	assertNode(t, c, "/during", true)
	assertNoViolations(t, c)
}

// TestInconsistentDueToUncommittedLog is DIFFSyncConsistencyTest.testInconsistentDueToUncommittedLog
// (ZOOKEEPER-3911): the leader alone logs a create; a follower comes back, is DIFF-synced
// (the create among the synced txns), ACKs NEWLEADER — completing the leader's quorum — and
// crashes at UPTODATE. The leader, established, serves the node to its client. Restarted
// without the old leader, the ensemble still has it: synced proposals are logged before
// NEWLEADER is acked.
func TestInconsistentDueToUncommittedLog(t *testing.T) {
	c := newTestCluster(t, 3, 0, 57)
	c.Start()
	l := waitSettled(t, c, 5*sec)
	if l != 3 {
		t.Fatalf("leader %d, want 3", l)
	}
	zk := c.NewClient(3, 2000)
	mustOK(t, c, zk, opCreate("/a", ""))
	waitSettled(t, c, 2*sec)
	c.Crash(1)
	c.Crash(2)
	rs := submitAll(zk, []zkdb.Op{opCreate("/uncommitted", "x")})
	waitFor(t, c, 2*sec, "the leader to step down", func() bool { return c.Peer(3).State() == Looking && allAnswered(rs) })
	if rs[0].Err == zkdb.OK {
		t.Fatal("create succeeded without quorum")
	}
	z := rec0(c, 3)
	rec := record(c)
	var saw *Reply
	crashed, loggedAtCrash := false, false
	c.OnEvent(func(e *Event) {
		if e.Kind == EvState && e.Node == 3 && e.State == Leading && e.Phase == PhaseBroadcast && saw == nil {
			// The leader's client reads the node as soon as the leader serves (its
			// reconnection is forced here rather than left to the retry timer).
			c.At(c.Now(), func() {
				if zk.State() != ClientConnected {
					zk.connect(3)
				}
				zk.Submit(zkdb.Op{Type: zkdb.OpGetData, Path: "/uncommitted"}, false, func(r Reply) { saw = &r })
			})
		}
		if e.Kind == EvDeliver && e.Packet == UpToDate && e.Node == 2 && !crashed {
			crashed = true
			c.At(c.Now(), func() {
				loggedAtCrash = containsZxid(loggedZxids(c.Peer(2)), z)
				c.Crash(2)
			})
		}
	})
	c.Restart(2)
	waitFor(t, c, 5*sec, "follower 2 to crash at UPTODATE and the client's read", func() bool {
		return crashed && c.Peer(2).State() == Down && saw != nil
	})
	modes := rec.syncModes(2)
	if len(modes) != 1 || modes[0].Mode != SyncDiff || modes[0].N != 1 {
		t.Errorf("follower 2 synced by %v, want one DIFF carrying the create", modes)
	}
	if c.Peer(3).Disk().CurrentEpoch != 2 {
		t.Errorf("leader's epoch %d, want 2", c.Peer(3).Disk().CurrentEpoch)
	}
	if saw.Err != zkdb.OK || string(saw.Data) != "x" || saw.Server != 3 {
		t.Fatalf("the leader's client read /uncommitted: %s %q from %d, want x from 3", saw.Err.Name(), saw.Data, saw.Server)
	}
	if !loggedAtCrash {
		t.Errorf("follower 2 acked NEWLEADER without logging %s", z)
	}
	// Without the old leader.
	c.Crash(3)
	c.Restart(1)
	c.Restart(2)
	l = waitSettled(t, c, 5*sec)
	if l != 2 {
		t.Fatalf("leader %d, want 2 (highest epoch and zxid)", l)
	}
	assertNode(t, c, "/uncommitted", true, 1, 2)
	r := mustOK(t, c, c.NewClient(1, 2000), zkdb.Op{Type: zkdb.OpGetData, Path: "/uncommitted"})
	if string(r.Data) != "x" {
		t.Errorf("data %q", r.Data)
	}
	assertNoViolations(t, c)
}

// TestBehindLeader is QuorumZxidSyncTest.testBehindLeader: server 5 carries the data of an
// older ensemble that went through many epochs; the other four start from empty disks and
// elect in epoch 1 → server 5 (acceptedEpoch above the new leader's epoch) never comes up.
func TestBehindLeader(t *testing.T) {
	// The older cluster: crank up the epochs.
	old := newTestCluster(t, 5, 0, 58)
	restartAll := func() {
		for id := 1; id <= 5; id++ {
			old.Crash(id)
		}
		for id := 1; id <= 5; id++ {
			old.Restart(id)
		}
		waitSettled(t, old, 5*sec)
	}
	old.Start()
	waitSettled(t, old, 5*sec)
	mustOK(t, old, old.NewClient(0, 2000), opCreate("/0", ""))
	restartAll()
	restartAll()
	mustOK(t, old, old.NewClient(0, 2000), opCreate("/1", ""))
	restartAll()
	restartAll()
	waitSettled(t, old, 2*sec)
	assertNoViolations(t, old)
	oldDisk := old.Peer(5).Disk()
	if oldDisk.AcceptedEpoch < 5 {
		t.Fatalf("older ensemble reached only epoch %d", oldDisk.AcceptedEpoch)
	}
	// The new ensemble: 1–4 wiped, 5 with the older cluster's disk.
	c := newTestCluster(t, 5, 0, 59)
	c.peers[5].disk = oldDisk
	rec := record(c)
	for id := 1; id <= 4; id++ {
		c.Restart(id)
	}
	l := waitSettled(t, c, 5*sec)
	if c.Peer(l).Disk().CurrentEpoch != 1 {
		t.Fatalf("new ensemble epoch %d, want 1", c.Peer(l).Disk().CurrentEpoch)
	}
	c.Restart(5)
	cl := c.NewClient(5, 2000)
	c.RunFor(10 * sec)
	p5 := c.Peer(5)
	for _, e := range rec.states(5) {
		if e.Phase == PhaseBroadcast || e.Phase == PhaseSynchronization {
			t.Fatalf("server 5 came up: %s/%s %q", e.State, e.Phase, e.Reason)
		}
	}
	if p5.srv.serving || cl.Server() == 5 && cl.State() == ClientConnected {
		t.Error("server 5 serves clients")
	}
	refusals := 0
	for _, e := range rec.states(5) {
		if e.State == Looking && strings.Contains(e.Reason.String(), "less than my accepted epoch") {
			refusals++
		}
	}
	if refusals == 0 {
		t.Error("server 5 never refused the new leader's lower epoch")
	}
	if p5.Disk().AcceptedEpoch != oldDisk.AcceptedEpoch || !hasNode(c, 5, "/1") {
		t.Error("server 5's own data or epochs changed")
	}
	if c.Leader() != l || hasNode(c, l, "/0") {
		t.Errorf("leader %d (was %d); new ensemble has /0: %v", c.Leader(), l, hasNode(c, l, "/0"))
	}
	assertNoViolations(t, c)
}

// TestZxidRolloverThenRestart is ZxidRolloverTest.testRolloverThenRestart: the first
// leader's counter starts at 0xfffffffc; creates go on until the one that would need counter
// 0xffffffff fails with CONNECTIONLOSS; the leader steps down, a new epoch starts at counter
// 1, earlier nodes are kept, writes resume; all of this holds across full restarts.
func TestZxidRolloverThenRestart(t *testing.T) {
	c := newTestCluster(t, 3, 0, 60, func(cfg *Config) { cfg.StartCounter = 0xfffffffc })
	rec := record(c)
	c.Start()
	waitSettled(t, c, 5*sec)
	cl := c.NewClient(0, 2000)
	waitConnected(t, c, cl, 2*sec)
	created := 0
	createNodes := func(n int) (Zxid, zkdb.Err) {
		first := Zxid(0)
		for i := 0; i < n; i++ {
			r := doOp(t, c, cl, opCreate(fmt.Sprintf("/%d", created), ""), false)
			if r.Err != zkdb.OK {
				return first, r.Err
			}
			if first == 0 {
				first = r.TxnZxid
			}
			created++
		}
		return first, zkdb.OK
	}
	first, err := createNodes(10)
	if err != zkdb.ErrConnectionLoss {
		t.Fatalf("creates stopped with %s, want CONNECTIONLOSS", err.Name())
	}
	if first != mz(1, 0xfffffffd) || created != 2 {
		t.Errorf("first create %s, %d created before the rollover; want (1,0xfffffffd) and 2 (the session took 0xfffffffc)", first, created)
	}
	down := rec.filter(func(e *Event) bool {
		return e.Kind == EvState && e.State == Looking && strings.Contains(e.Reason.String(), "rolled over")
	})
	if len(down) != 1 {
		t.Errorf("rollover step-downs: %v", down)
	}
	for _, e := range rec.evs {
		if e.Kind == EvPropose && e.Zxid.Counter() == 0xffffffff {
			t.Errorf("proposed %s", e.Zxid)
		}
	}
	waitSettled(t, c, 5*sec)
	waitConnected(t, c, cl, 5*sec)
	first, err = createNodes(5)
	if err != zkdb.OK || first != mz(2, 1) {
		t.Errorf("after re-election: first create %s (%s), want (2,1)", first, err.Name())
	}
	for round := 3; round <= 4; round++ {
		for id := 1; id <= 3; id++ {
			c.Crash(id)
		}
		for id := 1; id <= 3; id++ {
			c.Restart(id)
		}
		waitSettled(t, c, 5*sec)
		for i := 0; i < created; i++ {
			assertNode(t, c, fmt.Sprintf("/%d", i), true)
		}
		waitConnected(t, c, cl, 5*sec)
		first, err = createNodes(3)
		if err != zkdb.OK || first != mz(uint32(round), 1) {
			t.Errorf("after full restart: first create %s (%s), want (%d,1)", first, err.Name(), round)
		}
	}
	waitSettled(t, c, 2*sec)
	for i := 0; i < created; i++ {
		assertNode(t, c, fmt.Sprintf("/%d", i), true)
	}
	assertNoViolations(t, c)
}

// TestEphemeralNodeDeletion is EphemeralNodeDeletionTest: a follower misses the closeSession
// of a session whose ephemeral it holds; after it is resynced (DIFF) the ephemeral is gone
// there too.
func TestEphemeralNodeDeletion(t *testing.T) {
	c := newTestCluster(t, 3, 0, 61)
	rec := record(c)
	c.Start()
	l := waitSettled(t, c, 5*sec)
	if l != 3 {
		t.Fatalf("leader %d, want 3", l)
	}
	owner := c.NewClient(2, 2000)
	mustOK(t, c, owner, zkdb.Op{Type: zkdb.OpCreate, Path: "/e1", Mode: zkdb.Ephemeral, ACL: zkdb.OpenACL})
	waitSettled(t, c, 2*sec)
	assertNode(t, c, "/e1", true)
	c.Partition([][]int{{1}, {2, 3}})
	owner.Close()
	waitFor(t, c, 2*sec, "the session to close", func() bool { return owner.State() == ClientClosed })
	c.RunFor(100 * ms)
	assertNode(t, c, "/e1", false, 2, 3)
	assertNode(t, c, "/e1", true, 1)
	mark := len(rec.evs)
	c.Heal()
	waitSettled(t, c, 5*sec)
	rec.evs = rec.evs[mark:]
	modes := rec.syncModes(1)
	if len(modes) != 1 || modes[0].Mode != SyncDiff || modes[0].N < 1 {
		t.Errorf("server 1 resynced by %v, want one DIFF carrying the closeSession", modes)
	}
	assertNode(t, c, "/e1", false)
	r := doOp(t, c, c.NewClient(1, 2000), zkdb.Op{Type: zkdb.OpExists, Path: "/e1"}, false)
	if r.Err != zkdb.ErrNoNode || r.Server != 1 {
		t.Errorf("exists /e1 on %d: %s, want NONODE from server 1", r.Server, r.Err.Name())
	}
	assertNoViolations(t, c)
}

// TestWatcherAutoReset is WatcherTest.testWatcherAutoReset: watches survive the client's
// server going away (setWatches on reconnect re-arms them); afterwards setData fires
// NodeDataChanged once, and creating child2 fires NodeCreated then NodeChildrenChanged; no
// duplicates, nothing else.
func TestWatcherAutoReset(t *testing.T) {
	c := newTestCluster(t, 3, 0, 62)
	c.Start()
	l := waitSettled(t, c, 5*sec)
	if l == 1 {
		t.Fatalf("leader 1: want a follower for the watcher")
	}
	setup := c.NewClient(l, 2000)
	mustOK(t, c, setup, opCreate("/watchtest", ""))
	mustOK(t, c, setup, opCreate("/watchtest/child", "v0"))
	waitSettled(t, c, 2*sec)
	w := c.NewClient(1, 2000)
	var got []string
	w.OnWatch = func(ev zkdb.WatchEvent) { got = append(got, ev.Type.String()+" "+ev.Path) }
	if r := doOp(t, c, w, zkdb.Op{Type: zkdb.OpExists, Path: "/watchtest/child"}, true); r.Err != zkdb.OK {
		t.Fatal(r.Err)
	}
	if r := doOp(t, c, w, zkdb.Op{Type: zkdb.OpGetData, Path: "/watchtest/child"}, true); r.Err != zkdb.OK {
		t.Fatal(r.Err)
	}
	if r := doOp(t, c, w, zkdb.Op{Type: zkdb.OpGetChildren, Path: "/watchtest"}, true); r.Err != zkdb.OK {
		t.Fatal(r.Err)
	}
	if r := doOp(t, c, w, zkdb.Op{Type: zkdb.OpExists, Path: "/watchtest/child2"}, true); r.Err != zkdb.ErrNoNode {
		t.Fatal(r.Err)
	}
	// The watcher's server goes away and comes back.
	c.Crash(1)
	waitFor(t, c, sec, "the client to notice", func() bool { return w.State() != ClientConnected })
	c.Restart(1)
	waitConnected(t, c, w, 5*sec)
	waitSettled(t, c, 5*sec)
	if len(got) != 0 {
		t.Fatalf("events on reconnect with nothing changed: %v", got)
	}
	mustOK(t, c, setup, opSet("/watchtest/child", "v1"))
	mustOK(t, c, setup, opCreate("/watchtest/child2", ""))
	waitSettled(t, c, 2*sec)
	c.RunFor(100 * ms)
	want := []string{"NodeDataChanged /watchtest/child", "NodeCreated /watchtest/child2", "NodeChildrenChanged /watchtest"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("watch events %v, want %v (reconnected to server %d)", got, want, w.Server())
	}
	// One-shot: further changes fire nothing.
	mustOK(t, c, setup, opSet("/watchtest/child", "v2"))
	mustOK(t, c, setup, opCreate("/watchtest/child3", ""))
	waitSettled(t, c, 2*sec)
	if len(got) != len(want) {
		t.Errorf("more events after the one-shot watches fired: %v", got[len(want):])
	}
	assertNoViolations(t, c)
}

// TestLeaderStepsDownOnQuorumLoss: a partition isolates the leader → within about syncLimit
// ticks it goes LOOKING ("not sufficient followers synced, only synced with sids: [5]"); the
// majority elects a new leader in a higher epoch; a write sent to the old leader meanwhile
// fails and is never seen; after healing the old leader follows.
func TestLeaderStepsDownOnQuorumLoss(t *testing.T) {
	c := newTestCluster(t, 5, 0, 63)
	rec := record(c)
	c.Start()
	l := waitSettled(t, c, 5*sec)
	if l != 5 {
		t.Fatalf("leader %d, want 5", l)
	}
	cl := c.NewClient(5, 2000)
	waitConnected(t, c, cl, sec)
	cut := c.Now()
	c.Partition([][]int{{5}, {1, 2, 3, 4}})
	rs := submitAll(cl, []zkdb.Op{opCreate("/lost", "")})
	waitFor(t, c, 2*sec, "the leader to step down", func() bool { return c.Peer(5).State() == Looking })
	st := rec.states(5)
	last := st[len(st)-1]
	if last.Reason.String() != "not sufficient followers synced, only synced with sids: [5]" {
		t.Errorf("stepped down because %q", last.Reason)
	}
	tm := c.Config().Timing
	if d := last.TimeUs - cut; d < c.msUs(tm.SyncLimit*tm.TickTimeMs) || d > c.msUs((tm.SyncLimit+2)*tm.TickTimeMs) {
		t.Errorf("stepped down %d ms after the cut, want between syncLimit and syncLimit+2 ticks", d/1000)
	}
	waitFor(t, c, 3*sec, "a new leader", func() bool { return c.Leader() != 0 && c.Leader() != 5 })
	nl := c.Leader()
	if nl != 4 || c.Peer(4).Disk().CurrentEpoch != 2 {
		t.Errorf("new leader %d in epoch %d, want 4 in epoch 2", nl, c.Peer(nl).Disk().CurrentEpoch)
	}
	if !allAnswered(rs) || rs[0].Err != zkdb.ErrConnectionLoss {
		t.Errorf("write to the isolated leader: %v, want CONNECTIONLOSS", rs[0])
	}
	c.Heal()
	waitSettled(t, c, 5*sec)
	if c.Leader() != 4 || c.Peer(5).State() != Following {
		t.Errorf("after healing: leader %d, server 5 %s", c.Leader(), c.Peer(5).State())
	}
	for id := 1; id <= 5; id++ {
		if d := c.Peer(id).Disk(); d.AcceptedEpoch != 2 || d.CurrentEpoch != 2 {
			t.Errorf("server %d: acc=%d cur=%d, want 2/2", id, d.AcceptedEpoch, d.CurrentEpoch)
		}
	}
	assertNode(t, c, "/lost", false)
	assertNoViolations(t, c)
}

// ---------------------------------------------------------------------------------------
// Determinism and randomized runs

// scripted runs a fixed scenario (crashes, partitions, clients) and returns the digest and
// event count.
func scripted(t *testing.T, seed int64) (uint64, uint64) {
	c := newTestCluster(t, 5, 1, seed)
	c.Start()
	var cls []*Client
	for i := 0; i < 3; i++ {
		cls = append(cls, c.NewClient(0, 2000))
	}
	for i := 0; i < 40; i++ {
		i := i
		c.At(int64(i)*100*ms+500*ms, func() {
			cls[i%3].Submit(opCreate(fmt.Sprintf("/n%d", i), "x"), false, nil)
		})
	}
	c.At(1500*ms, func() { c.Crash(c.Leader()) })
	c.At(2000*ms, func() { c.Partition([][]int{{1, 2}, {3, 4, 5, 6}}) })
	c.At(3000*ms, func() { c.Heal() })
	c.At(3200*ms, func() { c.Start() })
	c.RunUntil(6 * sec)
	assertNoViolations(t, c)
	return c.Digest(), c.Stats().Events
}

// TestDeterminism: the same seed gives the same event log (digest and event count); another
// seed gives another.
func TestDeterminism(t *testing.T) {
	d1, n1 := scripted(t, 5)
	d2, n2 := scripted(t, 5)
	if d1 != d2 || n1 != n2 {
		t.Errorf("same seed: digests %x/%x, events %d/%d", d1, d2, n1, n2)
	}
	d3, _ := scripted(t, 6)
	if d3 == d1 {
		t.Errorf("seeds 5 and 6 gave the same digest %x", d1)
	}
	o := CheckOptions{Voters: 5, Observers: 1, Seed: 77}
	r1, r2 := RunCheck(o), RunCheck(o)
	if r1.Digest != r2.Digest || r1.Events != r2.Events || fmt.Sprint(r1.Schedule) != fmt.Sprint(r2.Schedule) {
		t.Errorf("RunCheck seed 77 twice: digests %x/%x, events %d/%d", r1.Digest, r2.Digest, r1.Events, r2.Events)
	}
	o.Seed = 78
	if r3 := RunCheck(o); r3.Digest == r1.Digest {
		t.Errorf("RunCheck seeds 77 and 78 gave the same digest")
	}
}

func describeRun(r RunResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d (%d voters, %d observers): %d violations, %d committed\n", r.Seed, r.Voters, r.Observers, r.Count, r.Committed)
	for i, v := range r.Violations {
		if i == 3 {
			break
		}
		fmt.Fprintf(&b, "  %s\n", v)
	}
	fmt.Fprintf(&b, "  schedule:\n    %s", strings.Join(r.Schedule, "\n    "))
	return b.String()
}

// TestSeedSweep runs randomized fault schedules over 3, 5 and 7 voters with 0–2 observers
// and requires the checker to stay silent.
func TestSeedSweep(t *testing.T) {
	n := int64(240)
	if testing.Short() {
		n = 60
	}
	failed := 0
	for s := int64(1); s <= n; s++ {
		voters := []int{3, 5, 7}[s%3]
		observers := int(s/3) % 3
		r := RunCheck(CheckOptions{Voters: voters, Observers: observers, Seed: s})
		if r.Count > 0 {
			failed++
			if failed <= 3 {
				t.Errorf("%s", describeRun(r))
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d seeds failed", failed, n)
	}
}

// TestBugsCaught: each teaching bug is caught by the checker on some seed.
func TestBugsCaught(t *testing.T) {
	limit := int64(300)
	for _, b := range Bugs() {
		b := b
		t.Run(string(b), func(t *testing.T) {
			for s := int64(1); s <= limit; s++ {
				voters := []int{3, 5}[s%2]
				r := RunCheck(CheckOptions{Voters: voters, Seed: s, Bug: b})
				if r.Count > 0 {
					t.Logf("caught at seed %d (%d voters): %s", s, voters, r.Violations[0])
					return
				}
			}
			t.Errorf("bug %s not caught in %d seeds", b, limit)
		})
	}
}

// TestCommittedIsWhatTheServerKnows: a leader cut off in a minority logs proposals nobody
// acks; when it gives up it fast-forwards its tree over them (ZooKeeper does), so what it
// processed runs ahead of what it knows to be committed. The view's lastCommittedZxid is the
// latter (the proposals never committed, as the Split brain lesson teaches) and
// lastProcessedZxid the former; after it rejoins and is truncated both agree again.
func TestCommittedIsWhatTheServerKnows(t *testing.T) {
	c, _, committed := truncateSetup(t, 41)
	v := c.View(nil).Nodes[2]
	if v.LastCommittedZxid != committed {
		t.Errorf("server 3 (LOOKING, cut off) shows committed %s, want %s: its own proposals never committed", v.LastCommittedZxid, committed)
	}
	if v.LastProcessedZxid != committed+50 {
		t.Errorf("server 3 processed %s, want %s (fast-forwarded over its 50 proposals)", v.LastProcessedZxid, committed+50)
	}
	c.Heal()
	waitFor(t, c, 10*sec, "server 3 to rejoin", func() bool { return settled(c) && c.Peer(3).State() == Following })
	v = c.View(nil).Nodes[2]
	if v.LastCommittedZxid != v.LastProcessedZxid || v.LastProcessedZxid != committed {
		t.Errorf("after TRUNC: committed %s, processed %s, want both %s", v.LastCommittedZxid, v.LastProcessedZxid, committed)
	}
	c.Crash(3)
	c.Restart(3)
	if v := c.View(nil).Nodes[2]; v.LastCommittedZxid != 0 {
		t.Errorf("a restarted server shows committed %s before it synced, want 0 (it knows none yet)", v.LastCommittedZxid)
	}
}
