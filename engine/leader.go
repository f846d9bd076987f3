package engine

import (
	"sort"

	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

// leaderState is what a LEADING server keeps (ZooKeeper: Leader + LearnerHandlers).
type leaderState struct {
	epoch        int64 // the new epoch, once decided
	epochDecided bool
	connecting   map[int]bool // voters counted by getEpochToPropose, leader included
	epochAcked   bool
	electing     map[int]bool // voters whose ACKEPOCH counted, leader included
	newLeaderAck map[int]bool // voters that acked NEWLEADER, leader included
	established  bool         // NEWLEADER quorum reached: broadcasting
	// acceptFrom: learners are accepted from then on (Timing.LeaderStartUs); serving: the
	// request pipeline is starting (Timing.ServeStartUs) or has started (served).
	acceptFrom      int64
	serving, served bool
	handlers        map[int]*learnerHandler
	sorted          []*learnerHandler // cache of sortedHandlers
	// Broadcast state.
	lastProposed  Zxid
	lastCommitted Zxid
	outstanding   []*proposal // in zxid order, all above lastCommitted
	tick          int64
	tickSkip      bool
	sessions      sessionTracker
	syncs         []pendingSync
	// The leader's state summary (currentEpoch, last zxid) when it started leading; a learner
	// more recent than this is refused.
	summaryEpoch int64
	summaryZxid  Zxid
}

// proposal is an outstanding PROPOSAL with the voters that acked it.
type proposal struct {
	txn  *zkdb.Txn
	acks []int
}

// pendingSync is a learner's sync() waiting for lastProposed (at registration) to commit.
type pendingSync struct {
	at  Zxid
	sid int
}

type handlerStage uint8

const (
	hsEpoch        handlerStage = iota // waiting for the epoch to be decided
	hsAckEpoch                         // LEADERINFO sent, waiting for ACKEPOCH
	hsElecting                         // ACKEPOCH in, waiting for the epoch quorum
	hsNewLeaderAck                     // synced and NEWLEADER queued, waiting for its ACK
	hsAcked                            // NEWLEADER acked, waiting for the leader to establish
	hsBroadcast                        // UPTODATE queued
)

// learnerHandler is the leader's side of one learner connection (LearnerHandler).
type learnerHandler struct {
	sid           int
	observer      bool
	conn          uint64
	stage         handlerStage
	acceptedEpoch int64
	peerLast      Zxid
	queue         []*Message
	senderOn      bool
	busy          bool
	senderGen     uint64
	deadlineTick  int64
	forwarding    bool
	unacked       []sentProposal
}

type sentProposal struct {
	zxid Zxid
	atUs int64
}

func (l *leaderState) byConn(conn uint64) *learnerHandler {
	for _, h := range l.handlers {
		if h.conn == conn {
			return h
		}
	}
	return nil
}

// sortedHandlers lists the learner handlers in server-id order. The slice is cached until
// the set changes; callers must not keep it across a change.
func (l *leaderState) sortedHandlers() []*learnerHandler {
	if l.sorted != nil {
		return l.sorted
	}
	out := make([]*learnerHandler, 0, len(l.handlers))
	for _, h := range l.handlers {
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].sid < out[j].sid })
	l.sorted = out
	return out
}

// becomeLeading starts Leader.lead: discovery.
func (p *Peer) becomeLeading() {
	p.lead = &leaderState{
		connecting:   map[int]bool{p.id: true},
		electing:     map[int]bool{p.id: true},
		newLeaderAck: map[int]bool{p.id: true},
		handlers:     map[int]*learnerHandler{},
		epoch:        p.disk.AcceptedEpoch + 1,
		summaryEpoch: p.disk.CurrentEpoch,
		summaryZxid:  p.LastProcessedZxid(),
		acceptFrom:   p.c.now + p.c.cfg.Timing.LeaderStartUs,
	}
	p.setState(Leading, PhaseDiscovery, reason.Of(reason.StateWonElection))
	// Leader.lead → ZooKeeperServer.loadData: "Make a clean snapshot" of the database as the
	// election left it (logged txns included), before discovery.
	p.takeSnapshot(reason.Of(reason.SnapNewLeader))
	p.setTimer(tmLeaderWait, 0, p.initLimitUs())
	p.maybeDecideEpoch()
}

