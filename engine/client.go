package engine

import (
	"fmt"
	"sort"

	"github.com/zablab/zablab/engine/zkdb"
)

// ClientState is the state of an in-process ZooKeeper client (ZooKeeper.States).
type ClientState uint8

// Client states.
const (
	ClientConnecting ClientState = iota
	ClientConnected
	ClientExpired
	ClientClosed
)

func (s ClientState) String() string {
	return [...]string{"CONNECTING", "CONNECTED", "EXPIRED", "CLOSED"}[s]
}

// Reply is the answer to one client request.
type Reply struct {
	Err zkdb.Err
	// Zxid is ReplyHeader.zxid: the server's last processed zxid when it answered.
	Zxid Zxid
	// TxnZxid is the zxid of the write's txn (0 for reads and failures before a txn).
	TxnZxid  Zxid
	Server   int
	Path     string
	Data     []byte
	Stat     zkdb.Stat
	Children []string
	ACL      []zkdb.ACL
	Multi    []zkdb.Result
}

// Client is an in-process ZooKeeper client with a session. It lives inside the simulation:
// its connection to a server has no latency, and its calls run on the room's goroutine.
type Client struct {
	c         *Cluster
	id        int64
	server    int // connected (or connecting) server, 0 if none
	state     ClientState
	session   int64
	timeoutMs int32
	lastZxid  Zxid
	cxid      int32
	ops       []*clientOp // sent to the current server, answered in order
	queued    []*clientOp // submitted while not connected
	closing   bool
	pinned    bool // reconnects only to home (a UI client bound to one server)
	home      int
	gen       uint64 // timer generation
	hostIdx   int
	// watches this client set, re-registered on reconnect (setWatches).
	dataW, existW, childW map[string]bool
	// OnWatch receives fired watch events; OnState receives state changes.
	OnWatch func(zkdb.WatchEvent)
	OnState func(ClientState, int)
	// ext is set for the engine half of a real ZooKeeper client (see ConnectExternal).
	ext *External
}

// External connects a real ZooKeeper client (on a TCP connection outside the engine) to a
// server. Such a client never moves by itself: the real client does that by reconnecting.
type External struct {
	// OnConnected: the session exists on the server; send the ConnectResponse. It may run
	// before ConnectExternal returns.
	OnConnected func(cl *Client)
	// OnRefused: the server will not take the client; expired means the session is invalid
	// (answer with a zero session), otherwise close without a response.
	OnRefused func(reason string, expired bool)
	// OnDisconnected: the server dropped the connection (crash, election, expiry).
	OnDisconnected func(reason string)
}

// ConnectExternal attaches a real client to a server: a new session when sessionID is 0,
// else a revalidation of the existing one. lastZxid is the client's lastZxidSeen.
func (c *Cluster) ConnectExternal(server int, sessionID int64, lastZxid Zxid, timeoutMs int32, ext External) *Client {
	cl := c.newClientState(timeoutMs)
	cl.ext = &ext
	cl.session = sessionID
	cl.lastZxid = lastZxid
	cl.pinned, cl.home, cl.hostIdx = true, server, server-1
	// Not kept in c.clients: a real client's engine half lives as long as its connection.
	cl.connect(server)
	return cl
}

// TimeoutMs is the negotiated session timeout.
func (cl *Client) TimeoutMs() int32 { return cl.timeoutMs }

// Detach ends a real client's connection without ending its session (the TCP connection
// closed): the server forgets the connection and the session lives until it expires.
func (cl *Client) Detach() {
	if cl.state == ClientClosed || cl.state == ClientExpired {
		return
	}
	if p := cl.c.peer(cl.server); p != nil && p.state != Down {
		if cl.state == ClientConnected {
			p.srv.drop(p, cl)
		}
		delete(p.srv.waiting, cl.session)
	}
	cl.ext = nil
	cl.failAll(zkdb.ErrConnectionLoss)
	cl.state = ClientClosed
	cl.gen++
	cl.OnWatch, cl.OnState = nil, nil
}

// SetWatches re-registers watches after a reconnect (ZooKeeper's setWatches): what changed
// since relZxid fires at once, the rest is armed.
func (cl *Client) SetWatches(relZxid Zxid, data, exist, child []string) {
	p := cl.c.peer(cl.server)
	if cl.state != ClientConnected || p == nil || p.tree == nil {
		return
	}
	for _, x := range data {
		cl.dataW[x] = true
	}
	for _, x := range exist {
		cl.existW[x] = true
	}
	for _, x := range child {
		cl.childW[x] = true
	}
	for _, ev := range p.tree.SetWatches(relZxid, data, exist, child, cl.id) {
		cl.onWatch(ev)
	}
}

type clientOp struct {
	cxid  int32
	op    zkdb.Op
	watch bool
	done  bool
	sent  bool
	reply Reply
	cb    func(Reply)
}

// ID is the client's number within the cluster.
func (cl *Client) ID() int64 { return cl.id }

