package engine

import (
	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

// Inspection: the read-only view of the servers that observers outside the protocol (the
// invariant checker in engine/check) read after every event. Nothing here changes state;
// slices of txns share the servers' backing arrays and must not be modified or kept past
// the event being observed.

// After returns the logged txns with zxid > z (shares the backing array; do not modify).
func (d *Disk) After(z Zxid) []*zkdb.Txn { return d.after(z) }

// NewestSnapZxid is the zxid of the newest kept snapshot.
func (d *Disk) NewestSnapZxid() Zxid { return d.newestSnap().Zxid }

// ElectionVote is the vote the server currently proposes in Fast Leader Election.
func (p *Peer) ElectionVote() Vote { return p.el.proposal }

// InitialVote is the vote the server would start an election round with: itself, its last
// logged zxid and its currentEpoch (observers never stand).
func (p *Peer) InitialVote() Vote { return p.initialVote() }

// Leadership describes the server's leader state while it has one (ok false otherwise):
// the epoch it leads, whether a quorum acknowledged that epoch, whether it is established
// (NEWLEADER acknowledged by a quorum, broadcasting).
func (p *Peer) Leadership() (epoch int64, epochAcked, established, ok bool) {
	if p.lead == nil {
		return 0, false, false, false
	}
	return p.lead.epoch, p.lead.epochAcked, p.lead.established, true
}

// Learning describes the server's learner state while it has one (ok false otherwise): the
// leader it follows, whether that leader's UPTODATE arrived, and how it is being synced.
func (p *Peer) Learning() (leader int, upToDate bool, mode SyncMode, ok bool) {
	if p.learn == nil {
		return 0, false, SyncNone, false
	}
	return p.learn.leader, p.learn.upToDate, p.learn.mode, true
}

// Emitting reports whether the cluster is inside an event's emission (its sinks are being
// called): an observer reporting then must wait for Flush to emit what it found.
func (c *Cluster) Emitting() bool { return c.emitting > 0 }

// EmitViolation emits an EvViolation event for a violation an observer found. The observer
// is one of the event's sinks and sees it like any other.
func (c *Cluster) EmitViolation(node int, why reason.Reason) { c.violation(node, why) }