func (p *Peer) initLimitUs() int64 {
	return p.c.msUs(p.c.cfg.Timing.InitLimit * p.c.cfg.Timing.TickTimeMs)
}

func (p *Peer) syncLimitUs() int64 {
	return p.c.msUs(p.c.cfg.Timing.SyncLimit * p.c.cfg.Timing.TickTimeMs)
}

func (p *Peer) quorumOf(set map[int]bool) bool {
	n := 0
	for sid := range set {
		if p.c.isVoter(sid) {
			n++
		}
	}
	return IsQuorum(n, p.c.cfg.Voters)
}

// onLeaderWaitTimeout: a quorum wait of discovery or synchronization ran out of initLimit.
func (p *Peer) onLeaderWaitTimeout() {
	l := p.lead
	switch {
	case l == nil || l.established:
	case !l.epochDecided:
		p.becomeLooking(reason.Of(reason.StateInitLimitConnect))
	case !l.epochAcked:
		p.becomeLooking(reason.Of(reason.StateInitLimitAckEpoch))
	default:
		p.becomeLooking(reason.Of(reason.StateInitLimitNewLeader))
	}
}

// onLearnerPacket handles everything a learner sends the leader.
func (p *Peer) onLearnerPacket(m *Message) {
	l := p.lead
	if m.Packet == FollowerInfo || m.Packet == ObserverInfo {
		p.acceptLearner(m)
		return
	}
	h := l.byConn(m.Conn)
	if h == nil {
		return // a packet of a connection already closed
	}
	if l.established {
		h.deadlineTick = l.tick + p.c.cfg.Timing.SyncLimit
	}
	switch m.Packet {
	case AckEpoch:
		p.onAckEpoch(h, m)
	case Ack:
		p.onAck(h, m.Zxid)
	case Request:
		p.onForwardedRequest(h, m.Req)
	case Ping:
		for _, s := range m.Live {
			l.sessions.touch(s.SessionID, p.c.now)
		}
	case Revalidate:
		p.onRevalidate(h, m)
	default:
		p.c.violation(p.id, reason.Text(reason.VLeaderReceived, m.Packet.String(), int64(h.sid)))
	}
}

// acceptLearner: FOLLOWERINFO/OBSERVERINFO opens a learner handler.
func (p *Peer) acceptLearner(m *Message) {
	l := p.lead
	if p.c.now < l.acceptFrom {
		// Still setting up (its snapshot): nothing accepts on the quorum port yet.
		p.c.sendOnConn(p.id, m.From, m.Conn, &Message{Packet: ConnRefused})
		return
	}
	if old := l.handlers[m.From]; old != nil {
		p.removeHandler(old, reason.Of(reason.ConnLearnerReconnected))
	}
	h := &learnerHandler{sid: m.From, observer: m.Packet == ObserverInfo, conn: m.Conn,
		acceptedEpoch: int64(m.Zxid.Epoch()), deadlineTick: l.tick + p.c.cfg.Timing.InitLimit + p.c.cfg.Timing.SyncLimit}
	if h.observer != !p.c.isVoter(m.From) {
		p.c.closeConn(m.Conn, p.id)
		return
	}
	l.handlers[h.sid] = h
	l.sorted = nil
	p.c.emit(&Event{Kind: EvConn, Node: p.id, Peer: h.sid, Reason: reason.Of(reason.ConnLearnerConnected)})
	if l.epochDecided {
		p.sendLeaderInfo(h)
		return
	}
	// getEpochToPropose: the new epoch exceeds every accepted epoch heard so far.
	if h.acceptedEpoch >= l.epoch {
		l.epoch = h.acceptedEpoch + 1
	}
	if !h.observer {
		l.connecting[h.sid] = true
	}
	p.maybeDecideEpoch()
}

func (p *Peer) maybeDecideEpoch() {
	l := p.lead
	if l.epochDecided || !p.quorumOf(l.connecting) {
		return
	}
	l.epochDecided = true
	p.setAcceptedEpoch(l.epoch)
	p.setTimer(tmLeaderWait, 0, p.initLimitUs())
	for _, h := range l.sortedHandlers() {
		p.sendLeaderInfo(h)
	}
	p.maybeEpochAcked()
}

