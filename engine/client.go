package engine

import (
	"fmt"
	"sort"

	"github.com/zablab/zablab/engine/reason"
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
	// Reads holds one answer per op of a multiRead (Err, and Data and Stat or Children),
	// each op answered on its own.
	Reads []Reply
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
	// conn is set for the engine half of a real ZooKeeper client: its TCP connection, from
	// addr.
	conn uint64
	addr string
	// readOnly: the client accepts a read-only server (ConnectRequest.readOnly).
	readOnly bool
}

// ExternalSink receives what the engine does for real ZooKeeper clients, whose TCP
// connections live outside the engine (see the zk.* commands). Every call names the
// connection. Replaying a run has no sink: the engine's side of the story is all recorded.
type ExternalSink interface {
	// Connected: the session exists on the server; send the ConnectResponse.
	Connected(conn uint64, session int64, timeoutMs int32, serverZxid Zxid)
	// Refused: the server will not take the client; expired means the session is invalid
	// (answer with a zero session), otherwise close without a response.
	Refused(conn uint64, why reason.Reason, expired bool)
	// Disconnected: the server dropped the connection (crash, election, expiry, close).
	Disconnected(conn uint64, why reason.Reason)
	// Reply answers request xid of the connection.
	Reply(conn uint64, xid int32, op zkdb.OpType, r Reply)
	// Watch delivers a fired watch.
	Watch(conn uint64, ev zkdb.WatchEvent)
}

// SetExternalSink sets where answers to real clients go.
func (c *Cluster) SetExternalSink(s ExternalSink) { c.sink = s }

// ExternalClient returns the engine half of the real client on connection conn, or nil.
func (c *Cluster) ExternalClient(conn uint64) *Client { return c.extConns[conn] }

// zkConnect attaches a real client to a server: a new session when Session is 0, else a
// revalidation of the existing one. LastZxid is the client's lastZxidSeen.
func (c *Cluster) zkConnect(cmd *Command) error {
	if c.extConns[cmd.Conn] != nil {
		return fmt.Errorf("connection %d is already attached", cmd.Conn)
	}
	if p := c.peers[cmd.Server]; p.state == Down {
		c.sinkRefused(cmd.Conn, reason.Of(reason.ClientServerDown, int64(cmd.Server)), false)
		return fmt.Errorf("server %d is down", cmd.Server)
	}
	cl := c.newClientState(cmd.TimeoutMs, cmd.Client)
	cl.conn = cmd.Conn
	cl.session = int64(cmd.Session)
	cl.lastZxid = Zxid(cmd.LastZxid)
	cl.pinned, cl.home, cl.hostIdx = true, cmd.Server, cmd.Server-1
	// Not kept in c.clients: a real client's engine half lives as long as its connection.
	c.extConns[cmd.Conn] = cl
	cl.OnWatch = func(ev zkdb.WatchEvent) {
		if c.sink != nil && cl.conn != 0 {
			c.sink.Watch(cl.conn, ev)
		}
	}
	cl.addr = cmd.Addr
	cl.readOnly = cmd.ReadOnly
	cl.connect(cmd.Server)
	return nil
}

func (c *Cluster) zkRequest(cmd *Command) error {
	cl := c.extConns[cmd.Conn]
	if cl == nil || cl.state != ClientConnected {
		c.sinkDisconnected(cmd.Conn, reason.Of(reason.ClientNotConnected))
		return fmt.Errorf("connection %d has no connected session", cmd.Conn)
	}
	conn, xid, t := cmd.Conn, cmd.Xid, cmd.Op.Type
	cl.Submit(*cmd.Op, cmd.Watch, func(r Reply) {
		if c.sink != nil {
			c.sink.Reply(conn, xid, t, r)
		}
	})
	return nil
}

