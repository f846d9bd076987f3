package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/zkdb"
	"github.com/zablab/zablab/lessons"
)

// A classroom server: room main has the teacher's token, students join with the code.
func newClassServer(t *testing.T) (*Server, string, func(method, path, body string, hdr ...string) resp) {
	t.Helper()
	s, ts := newServerWith(t, Options{Addr: "127.0.0.1:0", Voters: 3, Seed: 2, Timing: engine.FastTiming(), MainToken: "teacher-token", JoinCode: "ZAB123"})
	return s, "teacher-token", func(method, path, body string, hdr ...string) resp {
		t.Helper()
		return call(t, ts, method, path, body, hdr...)
	}
}

func join(t *testing.T, do func(string, string, string, ...string) resp, name string) string {
	t.Helper()
	r := do("POST", "/api/rooms/main/join", fmt.Sprintf(`{"name": %q, "code": "zab123"}`, name))
	if r.status != 200 || r.body["student"] == nil {
		t.Fatalf("join %s: %d %s", name, r.status, r.raw)
	}
	return r.body["student"].(string)
}

// Students watch but do not command, unless the teacher hands them control (and takes it
// back); the teacher commands; bad joins are refused.
func TestClassroomRoles(t *testing.T) {
	_, tok, do := newClassServer(t)
	if r := do("POST", "/api/rooms/main/join", `{"name":"Eve","code":"WRONG"}`); r.status != 403 {
		t.Fatalf("wrong code: %d %s", r.status, r.raw)
	}
	if r := do("POST", "/api/rooms/main/join", `{"name":"`+strings.Repeat("x", 41)+`","code":"ZAB123"}`); r.status != 400 {
		t.Fatalf("long name: %d %s", r.status, r.raw)
	}
	ana := join(t, do, "Ana")
	bo := join(t, do, "<b>Bo</b>")
	S := func(tok string) []string { return []string{"X-Zablab-Student", tok} }
	T := []string{"X-Zablab-Token", tok}
	for _, path := range []string{"/api/rooms/main", "/api/rooms/main/timeline", "/api/rooms/main/run"} {
		if r := do("GET", path, "", S(ana)...); r.status != 200 {
			t.Fatalf("student reads %s: %d", path, r.status)
		}
	}
	for _, c := range []struct{ path, body string }{
		{"/api/rooms/main/nodes/1/crash", ""}, {"/api/rooms/main/reset", `{}`}, {"/api/rooms/main/step", ""},
		{"/api/rooms/main/lesson", `{"action":"stop"}`}, {"/api/rooms/main/commands", `{"kind":"heal"}`},
	} {
		if r := do("POST", c.path, c.body, S(ana)...); r.status != 403 {
			t.Fatalf("student %s: %d %s", c.path, r.status, r.raw)
		}
	}
	if r := do("POST", "/api/rooms/main/nodes/1/crash", "", T...); r.status != 200 {
		t.Fatalf("teacher crash: %d %s", r.status, r.raw)
	}
	if r := do("POST", "/api/rooms/main/control", `{"student":"Ana"}`, S(bo)...); r.status != 403 {
		t.Fatalf("a student hands over control: %d", r.status)
	}
	if r := do("POST", "/api/rooms/main/control", `{"student":"Ana"}`, T...); r.status != 200 {
		t.Fatalf("hand over: %d %s", r.status, r.raw)
	}
	if r := do("POST", "/api/rooms/main/nodes/1/restart", "", S(ana)...); r.status != 200 {
		t.Fatalf("Ana drives: %d %s", r.status, r.raw)
	}
	if r := do("POST", "/api/rooms/main/nodes/2/crash", "", S(bo)...); r.status != 403 {
		t.Fatalf("Bo does not drive: %d", r.status)
	}
	if r := do("DELETE", "/api/rooms/main/control", "", T...); r.status != 200 {
		t.Fatalf("revoke: %d", r.status)
	}
	if r := do("POST", "/api/rooms/main/nodes/2/crash", "", S(ana)...); r.status != 403 {
		t.Fatalf("Ana after revoke: %d", r.status)
	}
	if r := do("POST", "/api/rooms/main/control", `{"student":"Nobody"}`, T...); r.status != 404 {
		t.Fatalf("unknown student: %d", r.status)
	}
}