func (p *Peer) sendLeaderInfo(h *learnerHandler) {
	h.stage = hsAckEpoch
	p.c.sendOnConn(p.id, h.sid, h.conn, &Message{Packet: LeaderInfo, Zxid: zkdb.MakeZxid(uint32(p.lead.epoch), 0), Epoch: 0x10000})
}

// onAckEpoch is LearnerHandler's half of waitForEpochAck.
func (p *Peer) onAckEpoch(h *learnerHandler, m *Message) {
	l := p.lead
	if h.stage != hsAckEpoch {
		p.c.violation(p.id, reason.Of(reason.VAckEpochStage, int64(h.sid)))
		return
	}
	h.peerLast = m.Zxid
	if m.Epoch != -1 && !l.epochAcked { // waitForEpochAck returns at once after the quorum
		myEpoch, myZxid := l.summaryEpoch, l.summaryZxid
		if m.Epoch > myEpoch || (m.Epoch == myEpoch && m.Zxid > myZxid) {
			p.removeHandler(h, reason.Of(reason.ConnFollowerAhead, m.Epoch, int64(m.Zxid), myEpoch, int64(myZxid)))
			return
		}
		if !h.observer {
			l.electing[h.sid] = true
		}
	}
	h.stage = hsElecting
	if l.epochAcked {
		p.syncLearner(h)
		return
	}
	p.maybeEpochAcked()
}

func (p *Peer) maybeEpochAcked() {
	l := p.lead
	if l.epochAcked || !l.epochDecided || !p.quorumOf(l.electing) {
		return
	}
	l.epochAcked = true
	p.setCurrentEpoch(l.epoch)
	p.el.current.PeerEpoch = l.epoch
	l.lastProposed = zkdb.MakeZxid(uint32(l.epoch), 0)
	if p.c.cfg.StartCounter > 0 && l.epoch == 1 {
		l.lastProposed = zkdb.MakeZxid(uint32(l.epoch), p.c.cfg.StartCounter-1)
	}
	l.lastCommitted = l.lastProposed
	p.setPhase(PhaseSynchronization, reason.Of(reason.StateQuorumAckEpoch, l.epoch))
	p.setTimer(tmLeaderWait, 0, p.initLimitUs())
	for _, h := range l.sortedHandlers() {
		if h.stage == hsElecting {
			p.syncLearner(h)
		}
	}
	p.maybeEstablish()
}

// syncLearner decides DIFF, TRUNC or SNAP (LearnerHandler.syncFollower), queues the sync
// stream, starts forwarding (startForwarding) and queues NEWLEADER.
func (p *Peer) syncLearner(h *learnerHandler) {
	plan := p.planSync(h.peerLast)
	p.lastSyncLog(h, plan)
	var out []*Message
	if plan.mode == SyncSnap {
		snap := p.tree.Clone()
		snap.SetLastProcessedZxid(p.tree.LastProcessedZxid())
		out = append(out, &Message{Packet: Snap, Zxid: p.tree.LastProcessedZxid(),
			Snap: &Snapshot{Zxid: p.tree.LastProcessedZxid(), Tree: snap, Bytes: snap.ApproxBytes()}})
	} else {
		out = append(out, &Message{Packet: plan.op, Zxid: plan.opZxid})
		for _, t := range plan.txns {
			out = append(out, &Message{Packet: Proposal, Zxid: t.Zxid, Txn: t}, &Message{Packet: Commit, Zxid: t.Zxid})
		}
	}
	// startForwarding: outstanding proposals past the synced point join the stream.
	synced := plan.upTo
	if !h.observer {
		for _, pr := range p.lead.outstanding {
			if pr.txn.Zxid > synced {
				out = append(out, &Message{Packet: Proposal, Zxid: pr.txn.Zxid, Txn: pr.txn})
			}
		}
	}
	h.forwarding = true
	out = append(out, &Message{Packet: NewLeader, Zxid: zkdb.MakeZxid(uint32(p.lead.epoch), 0)})
	h.stage = hsNewLeaderAck
	for _, m := range out {
		p.queuePacket(h, m)
	}
	h.senderOn = true
	p.pump(h)
}

