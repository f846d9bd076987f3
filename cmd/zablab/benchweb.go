package main

import (
	"bytes"
	"context"
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
	class := fs.Bool("class", false, "a class: the viewers join as students, a teacher asks a question half-way and every student answers within 2 s; reports how soon the teacher's histogram shows the last answer")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *viewers < 1 || *viewers > 2000 || *dur < time.Second || *dur > 5*time.Minute || *writers < 0 || *writers > 64 {
		fmt.Fprintln(stderr, "zablab bench web: --viewers in [1, 2000], --duration in [1s, 5m], --writers in [0, 64]")
		return 2
	}
	var zkp atomic.Pointer[web.ZKPorts]
	opts := web.Options{Addr: "127.0.0.1:0", Voters: 5, Seed: 1, Timing: engine.WatchTiming(),
		ZKPort: func(id int) int { return zkp.Load().Port(id) }}
	const benchCode, benchTeacher = "BENCH2", "bench-teacher-token"
	if *class {
		opts.JoinCode, opts.MainToken = benchCode, benchTeacher
	}
	srv, err := web.NewServer(opts)
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
	defer srv.Shutdown(context.Background())
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
	var events, resets, badHeads atomic.Int64
	const countEvery = 10
	counted := 0 // viewers that count events
	students := make([]string, *viewers)
	for i := 0; i < *viewers; i++ {
		hdr := http.Header{}
		if *class {
			tok, err := benchJoin(url, fmt.Sprintf("Student %d", i+1), benchCode)
			if err != nil {
				fmt.Fprintln(stderr, "join:", err)
				return 1
			}
			students[i] = tok
			hdr.Set("X-Zablab-Student", tok)
		}
		conn, _, err := websocket.DefaultDialer.Dial(wsURL, hdr)
		if err != nil {
			fmt.Fprintln(stderr, "viewer:", err)
			return 1
		}
		defer conn.Close()
		wg.Add(1)
		// Every viewer reads its frames and the publish time at their head; one in
		// countEvery also decodes them whole to count events. Decoding every frame in 200
		// readers would make the load generator, not the server, what the figures measure
		// (a browser decodes on its own machine).
		full := i%countEvery == 0
		if full {
			counted++
		}
		go func(conn *websocket.Conn, full bool) {
			defer wg.Done()
			var local []float64
			readFrames(conn, stop, func(data []byte) {
				typ, wall := frameHead(data)
				switch typ {
				case "events":
					if wall == 0 {
						badHeads.Add(1) // the hub's frame head changed: no delay to measure
						return
					}
					local = append(local, float64(time.Now().UnixMilli()-wall))
					if full {
						var m struct {
							Events []json.RawMessage `json:"events"`
						}
						if json.Unmarshal(data, &m) == nil {
							events.Add(int64(len(m.Events)))
						}
					}
				case "reset":
					resets.Add(1)
				}
			})
			mu.Lock()
			delays = append(delays, local...)
			mu.Unlock()
		}(conn, full)
	}
	// The class: the teacher's page hears every answer's count; each student answers once at
	// a random moment within 2 s of the question.
	var allAnswered atomic.Int64 // unix ns when the teacher's page saw the last answer counted
	var lastAnswer atomic.Int64  // unix ns when the last answer was sent
	var answerErrs atomic.Int64
	if *class {
		conn, _, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"X-Zablab-Token": {benchTeacher}})
		if err != nil {
			fmt.Fprintln(stderr, "teacher:", err)
			return 1
		}
		defer conn.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			readFrames(conn, stop, func(data []byte) {
				var m struct {
					Type  string `json:"type"`
					Class struct {
						Answered int `json:"answered"`
					} `json:"class"`
				}
				if json.Unmarshal(data, &m) == nil && m.Type == "answers" && m.Class.Answered == *viewers && allAnswered.Load() == 0 {
					allAnswered.Store(time.Now().UnixNano())
				}
			})
		}()
	}
	var before syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	start := time.Now()
	if *class {
		time.Sleep(*dur / 2)
		qid, err := benchAsk(url, benchTeacher)
		if err != nil {
			fmt.Fprintln(stderr, "question:", err)
			return 1
		}
		var answers sync.WaitGroup
		for i, tok := range students {
			answers.Add(1)
			go func(i int, tok string) {
				defer answers.Done()
				time.Sleep(time.Duration(i) * 2 * time.Second / time.Duration(len(students)))
				now := time.Now().UnixNano() // the student taps: the request leaves
				if err := benchAnswer(url, qid, tok, i%3); err != nil {
					answerErrs.Add(1)
					return
				}
				for {
					old := lastAnswer.Load()
					if now <= old || lastAnswer.CompareAndSwap(old, now) {
						break
					}
				}
			}(i, tok)
		}
		answers.Wait()
		time.Sleep(*dur - time.Since(start))
	} else {
		time.Sleep(*dur)
	}
	var after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) * time.Nanosecond
	if n := badHeads.Load(); n > 0 {
		fmt.Fprintf(stderr, "%d event batches without a publish time at their head: the hub's message format changed\n", n)
		return 1
	}
	sort.Float64s(delays)
	if len(delays) == 0 {
		fmt.Fprintln(stderr, "no batches received")
		return 1
	}
	pct := func(p float64) float64 { return delays[int(p*float64(len(delays)-1))] }
	fmt.Fprintf(stdout, "%d viewers of one room (5 servers, 4× speed, %d ZooKeeper clients writing: %d writes), %v:\n", *viewers, *writers, writes.Load(), elapsed.Round(time.Millisecond))
	fmt.Fprintf(stdout, "  event batch delay from publish to viewer: p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d batches)\n", pct(0.5), pct(0.99), delays[len(delays)-1], len(delays))
	fmt.Fprintf(stdout, "  events delivered: %.0f per viewer per second; resets (viewer fell behind): %d\n", float64(events.Load())/float64(counted)/elapsed.Seconds(), resets.Load())
	fmt.Fprintf(stdout, "  process CPU (server and the load generators together): %.0f%% of one core; peak RSS %.0f MiB\n", 100*cpu.Seconds()/elapsed.Seconds(), float64(after.Maxrss)/1024)
	if *class {
		if n := answerErrs.Load(); n > 0 {
			fmt.Fprintf(stdout, "  class: %d answers failed\n", n)
		}
		if allAnswered.Load() == 0 {
			fmt.Fprintf(stdout, "  class: the teacher's page never showed all %d answers\n", *viewers)
			return 1
		}
		fmt.Fprintf(stdout, "  class: %d students answered within 2 s; the teacher's histogram showed the last answer %.1f ms after it was sent\n",
			*viewers, float64(max(0, allAnswered.Load()-lastAnswer.Load()))/1e6)
	}
	return 0
}

