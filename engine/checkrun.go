package engine

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

// CheckOptions describes one randomized fault-schedule run (`zablab check`).
type CheckOptions struct {
	Voters    int
	Observers int
	Seed      int64
	Bug       Bug
	// FaultMs is how long faults are injected; then everything heals and the run settles.
	FaultMs int64
	Clients int
	// OnEvent, when set, sees every event of the run (tests and tools).
	OnEvent func(*Event)
}

// RunResult is the outcome of one run.
type RunResult struct {
	Seed       int64
	Voters     int
	Observers  int
	Violations []Violation
	Count      int
	Committed  int
	Digest     uint64
	Events     uint64
	Schedule   []string
	// Run is the run as data: replaying it gives the same digest.
	Run *RunFile
	// Unknown: porcupine could not decide linearizability in time. Not a pass, not a violation.
	Unknown bool
	// Known lists outcomes that are real ZooKeeper behaviour, not violations: StaleSyncRead,
	// a sync()+read answered for an old leader inside its step-down window (ZOOKEEPER-1675).
	Known []Violation
}

// StaleSyncRead names the known ZooKeeper window in which sync()+read is not linearizable.
const StaleSyncRead = "StaleSyncRead (known ZooKeeper window)"

// RunCheck runs one randomized schedule of crashes, restarts, partitions (symmetric and
// one-way), heals and client writes with the invariant checker on, then heals everything,
// lets the cluster settle and checks convergence, acknowledged writes and linearizability.
func RunCheck(o CheckOptions) RunResult {
	if o.FaultMs == 0 {
		o.FaultMs = 6000
	}
	if o.Clients == 0 {
		o.Clients = 3
	}
	cfg := DefaultConfig(o.Voters, o.Observers, o.Seed)
	cfg.Timing = FastTiming()
	cfg.Bug = o.Bug
	cfg.CommitLogCount, cfg.ShortCommitLog = 40, true // every sync mode within a few writes
	cfg.SnapCount = 60
	c, err := NewCluster(cfg)
	if err != nil {
		return RunResult{Seed: o.Seed, Violations: []Violation{{Invariant: "Config", Detail: reason.Text(reason.VConfig, err.Error())}}, Count: 1}
	}
	if o.OnEvent != nil {
		c.OnEvent(o.OnEvent)
	}
	sched := rand.New(newStream(o.Seed, "faults"))
	res := RunResult{Seed: o.Seed, Voters: o.Voters, Observers: o.Observers}
	c.Start()
	w := newWorkload(c, o.Clients, sched)
	w.start()
	faultEnd := c.msUs(o.FaultMs)
	for t := c.msUs(300 + sched.Int64N(400)); t < faultEnd; t += c.msUs(150 + sched.Int64N(700)) {
		desc, fn := randomFault(c, sched)
		res.Schedule = append(res.Schedule, fmt.Sprintf("t=%dms %s", t/1000, desc))
		c.At(t, fn)
		if sched.IntN(6) == 0 {
			t += c.msUs(6000) // a quiet spell: the liveness monitor gets its chance
		}
	}
	c.Apply(Command{Kind: CmdLiveness, On: boolp(true)})
	c.RunUntil(faultEnd)
	// Heal: links up, every server running, clients stop; then settle. Every other run
	// restarts the whole ensemble at that moment (acked writes must survive a full restart).
	c.Heal()
	full := sched.IntN(2) == 0
	var zs []string
	for _, p := range c.peers[1:] {
		zs = append(zs, fmt.Sprintf("%d:%s:%s", p.id, p.state, p.LastLoggedZxid()))
	}
	res.Schedule = append(res.Schedule, fmt.Sprintf("t=%dms heal; servers %v; full restart: %v", c.now/1000, zs, full))
	for id := 1; id <= c.Size(); id++ {
		if full && c.peers[id].state != Down {
			c.Crash(id)
		}
	}
	for id := 1; id <= c.Size(); id++ {
		if c.peers[id].state == Down {
			c.Restart(id)
		}
	}
	w.stop()
	c.Apply(Command{Kind: CmdLiveness, On: boolp(false)})
	window := c.settleWindowUs()
	settled := c.RunUntilCond(window, func() bool { return c.Converged() })
	c.checker.CheckConverged(settled, window)
	res.Unknown, res.Known = w.checkLinearizable()
	res.Violations = c.checker.Violations()
	res.Count = c.checker.Count()
	res.Committed = c.checker.Committed()
	res.Digest = c.Digest()
	res.Events = c.stats.Events
	res.Run = c.RunFile()
	return res
}

