package zkdb

import (
	"reflect"
	"testing"
)

func FuzzApply(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 2, 0, 1, 0, 0, 0, 0, 3, 1})
	f.Add([]byte{1, 7, 5, 1, 9, 1, 1, 9, 3, 1, 10, 1, 0, 1, 1, 8, 2, 6, 3, 0, 0, 1, 0, 2, 1, 0, 1, 3})
	f.Add([]byte("create sessions, ephemerals, multis and watches; then close them all again"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkRun(t, decodeSteps(b, 64))
	})
}

// checkRun applies steps to a tree, with a clone taken halfway following along, and checks
// after every step: consistency, that a failed write changed nothing, that watch events
// name registered watchers; at the end, equal digests for the tree, the clone and a replay
// from scratch, and that the clone's snapshot was not disturbed.
func checkRun(t *testing.T, steps []step) {
	t.Helper()
	tree := NewDataTree()
	var clone, snapshot *DataTree
	var snapshotDigest uint64
	var txns []*Txn
	for i, s := range steps {
		if i == len(steps)/2 {
			clone = tree.Clone()
			snapshot = tree.Clone()
			snapshotDigest = snapshot.Digest()
			if clone.Digest() != tree.Digest() {
				t.Fatalf("step %d: clone digest differs", i)
			}
		}
		if s.txn == nil {
			checkEvents(t, i, doRead(tree, s))
			continue
		}
		txns = append(txns, s.txn)
		before := tree.Digest()
		res, evs := tree.Apply(s.txn)
		if err := tree.CheckConsistency(); err != nil {
			t.Fatalf("step %d (%v %s): %v", i, s.txn.Op.Type, s.txn.Op.Path, err)
		}
		if res.FirstErr() != OK && tree.Digest() != before {
			t.Fatalf("step %d: failed %v (%v) changed the tree", i, s.txn.Op.Type, res.FirstErr())
		}
		if res.FirstErr() != OK && len(evs) > 0 {
			t.Fatalf("step %d: failed %v fired %v", i, s.txn.Op.Type, evs)
		}
		checkEvents(t, i, evs)
		if clone != nil {
			cres, cevs := clone.Apply(s.txn)
			if !reflect.DeepEqual(cres, res) {
				t.Fatalf("step %d: clone result %+v, tree %+v", i, cres, res)
			}
			if len(cevs) != 0 {
				t.Fatalf("step %d: clone fired %v without watches", i, cevs)
			}
		}
	}
	replay := NewDataTree()
	for _, txn := range txns {
		replay.Apply(txn)
	}
	if replay.Digest() != tree.Digest() || replay.LastProcessedZxid() != tree.LastProcessedZxid() {
		t.Fatal("replay from scratch differs")
	}
	if clone != nil {
		if clone.Digest() != tree.Digest() || clone.LastProcessedZxid() != tree.LastProcessedZxid() {
			t.Fatal("clone differs from tree after the same txns")
		}
		if err := clone.CheckConsistency(); err != nil {
			t.Fatal(err)
		}
		if snapshot.Digest() != snapshotDigest {
			t.Fatal("applying to the tree and a clone changed another clone")
		}
	}
}

func checkEvents(t *testing.T, i int, evs []WatchEvent) {
	t.Helper()
	for _, e := range evs {
		if e.Watcher < 1 || e.Watcher > 3 || e.Type < EventNodeCreated || e.Type > EventNodeChildrenChanged {
			t.Fatalf("step %d: bad event %+v", i, e)
		}
	}
}
