package engine

import (
	"testing"

	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

// TestContainerManager (ZooKeeper's ContainerManagerTest, in simulated time): the leader
// checks every znode.container.checkIntervalMs and deletes, through the quorum, an empty
// container that has had a child and an empty TTL node older than its ttl; every server
// applies the deletions, and the proposals carry their reasons. Same seed, same log.
func TestContainerManager(t *testing.T) {
	run := func() (uint64, []Event) {
		c := newTestCluster(t, 3, 0, 7, func(cfg *Config) { cfg.ExtendedTypes, cfg.ContainerCheckIntervalMs = true, 1000 })
		r := record(c)
		c.Start()
		waitLeader(t, c, 10*sec)
		cl := c.NewClient(1, 4000)
		waitConnected(t, c, cl, 10*sec)
		mustOK(t, c, cl, zkdb.Op{Type: zkdb.OpCreateTTL, Path: "/t", ACL: zkdb.OpenACL, Mode: zkdb.PersistentWithTTL, TTL: 2500})
		mustOK(t, c, cl, zkdb.Op{Type: zkdb.OpCreateContainer, Path: "/c", ACL: zkdb.OpenACL, Mode: zkdb.Container})
		mustOK(t, c, cl, opCreate("/c/x", ""))
		mustOK(t, c, cl, zkdb.Op{Type: zkdb.OpDelete, Path: "/c/x", Version: -1})
		created := c.Now()
		c.RunFor(1500 * ms)
		assertNode(t, c, "/t", true)
		waitFor(t, c, 5*sec, "the reaper", func() bool { return !hasNode(c, 1, "/t") && !hasNode(c, 2, "/t") && !hasNode(c, 3, "/t") })
		if age := c.Now() - created; age < 2500*ms {
			t.Fatalf("/t deleted %d ms after it was created, before its ttl", age/ms)
		}
		c.RunFor(sec)
		assertNode(t, c, "/c", false)
		assertNoViolations(t, c)
		return c.Digest(), r.filter(func(e *Event) bool { return e.Kind == EvPropose && !e.Reason.IsZero() })
	}
	d1, reaps := run()
	if len(reaps) != 2 || reaps[0].Path != "/c" || reaps[0].Reason.Code != reason.ReapContainer ||
		reaps[1].Path != "/t" || reaps[1].Reason.Code != reason.ReapTTL || reaps[1].Op != zkdb.OpDeleteContainer {
		t.Fatalf("reaping proposals %+v", reaps)
	}
	if d2, _ := run(); d1 != d2 {
		t.Fatal("same seed, different event log")
	}
}

// TestReadOnlyMode (ZooKeeper's ReadOnlyModeTest, in simulated time): with
// readonlymode.enabled a server cut off from the quorum, still LOOKING after
// max(2000 ms, tickTime), serves read-only clients; a client that did not ask for read-only is
// refused there; when the partition heals and the server follows again, it stops.
func TestReadOnlyMode(t *testing.T) {
	c := newTestCluster(t, 3, 0, 5, func(cfg *Config) { cfg.ReadOnlyMode = true })
	r := record(c)
	c.Start()
	leader := waitSettled(t, c, 10*sec)
	lone := leader%3 + 1
	others := allBut(3, lone)
	c.Partition([][]int{others, {lone}})
	waitFor(t, c, 5*sec, "the lone server to look", func() bool { return c.Peer(lone).State() == Looking })
	lookedAt := c.Now()
	waitFor(t, c, 5*sec, "the read-only server", func() bool { return c.Peer(lone).ReadOnly() })
	if d := c.Now() - lookedAt; d < 2000*ms {
		t.Fatalf("read-only after %d ms of LOOKING, before the 2 s grace period", d/ms)
	}
	if ev := r.filter(func(e *Event) bool { return e.Kind == EvState && e.Reason.Code == reason.StateReadOnly }); len(ev) != 1 || ev[0].Node != lone {
		t.Fatalf("read-only state events %+v", ev)
	}
	cl := c.NewClient(lone, 4000)
	c.RunFor(500 * ms)
	if cl.State() == ClientConnected && cl.Server() == lone {
		t.Fatal("a read-write client got a session at the read-only server")
	}
	c.Heal()
	waitFor(t, c, 10*sec, "the lone server to follow", func() bool { return c.Peer(lone).State() == Following })
	if c.Peer(lone).ReadOnly() {
		t.Fatal("still read-only while following")
	}
	assertNoViolations(t, c)
}
