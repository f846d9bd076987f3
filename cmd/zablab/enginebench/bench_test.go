package enginebench

import "testing"

func BenchmarkCommit3(b *testing.B) { benchCommit(b, 3) }
func BenchmarkCommit5(b *testing.B) { benchCommit(b, 5) }
func BenchmarkCommit7(b *testing.B) { benchCommit(b, 7) }

// BenchmarkCommit3NoRecording: the same load without the run's command log.
func BenchmarkCommit3NoRecording(b *testing.B) {
	b.ReportAllocs()
	r, err := BenchNoRecording(3, 8, 64, b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(r.TxnsPerSec, "txns/s")
}

func benchCommit(b *testing.B, voters int) {
	b.ReportAllocs()
	r, err := Bench(voters, 8, 64, b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(r.TxnsPerSec, "txns/s")
	b.ReportMetric(r.EventsPerSec, "events/s")
}
