package engine

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rewrite regenerates the pinned traces: `make golden` (go test ./engine/ -run Golden -args -rewrite).
var rewrite = flag.Bool("rewrite", false, "rewrite the golden traces in testdata/golden")

// goldenRuns are the pinned (seed, schedule) runs: 3, 5 and 7 voters, with and without
// observers, each with its randomized faults and workload.
var goldenRuns = []CheckOptions{
	{Voters: 3, Seed: 101}, {Voters: 3, Observers: 1, Seed: 102}, {Voters: 3, Observers: 2, Seed: 103},
	{Voters: 5, Seed: 104}, {Voters: 5, Observers: 1, Seed: 105}, {Voters: 5, Observers: 2, Seed: 106},
	{Voters: 7, Seed: 107}, {Voters: 7, Observers: 1, Seed: 108}, {Voters: 7, Observers: 2, Seed: 109},
	{Voters: 3, Seed: 110, FaultMs: 4000}, {Voters: 5, Seed: 111, FaultMs: 4000}, {Voters: 7, Seed: 112, FaultMs: 4000},
}

// EventLine is an event in the pinned-trace format: every field that the digest covers.
func eventLine(e *Event) string {
	return fmt.Sprintf("%d %d %s n%d p%d %s m%d z%s e%d %s/%s %s v%d/%s/%d/%d n%d/%d c%d s%x %s %s %q %v",
		e.Seq, e.TimeUs, e.Kind, e.Node, e.Peer, e.Packet, e.MsgID, e.Zxid, e.Epoch, e.State, e.Phase, e.Mode,
		e.Vote.Leader, e.Vote.Zxid, e.Vote.Round, e.Vote.PeerEpoch, e.N, e.M, e.Client, uint64(e.Session),
		e.Op, e.Err.Name(), e.Path, e.Reason)
}

func goldenName(i int, o CheckOptions) string {
	return fmt.Sprintf("run-%02d-v%d-o%d-seed%d.txt.gz", i, o.Voters, o.Observers, o.Seed)
}

// TestGoldenTraces replays the pinned runs and compares their events with the committed
// traces: an unintended change to the protocol's behaviour names the first differing event.
func TestGoldenTraces(t *testing.T) {
	dir := filepath.Join("testdata", "golden")
	for i, o := range goldenRuns {
		o := o
		if o.FaultMs == 0 {
			o.FaultMs = 2500
		}
		var lines []string
		o.OnEvent = func(e *Event) { lines = append(lines, eventLine(e)) }
		res := RunCheck(o)
		header := fmt.Sprintf("# zablab pinned trace: voters %d observers %d seed %d faultMs %d: %d events, digest %016x",
			o.Voters, o.Observers, o.Seed, o.FaultMs, len(lines), res.Digest)
		path := filepath.Join(dir, goldenName(i, o))
		if *rewrite {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			fmt.Fprintln(zw, header)
			for _, l := range lines {
				fmt.Fprintln(zw, l)
			}
			zw.Close()
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := readGolden(path)
		if err != nil {
			t.Fatalf("%v (run `make golden` to write the pinned traces)", err)
		}
		if want[0] == header {
			continue
		}
		n := min(len(want)-1, len(lines))
		for k := 0; k < n; k++ {
			if want[k+1] != lines[k] {
				t.Errorf("pinned run %d (%d voters, %d observers, seed %d) changed at event #%d:\n  pinned: %s\n  now:    %s\n"+
					"if the protocol change is intended, run `make golden` and say why in the commit",
					i, o.Voters, o.Observers, o.Seed, k+1, want[k+1], lines[k])
				break
			}
			if k == n-1 {
				t.Errorf("pinned run %d (seed %d): %d events now, %d pinned (%s)", i, o.Seed, len(lines), len(want)-1, want[0])
			}
		}
	}
}

func readGolden(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var out []string
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if len(out) == 0 || !strings.HasPrefix(out[0], "# zablab pinned trace") {
		return nil, fmt.Errorf("%s: not a pinned trace", path)
	}
	return out, sc.Err()
}