func (c *Cluster) zkWatches(cmd *Command) error {
	cl := c.extConns[cmd.Conn]
	if cl == nil || cl.state != ClientConnected {
		c.sinkDisconnected(cmd.Conn, reason.Of(reason.ClientNotConnected))
		return fmt.Errorf("connection %d has no connected session", cmd.Conn)
	}
	w := cmd.Watches
	cl.SetWatches(Zxid(w.RelZxid), w.Data, w.Exist, w.Child)
	if t := c.peers[cl.server].tree; t != nil {
		for _, p := range w.Persistent {
			t.AddWatch(p, zkdb.AddWatchPersistent, cl.id)
		}
		for _, p := range w.Recursive {
			t.AddWatch(p, zkdb.AddWatchPersistentRecursive, cl.id)
		}
	}
	if c.sink != nil {
		c.sink.Reply(cmd.Conn, cmd.Xid, zkdb.OpSetWatches, Reply{Server: cl.server, Zxid: cl.lastZxid})
	}
	return nil
}

func (c *Cluster) zkDetach(cmd *Command) error {
	cl := c.extConns[cmd.Conn]
	if cl == nil {
		return nil
	}
	delete(c.extConns, cmd.Conn)
	cl.detach()
	return nil
}

func (c *Cluster) sinkRefused(conn uint64, why reason.Reason, expired bool) {
	if c.sink != nil {
		c.sink.Refused(conn, why, expired)
	}
}

func (c *Cluster) sinkDisconnected(conn uint64, why reason.Reason) {
	if c.sink != nil {
		c.sink.Disconnected(conn, why)
	}
}

// Kill ends the client's process without closing its session (a recorded client.kill): the
// server forgets the connection, and the session lives until it expires.
func (cl *Client) Kill() { cl.c.Apply(Command{Kind: CmdClientKill, Client: cl.id}) }

// TimeoutMs is the negotiated session timeout.
func (cl *Client) TimeoutMs() int32 { return cl.timeoutMs }

// detach ends a real client's connection without ending its session (the TCP connection
// closed): the server forgets this connection (not a newer one of the same session) and the
// session lives until it expires.
func (cl *Client) detach() {
	if cl.state == ClientClosed || cl.state == ClientExpired {
		return
	}
	if p := cl.c.peer(cl.server); p != nil && p.state != Down {
		if cl.state == ClientConnected {
			p.srv.drop(p, cl)
		}
		if p.srv.waiting[cl.session] == cl {
			delete(p.srv.waiting, cl.session)
		}
	}
	cl.conn = 0
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
	// ref names the callback of a recorded client.op (Cluster.replyCbs), when cb is nil.
	ref uint64
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
	return c.openClientCmd(server, timeoutMs, true)
}

// NewClient creates a client that connects to server (any server when 0) with a session
// timeout in milliseconds; when its server goes away it tries the others in turn.
func (c *Cluster) NewClient(server int, timeoutMs int32) *Client {
	return c.openClientCmd(server, timeoutMs, false)
}

// openClientCmd applies a client.open command and returns the client (already created when
// the command is deferred to after the current step).
func (c *Cluster) openClientCmd(server int, timeoutMs int32, pinned bool) *Client {
	if server < 0 || server > c.Size() {
		server = 0
	}
	c.nextClient++
	id := c.nextClient
	cl := c.newClientState(timeoutMs, id)
	c.preClients[id] = cl
	if _, err := c.Apply(Command{Kind: CmdClientOpen, Client: id, Server: server, TimeoutMs: timeoutMs, Pinned: pinned}); err != nil {
		delete(c.preClients, id)
		cl.state = ClientClosed
	}
	return cl
}

// openClient executes client.open.
func (c *Cluster) openClient(cmd *Command) {
	cl := c.preClients[cmd.Client]
	delete(c.preClients, cmd.Client)
	if cl == nil {
		cl = c.newClientState(cmd.TimeoutMs, cmd.Client)
	}
	if cmd.Client > c.nextClient {
		c.nextClient = cmd.Client
	}
	server := cmd.Server
	if server <= 0 || server > len(c.peers)-1 {
		server = 1 + c.clientRng.IntN(len(c.peers)-1)
	}
	cl.hostIdx = server - 1
	cl.pinned, cl.home = cmd.Pinned, server
	c.clients = append(c.clients, cl)
	c.clientIdx[cl.id] = cl
	cl.connect(server)
}

