package engine

// Scenario tests of how a leader syncs a follower that missed more than the committed log,
// as ZooKeeper 3.8 behaves (LearnerHandler.syncFollower → ZKDatabase.getProposalsFromTxnLog
// → FileTxnIterator.getStorageSize, FilePadding): DIFF from a single txn log file whatever
// it weighs, SNAP once later log files exist (a snapCount roll, a leader restart), and the
// snapshot a new leader takes as it starts leading.

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

// missedRun describes one experiment: a follower is down while missed txns are written.
type missedRun struct {
	missed        int  // txns written while the follower is down
	snapCount     int  // the servers' snapCount (100,000 is ZooKeeper's default)
	before        int  // 1 KB writes done before the follower goes down
	restartLeader bool // restart the leader while the follower is down, then write 10 more
}

// missedResult is how the follower was synced when it came back.
type missedResult struct {
	mode   SyncMode
	why    reason.Reason
	txns   int
	leader *Peer
	c      *Cluster
}

// writeMany writes n creates under prefix through cl, pipelined (a batch writer), and waits
// for every answer.
func writeMany(t *testing.T, c *Cluster, cl *Client, prefix string, n int, data []byte) {
	t.Helper()
	const batch = 200
	for done := 0; done < n; done += batch {
		k := min(batch, n-done)
		ops := make([]zkdb.Op, k)
		for i := range ops {
			ops[i] = zkdb.Op{Type: zkdb.OpCreate, Path: fmt.Sprintf("%s%d", prefix, done+i), Data: data, ACL: zkdb.OpenACL}
		}
		rs := submitAll(cl, ops)
		waitFor(t, c, 120*sec, fmt.Sprintf("%d writes to be answered", k), func() bool { return allAnswered(rs) })
		for i, r := range rs {
			if r.Err != zkdb.OK {
				t.Fatalf("create %s: %s", ops[i].Path, r.Err.Name())
			}
		}
	}
}

// runMissed plays a missedRun on 3 voters and returns the follower's sync.
func runMissed(t *testing.T, r missedRun) missedResult {
	t.Helper()
	c := newTestCluster(t, 3, 0, 11, func(cfg *Config) { cfg.SnapCount = r.snapCount })
	rec := record(c)
	c.Start()
	l := waitSettled(t, c, 10*sec)
	f := 1
	if f == l {
		f = 2
	}
	cl := c.NewClient(l, 30000)
	waitConnected(t, c, cl, 5*sec)
	if r.before > 0 {
		writeMany(t, c, cl, "/before", r.before, make([]byte, 1024))
	}
	waitSettled(t, c, 10*sec)
	if err := c.Crash(f); err != nil {
		t.Fatal(err)
	}
	writeMany(t, c, cl, "/missed", r.missed, []byte("x"))
	if r.restartLeader {
		if err := c.Crash(l); err != nil {
			t.Fatal(err)
		}
		if err := c.Restart(l); err != nil {
			t.Fatal(err)
		}
		l = waitLeader(t, c, 30*sec)
		cl = c.NewClient(l, 30000)
		waitConnected(t, c, cl, 10*sec)
		writeMany(t, c, cl, "/after", 10, []byte("y"))
	}
	n := len(rec.syncModes(f))
	if err := c.Restart(f); err != nil {
		t.Fatal(err)
	}
	waitSettled(t, c, 60*sec)
	modes := rec.syncModes(f)
	if len(modes) != n+1 {
		t.Fatalf("follower %d synced %d times after its restart, want once", f, len(modes)-n)
	}
	e := modes[n]
	assertNoViolations(t, c)
	if a, b := c.Peer(f).LastProcessedZxid(), c.Peer(c.Leader()).LastProcessedZxid(); a != b {
		t.Fatalf("follower at %s, leader at %s after the sync", a, b)
	}
	return missedResult{mode: e.Mode, why: e.Reason, txns: e.N, leader: c.Peer(c.Leader()), c: c}
}