// Questions: one answer per student (changeable before the reveal), counts for the teacher,
// the reveal scores and opens the result to students; bad input is refused.
func TestClassroomQuestions(t *testing.T) {
	_, tok, do := newClassServer(t)
	T := []string{"X-Zablab-Token", tok}
	students := []string{join(t, do, "A"), join(t, do, "B"), join(t, do, "C")}
	S := func(i int) []string { return []string{"X-Zablab-Student", students[i]} }
	q := do("POST", "/api/rooms/main/questions", `{"text":{"en":"Who leads next?","zh":"下一个 leader 是谁？"},"choices":["S1","S2","S3"],"answer":1}`, T...)
	if q.status != 201 {
		t.Fatalf("question: %d %s", q.status, q.raw)
	}
	id := q.body["id"].(string)
	base := "/api/rooms/main/questions/" + id
	if r := do("POST", "/api/rooms/main/questions", `{"text":{"en":"?"},"choices":["a","b"],"answer":1}`, S(0)...); r.status != 403 {
		t.Fatalf("a student asks: %d", r.status)
	}
	if r := do("POST", base+"/answers", `{"choice": 0}`, S(0)...); r.status != 200 {
		t.Fatalf("answer: %d %s", r.status, r.raw)
	}
	time.Sleep(answerEvery + 20*time.Millisecond) // the rate limit between one student's answers
	if r := do("POST", base+"/answers", `{"choice": 1}`, S(0)...); r.status != 200 {
		t.Fatalf("changed answer: %d %s", r.status, r.raw)
	}
	if r := do("POST", base+"/answers", `{"choice": 1}`, S(1)...); r.status != 200 {
		t.Fatalf("answer B: %d", r.status)
	}
	if r := do("POST", base+"/answers", `{"choice": 7}`, S(2)...); r.status != 400 {
		t.Fatalf("out of range: %d", r.status)
	}
	if r := do("POST", base+"/answers", `{"choice": 0}`, T...); r.status != 403 {
		t.Fatalf("the teacher answers: %d", r.status)
	}
	v := do("GET", base, "", T...)
	if v.status != 200 || fmt.Sprint(v.body["counts"]) != "[0 2 0]" || v.body["answered"] != 2.0 || v.body["students"] != 3.0 || v.body["revealed"] != false {
		t.Fatalf("teacher's view: %d %s", v.status, v.raw)
	}
	if fmt.Sprint(v.body["missing"]) != "[C]" {
		t.Fatalf("who has not answered: %v", v.body["missing"])
	}
	if r := do("GET", base, "", S(0)...); r.status != 403 {
		t.Fatalf("a student reads before the reveal: %d", r.status)
	}
	if r := do("POST", base+"/reveal", "", S(0)...); r.status != 403 {
		t.Fatalf("a student reveals: %d", r.status)
	}
	if r := do("POST", base+"/reveal", "", T...); r.status != 200 {
		t.Fatalf("reveal: %d %s", r.status, r.raw)
	}
	after := do("GET", base, "", S(0)...)
	if after.status != 200 || after.body["answer"] != 1.0 || after.body["correct"] != 1.0 || after.body["mine"] != 1.0 {
		t.Fatalf("after the reveal: %d %s", after.status, after.raw)
	}
	if r := do("POST", base+"/answers", `{"choice": 2}`, S(2)...); r.status != 409 {
		t.Fatalf("answer after the reveal: %d", r.status)
	}
	for _, bad := range []string{`{"text":{"en":"?"},"choices":["only"],"answer":0}`, `{"text":{"en":"?"},"choices":["a","b"],"answer":5}`, `{"text":{},"choices":["a","b"]}`, `{"text":{"fr":"?"},"choices":["a","b"]}`} {
		if r := do("POST", "/api/rooms/main/questions", bad, T...); r.status != 400 {
			t.Errorf("%s: %d %s", bad, r.status, r.raw)
		}
	}
	if r := do("GET", "/api/rooms/main/questions/q999", "", T...); r.status != 404 {
		t.Fatalf("unknown question: %d", r.status)
	}
	// The session's results as CSV, for the teacher only.
	csv := do("GET", "/api/rooms/main/results.csv", "", T...)
	if csv.status != 200 || !strings.Contains(csv.raw, "Who leads next?,S1 (0); S2 (2); S3 (0),S2,2,3,1.00,true") {
		t.Fatalf("results: %d %q", csv.status, csv.raw)
	}
	if r := do("GET", "/api/rooms/main/results.csv", "", S(0)...); r.status != 403 {
		t.Fatalf("a student downloads the results: %d", r.status)
	}
}

