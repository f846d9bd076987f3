package web

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/workload"
)

// BenchmarkAtOneHourLecture measures GET /at (request to answer) at random moments of a
// room that ran an hour of a lecture (watch timing, a write a second, a crash a minute),
// and reports p50 and p99 in ms.
func BenchmarkAtOneHourLecture(b *testing.B) {
	s, err := NewServer(Options{Addr: "127.0.0.1:0", Voters: 5, Seed: 1, Timing: engine.WatchTiming()})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	defer s.Shutdown(b.Context())
	r := s.Main()
	var endMs float64
	r.do(func() (any, error) {
		r.paused = true
		c := r.c
		workload.LectureHour(c, []byte("v"))
		endMs = float64(c.Now()) / 1000
		return nil, nil
	})
	rng := rand.New(rand.NewPCG(3, 4))
	var lat []float64
	heap := func() float64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.HeapAlloc) / (1 << 20)
	}
	before := heap()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := rng.Float64() * endMs
		start := time.Now()
		res, err := http.Get(fmt.Sprintf("%s/api/rooms/main/at?t=%.3f", ts.URL, t))
		if err != nil || res.StatusCode != 200 {
			b.Fatalf("at %.3f: %v %v", t, err, res.Status)
		}
		res.Body.Close()
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
	}
	slices.Sort(lat)
	b.ReportMetric(lat[len(lat)/2], "p50-ms")
	b.ReportMetric(lat[len(lat)*99/100], "p99-ms")
	b.ReportMetric(endMs/1000, "run-s")
	// The room's history kept for scrubbing: its replays (cursors) beside the live cluster.
	b.ReportMetric(heap()-before, "history-MiB")
}
