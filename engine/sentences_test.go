package engine_test

import (
	"strings"
	"testing"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/describe"
	"github.com/zablab/zablab/engine/reason"
)

// Every event of a seed sweep renders in both languages from the catalogue: no unknown code,
// no unfilled argument, and the Chinese sentence differs from the English one.
func TestEverySentenceRenders(t *testing.T) {
	codes := map[reason.Code]bool{}
	for seed := int64(1); seed <= 30; seed++ {
		cfg := engine.DefaultConfig(3+int(seed%3)*2, int(seed%2), seed)
		cfg.Timing = engine.FastTiming()
		c, _ := engine.NewCluster(cfg)
		c.OnEvent(func(e *engine.Event) {
			codes[e.Reason.Code] = true
			en, zh := describe.Event(e, engine.En), describe.Event(e, engine.Zh)
			for _, s := range []string{en, zh} {
				if s == "" || strings.ContainsAny(s, "{}") || strings.Contains(s, "?") || strings.Contains(s, "unknown") {
					t.Errorf("bad sentence for %v (%s): %q", e.Kind, e.Reason.Code, s)
				}
			}
			if en == zh && e.Kind != engine.EvSend && e.Kind != engine.EvDeliver {
				t.Errorf("no Chinese for %v: %q", e.Kind, en)
			}
		})
		c.Start()
		engine.StartWorkload(c, 2, 1, "workload")
		c.At(2_000_000, func() { c.Crash(c.Leader()) })
		c.At(3_000_000, func() { c.Partition([][]int{{1}, {2, 3}}) })
		c.At(5_000_000, func() { c.Heal(); c.Start() })
		c.RunFor(8_000_000)
	}
	for _, want := range []reason.Code{reason.StateStarted, reason.VoteInitial, reason.VoteAdopt, reason.SyncDiffCommitted,
		reason.LinksPartition, reason.LinksAllUp, reason.DropLinkDown, reason.SessionCreated} {
		if !codes[want] {
			t.Errorf("the sweep never emitted %s", want)
		}
	}
}
