package engine

import (
	"fmt"
	"sort"
)

// Limits on what one cluster may hold.
const (
	MaxVoters    = 9
	MaxObservers = 4
	// MaxDataBytes is ZooKeeper's default jute.maxbuffer: the largest znode payload.
	MaxDataBytes = 1 << 20
	// DefaultDataLimit is a room's data budget unless configured.
	DefaultDataLimit = 64 << 20
)

// Timing holds ZooKeeper's timing knobs plus the simulated network's latency. Times are in
// simulated milliseconds, except LinkLatencyUs and LinkJitterUs, which are microseconds so a
// LAN-like latency under one millisecond can be expressed.
type Timing struct {
	TickTimeMs     int64 `json:"tickTime"`
	InitLimit      int64 `json:"initLimit"`
	SyncLimit      int64 `json:"syncLimit"`
	FinalizeWaitMs int64 `json:"finalizeWait"`
	LinkLatencyUs  int64 `json:"linkLatencyUs"`
	LinkJitterUs   int64 `json:"linkJitterUs"`
	// SendGapUs is the time a leader's sender needs per packet on one learner link; while it
	// is busy later packets wait in that learner's queue, which makes the queue visible.
	SendGapUs int64 `json:"sendGapUs"`
	// Costs of a real server's work that show in a leader change (ZooKeeper profile; 0 in the
	// others): FsyncUs, each durable write of an epoch file or a snapshot, delays the
	// writer's next packets; ElectionStartUs bounds the seeded time a server needs to notice a
	// lost leader and shut its role down before its first notification; LeaderStartUs is a new
	// leader's set-up and snapshot before it accepts learners (earlier ones are refused and
	// retry after 100 ms, as Learner.connectToLeader does); ServeStartUs is the leader starting
	// its request pipeline once a quorum acked NEWLEADER, before UPTODATE.
	FsyncUs         int64 `json:"fsyncUs,omitempty"`
	ElectionStartUs int64 `json:"electionStartUs,omitempty"`
	LeaderStartUs   int64 `json:"leaderStartUs,omitempty"`
	ServeStartUs    int64 `json:"serveStartUs,omitempty"`
	// StartSkewMs spreads the servers of one start command over up to this many ms (seeded),
	// as real servers launched together come up hundreds of ms apart (0: all at once).
	StartSkewMs int64  `json:"startSkewMs,omitempty"`
	Name        string `json:"name"`
}

// WatchTiming is the default: slowed down so that a person can follow each message.
func WatchTiming() Timing {
	return Timing{TickTimeMs: 2000, InitLimit: 10, SyncLimit: 5, FinalizeWaitMs: 200,
		LinkLatencyUs: 120_000, LinkJitterUs: 30_000, SendGapUs: 15_000, Name: "watch"}
}

// ZooKeeperTiming is ZooKeeper's sample configuration (tickTime 2000, initLimit 10,
// syncLimit 5) with LAN-like latency, so simulated times compare with a real ensemble's.
func ZooKeeperTiming() Timing {
	return Timing{TickTimeMs: 2000, InitLimit: 10, SyncLimit: 5, FinalizeWaitMs: 200,
		LinkLatencyUs: 200, LinkJitterUs: 100, SendGapUs: 0, StartSkewMs: zkStartSkewMs,
		FsyncUs: 2_000, ElectionStartUs: 150_000, LeaderStartUs: 40_000, ServeStartUs: 60_000, Name: "zookeeper"}
}

// zkStartSkewMs is the ZooKeeper profile's start-up spread.
const zkStartSkewMs = 700

// FastTiming is for tests, `zablab check` and benchmarks: short ticks, quick links.
func FastTiming() Timing {
	return Timing{TickTimeMs: 100, InitLimit: 10, SyncLimit: 5, FinalizeWaitMs: 20,
		LinkLatencyUs: 1_000, LinkJitterUs: 500, SendGapUs: 0, Name: "fast"}
}

// TimingByName returns a named timing profile.
func TimingByName(name string) (Timing, error) {
	switch name {
	case "", "watch", "default":
		return WatchTiming(), nil
	case "zookeeper":
		return ZooKeeperTiming(), nil
	case "fast":
		return FastTiming(), nil
	}
	return Timing{}, fmt.Errorf("unknown timing %q (want watch, zookeeper or fast)", name)
}

