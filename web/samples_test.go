package web

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/zkdb"
)

// rewrite regenerates web/ts/testdata: `make golden`.
var rewrite = flag.Bool("rewrite", false, "rewrite the TypeScript samples in web/ts/testdata")

// TestTSSamples writes the JSON samples the TypeScript types are checked against
// (web/ts/testdata, see its README): this test fails when they are stale.
func TestTSSamples(t *testing.T) {
	files := map[string]any{}
	cfg := engine.DefaultConfig(5, 1, 7)
	c, err := engine.NewCluster(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var evs []engine.Event
	c.OnEvent(func(e *engine.Event) { evs = append(evs, *e) })
	c.Start()
	c.RunFor(4_000_000)
	cl := c.NewPinnedClient(2, 20000)
	for _, p := range []string{"/n0", "/n1", "/n2", "/n3"} {
		cl.Submit(zkdb.Op{Type: zkdb.OpCreate, Path: p, Data: []byte("v"), ACL: zkdb.OpenACL}, false, nil)
	}
	c.RunFor(2_000_000)
	old := c.Leader()
	c.Crash(old)
	c.RunFor(4_000_000)
	cl3 := c.NewPinnedClient(3, 20000)
	cl3.Submit(zkdb.Op{Type: zkdb.OpSetData, Path: "/n1", Data: []byte("w"), Version: -1}, false, nil)
	cl3.Submit(zkdb.Op{Type: zkdb.OpCreate, Path: "/eph", Data: []byte("e"), ACL: zkdb.OpenACL, Mode: zkdb.Ephemeral}, false, nil)
	c.RunFor(2_000_000)
	c.Restart(old)
	c.RunFor(2_000_000)
	c.Partition([][]int{{1, 2, 3}, {4, 5, 6}})
	c.RunFor(1_000_000)
	room := &Room{Name: "main", c: c, cfg: cfg, speed: 1, paused: true, gen: 1}
	v := room.view()
	v.CanControl = true
	files["view.json"] = v
	pick := evs
	if len(pick) > 500 {
		pick = append(append([]engine.Event(nil), evs[:250]...), evs[len(evs)-250:]...)
	}
	for _, lang := range []engine.Lang{engine.En, engine.Zh} {
		out := make([]EventJSON, 0, len(pick))
		for i := range pick {
			if lang == engine.Zh && i%3 != 0 {
				continue // a third is enough to check the Chinese shape
			}
			out = append(out, eventJSON(&pick[i], lang))
		}
		files["events."+string(lang)+".json"] = out
	}
	files["tree.json"] = c.TreeView(c.Leader())

	ts := newLessonServer(t)
	files["lessons.json"] = json.RawMessage(call(t, ts, "GET", "/api/lessons", "").raw)
	files["lesson.json"] = json.RawMessage(call(t, ts, "GET", "/api/lessons/first-election", "").raw)
	r := call(t, ts, "POST", "/api/lessons/first-election/rooms", `{"step": 6}`)
	var lv struct {
		Lesson json.RawMessage `json:"lesson"`
	}
	json.Unmarshal([]byte(call(t, ts, "GET", "/api/rooms/"+r.body["room"].(string), "").raw), &lv)
	files["lesson-view.json"] = lv.Lesson

	dir := filepath.Join("ts", "testdata")
	for name, val := range files {
		b, err := json.MarshalIndent(val, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if raw, ok := val.(json.RawMessage); ok {
			json.Indent(&buf, raw, "", "  ")
			b = buf.Bytes()
		}
		b = append(b, '\n')
		path := filepath.Join(dir, name)
		if *rewrite {
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if old, err := os.ReadFile(path); err != nil || !bytes.Equal(old, b) {
			t.Errorf("%s is stale: run `make golden`, then fix web/ts/types.ts until `npx tsc` passes", path)
		}
	}
}