// TestSyncDiffFromTxnLogWhenOneLogFile: a follower down while 600 txns are written (more than
// the 500 of the committed log) gets DIFF from the leader's txn log ("Use txnlog and
// committedLog"), also after 2,000 × 1 KB writes that make the log far heavier than a third
// of the newest snapshot: with one log file the size 3.8 compares is 0.
func TestSyncDiffFromTxnLogWhenOneLogFile(t *testing.T) {
	for _, r := range []missedRun{
		{missed: 600, snapCount: 100_000},
		{missed: 600, snapCount: 100_000, before: 2000},
	} {
		t.Run(fmt.Sprintf("before=%d", r.before), func(t *testing.T) {
			res := runMissed(t, r)
			if res.mode != SyncDiff || res.why.Code != reason.SyncDiffTxnLog {
				t.Fatalf("synced by %s (%s), want DIFF from the txn log", res.mode, res.why)
			}
			if res.txns != r.missed {
				t.Errorf("DIFF sent %d txns, want %d", res.txns, r.missed)
			}
			files, _ := res.leader.Disk().LogFiles()
			if len(files) != 1 {
				t.Errorf("leader has %d txn log files, want 1", len(files))
			}
			if r.before > 0 {
				log := 0
				for _, tx := range res.leader.Disk().Log() {
					log += tx.SizeBytes()
				}
				if limit := int(0.33 * float64(res.leader.Disk().SnapshotBytes())); log <= limit {
					t.Errorf("the log (%d bytes) should weigh more than the limit (%d bytes) here", log, limit)
				}
			}
			t.Logf("%s", res.why)
		})
	}
}

// TestSyncSnapWhenLaterTxnLogFiles: with snapCount 1000 the leader rolls its txn log while
// the follower is away; the file after the one holding the follower's zxid is preallocated
// to 64 MiB, more than 0.33 × the newest snapshot: SNAP, with the sizes in the reason.
func TestSyncSnapWhenLaterTxnLogFiles(t *testing.T) {
	res := runMissed(t, missedRun{missed: 1500, snapCount: 1000})
	if res.mode != SyncSnap || res.why.Code != reason.SyncSnapLaterLogs {
		t.Fatalf("synced by %s (%s), want SNAP for later log files", res.mode, res.why)
	}
	if files := res.why.N[0]; files < 1 {
		t.Errorf("reason counts %d later files", files)
	}
	if bytes, limit := res.why.N[1], res.why.N[2]; bytes < logPreAllocBytes+logHeaderBytes || bytes <= limit {
		t.Errorf("later files %d bytes, limit %d: want at least one preallocated file above the limit", bytes, limit)
	}
	t.Logf("%s", res.why)
}

// TestSyncSnapAfterLeaderRestartPreallocation: the leader restarts while the follower is
// away (no roll by count) and writes again: its new process started a new log file, 64 MiB
// preallocated — "Txnlog size: 67108880 exceeds sizeLimit: …" — so the follower gets SNAP.
func TestSyncSnapAfterLeaderRestartPreallocation(t *testing.T) {
	res := runMissed(t, missedRun{missed: 600, snapCount: 100_000, restartLeader: true})
	if res.mode != SyncSnap || res.why.Code != reason.SyncSnapLaterLogs {
		t.Fatalf("synced by %s (%s), want SNAP for later log files", res.mode, res.why)
	}
	if files, bytes := res.why.N[0], res.why.N[1]; files != 1 || bytes != logPreAllocBytes+logHeaderBytes {
		t.Errorf("reason: %d later files of %d bytes, want 1 of %d", files, bytes, logPreAllocBytes+logHeaderBytes)
	}
	want := "SNAP: 1 later txn log file(s), 67 MB > limit"
	if s := res.why.String(); !strings.HasPrefix(s, want) {
		t.Errorf("reason %q, want it to start %q", s, want)
	}
	t.Logf("%s", res.why)
}

