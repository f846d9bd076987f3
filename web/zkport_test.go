package web

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zablab/zablab/engine/zkdb"
	"github.com/zablab/zablab/web/zkwire"
)

// This file checks the client port against what ZooKeeper 3.8 does, with raw frames where
// go-zookeeper cannot send or show what matters.

// rawConn is a session spoken frame by frame.
type rawConn struct {
	t  *testing.T
	nc net.Conn
}

// rawSession opens a new session on addr.
func rawSession(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, got, err := rawConnect(t, addr, 0, 0, nil)
	if err != nil || len(got) < 4+4+4+8 {
		t.Fatalf("connect: %v (%d bytes)", err, len(got))
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc}
}

// send writes one request frame: header (xid, op) and body.
func (c *rawConn) send(xid int32, op zkdb.OpType, body []byte) {
	c.t.Helper()
	payload := be32(be32(nil, xid), int32(op))
	payload = append(payload, body...)
	if _, err := c.nc.Write(append(be32(nil, int32(len(payload))), payload...)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// rawReply is a decoded reply header and its body.
type rawReply struct {
	xid  int32
	zxid zkdb.Zxid
	err  zkdb.Err
	body []byte
}

// read reads the next reply that is not a notification; ok is false if the server closed
// the connection.
func (c *rawConn) read() (r rawReply, ok bool) {
	c.t.Helper()
	for {
		c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		frame, err := zkwire.ReadFrame(c.nc, 0)
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF || isReset(err) {
				return rawReply{}, false
			}
			c.t.Fatalf("read: %v", err)
		}
		if len(frame) < zkwire.ReplyHeaderSize {
			c.t.Fatalf("short reply % x", frame)
		}
		r = rawReply{xid: int32(binary.BigEndian.Uint32(frame)), zxid: zkdb.Zxid(binary.BigEndian.Uint64(frame[4:])),
			err: zkdb.Err(int32(binary.BigEndian.Uint32(frame[12:]))), body: frame[16:]}
		if r.xid != zkwire.XidNotification {
			return r, true
		}
	}
}

// call sends a request and reads its reply, which must carry the same xid.
func (c *rawConn) call(xid int32, op zkdb.OpType, body []byte) rawReply {
	c.t.Helper()
	c.send(xid, op, body)
	r, ok := c.read()
	if !ok {
		c.t.Fatalf("op %v (xid %d): the server closed the connection", op, xid)
	}
	if r.xid != xid {
		c.t.Fatalf("op %v: reply xid %d, want %d", op, r.xid, xid)
	}
	return r
}

// closed reports whether the server closes the connection without another reply.
func (c *rawConn) closed() bool {
	c.t.Helper()
	r, ok := c.read()
	if ok {
		c.t.Logf("unexpected reply %+v", r)
	}
	return !ok
}

func isReset(err error) bool {
	var ne *net.OpError
	if e, ok := err.(*net.OpError); ok {
		ne = e
	}
	return ne != nil && !ne.Timeout()
}

func str(b []byte, s string) []byte { return append(be32(b, int32(len(s))), s...) }

func nullStr(b []byte) []byte { return be32(b, -1) }

// acl appends a vector of one ACL.
func aclOpen(b []byte) []byte { return str(str(be32(be32(b, 1), 31), "world"), "anyone") }

// createBody is a CreateRequest (path, data, ACL, flags).
func createBody(path string, data []byte, mode zkdb.CreateMode) []byte {
	b := str(nil, path)
	b = be32(b, int32(len(data)))
	b = append(b, data...)
	b = aclOpen(b)
	return be32(b, int32(mode))
}

// TestZKNullStrings: kazoo's CREATOR_ALL_ACL writes the id as a null string; ZooKeeper reads
// it (and refuses the ACL without an authenticated id: INVALIDACL), the connection stays.
// A null path is MARSHALLINGERROR: at once for a read, in an error txn (using a zxid) for a
// write.
func TestZKNullStrings(t *testing.T) {
	l := startLab(t, 3, 1)
	c := rawSession(t, l.addr(1))
	b := str(nil, "/kazoo")
	b = be32(b, -1)                                // null data
	b = nullStr(str(be32(be32(b, 1), 31), "auth")) // auth scheme, null id
	b = be32(b, 0)
	if r := c.call(1, zkdb.OpCreate, b); r.err != zkdb.ErrInvalidACL {
		t.Fatalf("create with CREATOR_ALL_ACL and no auth: %v, want INVALIDACL", r.err)
	}
	if r := c.call(2, zkdb.OpExists, append(nullStr(nil), 0)); r.err != zkdb.ErrMarshallingError {
		t.Fatalf("exists(null): %v, want MARSHALLINGERROR", r.err)
	}
	r := c.call(3, zkdb.OpExists, append(str(nil, "/"), 0))
	if r.err != zkdb.OK {
		t.Fatalf("the connection must stay usable: %v", r.err)
	}
	w := c.call(4, zkdb.OpSetData, be32(be32(nullStr(nil), 0), -1))
	if w.err != zkdb.ErrMarshallingError || w.zxid <= r.zxid {
		t.Fatalf("setData(null): %v zxid %v, want MARSHALLINGERROR in a txn after %v", w.err, w.zxid, r.zxid)
	}
}

// TestZKSystemNodesAndCversion: the built-in nodes and cversion as a real ZooKeeper 3.8
// ensemble shows them through go-zookeeper.
func TestZKSystemNodesAndCversion(t *testing.T) {
	l := startLab(t, 3, 1)
	c, _ := l.connect(l.addr(2))
	for _, p := range []string{"/", "/zookeeper", "/zookeeper/quota"} {
		data, _, err := c.Get(p)
		if err != nil || data == nil || len(data) != 0 {
			t.Fatalf("get %s: %#v %v, want empty bytes", p, data, err)
		}
	}
	_, st, _ := c.Get("/")
	if st.Cversion != -1 || st.NumChildren != 1 {
		t.Fatalf("/ stat %+v, want cversion -1", st)
	}
	_, st, _ = c.Get("/zookeeper")
	if st.Cversion != -2 || st.NumChildren != 2 {
		t.Fatalf("/zookeeper stat %+v, want cversion -2, 2 children", st)
	}
	data, st, err := c.Get("/zookeeper/config")
	want := "server.1=127.0.0.1:2888:3888:participant\nserver.2=127.0.0.1:2889:3889:participant\n" +
		"server.3=127.0.0.1:2890:3890:participant\nversion=0"
	if err != nil || string(data) != want || st.Version != -1 || st.Aversion != -1 {
		t.Fatalf("config %q %+v %v", data, st, err)
	}
	// A delete counts as a child change.
	acl := zk.WorldACL(zk.PermAll)
	c.Create("/p", nil, 0, acl)
	c.Create("/p/a", nil, 0, acl)
	c.Create("/p/b", nil, 0, acl)
	c.Delete("/p/a", -1)
	if _, st, _ = c.Get("/p"); st.Cversion != 3 || st.NumChildren != 1 {
		t.Fatalf("/p after 2 creates and a delete: %+v", st)
	}
	// Sequential names still count creates only.
	if name, err := c.Create("/p/s-", nil, zk.FlagSequence, acl); err != nil || name != "/p/s-0000000002" {
		t.Fatalf("sequential %q %v", name, err)
	}
	// A container reads ephemeralOwner 0.
	if _, err := c.CreateContainer("/box", nil, zk.FlagContainer, acl); err != nil {
		t.Fatal(err)
	}
	if _, st, _ = c.Get("/box"); st.EphemeralOwner != 0 {
		t.Fatalf("container ephemeralOwner %#x, want 0", st.EphemeralOwner)
	}
}

// TestZKZxidAccounting: refused writes that ZooKeeper turns into error txns use a zxid
// (createTTL without extended types, reconfig while disabled), reads and closeSession carry
// the server's last zxid, and an unknown opcode is UNIMPLEMENTED with zxid -1, then the
// connection closes (UnimplementedRequestProcessor).
func TestZKZxidAccounting(t *testing.T) {
	l := startLab(t, 3, 1)
	c := rawSession(t, l.addr(l.leader()))
	r := c.call(1, zkdb.OpCreate, createBody("/a", nil, zkdb.Persistent))
	if r.err != zkdb.OK {
		t.Fatalf("create: %v", r.err)
	}
	z := r.zxid
	ttl := func(mode zkdb.CreateMode) []byte { return be64(createBody("/t", nil, mode), 1000) }
	steps := []struct {
		op   zkdb.OpType
		body []byte
		err  zkdb.Err
		zxid zkdb.Zxid
	}{
		{zkdb.OpCreateTTL, ttl(zkdb.Persistent), zkdb.ErrBadArguments, z + 1},
		{zkdb.OpCreateTTL, ttl(zkdb.PersistentWithTTL), zkdb.ErrUnimplemented, z + 2},
		{zkdb.OpCreate, createBody("/t", nil, zkdb.PersistentWithTTL), zkdb.ErrUnimplemented, z + 3},
		{zkdb.OpReconfig, be64(nullStr(nullStr(str(nil, "server.4=127.0.0.1:2891:3891;2185"))), -1), zkdb.ErrReconfigDisabled, z + 4},
		{zkdb.OpGetData, append(str(nil, "/a"), 0), zkdb.OK, z + 4},
		{zkdb.OpCreate, createBody("/b", nil, zkdb.Persistent), zkdb.OK, z + 5},
		{zkdb.OpExists, append(str(nil, "/nope"), 0), zkdb.ErrNoNode, z + 5},
		{zkdb.OpCloseSession, nil, zkdb.OK, z + 6},
	}
	for i, s := range steps {
		r := c.call(int32(i+2), s.op, s.body)
		if r.err != s.err || r.zxid != s.zxid {
			t.Fatalf("step %d (%v): %v zxid %v, want %v zxid %v", i, s.op, r.err, r.zxid, s.err, s.zxid)
		}
	}
	if !c.closed() {
		t.Fatal("the connection stays open after closeSession")
	}
	// An opcode ZooKeeper does not know.
	c = rawSession(t, l.addr(1))
	if r := c.call(7, 55, nil); r.err != zkdb.ErrUnimplemented || r.zxid != -1 {
		t.Fatalf("unknown opcode: %v zxid %v, want UNIMPLEMENTED zxid -1", r.err, r.zxid)
	}
	if !c.closed() {
		t.Fatal("the connection stays open after an unknown opcode")
	}
}

// TestZKPathOrder: path checks in ZooKeeper 3.8's order, through the port.
func TestZKPathOrder(t *testing.T) {
	l := startLab(t, 3, 1)
	c := rawSession(t, l.addr(1))
	if r := c.call(1, zkdb.OpCreate, createBody("/a", nil, zkdb.Persistent)); r.err != zkdb.OK {
		t.Fatal(r.err)
	}
	del := func(p string) []byte { return be32(str(nil, p), -1) }
	steps := []struct {
		op   zkdb.OpType
		body []byte
		want zkdb.Err
	}{
		{zkdb.OpCreate, createBody("/missing/\x01", nil, zkdb.Persistent), zkdb.ErrNoNode},
		{zkdb.OpCreate, createBody("/a/\x01", nil, zkdb.Persistent), zkdb.ErrBadArguments},
		{zkdb.OpCreate, createBody("/missing/x\x00", nil, zkdb.Persistent), zkdb.ErrBadArguments},
		{zkdb.OpCreate, createBody("//a", nil, zkdb.Persistent), zkdb.ErrBadArguments},
		{zkdb.OpCreate, createBody("a", nil, zkdb.Persistent), zkdb.ErrBadArguments},
		{zkdb.OpCreate, createBody("/a/\xed\xa0\x80", nil, zkdb.Persistent), zkdb.ErrBadArguments},
		{zkdb.OpDelete, del("/a/"), zkdb.ErrNoNode},
		{zkdb.OpDelete, del("/a/.."), zkdb.ErrNoNode},
		{zkdb.OpDelete, del("a"), zkdb.ErrBadArguments},
		{zkdb.OpSetData, be32(be32(str(nil, "/a/"), 0), -1), zkdb.ErrBadArguments},
		{zkdb.OpExists, append(str(nil, "/a\x00"), 0), zkdb.ErrBadArguments},
		{zkdb.OpGetData, append(str(nil, "/a\x00"), 0), zkdb.ErrNoNode},
		{zkdb.OpExists, append(str(nil, "/a/"), 0), zkdb.ErrNoNode},
		{zkdb.OpGetData, append(str(nil, ""), 0), zkdb.OK},
		{zkdb.OpGetChildren, append(str(nil, ""), 0), zkdb.OK},
	}
	for i, s := range steps {
		if r := c.call(int32(i+2), s.op, s.body); r.err != s.want {
			t.Errorf("step %d (%v): %v, want %v", i, s.op, r.err, s.want)
		}
	}
}

// TestZKFrameLimit: ZooKeeper closes the connection when a request frame announces more
// than jute.maxbuffer (1,048,575) bytes; a frame of exactly that size is served.
func TestZKFrameLimit(t *testing.T) {
	l := startLab(t, 3, 1)
	c := rawSession(t, l.addr(1))
	if r := c.call(1, zkdb.OpCreate, createBody("/a", nil, zkdb.Persistent)); r.err != zkdb.OK {
		t.Fatal(r.err)
	}
	setData := func(n int) []byte { // a body that makes a frame of 8+22-8+n = n+22 bytes
		b := be32(str(nil, "/a"), int32(n))
		return be32(append(b, make([]byte, n)...), -1)
	}
	if r := c.call(2, zkdb.OpSetData, setData(1_048_553)); r.err != zkdb.OK { // 1,048,575 bytes
		t.Fatalf("setData in a frame of jute.maxbuffer bytes: %v", r.err)
	}
	// 1,048,576 bytes: the server may close the connection before the whole frame is
	// written, so a failed write is part of the expected outcome.
	payload := append(be32(be32(nil, 3), int32(zkdb.OpSetData)), setData(1_048_554)...)
	if _, err := c.nc.Write(append(be32(nil, int32(len(payload))), payload...)); err != nil {
		return // closed while the frame was still being written
	}
	if !c.closed() {
		t.Fatal("a frame over jute.maxbuffer must close the connection")
	}
}

// multiHeader appends a MultiHeader.
func multiHeader(b []byte, typ zkdb.OpType, done bool, err int32) []byte {
	b = be32(b, int32(typ))
	if done {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return be32(b, err)
}

// multiResults decodes the MultiHeaders of a multi reply body, skipping each result's body.
func multiResults(t *testing.T, b []byte) (types []zkdb.OpType, errs []zkdb.Err) {
	t.Helper()
	skipStr := func() { n := int(int32(binary.BigEndian.Uint32(b))); b = b[4+max(n, 0):] }
	for {
		typ := zkdb.OpType(int32(binary.BigEndian.Uint32(b)))
		done := b[4] != 0
		err := zkdb.Err(int32(binary.BigEndian.Uint32(b[5:])))
		b = b[9:]
		if done {
			return types, errs
		}
		types, errs = append(types, typ), append(errs, err)
		switch typ {
		case zkdb.OpCreate:
			skipStr()
		case zkdb.OpCreate2:
			skipStr()
			b = b[zkwire.StatSize:]
		case zkdb.OpSetData:
			b = b[zkwire.StatSize:]
		case zkdb.OpError:
			b = b[4:]
		}
	}
}

// TestZKMultiResults: result types and per-op errors of multi as ZooKeeper 3.8 sends them.
// Inside a multi the type of a create comes from its mode (MultiOperationRecord): a
// container create gets a create2 result, a create2 op a plain create result.
func TestZKMultiResults(t *testing.T) {
	l := startLab(t, 3, 1)
	c := rawSession(t, l.addr(1))
	b := multiHeader(nil, zkdb.OpCreateContainer, false, -1)
	b = append(b, createBody("/c", nil, zkdb.Container)...)
	b = multiHeader(b, zkdb.OpCreate2, false, -1)
	b = append(b, createBody("/d", nil, zkdb.Persistent)...)
	b = multiHeader(b, zkdb.OpCreate, false, -1)
	b = append(b, createBody("/c/x", nil, zkdb.Container)...)
	b = multiHeader(b, -1, true, -1)
	r := c.call(1, zkdb.OpMulti, b)
	types, errs := multiResults(t, r.body)
	if r.err != zkdb.OK || len(types) != 3 || types[0] != zkdb.OpCreate2 || types[1] != zkdb.OpCreate || types[2] != zkdb.OpCreate2 {
		t.Fatalf("multi: %v, result types %v errs %v; want [create2 create create2]", r.err, types, errs)
	}
	// A failed multi: OK for the ops before the failure, its code, RUNTIMEINCONSISTENCY after.
	b = multiHeader(nil, zkdb.OpCreate, false, -1)
	b = append(b, createBody("/e", nil, zkdb.Persistent)...)
	b = multiHeader(b, zkdb.OpCreate, false, -1)
	b = append(b, createBody("/d", nil, zkdb.Persistent)...)
	b = multiHeader(b, zkdb.OpDelete, false, -1)
	b = be32(str(b, "/d"), -1)
	b = multiHeader(b, -1, true, -1)
	r = c.call(2, zkdb.OpMulti, b)
	types, errs = multiResults(t, r.body)
	wantErrs := []zkdb.Err{zkdb.OK, zkdb.ErrNodeExists, zkdb.ErrRuntimeInconsistency}
	if r.err != zkdb.OK || len(types) != 3 || types[0] != zkdb.OpError || types[1] != zkdb.OpError || types[2] != zkdb.OpError ||
		errs[0] != wantErrs[0] || errs[1] != wantErrs[1] || errs[2] != wantErrs[2] {
		t.Fatalf("failed multi: %v, types %v errs %v; want all error results with %v", r.err, types, errs, wantErrs)
	}
	if r := c.call(3, zkdb.OpExists, append(str(nil, "/e"), 0)); r.err != zkdb.ErrNoNode {
		t.Fatalf("a failed multi applied an op: %v", r.err)
	}
}

// TestZKCrashedServerRefusesConnections: while a server is down its client port refuses TCP
// connections, as a crashed ZooKeeper's does; after a restart it listens on the same port.
func TestZKCrashedServerRefusesConnections(t *testing.T) {
	l := startLab(t, 3, 1)
	addr := l.addr(3)
	call(t, l.ts, "POST", "/api/rooms/main/nodes/3/crash", "")
	if nc, err := net.Dial("tcp", addr); err == nil {
		nc.Close()
		t.Fatalf("a crashed server's port %s accepts connections", addr)
	}
	if l.addr(3) != addr {
		t.Fatalf("the port changed while down: %s → %s", addr, l.addr(3))
	}
	call(t, l.ts, "POST", "/api/rooms/main/nodes/3/restart", "")
	c, _ := l.connect(addr)
	if _, _, err := c.Get("/"); err != nil {
		t.Fatalf("after the restart: %v", err)
	}
	// A reset while a server is down: the new cluster's servers all run, so all listen.
	call(t, l.ts, "POST", "/api/rooms/main/nodes/3/crash", "")
	if r := call(t, l.ts, "POST", "/api/rooms/main/reset", `{"nodes":3,"seed":2}`); r.status != 200 {
		t.Fatalf("reset: %s", r.raw)
	}
	waitLeader(t, l.ts, "main")
	deadline := time.Now().Add(5 * time.Second)
	for {
		nc, err := net.Dial("tcp", addr)
		if err == nil {
			nc.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server 3 does not listen after the reset: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestZKNoQuorum follows go-zookeeper's TestIntegration_NoQuorum: with the servers of the
// session crashed one after the other, the client reports StateDisconnected only from the
// one server left (the dead ones refuse TCP), and gets its session back once quorum returns.
func TestZKNoQuorum(t *testing.T) {
	l := startLab(t, 3, 1)
	c, ev := l.connect(l.addrs()...)
	events := make(chan zk.Event, 256)
	go func() {
		for e := range ev {
			events <- e
		}
		close(events)
	}()
	waitFor := func(state zk.State, d time.Duration) *zk.Event {
		deadline := time.After(d)
		for {
			select {
			case e, ok := <-events:
				if !ok {
					return nil
				}
				if e.Type == zk.EventSession && e.State == state {
					return &e
				}
			case <-deadline:
				return nil
			}
		}
	}
	idOf := func(addr string) int {
		for id := 1; id <= 3; id++ {
			if l.addr(id) == addr {
				return id
			}
		}
		t.Fatalf("unknown server %s", addr)
		return 0
	}
	first := c.Server()
	call(t, l.ts, "POST", fmt.Sprintf("/api/rooms/main/nodes/%d/crash", idOf(first)), "")
	if e := waitFor(zk.StateDisconnected, 8*time.Second); e == nil || e.Server != first {
		t.Fatalf("missed StateDisconnected from %s: %+v", first, e)
	}
	if e := waitFor(zk.StateHasSession, 15*time.Second); e == nil {
		t.Fatal("failover failed: no session on another server")
	}
	second := c.Server()
	call(t, l.ts, "POST", fmt.Sprintf("/api/rooms/main/nodes/%d/crash", idOf(second)), "")
	if e := waitFor(zk.StateDisconnected, 8*time.Second); e == nil || e.Server != second {
		t.Fatalf("missed StateDisconnected from %s: %+v", second, e)
	}
	var last string
	for begin := time.Now(); time.Since(begin) < 4*time.Second; {
		e := waitFor(zk.StateDisconnected, 4*time.Second)
		if e == nil {
			t.Fatal("StateDisconnected expected while there is no quorum")
		}
		if e.Server == first || e.Server == second {
			t.Fatalf("StateDisconnected from the crashed server %s", e.Server)
		}
		if last != "" && e.Server != last {
			t.Fatalf("disconnects from %s and %s", last, e.Server)
		}
		last = e.Server
	}
	call(t, l.ts, "POST", fmt.Sprintf("/api/rooms/main/nodes/%d/restart", idOf(first)), "")
	if e := waitFor(zk.StateHasSession, 20*time.Second); e == nil {
		t.Fatal("no session after quorum came back")
	}
}

// TestZKMultiReadZxid: a multiRead is answered with the server's current zxid, not the one
// the connection last saw.
func TestZKMultiReadZxid(t *testing.T) {
	l := startLab(t, 3, 1)
	c := rawSession(t, l.addr(l.leader()))
	other := rawSession(t, l.addr(l.leader()))
	r := other.call(1, zkdb.OpCreate, createBody("/a", nil, zkdb.Persistent))
	if r.err != zkdb.OK {
		t.Fatal(r.err)
	}
	// c has seen nothing since its handshake; the server has applied the create.
	done := []byte{0xff, 0xff, 0xff, 0xff, 1, 0xff, 0xff, 0xff, 0xff} // an empty multiRead
	if got := c.call(1, zkdb.OpMultiRead, done); got.err != zkdb.OK || got.zxid != r.zxid {
		t.Fatalf("multiRead: %v zxid %v, want OK zxid %v", got.err, got.zxid, r.zxid)
	}
}

// TestZKPersistentWatches: addWatch (opcode 106) sets persistent and recursive watches that
// fire on every change and stay; checkWatches and removeWatches answer NOWATCHER when there
// is nothing (ZooKeeper 3.8). CuratorCache relies on them.
func TestZKPersistentWatches(t *testing.T) {
	l := startLab(t, 3, 1)
	w := rawSession(t, l.addr(1))
	writer := rawSession(t, l.addr(2))
	if r := w.call(1, zkdb.OpAddWatch, be32(str(nil, "/p"), 1)); r.err != zkdb.OK {
		t.Fatalf("addWatch recursive: %v", r.err)
	}
	if r := w.call(2, zkdb.OpCheckWatches, be32(str(nil, "/p"), 5)); r.err != zkdb.OK {
		t.Fatalf("checkWatches persistent recursive: %v", r.err)
	}
	if r := w.call(3, zkdb.OpCheckWatches, be32(str(nil, "/p"), 4)); r.err != zkdb.ErrNoWatcher {
		t.Fatalf("checkWatches persistent (none): %v, want NOWATCHER", r.err)
	}
	for i, op := range []struct {
		t    zkdb.OpType
		body []byte
	}{
		{zkdb.OpCreate, createBody("/p", nil, zkdb.Persistent)},
		{zkdb.OpCreate, createBody("/p/q", nil, zkdb.Persistent)},
		{zkdb.OpSetData, be32(append(be32(str(nil, "/p/q"), 1), 'x'), -1)},
	} {
		if r := writer.call(int32(10+i), op.t, op.body); r.err != zkdb.OK {
			t.Fatalf("write %d: %v", i, r.err)
		}
	}
	// Three notifications reach the watcher, and the watch stays.
	var got []string
	for len(got) < 3 {
		w.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		frame, err := zkwire.ReadFrame(w.nc, 0)
		if err != nil {
			t.Fatalf("notifications %v: %v", got, err)
		}
		if int32(binary.BigEndian.Uint32(frame)) != zkwire.XidNotification {
			continue
		}
		body := frame[zkwire.ReplyHeaderSize:]
		typ := int32(binary.BigEndian.Uint32(body))
		n := int(binary.BigEndian.Uint32(body[8:]))
		got = append(got, fmt.Sprintf("%d %s", typ, body[12:12+n]))
	}
	want := []string{"1 /p", "1 /p/q", "3 /p/q"} // NodeCreated, NodeCreated, NodeDataChanged
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("notifications %v, want %v", got, want)
		}
	}
	if r := w.call(4, zkdb.OpRemoveWatches, be32(str(nil, "/p"), 5)); r.err != zkdb.OK {
		t.Fatalf("removeWatches: %v", r.err)
	}
	if r := w.call(5, zkdb.OpRemoveWatches, be32(str(nil, "/p"), 5)); r.err != zkdb.ErrNoWatcher {
		t.Fatalf("removeWatches again: %v, want NOWATCHER", r.err)
	}
}

// TestZKACLs: ZooKeeper 3.8's ACL model through go-zookeeper: "auth" ACLs expand to the
// session's digest ids, every op checks its permission (NOAUTH), getACL hides digests from a
// reader without ADMIN, auth is re-sent and kept across a reconnect to another server, and
// whoAmI lists the connection's ids.
func TestZKACLs(t *testing.T) {
	l := startLab(t, 3, 1)
	owner, _ := l.connect(l.addrs()...)
	if err := owner.AddAuth("digest", []byte("alice:secret")); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Create("/owned", []byte("mine"), 0, zk.AuthACL(zk.PermAll)); err != nil {
		t.Fatalf("create with CREATOR_ALL_ACL after addauth: %v", err)
	}
	acl, _, err := owner.GetACL("/owned")
	aliceID := "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E="
	if err != nil || len(acl) != 1 || acl[0].Scheme != "digest" || acl[0].ID != aliceID || acl[0].Perms != zk.PermAll {
		t.Fatalf("getACL: %v %v", acl, err)
	}
	readable := append(zk.WorldACL(zk.PermRead), zk.DigestACL(zk.PermAll, "alice", "secret")...)
	if _, err := owner.Create("/readable", nil, 0, readable); err != nil {
		t.Fatal(err)
	}

	other, _ := l.connect(l.addrs()...)
	if _, err := other.Create("/x", nil, 0, zk.AuthACL(zk.PermAll)); err != zk.ErrInvalidACL {
		t.Fatalf("CREATOR_ALL_ACL without auth: %v, want INVALIDACL", err)
	}
	if _, _, err := other.Get("/owned"); err != zk.ErrNoAuth {
		t.Fatalf("get without auth: %v", err)
	}
	if _, err := other.Set("/owned", nil, -1); err != zk.ErrNoAuth {
		t.Fatalf("set without auth: %v", err)
	}
	if _, err := other.Create("/owned/c", nil, 0, zk.WorldACL(zk.PermAll)); err != zk.ErrNoAuth {
		t.Fatalf("create child without auth: %v", err)
	}
	if err := other.Delete("/readable", -1); err != nil {
		t.Fatalf("delete needs DELETE on the parent (world has it on /): %v", err)
	}
	owner.Create("/readable", nil, 0, readable)
	if ok, _, err := other.Exists("/owned"); !ok || err != nil {
		t.Fatalf("exists needs no permission: %v %v", ok, err)
	}
	if acl, _, err := other.GetACL("/readable"); err != nil || len(acl) != 2 || acl[1].ID != "alice:x" {
		t.Fatalf("getACL without ADMIN: %v %v, want the digest hidden", acl, err)
	}
	if _, err := other.Multi(&zk.SetDataRequest{Path: "/owned", Data: []byte("y"), Version: -1}); err != zk.ErrNoAuth {
		t.Fatalf("multi without auth: %v", err)
	}
	if err := other.AddAuth("digest", []byte("alice:secret")); err != nil {
		t.Fatal(err)
	}
	if data, _, err := other.Get("/owned"); err != nil || string(data) != "mine" {
		t.Fatalf("get after addauth: %q %v", data, err)
	}

	// The auth survives a move to another server (the client re-sends it).
	id := 0
	for i := 1; i <= 3; i++ {
		if l.addr(i) == owner.Server() {
			id = i
		}
	}
	call(t, l.ts, "POST", fmt.Sprintf("/api/rooms/main/nodes/%d/crash", id), "")
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err = owner.Set("/owned", []byte("moved"), -1)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("set after moving to another server: %v", err)
	}

	// whoAmI, by hand (go-zookeeper has no call for it).
	c2 := rawSession(t, l.addr(id%3+1)) // a server that runs
	auth := str(be32(nil, 0), "digest")
	auth = append(be32(auth, int32(len("bob:pw"))), "bob:pw"...)
	c2.send(zkwire.XidAuth, zkdb.OpAuth, auth)
	if r, ok := c2.read(); !ok || r.err != zkdb.OK {
		t.Fatalf("auth: %+v", r)
	}
	r := c2.call(1, zkdb.OpWhoAmI, nil)
	want := be32(nil, 2)
	want = str(str(want, "ip"), "127.0.0.1")
	want = str(str(want, "digest"), "bob")
	if r.err != zkdb.OK || string(r.body) != string(want) {
		t.Fatalf("whoAmI body % x, want % x", r.body, want)
	}
}

// TestZKPingZxid: a ping reply carries the server's last processed zxid
// (FinalRequestProcessor), including txns of other clients.
func TestZKPingZxid(t *testing.T) {
	l := startLab(t, 3, 1)
	id := l.leader()
	idle := rawSession(t, l.addr(id))
	busy := rawSession(t, l.addr(id))
	r := busy.call(1, zkdb.OpCreate, createBody("/a", nil, zkdb.Persistent))
	if p := idle.call(zkwire.XidPing, zkdb.OpPing, nil); p.zxid != r.zxid {
		t.Fatalf("ping zxid %v, want the server's %v", p.zxid, r.zxid)
	}
}

// TestZKSuperDigest: with a super digest set, a connection that adds it may do anything.
func TestZKSuperDigest(t *testing.T) {
	l := startLab(t, 3, 1)
	l.zk.SetSuperDigest(zkdb.DigestID("super:admin"))
	owner, _ := l.connect(l.addr(1))
	owner.AddAuth("digest", []byte("alice:secret"))
	if _, err := owner.Create("/owned", []byte("mine"), 0, zk.AuthACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	admin, _ := l.connect(l.addr(2))
	if _, _, err := admin.Get("/owned"); err != zk.ErrNoAuth {
		t.Fatalf("before addauth: %v", err)
	}
	admin.AddAuth("digest", []byte("super:admin"))
	if _, err := admin.Set("/owned", []byte("mine now"), -1); err != nil {
		t.Fatalf("super setData: %v", err)
	}
	if acl, _, err := admin.GetACL("/owned"); err != nil || acl[0].ID != "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=" {
		t.Fatalf("super getACL: %v %v (digests shown to ADMIN)", acl, err)
	}
}
