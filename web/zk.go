package web

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/zkdb"
	"github.com/zablab/zablab/web/zkwire"
)

// maxOutstanding bounds a connection's unanswered requests (ZooKeeper stops reading at 1000).
const maxOutstanding = 1000

// maxFrame is jute.maxbuffer (0xfffff): ZooKeeper closes a connection whose frame
// announces more.
const maxFrame = zkwire.MaxFrameSize

// ZKPorts serves ZooKeeper's client protocol for every server of one room: server N listens
// on 127.0.0.1:(base+N) while it runs; while it is down its port refuses connections, as a
// crashed ZooKeeper's does. Each connection is one real client session half; the engine half
// is an external engine.Client owned by the room goroutine.
type ZKPorts struct {
	room *Room
	host string
	base int
	logf func(format string, args ...any)

	mu sync.Mutex
	// ports holds each server's client port, kept while its listener is closed.
	ports     map[int]int
	listeners map[int]net.Listener
	conns     map[*zkConn]struct{}
	closed    bool
	wg        sync.WaitGroup

	// followed is the cluster whose server states open and close the listeners (room
	// goroutine only).
	followed *engine.Cluster
	// superDigest is ZooKeeper's zookeeper.DigestAuthenticationProvider.superDigest
	// ("super:base64hash"): a connection that adds this digest gets the "super" id, which
	// every ACL permits. Empty: none.
	superDigest atomic.Pointer[string]
	// lastZxid holds each server's last processed zxid as the room last reported it, for
	// ping replies, which the connection answers at once (fixed keys, set at start).
	lastZxid map[int]*atomic.Int64
}

// StartZKPorts listens for servers 1..n. A busy port is reported in the returned warnings and
// skipped; the others still start. A negative base picks free ports (tests).
func StartZKPorts(room *Room, host string, base, n int, logf func(string, ...any)) (*ZKPorts, []string) {
	if logf == nil {
		logf = log.New(os.Stderr, "", log.LstdFlags).Printf
	}
	z := &ZKPorts{room: room, host: host, base: base, logf: logf, ports: map[int]int{},
		listeners: map[int]net.Listener{}, conns: map[*zkConn]struct{}{}, lastZxid: map[int]*atomic.Int64{}}
	for id := 1; id <= n; id++ {
		z.lastZxid[id] = new(atomic.Int64)
	}
	var warnings []string
	for id := 1; id <= n; id++ {
		port := base + id
		if base < 0 {
			port = 0
		}
		addr := net.JoinHostPort(host, fmt.Sprint(port))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("server %d: cannot listen for ZooKeeper clients on %s: %v", id, addr, err))
			continue
		}
		z.ports[id] = ln.Addr().(*net.TCPAddr).Port
		z.listeners[id] = ln
		z.wg.Add(1)
		go z.accept(id, ln)
	}
	room.do(func() (any, error) {
		room.onNewCluster = func() {
			z.closeConns("the room got a new cluster: its sessions are gone")
			// adopt installs the new cluster after this hook returns.
			go room.post(func() { z.follow(room.c) })
		}
		z.follow(room.c)
		return nil, nil
	})
	return z, warnings
}

// follow makes the listeners track the servers of c: closed while a server is down, open
// while it runs. It runs on the room goroutine.
func (z *ZKPorts) follow(c *engine.Cluster) {
	if z.followed != c {
		z.followed = c
		c.OnEvent(func(e *engine.Event) {
			if z.followed != c {
				return
			}
			switch e.Kind {
			case engine.EvState:
				z.syncListener(c, e.Node)
				z.noteZxid(c, e.Node)
			case engine.EvCommit, engine.EvSnapshot, engine.EvTruncated:
				z.noteZxid(c, e.Node)
			}
		})
	}
	for id := 1; id <= c.Size(); id++ {
		z.syncListener(c, id)
		z.noteZxid(c, id)
	}
}

// noteZxid records server id's last processed zxid for its ping replies.
func (z *ZKPorts) noteZxid(c *engine.Cluster, id int) {
	if v, p := z.lastZxid[id], c.Peer(id); v != nil && p != nil {
		v.Store(int64(p.LastProcessedZxid()))
	}
}

// serverZxid is server id's last processed zxid as last reported by the room.
func (z *ZKPorts) serverZxid(id int) zkdb.Zxid {
	if v := z.lastZxid[id]; v != nil {
		return zkdb.Zxid(v.Load())
	}
	return 0
}

