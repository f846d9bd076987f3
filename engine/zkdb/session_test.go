package zkdb

import (
	"reflect"
	"testing"
)

func TestSessions(t *testing.T) {
	f := newFixture(t)
	const s1, s2 = int64(0x100000000000001), int64(0x200000000000001)
	f.must(s1, createSession(30000))
	f.must(s2, createSession(6000))
	if !f.tree.HasSession(s1) || f.tree.HasSession(3) {
		t.Fatal("HasSession")
	}
	sessions := f.tree.Sessions()
	if !reflect.DeepEqual(sessions, map[int64]int32{s1: 30000, s2: 6000}) {
		t.Fatalf("sessions %v", sessions)
	}
	sessions[s1] = 1
	delete(sessions, s2)
	if f.tree.Sessions()[s1] != 30000 || !f.tree.HasSession(s2) {
		t.Fatal("Sessions is not a copy")
	}
	// Re-creating a session updates its timeout.
	f.must(s2, createSession(9000))
	if f.tree.Sessions()[s2] != 9000 {
		t.Fatal("timeout not updated")
	}

	f.must(0, create("/a", ""))
	f.must(0, create("/b", ""))
	f.must(s1, createMode("/b/e", Ephemeral))
	f.must(s1, createMode("/a/e", Ephemeral))
	seq, _ := f.must(s1, createMode("/a/q-", EphemeralSequential))
	f.must(s2, createMode("/a/other", Ephemeral))
	if got := f.tree.Ephemerals(s1); !reflect.DeepEqual(got, []string{"/a/e", seq.Path, "/b/e"}) {
		t.Fatalf("ephemerals %v", got)
	}
	f.must(s1, del("/b/e", -1)) // deleting by hand removes it from the session's list
	f.must(s1, createMode("/b/e2", Ephemeral))

	f.tree.Exists("/a/e", 10)
	f.tree.GetData("/b/e2", 11)
	f.tree.GetChildren("/a", 12)
	f.tree.GetChildren("/b", 12)
	aBefore := f.stat("/a")
	z := f.zxid()
	_, evs := f.must(s1, closeSession)
	// Deleted in sorted path order, each firing NodeDeleted then NodeChildrenChanged.
	expectEvents(t, evs,
		ev(10, EventNodeDeleted, "/a/e"), ev(12, EventNodeChildrenChanged, "/a"),
		ev(11, EventNodeDeleted, "/b/e2"), ev(12, EventNodeChildrenChanged, "/b"))
	if f.tree.HasSession(s1) || len(f.tree.Ephemerals(s1)) != 0 {
		t.Fatal("session or its ephemerals survived closeSession")
	}
	for _, p := range []string{"/a/e", seq.Path, "/b/e2"} {
		if _, err := f.tree.Exists(p, 0); err != ErrNoNode {
			t.Fatalf("%s survived", p)
		}
	}
	a := f.stat("/a")
	// Each deleted child (/a/e and the sequential one) counts as a change (ZooKeeper 3.8).
	if a.Pzxid != z || a.Cversion != aBefore.Cversion+2 || a.NumChildren != 1 {
		t.Fatalf("/a after closeSession %+v", a)
	}
	if got := f.tree.Ephemerals(s2); !reflect.DeepEqual(got, []string{"/a/other"}) {
		t.Fatalf("other session's ephemerals %v", got)
	}
	// The closed session can no longer create ephemerals, but persistent nodes are fine.
	f.expectErr(s1, createMode("/a/again", Ephemeral), ErrSessionExpired)
	f.must(s1, create("/a/persistent", ""))
	// Closing an unknown session is a no-op.
	f.expectErr(s1, closeSession, OK)
	f.expectErr(12345, closeSession, OK)
}
