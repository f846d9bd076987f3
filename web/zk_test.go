package web

import (
	"fmt"
	"net"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/describe"
)

// lab is a running room main with ZooKeeper ports, as `zablab serve` starts it.
type lab struct {
	s  *Server
	ts *httptest.Server
	zk *ZKPorts
	t  *testing.T
}

func startLab(t *testing.T, voters int, speed float64) *lab {
	t.Helper()
	return startLabWith(t, voters, speed, nil)
}

// startLabWith is startLab with the server's options changed by set (nil: none).
func startLabWith(t *testing.T, voters int, speed float64, set func(*Options)) *lab {
	t.Helper()
	l := &lab{t: t}
	var mu sync.Mutex
	o := Options{Addr: "127.0.0.1:0", Voters: voters, Seed: 11, Timing: engine.ZooKeeperTiming(),
		ZKPort: func(id int) int { mu.Lock(); defer mu.Unlock(); return l.zk.Port(id) }}
	if set != nil {
		set(&o)
	}
	s, err := NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	z, warnings := StartZKPorts(s.Main(), "127.0.0.1", -1, voters, t.Logf)
	if len(warnings) > 0 {
		t.Fatal(warnings)
	}
	mu.Lock()
	l.s, l.zk = s, z
	mu.Unlock()
	l.ts = httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		z.Close()
		l.ts.Close()
		s.Shutdown(t.Context())
	})
	if speed != 1 {
		call(t, l.ts, "POST", "/api/rooms/main/speed", fmt.Sprintf(`{"speed": %g}`, speed))
	}
	waitLeader(t, l.ts, "main")
	return l
}

func (l *lab) addr(id int) string { return fmt.Sprintf("127.0.0.1:%d", l.zk.Port(id)) }

func (l *lab) addrs() []string {
	var out []string
	for id := 1; id <= l.s.Main().size(); id++ {
		out = append(out, l.addr(id))
	}
	return out
}

func (l *lab) leader() int {
	v := call(l.t, l.ts, "GET", "/api/rooms/main", "")
	return int(v.body["leader"].(float64))
}

func (l *lab) connect(servers ...string) (*zk.Conn, <-chan zk.Event) {
	l.t.Helper()
	c, ev, err := zk.Connect(servers, 8*time.Second, zk.WithLogInfo(false), zk.WithLogger(quiet{}))
	if err != nil {
		l.t.Fatal(err)
	}
	deadline := time.After(15 * time.Second)
	for c.State() != zk.StateHasSession {
		select {
		case <-ev:
		case <-deadline:
			l.t.Fatalf("no session with %v (state %v)", servers, c.State())
		}
	}
	l.t.Cleanup(c.Close)
	return c, ev
}

// treeHas reports whether server id's tree holds path (via the HTTP API).
func (l *lab) treeHas(id int, path string) bool {
	r := call(l.t, l.ts, "GET", fmt.Sprintf("/api/rooms/main/nodes/%d/tree", id), "")
	return strings.Contains(r.raw, `"path":"`+path+`"`)
}