// SessionID is the session id, 0 before the session exists.
func (cl *Client) SessionID() int64 { return cl.session }

// State is the client's state.
func (cl *Client) State() ClientState { return cl.state }

// Server is the server the client is connected to (0 if none).
func (cl *Client) Server() int { return cl.server }

// LastZxid is the last zxid the client has seen (lastZxidSeen).
func (cl *Client) LastZxid() Zxid { return cl.lastZxid }

// NewPinnedClient creates a client bound to one server: it never moves to another one
// (the lab's "client at server N").
func (c *Cluster) NewPinnedClient(server int, timeoutMs int32) *Client {
	cl := c.newClient(server, timeoutMs, true)
	return cl
}

// NewClient creates a client that connects to server (any server when 0) with a session
// timeout in milliseconds; when its server goes away it tries the others in turn.
func (c *Cluster) NewClient(server int, timeoutMs int32) *Client {
	return c.newClient(server, timeoutMs, false)
}

// newClientState makes a client with a negotiated timeout, clamped to ZooKeeper's
// [minSessionTimeout, maxSessionTimeout] = [2, 20] × tickTime.
func (c *Cluster) newClientState(timeoutMs int32) *Client {
	c.nextClient++
	tick := int32(c.cfg.Timing.TickTimeMs)
	if timeoutMs < 2*tick {
		timeoutMs = 2 * tick
	}
	if timeoutMs > 20*tick {
		timeoutMs = 20 * tick
	}
	return &Client{c: c, id: c.nextClient, timeoutMs: timeoutMs,
		dataW: map[string]bool{}, existW: map[string]bool{}, childW: map[string]bool{}}
}

func (c *Cluster) newClient(server int, timeoutMs int32, pinned bool) *Client {
	cl := c.newClientState(timeoutMs)
	if server <= 0 || server > len(c.peers)-1 {
		server = 1 + c.rng.Intn(len(c.peers)-1)
	}
	cl.hostIdx = server - 1
	cl.pinned, cl.home = pinned, server
	c.clients = append(c.clients, cl)
	cl.connect(server)
	return cl
}

// Submit sends a request. Reads: OpGetData, OpExists, OpGetChildren(2), OpGetACL (with watch
// for the first three). Writes: create*, delete, setData, setACL, check, multi. OpSync.
// cb runs when the answer arrives, in submission order.
func (cl *Client) Submit(op zkdb.Op, watch bool, cb func(Reply)) {
	cl.cxid++
	o := &clientOp{cxid: cl.cxid, op: op, watch: watch, cb: cb}
	if cl.state == ClientExpired || cl.state == ClientClosed {
		o.done, o.reply = true, Reply{Err: zkdb.ErrSessionExpired}
		cl.finish(o)
		return
	}
	if cl.state != ClientConnected {
		cl.queued = append(cl.queued, o)
		return
	}
	cl.ops = append(cl.ops, o)
	cl.c.peers[cl.server].srv.handle(cl.c.peers[cl.server], cl, o)
}

// Close ends the session (closeSession is a txn; ephemerals go with it).
func (cl *Client) Close() {
	if cl.state == ClientClosed || cl.state == ClientExpired {
		return
	}
	cl.closing = true
	if cl.state != ClientConnected {
		cl.setState(ClientClosed)
		return
	}
	cl.Submit(zkdb.Op{Type: zkdb.OpCloseSession}, false, nil)
}

func (cl *Client) setState(s ClientState) {
	wasConnecting := cl.state == ClientConnecting
	cl.state = s
	if s == ClientClosed || s == ClientExpired {
		cl.gen++
		cl.failAll(zkdb.ErrSessionExpired)
		if ext := cl.ext; ext != nil {
			cl.ext = nil
			if s == ClientExpired && wasConnecting {
				ext.OnRefused("session expired", true)
			} else if s == ClientExpired {
				ext.OnDisconnected("session expired")
			} else {
				ext.OnDisconnected("session closed")
			}
		}
	}
	if cl.OnState != nil {
		cl.OnState(s, cl.server)
	}
}

func (cl *Client) finish(o *clientOp) {
	if o.reply.Zxid > cl.lastZxid {
		cl.lastZxid = o.reply.Zxid
	}
	cl.c.emit(Event{Kind: EvClient, Node: o.reply.Server, Client: cl.id, Session: cl.session, Op: o.op.Type,
		Path: o.op.Path, Err: o.reply.Err, Zxid: o.reply.TxnZxid})
	if o.cb != nil {
		o.cb(o.reply)
	}
}

// complete marks an op answered and flushes answers in order.
func (cl *Client) complete(o *clientOp, r Reply) {
	o.done, o.reply = true, r
	for len(cl.ops) > 0 && cl.ops[0].done {
		h := cl.ops[0]
		cl.ops = cl.ops[1:]
		cl.finish(h)
	}
}

