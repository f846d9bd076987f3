package engine

import (
	"math"

	"github.com/zablab/zablab/engine/reason"
)

// election is the state of FastLeaderElection for one server.
type election struct {
	round    int64 // logicalclock
	proposal Vote  // what this server currently proposes (Leader, Zxid, PeerEpoch)
	// recvset holds, per voter, the vote it sent in the current round.
	recvset map[int]Vote
	// outOfElection holds votes of servers that are FOLLOWING or LEADING.
	outOfElection map[int]Vote
	notTimeoutMs  int64
	finalizing    bool
	// current is the vote this server stands by once the election ended (getCurrentVote),
	// with State set to the server's state.
	current Vote
}

const maxNotificationIntervalMs = 60_000

var minVote = Vote{Leader: math.MinInt32, Zxid: math.MinInt64, PeerEpoch: math.MinInt64}

// initialVote is the vote a server starts with: itself, its last logged zxid (the database
// fast-forwarded from the log), its currentEpoch. Observers never stand.
func (p *Peer) initialVote() Vote {
	if p.observer {
		v := minVote
		v.Round = p.el.round
		return v
	}
	return Vote{Leader: p.id, Zxid: p.LastLoggedZxid(), PeerEpoch: p.disk.CurrentEpoch, Round: p.el.round, State: Looking}
}

// better is totalOrderPredicate, with the elect-by-myid teaching bug.
func (p *Peer) better(n, cur Vote) bool {
	if !p.c.isVoter(n.Leader) {
		return false
	}
	if p.c.cfg.Bug == BugElectByMyid {
		return n.Leader > cur.Leader
	}
	return BetterVote(n.Leader, n.Zxid, n.PeerEpoch, cur.Leader, cur.Zxid, cur.PeerEpoch)
}

// lookForLeader starts a new round (FastLeaderElection.lookForLeader).
func (p *Peer) lookForLeader() {
	p.el.round++
	p.el.recvset = map[int]Vote{}
	p.el.outOfElection = map[int]Vote{}
	p.el.finalizing = false
	p.el.notTimeoutMs = p.c.cfg.Timing.FinalizeWaitMs
	p.updateProposal(p.initialVote(), reason.Of(reason.VoteInitial))
	p.sendNotifications()
	p.setTimer(tmElection, 0, p.c.msUs(p.el.notTimeoutMs))
}

func (p *Peer) updateProposal(v Vote, why reason.Reason) {
	v.Round = p.el.round
	v.State = Looking
	p.el.proposal = v
	p.c.emit(&Event{Kind: EvVote, Node: p.id, Vote: v, Reason: why})
}

// sendNotifications sends the current proposal to every voter, this server included.
func (p *Peer) sendNotifications() {
	for _, to := range p.c.voterIDs {
		p.sendNotification(to, p.el.proposal, Looking)
	}
}

func (p *Peer) sendNotification(to int, v Vote, st ServerState) {
	v.State = st
	if to != p.id {
		if p.sent == nil {
			p.sent = map[int]Vote{}
		}
		p.sent[to] = v
		p.c.electionConnect(p.id, to)
	}
	p.c.transmit(&Message{From: p.id, To: to, Packet: Notification, Vote: v, Zxid: v.Zxid})
}

// onElectionTimeout: no notification within notTimeout; send again, back off.
func (p *Peer) onElectionTimeout() {
	if p.state != Looking || p.el.finalizing {
		return
	}
	p.sendNotifications()
	p.el.notTimeoutMs *= 2
	if p.el.notTimeoutMs > maxNotificationIntervalMs {
		p.el.notTimeoutMs = maxNotificationIntervalMs
	}
	p.setTimer(tmElection, 0, p.c.msUs(p.el.notTimeoutMs))
}

// onNotification is WorkerReceiver plus one turn of the lookForLeader loop.
func (p *Peer) onNotification(m *Message) {
	n := m.Vote // n.State is the sender's state, n.Round its electionEpoch
	from := m.From
	// WorkerReceiver: a non-voter gets our current vote back and is otherwise ignored.
	if !p.c.isVoter(from) {
		if p.state != Down {
			p.replyVote(from)
		}
		return
	}
	if p.state != Looking {
		// Out of the election: tell a LOOKING sender whom we follow.
		if n.State == Looking {
			p.replyVote(from)
		}
		return
	}
	if n.State == Looking && n.Round < p.el.round {
		p.sendNotification(from, p.el.proposal, Looking)
	}
	if !p.c.isVoter(n.Leader) {
		return
	}
	if p.el.finalizing {
		p.onNotificationWhileFinalizing(from, n)
		return
	}
	p.setTimer(tmElection, 0, p.c.msUs(p.el.notTimeoutMs))
	p.processNotification(from, n)
}

// replyVote answers a notification with this server's state and vote.
//
// The vote is getCurrentVote: what this server decided when its last election ended (itself
// before the first one), never the proposal of an election in progress. So a LOOKING voter
// answers an observer with the leader it followed — after a leader crash, the dead one, and
// an observer that hears it from a quorum tries to observe that leader first, as in
// ZooKeeper. A non-voter is told this server's logicalclock as the round; a LOOKING voter
// the round of the vote (WorkerReceiver does both).
func (p *Peer) replyVote(to int) {
	v := p.el.current
	st := p.state
	if st == Down {
		return
	}
	if !p.c.isVoter(to) {
		v.Round = p.el.round
	}
	p.sendNotification(to, v, st)
}

