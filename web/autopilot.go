package web

import (
	"fmt"
	"math/rand/v2"

	"github.com/labstack/echo/v4"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/zkdb"
)

// Autopilot makes a room run by itself for a demo: client writes at a steady rate and faults
// at intervals, in simulated time. What it does are ordinary commands, recorded in the run
// like any other, so a replay shows the same writes and faults without the autopilot.
type Autopilot struct {
	// WritesPerSec is the rate of background setData writes (0: none), per simulated second.
	WritesPerSec float64 `json:"writesPerSec"`
	// FaultEverySec is the simulated time between faults (0: none).
	FaultEverySec float64 `json:"faultEverySec"`
	// Faults are the kinds of fault to draw from: "leader" (crash the leader, restart it
	// later), "crash" (any server), "partition" (a random minority cut off, healed later).
	Faults []string `json:"faults,omitempty"`
}

// Limits of the autopilot.
const (
	maxAutopilotWrites = 200
	minFaultEverySec   = 1
)

func (a Autopilot) validate() error {
	if !(a.WritesPerSec >= 0 && a.WritesPerSec <= maxAutopilotWrites) {
		return badInput("bad_autopilot", "writesPerSec %g out of range [0, %d]", a.WritesPerSec, maxAutopilotWrites)
	}
	if a.FaultEverySec != 0 && !(a.FaultEverySec >= minFaultEverySec && a.FaultEverySec <= 3600) {
		return badInput("bad_autopilot", "faultEverySec %g out of range [%d, 3600] (0: no faults)", a.FaultEverySec, minFaultEverySec)
	}
	for _, f := range a.Faults {
		switch f {
		case "leader", "crash", "partition":
		default:
			return badInput("bad_autopilot", "unknown fault %q (want leader, crash or partition)", f)
		}
	}
	if a.FaultEverySec > 0 && len(a.Faults) == 0 {
		return badInput("bad_autopilot", "faultEverySec needs faults to draw from (leader, crash, partition)")
	}
	return nil
}

// pilot is a room's autopilot at work (room goroutine only).
type pilot struct {
	set Autopilot
	gen uint64 // bumped to stop the callbacks of an older setting or cluster
	rng *rand.Rand
	cl  *engine.Client
	n   int
}

// setAutopilot turns the autopilot on, changes it or turns it off (all zero).
func (r *Room) setAutopilot(a Autopilot) (any, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	if r.pilot == nil {
		r.pilot = &pilot{}
	}
	r.pilot.set = a
	r.armPilot()
	return r.view(), nil
}

// armPilot (re)starts the autopilot's callbacks on the room's cluster.
func (r *Room) armPilot() {
	p := r.pilot
	if p == nil {
		return
	}
	p.gen++
	p.cl = nil
	c := r.c
	p.rng = rand.New(rand.NewPCG(uint64(r.cfg.Seed), 0xa07071107+p.gen))
	gen := p.gen
	// every repeats fn each everyUs for as long as this autopilot drives this cluster.
	every := func(everyUs int64, fn func()) {
		var tick func()
		tick = func() {
			if p.gen != gen || r.c != c {
				return
			}
			fn()
			c.At(c.Now()+everyUs, tick)
		}
		c.At(c.Now()+everyUs, tick)
	}
	if p.set.WritesPerSec > 0 {
		every(int64(1e6/p.set.WritesPerSec), func() { r.pilotWrite(c) })
	}
	if p.set.FaultEverySec > 0 {
		us := int64(p.set.FaultEverySec * 1e6)
		every(us, func() { r.pilotFault(c, us/2) })
	}
}

// pilotWrite sets /autopilot to a counter through a client of the room's own (any server).
func (r *Room) pilotWrite(c *engine.Cluster) {
	p := r.pilot
	if p.cl == nil || p.cl.State() == engine.ClientClosed || p.cl.State() == engine.ClientExpired {
		p.cl = c.NewClient(0, int32(20*r.cfg.Timing.TickTimeMs))
		p.cl.Submit(zkdb.Op{Type: zkdb.OpCreate, Path: "/autopilot", ACL: zkdb.OpenACL}, false, nil)
	}
	if p.cl.State() != engine.ClientConnected {
		return // it reconnects by itself; writes resume then
	}
	p.n++
	p.cl.Submit(zkdb.Op{Type: zkdb.OpSetData, Path: "/autopilot", Data: []byte(fmt.Sprint(p.n)), Version: -1}, false, nil)
}

// pilotFault draws a fault and undoes it after back (simulated µs).
func (r *Room) pilotFault(c *engine.Cluster, back int64) {
	p := r.pilot
	kind := p.set.Faults[p.rng.IntN(len(p.set.Faults))]
	n := c.Size()
	switch kind {
	case "leader", "crash":
		id := c.Leader()
		if kind == "crash" || id == 0 {
			id = 1 + p.rng.IntN(n)
		}
		if c.Crash(id) == nil {
			c.At(c.Now()+back, func() { c.Restart(id) })
		}
	case "partition":
		a, b := engine.SplitServers(p.rng, n, (n-1)/2)
		if c.Partition([][]int{a, b}) == nil {
			c.At(c.Now()+back, func() { c.Heal() })
		}
	}
}

func (s *Server) postAutopilot(c echo.Context) error {
	r := c.Get("room").(*Room)
	var a Autopilot
	if err := bind(c, &a); err != nil {
		return err
	}
	v, err := r.do(func() (any, error) { return r.setAutopilot(a) })
	return s.answer(c, v, err)
}
