package web

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/zablab/zablab/engine"
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

// The front end's type check (web/ts/testdata/sample-check.ts) reads samples written by the
// server's own encoders; they must not go stale when the JSON changes.
func TestTSSamples(t *testing.T) {
	c, evs := sampleRun()
	view := RoomView{View: c.View(func(int) int { return 0 }), Room: "main", Speed: 1}
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
	}
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
