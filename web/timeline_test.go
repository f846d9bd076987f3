package web

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/zkdb"
)

// pastView drops the fields of a view that belong to the room now rather than to the moment.
func pastView(t *testing.T, raw []byte) string {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"room", "canControl", "speed", "pace", "paused", "lesson", "generation", "events"} {
		delete(v, k)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// drive runs room main paused, by simulated time, with faults and client writes, and records
// its view at 50 random moments.
func drive(t *testing.T, s *Server) map[int64]string {
	t.Helper()
	r := s.Main()
	views := map[int64]string{}
	rng := rand.New(rand.NewPCG(1, 2))
	_, err := r.do(func() (any, error) {
		r.paused = true
		c := r.c
		cl := c.NewClient(0, 4000)
		now := c.Now()
		var moments []int64
		for i := 0; i < 50; i++ {
			moments = append(moments, now+1000+rng.Int64N(12_000_000))
		}
		slices.Sort(moments)
		faults := map[int]func(){
			5:  func() { c.Crash(c.Leader()) },
			15: func() { c.Partition([][]int{{1, 2}, {3, 4}}) },
			25: func() { c.Heal() },
			30: func() { c.Restart(1); c.Restart(2); c.Restart(3) },
		}
		for i := 0; ; i++ {
			next := now + int64(i)*250_000
			if next > now+12_000_000 {
				break
			}
			for _, m := range moments {
				if m > c.Now() && m <= next {
					c.RunUntil(m)
					b, _ := json.Marshal(r.view())
					views[m] = string(b)
				}
			}
			c.RunUntil(next)
			if f := faults[i]; f != nil {
				f()
			}
			cl.Submit(zkdb.Op{Type: zkdb.OpSetData, Path: "/", Data: []byte(fmt.Sprint(i)), Version: -1}, false, nil)
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return views
}

// The view at a past moment equals, field for field, the view the room showed live then.
func TestAtEqualsTheLiveView(t *testing.T) {
	s, ts := newTestServer(t)
	views := drive(t, s)
	if len(views) < 45 {
		t.Fatalf("only %d moments recorded", len(views))
	}
	for m, live := range views {
		r := call(t, ts, "GET", fmt.Sprintf("/api/rooms/main/at?t=%g", float64(m)/1000), "")
		if r.status != 200 {
			t.Fatalf("at %d µs: %d %s", m, r.status, r.raw)
		}
		if got, want := pastView(t, []byte(r.raw)), pastView(t, []byte(live)); got != want {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Fatalf("at %d µs the view differs at byte %d\nlive: %s\nat:   %s", m, i, want[max(0, i-300):min(len(want), i+200)], got[max(0, i-300):min(len(got), i+200)])
		}
		if !strings.Contains(r.raw, `"events":[`) {
			t.Fatalf("at %d µs: no events", m)
		}
	}
}

// The tape marks the first election and its winner, the crash, the partition and heal, the
// restarts and the writes, at the times the events happened.
func TestTimelineMarks(t *testing.T) {
	s, ts := newTestServer(t)
	drive(t, s)
	r := call(t, ts, "GET", "/api/rooms/main/timeline", "")
	var tl TimelineJSON
	if err := json.Unmarshal([]byte(r.raw), &tl); err != nil || r.status != 200 {
		t.Fatalf("timeline: %d %v", r.status, err)
	}
	kinds := map[string]int{}
	for _, m := range tl.Marks {
		kinds[m.Kind]++
		if m.Text == "" || m.T < 0 || m.T > tl.End {
			t.Fatalf("bad mark %+v (end %g)", m, tl.End)
		}
	}
	for _, k := range []string{"election", "leader", "epoch", "crash", "restart", "partition", "heal", "write", "sync"} {
		if kinds[k] == 0 {
			t.Errorf("no %q mark: %v", k, kinds)
		}
	}
	if tl.Marks[0].Kind != "election" || tl.Marks[0].T != 0 {
		t.Errorf("the tape does not start with the first election: %+v", tl.Marks[0])
	}
	zh := call(t, ts, "GET", "/api/rooms/main/timeline?lang=zh", "")
	if !strings.Contains(zh.raw, "服务器") {
		t.Error("the Chinese tape has no Chinese text")
	}
	// The crash mark is where the view shows the leader going down.
	for _, m := range tl.Marks {
		if m.Kind != "crash" {
			continue
		}
		before := call(t, ts, "GET", fmt.Sprintf("/api/rooms/main/at?t=%g", m.T-0.001), "")
		after := call(t, ts, "GET", fmt.Sprintf("/api/rooms/main/at?t=%g", m.T), "")
		down := fmt.Sprintf(`"id":%d,"role":"participant","state":"DOWN"`, m.Node)
		if strings.Contains(before.raw, down) || !strings.Contains(after.raw, down) {
			t.Errorf("crash mark at %g ms for server %d does not match the views", m.T, m.Node)
		}
		break
	}
}

// Forking at a moment continues the room from exactly that moment, deterministically.
func TestForkThenContinueIsDeterministic(t *testing.T) {
	s, ts := newTestServer(t)
	drive(t, s)
	digestAfter := func() string {
		r := call(t, ts, "POST", "/api/rooms/main/fork", `{"t": 6000}`)
		if r.status != 200 {
			t.Fatalf("fork: %d %s", r.status, r.raw)
		}
		if r.body["timeMs"].(float64) != 6000 {
			t.Fatalf("forked room at %v ms", r.body["timeMs"])
		}
		var d string
		s.Main().do(func() (any, error) {
			s.Main().c.RunFor(3_000_000)
			d = engine.DigestString(s.Main().c.Digest())
			return nil, nil
		})
		return d
	}
	a, b := digestAfter(), digestAfter()
	if a != b {
		t.Fatalf("two forks at the same moment diverge: %s vs %s", a, b)
	}
	// A sandbox fork leaves the room alone.
	r := call(t, ts, "POST", "/api/rooms/main/fork", `{"t": 1000, "sandbox": true}`)
	if r.status != 201 || r.body["room"] == nil {
		t.Fatalf("sandbox fork: %d %s", r.status, r.raw)
	}
	v := call(t, ts, "GET", "/api/rooms/"+r.body["room"].(string), "", "X-Zablab-Token", r.body["token"].(string))
	if v.body["timeMs"].(float64) != 1000 {
		t.Fatalf("sandbox starts at %v ms", v.body["timeMs"])
	}
}

// Bad moments, unknown rooms and foreign origins get clear errors and change nothing.
func TestPastBadInput(t *testing.T) {
	s, ts := newTestServer(t)
	drive(t, s)
	before := call(t, ts, "GET", "/api/rooms/main/run", "").body["digest"]
	for _, tc := range []struct {
		method, path, body string
		status             int
		hdr                []string
	}{
		{"GET", "/api/rooms/main/at?t=-5", "", 404, nil},
		{"GET", "/api/rooms/main/at?t=99999999", "", 404, nil},
		{"GET", "/api/rooms/main/at?t=abc", "", 400, nil},
		{"GET", "/api/rooms/main/at", "", 400, nil},
		{"GET", "/api/rooms/nope/at?t=1", "", 404, nil},
		{"GET", "/api/rooms/main/events?from=0&kinds=bogus", "", 400, nil},
		{"GET", "/api/rooms/main/events?from=5000&to=1000", "", 400, nil},
		{"POST", "/api/rooms/main/fork", `{"t": -1}`, 404, nil},
		{"POST", "/api/rooms/main/fork", `{}`, 400, nil},
		{"POST", "/api/rooms/main/fork", `{"t": 1000}`, 403, []string{"Origin", "http://evil.example"}},
	} {
		r := call(t, ts, tc.method, tc.path, tc.body, tc.hdr...)
		if r.status != tc.status || r.body["error"] == nil {
			t.Errorf("%s %s %s: %d %s, want %d", tc.method, tc.path, tc.body, r.status, r.raw, tc.status)
		}
	}
	if after := call(t, ts, "GET", "/api/rooms/main/run", "").body["digest"]; after != before {
		t.Fatal("bad requests changed the room")
	}
}

// The events of a window come with their message ids, filtered by kind and paged.
func TestEventsWindow(t *testing.T) {
	s, ts := newTestServer(t)
	drive(t, s)
	r := call(t, ts, "GET", "/api/rooms/main/events?from=0&to=3000&kinds=send,deliver,drop", "")
	var page EventsPage
	json.Unmarshal([]byte(r.raw), &page)
	if r.status != 200 || len(page.Events) == 0 {
		t.Fatalf("events: %d %.300s", r.status, r.raw)
	}
	sends := map[uint64]bool{}
	for _, e := range page.Events {
		if e.Kind != "send" && e.Kind != "deliver" && e.Kind != "drop" {
			t.Fatalf("kind %s not asked for", e.Kind)
		}
		if e.T > 3000 {
			t.Fatalf("event at %g ms outside the window", e.T)
		}
		if e.Kind == "send" {
			sends[e.MsgID] = true
		} else if !sends[e.MsgID] && e.T > 500 {
			t.Fatalf("%s of message %d without its send", e.Kind, e.MsgID)
		}
	}
	if page.More {
		last := page.Events[len(page.Events)-1].Seq
		next := call(t, ts, "GET", fmt.Sprintf("/api/rooms/main/events?from=0&to=3000&kinds=send,deliver,drop&after=%d", last), "")
		var p2 EventsPage
		json.Unmarshal([]byte(next.raw), &p2)
		if len(p2.Events) == 0 || p2.Events[0].Seq <= last {
			t.Fatal("the next page does not continue after the last event")
		}
	}
}

// Each step advances to the next event a person can see and names it: the event counter
// always moves (no step that only fires an invisible timer).
func TestStepShowsAnEvent(t *testing.T) {
	_, ts := newTestServer(t)
	call(t, ts, "POST", "/api/rooms/main/pause", "")
	last := -1.0
	for i := 0; i < 30; i++ {
		r := call(t, ts, "POST", "/api/rooms/main/step", "")
		if r.status != 200 {
			t.Fatalf("step: %d %s", r.status, r.raw)
		}
		seq := r.body["eventSeq"].(float64)
		st, ok := r.body["stepped"].(map[string]any)
		if !ok || seq <= last || st["kind"] == "" {
			t.Fatalf("step %d changed nothing visible: eventSeq %v after %v, stepped %v", i, seq, last, r.body["stepped"])
		}
		if st["seq"].(float64) != last+1 && last >= 0 {
			t.Fatalf("step %d skipped events: first shown %v, previous end %v", i, st["seq"], last)
		}
		last = seq
	}
}

// The autopilot runs a room by itself: writes at its rate and faults at its interval, in
// simulated time, each recorded in the run as an ordinary command (so the run replays
// without it); turning it off stops both; bad settings are refused.
func TestAutopilot(t *testing.T) {
	s, ts := newTestServer(t)
	if r := call(t, ts, "POST", "/api/rooms/main/autopilot", `{"writesPerSec": 5, "faultEverySec": 2, "faults": ["leader", "partition"]}`); r.status != 200 || r.body["autopilot"] == nil {
		t.Fatalf("autopilot on: %d %s", r.status, r.raw)
	}
	r := s.Main()
	r.do(func() (any, error) { r.c.RunFor(10_000_000); return nil, nil })
	run := call(t, ts, "GET", "/api/rooms/main/run", "")
	var rf engine.RunFile
	json.Unmarshal([]byte(run.raw), &rf)
	kinds := map[engine.CommandKind]int{}
	for _, e := range rf.Commands {
		kinds[e.Cmd.Kind]++
	}
	if kinds[engine.CmdClientOp] < 30 || kinds[engine.CmdCrash]+kinds[engine.CmdPartition] < 3 {
		t.Fatalf("10 s of autopilot recorded %v", kinds)
	}
	if _, err := engine.Replay(&rf, -1); err != nil {
		t.Fatal(err)
	}
	call(t, ts, "POST", "/api/rooms/main/autopilot", `{}`)
	before := len(rf.Commands)
	r.do(func() (any, error) { r.c.RunFor(10_000_000); return nil, nil })
	json.Unmarshal([]byte(call(t, ts, "GET", "/api/rooms/main/run", "").raw), &rf)
	if extra := len(rf.Commands) - before; extra > 4 { // pending restarts and heals still undo their faults
		t.Fatalf("the autopilot kept going after it was turned off: %d more commands", extra)
	}
	for _, bad := range []string{`{"writesPerSec": -1}`, `{"writesPerSec": 1000}`, `{"faultEverySec": 5}`, `{"faultEverySec": 5, "faults": ["meteor"]}`} {
		if x := call(t, ts, "POST", "/api/rooms/main/autopilot", bad); x.status != 400 {
			t.Errorf("%s: %d %s", bad, x.status, x.raw)
		}
	}
}

// The diagram can leave PINGs out of a window (they are most of a busy window's messages).
func TestEventsHidePackets(t *testing.T) {
	s, ts := newTestServer(t)
	drive(t, s)
	all := call(t, ts, "GET", "/api/rooms/main/events?from=0&to=6000&kinds=send", "").raw
	noPing := call(t, ts, "GET", "/api/rooms/main/events?from=0&to=6000&kinds=send&hidePackets=PING", "").raw
	if !strings.Contains(all, `"packet":"PING"`) || strings.Contains(noPing, `"packet":"PING"`) || !strings.Contains(noPing, `"packet":"PROPOSAL"`) {
		t.Fatal("hidePackets=PING does not leave out exactly the PINGs")
	}
}

// A moment too far from every kept replay (a room that ran long at full speed) is refused
// with a clear error instead of replaying without bound.
func TestAtTooFar(t *testing.T) {
	s, ts := newTestServer(t)
	drive(t, s)
	old := maxReplayEvents
	maxReplayEvents = 500
	defer func() { maxReplayEvents = old }()
	r := call(t, ts, "GET", "/api/rooms/main/at?t=9000", "")
	if r.status != 422 || r.body["code"] != "too_far" {
		t.Fatalf("far moment: %d %s", r.status, r.raw)
	}
	if r := call(t, ts, "POST", "/api/rooms/main/fork", `{"t": 9000, "sandbox": true}`); r.status != 422 {
		t.Fatalf("far fork: %d %s", r.status, r.raw)
	}
	if r := call(t, ts, "GET", "/api/rooms/main/at?t=1", ""); r.status != 200 {
		t.Fatalf("a near moment: %d %s", r.status, r.raw)
	}
}

// A run opened as a sandbox, and a fork of it into a sandbox, show on their tapes the marks
// the room showed up to then (found while replaying the run, not lost).
func TestTimelineMarksOfOpenedRun(t *testing.T) {
	s, ts := newTestServer(t)
	drive(t, s)
	timeline := func(room string) TimelineJSON {
		t.Helper()
		r := call(t, ts, "GET", "/api/rooms/"+room+"/timeline", "")
		var tl TimelineJSON
		if err := json.Unmarshal([]byte(r.raw), &tl); err != nil || r.status != 200 {
			t.Fatalf("timeline of %s: %d %v", room, r.status, err)
		}
		return tl
	}
	same := func(room string, got TimelineJSON, upTo float64) {
		t.Helper()
		want := timeline("main")
		n := 0
		for _, m := range want.Marks {
			if m.T > upTo {
				break
			}
			if n >= len(got.Marks) {
				t.Fatalf("%s: %d marks; the room showed more: %+v", room, n, m)
			}
			if g := got.Marks[n]; g.T != m.T || g.Kind != m.Kind || g.Text != m.Text {
				t.Fatalf("%s: mark %d is %+v, the room showed %+v", room, n, g, m)
			}
			n++
		}
		if n < 5 || n != len(got.Marks) {
			t.Fatalf("%s: %d marks, the room showed %d up to %g ms", room, len(got.Marks), n, upTo)
		}
	}
	run := call(t, ts, "GET", "/api/rooms/main/run", "")
	up := call(t, ts, "POST", "/api/runs", run.raw)
	if up.status != 201 {
		t.Fatalf("open run: %d %s", up.status, up.raw)
	}
	box := up.body["room"].(string)
	tl := timeline(box)
	same(box, tl, tl.End)
	at := tl.Marks[len(tl.Marks)/2].T
	fk := call(t, ts, "POST", "/api/rooms/"+box+"/fork", fmt.Sprintf(`{"t":%g,"sandbox":true}`, at))
	if fk.status != 201 {
		t.Fatalf("fork: %d %s", fk.status, fk.raw)
	}
	same(fk.body["room"].(string), timeline(fk.body["room"].(string)), at)
}

// A window longer than a cursor's recent-event buffer comes back whole: every event once, in
// order, even when walking the window compacts the buffer.
func TestEventsWindowLongerThanTheBuffer(t *testing.T) {
	defer func(n int) { maxRecent = n }(maxRecent)
	maxRecent = 64
	s, ts := newTestServer(t)
	drive(t, s)
	var seqs []uint64
	after := uint64(0)
	for pages := 0; pages < 100; pages++ {
		r := call(t, ts, "GET", fmt.Sprintf("/api/rooms/main/events?from=0&to=8000&after=%d", after), "")
		var page struct { // only the numbers (reasons do not decode back)
			Events []struct{ Seq uint64 }
			More   bool
		}
		if err := json.Unmarshal([]byte(r.raw), &page); err != nil || r.status != 200 {
			t.Fatalf("events: %d %v %.300s", r.status, err, r.raw)
		}
		for _, e := range page.Events {
			seqs = append(seqs, e.Seq)
		}
		if !page.More {
			break
		}
		after = page.Events[len(page.Events)-1].Seq
	}
	if len(seqs) < 10*maxRecent {
		t.Fatalf("only %d events in the window; the test needs many more than the buffer (%d)", len(seqs), maxRecent)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]+1 {
			t.Fatalf("event %d follows event %d: events skipped or repeated", seqs[i], seqs[i-1])
		}
	}
}

// With the ZooKeeper profile's start-up skew, the tape marks each server's start at its own
// moment; without skew a cold start adds no start marks.
func TestTimelineMarksSkewedStarts(t *testing.T) {
	for _, tc := range []struct {
		timing engine.Timing
		want   int
	}{{engine.ZooKeeperTiming(), 3}, {engine.WatchTiming(), 0}} {
		cfg := engine.DefaultConfig(3, 0, 4)
		cfg.Timing = tc.timing
		c, err := engine.NewCluster(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c.Start()
		c.RunFor(2_000_000)
		_, m, err := replayMarked(c.RunFile())
		if err != nil {
			t.Fatal(err)
		}
		at := map[float64]bool{}
		for _, k := range m.marks {
			if k.Kind == "start" {
				at[k.T] = true
			}
		}
		if len(at) != tc.want {
			t.Errorf("%s timing: start marks at %v, want %d distinct moments", tc.timing.Name, at, tc.want)
		}
	}
}