type syncPlan struct {
	mode   SyncMode
	op     PacketType // DIFF or TRUNC
	opZxid Zxid
	txns   []*zkdb.Txn
	upTo   Zxid // last zxid the learner has after the stream
	why    reason.Reason
}

// planSync is LearnerHandler.syncFollower plus queueCommittedProposals.
func (p *Peer) planSync(peer Zxid) syncPlan {
	last := p.tree.LastProcessedZxid()
	minC, maxC := last, last
	clog := p.committedLog()
	if n := len(clog); n > 0 {
		minC, maxC = clog[0].Zxid, clog[n-1].Zxid
	}
	newEpochZxid := peer.Counter() == 0
	switch {
	case peer == last:
		return syncPlan{mode: SyncDiff, op: Diff, opZxid: peer, upTo: peer,
			why: reason.Of(reason.SyncInSync, int64(peer))}
	case peer > maxC && !newEpochZxid:
		return syncPlan{mode: SyncTrunc, op: Trunc, opZxid: maxC, upTo: maxC,
			why: reason.Of(reason.SyncTruncCommitted, int64(maxC), int64(peer))}
	case minC <= peer && peer <= maxC:
		if plan, ok := p.walkCommitted(clog, peer, maxC); ok {
			return plan
		}
	case peer < minC:
		return p.planFromDisk(clog, peer, minC, maxC)
	}
	return syncPlan{mode: SyncSnap, upTo: last, why: reason.Of(reason.SyncSnapSkipped, int64(last), int64(peer))}
}

// planFromDisk is syncFollower's "Use txnlog and committedLog" branch for a learner older
// than the committed log, as ZooKeeper 3.8 really behaves: the txn log may be used if it
// reaches back to P and if the size ZKDatabase.getProposalsFromTxnLog checks is within
// snapshotSizeFactor × the newest snapshot. That size (FileTxnIterator.getStorageSize) counts
// only the log files after the one holding P, so with a single log file it is 0 and passes
// whatever the log weighs; later files (a snapCount roll, a restart) are preallocated to
// 64 MiB each and fail it.
func (p *Peer) planFromDisk(clog []*zkdb.Txn, peer, minC, maxC Zxid) syncPlan {
	last := p.tree.LastProcessedZxid()
	snap := func(why reason.Reason) syncPlan { return syncPlan{mode: SyncSnap, upTo: last, why: why} }
	factor := p.c.cfg.SnapshotSizeFactor
	if factor < 0 {
		return snap(reason.Of(reason.SyncSnapTxnLogOff, int64(peer)))
	}
	limit := int64(factor * float64(p.disk.SnapshotBytes())) // calculateTxnLogSizeLimit
	rd := p.disk.ReadTxnLog(peer)
	switch {
	case len(rd.Txns) == 0:
		return snap(reason.Of(reason.SyncSnapNoTxnLog, int64(peer)))
	case rd.Txns[0].Zxid > peer:
		return snap(reason.Of(reason.SyncSnapLogTooShort, int64(peer), int64(rd.Txns[0].Zxid)))
	case limit > 0 && rd.LaterBytes > limit: // "Txnlog size: … exceeds sizeLimit: …"
		return snap(reason.Of(reason.SyncSnapLaterLogs, int64(rd.LaterFiles), rd.LaterBytes, limit, int64(peer)))
	}
	plan, why := p.planFromTxnLog(rd.Txns, clog, peer, minC, maxC)
	if why.Code != 0 {
		return snap(why)
	}
	if plan.mode == SyncDiff && plan.why.Code == reason.SyncDiffCommitted {
		plan.why = reason.Of(reason.SyncDiffTxnLog, int64(peer), int64(len(plan.txns)), int64(rd.LaterFiles), rd.LaterBytes, limit)
	} else {
		plan.why = reason.Nest(reason.SyncFromDisk, plan.why, int64(len(plan.txns)))
	}
	return plan
}

