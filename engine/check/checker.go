// Package check is the invariant checker: it stands outside the protocol, as TigerBeetle's
// state checker does. The cluster hands it every event (Observe) and it inspects the servers
// through engine's read-only inspection methods; it never changes them. Importing this
// package registers it as the checker of every cluster engine.NewCluster builds.
package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

func init() {
	engine.RegisterChecker(func(c *engine.Cluster) engine.Checker { return New(c) })
}

type (
	Zxid      = engine.Zxid
	Violation = engine.Violation
	Peer      = engine.Peer
	Vote      = engine.Vote
)

// Checker evaluates the invariants of zab-reference §4 as the run goes. It stands outside
// the protocol: the cluster hands it every event (observe), and it reads the servers' state
// (logs, trees, epochs, disks) without changing it. Its ghost state is `canon`, the one
// sequence of committed txns every server's delivered history must be a prefix of;
// PrefixConsistency, Agreement, TotalOrder and both PrimaryOrders follow from every delivery
// matching canon at the server's position, and canon's zxids increasing.
type Checker struct {
	c *engine.Cluster
	// canon[i] is the committed txn at position base+i.
	canon []*zkdb.Txn
	base  int
	// old records the compacted prefix of the committed sequence: old[i] is the txn at
	// position oldBase+i, by zxid and hash. Entries no server can present any more (below
	// every server's oldest snapshot and every ghost) are trimmed; trimmedTo is the highest
	// zxid trimmed away, below which the checker cannot judge.
	old       []oldTxn
	oldBase   int
	trimmedTo Zxid
	// deliv[id] is how many txns of canon server id has delivered (ghost: survives crashes).
	deliv []int
	// bcast holds proposals not yet in canon, by zxid (Integrity).
	bcast map[Zxid]*zkdb.Txn
	// estab[e] is the leader that reached SYNCHRONIZATION in epoch e (Leadership2);
	// newestEpoch is the highest such e (a quorum has accepted it).
	estab         map[int64]int
	newestEpoch   int64
	newestEpochUs int64 // when newestEpoch was accepted
	// ghosts[id][z] lists the txns inside server id's snapshot at zxid z that were not
	// committed when it was taken (a leader's tentative history can travel inside a SNAP).
	ghosts []map[Zxid][]*zkdb.Txn
	// sentSnap holds the ghost of each SNAP in flight, by message id; recvSnap the ghost of
	// the SNAP a learner received, until it installs it at NEWLEADER.
	sentSnap   map[uint64][]*zkdb.Txn
	recvSnap   []([]*zkdb.Txn)
	violations []Violation
	// MaxKept bounds the violations kept (the count keeps growing).
	MaxKept int
	count   int
	// pending holds violations found while an event is being observed; the cluster emits
	// them after it (flush).
	pending  []Violation
	flushing bool
	// acked holds writes acknowledged to clients and not yet compacted away, in ack order.
	acked []Zxid
}

type oldTxn struct {
	zxid Zxid
	hash uint64
}

// compactAt is the length of canon at which its delivered prefix moves to the compact record.
const compactAt = 8192

// New builds the checker of cluster c (engine.NewCluster calls it through the registration
// in init; c has its servers but has not started).
func New(c *engine.Cluster) *Checker {
	n := c.Size() + 1
	k := &Checker{c: c, deliv: make([]int, n), bcast: map[Zxid]*zkdb.Txn{},
		estab: map[int64]int{}, MaxKept: 100, ghosts: make([]map[Zxid][]*zkdb.Txn, n),
		sentSnap: map[uint64][]*zkdb.Txn{}, recvSnap: make([][]*zkdb.Txn, n)}
	for i := range k.ghosts {
		k.ghosts[i] = map[Zxid][]*zkdb.Txn{}
	}
	return k
}

// Violations returns the violations found (at most MaxKept).
func (k *Checker) Violations() []Violation { return k.violations }

// Count is the number of violations found.
func (k *Checker) Count() int { return k.count }

// Committed is the number of txns in the committed sequence.
func (k *Checker) Committed() int { return k.base + len(k.canon) }

func (k *Checker) report(node int, detail reason.Reason) {
	name := detail.Code.Invariant()
	k.record(Violation{Invariant: name, Node: node, Detail: detail, TimeUs: k.c.Now()})
	k.pending = append(k.pending, Violation{Invariant: name, Node: node, Detail: detail})
	if !k.c.Emitting() {
		k.Flush()
	}
}

