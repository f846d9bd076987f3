package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/gorilla/websocket"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/web"
)

// cmdBenchWeb measures event delivery to many websocket viewers of one busy room: the delay
// from the server publishing a batch to each viewer reading it, and the server's CPU.
func cmdBenchWeb(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench web", flag.ContinueOnError)
	fs.SetOutput(stderr)
	viewers := fs.Int("viewers", 200, "websocket viewers of room main")
	dur := fs.Duration("duration", 10*time.Second, "measurement time")
	writers := fs.Int("writers", 4, "ZooKeeper clients writing in a loop (the load)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *viewers < 1 || *viewers > 2000 || *dur < time.Second || *dur > 5*time.Minute || *writers < 0 || *writers > 64 {
		fmt.Fprintln(stderr, "zablab bench web: --viewers in [1, 2000], --duration in [1s, 5m], --writers in [0, 64]")
		return 2
	}
	var zkp atomic.Pointer[web.ZKPorts]
	srv, err := web.NewServer(web.Options{Addr: "127.0.0.1:0", Voters: 5, Seed: 1, Timing: engine.WatchTiming(),
		ZKPort: func(id int) int { return zkp.Load().Port(id) }})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	z, _ := web.StartZKPorts(srv.Main(), "127.0.0.1", -1, 5, func(string, ...any) {})
	zkp.Store(z)
	defer z.Close()
	url, err := srv.Listen()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	go srv.Serve()
	defer srv.Shutdown(nil)
	srv.Main().SetSpeed(4) // a busy room: 4× the watching speed
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if v, err := srv.Main().View(); err == nil && v.Leader != 0 {
			break
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes atomic.Int64
	for i := 0; i < *writers; i++ {
		c, _, err := zk.Connect([]string{fmt.Sprintf("127.0.0.1:%d", z.Port(1+i%5))}, 20*time.Second, zk.WithLogger(quietLogger{}))
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		defer c.Close()
		wg.Add(1)
		go func(i int, c *zk.Conn) {
			defer wg.Done()
			path := fmt.Sprintf("/load%d", i)
			for {
				_, err := c.Create(path, nil, 0, zk.WorldACL(zk.PermAll))
				if err == nil || err == zk.ErrNodeExists {
					break
				}
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := c.Set(path, []byte(fmt.Sprint(n)), -1); err == nil {
					writes.Add(1)
				} else {
					time.Sleep(50 * time.Millisecond)
				}
			}
		}(i, c)
	}
	wsURL := "ws" + strings.TrimPrefix(url, "http") + "api/rooms/main/ws"
	var mu sync.Mutex
	var delays []float64
	var events, resets atomic.Int64
	hdr := http.Header{}
	for i := 0; i < *viewers; i++ {
		conn, _, err := websocket.DefaultDialer.Dial(wsURL, hdr)
		if err != nil {
			fmt.Fprintln(stderr, "viewer:", err)
			return 1
		}
		defer conn.Close()
		wg.Add(1)
		go func(conn *websocket.Conn) {
			defer wg.Done()
			var local []float64
			for {
				select {
				case <-stop:
					mu.Lock()
					delays = append(delays, local...)
					mu.Unlock()
					return
				default:
				}
				conn.SetReadDeadline(time.Now().Add(2 * time.Second))
				_, data, err := conn.ReadMessage()
				if err != nil {
					continue
				}
				var m struct {
					Type   string            `json:"type"`
					Wall   int64             `json:"wall"`
					Events []json.RawMessage `json:"events"`
				}
				if json.Unmarshal(data, &m) != nil {
					continue
				}
				switch m.Type {
				case "events":
					local = append(local, float64(time.Now().UnixMilli()-m.Wall))
					events.Add(int64(len(m.Events)))
				case "reset":
					resets.Add(1)
				}
			}
		}(conn)
	}
	var before syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	start := time.Now()
	time.Sleep(*dur)
	var after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) * time.Nanosecond
	sort.Float64s(delays)
	if len(delays) == 0 {
		fmt.Fprintln(stderr, "no batches received")
		return 1
	}
	pct := func(p float64) float64 { return delays[int(p*float64(len(delays)-1))] }
	fmt.Fprintf(stdout, "%d viewers of one room (5 servers, 4× speed, %d ZooKeeper clients writing: %d writes), %v:\n", *viewers, *writers, writes.Load(), elapsed.Round(time.Millisecond))
	fmt.Fprintf(stdout, "  event batch delay from publish to viewer: p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d batches)\n", pct(0.5), pct(0.99), delays[len(delays)-1], len(delays))
	fmt.Fprintf(stdout, "  events delivered: %.0f per viewer per second; resets (viewer fell behind): %d\n", float64(events.Load())/float64(*viewers)/elapsed.Seconds(), resets.Load())
	fmt.Fprintf(stdout, "  process CPU (server and the load generators together): %.0f%% of one core\n", 100*cpu.Seconds()/elapsed.Seconds())
	return 0
}
