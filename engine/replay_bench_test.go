package engine

import (
	"testing"

	"github.com/zablab/zablab/engine/zkdb"
)

// recordedRun is a 5-voter run with a closed-loop write load and a few faults.
func recordedRun(b *testing.B) *RunFile {
	cfg := DefaultConfig(5, 0, 42)
	cfg.Timing = ZooKeeperTiming()
	c, _ := NewCluster(cfg)
	c.Start()
	c.RunFor(2_000_000)
	var cls []*Client
	for i := 0; i < 8; i++ {
		cls = append(cls, c.NewClient(1+i%5, 20000))
	}
	c.RunFor(1_000_000)
	n := 0
	var issue func(cl *Client)
	issue = func(cl *Client) {
		if n >= 40_000 {
			return
		}
		n++
		cl.Submit(zkdb.Op{Type: zkdb.OpSetData, Path: "/", Data: []byte("x"), Version: -1}, false, func(Reply) { issue(cl) })
	}
	for _, cl := range cls {
		for k := 0; k < 8; k++ {
			issue(cl)
		}
	}
	for i := 0; i < 3; i++ {
		c.RunFor(1_000_000)
		c.Crash(1 + i)
		c.RunFor(1_000_000)
		c.Restart(1 + i)
	}
	for c.Step() && n < 40_000 {
	}
	return c.RunFile()
}

// BenchmarkReplay measures replay speed in events per second (a 5-voter run).
func BenchmarkReplay(b *testing.B) {
	rf := recordedRun(b)
	b.ResetTimer()
	var events uint64
	for i := 0; i < b.N; i++ {
		c, err := Replay(rf, -1)
		if err != nil {
			b.Fatal(err)
		}
		events += c.Events()
		if DigestString(c.Digest()) != rf.Digest {
			b.Fatal("digest differs")
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(len(rf.Commands)), "commands")
}