// Validate checks the knobs are usable.
func (t Timing) Validate() error {
	switch {
	case t.TickTimeMs < 10 || t.TickTimeMs > 60_000:
		return fmt.Errorf("tickTime %d ms out of range [10, 60000]", t.TickTimeMs)
	case t.InitLimit < 1 || t.InitLimit > 100:
		return fmt.Errorf("initLimit %d out of range [1, 100]", t.InitLimit)
	case t.SyncLimit < 1 || t.SyncLimit > 100:
		return fmt.Errorf("syncLimit %d out of range [1, 100]", t.SyncLimit)
	case t.FinalizeWaitMs < 1 || t.FinalizeWaitMs > 10_000:
		return fmt.Errorf("finalizeWait %d ms out of range [1, 10000]", t.FinalizeWaitMs)
	case t.LinkLatencyUs < 0 || t.LinkLatencyUs > 10_000_000:
		return fmt.Errorf("link latency %d µs out of range [0, 10 s]", t.LinkLatencyUs)
	case t.LinkJitterUs < 0 || t.LinkJitterUs > t.LinkLatencyUs+1_000_000:
		return fmt.Errorf("link jitter %d µs out of range", t.LinkJitterUs)
	case t.SendGapUs < 0 || t.SendGapUs > 1_000_000:
		return fmt.Errorf("send gap %d µs out of range [0, 1 s]", t.SendGapUs)
	case t.FsyncUs < 0 || t.FsyncUs > 1_000_000 || t.ElectionStartUs < 0 || t.ElectionStartUs > 10_000_000 ||
		t.LeaderStartUs < 0 || t.LeaderStartUs > 10_000_000 || t.ServeStartUs < 0 || t.ServeStartUs > 10_000_000:
		return fmt.Errorf("fsync, election start, leader start and serve start costs must be in [0, 1 s] / [0, 10 s]")
	case t.StartSkewMs < 0 || t.StartSkewMs > 10_000:
		return fmt.Errorf("start skew %d ms out of range [0, 10000]", t.StartSkewMs)
	}
	return nil
}

// Bug names a deliberately broken protocol variant used for teaching.
type Bug string

// The teaching variants. All are off by default.
const (
	BugNone Bug = ""
	// BugCommitWithoutQuorum: the leader commits a proposal on its own ack.
	BugCommitWithoutQuorum Bug = "commit-without-quorum"
	// BugSkipTruncate: a rejoining server ignores TRUNC and keeps proposals the new leader never had.
	BugSkipTruncate Bug = "skip-truncate"
	// BugElectByMyid: votes compare server ids only, ignoring epochs and zxids.
	BugElectByMyid Bug = "elect-by-myid"
)

// Bugs lists the teaching variants in a stable order.
func Bugs() []Bug { return []Bug{BugCommitWithoutQuorum, BugSkipTruncate, BugElectByMyid} }

// ParseBug validates a bug name.
func ParseBug(s string) (Bug, error) {
	if s == "" || s == "none" {
		return BugNone, nil
	}
	for _, b := range Bugs() {
		if string(b) == s {
			return b, nil
		}
	}
	names := make([]string, 0, 3)
	for _, b := range Bugs() {
		names = append(names, string(b))
	}
	sort.Strings(names)
	return BugNone, fmt.Errorf("unknown bug %q (want one of %v)", s, names)
}