// electionBackoffUs is the longest a LOOKING server may now stay silent: its notification
// timeout, which doubles on every silent round up to 60 s (FastLeaderElection's
// maxNotificationInterval). After a long partition a server may wait that long before it
// asks again who leads. Worse, every notification it receives restarts that wait, and a
// server whose vote is better than the one it receives in the same round does not answer
// it: so the server with the best vote may only speak after a second such interval, once
// the others' own (doubling) intervals leave it a silent gap. The windows allow twice it.
func (c *Cluster) electionBackoffUs() int64 {
	var ms int64
	for _, p := range c.peers[1:] {
		if p.state == Looking && p.el.notTimeoutMs > ms {
			ms = p.el.notTimeoutMs
		}
	}
	return c.msUs(ms)
}

// settleWindowUs is how long the cluster may take to settle after healing, derived from the
// timing in force: the election back-off of the servers still looking, then 20 initLimits
// (time-outs of dead connections and leaders, elections, connection retries, syncs).
func (c *Cluster) settleWindowUs() int64 {
	t := c.cfg.Timing
	return 2*c.electionBackoffUs() + c.msUs(20*t.InitLimit*t.TickTimeMs)
}

// livenessMonitor reports a cluster that stays leaderless although a quorum of voters has
// been up and fully connected for longer than four initLimits plus a second (an election
// may legitimately wait out an initLimit or two for a leader it cannot reach) plus
// twice the longest election back-off in force meanwhile (see electionBackoffUs). It looks
// at the cluster once per tick of simulated time, lazily: before the first event after each
// tick boundary, so it needs no events of its own and replays identically.
type livenessMonitor struct {
	c            *Cluster
	healthySince int64
	backoffUs    int64 // the longest election back-off seen since healthySince
	leaderSeen   int64
	reported     bool
	limitUs      int64
	everyUs      int64
	next         int64
}

func newLivenessMonitor(c *Cluster) *livenessMonitor {
	t := c.cfg.Timing
	return &livenessMonitor{c: c, healthySince: -1, limitUs: c.msUs(4*t.InitLimit*t.TickTimeMs + 1000),
		everyUs: c.msUs(t.TickTimeMs), next: c.now + c.msUs(t.TickTimeMs)}
}

// setLiveness turns the monitor on or off (the checker.liveness command).
func (c *Cluster) setLiveness(on bool) {
	if !on {
		c.liveness = nil
		return
	}
	if c.liveness == nil {
		c.liveness = newLivenessMonitor(c)
	}
}

// catchUp runs the checks of every tick boundary before simulated time t.
func (m *livenessMonitor) catchUp(t int64) {
	c := m.c
	saved := c.now
	for m.next < t && c.liveness == m {
		c.now = m.next
		m.check()
		m.next += m.everyUs
	}
	c.now = saved
}

func (m *livenessMonitor) check() {
	c := m.c
	if c.Leader() != 0 {
		m.leaderSeen = c.now
	}
	if c.healthyQuorum() {
		if m.healthySince < 0 {
			m.healthySince, m.backoffUs = c.now, 0
		}
		// A restart resets a server's back-off, not the silence it already caused.
		m.backoffUs = max(m.backoffUs, c.electionBackoffUs())
	} else {
		m.healthySince = -1
		m.reported = false
	}
	limit := m.limitUs + 2*m.backoffUs
	if m.healthySince >= 0 && !m.reported && c.now-m.healthySince > limit && c.now-m.leaderSeen > limit {
		m.reported = true
		c.checker.Report(0, reason.Of(reason.VNoLeader, (c.now-m.healthySince)/1000))
	}
}

// healthyQuorum: a quorum of running voters that can all talk to each other both ways.
func (c *Cluster) healthyQuorum() bool {
	var up []int
	for _, id := range c.voterIDs {
		if c.peers[id].state != Down {
			up = append(up, id)
		}
	}
	best := 0
	for _, a := range up {
		n := 0
		for _, b := range up {
			if c.rules.Up(a, b) && c.rules.Up(b, a) {
				n++
			}
		}
		if n > best {
			best = n
		}
	}
	if !IsQuorum(best, c.cfg.Voters) {
		return false
	}
	return len(c.rules.Cuts) == 0
}

// Converged reports one established leader and every server following it with its data
// (nothing outstanding, every learner at the leader's last zxid).
func (c *Cluster) Converged() bool {
	l := c.Leader()
	if l == 0 {
		return false
	}
	lz := c.peers[l].tree.LastProcessedZxid()
	if len(c.peers[l].lead.outstanding) > 0 {
		return false
	}
	for _, p := range c.peers[1:] {
		if p.id == l {
			continue
		}
		if p.learn == nil || !p.learn.upToDate || p.learn.leader != l || p.tree.LastProcessedZxid() != lz {
			return false
		}
	}
	return true
}

