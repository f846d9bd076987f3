package engine

import (
	"fmt"
	"math/rand"
)

type itemKind uint8

const (
	itDeliver itemKind = iota
	itTimer
	itClient
	itCommand
	itConnClosed
)

// item is one entry of the discrete-event queue, ordered by (at, seq).
type item struct {
	at   int64
	seq  uint64
	kind itemKind
	tk   timerKind
	inc  uint32
	node int
	arg  int
	gen  uint64
	conn uint64
	msg  *Message
	cl   *Client
	fn   func()
}

type itemHeap []item

func (h itemHeap) less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
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
	cfg      Config
	rng      *rand.Rand
	now      int64 // simulated microseconds
	seq      uint64
	q        itemHeap
	peers    []*Peer // index = server id; [0] unused
	voterIDs []int
	rules    LinkRules
	linkGen  [][]uint64
	linkLast [][]int64
	conns    map[uint64]*qconn
	nextConn uint64
	nextMsg  uint64
	evSeq    uint64
	dig      *digester
	sinks    []func(*Event)
	ev       Event
	emitting int // depth of emit calls in progress
	checker  *Checker
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
	n := cfg.Voters + cfg.Observers
	c := &Cluster{cfg: cfg, rng: rand.New(rand.NewSource(cfg.Seed)), conns: map[uint64]*qconn{}, dig: newDigester()}
	c.peers = make([]*Peer, n+1)
	c.linkGen = make([][]uint64, n+1)
	c.linkLast = make([][]int64, n+1)
	for i := 0; i <= n; i++ {
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
	c.OnEvent(c.checker.observe) // the checker sees every event first, from outside the protocol
	return c, nil
}

// Config returns the cluster's configuration.
func (c *Cluster) Config() Config { return c.cfg }

// Start boots every server that is down.
func (c *Cluster) Start() {
	for id := 1; id < len(c.peers); id++ {
		if c.peers[id].state == Down {
			c.peers[id].boot()
		}
	}
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
func (c *Cluster) Checker() *Checker { return c.checker }

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

// Clients lists the clients in creation order.
func (c *Cluster) Clients() []*Client { return c.clients }

// Rand is the cluster's seeded random source, for workloads that must stay deterministic.
func (c *Cluster) Rand() *rand.Rand { return c.rng }

func (c *Cluster) isVoter(id int) bool { return id >= 1 && id <= c.cfg.Voters }

func (c *Cluster) msUs(ms int64) int64 { return ms * 1000 }

func (c *Cluster) emit(e Event) {
	c.evSeq++
	e.Seq = c.evSeq
	e.TimeUs = c.now
	c.stats.Events++
	c.ev = e // one reusable slot: sinks see a pointer that is only valid during the call
	c.dig.add(&c.ev)
	c.emitting++
	for _, s := range c.sinks {
		s(&c.ev)
	}
	c.emitting--
	if c.emitting == 0 {
		c.checker.flush() // violations found while observing follow the event that revealed them
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
	c.push(item{at: c.now + delayUs, kind: itTimer, node: node, inc: inc, tk: k, arg: arg, gen: gen})
}

func (c *Cluster) scheduleClient(cl *Client, gen uint64, delayUs int64) {
	c.push(item{at: c.now + delayUs, kind: itClient, cl: cl, gen: gen})
}

// At schedules fn at simulated time atUs (a timed command of a scenario or fault schedule).
func (c *Cluster) At(atUs int64, fn func()) {
	if atUs < c.now {
		atUs = c.now
	}
	c.push(item{at: atUs, kind: itCommand, fn: fn})
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
	if it.at > c.now {
		c.now = it.at
	}
	c.stats.Steps++
	switch it.kind {
	case itDeliver:
		c.deliver(&it)
	case itTimer:
		p := c.peers[it.node]
		if p.inc == it.inc && p.state != Down {
			p.onTimer(it.tk, it.arg, it.gen)
		}
	case itClient:
		it.cl.onTimer(it.gen)
	case itCommand:
		it.fn()
	case itConnClosed:
		p := c.peers[it.node]
		if p.inc == it.inc && p.state != Down {
			p.onConnClosed(it.conn, it.arg)
		}
	}
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
	p := c.peer(id)
	if p == nil {
		return fmt.Errorf("unknown server %d", id)
	}
	if p.state == Down {
		return fmt.Errorf("server %d is already down", id)
	}
	p.crash()
	return nil
}

// Restart boots a crashed server from its disk.
func (c *Cluster) Restart(id int) error {
	p := c.peer(id)
	if p == nil {
		return fmt.Errorf("unknown server %d", id)
	}
	if p.state != Down {
		return fmt.Errorf("server %d is running", id)
	}
	p.boot()
	return nil
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
func (c *Cluster) violation(node int, name, detail string) {
	c.emit(Event{Kind: EvViolation, Node: node, Reason: name + ": " + detail})
}
