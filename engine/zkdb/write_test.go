package zkdb

import (
	"reflect"
	"testing"
)

func TestDeleteErrorOrder(t *testing.T) {
	f := newFixture(t)
	f.must(0, create("/p", ""))
	f.must(0, create("/p/c", ""))
	f.must(0, setData("/p", "x", -1)) // /p version 1
	f.must(0, create("/zookeeper/user", ""))
	cases := []struct {
		name string
		op   Op
		want Err
	}{
		{"root", del("/", -1), ErrBadArguments},
		{"/zookeeper", del("/zookeeper", -1), ErrBadArguments},
		{"/zookeeper/quota", del("/zookeeper/quota", -1), ErrBadArguments},
		{"/zookeeper/config", del("/zookeeper/config", -1), ErrBadArguments},
		// ZooKeeper 3.8 checks a delete path only for a "/" and a NUL, then looks nodes up.
		{"trailing slash", del("/p/", -1), ErrNoNode},
		{"empty segment", del("//p", -1), ErrNoNode},
		{"relative", del("p", -1), ErrBadArguments},
		{"empty", del("", -1), ErrBadArguments},
		{"NUL", del("/p/c\x00", -1), ErrBadArguments},
		{"control character", del("/p/\x01", -1), ErrNoNode},
		{"no parent", del("/no/x", 5), ErrNoNode},
		{"no node", del("/x", 5), ErrNoNode},
		{"bad version before not empty", del("/p", 0), ErrBadVersion},
		{"bad version 2", del("/p", 2), ErrBadVersion},
		{"not empty, any version", del("/p", -1), ErrNotEmpty},
		{"not empty, right version", del("/p", 1), ErrNotEmpty},
		{"dot-dot segment", del("/zookeeper/user/..", -1), ErrNoNode},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			f.expectErr(0, c.op, c.want)
		})
	}
	f.t = t
	// A user node under /zookeeper can be deleted.
	f.must(0, del("/zookeeper/user", 0))
}

func TestDeleteStat(t *testing.T) {
	f := newFixture(t)
	f.must(0, create("/p", ""))
	f.must(0, create("/p/a", ""))
	f.must(0, create("/p/b", ""))
	before := f.stat("/p")
	z := f.zxid()
	f.must(0, del("/p/a", 0))
	after := f.stat("/p")
	want := before
	// The delete counts as a child change: cversion +1 as clients see it (ZooKeeper 3.8's
	// DataNode.copyStat), though the count of creates kept for sequence numbers is unchanged.
	want.NumChildren, want.Pzxid, want.Cversion = 1, z, before.Cversion+1
	if after != want {
		t.Fatalf("parent after delete %+v, want %+v", after, want)
	}
	if _, err := f.tree.Exists("/p/a", 0); err != ErrNoNode {
		t.Fatalf("deleted node exists: %v", err)
	}
	if kids, _, _ := f.tree.GetChildren("/p", 0); !reflect.DeepEqual(kids, []string{"b"}) {
		t.Fatalf("children %v", kids)
	}
	// Re-creating the same name is a new node with new zxids.
	z = f.zxid()
	res, _ := f.must(0, create("/p/a", "again"))
	if res.Stat.Czxid != z || res.Stat.Version != 0 {
		t.Fatalf("recreated %+v", res.Stat)
	}
	if f.stat("/p").Cversion != 4 { // three creates and a delete
		t.Fatalf("cversion %d", f.stat("/p").Cversion)
	}
}

func TestSetData(t *testing.T) {
	f := newFixture(t)
	cz, ct := f.zxid(), f.time()
	f.must(0, create("/n", "abc"))
	f.must(0, create("/n/c", ""))
	f.expectErr(0, setData("/n/", "x", -1), ErrBadArguments)
	f.expectErr(0, Op{Type: OpSetData, Path: "/n", Data: make([]byte, MaxDataBytes+1), Version: -1}, ErrBadArguments)
	f.expectErr(0, setData("/missing", "x", 99), ErrNoNode)
	f.expectErr(0, setData("/n", "x", 1), ErrBadVersion)
	pz := f.stat("/n").Pzxid
	for v := int32(0); v < 3; v++ {
		z, tm := f.zxid(), f.time()
		res, _ := f.must(0, setData("/n", "hello"[:v+2], v))
		want := Stat{Czxid: cz, Mzxid: z, Ctime: ct, Mtime: tm, Version: v + 1, DataLength: v + 2,
			Cversion: 1, NumChildren: 1, Pzxid: pz}
		if res.Stat != want || f.stat("/n") != want {
			t.Fatalf("setData v%d: %+v, want %+v", v, res.Stat, want)
		}
	}
	f.must(0, setData("/n", "", -1)) // any version
	data, st, _ := f.tree.GetData("/n", 0)
	if len(data) != 0 || st.Version != 4 || st.DataLength != 0 {
		t.Fatalf("after empty setData: %q %+v", data, st)
	}
	f.must(0, Op{Type: OpSetData, Path: "/n", Data: make([]byte, MaxDataBytes), Version: -1})
	// The built-in config node is read-only for world (ZOOKEEPER-2014).
	f.expectErr(0, setData("/zookeeper/config", "server.1=...", -1), ErrNoAuth)
}

