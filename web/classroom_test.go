package web

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zablab/zablab/engine"
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
