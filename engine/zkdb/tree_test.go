package zkdb

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestCloneIndependence(t *testing.T) {
	f := newFixture(t)
	f.must(1, createSession(5000))
	f.must(0, create("/a", "one"))
	f.must(0, create("/a/b", ""))
	f.must(1, createMode("/a/e", Ephemeral))
	f.tree.Exists("/a", 9)
	c := f.tree.Clone()
	if c.Digest() != f.tree.Digest() || c.LastProcessedZxid() != f.tree.LastProcessedZxid() ||
		c.NodeCount() != f.tree.NodeCount() || c.ApproxBytes() != f.tree.ApproxBytes() {
		t.Fatal("clone differs")
	}
	if c.WatchCount() != 0 {
		t.Fatal("clone copied watches")
	}
	if err := c.CheckConsistency(); err != nil {
		t.Fatal(err)
	}
	cloneDigest := c.Digest()

	// Changes to the original do not reach the clone...
	f.must(0, setData("/a", "two", -1))
	f.must(0, create("/a/c", ""))
	f.must(0, del("/a/b", -1))
	f.must(1, closeSession)
	f.must(2, createSession(1))
	if c.Digest() != cloneDigest {
		t.Fatal("clone changed with the original")
	}
	data, st, _ := c.GetData("/a", 0)
	kids, _, _ := c.GetChildren("/a", 0)
	if string(data) != "one" || st.Version != 0 || !reflect.DeepEqual(kids, []string{"b", "e"}) ||
		!c.HasSession(1) || c.HasSession(2) || len(c.Ephemerals(1)) != 1 {
		t.Fatalf("clone content: %q %+v %v", data, st, kids)
	}
	// ...and changes to the clone do not reach the original.
	origDigest := f.tree.Digest()
	c.Apply(&Txn{Zxid: MakeZxid(9, 1), Op: create("/a/b/x", "")})
	c.Apply(&Txn{Zxid: MakeZxid(9, 2), SessionID: 1, Op: closeSession})
	if f.tree.Digest() != origDigest || f.tree.LastProcessedZxid() == c.LastProcessedZxid() {
		t.Fatal("original changed with the clone")
	}
	if err := c.CheckConsistency(); err != nil {
		t.Fatal(err)
	}
}

func TestDigest(t *testing.T) {
	a, b := NewDataTree(), NewDataTree()
	if a.Digest() != b.Digest() {
		t.Fatal("fresh trees differ")
	}
	apply := func(tree *DataTree, z uint32, session int64, op Op) {
		tree.Apply(&Txn{Zxid: MakeZxid(1, z), SessionID: session, TimeMs: 5, Op: op})
	}
	apply(a, 1, 0, create("/x", "data"))
	apply(b, 1, 0, create("/x", "data"))
	base := a.Digest()
	if base != b.Digest() {
		t.Fatal("same txns, different digests")
	}
	// Watches and the last processed zxid are not content.
	a.Exists("/x", 4)
	a.SetLastProcessedZxid(MakeZxid(7, 7))
	if a.Digest() != base {
		t.Fatal("watches or lastProcessedZxid changed the digest")
	}
	variants := map[string]func(*DataTree){
		"other data":      func(t *DataTree) { apply(t, 2, 0, setData("/x", "dat4", -1)) },
		"same data again": func(t *DataTree) { apply(t, 2, 0, setData("/x", "data", -1)) },
		"other acl": func(t *DataTree) {
			apply(t, 2, 0, Op{Type: OpSetACL, Path: "/x", ACL: []ACL{{1, "ip", "1.2.3.4"}}, Version: -1})
		},
		"session":       func(t *DataTree) { apply(t, 2, 5, createSession(100)) },
		"other timeout": func(t *DataTree) { apply(t, 2, 5, createSession(200)) },
		"other time":    func(t *DataTree) { t.Apply(&Txn{Zxid: MakeZxid(1, 2), TimeMs: 6, Op: create("/y", "")}) },
		"other zxid":    func(t *DataTree) { apply(t, 3, 0, create("/y", "")) },
		"child":         func(t *DataTree) { apply(t, 2, 0, create("/y", "")) },
	}
	seen := map[uint64]string{base: "base"}
	for name, change := range variants {
		c := a.Clone()
		change(c)
		d := c.Digest()
		if prev, dup := seen[d]; dup {
			t.Errorf("%s has the digest of %s", name, prev)
		}
		seen[d] = name
	}
	// Same content reached by different routes: nil and empty data are the same content.
	c1, c2 := a.Clone(), a.Clone()
	apply(c1, 2, 0, create("/y", ""))
	apply(c2, 2, 0, Op{Type: OpCreate, Path: "/y", Data: []byte{}, ACL: OpenACL})
	if c1.Digest() != c2.Digest() {
		t.Fatal("nil and empty data differ")
	}
}

// TestDeterminism applies the same random txn and read sequences to two trees and compares
// every result, every event and the digests.
func TestDeterminism(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 42))
		b := make([]byte, 2000)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		steps := decodeSteps(b, 400)
		x, y := NewDataTree(), NewDataTree()
		for i, s := range steps {
			if s.txn == nil {
				if ex, ey := doRead(x, s), doRead(y, s); !reflect.DeepEqual(ex, ey) {
					t.Fatalf("seed %d step %d: setWatches events differ", seed, i)
				}
				continue
			}
			rx, ex := x.Apply(s.txn)
			ry, ey := y.Apply(s.txn)
			if !reflect.DeepEqual(rx, ry) || !reflect.DeepEqual(ex, ey) {
				t.Fatalf("seed %d step %d: %+v %v vs %+v %v", seed, i, rx, ex, ry, ey)
			}
		}
		if x.Digest() != y.Digest() {
			t.Fatalf("seed %d: digests differ", seed)
		}
		checkRun(t, steps)
	}
}

func TestWalk(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/b", "/a", "/a/z", "/a/c", "/a/c/d"} {
		f.must(0, create(p, p))
	}
	var got []string
	f.tree.Walk(func(path string, data []byte, st Stat) bool {
		if path != "/" && !isSpecialPath(path) && string(data) != path {
			t.Errorf("%s: data %q", path, data)
		}
		got = append(got, path)
		return true
	})
	want := []string{"/", "/a", "/a/c", "/a/c/d", "/a/z", "/b", "/zookeeper", "/zookeeper/config", "/zookeeper/quota"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("walk %v", got)
	}
	got = nil
	f.tree.Walk(func(path string, _ []byte, _ Stat) bool {
		got = append(got, path)
		return path != "/a/c"
	})
	if !reflect.DeepEqual(got, want[:3]) {
		t.Fatalf("early stop %v", got)
	}
}

func TestApproxBytes(t *testing.T) {
	f := newFixture(t)
	base := f.tree.ApproxBytes()
	f.must(0, create("/abc", "12345"))
	if d := f.tree.ApproxBytes() - base; d != snapNodeBytes+4+5 {
		t.Fatalf("create grew the estimate by %d", d)
	}
	f.must(0, setData("/abc", "1", -1))
	f.must(0, createSession(1))
	if d := f.tree.ApproxBytes() - base; d != snapNodeBytes+4+1+snapSessionBytes {
		t.Fatalf("estimate grew by %d", d)
	}
	f.must(0, del("/abc", -1))
	f.apply(0, multi(create("/x", "long data"), del("/nope", -1)))
	if d := f.tree.ApproxBytes() - base; d != snapSessionBytes {
		t.Fatalf("estimate off by %d after delete and failed multi", d)
	}
}
