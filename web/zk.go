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
	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
	"github.com/zablab/zablab/web/zkwire"
)

// maxOutstanding bounds a connection's unanswered requests (ZooKeeper stops reading at 1000).
const maxOutstanding = 1000

// maxQueuedReplyBytes bounds the replies (and watch events) a connection has been answered
// but not yet sent; a client that pipelines requests and does not read is closed beyond it.
// One reply larger than this is still sent when nothing else waits (see send).
var maxQueuedReplyBytes int64 = 16 << 20 // a var so a test can lower it

// maxFrame is jute.maxbuffer (0xfffff): ZooKeeper closes a connection whose frame
// announces more.
const maxFrame = zkwire.MaxFrameSize

// ZKPorts serves ZooKeeper's client protocol for every server of one room: server N listens
// on 127.0.0.1:(base+N). Each connection is one real client session half; the engine half is
// an external engine.Client owned by the room goroutine.
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
	// byConn finds a connection by its engine id (owned by the room goroutine).
	byConn map[uint64]*zkConn

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
	// fourLW is the four-letter words whitelist; serverStats each server's counters (mu).
	fourLW      atomic.Pointer[map[string]bool]
	serverStats map[int]*serverStats
}

// StartZKPorts listens for servers 1..n. A busy port is reported in the returned warnings and
// skipped; the others still start. A negative base picks free ports (tests).
func StartZKPorts(room *Room, host string, base, n int, logf func(string, ...any)) (*ZKPorts, []string) {
	if logf == nil {
		logf = log.New(os.Stderr, "", log.LstdFlags).Printf
	}
	z := &ZKPorts{room: room, host: host, base: base, logf: logf, ports: map[int]int{},
		listeners: map[int]net.Listener{}, conns: map[*zkConn]struct{}{}, lastZxid: map[int]*atomic.Int64{},
		byConn: map[uint64]*zkConn{}, serverStats: map[int]*serverStats{}}
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
		ms, _ := room.sink.(portSets)
		ms = append(ms, z)
		room.sink = ms
		room.c.SetExternalSink(ms)
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
		c := &zkConn{z: z, id: id, st: z.stats(id), nc: nc, out: make(chan []byte, 4096), done: make(chan struct{}), conn: nextConnID.Add(1), started: time.Now()}
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
	z  *ZKPorts
	id int // server id
	// st is the server's counters (looked up once: they are never replaced).
	st   *serverStats
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
	// queuedBytes is the size of the frames queued for the writer and not yet taken by it (a
	// frame being written does not count: a large reply in flight must not make the next
	// ping reply or watch event look like a client that does not read).
	queuedBytes atomic.Int64
	// timeout is the negotiated session timeout (wall clock: a silent client is dropped).
	timeout atomic.Int64
	// conn is the connection's id in the engine's zk.* commands.
	conn uint64
	// recv counts the requests read; started is when the connection was accepted.
	recv    atomic.Int64
	started time.Time
	// ids are the connection's identities (ServerCnxn.authInfo): its ip, then the digest ids
	// of its auth packets. Owned by the reader goroutine; replaced, never changed in place,
	// so a request takes the slice along.
	ids []zkdb.ID
	// Owned by the room goroutine: the cluster the session lives in, the requests handed to
	// it and not answered yet (in order), the connect handshake's outcome.
	cluster  *engine.Cluster
	pending  []pendingReq
	answered chan bool
	readOnly bool
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
// allowed to hold up the room. The bound is on the backlog: a frame joining an empty queue is
// always sent, however large, as ZooKeeper sends any reply (a getChildren of 10,000 long names
// is 20 MB; jute.maxbuffer bounds what the server reads, not what it writes).
func (c *zkConn) send(frame []byte) {
	if n := c.queuedBytes.Add(int64(len(frame))); n > maxQueuedReplyBytes && n > int64(len(frame)) {
		c.queuedBytes.Add(-int64(len(frame)))
		c.close(fmt.Sprintf("client does not read its replies: %d bytes answered and unsent (limit %d)", n-int64(len(frame)), maxQueuedReplyBytes))
		return
	}
	select {
	case <-c.done:
	case c.out <- frame:
		c.queued.Add(1)
		return
	default:
		c.close("client does not read its replies")
	}
	c.queuedBytes.Add(-int64(len(frame)))
}

func (c *zkConn) writer() {
	defer c.z.wg.Done()
	w := bufio.NewWriterSize(c.nc, 64<<10)
	for {
		select {
		case <-c.done:
			return
		case f := <-c.out:
			c.queuedBytes.Add(-int64(len(f)))
			c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
			w.Write(f)
			n := int64(1)
			for more := true; more; {
				select {
				case f = <-c.out:
					c.queuedBytes.Add(-int64(len(f)))
					w.Write(f)
					n++
				default:
					more = false
				}
			}
			if err := w.Flush(); err != nil {
				c.close("write failed: " + err.Error())
				return
			}
			c.flushed.Add(n)
			c.st.sent.Add(n)
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
		room := c.z.room
		room.do(func() (any, error) {
			delete(c.z.byConn, c.conn)
			if c.cluster != nil && c.cluster == room.c {
				room.c.Apply(engine.Command{Kind: engine.CmdZkDetach, Conn: c.conn})
			}
			return nil, nil
		})
		c.z.mu.Lock()
		delete(c.z.conns, c)
		c.z.mu.Unlock()
	}()
	r := bufio.NewReaderSize(c.nc, 64<<10)
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if head, err := r.Peek(4); err == nil && isFourLetterWord(head) {
		c.fourLetter(string(head))
		return
	}
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
		c.recv.Add(1)
		c.st.received.Add(1)
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

// connect runs the handshake in the room: new session, or revalidation of an old one, as
// a recorded zk.connect command; the engine answers through the ExternalSink methods.
func (c *zkConn) connect(req zkwire.ConnectRequest) bool {
	c.answered = make(chan bool, 1)
	c.readOnly = req.HasReadOnly
	room := c.z.room
	_, err := room.do(func() (any, error) {
		cl := room.c
		p := cl.Peer(c.id)
		if p == nil || p.State() == engine.Down {
			return nil, errors.New("server is down")
		}
		if req.SessionID != 0 && !equalBytes(req.Passwd, sessionPassword(req.SessionID)) {
			c.send(zkwire.ConnectResponse{Passwd: make([]byte, 16), IncludeReadOnly: req.HasReadOnly}.Encode(nil))
			c.answer(false)
			return nil, nil
		}
		c.cluster = cl
		c.z.byConn[c.conn] = c
		_, err := cl.Apply(engine.Command{Kind: engine.CmdZkConnect, Conn: c.conn, Server: c.id,
			Session: engine.HexID(req.SessionID), LastZxid: engine.HexID(req.LastZxidSeen), TimeoutMs: req.TimeOut,
			Addr: c.nc.RemoteAddr().String(), ReadOnly: req.ReadOnly})
		return nil, err
	})
	if err != nil {
		c.close(err.Error())
		return false
	}
	select {
	case ok := <-c.answered:
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

func (c *zkConn) answer(ok bool) {
	select {
	case c.answered <- ok:
	default:
	}
}

// The engine's answers to real clients (engine.ExternalSink), on the room goroutine.

// nextConnID numbers client connections across every set of ports, so that several sets on
// one room (tests) never share an id.
var nextConnID atomic.Uint64

// portSets passes the engine's answers to every set of ports of a room; the set that owns
// the connection answers.
type portSets []*ZKPorts

func (ps portSets) Connected(conn uint64, session int64, timeoutMs int32, z engine.Zxid) {
	for _, p := range ps {
		p.Connected(conn, session, timeoutMs, z)
	}
}

func (ps portSets) Refused(conn uint64, why reason.Reason, expired bool) {
	for _, p := range ps {
		p.Refused(conn, why, expired)
	}
}

func (ps portSets) Disconnected(conn uint64, why reason.Reason) {
	for _, p := range ps {
		p.Disconnected(conn, why)
	}
}

func (ps portSets) Reply(conn uint64, xid int32, op zkdb.OpType, r engine.Reply) {
	for _, p := range ps {
		p.Reply(conn, xid, op, r)
	}
}

func (ps portSets) Watch(conn uint64, ev zkdb.WatchEvent) {
	for _, p := range ps {
		p.Watch(conn, ev)
	}
}

// Connected sends the ConnectResponse.
func (z *ZKPorts) Connected(conn uint64, session int64, timeoutMs int32, serverZxid engine.Zxid) {
	c := z.byConn[conn]
	if c == nil {
		return
	}
	c.timeout.Store(int64(timeoutMs))
	c.lastZxid.Store(int64(serverZxid))
	ro := false
	if p := z.room.c.Peer(c.id); p != nil {
		ro = p.ReadOnly() // ConnectResponse.readOnly: the server is a ReadOnlyZooKeeperServer
	}
	c.send(zkwire.ConnectResponse{TimeOut: timeoutMs, SessionID: session, Passwd: sessionPassword(session), ReadOnly: ro, IncludeReadOnly: c.readOnly}.Encode(nil))
	c.answer(true)
}

// Refused ends the handshake: an expired session gets a zero session id, otherwise the
// connection closes without a response.
func (z *ZKPorts) Refused(conn uint64, why reason.Reason, expired bool) {
	c := z.byConn[conn]
	if c == nil {
		return
	}
	if expired {
		c.send(zkwire.ConnectResponse{Passwd: make([]byte, 16), IncludeReadOnly: c.readOnly}.Encode(nil))
	}
	if why.Code == reason.ClientNoLocalSessions {
		// ReadOnlyRequestProcessor: a global createSession gets a bare reply header (xid 0,
		// the server's last processed zxid, NOTREADONLY) where the client waits for a
		// ConnectResponse.
		var zxid engine.Zxid
		if p := z.room.c.Peer(c.id); p != nil {
			zxid = p.LastProcessedZxid()
		}
		c.send(zkwire.AppendReply(nil, zkwire.ReplyHeader{Zxid: zxid, Err: zkdb.ErrNotReadOnly}))
	}
	z.logf("zk server %d, client %s: refused: %s", c.id, c.nc.RemoteAddr(), why)
	c.answer(false)
}

// Disconnected closes the connection once what is queued has been written.
func (z *ZKPorts) Disconnected(conn uint64, why reason.Reason) {
	if c := z.byConn[conn]; c != nil {
		c.flushThenClose(why.String())
	}
}

// Reply answers the oldest pending request.
func (z *ZKPorts) Reply(conn uint64, xid int32, op zkdb.OpType, rep engine.Reply) {
	c := z.byConn[conn]
	if c == nil || len(c.pending) == 0 {
		return
	}
	pr := c.pending[0]
	rq := pr.rq
	c.pending = c.pending[1:]
	c.outstanding.Add(-1)
	if connectionLost(rep) {
		return // the connection is going away: ZooKeeper closes it without a reply
	}
	if rep.Zxid > zkdb.Zxid(c.lastZxid.Load()) {
		c.lastZxid.Store(int64(rep.Zxid))
	}
	switch op {
	case zkdb.OpCloseSession:
		c.lastZxid.Store(int64(rep.Zxid))
		c.send(zkwire.AppendReply(nil, c.header(xid, zkdb.OK)))
		c.flushThenClose("")
	case zkdb.OpSetWatches, zkdb.OpSetWatches2:
		c.send(zkwire.AppendReply(nil, c.header(xid, zkdb.OK)))
	default:
		if rq.Type == zkdb.OpGetACL && rep.Err == zkdb.OK && !zkdb.Permits(rep.ACL, zkdb.PermAdmin, pr.auth) {
			rep.ACL = redactDigests(rep.ACL)
		}
		c.send(encodeReply(c.header(xid, rep.Err), rq, rep))
	}
}

// Watch delivers a fired watch.
func (z *ZKPorts) Watch(conn uint64, ev zkdb.WatchEvent) {
	if c := z.byConn[conn]; c != nil {
		c.send(zkwire.AppendWatcherEvent(nil, zkwire.WatcherEvent{Type: ev.Type, State: zkwire.StateSyncConnected, Path: ev.Path}))
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
		if c.cluster != room.c {
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

// pendingReq is a request handed to the engine and not answered yet, with the ids it was
// sent with (a getACL reply hides digests from a reader without ADMIN).
type pendingReq struct {
	rq   *zkwire.Request
	auth []zkdb.ID
}

// run hands a request with the connection's ids to the engine (a recorded zk.request or
// zk.watches command) on the room goroutine; the reply is sent when the engine answers
// (ExternalSink.Reply). Server-local answers go out at once.
func (c *zkConn) run(h zkwire.RequestHeader, rq *zkwire.Request, ids []zkdb.ID) {
	cl := c.cluster
	ecl := cl.ExternalClient(c.conn)
	if ecl == nil || ecl.State() != engine.ClientConnected {
		c.close("the session is not connected")
		return
	}
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
		c.submit(h, &zkwire.Request{Type: rq.Type}, zkdb.Op{Type: zkdb.OpError}, false)
		return
	}
	switch rq.Type {
	case zkdb.OpAddWatch:
		c.submit(h, rq, zkdb.Op{Type: rq.Type, Path: rq.Path, Version: rq.WatchMode, Auth: ids}, false)
		return
	case zkdb.OpRemoveWatches, zkdb.OpCheckWatches:
		c.submit(h, rq, zkdb.Op{Type: rq.Type, Path: rq.Path, Version: rq.WatcherType, Auth: ids}, false)
		return
	case zkdb.OpSetWatches, zkdb.OpSetWatches2:
		w := rq.Watches
		c.pending = append(c.pending, pendingReq{rq: rq})
		c.outstanding.Add(1)
		cl.Apply(engine.Command{Kind: engine.CmdZkWatches, Conn: c.conn, Xid: h.Xid, Watches: &engine.WatchSpec{
			RelZxid: engine.HexID(w.RelativeZxid), Data: w.DataWatches, Exist: w.ExistWatches, Child: w.ChildWatches,
			Persistent: w.PersistentWatches, Recursive: w.PersistentRecursive}})
		return
	case zkdb.OpWhoAmI:
		infos := make([]zkwire.ClientInfo, len(ids))
		for i, id := range ids {
			infos[i] = zkwire.ClientInfo{AuthScheme: id.Scheme, User: id.UserName()}
		}
		c.send(zkwire.AppendWhoAmIReply(nil, c.header(h.Xid, zkdb.OK), infos))
		return
	case zkdb.OpGetEphemerals, zkdb.OpGetAllChildrenNumber:
		c.serverRead(h, rq, ids, ecl.SessionID())
		return
	case zkdb.OpCloseSession:
		c.submit(h, rq, zkdb.Op{Type: zkdb.OpCloseSession}, false)
		return
	}
	op, watch, ok := engineOp(rq)
	if !ok {
		c.refuse(h, zkdb.ErrUnimplemented)
		return
	}
	op.Auth = ids
	c.submit(h, rq, op, watch)
}

// submit hands op to the engine as a recorded zk.request; ExternalSink.Reply encodes the
// answer for rq.
func (c *zkConn) submit(h zkwire.RequestHeader, rq *zkwire.Request, op zkdb.Op, watch bool) {
	c.pending = append(c.pending, pendingReq{rq: rq, auth: op.Auth})
	c.outstanding.Add(1)
	if _, err := c.cluster.Apply(engine.Command{Kind: engine.CmdZkRequest, Conn: c.conn, Xid: h.Xid, Op: &op, Watch: watch}); err != nil {
		c.close("request refused: " + err.Error())
	}
}

// refuse answers a request with an error and the server's last zxid, as
// FinalRequestProcessor stamps its replies.
func (c *zkConn) refuse(h zkwire.RequestHeader, err zkdb.Err) {
	hdr := c.header(h.Xid, err)
	hdr.Zxid = c.z.room.c.Peer(c.id).LastProcessedZxid()
	c.send(zkwire.AppendReply(nil, hdr))
}

// connectionLost reports a reply the engine made up because the connection ended (its server
// crashed or dropped it, or the client went away). ZooKeeper never puts CONNECTIONLOSS (−4)
// on the wire: the server closes the socket and the client library makes up the error for
// what it had outstanding. Such replies are not sent; OnDisconnected closes the connection.
func connectionLost(rep engine.Reply) bool { return rep.Err == zkdb.ErrConnectionLoss }

// serverRead answers the server-local reads the engine's request path does not model.
func (c *zkConn) serverRead(h zkwire.RequestHeader, rq *zkwire.Request, ids []zkdb.ID, session int64) {
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
		for _, e := range tree.Ephemerals(session) {
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

// engineOp turns a decoded request into the engine's op.
func engineOp(rq *zkwire.Request) (zkdb.Op, bool, bool) {
	switch rq.Type {
	case zkdb.OpGetData, zkdb.OpExists, zkdb.OpGetChildren, zkdb.OpGetChildren2:
		return zkdb.Op{Type: rq.Type, Path: rq.Path}, rq.Watch, true
	case zkdb.OpGetACL, zkdb.OpSync:
		return zkdb.Op{Type: rq.Type, Path: rq.Path}, false, true
	case zkdb.OpMultiRead:
		ops := make([]zkdb.Op, len(rq.Ops))
		for i, sub := range rq.Ops {
			ops[i] = zkdb.Op{Type: sub.Type, Path: sub.Path}
			if sub.Watch {
				ops[i].Version = 1 // a watch (zkdb.Op's convention for multiRead ops)
			}
		}
		return zkdb.Op{Type: zkdb.OpMultiRead, Ops: ops}, false, true
	}
	op, ok := rq.WriteOp()
	return op, false, ok
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
	case zkdb.OpMultiRead:
		results := make([]zkwire.MultiResult, len(rep.Reads))
		for i, r := range rep.Reads {
			results[i] = zkwire.MultiResult{Type: rq.Ops[i].Type, Err: r.Err, Data: r.Data, Stat: r.Stat, Children: r.Children}
		}
		return zkwire.AppendMultiReply(nil, h, results)
	case zkdb.OpAddWatch:
		return zkwire.AppendAddWatchReply(nil, h)
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
