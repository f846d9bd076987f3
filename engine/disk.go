package engine

import (
	"sort"

	"github.com/zablab/zablab/engine/zkdb"
)

// Disk is one server's durable state: what survives a crash of that server (ZooKeeper's
// dataDir: txn log files, snapshot files, acceptedEpoch and currentEpoch). Writes are
// durable at once, as if every append were fsynced.
type Disk struct {
	// AcceptedEpoch is the last epoch this server promised to follow (paper: f.p).
	AcceptedEpoch int64
	// CurrentEpoch is the last epoch whose NEWLEADER this server acknowledged (paper: f.a).
	CurrentEpoch int64
	// snaps holds kept snapshots, oldest first; there is always at least one (the empty tree
	// at zxid 0 until a newer one is taken).
	snaps []*Snapshot
	// log holds every logged txn with a zxid above snaps[0].Zxid, in strictly increasing
	// zxid order. Entries after the newest snapshot are what a restart replays.
	log []*zkdb.Txn
	// loggedSinceSnap counts appends since the newest snapshot.
	loggedSinceSnap int
	// logBytes is the approximate size of the whole log; bytesSinceSnap of its part after
	// the newest snapshot.
	logBytes       int
	bytesSinceSnap int
}

const keptSnapshots = 3

// ensemble is the membership every server's tree shows in /zookeeper/config: the voters
// and observers with peer ports 2888 and 3888 shifted by id-1, as on one host.
func (c *Cluster) ensemble() zkdb.Ensemble {
	var e zkdb.Ensemble
	for id := 1; id <= c.cfg.Voters+c.cfg.Observers; id++ {
		s := zkdb.EnsembleServer{ID: id, Observer: id > c.cfg.Voters, QuorumPort: 2887 + id, ElectionPort: 3887 + id}
		if c.cfg.ClientPortBase > 0 {
			s.ClientPort = c.cfg.ClientPortBase + id
		}
		e.Servers = append(e.Servers, s)
	}
	e.DataLimit = c.cfg.DataLimitBytes
	e.ExtendedTypes = c.cfg.ExtendedTypes
	return e
}

func newDisk(e zkdb.Ensemble) *Disk {
	t := zkdb.NewDataTreeFor(e)
	return &Disk{snaps: []*Snapshot{{Zxid: 0, Tree: t, Bytes: t.ApproxBytes()}}}
}

// Bytes is the approximate size of the disk: its log and snapshots.
func (d *Disk) Bytes() int {
	n := d.logBytes
	for _, s := range d.snaps {
		n += s.Bytes
	}
	return n
}

// LastLoggedZxid is the zxid of the newest logged txn, or of the newest snapshot.
func (d *Disk) LastLoggedZxid() Zxid {
	z := d.newestSnap().Zxid
	if n := len(d.log); n > 0 && d.log[n-1].Zxid > z {
		return d.log[n-1].Zxid
	}
	return z
}

func (d *Disk) newestSnap() *Snapshot { return d.snaps[len(d.snaps)-1] }

// Append logs a txn. It refuses (returns false) a zxid not above the last logged one.
func (d *Disk) Append(t *zkdb.Txn) bool {
	if t.Zxid <= d.LastLoggedZxid() {
		return false
	}
	d.log = append(d.log, t)
	d.loggedSinceSnap++
	d.bytesSinceSnap += t.SizeBytes()
	d.logBytes += t.SizeBytes()
	return true
}

// SaveSnapshot stores a snapshot of tree (already cloned by the caller) and purges log entries
// and snapshots older than the kept window.
func (d *Disk) SaveSnapshot(s *Snapshot) {
	// A snapshot newer than the log (after SNAP or TRUNC) supersedes log entries above it only
	// if they are not in the tree; entries above s.Zxid stay (they are replayed on load).
	d.snaps = append(d.snaps, s)
	d.loggedSinceSnap, d.bytesSinceSnap = 0, 0
	for i := len(d.log) - 1; i >= 0; i-- {
		if d.log[i].Zxid <= s.Zxid {
			break
		}
		d.loggedSinceSnap++
		d.bytesSinceSnap += d.log[i].SizeBytes()
	}
	if len(d.snaps) > keptSnapshots {
		d.snaps = append([]*Snapshot(nil), d.snaps[len(d.snaps)-keptSnapshots:]...)
		d.purgeLog()
	}
}

