package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/web"
)

// cmdBenchZK drives a ZooKeeper client port with github.com/go-zookeeper/zk: ops/s and
// p50/p99 latency for creates, setData and getData with 1 and 32 concurrent clients. Without
// --servers it starts its own 3-server room at full speed with ZooKeeper timing; with
// --servers it measures whatever ensemble is there (e.g. a real ZooKeeper started by
// cmd/zablab/scripts/zk-ensemble.sh), so both sets of figures come from one program.
func cmdBenchZK(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench zk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	servers := fs.String("servers", "", "comma-separated host:port list of an ensemble to measure (default: start a zablab room)")
	ops := fs.Int("ops", 20000, "operations per measurement (all clients together)")
	maxTime := fs.Duration("max-time", 30*time.Second, "stop a measurement after this long")
	clientList := fs.String("clients", "1,32", "concurrent client counts")
	label := fs.String("label", "", "name printed for the system measured")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measurement to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "zablab bench zk:", err)
			return 1
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	var counts []int
	for _, s := range strings.Split(*clientList, ",") {
		var n int
		if _, err := fmt.Sscan(s, &n); err != nil || n < 1 || n > 512 {
			fmt.Fprintf(stderr, "zablab bench zk: bad client count %q\n", s)
			return 2
		}
		counts = append(counts, n)
	}
	if *ops < 100 || *ops > 10_000_000 {
		fmt.Fprintln(stderr, "zablab bench zk: --ops must be in [100, 1e7]")
		return 2
	}
	addrs := strings.Split(*servers, ",")
	name := *label
	if *servers == "" {
		srv, zkp, err := startBenchLab()
		if err != nil {
			fmt.Fprintln(stderr, "zablab bench zk:", err)
			return 1
		}
		defer zkp.Close()
		defer srv.Shutdown(nil)
		addrs = nil
		for id := 1; id <= 3; id++ {
			addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", zkp.Port(id)))
		}
		if name == "" {
			name = "zablab (3 servers, full speed, ZooKeeper timing)"
		}
	} else if name == "" {
		name = *servers
	}
	fmt.Fprintf(stdout, "%s — go-zookeeper clients, %d ops per row\n", name, *ops)
	fmt.Fprintf(stdout, "%-9s %8s %12s %10s %10s\n", "op", "clients", "ops/s", "p50 ms", "p99 ms")
	for _, n := range counts {
		for _, op := range []string{"create", "setData", "getData"} {
			r, err := runZKLoad(addrs, op, n, *ops, *maxTime)
			if err != nil {
				fmt.Fprintln(stderr, "zablab bench zk:", err)
				return 1
			}
			fmt.Fprintf(stdout, "%-9s %8d %12.0f %10.2f %10.2f\n", op, n, r.opsPerSec, r.p50.Seconds()*1000, r.p99.Seconds()*1000)
		}
	}
	return 0
}

func startBenchLab() (*web.Server, *web.ZKPorts, error) {
	var zkp atomic.Pointer[web.ZKPorts]
	srv, err := web.NewServer(web.Options{Addr: "127.0.0.1:0", Voters: 3, Seed: 1, Timing: engine.ZooKeeperTiming(),
		ZKPort: func(id int) int { return zkp.Load().Port(id) }})
	if err != nil {
		return nil, nil, err
	}
	z, warnings := web.StartZKPorts(srv.Main(), "127.0.0.1", -1, 3, func(string, ...any) {})
	if len(warnings) > 0 {
		return nil, nil, fmt.Errorf("%v", warnings)
	}
	zkp.Store(z)
	if err := srv.Main().SetSpeed(web.MaxSpeed); err != nil {
		return nil, nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if v, err := srv.Main().View(); err == nil && v.Leader != 0 {
			return srv, z, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil, nil, fmt.Errorf("no leader")
}

type loadResult struct {
	opsPerSec float64
	p50, p99  time.Duration
}

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

// runZKLoad runs `total` ops of one kind split over `clients` connections (each on its own
// server, round robin), bounded by maxTime.
func runZKLoad(addrs []string, op string, clients, total int, maxTime time.Duration) (loadResult, error) {
	conns := make([]*zk.Conn, clients)
	for i := range conns {
		c, ev, err := zk.Connect([]string{addrs[i%len(addrs)]}, 20*time.Second, zk.WithLogger(quietLogger{}))
		if err != nil {
			return loadResult{}, err
		}
		defer c.Close()
		deadline := time.After(20 * time.Second)
		for c.State() != zk.StateHasSession {
			select {
			case <-ev:
			case <-deadline:
				return loadResult{}, fmt.Errorf("no session with %s", addrs[i%len(addrs)])
			}
		}
		conns[i] = c
	}
	acl := zk.WorldACL(zk.PermAll)
	root := fmt.Sprintf("/bench-%s-%d-%d", op, clients, time.Now().UnixNano())
	if _, err := conns[0].Create(root, nil, 0, acl); err != nil {
		return loadResult{}, err
	}
	for i := range conns {
		if _, err := conns[0].Create(fmt.Sprintf("%s/k%d", root, i), []byte("0123456789abcdef"), 0, acl); err != nil {
			return loadResult{}, err
		}
	}
	for _, c := range conns {
		c.Sync(root)
	}
	per := total / clients
	if per < 1 {
		per = 1
	}
	lat := make([][]time.Duration, clients)
	var errs atomic.Int64
	stop := time.Now().Add(maxTime)
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range conns {
		wg.Add(1)
		go func(i int, c *zk.Conn) {
			defer wg.Done()
			key := fmt.Sprintf("%s/k%d", root, i)
			data := []byte("0123456789abcdef")
			ls := make([]time.Duration, 0, per)
			for j := 0; j < per && time.Now().Before(stop); j++ {
				t0 := time.Now()
				var err error
				switch op {
				case "create":
					_, err = c.Create(fmt.Sprintf("%s/c%d-%d", key, i, j), data, 0, acl)
				case "setData":
					_, err = c.Set(key, data, -1)
				default:
					_, _, err = c.Get(key)
				}
				if err != nil {
					errs.Add(1)
					continue
				}
				ls = append(ls, time.Since(t0))
			}
			lat[i] = ls
		}(i, c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, ls := range lat {
		all = append(all, ls...)
	}
	if len(all) == 0 {
		return loadResult{}, fmt.Errorf("%s: every request failed (%d errors)", op, errs.Load())
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return loadResult{opsPerSec: float64(len(all)) / elapsed.Seconds(), p50: all[len(all)/2], p99: all[len(all)*99/100]}, nil
}
