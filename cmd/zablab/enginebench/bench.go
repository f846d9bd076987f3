// Package enginebench measures the engine's throughput against the wall clock. It lives
// outside package engine so the engine itself never reads the wall clock.
package enginebench

import (
	"fmt"
	"time"

	"github.com/zablab/zablab/engine"
	_ "github.com/zablab/zablab/engine/check" // every cluster is checked
	"github.com/zablab/zablab/engine/zkdb"
)

// BenchResult is one throughput measurement at full speed (no pacing, no viewers).
type BenchResult struct {
	Voters       int
	Committed    int
	Events       uint64
	Wall         time.Duration
	TxnsPerSec   float64
	EventsPerSec float64
	SimSeconds   float64
}

// Bench measures committed txns per wall-clock second: a cluster with ZooKeeper's timing and
// LAN latency, `clients` clients each keeping `pipeline` setData requests outstanding (a
// batched client, like ZooKeeper's async API), until `txns` writes have committed.
func Bench(voters, clients, pipeline, txns int) (BenchResult, error) {
	return bench(voters, clients, pipeline, txns, true)
}

// BenchNoRecording is Bench with the run's command log off, to measure what recording costs.
func BenchNoRecording(voters, clients, pipeline, txns int) (BenchResult, error) {
	return bench(voters, clients, pipeline, txns, false)
}

func bench(voters, clients, pipeline, txns int, record bool) (BenchResult, error) {
	cfg := engine.DefaultConfig(voters, 0, 1)
	cfg.Timing = engine.ZooKeeperTiming()
	cfg.SnapCount = 100_000
	c, err := engine.NewCluster(cfg)
	if c != nil {
		c.SetRecording(record)
	}
	if err != nil {
		return BenchResult{}, err
	}
	c.Start()
	if !c.RunUntilCond(60_000_000, func() bool { return c.Leader() != 0 && c.Converged() }) {
		return BenchResult{}, fmt.Errorf("no leader")
	}
	setup := c.NewClient(c.Leader(), 20000)
	for i := 0; i < clients; i++ {
		setup.Submit(zkdb.Op{Type: zkdb.OpCreate, Path: fmt.Sprintf("/bench%d", i), ACL: zkdb.OpenACL}, false, nil)
	}
	c.RunFor(1_000_000)
	var cls []*engine.Client
	for i := 0; i < clients; i++ {
		cls = append(cls, c.NewClient(1+i%c.Size(), 20000))
	}
	c.RunFor(1_000_000)
	data := []byte("0123456789abcdef")
	done := 0
	var issue func(cl *engine.Client, path string)
	issue = func(cl *engine.Client, path string) {
		cl.Submit(zkdb.Op{Type: zkdb.OpSetData, Path: path, Data: data, Version: -1}, false, func(r engine.Reply) {
			if r.Err == zkdb.OK {
				done++
			}
			if done < txns {
				issue(cl, path)
			}
		})
	}
	st0 := c.Stats()
	startSim := c.Now()
	start := time.Now()
	for i, cl := range cls {
		for j := 0; j < pipeline; j++ {
			issue(cl, fmt.Sprintf("/bench%d", i))
		}
	}
	for done < txns && c.Step() {
	}
	wall := time.Since(start)
	st := c.Stats()
	r := BenchResult{Voters: voters, Committed: int(st.Committed - st0.Committed), Events: st.Events - st0.Events, Wall: wall,
		SimSeconds: float64(c.Now()-startSim) / 1e6}
	r.TxnsPerSec = float64(r.Committed) / wall.Seconds()
	r.EventsPerSec = float64(r.Events) / wall.Seconds()
	if v := c.Checker().Count(); v > 0 {
		return r, fmt.Errorf("%d invariant violations during the benchmark: %v", v, c.Checker().Violations()[0])
	}
	return r, nil
}