// Template questions take their choices from the cluster when asked and their answer from
// the cluster at the reveal; a question the cluster has not decided yet stays open (409).
func TestClassroomTemplateQuestions(t *testing.T) {
	s, tok, do := newClassServer(t)
	T := []string{"X-Zablab-Token", tok}
	ana := join(t, do, "Ana")
	r := s.Main()
	run := func(f func(c *engine.Cluster)) {
		t.Helper()
		if _, err := r.do(func() (any, error) { r.paused = true; f(r.c); return nil, nil }); err != nil {
			t.Fatal(err)
		}
	}
	settle := func(c *engine.Cluster) {
		c.RunUntilCond(20_000_000, func() bool { return c.Leader() != 0 })
		c.RunFor(500_000)
	}
	run(settle)
	var leader int
	run(func(c *engine.Cluster) { leader = c.Leader() })

	ask := func(tmpl string) (string, []any) {
		t.Helper()
		q := do("POST", "/api/rooms/main/questions", fmt.Sprintf(`{"template": %q}`, tmpl), T...)
		if q.status != 201 {
			t.Fatalf("ask %s: %d %s", tmpl, q.status, q.raw)
		}
		id := q.body["id"].(string)
		g := do("GET", "/api/rooms/main/questions/"+id, "", T...)
		return id, g.body["choices"].([]any)
	}
	reveal := func(id string) (int, resp) {
		t.Helper()
		x := do("POST", "/api/rooms/main/questions/"+id+"/reveal", "", T...)
		if x.status != 200 {
			return -1, x
		}
		g := do("GET", "/api/rooms/main/questions/"+id, "", T...)
		return int(g.body["answer"].(float64)), x
	}

	// Who leads next? Not decided while nobody leads; then the new leader.
	id, choices := ask("next-leader")
	if len(choices) != 3 {
		t.Fatalf("next-leader choices %v, want S1..S3", choices)
	}
	do("POST", "/api/rooms/main/questions/"+id+"/answers", `{"choice": 0}`, "X-Zablab-Student", ana)
	run(func(c *engine.Cluster) { c.Crash(leader) })
	if _, x := reveal(id); x.status != 409 || x.body["code"] != "not_decided" {
		t.Fatalf("reveal during the election: %d %s", x.status, x.raw)
	}
	var next int
	run(func(c *engine.Cluster) { settle(c); next = c.Leader() })
	if a, x := reveal(id); a != next-1 {
		t.Fatalf("next-leader answer %d (%s), want S%d", a, x.raw, next)
	}

	// Which epoch? The epoch the next leader leads.
	run(func(c *engine.Cluster) { c.Restart(leader); settle(c) })
	id, choices = ask("epoch")
	run(func(c *engine.Cluster) { c.Crash(next); settle(c) })
	var epoch int64
	run(func(c *engine.Cluster) { epoch = c.Peer(c.Leader()).Disk().CurrentEpoch })
	if a, x := reveal(id); a < 0 || choices[a].(map[string]any)["en"] != fmt.Sprint("epoch ", epoch) {
		t.Fatalf("epoch answer %d (%s) of %v, want epoch %d", a, x.raw, choices, epoch)
	}

	// DIFF, TRUNC or SNAP: a follower misses a write and comes back: DIFF.
	run(func(c *engine.Cluster) { c.Restart(next); settle(c) })
	id, _ = ask("sync-mode")
	if _, x := reveal(id); x.status != 409 {
		t.Fatalf("sync-mode revealed before anyone rejoined: %d %s", x.status, x.raw)
	}
	run(func(c *engine.Cluster) {
		f := 1
		if c.Leader() == 1 {
			f = 2
		}
		cl := c.NewClient(c.Leader(), 4000)
		cl.Submit(zkdb.Op{Type: zkdb.OpCreate, Path: "/x", Data: []byte("1")}, false, nil)
		c.RunFor(1_000_000)
		c.Crash(f)
		cl.Submit(zkdb.Op{Type: zkdb.OpSetData, Path: "/x", Data: []byte("2"), Version: -1}, false, nil)
		c.RunFor(1_000_000)
		c.Restart(f)
		settle(c)
	})
	if a, x := reveal(id); a != 0 {
		t.Fatalf("sync-mode answer %d (%s), want DIFF", a, x.raw)
	}

	// Will the newest write survive? Committed: yes.
	id, _ = ask("write-survives")
	if a, x := reveal(id); a != 0 {
		t.Fatalf("write-survives answer %d (%s), want yes", a, x.raw)
	}
	if x := do("POST", "/api/rooms/main/questions", `{"template": "bogus"}`, T...); x.status != 400 {
		t.Fatalf("unknown template: %d", x.status)
	}
	if x := do("POST", "/api/rooms/main/questions", `{"template": "epoch", "answer": 1}`, T...); x.status != 400 {
		t.Fatalf("template with an answer: %d", x.status)
	}
	if x := do("POST", "/api/rooms/main/questions", `{"template": "epoch"}`, "X-Zablab-Student", ana); x.status != 403 {
		t.Fatalf("a student asks: %d", x.status)
	}
}

