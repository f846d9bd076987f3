package engine

import (
	"fmt"
	"sort"

	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

// Violation is one broken invariant.
type Violation struct {
	Invariant string        `json:"invariant"`
	Node      int           `json:"node"`
	Detail    reason.Reason `json:"detail"`
	TimeUs    int64         `json:"timeUs"`
}

func (v Violation) String() string {
	return fmt.Sprintf("%s at server %d, t=%.3fs: %s", v.Invariant, v.Node, float64(v.TimeUs)/1e6, v.Detail)
}

// Checker evaluates the invariants of zab-reference §4 as the run goes. Its ghost state is
// `canon`, the one sequence of committed txns every server's delivered history must be a
// prefix of; PrefixConsistency, Agreement, TotalOrder and both PrimaryOrders follow from
// every delivery matching canon at the server's position, and canon's zxids increasing.
type Checker struct {
	c *Cluster
	// canon[i] is the (base+i)-th committed txn.
	canon []*zkdb.Txn
	base  int
	// deliv[id] is how many txns of canon server id has delivered (ghost: survives crashes).
	deliv []int
	// bcast holds proposals not yet in canon, by zxid (Integrity).
	bcast map[Zxid]*zkdb.Txn
	// estab[e] is the leader that reached SYNCHRONIZATION in epoch e (Leadership2).
	estab      map[int64]int
	violations []Violation
	// MaxKept bounds the violations kept (the count keeps growing).
	MaxKept int
	count   int
	// acked holds writes acknowledged to clients and not yet compacted away, in ack order.
	acked []Zxid
}

func newChecker(c *Cluster) *Checker {
	return &Checker{c: c, deliv: make([]int, len(c.peers)), bcast: map[Zxid]*zkdb.Txn{},
		estab: map[int64]int{}, MaxKept: 100}
}

// Violations returns the violations found (at most MaxKept).
func (k *Checker) Violations() []Violation { return k.violations }

// Count is the number of violations found.
func (k *Checker) Count() int { return k.count }

// Committed is the number of txns in the committed sequence.
func (k *Checker) Committed() int { return k.base + len(k.canon) }

// report records a violation; its invariant is the one the reason's code names.
func (k *Checker) report(node int, detail reason.Reason) {
	k.count++
	v := Violation{Invariant: detail.Code.Invariant(), Node: node, Detail: detail, TimeUs: k.c.now}
	if len(k.violations) < k.MaxKept {
		k.violations = append(k.violations, v)
	}
	k.c.emit(Event{Kind: EvViolation, Node: node, Reason: detail})
}

func sameTxn(a, b *zkdb.Txn) bool { return a == b || (a.Zxid == b.Zxid && a.Hash() == b.Hash()) }

func (k *Checker) tail() Zxid {
	if len(k.canon) == 0 {
		return 0
	}
	return k.canon[len(k.canon)-1].Zxid
}

// index finds zxid in canon: its absolute position, or -1. Zxid 0 (nothing) is position -1
// with ok true.
func (k *Checker) index(z Zxid) (int, bool) {
	if z == 0 {
		return -1, true
	}
	i := sort.Search(len(k.canon), func(i int) bool { return k.canon[i].Zxid >= z })
	if i < len(k.canon) && k.canon[i].Zxid == z {
		return k.base + i, true
	}
	return -1, false
}

func (k *Checker) at(pos int) *zkdb.Txn {
	if pos < k.base || pos >= k.base+len(k.canon) {
		return nil
	}
	return k.canon[pos-k.base]
}

// proposed records a leader's proposal (ghost bcast).
func (k *Checker) proposed(p *Peer, t *zkdb.Txn) {
	if c := t.Zxid.Counter(); c == 0 || c == 0xffffffff {
		k.report(p.id, reason.Of(reason.VZxidCounter, int64(t.Zxid), int64(c)))
	}
	if old, ok := k.bcast[t.Zxid]; ok && !sameTxn(old, t) {
		k.report(p.id, reason.Of(reason.VTwoProposals, int64(t.Zxid)))
	}
	if pos, ok := k.index(t.Zxid); ok && pos >= 0 {
		if !sameTxn(k.at(pos), t) {
			k.report(p.id, reason.Of(reason.VReusesCommitted, int64(t.Zxid)))
		}
	}
	k.bcast[t.Zxid] = t
}

// delivered: server id applied t as committed.
func (k *Checker) delivered(id int, t *zkdb.Txn) {
	d := k.deliv[id]
	if d < k.base+len(k.canon) {
		want := k.at(d)
		if want == nil || !sameTxn(want, t) {
			wz := Zxid(0)
			if want != nil {
				wz = want.Zxid
			}
			k.report(id, reason.Of(reason.VPrefixWrongPlace, int64(t.Zxid), int64(d+1), int64(wz)))
			k.resync(id, t.Zxid)
			return
		}
		k.deliv[id] = d + 1
		k.compact()
		return
	}
	if t.Zxid <= k.tail() {
		k.report(id, reason.Of(reason.VTotalOrder, int64(t.Zxid), int64(k.tail())))
		return
	}
	if b, ok := k.bcast[t.Zxid]; !ok || !sameTxn(b, t) {
		k.report(id, reason.Of(reason.VIntegrity, int64(t.Zxid)))
	}
	delete(k.bcast, t.Zxid)
	k.canon = append(k.canon, t)
	k.deliv[id] = d + 1
}

// resync moves a server's ghost position to just after z after a reported violation, so one
// fault is reported once rather than at every later delivery.
func (k *Checker) resync(id int, z Zxid) {
	if pos, ok := k.index(z); ok {
		k.deliv[id] = pos + 1
	}
}

// truncated: a server dropped its log above z. It must not lose a delivered txn.
func (k *Checker) truncated(id int, z Zxid) {
	d := k.deliv[id]
	if last := k.at(d - 1); last != nil && last.Zxid > z {
		k.report(id, reason.Of(reason.VTruncDropsDelivered, int64(z), int64(last.Zxid)))
	}
	if pos, ok := k.index(z); ok && pos+1 < d {
		k.deliv[id] = pos + 1
	}
}

// leaderSynchronizing: Leadership2, one established leader per epoch.
func (k *Checker) leaderSynchronizing(p *Peer, e int64) {
	if other, ok := k.estab[e]; ok && other != p.id {
		k.report(p.id, reason.Of(reason.VBothEstablished, int64(other), int64(p.id), e))
	}
	k.estab[e] = p.id
	for _, q := range k.c.peers[1:] {
		if q != p && q.state == Leading && q.lead != nil && q.lead.epochAcked && q.lead.epoch == e {
			k.report(p.id, reason.Of(reason.VBothLead, int64(q.id), int64(p.id), e))
		}
	}
}

// uncommittedIn lists the txns in p's tree that are not committed yet: from its newest
// snapshot's ghost and from its log, in zxid order.
func (k *Checker) uncommittedIn(p *Peer) []*zkdb.Txn {
	tail, last := k.tail(), p.tree.LastProcessedZxid()
	snap := p.disk.newestSnap()
	var out []*zkdb.Txn
	for _, t := range snap.Ghost {
		if t.Zxid > tail && t.Zxid <= last {
			out = append(out, t)
		}
	}
	for _, t := range p.disk.Log() {
		if t.Zxid > tail && t.Zxid <= last && t.Zxid > snap.Zxid {
			out = append(out, t)
		}
	}
	return out
}

// leaderEstablished: the new leader's history becomes the epoch's initial history. It must
// hold every committed txn; its proposals beyond canon are committed now.
func (k *Checker) leaderEstablished(p *Peer) {
	last := p.tree.LastProcessedZxid()
	snapZ := p.disk.newestSnap().Zxid
	log := append(append([]*zkdb.Txn(nil), p.disk.newestSnap().Ghost...), p.disk.after(snapZ)...)
	for pos := k.deliv[p.id]; pos < k.base+len(k.canon); pos++ {
		t := k.at(pos)
		if t.Zxid <= snapZ && t.Zxid <= last {
			continue // inside the snapshot it loaded
		}
		if lt := findTxn(log, t.Zxid); lt == nil || !sameTxn(lt, t) || t.Zxid > last {
			k.report(p.id, reason.Of(reason.VPrimaryIntegrity, int64(t.Zxid), p.lead.epoch))
			k.deliv[p.id] = k.base + len(k.canon)
			return
		}
	}
	tail := k.tail()
	for _, t := range log {
		if t.Zxid > last {
			continue
		}
		if t.Zxid <= tail {
			if pos, ok := k.index(t.Zxid); !ok || !sameTxn(k.at(pos), t) {
				k.report(p.id, reason.Of(reason.VUncommittedAmong, int64(t.Zxid)))
			}
			continue
		}
		delete(k.bcast, t.Zxid)
		k.canon = append(k.canon, t)
		tail = t.Zxid
	}
	k.deliv[p.id] = k.base + len(k.canon)
	k.checkEpochs(p)
}

func findTxn(log []*zkdb.Txn, z Zxid) *zkdb.Txn {
	i := sort.Search(len(log), func(i int) bool { return log[i].Zxid >= z })
	if i < len(log) && log[i].Zxid == z {
		return log[i]
	}
	return nil
}

// syncPoint: a learner finished the sync stream at zxid z (before applying the commits it
// carried); everything it holds up to z must be the committed sequence.
func (k *Checker) syncPoint(p *Peer, z Zxid, snapshot bool) {
	pos, ok := k.index(z)
	if !ok {
		k.report(p.id, reason.Of(reason.VSyncedNotCommitted, int64(z)))
		k.resync(p.id, k.tail())
		return
	}
	if !snapshot {
		for _, t := range p.disk.Log() {
			if t.Zxid > z {
				break
			}
			if i, ok := k.index(t.Zxid); ok && i >= 0 && !sameTxn(k.at(i), t) {
				k.report(p.id, reason.Of(reason.VDifferentTxn, int64(t.Zxid)))
			} else if !ok && t.Zxid > k.firstZxid() {
				k.report(p.id, reason.Of(reason.VNeverCommitted, int64(t.Zxid)))
				break
			}
		}
	}
	if d := k.deliv[p.id]; d > pos+1 {
		k.report(p.id, reason.Of(reason.VSyncedBelowDelivered, int64(z), int64(k.at(d-1).Zxid)))
	}
	k.deliv[p.id] = pos + 1
}

func (k *Checker) firstZxid() Zxid {
	if len(k.canon) == 0 {
		return 0
	}
	return k.canon[0].Zxid
}

// electionOrder: Fast Leader Election only ever moves a voter to a better vote, so the vote
// a voter ends a LOOKING round with is at least as recent, by (epoch, zxid, sid), as its own
// history. This is what makes "the most up-to-date server leads" true.
func (k *Checker) electionOrder(p *Peer, own, chosen Vote) {
	if p.observer || own.Leader == chosen.Leader {
		return
	}
	if BetterVote(own.Leader, own.Zxid, own.PeerEpoch, chosen.Leader, chosen.Zxid, chosen.PeerEpoch) {
		k.report(p.id, reason.Of(reason.VElectionOrder,
			int64(p.id), int64(chosen.Leader), chosen.PeerEpoch, int64(chosen.Zxid), own.PeerEpoch, int64(own.Zxid)))
	}
}

// ackNewLeader: a follower acks NEWLEADER(e) only having accepted e.
func (k *Checker) ackNewLeader(p *Peer, e int64) {
	if p.disk.AcceptedEpoch != e {
		k.report(p.id, reason.Of(reason.VAckNewLeaderEpoch, e, p.disk.AcceptedEpoch))
	}
}

func (k *Checker) upToDate(p *Peer) { k.checkEpochs(p) }

func (k *Checker) epochs(p *Peer) {
	if p.disk.AcceptedEpoch < p.disk.CurrentEpoch {
		k.report(p.id, reason.Of(reason.VAcceptedBelowCurrent, p.disk.AcceptedEpoch, p.disk.CurrentEpoch))
	}
}

func (k *Checker) checkEpochs(p *Peer) {
	k.epochs(p)
	if e := int64(p.disk.LastLoggedZxid().Epoch()); e > p.disk.CurrentEpoch {
		k.report(p.id, reason.Of(reason.VLastZxidEpoch, int64(p.disk.LastLoggedZxid()), e, p.disk.CurrentEpoch))
	}
}

// compact drops the prefix of canon that every server has delivered.
func (k *Checker) compact() {
	if len(k.canon) < 8192 {
		return
	}
	min := k.base + len(k.canon)
	for id := 1; id < len(k.deliv); id++ {
		if k.deliv[id] < min {
			min = k.deliv[id]
		}
	}
	if drop := min - k.base - 1; drop > len(k.canon)/2 {
		k.canon = append([]*zkdb.Txn(nil), k.canon[drop:]...)
		k.base += drop
		first := k.firstZxid()
		kept := k.acked[:0]
		for _, z := range k.acked {
			if z >= first {
				kept = append(kept, z)
			}
		}
		k.acked = kept
	}
}

// ackedWrite records a write acknowledged to a client.
func (k *Checker) ackedWrite(t Zxid) {
	if _, ok := k.index(t); !ok && t > k.firstZxid() {
		k.report(0, reason.Of(reason.VAckedBeforeCommit, int64(t)))
	}
	k.acked = append(k.acked, t)
}

// CheckConverged is the end-of-run check after faults heal: every running server holds the
// same data, and every write acknowledged to a client is committed and on every server.
func (k *Checker) CheckConverged() {
	var ref *Peer
	for _, p := range k.c.peers[1:] {
		if p.state == Down || p.tree == nil {
			continue
		}
		if ref == nil {
			ref = p
			continue
		}
		if p.tree.LastProcessedZxid() != ref.tree.LastProcessedZxid() || p.tree.Digest() != ref.tree.Digest() {
			k.report(p.id, reason.Of(reason.VConvergence,
				int64(ref.id), int64(ref.tree.LastProcessedZxid()), int64(p.id), int64(p.tree.LastProcessedZxid())))
		}
	}
	zs := append([]Zxid(nil), k.acked...)
	sort.Slice(zs, func(i, j int) bool { return zs[i] < zs[j] })
	for _, z := range zs {
		if _, ok := k.index(z); !ok && z >= k.firstZxid() {
			k.report(0, reason.Of(reason.VAckedNotCommitted, int64(z)))
			continue
		}
		for _, p := range k.c.peers[1:] {
			if p.state != Down && p.tree != nil && p.tree.LastProcessedZxid() < z {
				k.report(p.id, reason.Of(reason.VAckedServerStops, int64(z), int64(p.id), int64(p.tree.LastProcessedZxid())))
			}
		}
	}
}
