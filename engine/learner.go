package engine

import (
	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

// learnerState is what a FOLLOWING or OBSERVING server keeps (Learner, Follower, Observer).
type learnerState struct {
	leader   int
	conn     uint64
	tries    int
	newEpoch int64
	mode     SyncMode
	// During synchronization (Learner.syncWithLeader):
	notCommitted []*zkdb.Txn // packetsNotCommitted
	committed    []Zxid      // packetsCommitted (DIFF, or anything after NEWLEADER)
	writeToLog   bool        // false while a SNAP/TRUNC sync applies commits directly
	loggedAtNL   int         // how many of notCommitted were logged at NEWLEADER
	upToDate     bool
	// During broadcast: proposals logged and waiting for their COMMIT (pendingTxns).
	pending     []*zkdb.Txn
	lastHeardUs int64
	timeoutUs   int64
}

const learnerConnectTries = 5

// becomeLearner: FOLLOWING or OBSERVING a leader; connect and register.
func (p *Peer) becomeLearner(leader int) {
	st := Following
	if p.observer {
		st = Observing
	}
	p.learn = &learnerState{leader: leader, writeToLog: true}
	p.setState(st, PhaseDiscovery, reason.Of(reason.StateElected, int64(leader)))
	p.learn.timeoutUs = p.initLimitUs()
	p.learn.lastHeardUs = p.c.now
	p.armReadTimer()
	p.connectToLeader()
}

// connectToLeader opens a connection and sends FOLLOWERINFO/OBSERVERINFO with zxid
// (acceptedEpoch, 0) (Learner.connectToLeader + registerWithLeader).
func (p *Peer) connectToLeader() {
	l := p.learn
	if l == nil {
		return
	}
	l.tries++
	l.conn = p.c.openConn(p.id, l.leader)
	pt := FollowerInfo
	if p.observer {
		pt = ObserverInfo
	}
	p.c.sendOnConn(p.id, l.leader, l.conn, &Message{Packet: pt, Opens: true, Zxid: zkdb.MakeZxid(uint32(p.disk.AcceptedEpoch), 0), Epoch: 0x10000})
}

// armReadTimer keeps one timer for the socket read timeout; packets only move lastHeardUs.
func (p *Peer) armReadTimer() {
	l := p.learn
	p.setTimer(tmLearnerRead, 0, l.lastHeardUs+l.timeoutUs-p.c.now)
}

func (p *Peer) onReadTimer() {
	l := p.learn
	if l == nil {
		return
	}
	if p.c.now-l.lastHeardUs >= l.timeoutUs {
		p.becomeLooking(reason.Of(reason.StateReadTimeout, int64(l.leader), l.timeoutUs/1000))
		return
	}
	p.armReadTimer()
}

// onLeaderPacket handles everything the leader sends a learner.
func (p *Peer) onLeaderPacket(m *Message) {
	l := p.learn
	l.lastHeardUs = p.c.now
	switch m.Packet {
	case ConnRefused:
		if l.tries >= learnerConnectTries {
			p.becomeLooking(reason.Of(reason.StateCannotConnect, int64(l.leader)))
			return
		}
		p.setTimer(tmLearnerRetry, 0, p.c.msUs(100))
	case LeaderInfo:
		p.onLeaderInfo(m)
	case Diff, Trunc, Snap:
		p.onSyncStart(m)
	case Proposal:
		p.onProposal(m)
	case Commit:
		p.onCommit(m.Zxid)
	case Inform:
		p.onInform(m)
	case NewLeader:
		p.onNewLeader(m)
	case UpToDate:
		p.onUpToDate()
	case Ping:
		p.c.sendOnConn(p.id, l.leader, l.conn, &Message{Packet: Ping, Zxid: m.Zxid, Live: p.srv.touchedSessions()})
	case Sync:
		p.srv.syncDone(p)
	case Revalidate:
		p.srv.revalidated(p, m.Live[0].SessionID, m.Flag)
	default:
		p.c.violation(p.id, reason.Text(reason.VLearnerReceived, m.Packet.String()))
	}
}

func (p *Peer) onLeaderInfo(m *Message) {
	l := p.learn
	if p.phase != PhaseDiscovery {
		p.c.violation(p.id, reason.Of(reason.VLeaderInfoOutside))
		return
	}
	newEpoch := int64(m.Zxid.Epoch())
	l.newEpoch = newEpoch
	ack := &Message{Packet: AckEpoch, Zxid: p.LastLoggedZxid()}
	switch {
	case newEpoch > p.disk.AcceptedEpoch:
		ack.Epoch = p.disk.CurrentEpoch
		p.setAcceptedEpoch(newEpoch)
	case newEpoch == p.disk.AcceptedEpoch:
		ack.Epoch = -1 // already promised this epoch: does not count as an ack
	default:
		p.becomeLooking(reason.Of(reason.StateLeaderEpochLower, newEpoch, p.disk.AcceptedEpoch))
		return
	}
	p.c.sendOnConn(p.id, l.leader, l.conn, ack)
	p.setPhase(PhaseSynchronization, reason.Of(reason.StatePromisedEpoch, newEpoch, int64(l.leader)))
}

// onSyncStart: DIFF keeps the database, TRUNC truncates the log, SNAP replaces the database.
func (p *Peer) onSyncStart(m *Message) {
	l := p.learn
	if p.phase != PhaseSynchronization || l.mode != SyncNone {
		p.c.violation(p.id, reason.Text(reason.VOutsideSync, m.Packet.String()))
		return
	}
	switch m.Packet {
	case Diff:
		l.mode = SyncDiff
	case Snap:
		l.mode = SyncSnap
		l.writeToLog = false
		t := m.Snap.Tree.Clone()
		t.SetLastProcessedZxid(m.Snap.Zxid)
		p.tree = t
		p.clog = p.clog[:0]
		p.c.emit(&Event{Kind: EvSnapshot, Node: p.id, Zxid: m.Snap.Zxid, Peer: l.leader, Reason: reason.Of(reason.SnapReceived)})
	case Trunc:
		l.mode = SyncTrunc
		l.writeToLog = false
		if p.c.cfg.Bug == BugSkipTruncate {
			p.c.emit(&Event{Kind: EvTruncated, Node: p.id, Zxid: m.Zxid, Reason: reason.Of(reason.TruncSkipped)})
			break
		}
		if !p.disk.TruncateTo(m.Zxid) {
			p.becomeLooking(reason.Of(reason.StateCannotTruncate, int64(m.Zxid)))
			return
		}
		p.loadDatabase()
		p.c.emit(&Event{Kind: EvTruncated, Node: p.id, Zxid: m.Zxid, Reason: reason.Of(reason.TruncDone)})
	}
}

func (p *Peer) onProposal(m *Message) {
	l := p.learn
	if !l.upToDate {
		l.notCommitted = append(l.notCommitted, m.Txn)
		return
	}
	if p.observer {
		return // after sync, observers ignore PROPOSAL (they get INFORM)
	}
	last := p.disk.LastLoggedZxid()
	if m.Zxid <= last {
		p.c.violation(p.id, reason.Of(reason.VProposalNotAbove, int64(m.Zxid), int64(last)))
		return
	}
	if !p.logTxn(m.Txn) {
		return
	}
	l.pending = append(l.pending, m.Txn)
	p.c.sendOnConn(p.id, l.leader, l.conn, &Message{Packet: Ack, Zxid: m.Zxid})
}

func (p *Peer) onCommit(z Zxid) {
	l := p.learn
	if !l.upToDate {
		if !l.writeToLog {
			// SNAP/TRUNC before NEWLEADER: apply at once, the snapshot at NEWLEADER keeps it.
			if len(l.notCommitted) == 0 || l.notCommitted[0].Zxid != z {
				p.c.violation(p.id, reason.Of(reason.VCommitSyncMismatch, int64(z)))
				return
			}
			t := l.notCommitted[0]
			l.notCommitted = l.notCommitted[1:]
			p.applySynced(t)
			return
		}
		l.committed = append(l.committed, z)
		return
	}
	if p.observer {
		return
	}
	if len(l.pending) == 0 || l.pending[0].Zxid != z {
		p.c.violation(p.id, reason.Of(reason.VCommitNotNext, int64(z)))
		p.becomeLooking(reason.Of(reason.StateUnmatchedCommit))
		return
	}
	t := l.pending[0]
	l.pending[0] = nil
	l.pending = l.pending[1:]
	p.applyCommitted(t)
}

// applySynced applies a txn received during a SNAP/TRUNC sync (not logged; the NEWLEADER
// snapshot covers it).
func (p *Peer) applySynced(t *zkdb.Txn) {
	if t.Zxid <= p.tree.LastProcessedZxid() {
		return
	}
	p.tree.Apply(t)
	p.addCommitted(t)
	p.committed = max(p.committed, t.Zxid)
	p.c.emit(&Event{Kind: EvCommit, Node: p.id, Zxid: t.Zxid, Op: t.Op.Type, Path: t.Op.Path, Reason: reason.Of(reason.CommitSync)})
}

// onInform: observers log and apply what the leader committed.
func (p *Peer) onInform(m *Message) {
	l := p.learn
	if !p.observer {
		p.c.violation(p.id, reason.Of(reason.VFollowerInform))
		return
	}
	if !l.upToDate {
		if l.writeToLog {
			l.notCommitted = append(l.notCommitted, m.Txn)
			l.committed = append(l.committed, m.Zxid)
		} else {
			p.applySynced(m.Txn)
		}
		return
	}
	if m.Zxid <= p.disk.LastLoggedZxid() {
		return
	}
	p.logTxn(m.Txn)
	p.applyCommitted(m.Txn)
}

// onNewLeader: snapshot (SNAP/TRUNC), log the synced proposals, then persist currentEpoch,
// then ACK — the 3.8 order that keeps acknowledged txns durable.
func (p *Peer) onNewLeader(m *Message) {
	l := p.learn
	if p.phase != PhaseSynchronization || l.mode == SyncNone {
		p.c.violation(p.id, reason.Of(reason.VNewLeaderBeforeSync))
		return
	}
	e := int64(m.Zxid.Epoch())
	if e != p.disk.AcceptedEpoch {
		p.c.violation(p.id, reason.Of(reason.VNewLeaderEpoch, e, p.disk.AcceptedEpoch))
	}
	switch l.mode {
	case SyncSnap:
		snap := p.tree.Clone()
		z := p.tree.LastProcessedZxid()
		snap.SetLastProcessedZxid(z)
		p.disk.ReplaceWithSnapshot(&Snapshot{Zxid: z, Tree: snap, Bytes: snap.ApproxBytes()})
		p.c.emit(&Event{Kind: EvSnapshot, Node: p.id, Zxid: z, Reason: reason.Of(reason.SnapTaken)})
	case SyncTrunc:
		if p.c.cfg.Bug != BugSkipTruncate || p.tree.LastProcessedZxid() >= p.disk.LastLoggedZxid() {
			p.takeSnapshot(reason.Of(reason.SnapTaken))
		}
	}
	for _, t := range l.notCommitted {
		if t.Zxid > p.disk.LastLoggedZxid() {
			p.logTxn(t)
		}
	}
	l.loggedAtNL = len(l.notCommitted)
	l.writeToLog = true
	p.setCurrentEpoch(e)
	p.el.current.PeerEpoch = e
	p.c.sendOnConn(p.id, l.leader, l.conn, &Message{Packet: Ack, Zxid: zkdb.MakeZxid(uint32(e), 0)})
}

// onUpToDate: start serving; ACK what was logged; commit what the sync stream committed.
func (p *Peer) onUpToDate() {
	l := p.learn
	if l.mode == SyncNone || p.phase != PhaseSynchronization {
		p.c.violation(p.id, reason.Of(reason.VUpToDateBeforeNewLeader))
		return
	}
	l.upToDate = true
	l.timeoutUs = p.syncLimitUs()
	p.armReadTimer() // the read timeout is syncLimit from now on
	p.c.sendOnConn(p.id, l.leader, l.conn, &Message{Packet: Ack, Zxid: zkdb.MakeZxid(uint32(l.newEpoch), 0)})
	for i, t := range l.notCommitted {
		if i >= l.loggedAtNL && !p.logTxn(t) {
			continue
		}
		if !p.observer {
			p.c.sendOnConn(p.id, l.leader, l.conn, &Message{Packet: Ack, Zxid: t.Zxid})
		}
	}
	l.pending = append(l.pending[:0], l.notCommitted...)
	l.notCommitted = nil
	for _, z := range l.committed {
		if len(l.pending) == 0 || l.pending[0].Zxid != z {
			p.c.violation(p.id, reason.Of(reason.VCommitSyncMismatch, int64(z)))
			break
		}
		t := l.pending[0]
		l.pending = l.pending[1:]
		p.applyCommitted(t)
	}
	l.committed = nil
	// UPTODATE comes from an established leader: all it synced is committed.
	p.committed = max(p.committed, p.tree.LastProcessedZxid())
	p.setPhase(PhaseBroadcast, reason.Text(reason.StateSynced, l.mode.String(), int64(l.leader)))
	p.srv.startServing(p)
}