// planFromTxnLog syncs a learner older than the committed log: first the on-disk txn log up
// to the committed log's start, then the committed log. When the walk over the txn log
// finds the learner's history left the leader's across an epoch, or the txn log stops short
// of the committed log (a gap), only a snapshot will do: the returned reason says which.
func (p *Peer) planFromTxnLog(fromLog, clog []*zkdb.Txn, peer, minC, maxC Zxid) (syncPlan, reason.Reason) {
	n := 0
	for n < len(fromLog) && fromLog[n].Zxid <= minC {
		n++
	}
	plan, ok := p.walkCommitted(fromLog[:n], peer, maxC)
	if !ok {
		return syncPlan{}, reason.Of(reason.SyncSnapSkipped, int64(p.tree.LastProcessedZxid()), int64(peer))
	}
	queued := peer
	if k := len(plan.txns); k > 0 {
		queued = plan.txns[k-1].Zxid
	}
	if queued < minC {
		return syncPlan{}, reason.Of(reason.SyncSnapGap, int64(peer), int64(queued), int64(minC))
	}
	plan.txns = append([]*zkdb.Txn(nil), plan.txns...)
	for _, t := range clog {
		if t.Zxid > queued {
			plan.txns = append(plan.txns, t)
		}
	}
	return plan, reason.Reason{}
}

// walkCommitted is queueCommittedProposals: find the learner's zxid in the history; DIFF when
// found, TRUNC to the previous zxid when it is missing but in the same epoch, and no plan
// (SNAP) when the history moves to another epoch first.
func (p *Peer) walkCommitted(hist []*zkdb.Txn, peer, maxC Zxid) (syncPlan, bool) {
	newEpochZxid := peer.Counter() == 0
	var prev Zxid = -1
	for i, t := range hist {
		if t.Zxid < peer {
			prev = t.Zxid
			continue
		}
		if t.Zxid == peer {
			return syncPlan{mode: SyncDiff, op: Diff, opZxid: maxC, txns: hist[i+1:], upTo: maxC,
				why: reason.Of(reason.SyncDiffCommitted, int64(peer), int64(len(hist)-i-1))}, true
		}
		// t.Zxid > peer, seen first
		if newEpochZxid {
			return syncPlan{mode: SyncDiff, op: Diff, opZxid: maxC, txns: hist[i:], upTo: maxC,
				why: reason.Of(reason.SyncDiffNewEpoch, int64(peer), int64(len(hist)-i))}, true
		}
		if t.Zxid.Epoch() != peer.Epoch() {
			return syncPlan{}, false
		}
		return syncPlan{mode: SyncTrunc, op: Trunc, opZxid: prev, txns: hist[i:], upTo: maxC,
			why: reason.Of(reason.SyncTruncNeverHad, int64(prev), int64(peer), int64(len(hist)-i))}, true
	}
	if newEpochZxid {
		return syncPlan{mode: SyncDiff, op: Diff, opZxid: maxC, upTo: maxC, why: reason.Of(reason.SyncDiffNothing)}, true
	}
	return syncPlan{}, false
}

func (p *Peer) lastSyncLog(h *learnerHandler, plan syncPlan) {
	p.c.emit(&Event{Kind: EvSyncMode, Node: p.id, Peer: h.sid, Mode: plan.mode, Zxid: h.peerLast, N: len(plan.txns), Reason: plan.why})
}

// queuePacket puts a packet on a learner's FIFO queue (LearnerHandler.queuedPackets).
func (p *Peer) queuePacket(h *learnerHandler, m *Message) {
	h.queue = append(h.queue, m)
	if p.c.cfg.Timing.SendGapUs > 0 || !h.senderOn {
		p.c.emit(&Event{Kind: EvQueue, Node: p.id, Peer: h.sid, Packet: m.Packet, Zxid: m.Zxid, N: len(h.queue), Reason: reason.Of(reason.QueueQueued)})
	}
	if h.senderOn && !h.busy {
		p.pump(h)
	}
}