// ClientByID returns the in-process client with that id, or nil.
func (c *Cluster) ClientByID(id int64) *Client { return c.clientIdx[id] }

// newClientState makes a client with a negotiated timeout, clamped to ZooKeeper's
// [minSessionTimeout, maxSessionTimeout] = [2, 20] × tickTime. id 0 takes the next number.
func (c *Cluster) newClientState(timeoutMs int32, id ...int64) *Client {
	if len(id) > 0 && id[0] > 0 {
		if id[0] > c.nextClient {
			c.nextClient = id[0]
		}
	} else {
		c.nextClient++
		id = []int64{c.nextClient}
	}
	tick := int32(c.cfg.Timing.TickTimeMs)
	if timeoutMs < 2*tick {
		timeoutMs = 2 * tick
	}
	if timeoutMs > 20*tick {
		timeoutMs = 20 * tick
	}
	return &Client{c: c, id: id[0], timeoutMs: timeoutMs,
		dataW: map[string]bool{}, existW: map[string]bool{}, childW: map[string]bool{}}
}

// Submit sends a request. Reads: OpGetData, OpExists, OpGetChildren(2), OpGetACL (with watch
// for the first three). Writes: create*, delete, setData, setACL, check, multi. OpSync.
// cb runs when the answer arrives, in submission order. The request is a recorded command
// (client.op) for in-process clients; a real client's requests are recorded as zk.request.
func (cl *Client) Submit(op zkdb.Op, watch bool, cb func(Reply)) {
	if cl.conn != 0 {
		cl.submit(op, watch, cb)
		return
	}
	c := cl.c
	c.nextRef++
	ref := c.nextRef
	if cb != nil {
		c.replyCbs[ref] = cb
	}
	// One allocation for the command and its op.
	oc := &struct {
		cmd Command
		op  zkdb.Op
	}{cmd: Command{Kind: CmdClientOp, Client: cl.id, Ref: ref, Watch: watch}, op: op}
	oc.cmd.Op = &oc.op
	if _, err := c.applyPtr(&oc.cmd); err != nil {
		delete(c.replyCbs, ref)
		if cb != nil {
			cb(Reply{Err: zkdb.ErrBadArguments, Server: cl.server})
		}
	}
}

// submitRef executes client.op: the callback registered under ref (if any) gets the reply.
func (cl *Client) submitRef(op zkdb.Op, watch bool, ref uint64) {
	c := cl.c
	if ref > c.nextRef {
		c.nextRef = ref
	}
	cl.submitOp(op, watch, nil, ref)
}

func (cl *Client) submit(op zkdb.Op, watch bool, cb func(Reply)) { cl.submitOp(op, watch, cb, 0) }

