package engine_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"testing"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/workload"
)

// BenchmarkLectureRunSize records an hour of a lecture (watch timing, 5 servers, one write a
// second, a crash a minute and its restart 20 s later) and reports its run file's size, plain
// and gzipped.
func BenchmarkLectureRunSize(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c, _ := engine.NewCluster(engine.DefaultConfig(5, 0, 1))
		c.Start()
		workload.LectureHour(c, []byte("value"))
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