func (d *Disk) purgeLog() {
	oldest := d.snaps[0].Zxid
	i := sort.Search(len(d.log), func(i int) bool { return d.log[i].Zxid > oldest })
	if i == 0 {
		return
	}
	for _, t := range d.log[:i] {
		d.logBytes -= t.SizeBytes()
	}
	d.log = append([]*zkdb.Txn(nil), d.log[i:]...)
}

// ReplaceWithSnapshot installs a leader's snapshot (SNAP sync): the local history is
// superseded; entries above the snapshot's zxid that this server logged are discarded too,
// since the snapshot is now the server's whole history.
func (d *Disk) ReplaceWithSnapshot(s *Snapshot) {
	d.snaps = []*Snapshot{s}
	d.log = nil
	d.logBytes = 0
	d.loggedSinceSnap, d.bytesSinceSnap = 0, 0
}

// TruncateTo drops every logged txn above z and every snapshot above z (ZooKeeper:
// FileTxnSnapLog.truncateLog). It fails when no kept snapshot is at or below z.
func (d *Disk) TruncateTo(z Zxid) bool {
	keep := 0
	for keep < len(d.snaps) && d.snaps[keep].Zxid <= z {
		keep++
	}
	if keep == 0 {
		return false
	}
	d.snaps = d.snaps[:keep]
	i := sort.Search(len(d.log), func(i int) bool { return d.log[i].Zxid > z })
	for _, t := range d.log[i:] {
		d.logBytes -= t.SizeBytes()
	}
	d.log = d.log[:i]
	d.loggedSinceSnap = 0
	for j := len(d.log) - 1; j >= 0 && d.log[j].Zxid > d.newestSnap().Zxid; j-- {
		d.loggedSinceSnap++
	}
	return true
}

// Load rebuilds the in-memory database: the newest snapshot plus every logged txn after it,
// committed or not (ZooKeeper: ZKDatabase.loadDataBase). It also returns the replayed txns.
func (d *Disk) Load() (*zkdb.DataTree, []*zkdb.Txn) {
	s := d.newestSnap()
	tree := s.Tree.Clone()
	tree.SetLastProcessedZxid(s.Zxid)
	replay := d.after(s.Zxid)
	for _, t := range replay {
		tree.Apply(t)
	}
	return tree, replay
}

// after returns the logged txns with zxid > z (shares the backing array; do not modify).
func (d *Disk) after(z Zxid) []*zkdb.Txn {
	i := sort.Search(len(d.log), func(i int) bool { return d.log[i].Zxid > z })
	return d.log[i:]
}

// TxnsAfter returns the logged txns from the one at or just below p onwards, so a leader can
// sync a learner from its txn log (ZKDatabase.getProposalsFromTxnLog). ok is false when the
// log does not reach back to p (its first entry is above p) or when the txns from p weigh
// more than limitBytes.
func (d *Disk) TxnsAfter(p Zxid, limitBytes int) ([]*zkdb.Txn, bool) {
	if len(d.log) == 0 || d.log[0].Zxid > p {
		return nil, false
	}
	i := sort.Search(len(d.log), func(i int) bool { return d.log[i].Zxid > p })
	if i > 0 {
		i-- // start at the entry at or just below p, as ZooKeeper's iterator does
	}
	out := d.log[i:]
	size := 0
	for _, t := range out {
		size += t.SizeBytes()
	}
	if size > limitBytes {
		return nil, false
	}
	return out, true
}

// SnapshotBytes is the size of the newest snapshot.
func (d *Disk) SnapshotBytes() int { return d.newestSnap().Bytes }

// SnapshotZxids lists the zxids of kept snapshots, oldest first.
func (d *Disk) SnapshotZxids() []Zxid {
	out := make([]Zxid, len(d.snaps))
	for i, s := range d.snaps {
		out[i] = s.Zxid
	}
	return out
}

// Log returns the kept txn log (read-only).
func (d *Disk) Log() []*zkdb.Txn { return d.log }
