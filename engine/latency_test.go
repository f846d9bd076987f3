package engine

import (
	"math/rand/v2"
	"testing"
)

// Simulated time always moves on, even with links configured at zero latency: a lagging
// voter and an observer in a later round answer every notification of the other (as in
// ZooKeeper), which at zero latency used to exchange messages forever at one instant and hang
// the room (found by FuzzParseRunFile). Random faults, loss and zero-latency links.
func TestZeroLatencyNeverFreezesTime(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 300; iter++ {
		cfg := DefaultConfig(1+r.IntN(5), r.IntN(2), int64(iter))
		cfg.Timing = FastTiming()
		if r.IntN(2) == 0 {
			cfg.Timing.LinkLatencyUs = 0
			cfg.Timing.LinkJitterUs = 0
		}
		cfg.CommitLogCount, cfg.ShortCommitLog = 1+r.IntN(3), true
		cfg.SnapCount = 2 + r.IntN(3)
		c, err := NewCluster(cfg)
		if err != nil {
			continue
		}
		var log []string
		c.Start()
		n := c.Size()
		for k := 0; k < 30; k++ {
			target := c.Now() + int64(r.IntN(200_000))
			same, last := 0, int64(-1)
			var recent []string
			c.OnEvent(func(e *Event) {
				if len(recent) > 40 {
					recent = recent[1:]
				}
				recent = append(recent, eventLine(e))
			})
			for len(c.q) > 0 && c.q[0].at <= target {
				c.Step()
				if c.Now() == last {
					same++
				} else {
					same, last = 0, c.Now()
				}
				if same > 100_000 {
					for _, x := range recent {
						t.Log(x)
					}
					t.Fatalf("iter %d: livelock at %d µs after %v (cfg %+v)", iter, last, log, cfg.Timing)
				}
			}
			c.sinks = c.sinks[:len(c.sinks)-1]
			var cmd Command
			switch r.IntN(8) {
			case 0:
				cmd = Command{Kind: CmdCrash, Node: 1 + r.IntN(n)}
			case 1:
				cmd = Command{Kind: CmdRestart, Node: 1 + r.IntN(n)}
			case 2:
				cmd = Command{Kind: CmdPartition, Groups: [][]int{{1 + r.IntN(n)}}}
			case 3:
				cmd = Command{Kind: CmdHeal}
			case 4:
				l := float64(r.IntN(101))
				cmd = Command{Kind: CmdNet, LossPct: &l}
			case 5:
				z := int64(0)
				cmd = Command{Kind: CmdNet, LatencyUs: &z, JitterUs: &z}
			case 6:
				cmd = Command{Kind: CmdLink, From: 1 + r.IntN(n), To: 1 + r.IntN(n), Up: boolp(r.IntN(2) == 0)}
			case 7:
				cmd = Command{Kind: CmdClientOpen, Server: r.IntN(n + 1), TimeoutMs: 1000}
			}
			log = append(log, string(cmd.Kind))
			c.Apply(cmd)
		}
	}
}
