package zkdb

import "testing"

func TestWatchTriggers(t *testing.T) {
	f := newFixture(t)
	f.must(0, create("/p", ""))

	// exists sets a data watch even when the node is missing; create fires NodeCreated on
	// the path, then NodeChildrenChanged on the parent.
	if _, err := f.tree.Exists("/p/n", 1); err != ErrNoNode {
		t.Fatal(err)
	}
	f.tree.GetChildren("/p", 2)
	_, evs := f.must(0, create("/p/n", ""))
	expectEvents(t, evs, ev(1, EventNodeCreated, "/p/n"), ev(2, EventNodeChildrenChanged, "/p"))
	// One-shot: nothing fires the second time.
	_, evs = f.must(0, create("/p/m", ""))
	expectEvents(t, evs)

	// getData and getChildren on a missing node set no watch.
	if _, _, err := f.tree.GetData("/nope", 3); err != ErrNoNode {
		t.Fatal(err)
	}
	if _, _, err := f.tree.GetChildren("/nope", 3); err != ErrNoNode {
		t.Fatal(err)
	}
	if f.tree.WatchCount() != 0 {
		t.Fatalf("%d watches set on a missing node", f.tree.WatchCount())
	}
	_, evs = f.must(0, create("/nope", ""))
	expectEvents(t, evs)

	// setData fires NodeDataChanged for exists and getData watches, not child watches.
	f.tree.GetData("/p/n", 5)
	f.tree.Exists("/p/n", 3)
	f.tree.GetChildren("/p/n", 4)
	f.tree.GetChildren("/p", 6)
	_, evs = f.must(0, setData("/p/n", "x", -1))
	expectEvents(t, evs, ev(3, EventNodeDataChanged, "/p/n"), ev(5, EventNodeDataChanged, "/p/n"))
	// A failed write fires nothing and keeps the watches.
	f.expectErr(0, setData("/p/n", "y", 0), ErrBadVersion)

	// delete fires NodeDeleted for data and child watchers on the path (each watcher once),
	// then NodeChildrenChanged on the parent.
	f.tree.GetData("/p/n", 4) // watcher 4 now has a data and a child watch on /p/n
	_, evs = f.must(0, del("/p/n", -1))
	expectEvents(t, evs, ev(4, EventNodeDeleted, "/p/n"), ev(6, EventNodeChildrenChanged, "/p"))
	if f.tree.WatchCount() != 0 {
		t.Fatalf("%d watches left", f.tree.WatchCount())
	}

	// Children changes of a child's child and a child's data do not fire the parent's watch.
	f.must(0, create("/p/n", ""))
	f.tree.GetChildren("/p", 7)
	f.must(0, create("/p/n/deep", ""))
	_, evs = f.must(0, setData("/p/n", "z", -1))
	expectEvents(t, evs)
	_, evs = f.must(0, del("/p/n/deep", -1))
	expectEvents(t, evs)
	_, evs = f.must(0, del("/p/n", -1))
	expectEvents(t, evs, ev(7, EventNodeChildrenChanged, "/p"))
}

func TestWatchOrderAndDedup(t *testing.T) {
	f := newFixture(t)
	for _, w := range []int64{9, 3, 5, 3, -2} {
		f.tree.Exists("/n", w) // registering twice yields one event
	}
	f.tree.GetChildren("/", 4)
	f.tree.GetChildren("/", 1)
	_, evs := f.must(0, create("/n", ""))
	expectEvents(t, evs,
		ev(-2, EventNodeCreated, "/n"), ev(3, EventNodeCreated, "/n"), ev(5, EventNodeCreated, "/n"),
		ev(9, EventNodeCreated, "/n"),
		ev(1, EventNodeChildrenChanged, "/"), ev(4, EventNodeChildrenChanged, "/"))
}

func TestRemoveWatcher(t *testing.T) {
	f := newFixture(t)
	f.must(0, create("/n", ""))
	f.tree.Exists("/n", 1)
	f.tree.GetData("/n", 1)
	f.tree.GetChildren("/n", 1)
	f.tree.Exists("/other", 1)
	f.tree.Exists("/n", 2)
	if f.tree.WatchCount() != 4 {
		t.Fatalf("watch count %d", f.tree.WatchCount())
	}
	f.tree.RemoveWatcher(1)
	f.tree.RemoveWatcher(77)
	if f.tree.WatchCount() != 1 {
		t.Fatalf("watch count %d after RemoveWatcher", f.tree.WatchCount())
	}
	_, evs := f.must(0, del("/n", -1))
	expectEvents(t, evs, ev(2, EventNodeDeleted, "/n"))
	_, evs = f.must(0, create("/other", ""))
	expectEvents(t, evs)
}

func TestSetWatches(t *testing.T) {
	f := newFixture(t)
	f.must(0, create("/old", ""))     // zxid 1
	f.must(0, create("/old/c", ""))   // zxid 2 (pzxid of /old)
	f.must(0, create("/changed", "")) // zxid 3
	f.must(0, create("/kids", ""))    // zxid 4
	rel := f.tree.LastProcessedZxid() // the client saw up to here
	f.must(0, setData("/changed", "x", -1))
	f.must(0, create("/kids/new", ""))
	f.must(0, create("/born", ""))

	evs := f.tree.SetWatches(rel,
		[]string{"/gone", "/changed", "/old"},
		[]string{"/born", "/absent"},
		[]string{"/gone", "/kids", "/old"},
		42)
	expectEvents(t, evs,
		ev(42, EventNodeDeleted, "/gone"), ev(42, EventNodeDataChanged, "/changed"),
		ev(42, EventNodeCreated, "/born"),
		ev(42, EventNodeDeleted, "/gone"), ev(42, EventNodeChildrenChanged, "/kids"))
	// The rest were re-armed: data watch on /old, exist watch on /absent, child watch on /old.
	if f.tree.WatchCount() != 3 {
		t.Fatalf("%d watches re-armed, want 3", f.tree.WatchCount())
	}
	_, evs = f.must(0, create("/absent", ""))
	expectEvents(t, evs, ev(42, EventNodeCreated, "/absent"))
	_, evs = f.must(0, create("/old/d", ""))
	expectEvents(t, evs, ev(42, EventNodeChildrenChanged, "/old"))
	_, evs = f.must(0, setData("/old", "y", -1))
	expectEvents(t, evs, ev(42, EventNodeDataChanged, "/old"))

	// mzxid/pzxid equal to relativeZxid means nothing changed since: re-arm.
	rel = f.tree.LastProcessedZxid()
	if evs := f.tree.SetWatches(rel, []string{"/old"}, nil, []string{"/old"}, 43); len(evs) != 0 {
		t.Fatalf("fired %v", evs)
	}
	// A relativeZxid of 0 (a client that saw nothing) fires data/child watches on every node
	// changed since the beginning, but not on the built-in nodes (zxid 0).
	evs = f.tree.SetWatches(0, []string{"/zookeeper", "/old"}, nil, nil, 44)
	expectEvents(t, evs, ev(44, EventNodeDataChanged, "/old"))
}