// benchJoin joins room main's class as a student and returns the student token.
func benchJoin(base, name, code string) (string, error) {
	var out struct{ Student string }
	if err := benchPost(base+"api/rooms/main/join", fmt.Sprintf(`{"name": %q, "code": %q}`, name, code), nil, &out); err != nil {
		return "", err
	}
	return out.Student, nil
}

// benchAsk asks the class a question as the teacher and returns its id.
func benchAsk(base, token string) (string, error) {
	var out struct{ ID string }
	body := `{"text": {"en": "Who leads next?"}, "choices": ["S1", "S2", "S3"], "answer": 2}`
	if err := benchPost(base+"api/rooms/main/questions", body, http.Header{"X-Zablab-Token": {token}}, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}

// benchAnswer answers a question as a student.
func benchAnswer(base, qid, student string, choice int) error {
	return benchPost(base+"api/rooms/main/questions/"+qid+"/answers", fmt.Sprintf(`{"choice": %d}`, choice), http.Header{"X-Zablab-Student": {student}}, nil)
}

func benchPost(url, body string, hdr http.Header, out any) error {
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s: %d %s", url, res.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// readFrames hands each websocket frame to fn until stop closes, which closes the connection
// and so wakes a blocked read. A read error ends it: after one, gorilla's connection returns
// the same error forever, so reading on would only spin.
func readFrames(conn *websocket.Conn, stop <-chan struct{}, fn func([]byte)) {
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-stop:
			conn.Close()
		case <-done:
		}
	}()
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		fn(data)
	}
}

// frameHead reads a room message's type and, for an event batch, its publish time (Unix ms)
// from the head of the frame, where the hub writes them ({"type":"events","wall":N,...}).
func frameHead(data []byte) (typ string, wall int64) {
	const pre = `{"type":"`
	if !bytes.HasPrefix(data, []byte(pre)) {
		return "", 0
	}
	rest := data[len(pre):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return "", 0
	}
	typ = string(rest[:end])
	rest = rest[end:]
	const w = `","wall":`
	if !bytes.HasPrefix(rest, []byte(w)) {
		return typ, 0
	}
	rest = rest[len(w):]
	for _, ch := range rest {
		if ch < '0' || ch > '9' {
			break
		}
		wall = wall*10 + int64(ch-'0')
	}
	return typ, wall
}
