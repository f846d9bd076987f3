package web

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/lessons"
)

// TestRunHelperProcess is the other process of TestRunTravelsAcrossProcesses: a lab that
// prints its URL and serves until its standard input closes.
func TestRunHelperProcess(t *testing.T) {
	if os.Getenv("ZABLAB_RUN_HELPER") != "1" {
		t.Skip("helper process for TestRunTravelsAcrossProcesses")
	}
	s, err := NewServer(Options{Addr: "127.0.0.1:0", Voters: 3, Seed: 99, Timing: engine.FastTiming()})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	fmt.Printf("URL %s\n", ts.URL)
	bufio.NewReader(os.Stdin).ReadString('\n')
	ts.Close()
	s.Shutdown(t.Context())
}

// normalView drops what legitimately differs between the live room and its replay in
// another process: the room's name, its controls and the ZooKeeper ports.
func normalView(t *testing.T, raw string) string {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatal(err, raw)
	}
	for _, k := range []string{"room", "canControl", "speed", "pace", "paused", "lesson", "generation"} {
		delete(v, k)
	}
	for _, n := range v["nodes"].([]any) {
		delete(n.(map[string]any), "zkPort")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// A run recorded in room main — a lesson's steps, real go-zookeeper clients writing,
// crashes and partitions — saved with GET .../run and loaded with POST /api/runs in another
// process reaches the same digest and the same views at the same simulated times.
func TestRunTravelsAcrossProcesses(t *testing.T) {
	ls, err := lessons.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var zp *ZKPorts
	s, err := NewServer(Options{Addr: "127.0.0.1:0", Voters: 3, Seed: 5, Timing: engine.ZooKeeperTiming(), Lessons: ls,
		ZKPort: func(id int) int { mu.Lock(); defer mu.Unlock(); return zp.Port(id) }})
	if err != nil {
		t.Fatal(err)
	}
	z, warnings := StartZKPorts(s.Main(), "127.0.0.1", -1, 4, t.Logf)
	if len(warnings) > 0 {
		t.Fatal(warnings)
	}
	mu.Lock()
	zp = z
	mu.Unlock()
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() { z.Close(); ts.Close(); s.Shutdown(t.Context()) })

	// A lesson step in room main (the lesson's cluster becomes the room's).
	if r := call(t, ts, "POST", "/api/rooms/main/lesson", `{"action":"start","slug":"a-write"}`); r.status != 200 {
		t.Fatalf("lesson start: %d %s", r.status, r.raw)
	}
	call(t, ts, "POST", "/api/rooms/main/lesson", `{"action":"next"}`)
	deadline := time.Now().Add(20 * time.Second)
	for lessonOf(t, call(t, ts, "GET", "/api/rooms/main", "")).Playing && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	call(t, ts, "POST", "/api/rooms/main/lesson", `{"action":"stop"}`)
	call(t, ts, "POST", "/api/rooms/main/resume", "")
	call(t, ts, "POST", "/api/rooms/main/speed", `{"speed": 20}`)
	waitLeader(t, ts, "main")

	// Real clients write through two servers.
	var addrs []string
	for id := 1; id <= 3; id++ {
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", z.Port(id)))
	}
	conn := func(a string) *zk.Conn {
		c, ev, err := zk.Connect([]string{a}, 8*time.Second, zk.WithLogInfo(false), zk.WithLogger(quiet{}))
		if err != nil {
			t.Fatal(err)
		}
		for c.State() != zk.StateHasSession {
			select {
			case <-ev:
			case <-time.After(15 * time.Second):
				t.Fatalf("no session at %s", a)
			}
		}
		t.Cleanup(c.Close)
		return c
	}
	c1, c2 := conn(addrs[0]), conn(addrs[1])
	if _, err := c1.Create("/r", []byte("x"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := c2.Create(fmt.Sprintf("/r/n%d", i), []byte("v"), 0, zk.WorldACL(zk.PermAll)); err != nil {
			t.Fatal(err)
		}
	}
	type moment struct{ view, run string }
	var moments []moment
	capture := func() {
		t.Helper()
		call(t, ts, "POST", "/api/rooms/main/pause", "")
		v := call(t, ts, "GET", "/api/rooms/main", "")
		r := call(t, ts, "GET", "/api/rooms/main/run", "")
		if v.status != 200 || r.status != 200 {
			t.Fatalf("capture: %d %d", v.status, r.status)
		}
		moments = append(moments, moment{v.raw, r.raw})
		call(t, ts, "POST", "/api/rooms/main/resume", "")
	}
	capture()
	// A crash of the leader, a partition, more writes, a heal.
	l := int(waitLeader(t, ts, "main")["leader"].(float64))
	call(t, ts, "POST", fmt.Sprintf("/api/rooms/main/nodes/%d/crash", l), "")
	capture()
	// Cut off the observer (the voters keep a quorum with the leader down).
	n := len(waitLeader(t, ts, "main")["nodes"].([]any))
	x := n
	var rest []string
	for id := 1; id <= n; id++ {
		if id != x {
			rest = append(rest, fmt.Sprint(id))
		}
	}
	call(t, ts, "POST", "/api/rooms/main/partition", fmt.Sprintf(`{"groups":[[%s],[%d]]}`, strings.Join(rest, ","), x))
	waitLeader(t, ts, "main")
	cw := conn(addrs[0])
	if _, err := cw.Set("/r", []byte("after"), -1); err != nil && err != zk.ErrConnectionClosed {
		t.Logf("set during partition: %v", err)
	}
	call(t, ts, "POST", "/api/rooms/main/heal", "")
	call(t, ts, "POST", fmt.Sprintf("/api/rooms/main/nodes/%d/restart", l), "")
	waitLeader(t, ts, "main")
	capture()

	var rf engine.RunFile
	json.Unmarshal([]byte(moments[len(moments)-1].run), &rf)
	kinds := map[engine.CommandKind]int{}
	for _, e := range rf.Commands {
		kinds[e.Cmd.Kind]++
	}
	for _, k := range []engine.CommandKind{engine.CmdZkConnect, engine.CmdZkRequest, engine.CmdCrash, engine.CmdPartition, engine.CmdHeal, engine.CmdRestart} {
		if kinds[k] == 0 {
			t.Errorf("the run has no %s command: %v", k, kinds)
		}
	}

	// The other process.
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunHelperProcess$")
	cmd.Env = append(os.Environ(), "ZABLAB_RUN_HELPER=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "URL ") {
		t.Fatalf("helper process: %q %v", line, err)
	}
	other := strings.TrimSpace(strings.TrimPrefix(line, "URL "))
	for i, m := range moments {
		res, err := http.Post(other+"/api/runs", "application/json", strings.NewReader(m.run))
		if err != nil {
			t.Fatal(err)
		}
		var created map[string]string
		json.NewDecoder(res.Body).Decode(&created)
		res.Body.Close()
		if res.StatusCode != 201 {
			t.Fatalf("moment %d: POST /api/runs: %d %v", i, res.StatusCode, created)
		}
		get := func(path string) string {
			req, _ := http.NewRequest("GET", other+path, nil)
			req.Header.Set("X-Zablab-Token", created["token"])
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var b strings.Builder
			bufio.NewReader(res.Body).WriteTo(&b)
			return b.String()
		}
		if got, want := normalView(t, get("/api/rooms/"+created["room"])), normalView(t, m.view); got != want {
			t.Errorf("moment %d: the replayed view differs\nlive:   %s\nreplay: %s", i, want, got)
		}
		var back, orig engine.RunFile
		json.Unmarshal([]byte(get("/api/rooms/"+created["room"]+"/run")), &back)
		json.Unmarshal([]byte(m.run), &orig)
		if back.Digest != orig.Digest || back.End != orig.End {
			t.Errorf("moment %d: digest %s at %d in the other process, %s at %d live", i, back.Digest, back.End, orig.Digest, orig.End)
		}
	}
}

// POST /api/runs refuses bad files with the reason and creates nothing.
func TestPostRunBadInput(t *testing.T) {
	s, ts := newTestServer(t)
	before := len(s.roomNames())
	good := call(t, ts, "GET", "/api/rooms/main/run", "").raw
	cases := map[string]string{
		"not json":        `{`,
		"wrong format":    strings.Replace(good, "zablab-run/1", "zablab-run/7", 1),
		"unknown command": strings.Replace(good, `"kind":"start"`, `"kind":"explode"`, 1),
		"bad digest":      strings.Replace(good, `"digest":"`, `"digest":"00`, 1),
	}
	for name, body := range cases {
		r := call(t, ts, "POST", "/api/runs", body)
		if r.status != 400 || r.body["error"] == nil {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
	}
	if n := len(s.roomNames()); n != before {
		t.Fatalf("bad run files created rooms: %d → %d", before, n)
	}
	// A tampered digest (valid hex, wrong value) is refused as a mismatch.
	var rf map[string]any
	json.Unmarshal([]byte(good), &rf)
	rf["digest"] = "0123456789abcdef"
	b, _ := json.Marshal(rf)
	if r := call(t, ts, "POST", "/api/runs", string(b)); r.status != 400 || r.body["code"] != "digest_mismatch" {
		t.Fatalf("wrong digest: %d %s", r.status, r.raw)
	}
	// Generic commands: a bad one is refused, a good one applies and is recorded.
	if r := call(t, ts, "POST", "/api/rooms/main/commands", `{"kind":"crash","node":9}`); r.status != 400 {
		t.Fatalf("bad command: %d %s", r.status, r.raw)
	}
	if r := call(t, ts, "POST", "/api/rooms/main/commands", `{"kind":"zk.detach","conn":1}`); r.status != 400 {
		t.Fatalf("zk command from REST: %d %s", r.status, r.raw)
	}
	if r := call(t, ts, "POST", "/api/rooms/main/commands", `{"kind":"net","latencyUs":5000,"lossPct":1}`); r.status != 200 {
		t.Fatalf("net command: %d %s", r.status, r.raw)
	}
	if run := call(t, ts, "GET", "/api/rooms/main/run", "").raw; !strings.Contains(run, `"kind":"net"`) {
		t.Fatal("the net command is not in the run")
	}
}