// Students raise a hand or say they are lost, anonymously: everyone gets the counts, the
// teacher lowers them all; only students raise hands; the teacher's class view lists who
// joined, who drives and the counts.
func TestClassroomHandsAndClassView(t *testing.T) {
	_, tok, do := newClassServer(t)
	T := []string{"X-Zablab-Token", tok}
	ana, bo := join(t, do, "Ana"), join(t, do, "Bo")
	if r := do("POST", "/api/rooms/main/hand", `{"kind":"hand","up":true}`, "X-Zablab-Student", ana); r.status != 200 || r.body["hands"] != 1.0 {
		t.Fatalf("raise: %d %s", r.status, r.raw)
	}
	if r := do("POST", "/api/rooms/main/hand", `{"kind":"lost","up":true}`, "X-Zablab-Student", bo); r.status != 200 || r.body["lost"] != 1.0 || r.body["hands"] != 1.0 {
		t.Fatalf("lost: %d %s", r.status, r.raw)
	}
	for _, bad := range []string{`{"kind":"wave","up":true}`, `{"kind":"hand"}`, `{}`} {
		if r := do("POST", "/api/rooms/main/hand", bad, "X-Zablab-Student", ana); r.status != 400 {
			t.Fatalf("%s: %d", bad, r.status)
		}
	}
	if r := do("POST", "/api/rooms/main/hand", `{"kind":"hand","up":true}`, T...); r.status != 403 {
		t.Fatalf("the teacher raises a hand: %d", r.status)
	}
	do("POST", "/api/rooms/main/control", `{"student":"Bo"}`, T...)
	v := do("GET", "/api/rooms/main/class", "", T...)
	if v.status != 200 || v.body["code"] != "ZAB123" || v.body["control"] != "Bo" || v.body["hands"] != 1.0 || v.body["lost"] != 1.0 ||
		fmt.Sprint(v.body["students"]) != "[Ana Bo]" {
		t.Fatalf("class view: %d %s", v.status, v.raw)
	}
	if r := do("GET", "/api/rooms/main/class", "", "X-Zablab-Student", ana); r.status != 403 {
		t.Fatalf("a student reads the class view: %d", r.status)
	}
	if r := do("GET", "/api/rooms/main/me", "", "X-Zablab-Student", bo); r.body["student"] != "Bo" || r.body["drives"] != true {
		t.Fatalf("me: %s", r.raw)
	}
	if r := do("GET", "/api/rooms/main/me", ""); r.body["student"] != "" {
		t.Fatalf("me without joining: %s", r.raw)
	}
	if r := do("DELETE", "/api/rooms/main/hands", "", T...); r.status != 200 || r.body["hands"] != 0.0 || r.body["lost"] != 0.0 {
		t.Fatalf("lower all: %d %s", r.status, r.raw)
	}
}

// The QR code of the student link is an SVG; only links to this lab are drawn.
func TestClassroomQR(t *testing.T) {
	_, ts := newTestServer(t)
	host := strings.TrimPrefix(ts.URL, "http://")
	r := call(t, ts, "GET", "/api/rooms/main/qr.svg?url="+url.QueryEscape(ts.URL+"/?join=1"), "")
	if r.status != 200 || !strings.HasPrefix(r.raw, "<svg") || strings.Count(r.raw, "h1v1h-1z") < 100 {
		t.Fatalf("qr: %d %.200s", r.status, r.raw)
	}
	for _, bad := range []string{"javascript:alert(1)", "http://elsewhere.example/?join=1", "", "http://" + host + "/" + strings.Repeat("a", 600)} {
		if r := call(t, ts, "GET", "/api/rooms/main/qr.svg?url="+url.QueryEscape(bad), ""); r.status != 400 {
			t.Fatalf("qr of %q: %d", bad, r.status)
		}
	}
}

