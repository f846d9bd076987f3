package zkdb

import "testing"

// Persistent and recursive watches (addWatch, ZooKeeper 3.8): they fire on every change
// and stay; a recursive one covers the subtree but not child-list changes; removeWatches and
// checkWatches answer NOWATCHER when there is nothing to remove.
func TestPersistentWatches(t *testing.T) {
	tr := NewDataTree()
	zx := Zxid(0)
	apply := func(op Op) []WatchEvent {
		zx++
		res, evs := tr.Apply(&Txn{Zxid: zx, Op: op})
		if res.Err != OK {
			t.Fatalf("%v %s: %v", op.Type, op.Path, res.Err)
		}
		return evs
	}
	if err := tr.AddWatch("/a", AddWatchPersistent, 7); err != OK {
		t.Fatal(err)
	}
	if err := tr.AddWatch("/a", AddWatchPersistentRecursive, 8); err != OK {
		t.Fatal(err)
	}
	got := func(evs []WatchEvent) []WatchEvent { return evs }
	evs := got(apply(Op{Type: OpCreate, Path: "/a", ACL: OpenACL}))
	if len(evs) != 2 || evs[0].Watcher != 7 || evs[1].Watcher != 8 || evs[0].Type != EventNodeCreated {
		t.Fatalf("create /a: %v", evs)
	}
	evs = apply(Op{Type: OpSetData, Path: "/a", Data: []byte("x"), Version: -1})
	if len(evs) != 2 {
		t.Fatalf("the watches did not stay: %v", evs)
	}
	evs = apply(Op{Type: OpCreate, Path: "/a/b", ACL: OpenACL})
	// /a's persistent watch sees the child list change; the recursive one sees /a/b created.
	want := map[int64]EventType{7: EventNodeChildrenChanged, 8: EventNodeCreated}
	if len(evs) != 2 {
		t.Fatalf("create /a/b: %v", evs)
	}
	for _, e := range evs {
		if want[e.Watcher] != e.Type {
			t.Fatalf("create /a/b: %v", evs)
		}
	}
	if err := tr.CheckWatches("/a", WatcherPersistent, 7); err != OK {
		t.Fatalf("checkWatches: %v", err)
	}
	if err := tr.RemoveWatches("/a", WatcherPersistent, 7); err != OK {
		t.Fatalf("removeWatches: %v", err)
	}
	if err := tr.RemoveWatches("/a", WatcherPersistent, 7); err != ErrNoWatcher {
		t.Fatalf("removing twice: %v, want NOWATCHER", err)
	}
	evs = apply(Op{Type: OpDelete, Path: "/a/b", Version: -1})
	if len(evs) != 1 || evs[0].Watcher != 8 || evs[0].Type != EventNodeDeleted || evs[0].Path != "/a/b" {
		t.Fatalf("delete /a/b: %v", evs)
	}
	if tr.WatchCount() != 1 {
		t.Fatalf("watch count %d", tr.WatchCount())
	}
}
