package zkdb

import (
	"slices"
	"testing"
)

func createTTL(path string, mode CreateMode, ttlMs int64) Op {
	return Op{Type: OpCreateTTL, Path: path, ACL: OpenACL, Mode: mode, TTL: ttlMs}
}

// TestTTLNeedsExtendedTypes: without zookeeper.extendedTypesEnabled a TTL mode is
// UNIMPLEMENTED (PrepRequestProcessor.validateCreateRequest), as before.
func TestTTLNeedsExtendedTypes(t *testing.T) {
	f := newFixture(t)
	f.expectErr(0, createTTL("/t", PersistentWithTTL, 1000), ErrUnimplemented)
	f.expectErr(0, createTTL("/t", Persistent, 1000), ErrBadArguments)
}

// TestTTLNodes: with extended types, a TTL create keeps the ttl in ephemeralOwner as
// EphemeralType.TTL encodes it (0xff00… | ttl); clients see ephemeralOwner 0; a TTL node may
// have children; a ttl out of (0, 0xffffffffff] or on a non-TTL mode is BADARGUMENTS, and so
// is a plain create with a TTL mode (its ttl is -1).
func TestTTLNodes(t *testing.T) {
	f := &fixture{t: t, tree: NewDataTreeFor(Ensemble{ExtendedTypes: true})}
	f.expectErr(0, createTTL("/t", PersistentWithTTL, 0), ErrBadArguments)
	f.expectErr(0, createTTL("/t", PersistentWithTTL, -5), ErrBadArguments)
	f.expectErr(0, createTTL("/t", PersistentWithTTL, MaxTTLMs+1), ErrBadArguments)
	f.expectErr(0, createTTL("/t", Persistent, 1000), ErrBadArguments)
	f.expectErr(0, createMode("/t", PersistentWithTTL), ErrBadArguments)
	res, _ := f.must(0, createTTL("/t", PersistentWithTTL, 5000))
	if res.Path != "/t" || res.Stat.EphemeralOwner != 0 {
		t.Fatalf("create: %+v; want /t with ephemeralOwner 0 as clients see it", res)
	}
	if owner := f.tree.nodes["/t"].stat.EphemeralOwner; uint64(owner) != 0xff00000000000000|5000 {
		t.Fatalf("stored ephemeralOwner %#x, want 0xff00000000001388", uint64(owner))
	}
	if ttl, ok := TTLOf(f.tree.nodes["/t"].stat.EphemeralOwner); !ok || ttl != 5000 {
		t.Fatalf("TTLOf: %d %v", ttl, ok)
	}
	res, _ = f.must(0, createTTL("/s-", PersistentSequentialWithTTL, 7000))
	if res.Path != "/s-0000000001" {
		t.Fatalf("sequential TTL create: %q", res.Path)
	}
	f.must(0, create("/t/child", ""))
	if len(f.tree.Ephemerals(0)) != 0 {
		t.Fatal("a TTL node is not a session's ephemeral")
	}
	// A clone (a snapshot) keeps the setting.
	c := f.tree.Clone()
	if _, _ = c.Apply(&Txn{Zxid: f.zxid(), Op: createTTL("/u", PersistentWithTTL, 1)}); c.nodes["/u"] == nil {
		t.Fatal("a cloned tree lost extended types")
	}
}

// TestReapCandidates: ContainerManager.getCandidates: empty containers that have had a child
// (cversion > 0), and empty TTL nodes not changed for more than their ttl; sorted.
func TestReapCandidates(t *testing.T) {
	f := &fixture{t: t, tree: NewDataTreeFor(Ensemble{ExtendedTypes: true})}
	f.must(0, createMode("/c-never", Container))            // never had a child: kept
	f.must(0, createMode("/c-used", Container))             // had a child, now empty
	f.must(0, create("/c-used/x", ""))                      //
	f.must(0, del("/c-used/x", -1))                         //
	f.must(0, createMode("/c-busy", Container))             // has a child
	f.must(0, create("/c-busy/x", ""))                      //
	f.must(0, createTTL("/t-old", PersistentWithTTL, 1000)) // mtime 7000
	f.must(0, createTTL("/t-new", PersistentWithTTL, 100000))
	f.must(0, createTTL("/t-full", PersistentWithTTL, 1000))
	f.must(0, create("/t-full/x", ""))
	f.must(0, create("/p", ""))
	got := f.tree.ReapCandidates(20000)
	want := []string{"/c-used", "/t-old"}
	if !slices.Equal(got, want) {
		t.Fatalf("candidates %v, want %v", got, want)
	}
	// Exactly ttl after mtime is not yet expired (elapsed > ttl).
	if got := f.tree.ReapCandidates(7000 + 1000); slices.Contains(got, "/t-old") {
		t.Fatalf("candidates %v at mtime+ttl", got)
	}
	// deleteContainer removes them (any node that is not a session's ephemeral).
	f.must(0, Op{Type: OpDeleteContainer, Path: "/t-old"})
	f.must(0, Op{Type: OpDeleteContainer, Path: "/c-used"})
	f.expectErr(0, Op{Type: OpDeleteContainer, Path: "/t-full"}, ErrNotEmpty)
}