// syncListener closes server id's listener if the server is down and reopens it on the same
// port if it runs.
func (z *ZKPorts) syncListener(c *engine.Cluster, id int) {
	p := c.Peer(id)
	down := p == nil || p.State() == engine.Down
	z.mu.Lock()
	defer z.mu.Unlock()
	port, ok := z.ports[id]
	ln := z.listeners[id]
	switch {
	case z.closed || !ok:
	case down && ln != nil:
		ln.Close()
		delete(z.listeners, id)
	case !down && ln == nil:
		ln, err := net.Listen("tcp", net.JoinHostPort(z.host, fmt.Sprint(port)))
		if err != nil {
			z.logf("zk server %d: cannot listen again on port %d: %v", id, port, err)
			return
		}
		z.listeners[id] = ln
		z.wg.Add(1)
		go z.accept(id, ln)
	}
}

// SetSuperDigest sets the digest id ("super:base64(sha1(super:password))", as zkCli's
// DigestAuthenticationProvider.generateDigest prints it) whose addauth makes a connection
// super user, as ZooKeeper's -Dzookeeper.DigestAuthenticationProvider.superDigest does; ""
// turns it off.
func (z *ZKPorts) SetSuperDigest(digest string) { z.superDigest.Store(&digest) }

// Port is server id's client port (also while the server is down), 0 if it has none.
func (z *ZKPorts) Port(id int) int {
	if z == nil {
		return 0
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.ports[id]
}

// Close stops listening and closes every client connection.
func (z *ZKPorts) Close() {
	z.mu.Lock()
	z.closed = true
	for _, ln := range z.listeners {
		ln.Close()
	}
	z.mu.Unlock()
	z.closeConns("server shutting down")
	z.wg.Wait()
}

// closeConns closes every client connection.
func (z *ZKPorts) closeConns(why string) {
	z.mu.Lock()
	conns := make([]*zkConn, 0, len(z.conns))
	for c := range z.conns {
		conns = append(conns, c)
	}
	z.mu.Unlock()
	for _, c := range conns {
		c.close(why)
	}
}

func (z *ZKPorts) accept(id int, ln net.Listener) {
	defer z.wg.Done()
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		c := &zkConn{z: z, id: id, nc: nc, out: make(chan []byte, 4096), done: make(chan struct{})}
		z.mu.Lock()
		if z.closed {
			z.mu.Unlock()
			nc.Close()
			return
		}
		z.conns[c] = struct{}{}
		z.mu.Unlock()
		z.wg.Add(2)
		go c.writer()
		go c.serve()
	}
}

// zkConn is one client connection.
type zkConn struct {
	z    *ZKPorts
	id   int // server id
	nc   net.Conn
	out  chan []byte
	done chan struct{}
	once sync.Once
	// lastZxid is the server's last processed zxid as last reported, for ping replies.
	lastZxid atomic.Int64
	// outstanding counts requests handed to the room and not answered yet.
	outstanding atomic.Int64
	// queued and flushed count frames handed to the writer and written out.
	queued, flushed atomic.Int64
	// timeout is the negotiated session timeout (wall clock: a silent client is dropped).
	timeout atomic.Int64
	// ids are the connection's identities (ServerCnxn.authInfo): its ip, then the digest ids
	// of its auth packets. Owned by the reader goroutine; replaced, never changed in place,
	// so a request takes the slice along.
	ids []zkdb.ID
	// Owned by the room goroutine.
	cl      *engine.Client
	cluster *engine.Cluster
}

func (c *zkConn) close(why string) {
	c.once.Do(func() {
		if why != "" {
			c.z.logf("zk server %d, client %s: closing: %s", c.id, c.nc.RemoteAddr(), why)
		}
		close(c.done)
		c.nc.Close()
	})
}

// send queues a frame; a client that does not read its replies is dropped rather than
// allowed to hold up the room.
func (c *zkConn) send(frame []byte) {
	select {
	case <-c.done:
	case c.out <- frame:
		c.queued.Add(1)
	default:
		c.close("client does not read its replies")
	}
}

func (c *zkConn) writer() {
	defer c.z.wg.Done()
	w := bufio.NewWriterSize(c.nc, 64<<10)
	for {
		select {
		case <-c.done:
			return
		case f := <-c.out:
			w.Write(f)
			n := int64(1)
			for more := true; more; {
				select {
				case f = <-c.out:
					w.Write(f)
					n++
				default:
					more = false
				}
			}
			c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := w.Flush(); err != nil {
				c.close("write failed: " + err.Error())
				return
			}
			c.flushed.Add(n)
		}
	}
}

