package engine

import (
	"sort"

	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

// serverSide is a server's client-facing half (ServerCnxnFactory + request processors):
// connected clients, their outstanding requests, sessions touched since the last ping.
type serverSide struct {
	serving bool
	// readOnly: the server is LOOKING and serves read-only clients (ReadOnlyZooKeeperServer):
	// sessions are local (no txn), writes and sync get NOTREADONLY.
	readOnly  bool
	clients   []*Client         // connected, in client-id order
	bySession map[int64]*Client // connected or connecting, by session
	waiting   map[int64]*Client // session → client waiting for createSession or revalidation
	touched   map[int64]int32   // learner: sessions touched since the last PING reply
	syncs     []*clientSync     // sync() calls waiting for the leader's SYNC, in order
	sessSeq   int64
}

type clientSync struct {
	cl *Client
	o  *clientOp
}

func (s *serverSide) reset() {
	*s = serverSide{bySession: map[int64]*Client{}, waiting: map[int64]*Client{}, touched: map[int64]int32{}}
}

// startServing: the server may now take clients (leader established, learner up to date).
func (s *serverSide) startServing(p *Peer) { s.serving = true }

// startReadOnly: the LOOKING server starts serving read-only clients.
func (s *serverSide) startReadOnly(p *Peer) { s.serving, s.readOnly = true, true }

// ReadOnly reports whether the server is serving read-only clients while LOOKING
// (readonlymode.enabled).
func (p *Peer) ReadOnly() bool { return p.srv.readOnly }

// closeAll drops every client connection (the server left its role or crashed).
func (s *serverSide) closeAll(p *Peer) {
	s.serving, s.readOnly = false, false
	cls := append([]*Client(nil), s.clients...)
	for _, cl := range s.waiting {
		if !containsClient(cls, cl) {
			cls = append(cls, cl)
		}
	}
	sort.Slice(cls, func(i, j int) bool { return cls[i].id < cls[j].id })
	s.clients, s.syncs = nil, nil
	s.bySession = map[int64]*Client{}
	s.waiting = map[int64]*Client{}
	s.touched = map[int64]int32{}
	for _, cl := range cls {
		if p.tree != nil {
			p.tree.RemoveWatcher(cl.id)
		}
		if cl.server == p.id {
			cl.disconnected(reason.Of(reason.ClientServerClosed, int64(p.id)))
		}
	}
}

func containsClient(list []*Client, cl *Client) bool {
	for _, x := range list {
		if x == cl {
			return true
		}
	}
	return false
}

// attach: a client connects. A new session is a createSession txn; an existing one is
// revalidated with the leader.
func (s *serverSide) attach(p *Peer, cl *Client) {
	if cl.session == 0 {
		s.sessSeq++
		id := int64(p.id)<<56 | (p.c.now/1000&0xffffffffff)<<16 + s.sessSeq
		cl.session = id
		if s.readOnly {
			s.join(p, cl) // a local session: no createSession txn
			return
		}
		s.waiting[id] = cl
		s.write(p, id, 0, zkdb.Op{Type: zkdb.OpCreateSession, Timeout: cl.timeoutMs})
		return
	}
	s.waiting[cl.session] = cl
	if p.lead != nil {
		s.revalidated(p, cl.session, p.lead.sessions.valid(cl.session))
		return
	}
	p.c.sendOnConn(p.id, p.learn.leader, p.learn.conn, &Message{Packet: Revalidate, Live: []SessionTTL{{cl.session, cl.timeoutMs}}})
}

// revalidated: the leader's answer for a reconnecting session.
func (s *serverSide) revalidated(p *Peer, session int64, valid bool) {
	cl := s.waiting[session]
	if cl == nil || cl.server != p.id {
		return
	}
	delete(s.waiting, session)
	if !valid {
		cl.setState(ClientExpired)
		return
	}
	s.join(p, cl)
}

func (s *serverSide) join(p *Peer, cl *Client) {
	s.clients = append(s.clients, cl)
	sort.Slice(s.clients, func(i, j int) bool { return s.clients[i].id < s.clients[j].id })
	s.bySession[cl.session] = cl
	s.touch(p, cl.session, cl.timeoutMs)
	cl.connected(p.id)
}

// touch records client activity for the session (leader: at once; learner: next PING).
func (s *serverSide) touch(p *Peer, session int64, timeoutMs int32) {
	if p.lead != nil {
		p.lead.sessions.touch(session, p.c.now)
		return
	}
	s.touched[session] = timeoutMs
}

// touchedSessions empties the touched set for a PING reply, in session order.
func (s *serverSide) touchedSessions() []SessionTTL {
	if len(s.touched) == 0 {
		return nil
	}
	out := make([]SessionTTL, 0, len(s.touched))
	for id, to := range s.touched {
		out = append(out, SessionTTL{id, to})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SessionID < out[j].SessionID })
	s.touched = map[int64]int32{}
	return out
}

