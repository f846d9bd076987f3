package zkwire

import (
	"bytes"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/zablab/zablab/engine/zkdb"
)

// This file runs the real go-zookeeper client against a canned server built on zkwire, over
// net.Pipe. Every frame go-zookeeper sends is decoded with DecodeRequest and re-encoded with
// the test encoder, which must reproduce go-zookeeper's bytes exactly; every reply zkwire
// builds is decoded by go-zookeeper's own decoder.

// fakeZK is a canned ZooKeeper server: it answers from fixed data, records what it decoded
// and fails the test on any frame it cannot decode or re-encode identically.
type fakeZK struct {
	t       *testing.T
	timeout int32 // negotiated session timeout, ms
	expire  bool  // answer every connect with an expired-session response

	mu       sync.Mutex
	zxid     zkdb.Zxid
	connects []ConnectRequest
	reqs     []*Request
	conns    []*fakeConn
	wg       sync.WaitGroup
}

type fakeConn struct {
	net.Conn
	wmu sync.Mutex
}

func (c *fakeConn) send(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.Write(b)
	return err
}

const fakeSessionID = 0x0100000000010000

var fakePasswd = []byte("0123456789abcdef")

func newFakeZK(t *testing.T, expire bool) (*fakeZK, *zk.Conn, <-chan zk.Event) {
	s := &fakeZK{t: t, timeout: 3000, zxid: 0x100000000, expire: expire}
	dial := func(network, addr string, timeout time.Duration) (net.Conn, error) {
		client, server := net.Pipe()
		c := &fakeConn{Conn: server}
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		s.wg.Add(1)
		go s.serve(c)
		return client, nil
	}
	conn, events, err := zk.Connect([]string{"fake:2181"}, 4*time.Second,
		zk.WithDialer(dial), zk.WithHostProvider(&oneHost{}), zk.WithLogger(quietLogger{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s, conn, events
}

func (s *fakeZK) errorf(format string, args ...any) {
	s.t.Errorf("fake server: "+format, args...)
}

func (s *fakeZK) serve(c *fakeConn) {
	defer s.wg.Done()
	defer c.Close()
	frame, err := ReadFrame(c, MaxFrameSize)
	if err != nil {
		return
	}
	var creq ConnectRequest
	if err := creq.Decode(frame); err != nil {
		s.errorf("ConnectRequest: %v", err)
		return
	}
	if enc := encodeConnectRequest(creq); !bytes.Equal(enc, frame) {
		s.errorf("ConnectRequest re-encoded as % x, go-zk sent % x", enc, frame)
	}
	s.mu.Lock()
	s.connects = append(s.connects, creq)
	s.mu.Unlock()
	resp := ConnectResponse{TimeOut: s.timeout, SessionID: fakeSessionID, Passwd: fakePasswd,
		IncludeReadOnly: creq.HasReadOnly}
	if s.expire {
		resp = ConnectResponse{Passwd: make([]byte, 16), IncludeReadOnly: creq.HasReadOnly}
	}
	if c.send(resp.Encode(nil)) != nil || s.expire {
		return
	}
	for {
		frame, err := ReadFrame(c, MaxFrameSize)
		if err != nil {
			return
		}
		h, r, err := DecodeRequest(frame)
		if err != nil {
			s.errorf("DecodeRequest(% x): %v", frame, err)
			return
		}
		// go-zk sends "" reconfig lists as empty, the test encoder as null.
		if enc := encodeRequest(h, r); r.Type != zkdb.OpReconfig && !bytes.Equal(enc, frame) {
			s.errorf("%v re-encoded as % x, go-zk sent % x", h.Type, enc, frame)
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, r)
		out := s.respond(h, r)
		s.mu.Unlock()
		if c.send(out) != nil || r.Type == zkdb.OpCloseSession {
			return
		}
	}
}

// respond builds the canned reply; s.mu is held.
func (s *fakeZK) respond(h RequestHeader, r *Request) []byte {
	switch r.Type {
	case zkdb.OpPing:
		return AppendPingReply(nil, s.zxid)
	case zkdb.OpAuth:
		// ZooKeeper answers auth with zxid 0. (Any zxid > 0 here also trips a data race on
		// lastZxid inside go-zookeeper v1.0.4 when it re-sends auth on reconnect.)
		return AppendReply(nil, ReplyHeader{Xid: h.Xid})
	}
	s.zxid++
	hdr := ReplyHeader{Xid: h.Xid, Zxid: s.zxid}
	fail := func(code zkdb.Err) []byte { hdr.Err = code; return AppendReply(nil, hdr) }
	switch r.Type {
	case zkdb.OpCreate:
		if r.Path == "/exists" {
			return fail(zkdb.ErrNodeExists)
		}
		path := r.Path
		if r.Mode.IsSequential() {
			path += "0000000007"
		}
		return AppendPathReply(nil, hdr, path)
	case zkdb.OpCreateContainer, zkdb.OpCreateTTL:
		return AppendCreate2Reply(nil, hdr, r.Path, sampleStat)
	case zkdb.OpDelete:
		return AppendReply(nil, hdr)
	case zkdb.OpExists:
		if r.Path == "/missing" {
			return fail(zkdb.ErrNoNode)
		}
		return AppendStatReply(nil, hdr, sampleStat)
	case zkdb.OpGetData:
		if r.Path == "/nil" {
			return AppendDataReply(nil, hdr, nil, sampleStat)
		}
		return AppendDataReply(nil, hdr, []byte("data of "+r.Path), sampleStat)
	case zkdb.OpSetData:
		st := sampleStat
		st.Version, st.DataLength = r.Version+1, int32(len(r.Data))
		return AppendStatReply(nil, hdr, st)
	case zkdb.OpGetACL:
		return AppendACLReply(nil, hdr, []zkdb.ACL{{Perms: zkdb.PermRead, Scheme: "digest", ID: "u:h"}}, sampleStat)
	case zkdb.OpSetACL:
		st := sampleStat
		st.Aversion = r.Version + 1
		return AppendStatReply(nil, hdr, st)
	case zkdb.OpGetChildren2:
		return AppendChildren2Reply(nil, hdr, []string{"a", "b"}, sampleStat)
	case zkdb.OpSync:
		return AppendPathReply(nil, hdr, r.Path)
	case zkdb.OpMulti:
		return AppendMultiReply(nil, hdr, multiResults(r))
	case zkdb.OpReconfig:
		return AppendDataReply(nil, hdr, []byte("server.1=h:2888:3888;2181\nversion=100000000"), sampleStat)
	case zkdb.OpSetWatches, zkdb.OpCloseSession:
		return AppendReply(nil, hdr)
	}
	return fail(zkdb.ErrUnimplemented)
}

// multiResults answers a multi: it fails at an op on "/fail", else every op succeeds.
func multiResults(r *Request) []MultiResult {
	res := make([]MultiResult, len(r.Ops))
	failed := slices.IndexFunc(r.Ops, func(op Request) bool { return op.Path == "/fail" })
	for i, op := range r.Ops {
		switch {
		case failed >= 0 && i < failed:
			res[i] = MultiResult{Type: zkdb.OpError}
		case i == failed:
			res[i] = MultiResult{Type: zkdb.OpError, Err: zkdb.ErrNodeExists}
		case failed >= 0:
			res[i] = MultiResult{Type: zkdb.OpError, Err: zkdb.ErrRuntimeInconsistency}
		default:
			res[i] = MultiResult{Type: op.Type, Path: op.Path, Stat: sampleStat}
		}
	}
	return res
}

// last returns the most recent decoded request.
func (s *fakeZK) last() *Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reqs[len(s.reqs)-1]
}

// waitFor polls until cond (called with s.mu held) holds, or fails after a few seconds.
func (s *fakeZK) waitFor(what string, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		ok := cond()
		s.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sendEvent pushes a watch notification on the newest connection.
func (s *fakeZK) sendEvent(ev WatcherEvent) {
	s.mu.Lock()
	c := s.conns[len(s.conns)-1]
	s.mu.Unlock()
	if err := c.send(AppendWatcherEvent(nil, ev)); err != nil {
		s.t.Fatalf("sending event: %v", err)
	}
}

func (s *fakeZK) dropConn() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns[len(s.conns)-1].Close()
}

type oneHost struct{}

func (*oneHost) Init([]string) error                    { return nil }
func (*oneHost) Len() int                               { return 1 }
func (*oneHost) Next() (server string, retryStart bool) { return "fake:2181", false }
func (*oneHost) Connected()                             {}

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

func waitState(t *testing.T, events <-chan zk.Event, want zk.State) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.Type == zk.EventSession && ev.State == want {
				return
			}
		case <-timeout:
			t.Fatalf("timed out waiting for %v", want)
		}
	}
}

