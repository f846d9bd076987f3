package web

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zablab/zablab/engine"
)

// TestZKTTLNodes: with extended types on (ZooKeeper's zookeeper.extendedTypesEnabled),
// go-zookeeper's CreateTTL makes a TTL node (clients see ephemeralOwner 0), and the leader's
// ContainerManager deletes, through the quorum, an empty TTL node once its ttl has passed
// since its mtime and an empty container that has had a child; a TTL node with a child and
// a container that never had one stay. The event log says why.
func TestZKTTLNodes(t *testing.T) {
	l := startLabWith(t, 3, 1, func(o *Options) { o.ExtendedTypes, o.ContainerCheckIntervalMs = true, 300 })
	c, _ := l.connect(l.addr(1))
	defer c.Close()
	acl := zk.WorldACL(zk.PermAll)
	p, err := c.CreateTTL("/t", []byte("x"), zk.FlagTTL, acl, 500*time.Millisecond)
	if err != nil || p != "/t" {
		t.Fatalf("CreateTTL: %q %v", p, err)
	}
	if p, err := c.CreateTTL("/s-", nil, zk.FlagPersistentSequentialWithTTL, acl, 500*time.Millisecond); err != nil || p != "/s-0000000001" {
		t.Fatalf("CreateTTL sequential: %q %v", p, err)
	}
	if _, err := c.CreateTTL("/bad", nil, zk.FlagTTL, acl, 0); !errors.Is(err, zk.ErrBadArguments) {
		t.Fatalf("CreateTTL with ttl 0: %v, want BADARGUMENTS", err)
	}
	_, st, err := c.Get("/t")
	if err != nil || st.EphemeralOwner != 0 {
		t.Fatalf("get /t: %v, ephemeralOwner %#x (want 0)", err, st.EphemeralOwner)
	}
	mustCreate := func(path string, flags int32) {
		t.Helper()
		if _, err := c.Create(path, nil, flags, acl); err != nil {
			t.Fatalf("create %s: %v", path, err)
		}
	}
	if _, err := c.CreateTTL("/kept", nil, zk.FlagTTL, acl, 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	mustCreate("/kept/child", zk.FlagPersistent)
	if _, err := c.CreateContainer("/c", nil, zk.FlagContainer, acl); err != nil {
		t.Fatal(err)
	}
	mustCreate("/c/x", zk.FlagPersistent)
	if err := c.Delete("/c/x", -1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateContainer("/fresh", nil, zk.FlagContainer, acl); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		gone := 0
		for _, p := range []string{"/t", "/s-0000000001", "/c"} {
			if ok, _, err := c.Exists(p); err == nil && !ok {
				gone++
			}
		}
		if gone == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the expired TTL nodes and the used empty container were not deleted")
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, p := range []string{"/kept", "/kept/child", "/fresh"} {
		if ok, _, err := c.Exists(p); err != nil || !ok {
			t.Errorf("%s was deleted (%v)", p, err)
		}
	}
	events := call(t, l.ts, "GET", "/api/rooms/main/events?from=0&kinds=propose", "").raw
	for _, want := range []string{`"reap.ttl"`, `"reap.container"`} {
		if !strings.Contains(events, want) {
			t.Errorf("no propose event with reason %s", want)
		}
	}
}

// TestZKTTLOff: without extended types (ZooKeeper's default) a TTL create is UNIMPLEMENTED.
func TestZKTTLOff(t *testing.T) {
	l := startLab(t, 3, 1)
	c, _ := l.connect(l.addr(1))
	defer c.Close()
	if _, err := c.CreateTTL("/t", nil, zk.FlagTTL, zk.WorldACL(zk.PermAll), time.Second); err == nil || !strings.Contains(err.Error(), "unimplemented") && !strings.Contains(err.Error(), "-6") {
		t.Fatalf("CreateTTL: %v, want UNIMPLEMENTED", err)
	}
}

// TestZKPropertiesSurviveReset: the server's ZooKeeper properties (extended types, the
// container check interval, read-only mode) apply to room main after a reset and to sandbox
// rooms, as system properties apply to every server of a real ensemble.
func TestZKPropertiesSurviveReset(t *testing.T) {
	l := startLabWith(t, 3, 1, func(o *Options) { o.ExtendedTypes, o.ContainerCheckIntervalMs, o.ReadOnlyMode = true, 500, true })
	if r := call(t, l.ts, "POST", "/api/rooms/main/reset", `{"nodes": 3, "observers": 0, "seed": 2}`); r.status != 200 {
		t.Fatalf("reset: %d %s", r.status, r.raw)
	}
	var cfg engine.Config
	l.s.Main().do(func() (any, error) { cfg = l.s.Main().c.Config(); return nil, nil })
	if !cfg.ExtendedTypes || cfg.ContainerCheckIntervalMs != 500 || !cfg.ReadOnlyMode {
		t.Fatalf("after a reset: extendedTypes %v, containerCheckIntervalMs %d, readOnlyMode %v", cfg.ExtendedTypes, cfg.ContainerCheckIntervalMs, cfg.ReadOnlyMode)
	}
}