// pump is the learner's sender thread: it takes packets off the queue in order.
func (p *Peer) pump(h *learnerHandler) {
	for len(h.queue) > 0 && !h.busy {
		m := h.queue[0]
		h.queue[0] = nil
		h.queue = h.queue[1:]
		// SyncLimitCheck: proposals count toward the txn timeout only once the learner acked
		// NEWLEADER (syncLimitCheck.start() before UPTODATE), not the sync stream's.
		if m.Packet == Proposal && !h.observer && h.stage == hsBroadcast {
			h.unacked = append(h.unacked, sentProposal{zxid: m.Zxid, atUs: p.c.now})
		}
		p.c.sendOnConn(p.id, h.sid, h.conn, m)
		if gap := p.c.cfg.Timing.SendGapUs; gap > 0 {
			p.c.emit(&Event{Kind: EvQueue, Node: p.id, Peer: h.sid, Packet: m.Packet, Zxid: m.Zxid, N: len(h.queue), Reason: reason.Of(reason.QueueSent)})
			h.busy = true
			h.senderGen++
			p.c.scheduleTimer(p.id, p.inc, tmSender, h.sid, h.senderGen, gap)
		}
	}
}

func (p *Peer) onSenderFree(sid int, gen uint64) {
	if p.lead == nil {
		return
	}
	h := p.lead.handlers[sid]
	if h == nil || h.senderGen != gen {
		return
	}
	h.busy = false
	p.pump(h)
}

// onAck handles an ACK: of NEWLEADER (counter 0) or of a proposal.
func (p *Peer) onAck(h *learnerHandler, z Zxid) {
	l := p.lead
	if z.Counter() == 0 {
		if h.stage == hsNewLeaderAck && z == zkdb.MakeZxid(uint32(l.epoch), 0) {
			h.stage = hsAcked
			if !h.observer {
				l.newLeaderAck[h.sid] = true
			}
			if l.established {
				p.sendUpToDate(h)
			} else {
				p.maybeEstablish()
			}
		}
		return // the ACK after UPTODATE is ignored
	}
	for len(h.unacked) > 0 && h.unacked[0].zxid <= z {
		h.unacked = h.unacked[1:]
	}
	if h.observer {
		return
	}
	p.processAck(h.sid, z)
}

// maybeEstablish: a quorum acked NEWLEADER; the leader starts broadcasting.
func (p *Peer) maybeEstablish() {
	l := p.lead
	if l.established || !l.epochAcked || !p.quorumOf(l.newLeaderAck) {
		return
	}
	if d := p.c.cfg.Timing.ServeStartUs; d > 0 && !l.served {
		// startZkServer: the request pipeline starts before UPTODATE goes out.
		if !l.serving {
			l.serving = true
			p.setTimer(tmServeStart, 0, d)
		}
		return
	}
	l.established = true
	p.committed = max(p.committed, p.tree.LastProcessedZxid()) // its history is now committed
	p.cancelTimer(tmLeaderWait)
	p.setPhase(PhaseBroadcast, reason.Of(reason.StateQuorumAckNewLeader, l.epoch))
	l.sessions = newSessionTracker(p.tree, p.c.now)
	for _, h := range l.sortedHandlers() {
		h.deadlineTick = l.tick + p.c.cfg.Timing.SyncLimit
		if h.stage == hsAcked {
			p.sendUpToDate(h)
		}
	}
	p.setTimer(tmLeaderTick, 0, p.c.msUs(p.c.cfg.Timing.TickTimeMs/2))
	p.setTimer(tmContainers, 0, p.c.msUs(p.c.cfg.containerCheckMs()))
	p.srv.startServing(p)
}

// checkContainers proposes the deletion of every empty container that has had children and
// every empty TTL node unchanged for longer than its ttl, as a deleteContainer txn with no
// session, then checks again an interval later (ZooKeeper: ContainerManager.checkContainers,
// on the leader, every znode.container.checkIntervalMs; its requests go through the quorum
// like any write).
func (p *Peer) checkContainers() {
	if p.lead == nil || !p.lead.established {
		return
	}
	for _, path := range p.tree.ReapCandidates(p.c.cfg.EpochMs + p.c.now/1000) {
		why := reason.Of(reason.ReapContainer)
		if ttl, ok := p.tree.TTL(path); ok {
			why = reason.Of(reason.ReapTTL, ttl)
		}
		if _, ok := p.proposeWhy(0, 0, zkdb.Op{Type: zkdb.OpDeleteContainer, Path: path}, why); !ok {
			return
		}
	}
	p.setTimer(tmContainers, 0, p.c.msUs(p.c.cfg.containerCheckMs()))
}