func randomFault(c *Cluster, r *rand.Rand) (string, func()) {
	n := c.Size()
	id := 1 + r.IntN(n)
	switch k := r.IntN(12); {
	case k < 1:
		return fmt.Sprintf("crash %d", id), func() { c.Crash(id) }
	case k < 2:
		return "crash the leader", func() {
			if l := c.Leader(); l != 0 {
				c.Crash(l)
			}
		}
	case k == 2:
		back := c.msUs(40 + r.Int64N(300))
		return fmt.Sprintf("bounce the leader (back after %d ms)", back/1000), func() {
			if l := c.Leader(); l != 0 {
				c.Crash(l)
				c.At(c.now+back, func() { c.Restart(l) })
			}
		}
	case k == 10:
		return "crash the leader as the servers that are down come back", func() {
			l := c.Leader()
			for i := 1; i <= n; i++ {
				c.Restart(i)
			}
			if l != 0 {
				c.Crash(l)
			}
		}
	case k < 5:
		return fmt.Sprintf("restart %d", id), func() { c.Restart(id) }
	case k == 5:
		return "restart the whole ensemble", func() {
			for i := 1; i <= n; i++ {
				c.Crash(i)
			}
			for i := 1; i <= n; i++ {
				c.Restart(i)
			}
		}
	case k <= 8 && n < 2:
		return "heal (one server: no link to cut)", func() { c.Heal() }
	case k < 8:
		a, b := SplitServers(r, n, n-1)
		return fmt.Sprintf("partition %v %v", a, b), func() { c.Partition([][]int{a, b}) }
	case k == 11:
		d := c.msUs(c.cfg.Timing.SyncLimit*c.cfg.Timing.TickTimeMs - 50 + r.Int64N(300))
		return fmt.Sprintf("isolate the leader for %d ms", d/1000), func() {
			l := c.Leader()
			if l == 0 {
				return
			}
			var rest []int
			for i := 1; i <= n; i++ {
				if i != l {
					rest = append(rest, i)
				}
			}
			c.Partition([][]int{{l}, rest})
			c.At(c.now+d, func() { c.Heal() })
		}
	case k == 8:
		to := 1 + r.IntN(n)
		if to == id {
			to = id%n + 1
		}
		return fmt.Sprintf("cut %d->%d", id, to), func() { c.SetLink(id, to, false) }
	default:
		return "heal", func() { c.Heal() }
	}
}

// workload: a few clients writing and sync-reading a handful of keys in a closed loop.
type workload struct {
	c       *Cluster
	r       *rand.Rand
	clients []*Client
	stopped bool
	hist    []histOp
	keys    []string
}

type histOp struct {
	client  int64
	key     string
	write   bool
	value   string
	callUs  int64
	retUs   int64 // -1: outcome unknown
	outcome string
	// oldEpoch: a read answered by a server whose epoch is older than one a quorum has
	// already moved to (its leader is no longer the real one).
	oldEpoch bool
}

func newWorkload(c *Cluster, n int, r *rand.Rand) *workload {
	w := &workload{c: c, r: r, keys: []string{"/k0", "/k1", "/k2"}}
	for i := 0; i < n; i++ {
		w.clients = append(w.clients, c.NewClient(0, int32(6*c.cfg.Timing.TickTimeMs)))
	}
	return w
}

func (w *workload) start() {
	// The keys exist before the run starts; create them once a leader exists.
	setup := w.c.NewClient(0, int32(10*w.c.cfg.Timing.TickTimeMs))
	for _, k := range w.keys {
		w.hist = append(w.hist, histOp{client: setup.ID(), key: k, write: true, value: "init", callUs: w.c.now})
		idx := len(w.hist) - 1
		setup.Submit(zkdb.Op{Type: zkdb.OpCreate, Path: k, Data: []byte("init"), ACL: zkdb.OpenACL}, false, func(r Reply) {
			w.finish(idx, r)
		})
	}
	for _, cl := range w.clients {
		w.next(cl)
	}
}

func (w *workload) stop() { w.stopped = true }

func (w *workload) next(cl *Client) {
	if w.stopped || cl.State() == ClientExpired || cl.State() == ClientClosed {
		return
	}
	delay := w.c.msUs(5 + w.r.Int64N(60))
	w.c.At(w.c.now+delay, func() { w.issue(cl) })
}

