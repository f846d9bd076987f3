package engine

import (
	"math/rand/v2"

	"github.com/zablab/zablab/engine/reason"
)

type itemKind uint8

const (
	itDeliver itemKind = iota
	itTimer
	itClient
	itCommand
	itConnClosed
	itBoot // a server of a start command comes up (start-up skew)
)

// item is one entry of the discrete-event queue, ordered by (at, seq).
type item struct {
	at   int64
	seq  uint64
	gen  uint64
	conn uint64
	kind itemKind
	tk   timerKind
	// ext marks an item from outside the protocol (a command, or a driver's callback): such
	// items have their own sequence numbers and come after the protocol's items due at the
	// same time, so recording and replaying commands leaves the protocol's order untouched.
	ext  bool
	inc  uint32
	node int32
	arg  int32
	msg  *Message
	cl   *Client
	cmd  *Command
	fn   func()
}

type itemHeap []item

func (h itemHeap) less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	if h[i].ext != h[j].ext {
		return !h[i].ext
	}
	return h[i].seq < h[j].seq
}

func (h *itemHeap) push(x item) {
	*h = append(*h, x)
	a := *h
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !a.less(i, p) {
			break
		}
		a[i], a[p] = a[p], a[i]
		i = p
	}
}

func (h *itemHeap) pop() item {
	a := *h
	top := a[0]
	n := len(a) - 1
	a[0] = a[n]
	a[n] = item{}
	a = a[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && a.less(r, l) {
			m = r
		}
		if !a.less(m, i) {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}

// Stats counts what a cluster did.
type Stats struct {
	Committed uint64 // txns committed by leaders
	Events    uint64
	Messages  uint64
	Dropped   uint64
	Steps     uint64
}

// Cluster is a simulated ensemble: servers, links, clients, the event queue and the checker.
// It is not safe for concurrent use: one goroutine (the room) owns it.
type Cluster struct {
	cfg Config
	// cfg0 is the configuration the cluster was built with (a bug toggled later is a command).
	cfg0 Config
	// Randomness comes from separate streams, one per purpose, so a draw in one place never
	// shifts another; each is a PCG whose state can be saved.
	netRng, clientRng *rand.Rand
	netSrc, clientSrc *rand.PCG
	// startRng draws the start-up skew (its own stream: other draws stay as they were).
	startRng *rand.Rand
	// observerRng draws observers' election delays; delayRng servers' election start costs.
	observerRng, delayRng *rand.Rand
	now                   int64 // simulated microseconds
	seq                   uint64
	// cseq numbers the items from outside the protocol (commands, drivers' callbacks).
	cseq       uint64
	inStep     bool
	lastCmdErr error
	recording  bool
	log        []Entry
	liveness   *livenessMonitor
	// Clients: by id, those created but not yet opened (client.open deferred), callbacks of
	// in-process requests by ref, real clients' engine halves by connection.
	clientIdx  map[int64]*Client
	preClients map[int64]*Client
	replyCbs   map[uint64]func(Reply)
	nextRef    uint64
	extConns   map[uint64]*Client
	sink       ExternalSink
	q          itemHeap
	peers      []*Peer // index = server id; [0] unused
	voterIDs   []int
	rules      LinkRules
	linkGen    [][]uint64
	linkLast   [][]int64
	// elConn holds the election connections (QuorumCnxManager), both directions alike.
	elConn [][]bool
	// starting is set while one start command boots the servers.
	starting bool
	conns    map[uint64]*qconn
	nextConn uint64
	nextMsg  uint64
	evSeq    uint64
	dig      *digester
	sinks    []func(*Event)
	ev       Event
	emitting int // depth of emit calls in progress
	// lastSync is, per server, how a leader last synced it (for views; from EvSyncMode).
	lastSync map[int]syncSeen
	checker  Checker
	clients  []*Client
	// nextClient numbers clients.
	nextClient int64
	stats      Stats
}

// NewCluster builds a cluster with every server down; Start boots them.
func NewCluster(cfg Config) (*Cluster, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if newChecker == nil {
		return nil, errNoChecker
	}
	cfg = cfg.withZooKeeperMinimums()
	n := cfg.Voters + cfg.Observers
	c := &Cluster{cfg: cfg, cfg0: cfg, conns: map[uint64]*qconn{}, dig: newDigester(), recording: true,
		clientIdx: map[int64]*Client{}, preClients: map[int64]*Client{}, replyCbs: map[uint64]func(Reply){},
		extConns: map[uint64]*Client{}, lastSync: map[int]syncSeen{}}
	c.netSrc, c.clientSrc = newStream(cfg.Seed, "net"), newStream(cfg.Seed, "client")
	c.netRng, c.clientRng = rand.New(c.netSrc), rand.New(c.clientSrc)
	c.startRng = rand.New(newStream(cfg.Seed, "start"))
	c.observerRng = rand.New(newStream(cfg.Seed, "observer"))
	c.delayRng = rand.New(newStream(cfg.Seed, "delay"))
	c.peers = make([]*Peer, n+1)
	c.linkGen = make([][]uint64, n+1)
	c.linkLast = make([][]int64, n+1)
	c.elConn = make([][]bool, n+1)
	for i := 0; i <= n; i++ {
		c.elConn[i] = make([]bool, n+1)
		c.linkGen[i] = make([]uint64, n+1)
		c.linkLast[i] = make([]int64, n+1)
	}
	for id := 1; id <= n; id++ {
		c.peers[id] = newPeer(c, id, id > cfg.Voters)
		if id <= cfg.Voters {
			c.voterIDs = append(c.voterIDs, id)
		}
	}
	c.checker = newChecker(c)
	c.OnEvent(c.checker.Observe) // the checker sees every event first, from outside the protocol
	return c, nil
}

// Config returns the cluster's configuration.
func (c *Cluster) Config() Config { return c.cfg }

// Start boots every server that is down.
func (c *Cluster) Start() { c.Apply(Command{Kind: CmdStart}) }

// newStream is the random stream for one purpose: a PCG seeded by the cluster's seed and a
// hash of the purpose's name.
func newStream(seed int64, purpose string) *rand.PCG {
	h := uint64(14695981039346656037)
	for i := 0; i < len(purpose); i++ {
		h = (h ^ uint64(purpose[i])) * 1099511628211
	}
	return rand.NewPCG(uint64(seed), h)
}

// OnEvent adds a sink that sees every event, in order. The event is only valid during the call.
func (c *Cluster) OnEvent(fn func(*Event)) { c.sinks = append(c.sinks, fn) }

// Now is the simulated time in microseconds.
func (c *Cluster) Now() int64 { return c.now }

// Digest hashes the event log so far.
func (c *Cluster) Digest() uint64 { return c.dig.sum() }

// Stats returns counters.
func (c *Cluster) Stats() Stats { return c.stats }

// Checker returns the invariant checker.
func (c *Cluster) Checker() Checker { return c.checker }

// Peer returns server id, or nil.
func (c *Cluster) Peer(id int) *Peer { return c.peer(id) }

func (c *Cluster) peer(id int) *Peer {
	if id < 1 || id >= len(c.peers) {
		return nil
	}
	return c.peers[id]
}

// Size is the number of servers (voters + observers).
func (c *Cluster) Size() int { return len(c.peers) - 1 }

// VoterIDs lists the voting servers' ids in ascending order (observers left out).
func (c *Cluster) VoterIDs() []int { return append([]int(nil), c.voterIDs...) }

// Clients lists the clients in creation order.
func (c *Cluster) Clients() []*Client { return c.clients }

func (c *Cluster) isVoter(id int) bool { return id >= 1 && id <= c.cfg.Voters }

func (c *Cluster) msUs(ms int64) int64 { return ms * 1000 }

func (c *Cluster) emit(e *Event) {
	c.evSeq++
	e.Seq = c.evSeq
	e.TimeUs = c.now
	c.stats.Events++
	switch {
	case e.Kind == EvSyncMode:
		c.lastSync[e.Peer] = syncSeen{e.Mode, e.Reason}
	case e.Kind == EvState && e.State == Leading:
		delete(c.lastSync, e.Node) // a leader is not synced by anyone: no stale follower-time mode
	}
	c.ev = *e // one reusable slot: sinks see a pointer that is only valid during the call
	c.dig.add(&c.ev)
	c.emitting++
	for _, s := range c.sinks {
		s(&c.ev)
	}
	c.emitting--
	if c.emitting == 0 {
		c.checker.Flush() // violations found while observing follow the event that revealed them
	}
}

func (c *Cluster) push(it item) {
	c.seq++
	it.seq = c.seq
	c.q.push(it)
}

func (c *Cluster) scheduleTimer(node int, inc uint32, k timerKind, arg int, gen uint64, delayUs int64) {
	if delayUs < 0 {
		delayUs = 0
	}
	c.push(item{at: c.now + delayUs, kind: itTimer, node: int32(node), inc: inc, tk: k, arg: int32(arg), gen: gen})
}

func (c *Cluster) scheduleClient(cl *Client, gen uint64, delayUs int64) {
	c.push(item{at: c.now + delayUs, kind: itClient, cl: cl, gen: gen})
}

// At schedules fn at simulated time atUs: a driver's callback (a scenario, a fault
// schedule, a workload). fn is not recorded; the commands it applies are.
func (c *Cluster) At(atUs int64, fn func()) {
	if atUs < c.now {
		atUs = c.now
	}
	c.cseq++
	c.q.push(item{at: atUs, seq: c.cseq, ext: true, kind: itCommand, fn: fn})
}

// Pending is the number of queued events.
func (c *Cluster) Pending() int { return len(c.q) }

// NextAt is the time of the next queued event (ok false when none).
func (c *Cluster) NextAt() (int64, bool) {
	if len(c.q) == 0 {
		return 0, false
	}
	return c.q[0].at, true
}

// Step processes one queued event. It returns false when nothing is queued.
func (c *Cluster) Step() bool {
	if len(c.q) == 0 {
		return false
	}
	it := c.q.pop()
	if m := c.liveness; m != nil && it.at > m.next {
		m.catchUp(it.at)
	}
	if it.at > c.now {
		c.now = it.at
	}
	c.stats.Steps++
	c.inStep = true
	switch it.kind {
	case itDeliver:
		c.deliver(&it)
	case itTimer:
		p := c.peers[it.node]
		if p.inc == it.inc && p.state != Down {
			p.onTimer(it.tk, int(it.arg), it.gen)
		}
	case itClient:
		it.cl.onTimer(it.gen)
	case itCommand:
		if it.cmd != nil {
			c.lastCmdErr = c.exec(it.seq, it.cmd)
		} else {
			it.fn()
		}
	case itBoot:
		if p := c.peers[it.node]; p.inc == it.inc && p.state == Down {
			p.starting = false
			p.boot()
		}
	case itConnClosed:
		p := c.peers[it.node]
		if p.inc == it.inc && p.state != Down {
			p.onConnClosed(it.conn, int(it.arg))
		}
	}
	c.inStep = false
	return true
}

// RunUntil processes every event up to simulated time tUs, then sets the clock to tUs.
func (c *Cluster) RunUntil(tUs int64) {
	for len(c.q) > 0 && c.q[0].at <= tUs {
		c.Step()
	}
	if tUs > c.now {
		c.now = tUs
	}
}

// RunFor advances the simulation by dUs microseconds.
func (c *Cluster) RunFor(dUs int64) { c.RunUntil(c.now + dUs) }

// RunUntilCond steps until cond holds or limitUs of simulated time passed; it reports cond.
func (c *Cluster) RunUntilCond(limitUs int64, cond func() bool) bool {
	end := c.now + limitUs
	for !cond() {
		if len(c.q) == 0 || c.q[0].at > end {
			c.RunUntil(end)
			return cond()
		}
		c.Step()
	}
	return true
}

// Crash stops a server: its memory is lost, its disk stays, its connections close.
func (c *Cluster) Crash(id int) error {
	_, err := c.Apply(Command{Kind: CmdCrash, Node: id})
	return err
}

// Restart boots a crashed server from its disk.
func (c *Cluster) Restart(id int) error {
	_, err := c.Apply(Command{Kind: CmdRestart, Node: id})
	return err
}

// Leader returns the id of the established leader with the highest epoch (0 if none).
func (c *Cluster) Leader() int {
	best, bestEpoch := 0, int64(-1)
	for _, p := range c.peers[1:] {
		if p.state == Leading && p.lead != nil && p.lead.established && p.lead.epoch > bestEpoch {
			best, bestEpoch = p.id, p.lead.epoch
		}
	}
	return best
}

// violation: a server's own consistency check failed (ZooKeeper would log an error or throw).
// It is an event like any other; the checker counts it.
func (c *Cluster) violation(node int, why reason.Reason) {
	c.emit(&Event{Kind: EvViolation, Node: node, Reason: why})
}

// syncSeen is how a server was last synced by a leader.
type syncSeen struct {
	mode SyncMode
	why  reason.Reason
}