func (p *Peer) sendUpToDate(h *learnerHandler) {
	h.stage = hsBroadcast
	p.queuePacket(h, &Message{Packet: UpToDate, Zxid: -1})
}

// onLeaderTick runs every half tick: ping everyone, and once per tick check that the synced
// voters still form a quorum (Leader.lead's main loop).
func (p *Peer) onLeaderTick() {
	l := p.lead
	if l == nil || !l.established {
		return
	}
	if !l.tickSkip {
		l.tick++
		synced := map[int]bool{p.id: true}
		for sid, h := range l.handlers {
			if !h.observer && l.tick <= h.deadlineTick {
				synced[sid] = true
			}
		}
		if !p.quorumOf(synced) {
			p.becomeLooking(reason.Of(reason.StateNotSufficientSynced, sidSet(synced)))
			return
		}
		p.expireSessions()
		if p.lead == nil {
			return
		}
	}
	l.tickSkip = !l.tickSkip
	for _, h := range l.sortedHandlers() {
		if !h.senderOn {
			continue
		}
		if len(h.unacked) > 0 && p.c.now-h.unacked[0].atUs > p.syncLimitUs() {
			p.removeHandler(h, reason.Of(reason.ConnTxnTimeout, int64(h.sid), int64(h.unacked[0].zxid)))
			continue
		}
		p.queuePacket(h, &Message{Packet: Ping, Zxid: l.lastProposed})
	}
	p.setTimer(tmLeaderTick, 0, p.c.msUs(p.c.cfg.Timing.TickTimeMs/2))
}

// sidSet is a set of server ids as a reason argument.
func sidSet(set map[int]bool) int64 {
	var v int64
	for sid := range set {
		v |= reason.IDs(sid)
	}
	return v
}

// removeHandler closes a learner connection at the leader.
func (p *Peer) removeHandler(h *learnerHandler, why reason.Reason) {
	l := p.lead
	if l.handlers[h.sid] == h {
		delete(l.handlers, h.sid)
		l.sorted = nil
	}
	h.senderGen++
	p.c.emit(&Event{Kind: EvConn, Node: p.id, Peer: h.sid, Reason: why})
	p.c.closeConn(h.conn, p.id)
}

// shutdownLeader closes every learner connection (Leader.shutdown).
func (p *Peer) shutdownLeader() {
	for _, h := range p.lead.sortedHandlers() {
		h.senderGen++
		p.c.closeConn(h.conn, p.id)
	}
	p.lead.handlers = map[int]*learnerHandler{}
	p.lead.sorted = nil
}

// propose assigns the next zxid to a write and sends it to the followers (Leader.propose).
// It returns false when the zxid counter ran out: the leader then steps down.
func (p *Peer) propose(sessionID int64, cxid int32, op zkdb.Op) (*zkdb.Txn, bool) {
	return p.proposeWhy(sessionID, cxid, op, reason.Reason{})
}

// proposeWhy proposes a txn the leader itself originates, with the reason its EvPropose
// shows (zero for a client's request).
func (p *Peer) proposeWhy(sessionID int64, cxid int32, op zkdb.Op, why reason.Reason) (*zkdb.Txn, bool) {
	l := p.lead
	if l.lastProposed.Counter() >= 0xfffffffe {
		p.becomeLooking(reason.Of(reason.StateZxidRollover))
		return nil, false
	}
	t := &zkdb.Txn{Zxid: l.lastProposed + 1, SessionID: sessionID, Cxid: cxid, TimeMs: p.c.cfg.EpochMs + p.c.now/1000, Op: op}
	l.lastProposed = t.Zxid
	p.c.emit(&Event{Kind: EvPropose, Node: p.id, Zxid: t.Zxid, Op: op.Type, Path: op.Path, Session: sessionID, Txn: t, Reason: why})
	pr := &proposal{txn: t}
	l.outstanding = append(l.outstanding, pr)
	for _, h := range l.sortedHandlers() {
		if h.forwarding && !h.observer {
			p.queuePacket(h, &Message{Packet: Proposal, Zxid: t.Zxid, Txn: t})
		}
	}
	p.logTxn(t)
	p.processAck(p.id, t.Zxid) // the leader's own log write counts as its ACK
	return t, true
}

