package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/zablab/zablab/engine"
	_ "github.com/zablab/zablab/engine/check" // every cluster is checked
)

// shapes are the cluster sizes `check` cycles through when --nodes is not given.
var shapes = []struct{ voters, observers int }{{3, 0}, {5, 1}, {7, 2}, {3, 1}, {5, 0}, {7, 0}, {5, 2}}

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	runs := fs.Int("runs", 100, "number of runs")
	seed := fs.Int64("seed", 1, "seed of the first run (run i uses seed+i)")
	nodes := fs.Int("nodes", 0, "voting servers per run (default: cycle through 3, 5 and 7)")
	observers := fs.Int("observers", -1, "observers per run (default: cycle through 0 to 2)")
	bug := fs.String("bug", "", "teaching variant to turn on: commit-without-quorum, skip-truncate, elect-by-myid")
	faultMs := fs.Int64("fault-ms", 6000, "simulated milliseconds of faults per run")
	outDir := fs.String("out", "", "directory for the run files of violating runs (default: a new temporary directory)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	b, err := engine.ParseBug(*bug)
	if err != nil {
		fmt.Fprintln(stderr, "zablab check:", err)
		return 2
	}
	if *runs < 1 || *runs > 1_000_000 {
		fmt.Fprintln(stderr, "zablab check: --runs must be between 1 and 1000000")
		return 2
	}
	if *nodes != 0 && (*nodes < 1 || *nodes > engine.MaxVoters) {
		fmt.Fprintf(stderr, "zablab check: --nodes must be between 1 and %d\n", engine.MaxVoters)
		return 2
	}
	if *observers > engine.MaxObservers {
		fmt.Fprintf(stderr, "zablab check: --observers must be between 0 and %d\n", engine.MaxObservers)
		return 2
	}
	if *faultMs < 100 || *faultMs > 600_000 {
		fmt.Fprintln(stderr, "zablab check: --fault-ms must be between 100 and 600000")
		return 2
	}
	opts := make([]engine.CheckOptions, *runs)
	for i := range opts {
		sh := shapes[i%len(shapes)]
		o := engine.CheckOptions{Voters: sh.voters, Observers: sh.observers, Seed: *seed + int64(i), Bug: b, FaultMs: *faultMs}
		if *nodes != 0 {
			o.Voters = *nodes
		}
		if *observers >= 0 {
			o.Observers = *observers
		}
		opts[i] = o
	}
	start := time.Now()
	results := runParallel(opts)
	elapsed := time.Since(start)
	violations, committed, unknown, known := 0, 0, 0, 0
	digest := uint64(14695981039346656037)
	for _, r := range results {
		committed += r.Committed
		digest = (digest ^ r.Digest) * 1099511628211
		if r.Unknown {
			unknown++
			fmt.Fprintf(stdout, "run seed %d (%d voters, %d observers): linearizability unknown (porcupine found no answer in time; not a pass)\n", r.Seed, r.Voters, r.Observers)
		}
		for _, k := range r.Known {
			known++
			fmt.Fprintf(stdout, "run seed %d (%d voters, %d observers): %s, not a violation: %s\n", r.Seed, r.Voters, r.Observers, k.Invariant, k.Detail)
		}
		if r.Count == 0 {
			continue
		}
		violations += r.Count
		fmt.Fprintf(stdout, "run seed %d (%d voters, %d observers): %d violation(s)\n", r.Seed, r.Voters, r.Observers, r.Count)
		for i, v := range r.Violations {
			if i == 5 {
				fmt.Fprintf(stdout, "  … and %d more\n", r.Count-5)
				break
			}
			fmt.Fprintf(stdout, "  %s\n", v)
		}
		replay := fmt.Sprintf("zablab check --runs 1 --seed %d --nodes %d --observers %d", r.Seed, r.Voters, r.Observers)
		if b != engine.BugNone {
			replay += " --bug " + string(b)
		}
		if *faultMs != 6000 {
			replay += fmt.Sprintf(" --fault-ms %d", *faultMs)
		}
		fmt.Fprintf(stdout, "  replay: %s\n", replay)
		if path, err := writeViolationRun(outDir, r); err != nil {
			fmt.Fprintf(stdout, "  run file: not written: %v\n", err)
		} else {
			fmt.Fprintf(stdout, "  run file: %s\n  open it in the lab: zablab serve --open %s\n", path, path)
		}
	}
	fmt.Fprintf(stderr, "%d runs in %.2fs (%.0f runs/s)\n", len(results), elapsed.Seconds(), float64(len(results))/elapsed.Seconds())
	fmt.Fprintf(stdout, "not violations: %d linearizability unknown, %d %s\n", unknown, known, engine.StaleSyncRead)
	fmt.Fprintf(stdout, "checked %d runs: %d violations, %d txns committed, digest %016x\n", len(results), violations, committed, digest)
	if violations > 0 {
		return 1
	}
	return 0
}

// writeViolationRun saves a violating run as a run file cut at its first violation (the
// whole run when the violation came from a post-run check) and returns its path.
func writeViolationRun(dir *string, r engine.RunResult) (string, error) {
	if r.Run == nil {
		return "", fmt.Errorf("the run was not recorded")
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "zablab-check-")
		if err != nil {
			return "", err
		}
		*dir = d
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return "", err
	}
	rf, _, err := engine.UntilFirstViolation(r.Run)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(rf)
	if err != nil {
		return "", err
	}
	path := filepath.Join(*dir, fmt.Sprintf("violation-seed-%d.run.json", r.Seed))
	return path, os.WriteFile(path, b, 0o644)
}

// runParallel runs independent simulations on every core; results keep the input order.
func runParallel(opts []engine.CheckOptions) []engine.RunResult {
	results := make([]engine.RunResult, len(opts))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = engine.RunCheck(opts[i])
			}
		}()
	}
	for i := range opts {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}