// sessionPassword derives a session's password from its id, so every server can check it.
func sessionPassword(session int64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(session)^0xB3415C00)
	sum := sha256.Sum256(b[:])
	return sum[:16]
}

func (c *zkConn) serve() {
	defer c.z.wg.Done()
	defer func() {
		c.close("")
		c.z.room.do(func() (any, error) {
			if c.cl != nil && c.cluster == c.z.room.c {
				c.cl.Detach()
			}
			return nil, nil
		})
		c.z.mu.Lock()
		delete(c.z.conns, c)
		c.z.mu.Unlock()
	}()
	r := bufio.NewReaderSize(c.nc, 64<<10)
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	frame, err := zkwire.ReadFrame(r, maxFrame)
	if err != nil {
		c.close("bad connect frame: " + err.Error())
		return
	}
	var req zkwire.ConnectRequest
	if err := req.Decode(frame); err != nil {
		c.close(err.Error())
		return
	}
	if !c.connect(req) {
		return
	}
	c.ids = []zkdb.ID{{Scheme: "ip", ID: hostOf(c.nc.RemoteAddr().String())}}
	for {
		to := time.Duration(c.timeout.Load()) * time.Millisecond
		c.nc.SetReadDeadline(time.Now().Add(to))
		frame, err := zkwire.ReadFrame(r, maxFrame)
		if err != nil {
			var ne net.Error
			switch {
			case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
				c.close("")
			case errors.As(err, &ne) && ne.Timeout():
				c.close(fmt.Sprintf("no request or ping for %v: the session timeout", to))
			default:
				c.close("bad frame: " + err.Error())
			}
			return
		}
		h, rq, err := zkwire.DecodeRequest(frame)
		if err != nil {
			c.close(fmt.Sprintf("malformed request (xid %d, op %d): %v", h.Xid, h.Type, err))
			return
		}
		if !c.handle(h, rq) {
			return
		}
	}
}

// connect runs the handshake in the room: new session, or revalidation of an old one.
func (c *zkConn) connect(req zkwire.ConnectRequest) bool {
	answered := make(chan bool, 1)
	reply := func(ok bool) {
		select {
		case answered <- ok:
		default:
		}
	}
	room := c.z.room
	_, err := room.do(func() (any, error) {
		cl := room.c
		p := cl.Peer(c.id)
		if p == nil || p.State() == engine.Down {
			return nil, errors.New("server is down")
		}
		if req.SessionID != 0 && !equalBytes(req.Passwd, sessionPassword(req.SessionID)) {
			c.send(zkwire.ConnectResponse{Passwd: make([]byte, 16), IncludeReadOnly: req.HasReadOnly}.Encode(nil))
			reply(false)
			return nil, nil
		}
		c.cluster = cl
		c.cl = cl.ConnectExternal(c.id, req.SessionID, req.LastZxidSeen, req.TimeOut, engine.External{
			OnConnected: func(ecl *engine.Client) {
				c.cl = ecl
				session, timeoutMs := ecl.SessionID(), ecl.TimeoutMs()
				c.timeout.Store(int64(timeoutMs))
				c.lastZxid.Store(int64(p.LastProcessedZxid()))
				c.send(zkwire.ConnectResponse{TimeOut: timeoutMs, SessionID: session, Passwd: sessionPassword(session), IncludeReadOnly: req.HasReadOnly}.Encode(nil))
				cl.Note(c.id, c.cl.ID(), session, fmt.Sprintf("real client %s connected", c.nc.RemoteAddr()))
				reply(true)
			},
			OnRefused: func(reason string, expired bool) {
				if expired {
					c.send(zkwire.ConnectResponse{Passwd: make([]byte, 16), IncludeReadOnly: req.HasReadOnly}.Encode(nil))
				}
				cl.Note(c.id, 0, req.SessionID, fmt.Sprintf("real client %s refused: %s", c.nc.RemoteAddr(), reason))
				reply(false)
			},
			OnDisconnected: func(reason string) {
				c.flushThenClose(reason)
			},
		})
		c.cl.OnWatch = func(ev zkdb.WatchEvent) {
			c.send(zkwire.AppendWatcherEvent(nil, zkwire.WatcherEvent{Type: ev.Type, State: zkwire.StateSyncConnected, Path: ev.Path}))
		}
		return nil, nil
	})
	if err != nil {
		c.close(err.Error())
		return false
	}
	select {
	case ok := <-answered:
		if !ok {
			c.waitFlushed()
		}
		return ok
	case <-c.done:
		return false
	case <-time.After(30 * time.Second):
		c.close("the session was not established in time")
		return false
	}
}

