package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// clientHarness runs a real ZooKeeper client's test program (the C client, Curator) against
// room main: it resets the room to a fresh 3-server ZooKeeper-timed cluster, then answers the
// program's requests for cluster actions through the HTTP API, as an operator would.
//
// The program speaks a line protocol on stdout: "PASS name", "FAIL name: detail" and
// "SKIP name: reason" report checks; "@crash-leader" asks the harness to crash the leader
// (reply: the crashed leader's client port), "@restart" to restart the crashed server and
// wait until it serves (reply: its address), "@leader" for the leader's address. Each check
// becomes a subtest, so `go test -json` (and `make test-clients`) counts them one by one.
type clientHarness struct {
	*lab
	crashed int
}

func startClientHarness(t *testing.T) *clientHarness {
	t.Helper()
	h := &clientHarness{lab: startLab(t, 3, 1)}
	if r := call(t, h.ts, "POST", "/api/rooms/main/reset", `{"nodes":3,"seed":7,"timing":"zookeeper"}`); r.status != 200 {
		t.Fatalf("reset: %s", r.raw)
	}
	waitLeader(t, h.ts, "main")
	h.waitServing(h.leader())
	return h
}

// hosts is the connect string of every server; leaderFirst puts the leader first.
func (h *clientHarness) hosts() string { return strings.Join(h.addrs(), ",") }

func (h *clientHarness) leaderFirst() string {
	lead := h.leader()
	out := []string{h.addr(lead)}
	for id := 1; id <= 3; id++ {
		if id != lead {
			out = append(out, h.addr(id))
		}
	}
	return strings.Join(out, ",")
}

func (h *clientHarness) node(id int) map[string]any {
	v := call(h.t, h.ts, "GET", "/api/rooms/main", "")
	for _, n := range v.body["nodes"].([]any) {
		if m := n.(map[string]any); int(m["id"].(float64)) == id {
			return m
		}
	}
	return nil
}

func (h *clientHarness) waitServing(id int) {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := h.node(id); m != nil && m["serving"] == true {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.t.Fatalf("server %d does not serve within 30 s: %v", id, h.node(id))
}

// crashLeader crashes the leader and waits until another server leads and serves.
func (h *clientHarness) crashLeader() int {
	h.t.Helper()
	old := h.leader()
	if r := call(h.t, h.ts, "POST", fmt.Sprintf("/api/rooms/main/nodes/%d/crash", old), ""); r.status != 200 {
		h.t.Fatalf("crash %d: %s", old, r.raw)
	}
	h.crashed = old
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if lead := h.leader(); lead != 0 && lead != old {
			h.waitServing(lead)
			h.t.Logf("harness: crashed leader %d; server %d leads", old, lead)
			return old
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.t.Fatalf("no new leader within 30 s of crashing %d", old)
	return 0
}

func (h *clientHarness) restartCrashed() int {
	h.t.Helper()
	id := h.crashed
	if id == 0 {
		h.t.Fatal("restart asked for but no server was crashed")
	}
	if r := call(h.t, h.ts, "POST", fmt.Sprintf("/api/rooms/main/nodes/%d/restart", id), ""); r.status != 200 {
		h.t.Fatalf("restart %d: %s", id, r.raw)
	}
	h.crashed = 0
	h.waitServing(id)
	h.t.Logf("harness: restarted server %d; it serves", id)
	return id
}

// answer performs one "@action" request and returns the reply line.
func (h *clientHarness) answer(action string) string {
	switch action {
	case "crash-leader":
		return fmt.Sprint(h.zk.Port(h.crashLeader()))
	case "restart":
		return h.addr(h.restartCrashed())
	case "leader":
		return h.addr(h.leader())
	}
	h.t.Errorf("the client program asked for an unknown action %q", action)
	return ""
}

// runChecks runs cmd, reports each check line as a subtest and fails t when the program
// fails, reports no checks, or ends without its "DONE" line.
func (h *clientHarness) runChecks(t *testing.T, timeout time.Duration, cmd *exec.Cmd) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := startPiped(t, cmd)
	go func() {
		<-ctx.Done() // the timeout, or runChecks returning (also through t.Fatal)
		cmd.Process.Kill()
	}()
	checks, done := 0, false
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		verdict, rest, _ := strings.Cut(line, " ")
		switch verdict {
		case "PASS", "FAIL", "SKIP":
			checks++
			name, detail, _ := strings.Cut(rest, ": ")
			t.Run(name, func(t *testing.T) {
				switch verdict {
				case "FAIL":
					t.Error(detail)
				case "SKIP":
					t.Skip("SKIPPED: " + detail)
				}
			})
		case "DONE":
			done = true
			t.Log(line)
		default:
			if a, ok := strings.CutPrefix(line, "@"); ok {
				io.WriteString(stdin, h.answer(a)+"\n")
			} else {
				t.Log(line)
			}
		}
	}
	err = cmd.Wait()
	if ctx.Err() != nil {
		t.Errorf("the client program did not finish within %v", timeout)
	}
	if s := strings.TrimSpace(stderr.String()); s != "" && t.Failed() {
		if len(s) > 4000 {
			s = s[len(s)-4000:]
		}
		t.Logf("stderr:\n%s", s)
	}
	if err != nil || !done || checks == 0 {
		t.Errorf("client program: %v; %d checks; finished: %v", err, checks, done)
	}
}

// startPiped starts a client program with its stdout piped to the caller and its stderr kept
// for the failure message.
func startPiped(t *testing.T, cmd *exec.Cmd) (io.ReadCloser, *strings.Builder) {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &strings.Builder{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return stdout, stderr
}
