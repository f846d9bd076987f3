package zkdb

import (
	"reflect"
	"testing"
)

func TestMultiSuccess(t *testing.T) {
	f := newFixture(t)
	f.tree.Exists("/m", 1)
	f.tree.GetChildren("/", 2)
	z, tm := f.zxid(), f.time()
	res, evs := f.must(0, multi(
		create("/m", "a"),
		Op{Type: OpCreate2, Path: "/m/s-", ACL: OpenACL, Mode: PersistentSequential},
		createMode("/m/s-", PersistentSequential),
		setData("/m", "bb", 0),
		check("/m", 1),
		del("/m/s-0000000000", 0),
	))
	if res.Err != OK || res.MultiFailed() || len(res.Multi) != 6 {
		t.Fatalf("result %+v", res)
	}
	paths := []string{"/m", "/m/s-0000000000", "/m/s-0000000001", "", "", ""}
	for i, r := range res.Multi {
		if r.Err != OK || r.Path != paths[i] {
			t.Errorf("op %d: %+v, want path %q", i, r, paths[i])
		}
	}
	// Every op has the multi's zxid and time.
	want := Stat{Czxid: z, Mzxid: z, Ctime: tm, Mtime: tm, Version: 1, Cversion: 3, DataLength: 2,
		NumChildren: 1, Pzxid: z}
	if st := f.stat("/m"); st != want {
		t.Fatalf("/m %+v, want %+v", st, want)
	}
	// A per-op stat is the node's stat right after that op (two children then).
	atSet := want
	atSet.NumChildren, atSet.Cversion = 2, 2
	if res.Multi[3].Stat != atSet || res.Multi[1].Stat.Czxid != z {
		t.Fatalf("setData stat %+v", res.Multi[3].Stat)
	}
	// Watches fire in op order.
	expectEvents(t, evs, ev(1, EventNodeCreated, "/m"), ev(2, EventNodeChildrenChanged, "/"))
	if f.tree.LastProcessedZxid() != z {
		t.Fatal("lastProcessedZxid")
	}
}

func TestMultiFailureAppliesNothing(t *testing.T) {
	f := newFixture(t)
	f.must(0, create("/a", "orig"))
	f.must(0, create("/b", ""))
	f.tree.Exists("/x", 1)
	f.tree.GetData("/a", 2)
	f.tree.GetChildren("/", 3)
	before := f.tree.Digest()
	cases := []struct {
		name   string
		ops    []Op
		failAt int
		code   Err
	}{
		{"first op fails", []Op{create("/a", ""), create("/x", "")}, 0, ErrNodeExists},
		{"middle op fails", []Op{create("/x", ""), setData("/missing", "", -1), create("/y", "")}, 1, ErrNoNode},
		{"last op fails", []Op{create("/x", ""), setData("/a", "new", 0), del("/b", -1), check("/a", 0)}, 3, ErrBadVersion},
		{"set, delete, re-create, then fail", []Op{setData("/a", "v1", -1), del("/a", 1), create("/a", "new"),
			createMode("/s", PersistentSequential), check("/a", 7)}, 4, ErrBadVersion},
		{"delete then use", []Op{del("/b", 0), create("/b/c", "")}, 1, ErrNoNode},
		{"not empty after create", []Op{create("/b/c", ""), del("/b", -1)}, 1, ErrNotEmpty},
		{"ephemeral without session", []Op{create("/x", ""), createMode("/e", Ephemeral)}, 1, ErrSessionExpired},
		{"bad path", []Op{create("/x", ""), del("x", -1), create("/y", ""), create("/z", "")}, 1, ErrBadArguments},
		{"TTL", []Op{create("/x", ""), {Type: OpCreateTTL, Path: "/t", ACL: OpenACL, Mode: PersistentWithTTL}}, 1, ErrUnimplemented},
		// Path checks in ZooKeeper's order inside a multi too.
		{"missing parent before a bad name", []Op{create("/x", ""), create("/no/\x01", ""), create("/y", "")}, 1, ErrNoNode},
		{"bad name under an existing parent", []Op{create("/x", ""), create("/x/\x01", "")}, 1, ErrBadArguments},
		{"delete with a trailing slash", []Op{create("/x", ""), del("/x/", -1)}, 1, ErrNoNode},
		{"check with a trailing slash", []Op{check("/a/", -1), create("/x", "")}, 0, ErrBadArguments},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			res, evs := f.apply(0, multi(c.ops...))
			if res.Err != OK || !res.MultiFailed() || res.FirstErr() != c.code {
				t.Fatalf("result %+v", res)
			}
			for i, r := range res.Multi {
				want := Result{}
				switch {
				case i == c.failAt:
					want.Err = c.code
				case i > c.failAt:
					want.Err = ErrRuntimeInconsistency
				}
				if !reflect.DeepEqual(r, want) {
					t.Errorf("op %d: %+v, want %+v", i, r, want)
				}
			}
			expectEvents(t, evs)
			if f.tree.Digest() != before || f.tree.WatchCount() != 3 {
				t.Fatalf("failed multi changed the tree or consumed watches")
			}
		})
	}
	f.t = t
	data, st, _ := f.tree.GetData("/a", 0)
	if string(data) != "orig" || st.Version != 0 || f.stat("/").Cversion != 1 {
		t.Fatalf("after rollbacks: %q %+v", data, st)
	}
	// The watches are still set and fire on the next real change.
	_, evs := f.must(0, create("/x", ""))
	expectEvents(t, evs, ev(1, EventNodeCreated, "/x"), ev(3, EventNodeChildrenChanged, "/"))
}

func TestMultiMalformed(t *testing.T) {
	f := newFixture(t)
	for _, ops := range [][]Op{
		{create("/x", ""), multi(create("/y", ""))},
		{create("/x", ""), createSession(100)},
		{create("/x", ""), closeSession},
		{create("/x", ""), {Type: OpSetACL, Path: "/x", ACL: OpenACL, Version: -1}},
		{create("/x", ""), {Type: OpGetData, Path: "/x"}},
	} {
		before := f.tree.Digest()
		res, _ := f.apply(0, multi(ops...))
		if res.Err != ErrMarshallingError || res.Multi != nil || !res.MultiFailed() || f.tree.Digest() != before {
			t.Fatalf("%v: %+v", ops[1].Type, res)
		}
	}
	res, evs := f.apply(0, multi())
	if res.Err != OK || res.MultiFailed() || len(res.Multi) != 0 || evs != nil {
		t.Fatalf("empty multi %+v", res)
	}
}

func TestMultiEphemeralRollback(t *testing.T) {
	f := newFixture(t)
	f.must(5, createSession(1000))
	f.must(5, createMode("/keep", Ephemeral))
	f.apply(5, multi(createMode("/e1", Ephemeral), del("/keep", -1), check("/nope", -1)))
	if got := f.tree.Ephemerals(5); !reflect.DeepEqual(got, []string{"/keep"}) {
		t.Fatalf("ephemerals after rollback %v", got)
	}
	f.must(5, multi(createMode("/e1", Ephemeral), del("/keep", -1)))
	if got := f.tree.Ephemerals(5); !reflect.DeepEqual(got, []string{"/e1"}) {
		t.Fatalf("ephemerals after multi %v", got)
	}
}