// TestNewLeaderTakesSnapshot: Leader.lead → ZooKeeperServer.loadData → takeSnapshot
// ("Snapshotting: 0x…"): a new leader snapshots its database, logged txns included, before
// discovery; the snapshot does not roll the txn log.
func TestNewLeaderTakesSnapshot(t *testing.T) {
	c := newTestCluster(t, 3, 0, 5)
	rec := record(c)
	c.Start()
	l := waitSettled(t, c, 10*sec)
	cl := c.NewClient(l, 30000)
	waitConnected(t, c, cl, 5*sec)
	writeMany(t, c, cl, "/n", 20, []byte("v"))
	waitSettled(t, c, 10*sec)
	last := c.Peer(l).LastProcessedZxid()
	if err := c.Crash(l); err != nil {
		t.Fatal(err)
	}
	nl := waitLeader(t, c, 30*sec)
	p := c.Peer(nl)
	snaps := p.Disk().SnapshotZxids()
	if got := snaps[len(snaps)-1]; got != last {
		t.Fatalf("new leader %d's newest snapshot is at %s, want %s (snapshots %v)", nl, got, last, snaps)
	}
	var found bool
	for _, e := range rec.filter(func(e *Event) bool { return e.Kind == EvSnapshot && e.Node == nl }) {
		if e.Reason.Code == reason.SnapNewLeader && e.Zxid == last {
			found = true
		}
	}
	if !found {
		t.Errorf("no snap.newLeader event at %s from server %d", last, nl)
	}
	if files, _ := p.Disk().LogFiles(); len(files) != 1 {
		t.Errorf("the new leader's snapshot rolled the log: %d files", len(files))
	}
	assertNoViolations(t, c)
}

