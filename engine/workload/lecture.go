// Package workload drives a cluster through the loads zablab's benchmarks measure, so that
// the engine's and the web server's benchmarks measure the same run.
package workload

import (
	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/zkdb"
)

// LectureHour plays an hour of a lecture on a started 5-voter cluster: 5 s to elect, then one
// write of data a second (turn by turn through a client pinned to each server), and each
// minute a crash at 30 s and its restart at 50 s (turn by turn through the servers).
func LectureHour(c *engine.Cluster, data []byte) {
	c.RunFor(5_000_000)
	cls := map[int]*engine.Client{}
	for id := 1; id <= 5; id++ {
		cls[id] = c.NewPinnedClient(id, 40000)
	}
	for sec := 0; sec < 3600; sec++ {
		cls[1+sec%5].Submit(zkdb.Op{Type: zkdb.OpSetData, Path: "/", Data: data, Version: -1}, false, nil)
		switch sec % 60 {
		case 30:
			c.Crash(1 + (sec/60)%5)
		case 50:
			c.Restart(1 + (sec/60)%5)
		}
		c.RunFor(1_000_000)
	}
}
