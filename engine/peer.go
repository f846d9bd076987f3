package engine

import (
	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

// timerKind names a peer timer. Setting a timer of a kind replaces the previous one.
type timerKind uint8

const (
	tmElection     timerKind = iota // FLE: no notification within notTimeout
	tmFinalize                      // FLE: finalizeWait after a quorum agreed
	tmLeaderTick                    // leader: every tickTime/2 (ping, quorum check)
	tmLeaderWait                    // leader: initLimit deadline of the current quorum wait
	tmLearnerRead                   // learner: socket read timeout
	tmLearnerRetry                  // learner: next connection attempt
	tmObserverWait                  // observer: a random pause (< 200 ms) before looking again
	tmSender                        // leader: a learner's sender is free again (arg = sid)
	tmServeStart                    // leader: its request pipeline has started (Timing.ServeStartUs)
	tmContainers                    // leader: ContainerManager's next check
	tmReadOnly                      // LOOKING: start the read-only server (readonlymode.enabled)
	numTimers
)

// Peer is one simulated ZooKeeper server (QuorumPeer). Its fields split in two: the disk,
// which survives a crash, and everything else, which a crash wipes.
type Peer struct {
	c        *Cluster
	id       int
	observer bool
	disk     *Disk
	// inc is the incarnation: bumped by every crash and restart, so timers and connection
	// callbacks of an earlier life are ignored.
	inc    uint32
	timers [numTimers]uint64

	state  ServerState
	phase  ZabPhase
	reason reason.Reason

	// In-memory database (ZKDatabase): the data tree and the committed-log window.
	tree *zkdb.DataTree
	// clog backs the committed-log window; committedLog() is its last CommitLogCount entries.
	clog []*zkdb.Txn

	el election
	// sent is QuorumCnxManager's lastMessageSent: the last notification sent to each server,
	// sent again when a connection to it comes up (memory only: a crash forgets it).
	sent map[int]Vote
	// starting: a start command will boot this server later (start-up skew).
	starting bool
	// busyUntil: the server's packets leave no earlier than this (its disk or set-up work).
	busyUntil int64
	// committed is the newest zxid this server knows to be committed (memory: a restarted
	// server knows none until it has synced). Not what it processed: on the way out of a role
	// ZooKeeper fast-forwards its tree over logged proposals that may never commit.
	committed Zxid
	lead      *leaderState
	learn     *learnerState
	srv       serverSide
}

// observerElectionDelayMs is ZooKeeper's default observer election delay bound.
const observerElectionDelayMs = 200

func newPeer(c *Cluster, id int, observer bool) *Peer {
	return &Peer{c: c, id: id, observer: observer, disk: newDisk(c.ensemble()), state: Down, phase: PhaseNone}
}

// ID is the server id (myid).
func (p *Peer) ID() int { return p.id }

// State is the server's current state.
func (p *Peer) State() ServerState { return p.state }

// Phase is the server's Zab phase.
func (p *Peer) Phase() ZabPhase { return p.phase }

// IsObserver reports whether the server is a non-voting observer.
func (p *Peer) IsObserver() bool { return p.observer }

// Disk exposes the server's durable state (read-only use).
func (p *Peer) Disk() *Disk { return p.disk }

// Tree is the server's in-memory data tree, nil while it is down.
func (p *Peer) Tree() *zkdb.DataTree { return p.tree }

// LastProcessedZxid is the zxid of the last txn applied to the data tree.
func (p *Peer) LastProcessedZxid() Zxid {
	if p.tree == nil {
		return p.disk.LastLoggedZxid()
	}
	return p.tree.LastProcessedZxid()
}

// LastLoggedZxid is the zxid of the last txn in the server's log.
func (p *Peer) LastLoggedZxid() Zxid { return p.disk.LastLoggedZxid() }

// boot starts a server from its disk (QuorumPeer.start → loadDataBase → LOOKING).
func (p *Peer) boot() {
	p.starting = false
	p.busyUntil = 0
	p.committed = 0
	p.inc++
	p.disk.RollLog() // a new process has no log file open yet
	if p.disk.AcceptedEpoch < p.disk.CurrentEpoch {
		p.c.violation(p.id, reason.Of(reason.VStartupAcceptedBelowCurrent, p.disk.AcceptedEpoch, p.disk.CurrentEpoch))
	}
	p.loadDatabase()
	if e := int64(p.LastLoggedZxid().Epoch()); e > p.disk.CurrentEpoch {
		p.c.violation(p.id, reason.Of(reason.VStartupLastZxidEpoch, int64(e), p.disk.CurrentEpoch))
	}
	p.srv.reset()
	// QuorumPeer.startLeaderElection: until an election ends, the vote a server stands by
	// (and answers non-voters with) is itself.
	p.el.current = Vote{Leader: p.id, Zxid: p.LastLoggedZxid(), PeerEpoch: p.disk.CurrentEpoch}
	p.becomeLooking(reason.Of(reason.StateStarted))
}

// crash wipes everything in memory. The disk stays.
func (p *Peer) crash() {
	if p.state == Down {
		return
	}
	p.leaveRole()
	p.inc++
	p.tree = nil
	p.clog = nil
	p.el = election{}
	p.sent = nil
	p.committed = 0
	p.c.dropElectionConns(p.id)
	p.setState(Down, PhaseNone, reason.Of(reason.StateCrashed))
}

// loadDatabase rebuilds the tree from disk, including logged but uncommitted txns (as
// ZooKeeper fast-forwards its database from the txn log), and refills the committed log.
func (p *Peer) loadDatabase() {
	tree, replayed := p.disk.Load()
	p.tree = tree
	n := len(replayed)
	if n > p.c.cfg.CommitLogCount {
		replayed = replayed[n-p.c.cfg.CommitLogCount:]
	}
	p.clog = append(p.clog[:0], replayed...)
}

// committedLog is ZKDatabase.committedLog: the last CommitLogCount committed txns.
func (p *Peer) committedLog() []*zkdb.Txn {
	if n := p.c.cfg.CommitLogCount; len(p.clog) > n {
		return p.clog[len(p.clog)-n:]
	}
	return p.clog
}

// addCommitted appends to the committed-log window (ZKDatabase.addCommittedProposal). The
// backing slice is compacted when it reaches twice the window, so each add is O(1).
func (p *Peer) addCommitted(t *zkdb.Txn) {
	if n := p.c.cfg.CommitLogCount; len(p.clog) >= 2*n {
		k := copy(p.clog, p.clog[len(p.clog)-n:])
		clear(p.clog[k:])
		p.clog = p.clog[:k]
	}
	p.clog = append(p.clog, t)
}

// logTxn appends a proposal to the txn log and snapshots when due (SyncRequestProcessor).
func (p *Peer) logTxn(t *zkdb.Txn) bool {
	if !p.disk.Append(t) {
		p.c.violation(p.id, reason.Of(reason.VLogOrder, int64(t.Zxid), int64(p.disk.LastLoggedZxid())))
		return false
	}
	p.c.emit(&Event{Kind: EvLogged, Node: p.id, Zxid: t.Zxid, Op: t.Op.Type, Path: t.Op.Path})
	p.maybeSnapshot()
	return true
}

// applyCommitted applies a committed txn to the tree, records it in the committed log and
// answers the local client that sent it, if any (FinalRequestProcessor).
func (p *Peer) applyCommitted(t *zkdb.Txn) {
	p.committed = max(p.committed, t.Zxid)
	if t.Zxid <= p.tree.LastProcessedZxid() {
		// Already in the tree (fast-forwarded from the log at load time): now it is committed.
		p.c.emit(&Event{Kind: EvCommit, Node: p.id, Zxid: t.Zxid, Op: t.Op.Type, Path: t.Op.Path, Session: t.SessionID, Txn: t, Reason: reason.Of(reason.CommitReplayed)})
		return
	}
	res, watches := p.tree.Apply(t)
	p.addCommitted(t)
	p.c.emit(&Event{Kind: EvCommit, Node: p.id, Zxid: t.Zxid, Op: t.Op.Type, Path: commitPath(t, res), Err: res.Err, Session: t.SessionID, Txn: t})
	p.srv.afterApply(p, t, res, watches)
}

func commitPath(t *zkdb.Txn, res zkdb.Result) string {
	if res.Path != "" {
		return res.Path
	}
	return t.Op.Path
}

// maybeSnapshot rolls the txn log and takes a snapshot once snapCount txns were logged since
// the last roll, right after the append (SyncRequestProcessor.shouldSnapshot; ZooKeeper
// picks the point at random between snapCount/2 and snapCount, zablab at snapCount). The
// snapshot is of the tree as it is then, which may lag the log (ZooKeeper's is fuzzy).
func (p *Peer) maybeSnapshot() {
	// Beside snapCount, a room's data budget rolls the log: a snapshot once the log since the
	// last roll holds a quarter of the budget, so that purging keeps the disk bounded
	// (ZooKeeper rolls its log by size too: zookeeper.snapSizeLimitInKb).
	big := p.c.cfg.DataLimitBytes > 0 && p.disk.bytesSinceRoll > p.c.cfg.DataLimitBytes/4
	if (p.disk.loggedSinceRoll >= p.c.cfg.SnapCount || big) && p.tree.LastProcessedZxid() >= p.disk.newestSnap().Zxid {
		p.disk.RollLog()
		p.takeSnapshot(reason.Of(reason.SnapTaken))
	}
}

// takeSnapshot saves a snapshot of the tree (ZooKeeperServer.takeSnapshot); it does not roll
// the log.
func (p *Peer) takeSnapshot(why reason.Reason) {
	t := p.tree.Clone()
	z := p.tree.LastProcessedZxid()
	t.SetLastProcessedZxid(z)
	p.disk.SaveSnapshot(&Snapshot{Zxid: z, Tree: t, Bytes: t.ApproxBytes()})
	p.busy(p.c.cfg.Timing.FsyncUs)
	p.c.emit(&Event{Kind: EvSnapshot, Node: p.id, Zxid: z, Reason: why})
}

// busy holds the server's next packets back by d (a durable write, set-up work): work
// queued behind earlier work.
func (p *Peer) busy(d int64) {
	if d > 0 {
		p.busyUntil = max(p.busyUntil, p.c.now) + d
	}
}

// setAcceptedEpoch persists acceptedEpoch.
func (p *Peer) setAcceptedEpoch(e int64) {
	p.disk.AcceptedEpoch = e
	p.busy(p.c.cfg.Timing.FsyncUs)
	p.c.emit(&Event{Kind: EvEpoch, Node: p.id, Epoch: e, Reason: reason.Of(reason.EpochAccepted)})
}

// setCurrentEpoch persists currentEpoch.
func (p *Peer) setCurrentEpoch(e int64) {
	p.disk.CurrentEpoch = e
	p.busy(p.c.cfg.Timing.FsyncUs)
	p.c.emit(&Event{Kind: EvEpoch, Node: p.id, Epoch: e, Reason: reason.Of(reason.EpochCurrent)})
}

func (p *Peer) setState(s ServerState, ph ZabPhase, why reason.Reason) {
	if p.srv.readOnly && s != Looking {
		p.srv.closeAll(p) // ReadOnlyZooKeeperServer.shutdown: the election ended
	}
	p.state, p.phase, p.reason = s, ph, why
	p.c.emit(&Event{Kind: EvState, Node: p.id, State: s, Phase: ph, Epoch: p.disk.CurrentEpoch, Reason: why})
}

func (p *Peer) setPhase(ph ZabPhase, why reason.Reason) { p.setState(p.state, ph, why) }

// leaveRole stops whatever role the server had: learner connections, the leader's learner
// handlers and every client connection (ZooKeeper closes them when a server leaves a role).
func (p *Peer) leaveRole() {
	for k := range p.timers {
		p.timers[k]++
	}
	if p.lead != nil {
		p.shutdownLeader()
		p.lead = nil
	}
	if p.learn != nil {
		p.c.closeConn(p.learn.conn, p.id)
		p.learn = nil
	}
	p.srv.closeAll(p)
}

// becomeLooking ends any role and starts a new election. Every failure ends here, with its
// reason carried by the state event.
func (p *Peer) becomeLooking(why reason.Reason) {
	wasRole := p.state == Following || p.state == Leading || p.state == Observing
	p.leaveRole()
	if wasRole {
		// ZooKeeper fast-forwards the database from the txn log on the way out of a role, so
		// the vote's zxid counts logged but uncommitted proposals.
		p.loadDatabase()
		// Noticing the loss and shutting the role down take a while (seeded).
		if d := p.c.cfg.Timing.ElectionStartUs; d > 0 {
			p.busy(d/4 + p.c.delayRng.Int64N(d-d/4+1))
		}
	}
	p.setState(Looking, PhaseElection, why)
	if p.c.cfg.ReadOnlyMode {
		// QuorumPeer.run: a LOOKING server starts a ReadOnlyZooKeeperServer after a grace
		// period of max(2000 ms, tickTime), if it is still LOOKING then.
		p.setTimer(tmReadOnly, 0, p.c.msUs(max(2000, p.c.cfg.Timing.TickTimeMs)))
	}
	if p.observer && wasRole {
		// Observer.waitForObserverElectionDelay: a random delay below observerElectionDelayMs
		// (200 ms), so observers do not all look at once.
		p.setTimer(tmObserverWait, 0, p.c.observerRng.Int64N(p.c.msUs(observerElectionDelayMs)))
		return
	}
	p.lookForLeader()
}

// timer plumbing -----------------------------------------------------------------------

func (p *Peer) setTimer(k timerKind, arg int, delayUs int64) {
	p.timers[k]++
	p.c.scheduleTimer(p.id, p.inc, k, arg, p.timers[k], delayUs)
}

func (p *Peer) cancelTimer(k timerKind) { p.timers[k]++ }

func (p *Peer) onTimer(k timerKind, arg int, gen uint64) {
	if k != tmSender && p.timers[k] != gen {
		return
	}
	switch k {
	case tmElection:
		p.onElectionTimeout()
	case tmFinalize:
		p.onFinalize()
	case tmLeaderTick:
		p.onLeaderTick()
	case tmLeaderWait:
		p.onLeaderWaitTimeout()
	case tmLearnerRead:
		p.onReadTimer()
	case tmLearnerRetry:
		p.connectToLeader()
	case tmObserverWait:
		p.lookForLeader()
	case tmSender:
		p.onSenderFree(arg, gen)
	case tmServeStart:
		if p.lead != nil {
			p.lead.served = true
			p.maybeEstablish()
		}
	case tmContainers:
		p.checkContainers()
	case tmReadOnly:
		if p.state == Looking {
			p.srv.startReadOnly(p)
			p.setPhase(p.phase, reason.Of(reason.StateReadOnly))
		}
	}
}

func (p *Peer) learnerLeader() int {
	if p.learn != nil {
		return p.learn.leader
	}
	return 0
}

// onMessage dispatches a delivered message.
func (p *Peer) onMessage(m *Message) {
	switch {
	case m.Packet == Notification:
		p.onNotification(m)
	case p.lead != nil:
		p.onLearnerPacket(m)
	case p.learn != nil && m.Conn == p.learn.conn:
		p.onLeaderPacket(m)
	case m.Packet == FollowerInfo || m.Packet == ObserverInfo:
		// Not leading: the connection is refused (nobody listens on the quorum port).
		p.c.sendOnConn(p.id, m.From, m.Conn, &Message{Packet: ConnRefused})
	}
}

// onConnClosed is called when the other end of a learner connection closed it (its process
// died or it shut the connection down).
func (p *Peer) onConnClosed(conn uint64, by int) {
	switch {
	case p.lead != nil:
		if h := p.lead.byConn(conn); h != nil {
			p.removeHandler(h, reason.Of(reason.ConnLearnerClosed, int64(by)))
		}
	case p.learn != nil && p.learn.conn == conn:
		p.becomeLooking(reason.Of(reason.StateLeaderClosed, int64(by)))
	}
}

// Serving reports whether the server takes client connections (leader established, or
// learner up to date).
func (p *Peer) Serving() bool { return p.srv.serving }
