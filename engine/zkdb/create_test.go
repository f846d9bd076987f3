package zkdb

import (
	"bytes"
	"reflect"
	"testing"
)

func TestNewDataTree(t *testing.T) {
	tree := NewDataTree()
	if tree.NodeCount() != 4 || tree.LastProcessedZxid() != 0 {
		t.Fatalf("count %d, zxid %v", tree.NodeCount(), tree.LastProcessedZxid())
	}
	kids := map[string][]string{"/": {"zookeeper"}, "/zookeeper": {"config", "quota"},
		"/zookeeper/quota": {}, "/zookeeper/config": {}}
	// ZooKeeper 3.8: the built-in children are added without counting as creates, so the
	// client's cversion (creates plus deletes) reads -1 and -2; the config node's aversion
	// is -1 (DataTree.addConfigNode).
	stats := map[string]Stat{"/": {Cversion: -1, NumChildren: 1}, "/zookeeper": {Cversion: -2, NumChildren: 2},
		"/zookeeper/quota": {}, "/zookeeper/config": {Aversion: -1}}
	for p, want := range kids {
		got, st, err := tree.GetChildren(p, 0)
		if err != OK || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: children %v %v, want %v", p, got, err, want)
		}
		if st != stats[p] {
			t.Errorf("%s: stat %+v, want %+v", p, st, stats[p])
		}
		// Empty bytes, not null: Java's new String(getData("/")) must work.
		if data, _, _ := tree.GetData(p, 0); data == nil || len(data) != 0 {
			t.Errorf("%s: data %#v, want empty", p, data)
		}
	}
	acl, _, _ := tree.GetACL("/zookeeper/config")
	if !reflect.DeepEqual(acl, []ACL{{PermRead, "world", "anyone"}}) {
		t.Errorf("config ACL %v", acl)
	}
	acl, _, _ = tree.GetACL("/")
	if !reflect.DeepEqual(acl, OpenACL) {
		t.Errorf("root ACL %v", acl)
	}
	if err := tree.CheckConsistency(); err != nil {
		t.Fatal(err)
	}
}

func TestCreateStat(t *testing.T) {
	f := newFixture(t)
	f.must(0, create("/a", ""))
	parentBefore := f.stat("/a")
	z, tm := f.zxid(), f.time()
	res, _ := f.must(0, Op{Type: OpCreate2, Path: "/a/b", Data: []byte("hello"), ACL: OpenACL})
	want := Stat{Czxid: z, Mzxid: z, Ctime: tm, Mtime: tm, DataLength: 5, Pzxid: z}
	if res.Path != "/a/b" || res.Stat != want {
		t.Fatalf("create2 result %q %+v, want %+v", res.Path, res.Stat, want)
	}
	if got := f.stat("/a/b"); got != want {
		t.Fatalf("stat %+v", got)
	}
	p := f.stat("/a")
	wantParent := parentBefore
	wantParent.Cversion, wantParent.NumChildren, wantParent.Pzxid = 1, 1, z
	if p != wantParent {
		t.Fatalf("parent %+v, want %+v (mzxid/mtime/version untouched)", p, wantParent)
	}
	data, _, _ := f.tree.GetData("/a/b", 0)
	if !bytes.Equal(data, []byte("hello")) {
		t.Fatalf("data %q", data)
	}
	// Creating under the root updates the root's stat the same way.
	z = f.zxid()
	f.must(0, create("/c", ""))
	if r := f.stat("/"); r.Cversion != 1 || r.NumChildren != 3 || r.Pzxid != z || r.Mzxid != 0 {
		t.Fatalf("root %+v", r)
	}
}