// processAck counts an ACK and commits, strictly in zxid order, what has a quorum.
func (p *Peer) processAck(sid int, z Zxid) {
	l := p.lead
	if z <= l.lastCommitted || len(l.outstanding) == 0 {
		return
	}
	idx := int(z - l.outstanding[0].txn.Zxid)
	if idx < 0 || idx >= len(l.outstanding) || l.outstanding[idx].txn.Zxid != z {
		p.c.violation(p.id, reason.Of(reason.VAckUnknown, int64(z), int64(sid)))
		return
	}
	pr := l.outstanding[idx]
	for _, a := range pr.acks {
		if a == sid {
			return
		}
	}
	pr.acks = append(pr.acks, sid)
	need := p.c.cfg.Voters/2 + 1
	if sid != p.id {
		p.c.emit(&Event{Kind: EvAcked, Node: p.id, Peer: sid, Zxid: z, N: len(pr.acks), M: need})
	}
	for len(l.outstanding) > 0 {
		head := l.outstanding[0]
		if len(head.acks) < need && !(p.c.cfg.Bug == BugCommitWithoutQuorum && containsInt(head.acks, p.id)) {
			return
		}
		l.outstanding[0] = nil
		l.outstanding = l.outstanding[1:]
		p.commit(head)
		if p.lead == nil {
			return
		}
	}
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// commit: COMMIT to followers, INFORM to observers, apply locally, answer syncs.
func (p *Peer) commit(pr *proposal) {
	l := p.lead
	z := pr.txn.Zxid
	l.lastCommitted = z
	for _, h := range l.sortedHandlers() {
		if !h.forwarding {
			continue
		}
		if h.observer {
			p.queuePacket(h, &Message{Packet: Inform, Zxid: z, Txn: pr.txn})
		} else {
			p.queuePacket(h, &Message{Packet: Commit, Zxid: z})
		}
	}
	p.c.stats.Committed++
	p.applyCommitted(pr.txn)
	if p.lead != nil {
		p.releaseSyncs()
	}
}

// onForwardedRequest: a learner forwarded a client request.
func (p *Peer) onForwardedRequest(h *learnerHandler, r *ForwardReq) {
	l := p.lead
	if !l.established {
		return
	}
	l.sessions.touch(r.SessionID, p.c.now)
	if r.Op.Type == zkdb.OpSync {
		p.registerSync(h.sid)
		return
	}
	p.propose(r.SessionID, r.Cxid, r.Op)
}

// registerSync: answer a learner's sync once everything proposed so far has committed.
func (p *Peer) registerSync(sid int) {
	l := p.lead
	if len(l.outstanding) == 0 {
		p.sendSync(sid)
		return
	}
	l.syncs = append(l.syncs, pendingSync{at: l.lastProposed, sid: sid})
}

func (p *Peer) releaseSyncs() {
	l := p.lead
	for len(l.syncs) > 0 && l.syncs[0].at <= l.lastCommitted {
		s := l.syncs[0]
		l.syncs = l.syncs[1:]
		p.sendSync(s.sid)
	}
}

func (p *Peer) sendSync(sid int) {
	if sid == p.id {
		p.srv.syncDone(p)
		return
	}
	if h := p.lead.handlers[sid]; h != nil {
		p.queuePacket(h, &Message{Packet: Sync, Zxid: 0})
	}
}

// onRevalidate: a learner asks whether a reconnecting client's session is still valid.
func (p *Peer) onRevalidate(h *learnerHandler, m *Message) {
	if len(m.Live) == 0 {
		return
	}
	s := m.Live[0]
	valid := p.lead.sessions.valid(s.SessionID)
	if valid {
		p.lead.sessions.touch(s.SessionID, p.c.now)
	}
	p.queuePacket(h, &Message{Packet: Revalidate, Live: m.Live[:1], Flag: valid})
}