func TestSetACL(t *testing.T) {
	f := newFixture(t)
	f.must(0, create("/n", ""))
	f.must(0, setData("/n", "v1", -1)) // version 1, aversion 0
	f.must(0, create("/n/c", ""))
	f.tree.GetData("/n", 1)
	f.tree.GetChildren("/n", 2)
	ipACL := []ACL{{PermRead | PermAdmin, "ip", "127.0.0.1"}}
	f.expectErr(0, Op{Type: OpSetACL, Path: "n", ACL: ipACL, Version: -1}, ErrBadArguments)
	f.expectErr(0, Op{Type: OpSetACL, Path: "/missing", Version: -1}, ErrInvalidACL) // before NONODE
	f.expectErr(0, Op{Type: OpSetACL, Path: "/missing", ACL: ipACL, Version: -1}, ErrNoNode)
	// The version is compared with the aversion, not the data version.
	f.expectErr(0, Op{Type: OpSetACL, Path: "/n", ACL: ipACL, Version: 1}, ErrBadVersion)
	before := f.stat("/n")
	res, evs := f.must(0, Op{Type: OpSetACL, Path: "/n", ACL: ipACL, Version: 0})
	want := before
	want.Aversion = 1
	if res.Stat != want || f.stat("/n") != want {
		t.Fatalf("setACL stat %+v, want %+v (only aversion changes)", res.Stat, want)
	}
	expectEvents(t, evs) // setACL triggers no watch
	if acl, _, _ := f.tree.GetACL("/n"); !reflect.DeepEqual(acl, ipACL) {
		t.Fatalf("acl %v", acl)
	}
	// Now only 127.0.0.1 may change the ACL.
	f.expectErr(0, Op{Type: OpSetACL, Path: "/n", ACL: OpenACL, Version: -1}, ErrNoAuth)
	f.expectErr(0, Op{Type: OpSetACL, Path: "/n", ACL: OpenACL, Version: -1, Auth: []ID{{"ip", "10.0.0.1"}}}, ErrNoAuth)
	_, evs = f.must(0, Op{Type: OpSetACL, Path: "/n", ACL: OpenACL, Version: -1, Auth: []ID{{"ip", "127.0.0.1"}}})
	expectEvents(t, evs)
	if f.stat("/n").Aversion != 2 || f.tree.WatchCount() != 2 {
		t.Fatalf("aversion %d, watches %d", f.stat("/n").Aversion, f.tree.WatchCount())
	}
	// GetACL returns a copy.
	acl, _, _ := f.tree.GetACL("/n")
	acl[0].Perms = 0
	if acl2, _, _ := f.tree.GetACL("/n"); acl2[0].Perms != PermAll {
		t.Fatal("GetACL exposes the stored ACL")
	}
}

func TestCheck(t *testing.T) {
	f := newFixture(t)
	f.must(0, create("/n", ""))
	f.must(0, setData("/n", "x", 0))
	f.expectErr(0, check("n", 1), ErrBadArguments)
	f.expectErr(0, check("/missing", -1), ErrNoNode)
	f.expectErr(0, check("/n", 0), ErrBadVersion)
	for _, v := range []int32{1, -1} {
		before := f.tree.Digest()
		f.must(0, check("/n", v))
		if f.tree.Digest() != before {
			t.Fatal("check changed the tree")
		}
	}
}

func TestDeleteContainer(t *testing.T) {
	f := newFixture(t)
	f.must(7, createSession(1000))
	f.must(0, Op{Type: OpCreateContainer, Path: "/box", ACL: OpenACL, Mode: Container})
	f.must(0, create("/box/x", ""))
	f.must(7, createMode("/eph", Ephemeral))
	f.must(0, create("/plain", ""))
	f.expectErr(0, Op{Type: OpDeleteContainer, Path: "/"}, ErrBadArguments)
	f.expectErr(0, Op{Type: OpDeleteContainer, Path: "/nope"}, ErrNoNode)
	f.expectErr(0, Op{Type: OpDeleteContainer, Path: "/box"}, ErrNotEmpty)
	f.expectErr(0, Op{Type: OpDeleteContainer, Path: "/eph"}, ErrBadVersion)
	f.must(0, del("/box/x", -1))
	f.must(0, Op{Type: OpDeleteContainer, Path: "/box"})
	f.must(0, Op{Type: OpDeleteContainer, Path: "/plain"}) // ZooKeeper refuses only ephemerals
}

func TestUnsupportedTxnTypes(t *testing.T) {
	f := newFixture(t)
	for _, typ := range []OpType{OpGetData, OpSync, OpPing, OpType(55)} {
		f.expectErr(0, Op{Type: typ, Path: "/"}, ErrUnimplemented)
	}
	// An error txn of a request that could not be processed.
	f.expectErr(0, Op{Type: OpError}, ErrMarshallingError)
	// reconfig is an error txn while reconfigEnabled is false, as in ZooKeeper 3.8.
	f.expectErr(0, Op{Type: OpReconfig}, ErrReconfigDisabled)
}

func TestLastProcessedZxid(t *testing.T) {
	tree := NewDataTree()
	tree.Apply(&Txn{Zxid: MakeZxid(1, 5), Op: del("/nope", -1)})
	if tree.LastProcessedZxid() != MakeZxid(1, 5) {
		t.Fatal("failed txn did not advance lastProcessedZxid")
	}
	// As DataTree.processTxn: it never goes back.
	tree.Apply(&Txn{Zxid: MakeZxid(1, 3), Op: create("/a", "")})
	if tree.LastProcessedZxid() != MakeZxid(1, 5) {
		t.Fatal("lastProcessedZxid went back")
	}
	tree.SetLastProcessedZxid(MakeZxid(2, 0))
	if tree.LastProcessedZxid() != MakeZxid(2, 0) {
		t.Fatal("SetLastProcessedZxid")
	}
}