func TestZKEveryOperation(t *testing.T) {
	l := startLab(t, 3, 1)
	c, _ := l.connect(l.addr(1))
	acl := zk.WorldACL(zk.PermAll)
	if p, err := c.Create("/app", []byte("v1"), 0, acl); err != nil || p != "/app" {
		t.Fatalf("create: %q %v", p, err)
	}
	if _, err := c.Create("/app", nil, 0, acl); err != zk.ErrNodeExists {
		t.Fatalf("create twice: %v", err)
	}
	if _, err := c.Create("/nope/child", nil, 0, acl); err != zk.ErrNoNode {
		t.Fatalf("create under missing parent: %v", err)
	}
	seq1, err := c.Create("/app/job-", []byte("a"), zk.FlagSequence, acl)
	if err != nil || seq1 != "/app/job-0000000000" {
		t.Fatalf("sequential: %q %v", seq1, err)
	}
	seq2, _ := c.Create("/app/job-", []byte("b"), zk.FlagSequence|zk.FlagEphemeral, acl)
	if seq2 != "/app/job-0000000001" {
		t.Fatalf("ephemeral sequential: %q", seq2)
	}
	if _, err := c.Create(seq2+"/x", nil, 0, acl); err != zk.ErrNoChildrenForEphemerals {
		t.Fatalf("child of ephemeral: %v", err)
	}
	if p, err := c.CreateContainer("/box", nil, zk.FlagContainer, acl); err != nil || p != "/box" {
		t.Fatalf("container: %q %v", p, err)
	}
	data, st, err := c.Get("/app")
	if err != nil || string(data) != "v1" || st.Version != 0 || st.NumChildren != 2 || st.Czxid == 0 {
		t.Fatalf("get: %q %+v %v", data, st, err)
	}
	st2, err := c.Set("/app", []byte("v2"), 0)
	if err != nil || st2.Version != 1 || st2.Mzxid <= st.Mzxid {
		t.Fatalf("set: %+v %v", st2, err)
	}
	if _, err := c.Set("/app", []byte("v3"), 0); err != zk.ErrBadVersion {
		t.Fatalf("set with stale version: %v", err)
	}
	ok, est, err := c.Exists("/app")
	if !ok || err != nil || est.Version != 1 {
		t.Fatalf("exists: %v %+v %v", ok, est, err)
	}
	if ok, _, err := c.Exists("/missing"); ok || err != nil {
		t.Fatalf("exists missing: %v %v", ok, err)
	}
	kids, cst, err := c.Children("/app")
	sort.Strings(kids)
	if err != nil || len(kids) != 2 || kids[0] != "job-0000000000" || cst.NumChildren != 2 {
		t.Fatalf("children: %v %+v %v", kids, cst, err)
	}
	if _, err := c.Sync("/app"); err != nil {
		t.Fatalf("sync: %v", err)
	}
	acls, _, err := c.GetACL("/app")
	if err != nil || len(acls) != 1 || acls[0].Scheme != "world" {
		t.Fatalf("getACL: %v %v", acls, err)
	}
	if _, err := c.SetACL("/app", acl, 0); err != nil {
		t.Fatalf("setACL: %v", err)
	}
	// multi: success, then a failure with ZooKeeper's per-op results and nothing applied.
	res, err := c.Multi(&zk.CreateRequest{Path: "/m1", Data: []byte("x"), Acl: acl},
		&zk.SetDataRequest{Path: "/app", Data: []byte("v4"), Version: 1},
		&zk.CheckVersionRequest{Path: "/app", Version: 2})
	if err != nil || len(res) != 3 || res[0].String != "/m1" {
		t.Fatalf("multi: %+v %v", res, err)
	}
	res, err = c.Multi(&zk.CreateRequest{Path: "/m2", Acl: acl}, &zk.DeleteRequest{Path: "/nothing", Version: -1},
		&zk.CreateRequest{Path: "/m3", Acl: acl})
	if err != zk.ErrNoNode || len(res) != 3 || res[0].Error != nil || res[1].Error != zk.ErrNoNode || res[2].Error == nil {
		t.Fatalf("failed multi: %+v %v", res, err)
	}
	if ok, _, _ := c.Exists("/m2"); ok {
		t.Fatal("a failed multi applied its first op")
	}
	if err := c.Delete("/app/job-0000000000", 5); err != zk.ErrBadVersion {
		t.Fatalf("delete bad version: %v", err)
	}
	if err := c.Delete("/app", -1); err != zk.ErrNotEmpty {
		t.Fatalf("delete non-empty: %v", err)
	}
	if err := c.Delete("/app/job-0000000000", -1); err != nil {
		t.Fatalf("delete: %v", err)
	}
	// The writes reached every server.
	for id := 1; id <= 3; id++ {
		deadline := time.Now().Add(5 * time.Second)
		for !l.treeHas(id, "/m1") && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if !l.treeHas(id, "/m1") || l.treeHas(id, "/m2") {
			t.Fatalf("server %d's tree does not match", id)
		}
	}
}