// Config describes a cluster.
type Config struct {
	Voters    int    `json:"voters"`
	Observers int    `json:"observers"`
	Seed      int64  `json:"seed"`
	Timing    Timing `json:"timing"`
	Bug       Bug    `json:"bug,omitempty"`
	// CommitLogCount is ZooKeeper's commitLogCount: committed proposals kept in memory for
	// DIFF. Below MinCommitLogCount it is raised to it, as ZooKeeper 3.8 does, unless
	// ShortCommitLog is set.
	CommitLogCount int `json:"commitLogCount"`
	// ShortCommitLog keeps a CommitLogCount below 500: a shortcut for tests and the checker's
	// sweeps, so that a server falls out of the committed log after a few writes. ZooKeeper
	// 3.8 has no such setting (ZKDatabase raises the value to 500 and logs a warning), so
	// lessons never use it.
	ShortCommitLog bool `json:"shortCommitLog,omitempty"`
	// SnapCount: after this many logged txns a server rolls its txn log (the next txn starts
	// a new log file) and snapshots its tree.
	SnapCount int `json:"snapCount"`
	// SnapshotSizeFactor is ZooKeeper's snapshotSizeFactor (negative turns txn-log sync off).
	SnapshotSizeFactor float64 `json:"snapshotSizeFactor"`
	// ClientPortBase, when positive, is the client port base of the servers (server N
	// listens on base+N); /zookeeper/config then lists the client ports as a dynamic
	// configuration does. Zero leaves them out, as a static configuration does.
	ClientPortBase int `json:"clientPortBase,omitempty"`
	// DataLimitBytes is the room's data budget (0: none): the bytes of paths and data a
	// server's tree may hold (more: QUOTAEXCEEDED), and the log is rolled by size so that it
	// stays within a few budgets.
	DataLimitBytes int `json:"dataLimitBytes,omitempty"`
	// EpochMs is the wall-clock time (Unix ms) that simulated time 0 stands for: znodes'
	// ctime and mtime are EpochMs plus the leader's simulated clock, so clients see dates
	// like ZooKeeper's, and a replay (the run file keeps it) gives the same ones.
	EpochMs int64 `json:"epochMs,omitempty"`
	// StartCounter, when non-zero, makes the first leader start proposing at this zxid counter
	// (tests of counter rollover use 0xfffffffc, as ZxidRolloverTest does).
	StartCounter uint32 `json:"startCounter,omitempty"`
	// ExtendedTypes is ZooKeeper's zookeeper.extendedTypesEnabled: TTL nodes may be created
	// (without it a TTL create is UNIMPLEMENTED).
	ExtendedTypes bool `json:"extendedTypes,omitempty"`
	// ContainerCheckIntervalMs is ZooKeeper's znode.container.checkIntervalMs: how often the
	// leader's ContainerManager deletes empty containers and expired TTL nodes (0: 60000).
	ContainerCheckIntervalMs int64 `json:"containerCheckIntervalMs,omitempty"`
	// ReadOnlyMode is ZooKeeper's readonlymode.enabled: a server that has been LOOKING for
	// max(2000 ms, tickTime) serves reads to clients that connect read-only, refuses their
	// writes with NOTREADONLY, until it leaves LOOKING (ReadOnlyZooKeeperServer).
	ReadOnlyMode bool `json:"readOnlyMode,omitempty"`
	// LocalSessions is ZooKeeper's localSessionsEnabled, as far as read-only mode needs it: a
	// read-only server gives a new session a local one (without it, 3.8's read-only server
	// answers createSession with NOTREADONLY and new clients cannot connect). zablab models
	// local sessions only there: elsewhere every session is global, as with the default.
	LocalSessions bool `json:"localSessions,omitempty"`
}

// DefaultContainerCheckIntervalMs is ZooKeeper's default znode.container.checkIntervalMs.
const DefaultContainerCheckIntervalMs = 60_000

// containerCheckMs is the container check interval in force.
func (c Config) containerCheckMs() int64 {
	if c.ContainerCheckIntervalMs > 0 {
		return c.ContainerCheckIntervalMs
	}
	return DefaultContainerCheckIntervalMs
}

// MinCommitLogCount is ZooKeeper's default and smallest commitLogCount.
const MinCommitLogCount = 500

// withZooKeeperMinimums raises settings ZooKeeper would not accept as given, as it does:
// a commitLogCount below 500 becomes 500 (ZKDatabase: "The configured commitLogCount … is
// less than the recommended 500, going to use the recommended one"), unless the config asks
// for the short committed log of tests.
func (c Config) withZooKeeperMinimums() Config {
	if c.CommitLogCount < MinCommitLogCount && !c.ShortCommitLog {
		c.CommitLogCount = MinCommitLogCount
	}
	return c
}

// DefaultConfig returns a config for n voters with ZooKeeper's defaults and the watch timing.
func DefaultConfig(voters, observers int, seed int64) Config {
	return Config{Voters: voters, Observers: observers, Seed: seed, Timing: WatchTiming(),
		CommitLogCount: 500, SnapCount: 1000, SnapshotSizeFactor: 0.33, DataLimitBytes: DefaultDataLimit}
}

// Validate checks a config.
func (c Config) Validate() error {
	if c.Voters < 1 || c.Voters > MaxVoters {
		return fmt.Errorf("nodes %d out of range [1, %d]", c.Voters, MaxVoters)
	}
	if c.Observers < 0 || c.Observers > MaxObservers {
		return fmt.Errorf("observers %d out of range [0, %d]", c.Observers, MaxObservers)
	}
	if c.CommitLogCount < 1 || c.SnapCount < 2 {
		return fmt.Errorf("commitLogCount and snapCount must be positive")
	}
	if c.EpochMs < 0 || c.EpochMs > 1<<50 {
		return fmt.Errorf("epochMs %d out of range", c.EpochMs)
	}
	if c.ContainerCheckIntervalMs < 0 || c.ContainerCheckIntervalMs > 86_400_000 {
		return fmt.Errorf("container check interval %d ms out of range [0, 1 day]", c.ContainerCheckIntervalMs)
	}
	if c.DataLimitBytes < 0 || c.DataLimitBytes > 1<<32 {
		return fmt.Errorf("data limit %d bytes out of range [0, 4 GiB]", c.DataLimitBytes)
	}
	if _, err := ParseBug(string(c.Bug)); err != nil {
		return err
	}
	return c.Timing.Validate()
}