// flushThenClose lets the writer send what is queued (a final reply), then closes.
func (c *zkConn) flushThenClose(why string) {
	go func() {
		c.waitFlushed()
		c.close(why)
	}()
}

// waitFlushed waits (at most a second) until the writer has sent what is queued.
func (c *zkConn) waitFlushed() {
	deadline := time.Now().Add(time.Second)
	for c.flushed.Load() < c.queued.Load() && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
}

func equalBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	var d byte
	for i := range a {
		d |= a[i] ^ b[i]
	}
	return d == 0
}

func (c *zkConn) header(xid int32, err zkdb.Err) zkwire.ReplyHeader {
	return zkwire.ReplyHeader{Xid: xid, Zxid: zkdb.Zxid(c.lastZxid.Load()), Err: err}
}

// handle answers one request. It returns false when the connection must end.
func (c *zkConn) handle(h zkwire.RequestHeader, rq *zkwire.Request) bool {
	switch {
	case rq.Type == zkdb.OpPing:
		// Answered by this server at once, in wall-clock time, whatever the room's speed,
		// with the server's last processed zxid.
		c.send(zkwire.AppendPingReply(nil, max(c.z.serverZxid(c.id), zkdb.Zxid(c.lastZxid.Load()))))
		return true
	case rq.Type == zkdb.OpAuth:
		// ZooKeeper answers auth with zxid 0. A digest adds its id (once); ip has it already.
		if rq.Auth != nil && (rq.Auth.Scheme == "digest" || rq.Auth.Scheme == "ip") {
			if rq.Auth.Scheme == "digest" {
				id := zkdb.ID{Scheme: "digest", ID: zkdb.DigestID(string(rq.Auth.Auth))}
				c.addID(id)
				if super := c.z.superDigest.Load(); super != nil && *super != "" && id.ID == *super {
					c.addID(zkdb.ID{Scheme: "super"})
				}
			}
			c.send(zkwire.AppendReply(nil, zkwire.ReplyHeader{Xid: h.Xid}))
			return true
		}
		c.send(zkwire.AppendReply(nil, zkwire.ReplyHeader{Xid: h.Xid, Err: zkdb.ErrAuthFailed}))
		c.waitFlushed()
		c.close("authentication scheme not supported (only digest and ip)")
		return false
	case rq.Unknown && !knownOp(rq.Type):
		// ZooKeeper's UnimplementedRequestProcessor: zxid -1, then the connection closes.
		c.send(zkwire.AppendReply(nil, zkwire.ReplyHeader{Xid: h.Xid, Zxid: -1, Err: zkdb.ErrUnimplemented}))
		c.waitFlushed()
		c.close(fmt.Sprintf("unknown opcode %d", int32(rq.Type)))
		return false
	}
	if c.outstanding.Load() >= maxOutstanding {
		c.close(fmt.Sprintf("more than %d requests outstanding", maxOutstanding))
		return false
	}
	room := c.z.room
	ids := c.ids
	ok := room.post(func() {
		if c.cluster != room.c || c.cl == nil || c.cl.State() != engine.ClientConnected {
			c.close("the room was reset or the session ended")
			return
		}
		c.run(h, rq, ids)
	})
	if !ok {
		c.close("the room is closed or too busy")
	}
	return ok
}