// The live answer counts reach the teacher's websocket only: students see the class's
// answers at the reveal, so the histogram cannot sway them.
func TestClassroomLiveCountsForTheTeacherOnly(t *testing.T) {
	_, ts := newServerWith(t, Options{Addr: "127.0.0.1:0", MainToken: "teacher-token", JoinCode: "ZAB123"})
	do := func(method, path, body string, hdr ...string) resp {
		t.Helper()
		return call(t, ts, method, path, body, hdr...)
	}
	ana := join(t, do, "Ana")
	dial := func(hdr http.Header) *websocket.Conn {
		conn, _, err := websocket.DefaultDialer.Dial(wsURL(ts.URL, "main"), hdr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		// The first message (the view) comes once the hub has the viewer: broadcasts after
		// it reach this socket.
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, _, err := conn.ReadMessage(); err != nil {
			t.Fatal(err)
		}
		return conn
	}
	teacher := dial(http.Header{"X-Zablab-Token": {"teacher-token"}})
	student := dial(http.Header{"X-Zablab-Student": {ana}})
	// until reads class messages until one of type typ; it returns the types seen on the way.
	until := func(conn *websocket.Conn, typ string) []string {
		t.Helper()
		var seen []string
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			var m map[string]any
			if err := conn.ReadJSON(&m); err != nil {
				t.Fatalf("waiting for %s: %v (saw %v)", typ, err, seen)
			}
			if _, ok := m["class"]; ok {
				seen = append(seen, m["type"].(string))
				if m["type"] == typ {
					return seen
				}
			}
		}
	}
	q := do("POST", "/api/rooms/main/questions", `{"text":{"en":"?"},"choices":["a","b"],"answer":0}`, "X-Zablab-Token", "teacher-token")
	id := q.body["id"].(string)
	do("POST", "/api/rooms/main/questions/"+id+"/answers", `{"choice":1}`, "X-Zablab-Student", ana)
	until(teacher, "answers")
	do("POST", "/api/rooms/main/questions/"+id+"/reveal", "", "X-Zablab-Token", "teacher-token")
	if seen := until(student, "reveal"); slices.Contains(seen, "answers") {
		t.Fatalf("the student's page got the live counts: %v", seen)
	}
}

// With students in the room, a lesson step's prediction becomes the class's question and the
// step waits: "next" again is refused until the teacher reveals, and the reveal plays it.
func TestClassroomLessonStepWaitsForTheReveal(t *testing.T) {
	ls, err := lessons.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	s, ts := newServerWith(t, Options{Addr: "127.0.0.1:0", MainToken: "teacher-token", JoinCode: "ZAB123", Lessons: ls})
	do := func(method, path, body string, hdr ...string) resp {
		t.Helper()
		return call(t, ts, method, path, body, hdr...)
	}
	T := []string{"X-Zablab-Token", "teacher-token"}
	ana := join(t, do, "Ana")
	if r := do("POST", "/api/rooms/main/lesson", `{"action":"start","slug":"first-election"}`, T...); r.status != 200 {
		t.Fatalf("start: %d %s", r.status, r.raw)
	}
	if r := do("POST", "/api/rooms/main/lesson", `{"action":"next"}`, T...); r.status != 200 {
		t.Fatalf("next: %d %s", r.status, r.raw)
	}
	r := s.Main()
	playing := func() bool {
		v, _ := r.do(func() (any, error) { return r.les != nil && r.les.playing, nil })
		return v.(bool)
	}
	if playing() {
		t.Fatal("the step plays before the class answered")
	}
	v := do("GET", "/api/rooms/main/class", "", T...)
	qid := v.body["question"].(string)
	if qid == "" {
		t.Fatal("the step's prediction did not become a question")
	}
	do("POST", "/api/rooms/main/questions/"+qid+"/answers", `{"choice":0}`, "X-Zablab-Student", ana)
	if x := do("POST", "/api/rooms/main/lesson", `{"action":"next"}`, T...); x.status != 409 || x.body["code"] != "class_answering" {
		t.Fatalf("next while the class answers: %d %s", x.status, x.raw)
	}
	if x := do("POST", "/api/rooms/main/questions/"+qid+"/reveal", "", T...); x.status != 200 {
		t.Fatalf("reveal: %d %s", x.status, x.raw)
	}
	if !playing() {
		t.Fatal("the reveal did not play the step")
	}
}
