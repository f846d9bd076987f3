package enginebench

import "testing"

func BenchmarkCommit3(b *testing.B) { benchCommit(b, 3) }
func BenchmarkCommit5(b *testing.B) { benchCommit(b, 5) }
func BenchmarkCommit7(b *testing.B) { benchCommit(b, 7) }

func benchCommit(b *testing.B, voters int) {
	b.ReportAllocs()
	r, err := Bench(voters, 8, 64, b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(r.TxnsPerSec, "txns/s")
	b.ReportMetric(r.EventsPerSec, "events/s")
}
