// Command zablab runs the ZAB lab: randomized invariant checks and benchmarks of the
// simulated ZooKeeper ensemble.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `zablab — learn how ZooKeeper keeps its replicas consistent

Usage:
  zablab [serve] [--addr 127.0.0.1:8080] [--nodes 5] [--observers 0] [--seed 1] [--timing watch|zookeeper|fast] [--zk-port-base 2180]
        the lab in the browser (room main, plus sandbox rooms)
  zablab serve --open FILE.run.json
        the lab with a saved run in room main, paused at the run's end
  zablab check --runs N --seed S [--nodes N] [--observers M] [--bug NAME] [--out DIR]
        randomized fault schedules with the invariant checker on; violating runs are saved
        as run files in DIR
  zablab replay FILE.run.json [--until MS] [--lang en|zh] [--quiet]
        replay a run file headless: its timeline and digest (exit 1 if the digest differs)
  zablab run FILE [--lang en|zh]
        run a lesson headless and print its timeline and checkpoints
  zablab bench [--txns N]
        engine throughput (committed txns/s, events/s), check runs/s, memory per idle cluster
  zablab bench zk [--servers h:p,...] [--ops N] [--clients 1,32]
        ZooKeeper-protocol ops/s and latency with go-zookeeper clients (zablab or a real ensemble)
  zablab bench web [--viewers 200] [--duration 10s]
        event delivery delay to many websocket viewers of one busy room, and server CPU

Bugs (teaching variants, off by default): commit-without-quorum, skip-truncate, elect-by-myid
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-') {
		return cmdServe(args, stdout, stderr)
	}
	switch args[0] {
	case "serve":
		return cmdServe(args[1:], stdout, stderr)
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "replay":
		return cmdReplay(args[1:], stdout, stderr)
	case "bench":
		if len(args) > 1 && args[1] == "zk" {
			return cmdBenchZK(args[2:], stdout, stderr)
		}
		if len(args) > 1 && args[1] == "web" {
			return cmdBenchWeb(args[2:], stdout, stderr)
		}
		return cmdBench(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "zablab: unknown command %q\n\n%s", args[0], usage)
	return 2
}
