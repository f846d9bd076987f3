package check

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/zkdb"
)

const sec = int64(1_000_000)

// newTestCluster builds a cluster with FastTiming (tickTime 100 ms, initLimit 10, syncLimit 5).
func newTestCluster(t *testing.T, voters, observers int, seed int64, mods ...func(*engine.Config)) *engine.Cluster {
	t.Helper()
	cfg := engine.DefaultConfig(voters, observers, seed)
	cfg.Timing = engine.FastTiming()
	for _, m := range mods {
		m(&cfg)
	}
	c, err := engine.NewCluster(cfg)
	if err != nil {
		t.Fatalf("NewCluster: %v", err)
	}
	return c
}

// checkerOf is the cluster's checker, this package's.
func checkerOf(c *engine.Cluster) *Checker { return c.Checker().(*Checker) }

// waitSettled waits for one established leader with every server following it at its zxid
// (every server of these tests is running, so Converged is engine's settled).
func waitSettled(t *testing.T, c *engine.Cluster, limitUs int64) int {
	t.Helper()
	if !c.RunUntilCond(limitUs, c.Converged) {
		t.Fatalf("t=%.3fs: the servers did not settle behind one leader within %.1fs", float64(c.Now())/1e6, float64(limitUs)/1e6)
	}
	return c.Leader()
}

// mustOK runs op and fails the test unless it succeeds.
func mustOK(t *testing.T, c *engine.Cluster, cl *engine.Client, op zkdb.Op) {
	t.Helper()
	var got *engine.Reply
	cl.Submit(op, false, func(r engine.Reply) { rr := r; got = &rr })
	if !c.RunUntilCond(10*sec, func() bool { return got != nil }) {
		t.Fatalf("no answer to %s %s", op.Type, op.Path)
	}
	if got.Err != zkdb.OK {
		t.Fatalf("%s %s: %s", op.Type, op.Path, got.Err.Name())
	}
}

func opCreate(path, data string) zkdb.Op {
	return zkdb.Op{Type: zkdb.OpCreate, Path: path, Data: []byte(data), ACL: zkdb.OpenACL}
}

// writeLoad keeps n clients each writing one znode after another, until stopped.
type writeLoad struct {
	c       *engine.Cluster
	stopped bool
}

func startWriteLoad(c *engine.Cluster, n int) *writeLoad {
	w := &writeLoad{c: c}
	for i := 0; i < n; i++ {
		cl := c.NewClient(0, 4000)
		path := fmt.Sprintf("/w%d", i)
		var next func(engine.Reply)
		next = func(engine.Reply) {
			if w.stopped || cl.State() == engine.ClientExpired || cl.State() == engine.ClientClosed {
				return
			}
			c.At(c.Now()+200, func() { // not from inside the callback: it may run during a crash
				cl.Submit(zkdb.Op{Type: zkdb.OpSetData, Path: path, Data: []byte("x"), Version: -1}, false, next)
			})
		}
		cl.Submit(zkdb.Op{Type: zkdb.OpCreate, Path: path, ACL: zkdb.OpenACL}, false, next)
	}
	return w
}

// bigRun commits 50,000 txns on 3 voters while the leader is crashed (and restarted) at
// every 9,000 commits: new leaders' logs then reach back before the checker's compaction
// point (issue 11 item 1: 4,502 false Agreement violations after one leader crash at 9,000).
func bigRun(t *testing.T) (*engine.Cluster, *writeLoad, int) {
	t.Helper()
	c := newTestCluster(t, 3, 0, 11)
	c.Start()
	waitSettled(t, c, 5*sec)
	w := startWriteLoad(c, 6)
	changes := 0
	for target := 9000; target <= 45000; target += 9000 {
		if !c.RunUntilCond(600*sec, func() bool { return c.Checker().Committed() >= target && c.Leader() != 0 }) {
			t.Fatalf("stuck at %d committed txns (wanted %d)", c.Checker().Committed(), target)
		}
		l := c.Leader()
		c.Crash(l)
		c.RunUntilCond(10*sec, func() bool { return c.Leader() != 0 && c.Leader() != l })
		if c.Leader() == 0 || c.Leader() == l {
			t.Fatalf("no new leader after crashing %d", l)
		}
		changes++
		c.Restart(l)
	}
	if !c.RunUntilCond(600*sec, func() bool { return c.Checker().Committed() >= 50000 }) {
		t.Fatalf("stuck at %d committed txns", c.Checker().Committed())
	}
	return c, w, changes
}