func TestCreateErrorOrder(t *testing.T) {
	f := newFixture(t)
	f.must(7, createSession(30000))
	f.must(0, create("/p", ""))
	f.must(7, createMode("/e", Ephemeral))
	bigData := make([]byte, MaxDataBytes+1)
	cases := []struct {
		name    string
		session int64
		op      Op
		want    Err
	}{
		{"unknown flags", 0, Op{Type: OpCreate, Path: "bad", ACL: OpenACL, Mode: 7}, ErrBadArguments},
		{"negative flags", 0, Op{Type: OpCreate, Path: "/x", ACL: OpenACL, Mode: -1}, ErrBadArguments},
		{"TTL mode before path", 0, Op{Type: OpCreate, Path: "bad", ACL: OpenACL, Mode: PersistentWithTTL}, ErrUnimplemented},
		{"createTTL", 0, Op{Type: OpCreateTTL, Path: "/x", ACL: OpenACL, Mode: PersistentWithTTL}, ErrUnimplemented},
		{"createTTL, mode not TTL", 0, Op{Type: OpCreateTTL, Path: "/x", ACL: OpenACL, Mode: Persistent}, ErrBadArguments},
		{"createTTL, bad mode first", 0, Op{Type: OpCreateTTL, Path: "/x", ACL: OpenACL, Mode: 9}, ErrBadArguments},
		{"ephemeral without session, before path", 99, Op{Type: OpCreate, Path: "bad", Mode: Ephemeral}, ErrSessionExpired},
		{"ephemeral sequential without session", 0, createMode("/x", EphemeralSequential), ErrSessionExpired},
		// ZooKeeper 3.8 checks only for a "/" and a NUL before it looks up the parent; the whole
		// (suffixed) path is validated once the parent is found.
		{"relative path", 0, create("x", ""), ErrBadArguments},
		{"empty path", 0, create("", ""), ErrBadArguments},
		{"NUL, before NONODE", 0, create("/no/a\x00", ""), ErrBadArguments},
		{"NUL", 0, create("/p/a\x00b", ""), ErrBadArguments},
		{"trailing slash", 0, create("/p/", ""), ErrBadArguments},
		{"trailing slash, no parent", 0, create("/no/", ""), ErrNoNode},
		{"empty segment", 0, create("//x", ""), ErrBadArguments},
		{"empty segment: parent /p/ is missing", 0, create("/p//x", ""), ErrNoNode},
		{"dot segment", 0, create("/p/.", ""), ErrBadArguments},
		{"dot segment, no parent", 0, create("/no/.", ""), ErrNoNode},
		{"dot-dot segment", 0, create("/p/..", ""), ErrBadArguments},
		{"dot-dot in the parent", 0, create("/p/../x", ""), ErrNoNode},
		{"control character", 0, create("/p/a\x01", ""), ErrBadArguments},
		{"control character, no parent", 0, create("/no/a\x01", ""), ErrNoNode},
		{"DEL", 0, create("/p/\x7f", ""), ErrBadArguments},
		{"C1 control", 0, create("/p/\u0085", ""), ErrBadArguments},
		{"surrogate (CESU-8)", 0, create("/p/\xed\xa0\x80", ""), ErrBadArguments},
		{"outside the BMP (a surrogate pair in Java)", 0, create("/p/\U0001F600", ""), ErrBadArguments},
		{"private use", 0, create("/p/\ue000", ""), ErrBadArguments},
		{"U+FFF0", 0, create("/p/\ufff0", ""), ErrBadArguments},
		{"invalid UTF-8 (U+FFFD in Java)", 0, create("/p/\xff", ""), ErrBadArguments},
		{"data too big", 0, Op{Type: OpCreate, Path: "/x", Data: bigData, ACL: OpenACL}, ErrBadArguments},
		{"nil ACL before NONODE", 0, Op{Type: OpCreate, Path: "/no/x"}, ErrInvalidACL},
		{"nil ACL before path", 0, Op{Type: OpCreate, Path: "/p/"}, ErrInvalidACL},
		{"empty ACL", 0, Op{Type: OpCreate, Path: "/x", ACL: []ACL{}}, ErrInvalidACL},
		{"world:someone", 0, Op{Type: OpCreate, Path: "/x", ACL: []ACL{{31, "world", "someone"}}}, ErrInvalidACL},
		{"auth without authentication", 0, Op{Type: OpCreate, Path: "/x", ACL: []ACL{{31, "auth", ""}}}, ErrInvalidACL},
		{"unknown scheme", 0, Op{Type: OpCreate, Path: "/x", ACL: []ACL{{31, "sasl", "bob"}}}, ErrInvalidACL},
		{"bad digest", 0, Op{Type: OpCreate, Path: "/x", ACL: []ACL{{31, "digest", "bob"}}}, ErrInvalidACL},
		{"bad ip", 0, Op{Type: OpCreate, Path: "/x", ACL: []ACL{{31, "ip", "10.0.0.256"}}}, ErrInvalidACL},
		{"bad ip bits", 0, Op{Type: OpCreate, Path: "/x", ACL: []ACL{{31, "ip", "10.0.0.0/33"}}}, ErrInvalidACL},
		{"one bad entry", 0, Op{Type: OpCreate, Path: "/x", ACL: []ACL{OpenACL[0], {1, "ip", "x"}}}, ErrInvalidACL},
		{"no parent", 0, create("/no/x", ""), ErrNoNode},
		{"no grandparent", 0, create("/no/no/x", ""), ErrNoNode},
		{"exists", 0, create("/p", ""), ErrNodeExists},
		{"root exists", 0, create("/", ""), ErrNodeExists},
		{"built-in exists", 0, create("/zookeeper", ""), ErrNodeExists},
		{"exists beats ephemeral parent", 0, create("/e", ""), ErrNodeExists},
		{"child of ephemeral", 0, create("/e/c", ""), ErrNoChildrenForEphemerals},
		{"sequential child of ephemeral", 7, createMode("/e/c", EphemeralSequential), ErrNoChildrenForEphemerals},
		{"container child of ephemeral", 0, Op{Type: OpCreateContainer, Path: "/e/c", ACL: OpenACL, Mode: Container}, ErrNoChildrenForEphemerals},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			f.expectErr(c.session, c.op, c.want)
		})
	}
}

