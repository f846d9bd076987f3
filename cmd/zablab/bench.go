package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/zablab/zablab/cmd/zablab/enginebench"
	"github.com/zablab/zablab/engine"
)

func cmdBench(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	txns := fs.Int("txns", 300_000, "committed txns to measure per cluster size")
	checkRuns := fs.Int("check-runs", 200, "runs for the check measurement")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *txns < 1000 || *txns > 100_000_000 || *checkRuns < 1 || *checkRuns > 100_000 {
		fmt.Fprintln(stderr, "zablab bench: --txns must be in [1000, 1e8] and --check-runs in [1, 100000]")
		return 2
	}
	fmt.Fprintf(stdout, "engine at full speed (%s timing, 8 clients × 64 pipelined setData, checker on), %d txns each:\n", engine.ZooKeeperTiming().Name, *txns)
	fmt.Fprintf(stdout, "%-8s %14s %14s %12s\n", "voters", "txns/s", "events/s", "sim seconds")
	for _, n := range []int{3, 5, 7} {
		r, err := enginebench.Bench(n, 8, 64, *txns)
		if err != nil {
			fmt.Fprintln(stderr, "zablab bench:", err)
			return 1
		}
		fmt.Fprintf(stdout, "%-8d %14.0f %14.0f %12.2f\n", n, r.TxnsPerSec, r.EventsPerSec, r.SimSeconds)
	}

	opts := make([]engine.CheckOptions, *checkRuns)
	for i := range opts {
		opts[i] = engine.CheckOptions{Voters: 5, Observers: 0, Seed: int64(i + 1)}
	}
	start := time.Now()
	var events uint64
	for _, o := range opts {
		events += engine.RunCheck(o).Events
	}
	one := time.Since(start)
	start = time.Now()
	runParallel(opts)
	all := time.Since(start)
	fmt.Fprintf(stdout, "\ncheck, 5 voters, %d runs of %d events on average: %.0f runs/s on one core, %.0f runs/s on %d cores\n",
		len(opts), events/uint64(len(opts)), float64(len(opts))/one.Seconds(), float64(len(opts))/all.Seconds(), runtime.GOMAXPROCS(0))

	perCluster, err := idleClusterBytes(40)
	if err != nil {
		fmt.Fprintln(stderr, "zablab bench:", err)
		return 1
	}
	fmt.Fprintf(stdout, "\nmemory per idle 5-server cluster (leader elected, 60 s idle): %.0f KiB\n", perCluster/1024)
	return 0
}

// idleClusterBytes measures the live heap per idle, elected 5-server cluster.
func idleClusterBytes(n int) (float64, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	keep := make([]*engine.Cluster, 0, n)
	for i := 0; i < n; i++ {
		cfg := engine.DefaultConfig(5, 0, int64(i+1))
		c, err := engine.NewCluster(cfg)
		if err != nil {
			return 0, err
		}
		c.Start()
		c.RunFor(60_000_000)
		if c.Leader() == 0 {
			return 0, fmt.Errorf("cluster %d elected no leader", i)
		}
		keep = append(keep, c)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n), nil
}