func (w *workload) issue(cl *Client) {
	if w.stopped {
		return
	}
	key := w.keys[w.r.IntN(len(w.keys))]
	h := &histOp{client: cl.ID(), key: key, callUs: w.c.now}
	switch k := w.r.IntN(10); {
	case k < 6:
		h.write = true
		h.value = fmt.Sprintf("c%d-%d", cl.ID(), w.c.stats.Steps)
		w.hist = append(w.hist, *h)
		idx := len(w.hist) - 1
		cl.Submit(zkdb.Op{Type: zkdb.OpSetData, Path: key, Data: []byte(h.value), Version: -1}, false, func(r Reply) {
			w.finish(idx, r)
			w.next(cl)
		})
	case k < 9:
		w.hist = append(w.hist, *h)
		idx := len(w.hist) - 1
		cl.Submit(zkdb.Op{Type: zkdb.OpSync, Path: key}, false, nil)
		cl.Submit(zkdb.Op{Type: zkdb.OpGetData, Path: key}, false, func(r Reply) {
			w.finish(idx, r)
			w.next(cl)
		})
	default:
		cl.Submit(zkdb.Op{Type: zkdb.OpCreate, Path: "/e-", Mode: zkdb.EphemeralSequential, ACL: zkdb.OpenACL}, false, func(r Reply) { w.next(cl) })
	}
}

func (w *workload) finish(idx int, r Reply) {
	h := &w.hist[idx]
	h.retUs = w.c.now
	err, data := r.Err, string(r.Data)
	if !h.write {
		h.oldEpoch = w.c.servesOldEpoch(r.Server)
	}
	switch {
	case err == zkdb.ErrNoNode && !h.write:
		h.outcome = absent
	case err == zkdb.OK:
		h.outcome = data
		if h.write {
			h.outcome = "ok"
		}
	case err == zkdb.ErrConnectionLoss || err == zkdb.ErrSessionExpired:
		h.retUs = -1 // may or may not have happened
	default:
		h.outcome = "err:" + err.Name()
	}
}

// servesOldEpoch: server id works for a leader of an older epoch than the newest one a quorum
// has accepted, so a newer leader may already commit writes it has not seen, and it does so
// within the window an old leader has to notice it lost its quorum: syncLimit ticks (+1 for
// the tick in progress, +1 for the answer's way back).
func (c *Cluster) servesOldEpoch(id int) bool {
	p := c.peer(id)
	t := c.cfg.Timing
	newest, since := c.checker.NewestEpoch()
	return p != nil && p.disk.CurrentEpoch < newest &&
		c.now-since <= c.msUs((t.SyncLimit+2)*t.TickTimeMs)
}

// checkLinearizable runs porcupine over the writes and sync+read pairs, key by key. ZooKeeper
// makes writes linearizable, but sync()+read only while the answering server's leader is the
// real one: an old leader cut off from its quorum keeps answering for up to syncLimit (+1
// tick) before it steps down (ZOOKEEPER-1675). A history that is linearizable once the reads
// answered in that window are left out is that known window, not a violation.
func (w *workload) checkLinearizable() (unknown bool, known []Violation) {
	v, n := checkKVHistory(w.hist, nil)
	switch v {
	case linUnknown:
		return true, nil
	case linOK:
		return false, nil
	}
	stale := 0
	for i := range w.hist {
		if w.hist[i].oldEpoch && !w.hist[i].write {
			stale++
		}
	}
	if stale > 0 {
		switch v2, _ := checkKVHistory(w.hist, func(h *histOp) bool { return h.oldEpoch }); v2 {
		case linOK:
			return false, []Violation{{Invariant: StaleSyncRead, TimeUs: w.c.now,
				Detail: reason.Of(reason.KnownStaleSyncRead, int64(n), int64(stale))}}
		case linUnknown:
			return true, nil
		}
	}
	w.c.checker.Report(0, reason.Of(reason.VNotLinearizable, int64(n)))
	return false, nil
}

// SplitServers draws a random split of servers 1..n into two groups, the first of 1 to
// maxFirst servers, each sorted (for fault schedules and the lab's autopilot).
func SplitServers(r *rand.Rand, n, maxFirst int) (a, b []int) {
	perm := r.Perm(n)
	cut := 1 + r.IntN(max(1, maxFirst))
	for i, x := range perm {
		if i < cut {
			a = append(a, x+1)
		} else {
			b = append(b, x+1)
		}
	}
	sort.Ints(a)
	sort.Ints(b)
	return a, b
}