func TestCreateAccepts(t *testing.T) {
	f := newFixture(t)
	ok := []Op{
		{Type: OpCreate, Path: "/max", Data: make([]byte, MaxDataBytes), ACL: OpenACL},
		{Type: OpCreate, Path: "/digest", ACL: []ACL{{31, "digest", "bob:aGFzaA=="}}},
		{Type: OpCreate, Path: "/ip", ACL: []ACL{{1, "ip", "10.1.2.3"}, {31, "ip", "10.0.0.0/8"}, {3, "ip", "::1/128"}}},
		{Type: OpCreate, Path: "/zookeeper/mine", ACL: OpenACL},
		{Type: OpCreate, Path: "/日本", ACL: OpenACL},
	}
	for _, op := range ok {
		f.must(0, op)
	}
	// Duplicate ACL entries are dropped (PrepRequestProcessor.removeDuplicates).
	dup := []ACL{{1, "ip", "10.1.2.3"}, {1, "ip", "10.1.2.3"}, {3, "ip", "10.1.2.3"}}
	f.must(0, Op{Type: OpCreate, Path: "/dup", ACL: dup})
	acl, _, _ := f.tree.GetACL("/dup")
	if !reflect.DeepEqual(acl, []ACL{{1, "ip", "10.1.2.3"}, {3, "ip", "10.1.2.3"}}) {
		t.Fatalf("dedup: %v", acl)
	}
}

func TestSequentialNames(t *testing.T) {
	f := newFixture(t)
	f.must(7, createSession(10000))
	f.must(0, create("/q", ""))
	steps := []struct {
		op   Op
		want string // created path; "" = not a sequential create
	}{
		{createMode("/q/n-", PersistentSequential), "/q/n-0000000000"},
		{createMode("/q/n-", PersistentSequential), "/q/n-0000000001"},
		{create("/q/plain", ""), ""},                                   // cversion 3
		{createMode("/q/e-", EphemeralSequential), "/q/e-0000000003"},  // suffix shared by all names
		{del("/q/plain", -1), ""},                                      // no cversion bump
		{del("/q/n-0000000000", -1), ""},                               // still none
		{createMode("/q/n-", PersistentSequential), "/q/n-0000000004"}, // continues from cversion
		{createMode("/q/", PersistentSequential), "/q/0000000005"},     // empty prefix
		{create("/q/n-0000000007", ""), ""},                            // a squatter (cversion 7)
		{createMode("/q/n-", PersistentSequential), "/q/n-0000000007"}, // NODEEXISTS below
		{createMode("/q/n-", PersistentSequential), "/q/n-0000000007"}, // a failed create does not bump
	}
	for i, s := range steps {
		if i == 9 || i == 10 {
			f.expectErr(0, s.op, ErrNodeExists)
			continue
		}
		res, _ := f.must(7, s.op)
		if s.want != "" && res.Path != s.want {
			t.Fatalf("step %d: created %q, want %q", i, res.Path, s.want)
		}
	}
	// The sequence counter is the count of creates ZooKeeper keeps (7); clients see creates
	// plus deletes, 2*7 - children.
	if st := f.stat("/q"); f.tree.nodes["/q"].stat.Cversion != 7 || st.Cversion != 14-st.NumChildren {
		t.Fatalf("cversion %d (%d children), kept %d", st.Cversion, st.NumChildren, f.tree.nodes["/q"].stat.Cversion)
	}
	// Sequential directly under the root.
	res, _ := f.must(0, createMode("/", PersistentSequential))
	if res.Path != "/0000000001" { // the root's cversion counts /q only (/zookeeper is built in)
		t.Fatalf("root sequential: %q", res.Path)
	}
}