// run executes a request with the connection's ids on the room goroutine; the reply is sent
// when the engine answers.
func (c *zkConn) run(h zkwire.RequestHeader, rq *zkwire.Request, ids []zkdb.ID) {
	cl := c.cl
	if rq.Unknown {
		c.refuse(h, zkdb.ErrUnimplemented)
		return
	}
	if rq.NullPath {
		// ZooKeeper decodes a null path and then fails on it: MARSHALLINGERROR, for a write
		// in an error txn (PrepRequestProcessor), for a read at once.
		if _, write := rq.WriteOp(); !write {
			c.refuse(h, zkdb.ErrMarshallingError)
			return
		}
		rq = &zkwire.Request{Type: rq.Type}
		c.submit(h, rq, zkdb.Op{Type: zkdb.OpError}, false)
		return
	}
	switch rq.Type {
	case zkdb.OpAddWatch, zkdb.OpRemoveWatches, zkdb.OpCheckWatches, zkdb.OpMultiRead:
		c.refuse(h, zkdb.ErrUnimplemented)
		return
	case zkdb.OpSetWatches, zkdb.OpSetWatches2:
		w := rq.Watches
		cl.SetWatches(w.RelativeZxid, w.DataWatches, w.ExistWatches, w.ChildWatches)
		c.send(zkwire.AppendReply(nil, c.header(h.Xid, zkdb.OK)))
		return
	case zkdb.OpWhoAmI:
		infos := make([]zkwire.ClientInfo, len(ids))
		for i, id := range ids {
			infos[i] = zkwire.ClientInfo{AuthScheme: id.Scheme, User: id.UserName()}
		}
		c.send(zkwire.AppendWhoAmIReply(nil, c.header(h.Xid, zkdb.OK), infos))
		return
	case zkdb.OpGetEphemerals, zkdb.OpGetAllChildrenNumber:
		c.serverRead(h, rq, ids)
		return
	case zkdb.OpCloseSession:
		c.outstanding.Add(1)
		cl.Submit(zkdb.Op{Type: zkdb.OpCloseSession}, false, func(rep engine.Reply) {
			c.outstanding.Add(-1)
			c.lastZxid.Store(int64(rep.Zxid))
			c.send(zkwire.AppendReply(nil, c.header(h.Xid, zkdb.OK)))
			c.flushThenClose("")
		})
		return
	}
	op, watch, ok := engineOp(rq)
	if !ok {
		c.send(zkwire.AppendReply(nil, c.header(h.Xid, zkdb.ErrUnimplemented)))
		return
	}
	op.Auth = ids
	c.submit(h, rq, op, watch)
}

// submit hands op to the engine; the reply is encoded for rq when the engine answers.
func (c *zkConn) submit(h zkwire.RequestHeader, rq *zkwire.Request, op zkdb.Op, watch bool) {
	c.outstanding.Add(1)
	c.cl.Submit(op, watch, func(rep engine.Reply) {
		c.outstanding.Add(-1)
		if rep.Zxid > zkdb.Zxid(c.lastZxid.Load()) {
			c.lastZxid.Store(int64(rep.Zxid))
		}
		if rq.Type == zkdb.OpGetACL && rep.Err == zkdb.OK && !zkdb.Permits(rep.ACL, zkdb.PermAdmin, op.Auth) {
			rep.ACL = redactDigests(rep.ACL)
		}
		c.send(encodeReply(c.header(h.Xid, rep.Err), rq, rep))
	})
}

// refuse answers a request with an error and the server's last zxid, as
// FinalRequestProcessor stamps its replies.
func (c *zkConn) refuse(h zkwire.RequestHeader, err zkdb.Err) {
	hdr := c.header(h.Xid, err)
	hdr.Zxid = c.z.room.c.Peer(c.id).LastProcessedZxid()
	c.send(zkwire.AppendReply(nil, hdr))
}

// serverRead answers the server-local reads the engine's request path does not model.
func (c *zkConn) serverRead(h zkwire.RequestHeader, rq *zkwire.Request, ids []zkdb.ID) {
	p := c.z.room.c.Peer(c.id)
	tree := p.Tree()
	hdr := c.header(h.Xid, zkdb.OK)
	hdr.Zxid = tree.LastProcessedZxid()
	if hdr.Err = tree.CheckRead(&zkdb.Op{Type: rq.Type, Path: rq.Path, Auth: ids}); hdr.Err != zkdb.OK {
		c.send(zkwire.AppendReply(nil, hdr))
		return
	}
	switch rq.Type {
	case zkdb.OpGetEphemerals:
		var out []string
		for _, e := range tree.Ephemerals(c.cl.SessionID()) {
			if strings.HasPrefix(e, rq.Path) {
				out = append(out, e)
			}
		}
		c.send(zkwire.AppendEphemeralsReply(nil, hdr, out))
	case zkdb.OpGetAllChildrenNumber:
		if _, err := tree.Exists(rq.Path, 0); err != zkdb.OK {
			hdr.Err = err
			c.send(zkwire.AppendReply(nil, hdr))
			return
		}
		n := int32(-1)
		prefix := strings.TrimSuffix(rq.Path, "/") + "/"
		tree.Walk(func(path string, _ []byte, _ zkdb.Stat) bool {
			if path == rq.Path || strings.HasPrefix(path, prefix) {
				n++
			}
			return true
		})
		c.send(zkwire.AppendAllChildrenNumberReply(nil, hdr, n))
	}
}