// TestCommitLogCountAtLeast500: ZooKeeper 3.8 raises a commitLogCount below 500 to 500
// (ZKDatabase); so does a cluster, unless its config asks for the short committed log of
// tests and check sweeps.
func TestCommitLogCountAtLeast500(t *testing.T) {
	for _, r := range []struct {
		set   int
		short bool
		want  int
	}{{5, false, 500}, {499, false, 500}, {500, false, 500}, {800, false, 800}, {5, true, 5}} {
		cfg := DefaultConfig(3, 0, 1)
		cfg.CommitLogCount, cfg.ShortCommitLog = r.set, r.short
		c, err := NewCluster(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Config().CommitLogCount; got != r.want {
			t.Errorf("commitLogCount %d (short %v) became %d, want %d", r.set, r.short, got, r.want)
		}
		if got := c.RunFile().Config.CommitLogCount; got != r.want {
			t.Errorf("run file records commitLogCount %d, want %d", got, r.want)
		}
	}
}

// TestTxnLogFilesPreallocation: a txn log file is 16 bytes of header preallocated to 64 MiB
// at its first append (FilePadding), grows by 64 MiB within 4 KiB of its end, starts anew
// after a roll, and is cut to its written length by a truncation; ReadTxnLog sums only the
// files after the one it reads first.
func TestTxnLogFilesPreallocation(t *testing.T) {
	d := newDisk(zkdb.Ensemble{})
	txn := func(z Zxid, data int) *zkdb.Txn {
		return &zkdb.Txn{Zxid: z, Op: zkdb.Op{Type: zkdb.OpCreate, Path: fmt.Sprintf("/%d", z), Data: make([]byte, data), ACL: zkdb.OpenACL}}
	}
	d.Append(txn(mz(1, 1), 10))
	if _, size := d.LogFiles(); len(size) != 1 || size[0] != 67108880 {
		t.Fatalf("after one append: file sizes %v, want [67108880]", size)
	}
	// 65 MiB of 1 MiB txns: a write runs past the preallocated end, so the file grows to the
	// next multiple of 64 MiB past the position.
	for i := uint32(2); i <= 66; i++ {
		d.Append(txn(mz(1, i), 1<<20))
	}
	if _, size := d.LogFiles(); size[0] != 2*logPreAllocBytes {
		t.Errorf("after 65 MiB: size %d, want %d", size[0], 2*logPreAllocBytes)
	}
	d.RollLog()
	for i := uint32(67); i <= 70; i++ {
		d.Append(txn(mz(1, i), 10))
	}
	first, size := d.LogFiles()
	if len(first) != 2 || first[1] != mz(1, 67) || size[1] != 67108880 {
		t.Fatalf("after a roll: files %v sizes %v", first, size)
	}
	for _, r := range []struct {
		p          Zxid
		start      Zxid
		later      int
		laterBytes int64
	}{
		{mz(1, 5), mz(1, 1), 1, 67108880},  // inside the first file: the second one counts
		{mz(1, 67), mz(1, 1), 1, 67108880}, // a file named P: reading starts one file earlier
		{mz(1, 68), mz(1, 67), 0, 0},       // inside the last file: nothing counts
	} {
		rd := d.ReadTxnLog(r.p)
		if rd.Txns[0].Zxid != r.start || rd.LaterFiles != r.later || rd.LaterBytes != r.laterBytes {
			t.Errorf("ReadTxnLog(%s): from %s, %d later files (%d bytes); want from %s, %d (%d)",
				r.p, rd.Txns[0].Zxid, rd.LaterFiles, rd.LaterBytes, r.start, r.later, r.laterBytes)
		}
	}
	d.SaveSnapshot(&Snapshot{Zxid: mz(1, 3), Tree: zkdb.NewDataTree(), Bytes: 100})
	if !d.TruncateTo(mz(1, 3)) {
		t.Fatal("TruncateTo failed")
	}
	first, size = d.LogFiles()
	want := int64(16)
	for _, tx := range d.Log() {
		want += logEntryBytes(tx)
	}
	if len(first) != 1 || size[0] != want {
		t.Errorf("after TRUNC: files %v sizes %v, want one file of %d bytes", first, size, want)
	}
}

// TestMeasureSyncModes prints the sync mode a follower gets after missing 10, 600 or 5,000
// txns, with and without a roll of the leader's txn log, and after a leader restart. It is a
// measurement, not a check: run it with ZABLAB_MEASURE=1 go test -run TestMeasureSyncModes -v ./engine/
func TestMeasureSyncModes(t *testing.T) {
	if os.Getenv("ZABLAB_MEASURE") == "" {
		t.Skip("set ZABLAB_MEASURE=1 to measure")
	}
	for _, n := range []int{10, 600, 5000} {
		for _, v := range []struct {
			name string
			run  missedRun
		}{
			{"no roll (snapCount 100000)", missedRun{missed: n, snapCount: 100_000}},
			{"2,000 × 1 KB before, no roll", missedRun{missed: n, snapCount: 100_000, before: 2000}},
			{fmt.Sprintf("roll (snapCount %d)", max(2, n/2)), missedRun{missed: n, snapCount: max(2, n/2)}},
			{"leader restart, no roll", missedRun{missed: n, snapCount: 100_000, restartLeader: true}},
		} {
			res := runMissed(t, v.run)
			t.Logf("missed %5d, %-32s → %s (%d txns): %s", n, v.name, res.mode, res.txns, res.why)
		}
	}
}

// TestTxnTimeoutNotDuringSync: the leader's txn timeout (SyncLimitCheck) starts only when the
// learner acked NEWLEADER; the PROPOSALs of a long DIFF stream, which the learner acks only
// after UPTODATE, do not count. With the watch timing's send gap a 600-txn DIFF takes longer
// than syncLimit, and the follower still completes it.
func TestTxnTimeoutNotDuringSync(t *testing.T) {
	c := newTestCluster(t, 3, 0, 7, func(cfg *Config) { cfg.Timing = WatchTiming() })
	rec := record(c)
	c.Start()
	l := waitSettled(t, c, 60*sec)
	cl := c.NewClient(l, 30000)
	waitConnected(t, c, cl, 5*sec)
	f := 1 + l%3
	c.Crash(f)
	writeMany(t, c, cl, "/m", 600, []byte("x"))
	c.Restart(f)
	start := c.Now()
	waitSettled(t, c, 120*sec)
	if took := c.Now() - start; took < c.msUs(c.cfg.Timing.SyncLimit*c.cfg.Timing.TickTimeMs) {
		t.Errorf("the sync took %d ms, less than syncLimit: the test shows nothing", took/1000)
	}
	for _, e := range rec.evs {
		if e.Kind == EvConn && e.Reason.Code == reason.ConnTxnTimeout {
			t.Fatalf("%s: %s", e.Kind, e.Reason)
		}
	}
	assertNoViolations(t, c)
}