func checkStat(t *testing.T, what string, got *zk.Stat, want zkdb.Stat) {
	t.Helper()
	w := zk.Stat{Czxid: int64(want.Czxid), Mzxid: int64(want.Mzxid), Ctime: want.Ctime,
		Mtime: want.Mtime, Version: want.Version, Cversion: want.Cversion, Aversion: want.Aversion,
		EphemeralOwner: want.EphemeralOwner, DataLength: want.DataLength,
		NumChildren: want.NumChildren, Pzxid: int64(want.Pzxid)}
	if got == nil || *got != w {
		t.Errorf("%s: stat %+v, want %+v", what, got, w)
	}
}

func TestGoZookeeperClient(t *testing.T) {
	s, c, events := newFakeZK(t, false)
	go func() {
		for range events {
		}
	}()
	acl := zk.WorldACL(zk.PermAll)

	// create (op 1), sequential and failing.
	if p, err := c.Create("/a", []byte("x"), zk.FlagPersistent, acl); err != nil || p != "/a" {
		t.Fatalf("Create: %q, %v", p, err)
	}
	if r := s.last(); r.Type != zkdb.OpCreate || r.Path != "/a" || string(r.Data) != "x" ||
		!slices.Equal(r.ACL, zkdb.OpenACL) || r.Mode != zkdb.Persistent {
		t.Errorf("create decoded as %+v", r)
	}
	if p, err := c.Create("/q/n-", nil, zk.FlagEphemeralSequential, acl); err != nil || p != "/q/n-0000000007" {
		t.Errorf("Create sequential: %q, %v", p, err)
	}
	if r := s.last(); r.Data != nil || r.Mode != zkdb.EphemeralSequential {
		t.Errorf("create with nil data decoded as %+v", r)
	}
	if _, err := c.Create("/exists", nil, 0, acl); !errors.Is(err, zk.ErrNodeExists) {
		t.Errorf("Create existing: %v", err)
	}
	// createContainer (19) and createTTL (21) get Create2Response, go-zk reads the path.
	if p, err := c.CreateContainer("/cont", []byte{}, zk.FlagContainer, acl); err != nil || p != "/cont" {
		t.Errorf("CreateContainer: %q, %v", p, err)
	}
	if r := s.last(); r.Type != zkdb.OpCreateContainer || r.Mode != zkdb.Container || r.Data == nil || len(r.Data) != 0 {
		t.Errorf("createContainer decoded as %+v", r)
	}
	if p, err := c.CreateTTL("/ttl", nil, zk.FlagTTL, acl, 90*time.Second); err != nil || p != "/ttl" {
		t.Errorf("CreateTTL: %q, %v", p, err)
	}
	if r := s.last(); r.Type != zkdb.OpCreateTTL || r.TTL != 90000 || r.Mode != zkdb.PersistentWithTTL {
		t.Errorf("createTTL decoded as %+v", r)
	}

	// exists (3), getData (4), setData (5).
	if ok, _, err := c.Exists("/missing"); ok || err != nil {
		t.Errorf("Exists missing: %v, %v", ok, err)
	}
	if ok, st, err := c.Exists("/a"); !ok || err != nil {
		t.Errorf("Exists: %v, %v", ok, err)
	} else {
		checkStat(t, "Exists", st, sampleStat)
	}
	data, st, err := c.Get("/a")
	if err != nil || string(data) != "data of /a" {
		t.Errorf("Get: %q, %v", data, err)
	}
	checkStat(t, "Get", st, sampleStat)
	if data, _, err := c.Get("/nil"); err != nil || data != nil {
		t.Errorf("Get null data: %#v, %v", data, err)
	}
	st, err = c.Set("/a", []byte("hello"), 6)
	if err != nil || st.Version != 7 || st.DataLength != 5 {
		t.Errorf("Set: %+v, %v", st, err)
	}
	if r := s.last(); r.Type != zkdb.OpSetData || r.Version != 6 || string(r.Data) != "hello" {
		t.Errorf("setData decoded as %+v", r)
	}

	// getACL (6), setACL (7), getChildren2 (12), sync (9), delete (2).
	gotACL, _, err := c.GetACL("/a")
	if err != nil || len(gotACL) != 1 || gotACL[0] != (zk.ACL{Perms: zk.PermRead, Scheme: "digest", ID: "u:h"}) {
		t.Errorf("GetACL: %+v, %v", gotACL, err)
	}
	if st, err := c.SetACL("/a", zk.DigestACL(zk.PermAll, "u", "p"), 3); err != nil || st.Aversion != 4 {
		t.Errorf("SetACL: %+v, %v", st, err)
	}
	if r := s.last(); r.Type != zkdb.OpSetACL || len(r.ACL) != 1 || r.ACL[0].Scheme != "digest" || r.Version != 3 {
		t.Errorf("setACL decoded as %+v", r)
	}
	if kids, _, err := c.Children("/"); err != nil || !slices.Equal(kids, []string{"a", "b"}) {
		t.Errorf("Children: %q, %v", kids, err)
	}
	if p, err := c.Sync("/a"); err != nil || p != "/a" {
		t.Errorf("Sync: %q, %v", p, err)
	}
	if err := c.Delete("/a", -1); err != nil {
		t.Errorf("Delete: %v", err)
	}
	if r := s.last(); r.Type != zkdb.OpDelete || r.Version != -1 {
		t.Errorf("delete decoded as %+v", r)
	}

	// multi (14): success and failure.
	res, err := c.Multi(
		&zk.CreateRequest{Path: "/m", Data: []byte("d"), Acl: acl},
		&zk.SetDataRequest{Path: "/m", Data: []byte("e"), Version: -1},
		&zk.CheckVersionRequest{Path: "/m", Version: 1},
		&zk.DeleteRequest{Path: "/m", Version: 2},
	)
	if err != nil || len(res) != 4 || res[0].String != "/m" || res[1].Stat == nil {
		t.Errorf("Multi: %+v, %v", res, err)
	} else {
		checkStat(t, "Multi setData", res[1].Stat, sampleStat)
	}
	if r := s.last(); len(r.Ops) != 4 || r.Ops[2].Type != zkdb.OpCheck || r.Ops[3].Version != 2 {
		t.Errorf("multi decoded as %+v", r)
	}
	res, err = c.Multi(
		&zk.CreateRequest{Path: "/ok", Acl: acl},
		&zk.CreateRequest{Path: "/fail", Acl: acl},
		&zk.DeleteRequest{Path: "/x", Version: -1},
	)
	if !errors.Is(err, zk.ErrNodeExists) || len(res) != 3 || res[0].Error != nil ||
		!errors.Is(res[1].Error, zk.ErrNodeExists) || res[2].Error == nil {
		t.Errorf("failed Multi: %+v, %v", res, err)
	}

	// auth (100), reconfig (16).
	if err := c.AddAuth("digest", []byte("u:p")); err != nil {
		t.Errorf("AddAuth: %v", err)
	}
	if r := s.last(); r.Auth == nil || r.Auth.Scheme != "digest" || string(r.Auth.Auth) != "u:p" {
		t.Errorf("auth decoded as %+v", r)
	}
	if st, err := c.IncrementalReconfig([]string{"server.4=h:2888:3888;2181"}, nil, -1); err != nil {
		t.Errorf("IncrementalReconfig: %v", err)
	} else {
		checkStat(t, "reconfig", st, sampleStat)
	}
	if r := s.last(); r.Reconfig == nil || r.Reconfig.JoiningServers != "server.4=h:2888:3888;2181" ||
		r.Reconfig.CurConfigID != -1 {
		t.Errorf("reconfig decoded as %+v", r)
	}

	// A watch notification reaches the GetW channel.
	_, _, ch, err := c.GetW("/w")
	if err != nil {
		t.Fatalf("GetW: %v", err)
	}
	s.sendEvent(WatcherEvent{Type: zkdb.EventNodeDataChanged, State: StateSyncConnected, Path: "/w"})
	select {
	case ev := <-ch:
		if ev.Type != zk.EventNodeDataChanged || ev.Path != "/w" || ev.State != zk.StateSyncConnected {
			t.Errorf("event %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no watch event")
	}

	// Pings keep the session alive (go-zk pings every third of the 3 s timeout).
	s.waitFor("a ping", func() bool {
		return slices.ContainsFunc(s.reqs, func(r *Request) bool { return r.Type == zkdb.OpPing })
	})

	// Reconnect: go-zk re-attaches the session and re-sends auth and its watches.
	if _, _, _, err := c.ExistsW("/missing"); err != nil {
		t.Fatalf("ExistsW: %v", err)
	}
	if _, _, _, err := c.ChildrenW("/"); err != nil {
		t.Fatalf("ChildrenW: %v", err)
	}
	s.mu.Lock()
	lastZxid, nReqs := s.zxid, len(s.reqs)
	s.mu.Unlock()
	s.dropConn()
	var sw *Request
	s.waitFor("setWatches after reconnect", func() bool {
		for _, r := range s.reqs[nReqs:] {
			if r.Type == zkdb.OpSetWatches {
				sw = r
				return true
			}
		}
		return false
	})
	s.mu.Lock()
	nConnects, re := len(s.connects), s.connects[len(s.connects)-1]
	reAuth := slices.ContainsFunc(s.reqs[nReqs:], func(r *Request) bool { return r.Type == zkdb.OpAuth })
	s.mu.Unlock()
	if nConnects < 2 || re.SessionID != fakeSessionID || !bytes.Equal(re.Passwd, fakePasswd) ||
		re.LastZxidSeen != lastZxid || re.HasReadOnly {
		t.Errorf("reconnect ConnectRequest %+v (last zxid sent %v)", re, lastZxid)
	}
	if !reAuth {
		t.Error("auth not re-sent after reconnect")
	}
	if w := sw.Watches; w.RelativeZxid != lastZxid || !slices.Equal(w.ExistWatches, []string{"/missing"}) ||
		!slices.Equal(w.ChildWatches, []string{"/"}) || w.DataWatches != nil {
		t.Errorf("setWatches %+v", w)
	}

	// closeSession (-11).
	c.Close()
	s.waitFor("closeSession", func() bool { return s.reqs[len(s.reqs)-1].Type == zkdb.OpCloseSession })
}

// TestGoZookeeperSessionExpired checks the expired-session ConnectResponse (timeout 0,
// session 0, 16 zero bytes): go-zookeeper reports StateExpired.
func TestGoZookeeperSessionExpired(t *testing.T) {
	s, _, events := newFakeZK(t, true)
	waitState(t, events, zk.StateExpired)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.connects) == 0 || s.connects[0].SessionID != 0 || s.connects[0].TimeOut != 4000 {
		t.Errorf("connects %+v", s.connects)
	}
}