func (cl *Client) submitOp(op zkdb.Op, watch bool, cb func(Reply), ref uint64) {
	cl.cxid++
	o := &clientOp{cxid: cl.cxid, op: op, watch: watch, cb: cb, ref: ref}
	cl.closing = cl.closing || op.Type == zkdb.OpCloseSession // answered like Close's
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

// Close ends the session (closeSession is a txn; ephemerals go with it): a recorded
// client.close command.
func (cl *Client) Close() {
	if cl.conn != 0 {
		cl.close()
		return
	}
	cl.c.Apply(Command{Kind: CmdClientClose, Client: cl.id})
}

func (cl *Client) close() {
	if cl.state == ClientClosed || cl.state == ClientExpired {
		return
	}
	cl.closing = true
	if cl.state != ClientConnected {
		cl.setState(ClientClosed)
		return
	}
	cl.submit(zkdb.Op{Type: zkdb.OpCloseSession}, false, nil)
}

func (cl *Client) setState(s ClientState) {
	wasConnecting := cl.state == ClientConnecting
	cl.state = s
	if s == ClientClosed || s == ClientExpired {
		cl.gen++
		cl.failAll(zkdb.ErrSessionExpired)
		if conn := cl.conn; conn != 0 {
			cl.conn = 0
			delete(cl.c.extConns, conn)
			if s == ClientExpired && wasConnecting {
				cl.c.sinkRefused(conn, reason.Of(reason.ClientSessionExpired), true)
			} else if s == ClientExpired {
				cl.c.sinkDisconnected(conn, reason.Of(reason.ClientSessionExpired))
			} else {
				cl.c.sinkDisconnected(conn, reason.Of(reason.ClientSessionClosed))
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
	cl.c.emit(&Event{Kind: EvClient, Node: o.reply.Server, Client: cl.id, Session: cl.session, Op: o.op.Type,
		Path: o.op.Path, Err: o.reply.Err, Zxid: o.reply.TxnZxid})
	if o.cb == nil && o.ref != 0 {
		if cb := cl.c.replyCbs[o.ref]; cb != nil {
			delete(cl.c.replyCbs, o.ref)
			cb(o.reply)
		}
	}
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
		cl.retryLater(reason.Of(reason.ClientNotServing, int64(server)))
	case p.srv.readOnly && !cl.readOnly:
		// ZooKeeperServer.processConnectRequest: "Refusing session request for
		// not-read-only client".
		cl.retryLater(reason.Of(reason.ClientNotReadOnly, int64(server)))
	case cl.lastZxid > p.LastProcessedZxid():
		// processConnectRequest checks the client's zxid before it creates or reopens a
		// session (where the read-only checks below come from).
		cl.c.emit(&Event{Kind: EvClient, Node: server, Client: cl.id, Session: cl.session, Zxid: cl.lastZxid,
			Reason: reason.Of(reason.ClientRefusedBehind, int64(cl.lastZxid), int64(p.LastProcessedZxid()))})
		cl.retryLater(reason.Of(reason.ClientBehind))
	case p.srv.readOnly && cl.session != 0:
		// ReadOnlyZooKeeperServer.validateSession: a global session cannot be renewed.
		cl.retryLater(reason.Of(reason.ClientGlobalInReadOnly, int64(server)))
	case p.srv.readOnly && !cl.c.cfg.LocalSessions:
		// Without localSessionsEnabled a read-only server's createSession is a global one,
		// and ReadOnlyRequestProcessor answers it with a NOTREADONLY reply header instead of
		// a ConnectResponse: the client cannot use it.
		cl.retryLater(reason.Of(reason.ClientNoLocalSessions, int64(server)))
	default:
		p.srv.attach(p, cl)
	}
}

func (cl *Client) retryLater(why reason.Reason) {
	if conn := cl.conn; conn != 0 {
		cl.c.Note(cl.server, cl.id, cl.session, reason.Nest(reason.ClientRealRefused, why).WithText(cl.addr))
		cl.conn = 0
		delete(cl.c.extConns, conn)
		cl.server = 0
		cl.state = ClientClosed
		cl.gen++
		cl.c.sinkRefused(conn, why, false)
		return
	}
	cl.server = 0
	cl.state = ClientConnecting
	cl.gen++
	delay := cl.c.msUs(50 + cl.c.clientRng.Int64N(cl.c.cfg.Timing.TickTimeMs/2+1))
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
	if cl.conn != 0 {
		cl.c.Note(server, cl.id, cl.session, reason.Text(reason.ClientRealConnected, cl.addr))
	}
	if cl.conn != 0 && cl.c.sink != nil {
		cl.c.sink.Connected(cl.conn, cl.session, cl.timeoutMs, cl.c.peers[server].LastProcessedZxid())
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
func (cl *Client) disconnected(why reason.Reason) {
	if cl.state == ClientClosed || cl.state == ClientExpired {
		return
	}
	cl.failAll(zkdb.ErrConnectionLoss)
	if conn := cl.conn; conn != 0 {
		cl.conn = 0
		delete(cl.c.extConns, conn)
		cl.state = ClientClosed
		cl.gen++
		cl.c.sinkDisconnected(conn, why)
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
	cl.c.emit(&Event{Kind: EvWatch, Node: cl.server, Client: cl.id, Path: ev.Path, Reason: reason.Text(reason.WatchFired, ev.Type.String())})
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
func (c *Cluster) Note(server int, client int64, session int64, why reason.Reason) {
	c.emit(&Event{Kind: EvClient, Node: server, Client: client, Session: session, Reason: why})
}
