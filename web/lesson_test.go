package web

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/lessons"
)

func newLessonServer(t *testing.T) *httptest.Server {
	t.Helper()
	ls, err := lessons.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewServer(Options{Addr: "127.0.0.1:0", Voters: 3, Seed: 1, Timing: engine.FastTiming(), Lessons: ls})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() { ts.Close(); s.Shutdown(t.Context()) })
	return ts
}

type lessonStateJSON struct {
	Next    int  `json:"next"`
	Playing bool `json:"playing"`
	Waiting bool `json:"waiting"`
	Results []struct {
		Index int  `json:"index"`
		Pass  bool `json:"pass"`
	} `json:"results"`
	Last *struct {
		Digest string `json:"digest"`
	} `json:"last"`
}

func lessonOf(t *testing.T, r resp) lessonStateJSON {
	var v struct {
		Lesson lessonStateJSON `json:"lesson"`
	}
	if err := json.Unmarshal([]byte(r.raw), &v); err != nil {
		t.Fatal(err, r.raw)
	}
	return v.Lesson
}

func TestLessonRoutes(t *testing.T) {
	ts := newLessonServer(t)
	list := call(t, ts, "GET", "/api/lessons", "")
	var ls []map[string]any
	json.Unmarshal([]byte(list.raw), &ls)
	if list.status != 200 || len(ls) != 12 {
		t.Fatalf("lesson list: %d, %d lessons", list.status, len(ls))
	}
	if r := call(t, ts, "GET", "/api/lessons/first-election", ""); r.status != 200 || r.body["slug"] != "first-election" {
		t.Fatalf("lesson: %d %s", r.status, r.raw[:min(200, len(r.raw))])
	}
	if r := call(t, ts, "GET", "/api/lessons/nope", ""); r.status != 404 || r.body["code"] != "unknown_lesson" {
		t.Fatalf("unknown lesson: %d %s", r.status, r.raw)
	}
	if r := call(t, ts, "GET", "/lessons/first-election?step=2", ""); r.status != 200 || !contains(r.raw, `data-page="lesson"`) {
		t.Fatalf("player page: %d", r.status)
	}
	if r := call(t, ts, "POST", "/api/lessons/first-election/rooms", `{"step": 99}`); r.status != 400 || r.body["code"] != "bad_step" {
		t.Fatalf("bad step: %d %s", r.status, r.raw)
	}
	// A lesson room at step 0; play two steps, go back one: the state is exactly what it was.
	r := call(t, ts, "POST", "/api/lessons/first-election/rooms", `{"step": 0}`)
	if r.status != 201 {
		t.Fatalf("lesson room: %d %s", r.status, r.raw)
	}
	room, tok := r.body["room"].(string), r.body["token"].(string)
	play := func() lessonStateJSON {
		t.Helper()
		x := call(t, ts, "POST", "/api/rooms/"+room+"/lesson", `{"action":"next"}`, "X-Zablab-Token", tok)
		if x.status != 200 {
			t.Fatalf("next: %d %s", x.status, x.raw)
		}
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			st := lessonOf(t, call(t, ts, "GET", "/api/rooms/"+room, ""))
			if st.Waiting {
				call(t, ts, "POST", "/api/rooms/"+room+"/lesson", `{"action":"solve"}`, "X-Zablab-Token", tok)
			}
			if !st.Playing {
				return st
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatal("the step never finished")
		return lessonStateJSON{}
	}
	s1 := play()
	if s1.Next != 1 || len(s1.Results) != 1 || !s1.Results[0].Pass {
		t.Fatalf("after step 0: %+v", s1)
	}
	digest1 := s1.Last.Digest
	view1 := call(t, ts, "GET", "/api/rooms/"+room, "")
	s2 := play()
	if s2.Next != 2 || !s2.Results[1].Pass {
		t.Fatalf("after step 1: %+v", s2)
	}
	back := call(t, ts, "POST", "/api/rooms/"+room+"/lesson", `{"action":"back"}`, "X-Zablab-Token", tok)
	if back.status != 200 {
		t.Fatalf("back: %s", back.raw)
	}
	b := lessonOf(t, back)
	if b.Next != 1 || b.Last == nil || b.Last.Digest != digest1 {
		t.Fatalf("back should restore step 1 exactly: next %d, digest %v want %s", b.Next, b.Last, digest1)
	}
	n1, n2 := view1.body["nodes"].([]any), back.body["nodes"].([]any)
	for i := range n1 {
		a, c := n1[i].(map[string]any), n2[i].(map[string]any)
		for _, k := range []string{"state", "acceptedEpoch", "currentEpoch", "lastZxid", "lastCommittedZxid"} {
			if a[k] != c[k] {
				t.Fatalf("server %v %s: %v before, %v after back", a["id"], k, a[k], c[k])
			}
		}
	}
	// Commands need the room's token; bad actions change nothing.
	if x := call(t, ts, "POST", "/api/rooms/"+room+"/lesson", `{"action":"next"}`); x.status != 401 {
		t.Fatalf("lesson command without token: %d", x.status)
	}
	if x := call(t, ts, "POST", "/api/rooms/"+room+"/lesson", `{"action":"fly"}`, "X-Zablab-Token", tok); x.status != 400 || x.body["code"] != "bad_action" {
		t.Fatalf("bad action: %d %s", x.status, x.raw)
	}
	if x := call(t, ts, "POST", "/api/rooms/main/lesson", `{"action":"next"}`); x.status != 400 || x.body["code"] != "no_lesson" {
		t.Fatalf("next without a lesson: %d %s", x.status, x.raw)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// Back restores the learner's own moves: a change the learner made between two steps (a
// slower link) is still there after going back to the step that followed it; the script alone
// never made it.
func TestLessonBackKeepsLearnersMoves(t *testing.T) {
	ts := newLessonServer(t)
	r := call(t, ts, "POST", "/api/lessons/a-write/rooms", `{"step": 1}`)
	if r.status != 201 {
		t.Fatalf("lesson room: %d %s", r.status, r.raw)
	}
	room, tok := r.body["room"].(string), r.body["token"].(string)
	cmd := func(path, body string) resp {
		t.Helper()
		x := call(t, ts, "POST", "/api/rooms/"+room+path, body, "X-Zablab-Token", tok)
		if x.status != 200 {
			t.Fatalf("%s: %d %s", path, x.status, x.raw)
		}
		return x
	}
	cmd("/commands", `{"kind":"net","from":1,"to":2,"latencyUs":250000}`)
	cmd("/lesson", `{"action":"next"}`)
	deadline := time.Now().Add(30 * time.Second)
	for lessonOf(t, call(t, ts, "GET", "/api/rooms/"+room, "")).Playing {
		if time.Now().After(deadline) {
			t.Fatal("step 1 never finished")
		}
		time.Sleep(20 * time.Millisecond)
	}
	back := cmd("/lesson", `{"action":"back"}`)
	if st := lessonOf(t, back); st.Next != 1 {
		t.Fatalf("back went to step %d, want 1", st.Next)
	}
	if !strings.Contains(back.raw, `"latencyUs":250000`) {
		t.Fatalf("after Back the learner's slow link is gone: %s", back.raw[:min(600, len(back.raw))])
	}
	// Going to the step by the script (goto) is the script's state: no slow link.
	if x := cmd("/lesson", `{"action":"goto","step":1}`); strings.Contains(x.raw, `"latencyUs":250000`) {
		t.Fatal("goto replays the script, which never slowed a link")
	}
	// The run records where the step began.
	if run := call(t, ts, "GET", "/api/rooms/"+room+"/run", "").raw; !strings.Contains(run, `"kind":"mark"`) {
		t.Fatal("the lesson's step marks are not in the run")
	}
}
