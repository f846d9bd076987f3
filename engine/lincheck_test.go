package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/zablab/zablab/engine/zkdb"
)

// TestLincheckTimeoutIsUnknown: a history porcupine cannot decide in time is "unknown",
// neither a pass nor a violation.
func TestLincheckTimeoutIsUnknown(t *testing.T) {
	c := newTestCluster(t, 3, 0, 1)
	w := &workload{c: c}
	// 26 writes that never answered, then a read of a value nobody wrote: deciding that no
	// order of the pending writes explains it takes exponential time.
	for i := 0; i < 26; i++ {
		w.hist = append(w.hist, histOp{client: int64(i + 1), key: "/k", write: true, value: fmt.Sprintf("v%d", i), callUs: 1, retUs: -1})
	}
	w.hist = append(w.hist, histOp{client: 99, key: "/k", callUs: 10, retUs: 11, outcome: "never-written"})
	old := linTimeout
	linTimeout = 20 * time.Millisecond
	defer func() { linTimeout = old }()
	unknown, known := w.checkLinearizable()
	if !unknown || len(known) != 0 || c.checker.Count() != 0 {
		t.Fatalf("unknown %v, known %v, violations %d: want unknown only", unknown, known, c.checker.Count())
	}
	// With time to decide, the same history is a violation.
	linTimeout = time.Minute
	w.hist = append(w.hist[:3], w.hist[26:]...)
	if unknown, _ := w.checkLinearizable(); unknown || c.checker.Count() != 1 || c.checker.Violations()[0].Invariant != "Linearizability" {
		t.Fatalf("unknown %v, violations %v: want one Linearizability violation", unknown, c.checker.Violations())
	}
}

// staleSyncReadRun: leader l of 3 voters is cut off from the others at offsetMs into a tick;
// client A keeps doing sync()+getData at l, client B keeps writing at a follower. It returns
// the workload once B's write is committed and l has stepped down.
func staleSyncReadRun(t *testing.T, offsetMs int64) (*Cluster, *workload) {
	t.Helper()
	c := newTestCluster(t, 3, 0, 3)
	c.Start()
	l := waitSettled(t, c, 5*sec)
	w := &workload{c: c, keys: []string{"/k"}}
	a := c.NewClient(l, 4000) // reads at the old leader
	w.hist = append(w.hist, histOp{client: a.ID(), key: "/k", write: true, value: "init", callUs: c.now})
	a.Submit(zkdb.Op{Type: zkdb.OpCreate, Path: "/k", Data: []byte("init"), ACL: zkdb.OpenACL}, false, func(r Reply) { w.finish(0, r) })
	waitFor(t, c, 2*sec, "the create", func() bool { return w.hist[0].retUs != 0 })
	c.RunFor(offsetMs * 1000)
	rest := allBut(3, l)
	c.Partition([][]int{{l}, rest})
	// The majority elects a new leader; a client of it writes at once, while the old leader
	// has not yet noticed that it lost its quorum.
	waitFor(t, c, 5*sec, "a new leader", func() bool { nl := c.Leader(); return nl != 0 && nl != l })
	b := c.NewPinnedClient(c.Leader(), 4000)
	w.hist = append(w.hist, histOp{client: b.ID(), key: "/k", write: true, value: "new", callUs: c.now})
	wi := len(w.hist) - 1
	b.Submit(zkdb.Op{Type: zkdb.OpSetData, Path: "/k", Data: []byte("new"), Version: -1}, false, func(r Reply) { w.finish(wi, r) })
	// Meanwhile, sync() then read at the old leader, every millisecond.
	end := c.now + 50_000
	var read func()
	read = func() {
		if c.now > end {
			return
		}
		w.hist = append(w.hist, histOp{client: a.ID(), key: "/k", callUs: c.now})
		ri := len(w.hist) - 1
		a.Submit(zkdb.Op{Type: zkdb.OpSync, Path: "/k"}, false, nil)
		a.Submit(zkdb.Op{Type: zkdb.OpGetData, Path: "/k"}, false, func(r Reply) {
			w.finish(ri, r)
			c.At(c.now+1000, read)
		})
	}
	read()
	c.RunFor(2 * sec)
	return c, w
}

// TestStaleSyncReadIsAKnownWindow (issue 11 item 2): an isolated old leader answers
// sync()+read from its own data until it notices, within syncLimit+1 ticks, that it lost its
// quorum; meanwhile the new leader commits a write. Real ZooKeeper does the same
// (ZOOKEEPER-1675): the checker names it StaleSyncRead and does not count a violation.
func TestStaleSyncReadIsAKnownWindow(t *testing.T) {
	for off := int64(0); off < 100; off += 10 {
		c, w := staleSyncReadRun(t, off)
		if v, _ := checkKVHistory(w.hist, nil); v != linIllegal {
			continue // no stale read at this offset
		}
		stale := 0
		for _, h := range w.hist {
			if !h.write && h.oldEpoch {
				stale++
			}
		}
		unknown, known := w.checkLinearizable()
		if unknown || c.checker.Count() != 0 || len(known) != 1 || known[0].Invariant != StaleSyncRead || stale == 0 {
			t.Fatalf("offset %d ms: unknown %v, violations %v, known %v, %d reads in the window: want exactly StaleSyncRead",
				off, unknown, c.checker.Violations(), known, stale)
		}
		t.Logf("offset %d ms: %s", off, known[0].Detail)
		return
	}
	t.Fatal("no offset produced a stale sync()+read at the old leader")
}