func TestZKWatches(t *testing.T) {
	l := startLab(t, 3, 1)
	c, _ := l.connect(l.addr(2))
	acl := zk.WorldACL(zk.PermAll)
	c.Create("/w", []byte("0"), 0, acl)
	_, _, dataW, err := c.GetW("/w")
	if err != nil {
		t.Fatal(err)
	}
	_, _, existW, _ := c.ExistsW("/w/new")
	_, _, childW, _ := c.ChildrenW("/w")
	other, _ := l.connect(l.addr(3))
	other.Set("/w", []byte("1"), -1)
	other.Create("/w/new", nil, 0, acl)
	want := []struct {
		ch  <-chan zk.Event
		typ zk.EventType
		p   string
	}{{dataW, zk.EventNodeDataChanged, "/w"}, {existW, zk.EventNodeCreated, "/w/new"}, {childW, zk.EventNodeChildrenChanged, "/w"}}
	for _, w := range want {
		select {
		case ev := <-w.ch:
			if ev.Type != w.typ || ev.Path != w.p {
				t.Fatalf("watch: got %v %s, want %v %s", ev.Type, ev.Path, w.typ, w.p)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("watch %v on %s never fired", w.typ, w.p)
		}
	}
}

func TestZKSessionSurvivesServerCrash(t *testing.T) {
	l := startLab(t, 3, 1)
	c, _ := l.connect(l.addrs()...)
	acl := zk.WorldACL(zk.PermAll)
	if _, err := c.Create("/eph", nil, zk.FlagEphemeral, acl); err != nil {
		t.Fatal(err)
	}
	sid := c.SessionID()
	server := c.Server()
	id := 0
	for i := 1; i <= 3; i++ {
		if l.addr(i) == server {
			id = i
		}
	}
	if r := call(t, l.ts, "POST", fmt.Sprintf("/api/rooms/main/nodes/%d/crash", id), ""); r.status != 200 {
		t.Fatalf("crash: %s", r.raw)
	}
	deadline := time.Now().Add(20 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		if _, err = c.Create("/after-crash", nil, 0, acl); err == nil || err == zk.ErrNodeExists {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil && err != zk.ErrNodeExists {
		v := call(t, l.ts, "GET", "/api/rooms/main", "")
		for _, n := range v.body["nodes"].([]any) {
			m := n.(map[string]any)
			t.Logf("server %v: %v %v last %v reason %v", m["id"], m["state"], m["phase"], m["lastCommittedZxid"], m["reason"])
		}
		h := l.s.Main().hub
		h.mu.Lock()
		for _, e := range h.history {
			if (e.Node == 2 || e.Peer == 2) && e.Kind != engine.EvVote && e.Packet != engine.Ping {
				t.Logf("%9.3f %s", float64(e.TimeUs)/1000, describe.Event(&e, engine.En))
			}
		}
		h.mu.Unlock()
		t.Fatalf("no write after the crash: %v", err)
	}
	if c.SessionID() != sid || c.Server() == server {
		t.Fatalf("want the same session on another server: session %x→%x, server %s→%s", sid, c.SessionID(), server, c.Server())
	}
	if ok, _, _ := c.Exists("/eph"); !ok {
		t.Fatal("the session's ephemeral node is gone although the session lives")
	}
}

func TestZKWritesContinueAfterLeaderCrash(t *testing.T) {
	l := startLab(t, 5, 1)
	c, _ := l.connect(l.addrs()...)
	acl := zk.WorldACL(zk.PermAll)
	var acked []string
	for i := 0; i < 10; i++ {
		p := fmt.Sprintf("/before-%d", i)
		if _, err := c.Create(p, nil, 0, acl); err == nil {
			acked = append(acked, p)
		}
	}
	call(t, l.ts, "POST", fmt.Sprintf("/api/rooms/main/nodes/%d/crash", l.leader()), "")
	for i := 0; i < 10; i++ {
		p := fmt.Sprintf("/after-%d", i)
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			_, err := c.Create(p, nil, 0, acl)
			if err == nil || err == zk.ErrNodeExists {
				acked = append(acked, p)
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if len(acked) != 20 {
		t.Fatalf("only %d of 20 writes acknowledged", len(acked))
	}
	c.Sync("/")
	for _, p := range acked {
		if ok, _, err := c.Exists(p); !ok || err != nil {
			t.Fatalf("acknowledged write %s missing (%v)", p, err)
		}
	}
	v := call(t, l.ts, "GET", "/api/rooms/main", "")
	if n := len(v.body["violations"].([]any)); n != 0 {
		t.Fatalf("checker found %d violations: %v", n, v.body["violations"])
	}
}

// rawConnect speaks the handshake by hand, for what go-zookeeper cannot be made to do.
func rawConnect(t *testing.T, addr string, lastZxid int64, session int64, passwd []byte) (net.Conn, []byte, error) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if passwd == nil {
		passwd = make([]byte, 16)
	}
	body := make([]byte, 0, 64)
	body = be32(body, 0)
	body = be64(body, lastZxid)
	body = be32(body, 6000)
	body = be64(body, session)
	body = be32(body, int32(len(passwd)))
	body = append(body, passwd...)
	frame := be32(nil, int32(len(body)))
	nc.Write(append(frame, body...))
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	n, err := nc.Read(buf)
	return nc, buf[:n], err
}

func be32(b []byte, v int32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

func be64(b []byte, v int64) []byte { return be32(be32(b, int32(v>>32)), int32(v)) }

func TestZKLastZxidSeenRefusal(t *testing.T) {
	l := startLab(t, 3, 1)
	nc, got, err := rawConnect(t, l.addr(1), 0x7fff_0000_0000_0000, 0, nil)
	defer nc.Close()
	if err == nil || len(got) != 0 {
		t.Fatalf("a server behind the client must close without a response; got %d bytes, err %v", len(got), err)
	}
	nc2, got2, err := rawConnect(t, l.addr(1), 0, 0, nil)
	defer nc2.Close()
	if err != nil || len(got2) < 4+4+4+8 {
		t.Fatalf("a fresh client gets a session: %v %d bytes", err, len(got2))
	}
}

type quiet struct{}

func (quiet) Printf(string, ...any) {}

func TestZKSessionExpires(t *testing.T) {
	l := startLab(t, 3, 4) // simulated time runs 4× faster: the timeout passes sooner
	nc, resp, err := rawConnect(t, l.addr(1), 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	sid := int64(0)
	for _, b := range resp[12:20] {
		sid = sid<<8 | int64(b)
	}
	// Create an ephemeral over the raw connection, then vanish without closing the session.
	body := be32(be32(nil, 1), 1) // xid 1, create
	body = be32(body, 4)
	body = append(body, "/eph"...)
	body = be32(body, 0)             // data
	body = be32(body, 1)             // one ACL
	body = be32(body, 31)            // perms
	body = be32(body, 5)             //
	body = append(body, "world"...)  //
	body = be32(body, 6)             //
	body = append(body, "anyone"...) //
	body = be32(body, 1)             // ephemeral
	nc.Write(append(be32(nil, int32(len(body))), body...))
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 256)
	if n, err := nc.Read(buf); err != nil || n < 20 || buf[19] != 0 || buf[18] != 0 {
		t.Fatalf("create ephemeral: %v % x", err, buf[:n])
	}
	nc.Close()
	// The session times out (6 s requested, clamped to [4 s, 40 s] by tickTime 2000) and the
	// leader expires it: the ephemeral goes on every server.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && l.treeHas(1, "/eph") {
		time.Sleep(100 * time.Millisecond)
	}
	if l.treeHas(1, "/eph") {
		t.Fatal("the ephemeral of a vanished session was never removed")
	}
	// Reattaching the expired session gets the expired answer (zero session id).
	nc2, got, _ := rawConnect(t, l.addr(2), 0, sid, sessionPassword(sid))
	defer nc2.Close()
	if len(got) < 20 || got[8] != 0 || got[15] != 0 {
		t.Fatalf("want an expired-session response, got % x", got)
	}
}

func TestZKSyncThenRead(t *testing.T) {
	l := startLab(t, 3, 1)
	leader := l.leader()
	follower := 1
	if leader == 1 {
		follower = 2
	}
	w, _ := l.connect(l.addr(leader))
	r, _ := l.connect(l.addr(follower))
	acl := zk.WorldACL(zk.PermAll)
	w.Create("/fresh", []byte("0"), 0, acl)
	for i := 1; i <= 20; i++ {
		if _, err := w.Set("/fresh", []byte(fmt.Sprint(i)), -1); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Sync("/fresh"); err != nil {
			t.Fatal(err)
		}
		data, _, err := r.Get("/fresh")
		if err != nil || string(data) != fmt.Sprint(i) {
			t.Fatalf("sync then read at the follower: got %q want %d (%v)", data, i, err)
		}
	}
}

func TestZKBadPacketClosesOnlyItsConnection(t *testing.T) {
	l := startLab(t, 3, 1)
	good, _ := l.connect(l.addr(1))
	for _, bad := range [][]byte{
		be32(nil, -5),                          // negative length
		be32(nil, 5<<20),                       // oversized
		append(be32(nil, 8), 0, 0, 0, 1, 0, 0), // truncated connect
	} {
		nc, err := net.Dial("tcp", l.addr(1))
		if err != nil {
			t.Fatal(err)
		}
		nc.Write(bad)
		nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := nc.Read(make([]byte, 64)); err == nil {
			t.Fatalf("bad packet %x got a %d-byte answer", bad, n)
		}
		nc.Close()
	}
	// A malformed request after a good handshake closes that connection too.
	nc, _, err := rawConnect(t, l.addr(1), 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	req := be32(be32(nil, 7), 4) // getData with no body
	nc.Write(append(be32(nil, int32(len(req))), req...))
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := nc.Read(make([]byte, 64)); err == nil {
		t.Fatal("a malformed request should close its connection")
	}
	nc.Close()
	if _, err := good.Create("/still-fine", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatalf("another client suffered: %v", err)
	}
}

// A room reset replaces the cluster: its real clients' connections end (their sessions are
// gone), rather than living on in a cluster that no longer exists.
func TestZKConnectionsEndOnReset(t *testing.T) {
	l := startLab(t, 3, 1)
	c, ev := l.connect(l.addr(1))
	if _, err := c.Create("/before-reset", nil, zk.FlagEphemeral, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	if r := call(t, l.ts, "POST", "/api/rooms/main/reset", `{"nodes":3,"seed":2}`); r.status != 200 {
		t.Fatalf("reset: %s", r.raw)
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-ev:
			if e.State == zk.StateDisconnected || e.State == zk.StateExpired {
				return
			}
		case <-deadline:
			t.Fatal("the client's connection outlived the reset of its cluster")
		}
	}
}