func TestCheckerCompactionKeepsJudging(t *testing.T) {
	if testing.Short() {
		t.Skip("50,000 txns")
	}
	c, w, changes := bigRun(t)
	k := checkerOf(c)
	if k.Count() != 0 {
		t.Fatalf("%d violations, first %v", k.Count(), k.Violations()[0])
	}
	if changes < 4 || k.Committed() < 50000 || k.base == 0 || len(k.old) == 0 {
		t.Fatalf("leader changes %d, committed %d, canon base %d, compact record %d: the run did not exercise compaction",
			changes, k.Committed(), k.base, len(k.old))
	}
	if len(k.old) > 10000 || k.trimmedTo == 0 {
		t.Fatalf("the compact record holds %d txns (trimmed to %s): it must keep only what servers can still present", len(k.old), k.trimmedTo)
	}

	// A real divergence in the compacted region is still caught: when a server's history
	// (what a new leader would bring) reaches before the compaction point, forge a different
	// txn there and let the checker judge it as a new leader's history.
	var p *engine.Peer
	victim := -1
	lastBase := k.base
	found := c.RunUntilCond(120*sec, func() bool {
		if k.base == lastBase || c.Leader() == 0 {
			return false
		}
		lastBase = k.base
		q := c.Peer(c.Leader())
		snapZ := q.Disk().NewestSnapZxid()
		for i, tx := range q.Disk().Log() {
			if pos, ok := k.index(tx.Zxid); ok && tx.Zxid > snapZ && pos < k.base {
				p, victim = q, i
				return true
			}
		}
		return false
	})
	w.stopped = true
	if !found || k.Count() != 0 {
		t.Fatalf("no server's history reached the compacted prefix (found %v), or %d violations", found, k.Count())
	}
	log := p.Disk().Log()
	forged := *log[victim]
	forged.Op.Data = []byte("forged")
	log[victim] = &forged // the test, not the checker, writes to the server's log
	epoch, _, _, _ := p.Leadership()
	k.leaderEstablished(p, epoch)
	if k.Count() == 0 || k.Violations()[0].Invariant != "Agreement" || !strings.Contains(k.Violations()[0].Detail.String(), forged.Zxid.String()) {
		t.Fatalf("a forged txn %s in the compacted region was not reported: %v", forged.Zxid, k.Violations())
	}
}

// TestSnapGhostTravelsInTheCheckersTables: a new leader whose tree holds txns it has not
// committed yet (replayed from its log at startup) sends a SNAP to an empty server during
// synchronization. The checker, not the SNAP, remembers those txns: by the SNAP's message
// id, then by (server, snapshot zxid) once the server installs it at NEWLEADER.
func TestSnapGhostTravelsInTheCheckersTables(t *testing.T) {
	mod := func(cfg *engine.Config) { cfg.SnapCount, cfg.CommitLogCount, cfg.ShortCommitLog = 5, 5, true }
	c := newTestCluster(t, 3, 0, 2, mod)
	c.Start()
	l := waitSettled(t, c, 5*sec)
	f1, f2 := l%3+1, (l+1)%3+1
	cl := c.NewClient(l, 20000)
	for i := 0; i < 30; i++ {
		mustOK(t, c, cl, opCreate(fmt.Sprintf("/c%d", i), ""))
	}
	c.Crash(f1)
	c.Crash(f2)
	for i := 0; i < 3; i++ {
		cl.Submit(opCreate(fmt.Sprintf("/u%d", i), ""), false, nil)
	}
	c.RunFor(50_000)
	uncommitted := c.Peer(l).LastLoggedZxid()
	c.Crash(l)
	// f2 lost its disk: it can only be synced by SNAP. A fresh cluster of the same
	// configuration lends it a new, empty disk.
	fresh := newTestCluster(t, 3, 0, 2, mod)
	*c.Peer(f2).Disk() = *fresh.Peer(f2).Disk()
	k := checkerOf(c)
	var snapSent bool
	c.OnEvent(func(e *engine.Event) {
		if e.Kind == engine.EvSend && e.Packet == engine.Snap && e.Peer == f2 {
			snapSent = true
			if g := k.sentSnap[e.MsgID]; len(g) != 3 || g[2].Zxid != uncommitted {
				t.Errorf("ghost of the SNAP in flight: %d txns, want the 3 uncommitted up to %s", len(g), uncommitted)
			}
		}
	})
	for _, id := range []int{l, f1, f2} {
		c.Restart(id)
	}
	if got := waitSettled(t, c, 20*sec); got != l {
		t.Fatalf("leader %d, want %d (it has the longest log)", got, l)
	}
	if !snapSent {
		t.Fatal("the empty server was not synced by SNAP")
	}
	snaps := c.Peer(f2).Disk().SnapshotZxids()
	if g := k.ghosts[f2][snaps[len(snaps)-1]]; len(g) != 3 || g[2].Zxid != uncommitted {
		t.Fatalf("server %d's installed snapshot at %s: ghost of %d txns, want the 3 uncommitted up to %s", f2, snaps[len(snaps)-1], len(g), uncommitted)
	}
	if k.Count() != 0 {
		t.Fatalf("violations: %v", k.Violations())
	}
}
