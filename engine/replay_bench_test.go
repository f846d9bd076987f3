package engine

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
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

// BenchmarkLectureRunSize records an hour of a lecture (watch timing, 5 servers, one write a
// second, a crash a minute and its restart 20 s later) and reports its run file's size, plain
// and gzipped, and the time to replay it.
func BenchmarkLectureRunSize(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c, _ := NewCluster(DefaultConfig(5, 0, 1))
		c.Start()
		c.RunFor(5_000_000)
		cls := map[int]*Client{}
		for s := 1; s <= 5; s++ {
			cls[s] = c.NewPinnedClient(s, 40000)
		}
		for sec := 0; sec < 3600; sec++ {
			cls[1+sec%5].Submit(zkdb.Op{Type: zkdb.OpSetData, Path: "/", Data: []byte("value"), Version: -1}, false, nil)
			switch sec % 60 {
			case 30:
				c.Crash(1 + (sec/60)%5)
			case 50:
				c.Restart(1 + (sec/60)%5)
			}
			c.RunFor(1_000_000)
		}
		js, _ := json.Marshal(c.RunFile())
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(js)
		zw.Close()
		b.ReportMetric(float64(len(js))/1024, "KiB")
		b.ReportMetric(float64(z.Len())/1024, "KiB-gzip")
		b.ReportMetric(float64(len(c.Log())), "commands")
		b.ReportMetric(float64(c.Events()), "events")
	}
}
