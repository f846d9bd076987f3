package web

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/describe"
	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

var rewrite = flag.Bool("rewrite", false, "rewrite generated test data (web/ts/testdata samples)")

// sampleRun is the run web/ts/testdata/README.md describes: a 5-voter, 1-observer cluster
// (seed 7, watch timing), writes, a leader crash, an ephemeral node, a restart, a partition.
func sampleRun() (*engine.Cluster, []engine.Event) {
	cfg := engine.DefaultConfig(5, 1, 7)
	cfg.Timing = engine.WatchTiming()
	c, err := engine.NewCluster(cfg)
	if err != nil {
		panic(err)
	}
	var evs []engine.Event
	c.OnEvent(func(e *engine.Event) { evs = append(evs, *e) })
	c.Start()
	create := func(path string, mode zkdb.CreateMode) zkdb.Op {
		return zkdb.Op{Type: zkdb.OpCreate, Path: path, Data: []byte("v"), ACL: zkdb.OpenACL, Mode: mode}
	}
	c.At(3_000_000, func() {
		cl := c.NewPinnedClient(2, 6000)
		for i := 0; i < 4; i++ {
			cl.Submit(create(fmt.Sprintf("/n%d", i), zkdb.Persistent), false, nil)
		}
	})
	var old int
	c.At(6_000_000, func() { old = c.Leader(); c.Crash(old) })
	c.At(11_000_000, func() {
		cl := c.NewPinnedClient(3, 6000)
		cl.Submit(zkdb.Op{Type: zkdb.OpSetData, Path: "/n1", Data: []byte("w"), Version: -1}, false, nil)
		cl.Submit(create("/eph", zkdb.Ephemeral), false, nil)
	})
	c.At(13_000_000, func() { c.Restart(old) })
	c.At(14_000_000, func() { c.Partition([][]int{{1, 2, 3}, {4, 5, 6}}) })
	c.RunUntil(20_000_000)
	return c, evs
}

func sampleJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// sentenceSamples is a corpus of events for web/ts/testdata/render-check.ts: up to two events
// of every (sentence, reason code) pair seen in the sample run, in randomized fault runs with
// and without the teaching variants, and in a run that sets every kind of link rule and notes
// real clients; each with its Go sentence in both languages.
func sentenceSamples(sample []engine.Event) []sentenceSample {
	var out []sentenceSample
	seen := map[string]int{}
	add := func(e *engine.Event) {
		key := describe.SentenceKey(e) + "|" + e.Reason.Code.Name()
		if sub := e.Reason.Sub(); !sub.IsZero() {
			key += "|" + sub.Code.Name()
		}
		if seen[key] >= 2 {
			return
		}
		seen[key]++
		out = append(out, sentenceSample{Event: eventJSON(e), En: describe.Event(e, engine.En), Zh: describe.Event(e, engine.Zh)})
	}
	for i := range sample {
		add(&sample[i])
	}
	for _, bug := range append([]engine.Bug{""}, engine.Bugs()...) {
		for seed := int64(1); seed <= 8; seed++ {
			engine.RunCheck(engine.CheckOptions{Voters: 3 + 2*int(seed%2), Observers: int(seed % 2), Seed: seed, Bug: bug, OnEvent: add})
		}
	}
	cfg := engine.DefaultConfig(3, 0, 1)
	cfg.Timing = engine.FastTiming()
	c, _ := engine.NewCluster(cfg)
	c.OnEvent(add)
	c.Start()
	steps := []func(){
		func() { c.SetLoss(12.5) },
		func() { c.SetLink(1, 2, false) },
		func() { c.Partition([][]int{{1}, {2, 3}}) },
		func() { c.SetLoss(0) },
		func() { c.SetLink(1, 2, true) },
		func() { c.SetLoss(3) },
		func() { c.Heal() },
		func() { c.SetLink(3, 1, false) },
		func() { c.Heal() },
		func() { c.Note(1, 0, 0x1234, reason.Text(reason.ClientRealConnected, "127.0.0.1:50000")) },
		func() {
			c.Note(2, 0, 0x1235, reason.Nest(reason.ClientRealRefused, reason.Of(reason.ClientNotServing, 2)).WithText("127.0.0.1:50001"))
		},
	}
	for i, f := range steps {
		c.At(int64(i+1)*500_000, f)
	}
	c.RunUntil(int64(len(steps)+2) * 500_000)
	return out
}

type sentenceSample struct {
	Event EventJSON `json:"event"`
	En    string    `json:"en"`
	Zh    string    `json:"zh"`
}

// The front end's type check (web/ts/testdata/sample-check.ts) reads samples written by the
// server's own encoders; they must not go stale when the JSON changes.
func TestTSSamples(t *testing.T) {
	c, evs := sampleRun()
	view := RoomView{View: c.View(func(int) int { return 0 }), Room: "main", Speed: 1, Generation: 1}
	pick := evs
	if len(pick) > 500 {
		pick = append(append([]engine.Event(nil), evs[:250]...), evs[len(evs)-250:]...)
	}
	out := make([]EventJSON, len(pick))
	for i := range pick {
		out[i] = eventJSON(&pick[i])
	}
	files := map[string][]byte{
		"ts/testdata/view.json":   sampleJSON(view),
		"ts/testdata/events.json": sampleJSON(out),
		// render-check.ts renders these events as the page does and compares with Go.
		"ts/testdata/sentences.json": sampleJSON(sentenceSamples(evs)),
		"ts/testdata/tree.json":      sampleJSON(c.TreeView(c.Leader())),
	}
	// Lessons, from the lesson routes.
	ts := newLessonServer(t)
	raw := func(s string) []byte {
		var b bytes.Buffer
		json.Indent(&b, []byte(s), "", " ")
		return append(b.Bytes(), '\n')
	}
	files["ts/testdata/lessons.json"] = raw(call(t, ts, "GET", "/api/lessons", "").raw)
	files["ts/testdata/lesson.json"] = raw(call(t, ts, "GET", "/api/lessons/first-election", "").raw)
	lr := call(t, ts, "POST", "/api/lessons/first-election/rooms", `{"step": 6}`)
	var lv struct {
		Lesson json.RawMessage `json:"lesson"`
	}
	json.Unmarshal([]byte(call(t, ts, "GET", "/api/rooms/"+lr.body["room"].(string), "").raw), &lv)
	files["ts/testdata/lesson-view.json"] = raw(string(lv.Lesson))
	for path, want := range files {
		if *rewrite {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("web/%s is stale: run go test ./web -run TestTSSamples -args -rewrite", path)
		}
	}
}