func (cl *Client) failAll(err zkdb.Err) {
	ops := append(cl.ops, cl.queued...)
	cl.ops, cl.queued = nil, nil
	for _, o := range ops {
		o.done, o.reply = true, Reply{Err: err, Server: cl.server}
		cl.finish(o)
	}
}

// connect tries one server (ClientCnxn: the server may refuse).
func (cl *Client) connect(server int) {
	cl.server = server
	cl.state = ClientConnecting
	p := cl.c.peers[server]
	switch {
	case !p.srv.serving:
		cl.retryLater(fmt.Sprintf("server %d is not serving", server))
	case cl.lastZxid > p.LastProcessedZxid():
		cl.c.emit(Event{Kind: EvClient, Node: server, Client: cl.id, Session: cl.session, Zxid: cl.lastZxid,
			Reason: fmt.Sprintf("refused: the client has seen %s, the server is at %s; try another server", cl.lastZxid, p.LastProcessedZxid())})
		cl.retryLater("server behind the client")
	default:
		p.srv.attach(p, cl)
	}
}

func (cl *Client) retryLater(why string) {
	if ext := cl.ext; ext != nil {
		cl.ext = nil
		cl.server = 0
		cl.state = ClientClosed
		cl.gen++
		ext.OnRefused(why, false)
		return
	}
	cl.server = 0
	cl.state = ClientConnecting
	cl.gen++
	delay := cl.c.msUs(50 + cl.c.rng.Int63n(cl.c.cfg.Timing.TickTimeMs/2+1))
	cl.c.scheduleClient(cl, cl.gen, delay)
}

// onTimer: reconnect when disconnected; ping when connected (every third of the timeout).
func (cl *Client) onTimer(gen uint64) {
	if gen != cl.gen || cl.state == ClientClosed || cl.state == ClientExpired {
		return
	}
	if cl.state == ClientConnecting && cl.server == 0 && cl.pinned {
		cl.connect(cl.home)
		return
	}
	if cl.state == ClientConnecting && cl.server == 0 {
		n := len(cl.c.peers) - 1
		cl.hostIdx = (cl.hostIdx + 1) % n
		cl.connect(cl.hostIdx + 1)
		return
	}
	if cl.state == ClientConnected {
		cl.c.peers[cl.server].srv.touch(cl.c.peers[cl.server], cl.session, cl.timeoutMs)
		cl.gen++
		cl.c.scheduleClient(cl, cl.gen, cl.c.msUs(int64(cl.timeoutMs)/3))
	}
}

// connected: the session exists on this server.
func (cl *Client) connected(server int) {
	cl.state = ClientConnected
	cl.server = server
	cl.gen++
	cl.c.scheduleClient(cl, cl.gen, cl.c.msUs(int64(cl.timeoutMs)/3))
	if cl.OnState != nil {
		cl.OnState(ClientConnected, server)
	}
	if cl.ext != nil {
		cl.ext.OnConnected(cl)
	}
	p := cl.c.peers[server]
	// Re-register watches (setWatches with the last zxid seen).
	if len(cl.dataW)+len(cl.existW)+len(cl.childW) > 0 {
		evs := p.tree.SetWatches(cl.lastZxid, keys(cl.dataW), keys(cl.existW), keys(cl.childW), cl.id)
		for _, ev := range evs {
			cl.onWatch(ev)
		}
	}
	q := cl.queued
	cl.queued = nil
	for _, o := range q {
		cl.ops = append(cl.ops, o)
		p.srv.handle(p, cl, o)
	}
}

// disconnected: the server went away; outstanding requests fail with CONNECTIONLOSS.
func (cl *Client) disconnected(why string) {
	if cl.state == ClientClosed || cl.state == ClientExpired {
		return
	}
	cl.failAll(zkdb.ErrConnectionLoss)
	if ext := cl.ext; ext != nil {
		cl.ext = nil
		cl.state = ClientClosed
		cl.gen++
		ext.OnDisconnected(why)
		return
	}
	if cl.closing {
		cl.setState(ClientClosed)
		return
	}
	cl.retryLater(why)
}

func (cl *Client) onWatch(ev zkdb.WatchEvent) {
	delete(cl.dataW, ev.Path)
	delete(cl.existW, ev.Path)
	if ev.Type == zkdb.EventNodeChildrenChanged || ev.Type == zkdb.EventNodeDeleted {
		delete(cl.childW, ev.Path)
	}
	cl.c.emit(Event{Kind: EvWatch, Node: cl.server, Client: cl.id, Path: ev.Path, Reason: ev.Type.String()})
	if cl.OnWatch != nil {
		cl.OnWatch(ev)
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Note records a client-side happening in the event stream (a real client connecting,
// being refused, going away), so the lab can show it next to what it caused.
func (c *Cluster) Note(server int, client int64, session int64, text string) {
	c.emit(Event{Kind: EvClient, Node: server, Client: client, Session: session, Reason: text})
}