func TestEphemeralAndContainerOwners(t *testing.T) {
	f := newFixture(t)
	const s = int64(0x0100017f00000001)
	f.must(s, createSession(4000))
	res, _ := f.must(s, createMode("/eph", Ephemeral))
	if res.Stat.EphemeralOwner != s {
		t.Fatalf("ephemeral owner %#x", res.Stat.EphemeralOwner)
	}
	res, _ = f.must(s, Op{Type: OpCreateContainer, Path: "/box", ACL: OpenACL, Mode: Container})
	// Clients see 0 (DataNode.copyStat); the tree keeps the marker 0x8000000000000000.
	if res.Stat.EphemeralOwner != 0 || f.stat("/box").EphemeralOwner != 0 ||
		uint64(f.tree.nodes["/box"].stat.EphemeralOwner) != 0x8000000000000000 {
		t.Fatalf("container owner %#x, kept %#x", res.Stat.EphemeralOwner, f.tree.nodes["/box"].stat.EphemeralOwner)
	}
	// A container may have children, including ephemeral ones.
	f.must(s, createMode("/box/e", Ephemeral))
	res, _ = f.must(s, create("/per", ""))
	if res.Stat.EphemeralOwner != 0 {
		t.Fatalf("persistent owner %#x", res.Stat.EphemeralOwner)
	}
	if got := f.tree.Ephemerals(s); !reflect.DeepEqual(got, []string{"/box/e", "/eph"}) {
		t.Fatalf("ephemerals %v", got)
	}
	// A persistent create does not need a session.
	f.must(12345, create("/per2", ""))
}

// TestConfigNode: /zookeeper/config holds the ensemble as ZooKeeper 3.8 writes it
// (QuorumMaj.toString through ZKDatabase.initConfigInZKDatabase).
func TestConfigNode(t *testing.T) {
	e := Ensemble{Servers: []EnsembleServer{
		{ID: 3, Observer: true, QuorumPort: 2890, ElectionPort: 3890},
		{ID: 1, QuorumPort: 2888, ElectionPort: 3888},
		{ID: 2, Host: "10.0.0.2", QuorumPort: 2889, ElectionPort: 3889, ClientPort: 2182},
	}}
	tree := NewDataTreeFor(e)
	data, st, err := tree.GetData("/zookeeper/config", 0)
	want := "server.1=127.0.0.1:2888:3888:participant\n" +
		"server.2=10.0.0.2:2889:3889:participant;10.0.0.2:2182\n" +
		"server.3=127.0.0.1:2890:3890:observer\n" +
		"version=0"
	if err != OK || string(data) != want {
		t.Fatalf("config %q %v, want %q", data, err, want)
	}
	if (st != Stat{Version: -1, Aversion: -1, DataLength: int32(len(want))}) {
		t.Fatalf("config stat %+v", st)
	}
	// A three-server static config of 5-digit ports is 138 bytes, as a real 3.8 ensemble's.
	var three Ensemble
	for id := 1; id <= 3; id++ {
		three.Servers = append(three.Servers, EnsembleServer{ID: id, QuorumPort: 28880 + id, ElectionPort: 38880 + id})
	}
	if n := len(three.ConfigData()); n != 138 {
		t.Fatalf("3-server config %d bytes, want 138", n)
	}
	e.Version = 0x100000003
	if got := string(e.ConfigData()); got[len(got)-18:] != "\nversion=100000003" {
		t.Fatalf("version line of %q", got)
	}
	if tree.Digest() == NewDataTree().Digest() || tree.Clone().Digest() != tree.Digest() {
		t.Fatal("the config data is part of the tree's content")
	}
	if err := tree.CheckConsistency(); err != nil {
		t.Fatal(err)
	}
}