func (k *Checker) record(v Violation) {
	k.count++
	if len(k.violations) < k.MaxKept {
		k.violations = append(k.violations, v)
	}
}

// Flush emits the violations found while observing, each as an engine.EvViolation event.
func (k *Checker) Flush() {
	if k.flushing || len(k.pending) == 0 {
		return
	}
	k.flushing = true
	for i := 0; i < len(k.pending); i++ {
		v := k.pending[i]
		k.c.EmitViolation(v.Node, v.Detail)
	}
	k.pending = k.pending[:0]
	k.flushing = false
}

// Observe sees every event as it is emitted, with the servers in the state that produced it.
func (k *Checker) Observe(e *engine.Event) {
	switch e.Kind {
	case engine.EvPropose:
		if e.Txn != nil {
			k.proposed(k.c.Peer(e.Node), e.Txn)
		}
	case engine.EvCommit:
		if e.Txn != nil {
			k.delivered(e.Node, e.Txn)
		}
	case engine.EvTruncated:
		// A real truncation leaves nothing above the point (the skip-truncate bug keeps it).
		if k.c.Peer(e.Node).LastLoggedZxid() <= e.Zxid {
			k.truncated(e.Node, e.Zxid)
		}
	case engine.EvEpoch:
		k.epochs(k.c.Peer(e.Node))
	case engine.EvDecided:
		p := k.c.Peer(e.Node)
		if v := p.ElectionVote(); v.Leader == e.Vote.Leader && v.Zxid == e.Vote.Zxid && v.PeerEpoch == e.Vote.PeerEpoch {
			k.electionOrder(p, p.InitialVote(), v)
		}
	case engine.EvState:
		p := k.c.Peer(e.Node)
		epoch, _, _, leads := p.Leadership()
		switch {
		case e.State == engine.Leading && e.Phase == engine.PhaseSynchronization && leads:
			k.leaderSynchronizing(p, epoch)
		case e.State == engine.Leading && e.Phase == engine.PhaseBroadcast && leads:
			k.leaderEstablished(p, epoch)
		case (e.State == engine.Following || e.State == engine.Observing) && e.Phase == engine.PhaseBroadcast:
			k.checkEpochs(p)
		}
	case engine.EvSend:
		switch e.Packet {
		case engine.Snap:
			if p := k.c.Peer(e.Node); p.Tree() != nil {
				g := k.uncommittedIn(p)
				for len(g) > 0 && g[len(g)-1].Zxid > e.Zxid { // not in the tree the SNAP carries
					g = g[:len(g)-1]
				}
				k.sentSnap[e.MsgID] = g
			}
		case engine.Ack:
			// A learner's ACK of NEWLEADER, and the first ACK after UPTODATE (both at counter
			// 0, before it applies what the sync stream committed).
			p := k.c.Peer(e.Node)
			_, upToDate, mode, learns := p.Learning()
			if learns && p.Phase() == engine.PhaseSynchronization && e.Zxid.Counter() == 0 {
				if !upToDate {
					k.ackNewLeader(p, int64(e.Zxid.Epoch()))
				} else {
					k.syncPoint(p, p.Tree().LastProcessedZxid(), mode == engine.SyncSnap)
				}
			}
		}
	case engine.EvDeliver:
		if e.Packet == engine.Snap {
			k.recvSnap[e.Node] = k.sentSnap[e.MsgID]
			delete(k.sentSnap, e.MsgID)
		}
	case engine.EvDrop:
		if e.Packet == engine.Snap {
			delete(k.sentSnap, e.MsgID)
		}
	case engine.EvSnapshot:
		if e.Peer == 0 {
			k.snapshotTaken(k.c.Peer(e.Node), e.Zxid)
		}
	case engine.EvClient:
		if e.Err == zkdb.OK && e.Zxid != 0 {
			k.ackedWrite(e.Zxid)
		}
	case engine.EvViolation:
		if !k.flushing { // a server's own consistency check
			k.record(Violation{Invariant: e.Reason.Code.Invariant(), Node: e.Node, Detail: e.Reason, TimeUs: e.TimeUs})
		}
	}
}