func isRead(t zkdb.OpType) bool {
	switch t {
	case zkdb.OpGetData, zkdb.OpExists, zkdb.OpGetChildren, zkdb.OpGetChildren2, zkdb.OpGetACL,
		zkdb.OpMultiRead, zkdb.OpAddWatch, zkdb.OpRemoveWatches, zkdb.OpCheckWatches: // served here, in session order
		return true
	}
	return false
}

// handle takes a request from a connected client.
func (s *serverSide) handle(p *Peer, cl *Client, o *clientOp) {
	s.touch(p, cl.session, cl.timeoutMs)
	if s.readOnly && !isRead(o.op.Type) {
		s.handleReadOnly(p, cl, o)
		return
	}
	switch {
	case isRead(o.op.Type):
		s.runReads(p, cl)
	case o.op.Type == zkdb.OpSync:
		o.sent = true
		s.syncs = append(s.syncs, &clientSync{cl: cl, o: o})
		if p.lead != nil {
			p.registerSync(p.id)
		} else {
			p.c.sendOnConn(p.id, p.learn.leader, p.learn.conn, &Message{Packet: Request, Req: &ForwardReq{SessionID: cl.session, Cxid: o.cxid, Op: o.op}})
		}
	default:
		o.sent = true
		s.write(p, cl.session, o.cxid, o.op)
	}
}

// handleReadOnly answers what a read-only server does not read: closeSession of its local
// session ends it; writes and sync get NOTREADONLY with the server's last zxid
// (ReadOnlyRequestProcessor).
func (s *serverSide) handleReadOnly(p *Peer, cl *Client, o *clientOp) {
	r := Reply{Server: p.id, Zxid: p.tree.LastProcessedZxid()}
	if o.op.Type != zkdb.OpCloseSession {
		r.Err = zkdb.ErrNotReadOnly
		cl.complete(o, r)
		s.runReads(p, cl)
		return
	}
	s.drop(p, cl)
	cl.complete(o, r)
	cl.setState(ClientClosed)
}

// write sends a write to the leader (or proposes it, on the leader).
func (s *serverSide) write(p *Peer, session int64, cxid int32, op zkdb.Op) {
	if p.lead != nil {
		p.propose(session, cxid, op)
		return
	}
	p.c.sendOnConn(p.id, p.learn.leader, p.learn.conn, &Message{Packet: Request, Req: &ForwardReq{SessionID: session, Cxid: cxid, Op: op}})
}

// runReads answers the client's reads that no earlier request of its session holds back.
func (s *serverSide) runReads(p *Peer, cl *Client) {
	for _, o := range cl.ops {
		if o.done {
			continue
		}
		if !isRead(o.op.Type) {
			return // a pending write or sync: later reads wait (session order)
		}
		cl.complete(o, s.read(p, cl, o))
	}
}

func (s *serverSide) read(p *Peer, cl *Client, o *clientOp) Reply {
	r := Reply{Server: p.id}
	var w int64
	if o.watch {
		w = cl.id
	}
	t := p.tree
	if r.Err = t.CheckRead(&o.op); r.Err != zkdb.OK {
		r.Zxid = t.LastProcessedZxid()
		return r
	}
	switch o.op.Type {
	case zkdb.OpGetData:
		r.Data, r.Stat, r.Err = t.GetData(o.op.Path, w)
		if w != 0 && r.Err == zkdb.OK {
			cl.dataW[o.op.Path] = true
		}
	case zkdb.OpExists:
		r.Stat, r.Err = t.Exists(o.op.Path, w)
		if w != 0 {
			if r.Err == zkdb.OK {
				cl.dataW[o.op.Path] = true
			} else {
				cl.existW[o.op.Path] = true
			}
		}
	case zkdb.OpGetChildren, zkdb.OpGetChildren2:
		r.Children, r.Stat, r.Err = t.GetChildren(o.op.Path, w)
		if w != 0 && r.Err == zkdb.OK {
			cl.childW[o.op.Path] = true
		}
	case zkdb.OpGetACL:
		r.ACL, r.Stat, r.Err = t.GetACL(o.op.Path)
	case zkdb.OpMultiRead:
		r.Reads = s.multiRead(p, cl, &o.op)
	case zkdb.OpAddWatch: // Version carries the mode
		r.Err = t.AddWatch(o.op.Path, o.op.Version, cl.id)
	case zkdb.OpRemoveWatches: // Version carries the watcher type
		r.Err = t.RemoveWatches(o.op.Path, o.op.Version, cl.id)
	case zkdb.OpCheckWatches:
		r.Err = t.CheckWatches(o.op.Path, o.op.Version, cl.id)
	}
	r.Zxid = t.LastProcessedZxid()
	return r
}