// onNotificationWhileFinalizing: after a quorum agreed, ZooKeeper keeps draining its queue
// with a finalizeWait timeout. A better vote (from any round, in any state) reopens the
// election; anything else is dropped and the wait for silence starts over.
func (p *Peer) onNotificationWhileFinalizing(from int, n Vote) {
	if p.better(n, p.el.proposal) {
		p.el.finalizing = false
		p.cancelTimer(tmFinalize)
		p.setTimer(tmElection, 0, p.c.msUs(p.el.notTimeoutMs))
		p.processNotification(from, n)
		return
	}
	p.setTimer(tmFinalize, 0, p.c.msUs(p.c.cfg.Timing.FinalizeWaitMs))
}

func (p *Peer) processNotification(from int, n Vote) {
	switch n.State {
	case Looking:
		if n.Zxid == -1 || p.el.proposal.Zxid == -1 {
			return
		}
		switch {
		case n.Round > p.el.round:
			p.el.round = n.Round
			p.el.recvset = map[int]Vote{}
			if p.better(n, p.initialVote()) {
				p.updateProposal(n, reason.Of(reason.VoteAdoptBetter, n.Round, int64(from)))
			} else {
				p.updateProposal(p.initialVote(), reason.Of(reason.VoteOwnBetter, n.Round, int64(from)))
			}
			p.sendNotifications()
		case n.Round < p.el.round:
			return
		case p.better(n, p.el.proposal):
			p.updateProposal(n, reason.Nest(reason.VoteAdopt, whyBetter(n, p.el.proposal), int64(from)))
			p.sendNotifications()
		}
		v := n
		v.State = Looking
		p.el.recvset[from] = v
		if p.agreeing(p.el.recvset, p.el.proposal) {
			p.el.finalizing = true
			p.cancelTimer(tmElection)
			p.setTimer(tmFinalize, 0, p.c.msUs(p.c.cfg.Timing.FinalizeWaitMs))
		}
	case Following, Leading:
		if n.Round == p.el.round {
			v := n
			v.State = Looking // recorded as a plain vote (ZooKeeper's 4-field Vote)
			p.el.recvset[from] = v
			if p.agreeing(p.el.recvset, n) && p.checkLeader(p.el.recvset, n.Leader, n.Round) {
				p.decide(n, reason.Of(reason.DecidedQuorumOfRound))
				return
			}
		}
		p.el.outOfElection[from] = n
		if p.agreeing(p.el.outOfElection, n) && p.checkLeader(p.el.outOfElection, n.Leader, n.Round) {
			p.el.round = n.Round
			p.decide(n, reason.Of(reason.DecidedEstablished))
		}
	}
}

// agreeing reports whether the voters whose vote equals v form a quorum.
func (p *Peer) agreeing(votes map[int]Vote, v Vote) bool {
	n := 0
	for sid, x := range votes {
		if p.c.isVoter(sid) && x.Equal(v) {
			n++
		}
	}
	return IsQuorum(n, p.c.cfg.Voters)
}

// checkLeader: we must have heard LEADING from the leader itself, or be it in this round.
func (p *Peer) checkLeader(votes map[int]Vote, leader int, round int64) bool {
	if leader != p.id {
		v, ok := votes[leader]
		return ok && v.State == Leading
	}
	return p.el.round == round
}

// onFinalize: finalizeWait passed without a better vote; the proposal wins.
func (p *Peer) onFinalize() {
	if p.state != Looking || !p.el.finalizing {
		return
	}
	p.decide(p.el.proposal, reason.Of(reason.DecidedFinalizeWait, int64(p.c.cfg.Timing.FinalizeWaitMs)))
}

// decide ends the election (setPeerState + leaveInstance).
func (p *Peer) decide(v Vote, why reason.Reason) {
	p.el.finalizing = false
	p.cancelTimer(tmElection)
	p.cancelTimer(tmFinalize)
	v.Round = p.el.round
	p.c.emit(&Event{Kind: EvDecided, Node: p.id, Peer: v.Leader, Vote: v, Reason: why})
	switch {
	case v.Leader == p.id:
		v.State = Leading
		p.el.current = v
		p.becomeLeading()
	case p.observer:
		v.State = Observing
		p.el.current = v
		p.becomeLearner(v.Leader)
	default:
		v.State = Following
		p.el.current = v
		p.becomeLearner(v.Leader)
	}
}

func whyBetter(n, cur Vote) reason.Reason {
	switch {
	case n.PeerEpoch != cur.PeerEpoch:
		return reason.Of(reason.VoteHigherEpoch, n.PeerEpoch, cur.PeerEpoch)
	case n.Zxid != cur.Zxid:
		return reason.Of(reason.VoteHigherZxid, int64(n.Zxid), int64(cur.Zxid))
	default:
		return reason.Of(reason.VoteHigherID, int64(n.Leader), int64(cur.Leader))
	}
}