// snapshotTaken: server p just stored a snapshot at zxid z. Record which txns inside it are
// not committed yet: those of the snapshot its tree grew from plus its log up to z, or, when
// it installed a leader's SNAP (the snapshot is then its whole disk), the SNAP's.
func (k *Checker) snapshotTaken(p *Peer, z Zxid) {
	snaps := p.Disk().SnapshotZxids()
	g := k.ghosts[p.ID()]
	if len(snaps) == 1 {
		clear(g)
		g[z] = k.recvSnap[p.ID()]
		k.recvSnap[p.ID()] = nil
		return
	}
	prev := snaps[len(snaps)-2]
	tail := k.tail()
	var out []*zkdb.Txn
	for _, t := range g[prev] {
		if t.Zxid > tail && t.Zxid <= z {
			out = append(out, t)
		}
	}
	for _, t := range p.Disk().After(prev) {
		if t.Zxid > z {
			break
		}
		if t.Zxid > tail {
			out = append(out, t)
		}
	}
	g[z] = out
	for sz := range g {
		if sz < snaps[0] {
			delete(g, sz)
		}
	}
}

// uncommittedIn lists the txns in p's tree that are not committed yet: from its newest
// snapshot's ghost and from its log, in zxid order.
func (k *Checker) uncommittedIn(p *Peer) []*zkdb.Txn {
	tail, last := k.tail(), p.Tree().LastProcessedZxid()
	snapZ := p.Disk().NewestSnapZxid()
	var out []*zkdb.Txn
	for _, t := range k.ghosts[p.ID()][snapZ] {
		if t.Zxid > tail && t.Zxid <= last {
			out = append(out, t)
		}
	}
	for _, t := range p.Disk().After(snapZ) {
		if t.Zxid > tail && t.Zxid <= last {
			out = append(out, t)
		}
	}
	return out
}

func sameTxn(a, b *zkdb.Txn) bool { return a == b || (a.Zxid == b.Zxid && a.Hash() == b.Hash()) }

func (k *Checker) tail() Zxid {
	if len(k.canon) == 0 {
		if n := len(k.old); n > 0 {
			return k.old[n-1].zxid
		}
		return 0
	}
	return k.canon[len(k.canon)-1].Zxid
}

// index finds zxid z in the committed sequence (canon or its compact record): its absolute
// position, or ok false. Zxid 0 (nothing) is position -1 with ok true.
func (k *Checker) index(z Zxid) (int, bool) {
	if z == 0 {
		return -1, true
	}
	if len(k.canon) > 0 && z >= k.canon[0].Zxid {
		i := sort.Search(len(k.canon), func(i int) bool { return k.canon[i].Zxid >= z })
		if i < len(k.canon) && k.canon[i].Zxid == z {
			return k.base + i, true
		}
		return -1, false
	}
	i := sort.Search(len(k.old), func(i int) bool { return k.old[i].zxid >= z })
	if i < len(k.old) && k.old[i].zxid == z {
		return k.oldBase + i, true
	}
	return -1, false
}

// NewestEpoch is the highest epoch a leader reached SYNCHRONIZATION in (a quorum accepted
// it), and when.
func (k *Checker) NewestEpoch() (epoch, sinceUs int64) { return k.newestEpoch, k.newestEpochUs }

// Report records a violation found outside the checker (the simulator's liveness monitor,
// the linearizability check of a workload's history).
func (k *Checker) Report(node int, why reason.Reason) { k.report(node, why) }

// IsCommitted reports whether zxid z is in the committed history.
func (k *Checker) IsCommitted(z Zxid) bool {
	if z <= 0 {
		return false
	}
	_, ok := k.index(z)
	return ok
}

// at is the committed txn at pos while it is in canon (nil once compacted).
func (k *Checker) at(pos int) *zkdb.Txn {
	if pos < k.base || pos >= k.base+len(k.canon) {
		return nil
	}
	return k.canon[pos-k.base]
}

// entry is the zxid and hash of the committed txn at pos (ok false if unknown).
func (k *Checker) entry(pos int) (Zxid, uint64, bool) {
	if t := k.at(pos); t != nil {
		return t.Zxid, t.Hash(), true
	}
	if i := pos - k.oldBase; i >= 0 && i < len(k.old) {
		return k.old[i].zxid, k.old[i].hash, true
	}
	return 0, 0, false
}

func (k *Checker) zxidAt(pos int) Zxid {
	z, _, _ := k.entry(pos)
	return z
}

// verdict of a txn a server holds, against the committed sequence up to its tail.
type verdict uint8

const (
	vMatch   verdict = iota // the committed txn at that zxid
	vDiffers                // a different txn than the committed one at that zxid
	vAbsent                 // no txn with that zxid was committed
	vUnknown                // too old to judge (the record was trimmed)
)