// multiRead answers each getData and getChildren op of a multiRead on its own, with the
// multiRead's ids; a failed op does not stop the others. An op with Version 1 sets a watch.
// ZooKeeper: FinalRequestProcessor, case multiRead.
func (s *serverSide) multiRead(p *Peer, cl *Client, op *zkdb.Op) []Reply {
	out := make([]Reply, len(op.Ops))
	for i, sub := range op.Ops {
		sub.Auth = op.Auth
		w := int64(0)
		if sub.Version == 1 {
			w = cl.id
		}
		r := &out[i]
		if r.Err = p.tree.CheckRead(&sub); r.Err != zkdb.OK {
			continue
		}
		switch sub.Type {
		case zkdb.OpGetData:
			r.Data, r.Stat, r.Err = p.tree.GetData(sub.Path, w)
			if w != 0 && r.Err == zkdb.OK {
				cl.dataW[sub.Path] = true
			}
		case zkdb.OpGetChildren:
			r.Children, _, r.Err = p.tree.GetChildren(sub.Path, w)
			if w != 0 && r.Err == zkdb.OK {
				cl.childW[sub.Path] = true
			}
		default:
			r.Err = zkdb.ErrMarshallingError
		}
	}
	return out
}

// afterApply delivers fired watches and answers the client whose txn was applied here.
func (s *serverSide) afterApply(p *Peer, t *zkdb.Txn, res zkdb.Result, watches []zkdb.WatchEvent) {
	if p.lead != nil {
		switch t.Op.Type {
		case zkdb.OpCreateSession:
			p.lead.sessions.add(t.SessionID, t.Op.Timeout, p.c.now)
			p.c.emit(&Event{Kind: EvSession, Node: p.id, Session: t.SessionID, Zxid: t.Zxid, Reason: reason.Of(reason.SessionCreated)})
		case zkdb.OpCloseSession:
			p.lead.sessions.remove(t.SessionID)
			p.c.emit(&Event{Kind: EvSession, Node: p.id, Session: t.SessionID, Zxid: t.Zxid, Reason: reason.Of(reason.SessionClosed)})
		}
	}
	for _, ev := range watches {
		if cl := s.clientByID(ev.Watcher); cl != nil {
			cl.onWatch(ev)
		}
	}
	switch t.Op.Type {
	case zkdb.OpCreateSession:
		if cl := s.waiting[t.SessionID]; cl != nil && cl.server == p.id {
			delete(s.waiting, t.SessionID)
			s.join(p, cl)
		}
		return
	case zkdb.OpCloseSession:
		cl := s.bySession[t.SessionID]
		if cl == nil {
			return
		}
		s.drop(p, cl)
		if cl.closing {
			if o := cl.findOp(t.Cxid); o != nil {
				cl.complete(o, Reply{Server: p.id, Zxid: p.tree.LastProcessedZxid(), TxnZxid: t.Zxid})
			}
			cl.setState(ClientClosed)
		} else {
			cl.setState(ClientExpired)
		}
		return
	}
	cl := s.bySession[t.SessionID]
	if cl == nil || cl.server != p.id {
		return
	}
	o := cl.findOp(t.Cxid)
	if o == nil {
		return
	}
	r := Reply{Server: p.id, Zxid: p.tree.LastProcessedZxid(), TxnZxid: t.Zxid, Err: res.Err, Path: res.Path, Stat: res.Stat, Multi: res.Multi}
	cl.complete(o, r)
	s.runReads(p, cl)
}

func (cl *Client) findOp(cxid int32) *clientOp {
	for _, o := range cl.ops {
		if o.cxid == cxid && !o.done {
			return o
		}
	}
	return nil
}

func (s *serverSide) clientByID(id int64) *Client {
	i := sort.Search(len(s.clients), func(i int) bool { return s.clients[i].id >= id })
	if i < len(s.clients) && s.clients[i].id == id {
		return s.clients[i]
	}
	return nil
}

func (s *serverSide) drop(p *Peer, cl *Client) {
	// Only this connection's entry: the session may already be attached again on a newer
	// connection to this server, whose replies must keep their way.
	if s.bySession[cl.session] == cl {
		delete(s.bySession, cl.session)
	}
	for i, x := range s.clients {
		if x == cl {
			s.clients = append(s.clients[:i], s.clients[i+1:]...)
			break
		}
	}
	p.tree.RemoveWatcher(cl.id)
}

// syncDone: the leader's SYNC arrived (or, on the leader, the sync point committed).
func (s *serverSide) syncDone(p *Peer) {
	if len(s.syncs) == 0 {
		return
	}
	cs := s.syncs[0]
	s.syncs = s.syncs[1:]
	if cs.cl.server != p.id {
		return
	}
	cs.cl.complete(cs.o, Reply{Server: p.id, Zxid: p.tree.LastProcessedZxid(), Path: cs.o.op.Path})
	s.runReads(p, cs.cl)
}

// LeaderID is the leader this server leads or follows (0 when it has none).
func (p *Peer) LeaderID() int {
	switch {
	case p.lead != nil:
		return p.id
	case p.learn != nil:
		return p.learn.leader
	}
	return 0
}
