package engine

import (
	"fmt"
	"os"
	"slices"
	"testing"
)

// TestMeasureLeaderKill measures, with the ZooKeeper timing profile, the simulated time from
// killing the leader to a new leader serving (BROADCAST with a quorum synced), over 50 seeds;
// a measurement, not a check: ZABLAB_MEASURE=1 go test -run TestMeasureLeaderKill -v ./engine/
func TestMeasureLeaderKill(t *testing.T) {
	if os.Getenv("ZABLAB_MEASURE") == "" {
		t.Skip("set ZABLAB_MEASURE=1 to measure")
	}
	for _, n := range []int{3, 5} {
		ms := leaderKillTimes(t, n, 50)
		fmt.Printf("%d servers: leader kill → new leader: median %.0f ms, min %.0f, max %.0f (50 seeds)\n", n, ms[len(ms)/2], ms[0], ms[len(ms)-1])
	}
}

// leaderKillTimes kills the leader of a settled n-server cluster (ZooKeeper timing), once
// per seed, and returns the simulated ms until a new leader serves, sorted.
func leaderKillTimes(t *testing.T, n, seeds int) []float64 {
	t.Helper()
	var ms []float64
	for seed := int64(1); seed <= int64(seeds); seed++ {
		c := newTestCluster(t, n, 0, seed, func(cfg *Config) { cfg.Timing = ZooKeeperTiming() })
		c.Start()
		waitSettled(t, c, 10*sec)
		c.RunFor(2 * sec)
		old := c.Leader()
		c.Crash(old)
		start := c.Now()
		waitFor(t, c, 30*sec, "a new leader", func() bool { l := c.Leader(); return l != 0 && l != old })
		ms = append(ms, float64(c.Now()-start)/1000)
	}
	slices.Sort(ms)
	return ms
}

// TestLeaderKillTakesAsLongAsZooKeeper: with the ZooKeeper profile a new leader serves about
// half a second after the old one is killed, as on a real 3.8 ensemble of 3 (measured here:
// 415–622 ms, median 442; reported elsewhere: 460–700 ms),
// not after finalizeWait alone (202 ms): the survivors need a while to notice and shut their
// role down, the new leader sets up and snapshots before it accepts learners (a follower that
// connects too early is refused and retries 100 ms later), epochs and logs are fsynced, and
// the leader starts its request pipeline before UPTODATE.
func TestLeaderKillTakesAsLongAsZooKeeper(t *testing.T) {
	ms := leaderKillTimes(t, 3, 21)
	if med := ms[len(ms)/2]; med < 415 || med > 700 {
		t.Errorf("leader kill → new leader: median %.0f ms over 21 seeds, want 415–700 (all: %v)", med, ms)
	}
	c := newTestCluster(t, 3, 0, 5, func(cfg *Config) { cfg.Timing = ZooKeeperTiming() })
	c.Start()
	waitSettled(t, c, 10*sec)
	rec := record(c)
	c.Crash(c.Leader())
	waitFor(t, c, 30*sec, "a new leader", func() bool { return c.Leader() != 0 })
	refused := rec.filter(func(e *Event) bool { return e.Kind == EvSend && e.Packet == ConnRefused && e.Node == c.Leader() })
	if len(refused) == 0 {
		t.Errorf("no follower was refused while the new leader set up")
	}
}
