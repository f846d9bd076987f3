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
	// log holds the txns of the kept log files, in strictly increasing zxid order. Entries
	// after the newest snapshot are what a restart replays.
	log []*zkdb.Txn
	// loggedSinceRoll counts appends since the last roll or start (ZKDatabase.txnCount).
	loggedSinceRoll int
	// logBytes is the approximate size of the whole log; bytesSinceRoll of what was appended
	// since the last roll or start.
	logBytes       int
	bytesSinceRoll int
	// files splits log into ZooKeeper's txn log files, oldest first: file i holds the
	// entries from files[i].First up to files[i+1].First.
	files []logFile
	// open says a log file is open for appends (FileTxnLog.logStream != nil): false after a
	// start, a roll or a truncation, so the next append starts a new file.
	open bool
}

// logFile is one txn log file, named log.<zxid of its first txn> (FileTxnLog). ZooKeeper
// starts a new one at the first append after the server starts, after a roll (when
// SyncRequestProcessor takes a snapshot) and after a truncation.
type logFile struct {
	First Zxid
	// written is the bytes written: the file header and every entry.
	written int64
	// size is the file's length on disk: FilePadding preallocates it ahead of the writes.
	size int64
}

// ZooKeeper's txn log file layout (FileTxnLog, FilePadding): a 16-byte header (magic,
// version, dbid); per entry a CRC (8), the length (4), the txn bytes and an end-of-record
// byte; the file grows in preallocated steps of 64 MiB (zookeeper.preAllocSize).
const (
	logHeaderBytes   = 16
	logPreAllocBytes = 64 << 20
)

// logEntryBytes is what one txn takes in a log file.
func logEntryBytes(t *zkdb.Txn) int64 { return int64(8 + 4 + t.SizeBytes() + 1) }

// paddedSize is FilePadding.calculateFileSizeWithPadding: before each append, a file within
// 4 KiB of its preallocated end grows by another preAllocSize.
func paddedSize(position, size int64) int64 {
	if position+4096 >= size {
		if position > size {
			size = position + logPreAllocBytes
			size -= size % logPreAllocBytes
		} else {
			size += logPreAllocBytes
		}
	}
	return size
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
	if !d.open || len(d.files) == 0 {
		d.files = append(d.files, logFile{First: t.Zxid, written: logHeaderBytes, size: logHeaderBytes})
		d.open = true
	}
	f := &d.files[len(d.files)-1]
	f.size = paddedSize(f.written, f.size)
	f.written += logEntryBytes(t)
	d.log = append(d.log, t)
	d.loggedSinceRoll++
	d.bytesSinceRoll += t.SizeBytes()
	d.logBytes += t.SizeBytes()
	return true
}

// SaveSnapshot stores a snapshot of tree (already cloned by the caller) and purges log entries
// and snapshots older than the kept window.
func (d *Disk) SaveSnapshot(s *Snapshot) {
	// A snapshot newer than the log (after SNAP or TRUNC) supersedes log entries above it only
	// if they are not in the tree; entries above s.Zxid stay (they are replayed on load).
	if n := len(d.snaps); d.snaps[n-1].Zxid == s.Zxid {
		d.snaps[n-1] = s // the same file name, snapshot.<zxid>: overwritten
		return
	}
	d.snaps = append(d.snaps, s)
	if len(d.snaps) > keptSnapshots {
		d.snaps = append([]*Snapshot(nil), d.snaps[len(d.snaps)-keptSnapshots:]...)
		d.purgeLog()
	}
}

// RollLog closes the open log file, so the next append starts a new one, and restarts the
// count toward snapCount (ZKDatabase.rollLog; a restart amounts to the same).
func (d *Disk) RollLog() {
	d.open = false
	d.loggedSinceRoll, d.bytesSinceRoll = 0, 0
}

// purgeLog drops whole log files whose txns are all covered by the oldest kept snapshot
// (as PurgeTxnLog keeps every file that may hold a txn after it); the newest file stays.
func (d *Disk) purgeLog() {
	oldest := d.snaps[0].Zxid
	i, k := 0, 0
	for k+1 < len(d.files) {
		next := d.fileStart(k + 1)
		if next == 0 || d.log[next-1].Zxid > oldest {
			break
		}
		i = next
		k++
	}
	if k == 0 {
		return
	}
	for _, t := range d.log[:i] {
		d.logBytes -= t.SizeBytes()
	}
	d.log = append([]*zkdb.Txn(nil), d.log[i:]...)
	d.files = append([]logFile(nil), d.files[k:]...)
}

// fileStart is the index in log of file k's first txn.
func (d *Disk) fileStart(k int) int {
	first := d.files[k].First
	return sort.Search(len(d.log), func(i int) bool { return d.log[i].Zxid >= first })
}

// ReplaceWithSnapshot installs a leader's snapshot (SNAP sync): the local history is
// superseded; entries above the snapshot's zxid that this server logged are discarded too,
// since the snapshot is now the server's whole history.
func (d *Disk) ReplaceWithSnapshot(s *Snapshot) {
	d.snaps = []*Snapshot{s}
	d.log = nil
	d.files = nil
	d.open = false
	d.logBytes = 0
	d.loggedSinceRoll, d.bytesSinceRoll = 0, 0
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
	d.truncateFiles(z)
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

// truncateFiles is FileTxnLog.truncate: the file holding z is cut just after z (its
// preallocation goes), later files are deleted, and the log is closed (the next append
// starts a new file).
func (d *Disk) truncateFiles(z Zxid) {
	k := len(d.files)
	for k > 0 && d.files[k-1].First > z {
		k--
	}
	d.files = d.files[:k]
	if k > 0 {
		f := &d.files[k-1]
		f.written = logHeaderBytes
		for _, t := range d.log[d.fileStart(k-1):] {
			f.written += logEntryBytes(t)
		}
		f.size = f.written
	}
	d.open = false
}

// TxnLogRead is what the txn log offers from a zxid P, as ZooKeeper 3.8 reads it
// (FileTxnSnapLog.readTxnLog(P, false) → FileTxnIterator): the files named at or after P
// plus the newest one named before P; reading starts at the first txn of the oldest of them.
type TxnLogRead struct {
	// Txns runs from the first txn of the file read first to the end of the log.
	Txns []*zkdb.Txn
	// LaterFiles and LaterBytes are the files after the one read first and their length on
	// disk: FileTxnIterator.getStorageSize() sums only these, because init() has already
	// taken the file it reads first off the list it sums.
	LaterFiles int
	LaterBytes int64
}

// ReadTxnLog reads the txn log from p (see TxnLogRead).
func (d *Disk) ReadTxnLog(p Zxid) TxnLogRead {
	k := len(d.files)
	for k > 0 && d.files[k-1].First >= p {
		k--
	}
	if k > 0 {
		k-- // the newest file named before p
	}
	if k >= len(d.files) {
		return TxnLogRead{}
	}
	r := TxnLogRead{Txns: d.log[d.fileStart(k):], LaterFiles: len(d.files) - k - 1}
	for _, f := range d.files[k+1:] {
		r.LaterBytes += f.size
	}
	return r
}

// LogFiles lists the txn log files: their first zxid and their length on disk.
func (d *Disk) LogFiles() (first []Zxid, size []int64) {
	for _, f := range d.files {
		first = append(first, f.First)
		size = append(size, f.size)
	}
	return first, size
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