func (k *Checker) judge(t *zkdb.Txn) verdict {
	pos, ok := k.index(t.Zxid)
	if !ok {
		if t.Zxid <= k.trimmedTo {
			return vUnknown
		}
		return vAbsent
	}
	if c := k.at(pos); c != nil {
		if sameTxn(c, t) {
			return vMatch
		}
		return vDiffers
	}
	if _, h, _ := k.entry(pos); h == t.Hash() {
		return vMatch
	}
	return vDiffers
}

// proposed records a leader's proposal (ghost bcast).
func (k *Checker) proposed(p *Peer, t *zkdb.Txn) {
	if c := t.Zxid.Counter(); c == 0 || c == 0xffffffff {
		k.report(p.ID(), reason.Of(reason.VZxidCounter, int64(t.Zxid), int64(c)))
	}
	if old, ok := k.bcast[t.Zxid]; ok && !sameTxn(old, t) {
		k.report(p.ID(), reason.Of(reason.VTwoProposals, int64(t.Zxid)))
	}
	if k.judge(t) == vDiffers {
		k.report(p.ID(), reason.Of(reason.VReusesCommitted, int64(t.Zxid)))
	}
	k.bcast[t.Zxid] = t
}

// delivered: server id applied t as committed.
func (k *Checker) delivered(id int, t *zkdb.Txn) {
	d := k.deliv[id]
	if d < k.base+len(k.canon) {
		match, wz := false, Zxid(0)
		if c := k.at(d); c != nil {
			match, wz = sameTxn(c, t), c.Zxid
		} else if z, h, ok := k.entry(d); ok {
			match, wz = z == t.Zxid && h == t.Hash(), z
		} else { // before the trimmed horizon: cannot judge, follow the server
			if pos, found := k.index(t.Zxid); found {
				k.deliv[id] = pos + 1
			}
			return
		}
		if !match {
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
	if last, _, ok := k.entry(d - 1); ok && last > z {
		k.report(id, reason.Of(reason.VTruncDropsDelivered, int64(z), int64(last)))
	}
	if pos, ok := k.index(z); ok && pos+1 < d {
		k.deliv[id] = pos + 1
	}
}

// leaderSynchronizing: Leadership2, one established leader per epoch.
func (k *Checker) leaderSynchronizing(p *Peer, e int64) {
	if other, ok := k.estab[e]; ok && other != p.ID() {
		k.report(p.ID(), reason.Of(reason.VBothEstablished, int64(other), int64(p.ID()), e))
	}
	k.estab[e] = p.ID()
	if e > k.newestEpoch {
		k.newestEpoch, k.newestEpochUs = e, k.c.Now()
	}
	for id := 1; id <= k.c.Size(); id++ {
		q := k.c.Peer(id)
		if q == p || q.State() != engine.Leading {
			continue
		}
		if qe, acked, _, ok := q.Leadership(); ok && acked && qe == e {
			k.report(p.ID(), reason.Of(reason.VBothLead, int64(q.ID()), int64(p.ID()), e))
		}
	}
}

// history is what p holds: its newest snapshot's uncommitted txns, then its log after it.
func (k *Checker) history(p *Peer) []*zkdb.Txn {
	snapZ := p.Disk().NewestSnapZxid()
	return append(append([]*zkdb.Txn(nil), k.ghosts[p.ID()][snapZ]...), p.Disk().After(snapZ)...)
}

// leaderEstablished: the new leader's history becomes the epoch's initial history. It must
// hold every committed txn; its proposals beyond canon are committed now.
func (k *Checker) leaderEstablished(p *Peer, epoch int64) {
	last := p.Tree().LastProcessedZxid()
	snapZ := p.Disk().NewestSnapZxid()
	log := k.history(p)
	for pos := max(k.deliv[p.ID()], k.base); pos < k.base+len(k.canon); pos++ {
		t := k.at(pos)
		if t.Zxid <= snapZ && t.Zxid <= last {
			continue // inside the snapshot it loaded
		}
		if lt := findTxn(log, t.Zxid); lt == nil || !sameTxn(lt, t) || t.Zxid > last {
			k.report(p.ID(), reason.Of(reason.VPrimaryIntegrity, int64(t.Zxid), epoch))
			k.deliv[p.ID()] = k.base + len(k.canon)
			return
		}
	}
	tail := k.tail()
	for _, t := range log {
		if t.Zxid > last {
			continue
		}
		if t.Zxid <= tail {
			switch k.judge(t) {
			case vAbsent:
				k.report(p.ID(), reason.Of(reason.VUncommittedAmong, int64(t.Zxid)))
			case vDiffers:
				k.report(p.ID(), reason.Of(reason.VLeaderDifferentTxn, int64(t.Zxid)))
			}
			continue
		}
		delete(k.bcast, t.Zxid)
		k.canon = append(k.canon, t)
		tail = t.Zxid
	}
	k.deliv[p.ID()] = k.base + len(k.canon)
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
		if z <= k.trimmedTo {
			return
		}
		k.report(p.ID(), reason.Of(reason.VSyncedNotCommitted, int64(z)))
		k.resync(p.ID(), k.tail())
		return
	}
	if !snapshot {
		for _, t := range p.Disk().Log() {
			if t.Zxid > z {
				break
			}
			if v := k.judge(t); v == vDiffers {
				k.report(p.ID(), reason.Of(reason.VDifferentTxn, int64(t.Zxid)))
			} else if v == vAbsent {
				k.report(p.ID(), reason.Of(reason.VNeverCommitted, int64(t.Zxid)))
				break
			}
		}
	}
	if d := k.deliv[p.ID()]; d > pos+1 {
		k.report(p.ID(), reason.Of(reason.VSyncedBelowDelivered, int64(z), int64(k.zxidAt(d-1))))
	}
	k.deliv[p.ID()] = pos + 1
}

func (k *Checker) firstZxid() Zxid {
	if len(k.old) > 0 {
		return k.old[0].zxid
	}
	if len(k.canon) == 0 {
		return 0
	}
	return k.canon[0].Zxid
}

// electionOrder: Fast Leader Election only ever moves a voter to a better vote, so the vote
// a voter ends a LOOKING round with is at least as recent, by (epoch, zxid, sid), as its own
// history. This is what makes "the most up-to-date server leads" true.
func (k *Checker) electionOrder(p *Peer, own, chosen Vote) {
	if p.IsObserver() || own.Leader == chosen.Leader {
		return
	}
	if engine.BetterVote(own.Leader, own.Zxid, own.PeerEpoch, chosen.Leader, chosen.Zxid, chosen.PeerEpoch) {
		k.report(p.ID(), reason.Of(reason.VElectionOrder,
			int64(p.ID()), int64(chosen.Leader), chosen.PeerEpoch, int64(chosen.Zxid), own.PeerEpoch, int64(own.Zxid)))
	}
}

// ackNewLeader: a follower acks NEWLEADER(e) only having accepted e.
func (k *Checker) ackNewLeader(p *Peer, e int64) {
	if p.Disk().AcceptedEpoch != e {
		k.report(p.ID(), reason.Of(reason.VAckNewLeaderEpoch, e, p.Disk().AcceptedEpoch))
	}
}

func (k *Checker) epochs(p *Peer) {
	if p.Disk().AcceptedEpoch < p.Disk().CurrentEpoch {
		k.report(p.ID(), reason.Of(reason.VAcceptedBelowCurrent, p.Disk().AcceptedEpoch, p.Disk().CurrentEpoch))
	}
}

func (k *Checker) checkEpochs(p *Peer) {
	k.epochs(p)
	if e := int64(p.Disk().LastLoggedZxid().Epoch()); e > p.Disk().CurrentEpoch {
		k.report(p.ID(), reason.Of(reason.VLastZxidEpoch, int64(p.Disk().LastLoggedZxid()), e, p.Disk().CurrentEpoch))
	}
}

// compact moves the prefix of canon that every server has delivered to the compact record,
// then trims from the record what no server can present again.
func (k *Checker) compact() {
	if len(k.canon) < compactAt {
		return
	}
	min := k.base + len(k.canon)
	for id := 1; id < len(k.deliv); id++ {
		if k.deliv[id] < min {
			min = k.deliv[id]
		}
	}
	drop := min - k.base - 1
	if drop <= len(k.canon)/2 {
		return
	}
	if len(k.old) == 0 {
		k.oldBase = k.base
	}
	for _, t := range k.canon[:drop] {
		k.old = append(k.old, oldTxn{zxid: t.Zxid, hash: t.Hash()})
	}
	k.canon = append([]*zkdb.Txn(nil), k.canon[drop:]...)
	k.base += drop
	first := k.canon[0].Zxid
	kept := k.acked[:0]
	for _, z := range k.acked {
		if z >= first {
			kept = append(kept, z)
		}
	}
	k.acked = kept
	k.trim()
}

// trim drops from the compact record the txns at or below horizon, the oldest zxid any
// server could still present: its logs hold only txns above its oldest kept snapshot, and
// the ghosts of snapshots (on disk or in flight) hold the rest.
func (k *Checker) trim() {
	horizon := k.tail()
	lower := func(z Zxid) {
		if z < horizon {
			horizon = z
		}
	}
	for id := 1; id <= k.c.Size(); id++ {
		p := k.c.Peer(id)
		lower(p.Disk().SnapshotZxids()[0])
		for _, g := range k.ghosts[p.ID()] {
			if len(g) > 0 {
				lower(g[0].Zxid - 1)
			}
		}
		if g := k.recvSnap[p.ID()]; len(g) > 0 {
			lower(g[0].Zxid - 1)
		}
	}
	for _, g := range k.sentSnap {
		if len(g) > 0 {
			lower(g[0].Zxid - 1)
		}
	}
	i := sort.Search(len(k.old), func(i int) bool { return k.old[i].zxid > horizon })
	if i == 0 {
		return
	}
	k.trimmedTo = k.old[i-1].zxid
	k.old = append([]oldTxn(nil), k.old[i:]...)
	k.oldBase += i
}

// ackedWrite records a write acknowledged to a client.
func (k *Checker) ackedWrite(t Zxid) {
	if _, ok := k.index(t); !ok && t > k.firstZxid() && t > k.trimmedTo {
		k.report(0, reason.Of(reason.VAckedBeforeCommit, int64(t)))
	}
	k.acked = append(k.acked, t)
}

// CheckConverged is the end-of-run check after faults heal. Safety always: every write
// acknowledged to a client is committed, and servers at the same zxid hold the same data.
// When the cluster settled (one leader, everyone following it at its zxid), also: every
// server holds the same data and every acknowledged write. When it did not settle within
// waitedUs, that is reported once, truthfully, as Liveness ("not yet converged after N s"),
// not as lost writes: a server that has not rejoined yet has lost nothing.
func (k *Checker) CheckConverged(settled bool, waitedUs int64) {
	var up []*Peer
	for id := 1; id <= k.c.Size(); id++ {
		p := k.c.Peer(id)
		if p.State() != engine.Down && p.Tree() != nil {
			up = append(up, p)
		}
	}
	// Each server is compared with the first one up (settled) or the first one up at its zxid.
	first := map[Zxid]*Peer{}
	digests := map[*Peer]uint64{}
	digest := func(p *Peer) uint64 {
		d, ok := digests[p]
		if !ok {
			d = p.Tree().Digest()
			digests[p] = d
		}
		return d
	}
	for i, p := range up {
		z := p.Tree().LastProcessedZxid()
		ref, ok := first[z]
		if settled && i > 0 {
			ref, ok = up[0], true
		}
		if !ok {
			first[z] = p
			continue
		}
		if ref.Tree().LastProcessedZxid() != z || digest(ref) != digest(p) {
			k.report(p.ID(), reason.Of(reason.VConvergence,
				int64(ref.ID()), int64(ref.Tree().LastProcessedZxid()), int64(p.ID()), int64(z)))
		}
	}
	zs := append([]Zxid(nil), k.acked...)
	sort.Slice(zs, func(i, j int) bool { return zs[i] < zs[j] })
	for _, z := range zs {
		if _, ok := k.index(z); !ok && z >= k.firstZxid() && z > k.trimmedTo {
			k.report(0, reason.Of(reason.VAckedNotCommitted, int64(z)))
			continue
		}
		if !settled {
			continue
		}
		for _, p := range up {
			if p.Tree().LastProcessedZxid() < z {
				k.report(p.ID(), reason.Of(reason.VAckedServerStops, int64(z), int64(p.ID()), int64(p.Tree().LastProcessedZxid())))
			}
		}
	}
	if !settled {
		var behind []string
		l := k.c.Leader()
		for id := 1; id <= k.c.Size(); id++ {
			p := k.c.Peer(id)
			if p.ID() == l {
				continue
			}
			leader, upToDate, _, learns := p.Learning()
			if !learns || !upToDate || leader != l || l == 0 || p.Tree().LastProcessedZxid() != k.c.Peer(l).Tree().LastProcessedZxid() {
				behind = append(behind, fmt.Sprintf("%d %s %s", p.ID(), p.State(), p.LastLoggedZxid()))
			}
		}
		k.report(0, reason.Text(reason.VNotConverged, strings.Join(behind, ", "), waitedUs/100_000, int64(l)))
	}
}