// addID adds an id to the connection's ids once (ServerCnxn.addAuthInfo).
func (c *zkConn) addID(id zkdb.ID) {
	if !slices.Contains(c.ids, id) {
		c.ids = append(slices.Clip(c.ids), id)
	}
}

// redactDigests hides the password hashes of digest entries from a reader without ADMIN
// ("user:x"), as FinalRequestProcessor does for getACL.
func redactDigests(acl []zkdb.ACL) []zkdb.ACL {
	out := make([]zkdb.ACL, len(acl))
	for i, a := range acl {
		if a.Scheme == "digest" {
			user, _, _ := strings.Cut(a.ID, ":")
			a.ID = user + ":x"
		}
		out[i] = a
	}
	return out
}

func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// knownOp reports whether ZooKeeper 3.8 accepts the opcode (Request.isValid, plus auth and
// sasl, which its connection layer answers).
func knownOp(t zkdb.OpType) bool {
	switch {
	case t >= zkdb.OpCreate && t <= zkdb.OpMultiRead && t != 10:
		return true
	case t >= zkdb.OpAuth && t <= zkdb.OpWhoAmI:
		return true
	}
	return t == zkdb.OpCreateSession || t == zkdb.OpCloseSession
}

// engineOp turns a decoded request into the engine's op.
func engineOp(rq *zkwire.Request) (zkdb.Op, bool, bool) {
	switch rq.Type {
	case zkdb.OpGetData, zkdb.OpExists, zkdb.OpGetChildren, zkdb.OpGetChildren2:
		return zkdb.Op{Type: rq.Type, Path: rq.Path}, rq.Watch, true
	case zkdb.OpGetACL, zkdb.OpSync:
		return zkdb.Op{Type: rq.Type, Path: rq.Path}, false, true
	}
	op, ok := rq.WriteOp()
	return op, false, ok
}

// encodeReply renders the engine's answer as the reply body the request type calls for.
func encodeReply(h zkwire.ReplyHeader, rq *zkwire.Request, rep engine.Reply) []byte {
	if rep.Zxid > h.Zxid {
		h.Zxid = rep.Zxid
	}
	if rep.Err != zkdb.OK && rq.Type != zkdb.OpMulti {
		return zkwire.AppendReply(nil, h)
	}
	switch rq.Type {
	case zkdb.OpCreate:
		return zkwire.AppendPathReply(nil, h, rep.Path)
	case zkdb.OpCreate2, zkdb.OpCreateContainer, zkdb.OpCreateTTL:
		return zkwire.AppendCreate2Reply(nil, h, rep.Path, rep.Stat)
	case zkdb.OpSetData, zkdb.OpSetACL, zkdb.OpExists:
		return zkwire.AppendStatReply(nil, h, rep.Stat)
	case zkdb.OpGetData:
		return zkwire.AppendDataReply(nil, h, rep.Data, rep.Stat)
	case zkdb.OpGetACL:
		return zkwire.AppendACLReply(nil, h, rep.ACL, rep.Stat)
	case zkdb.OpGetChildren:
		return zkwire.AppendChildrenReply(nil, h, rep.Children)
	case zkdb.OpGetChildren2:
		return zkwire.AppendChildren2Reply(nil, h, rep.Children, rep.Stat)
	case zkdb.OpSync:
		return zkwire.AppendPathReply(nil, h, rq.Path)
	case zkdb.OpMulti:
		if rep.Err != zkdb.OK && len(rep.Multi) == 0 {
			return zkwire.AppendReply(nil, h)
		}
		h.Err = zkdb.OK
		failed := false
		for _, r := range rep.Multi {
			failed = failed || r.Err != zkdb.OK
		}
		results := make([]zkwire.MultiResult, len(rep.Multi))
		for i, r := range rep.Multi {
			t := zkdb.OpError // a failed multi answers every op with an error result (OK before the failure)
			if i < len(rq.Ops) && !failed {
				t = rq.Ops[i].Type
				if t.IsCreate() {
					t = zkwire.MultiCreateType(rq.Ops[i].Mode)
				}
			}
			results[i] = zkwire.MultiResult{Type: t, Err: r.Err, Path: r.Path, Stat: r.Stat}
		}
		return zkwire.AppendMultiReply(nil, h, results)
	}
	return zkwire.AppendReply(nil, h)
}
