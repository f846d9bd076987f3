package engine

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Every reason the engine emits in a seed sweep has a Chinese rendering.
func TestEveryReasonTranslated(t *testing.T) {
	missing := map[string]bool{}
	for seed := int64(1); seed <= 30; seed++ {
		cfg := DefaultConfig(3+int(seed%3)*2, int(seed%2), seed)
		cfg.Timing = FastTiming()
		c, _ := NewCluster(cfg)
		c.OnEvent(func(e *Event) {
			if e.Reason == "" || e.Kind == EvLinks {
				return
			}
			if Translate(e.Reason, Zh) == e.Reason {
				missing[e.Reason] = true
			}
			for _, lang := range []Lang{En, Zh} {
				if s := Describe(e, lang); s == "" || strings.Contains(s, "%!") {
					t.Errorf("bad sentence for %v: %q", e.Kind, s)
				}
			}
		})
		c.Start()
		w := newWorkload(c, 2, rand.New(newStream(1, "workload")))
		w.start()
		c.At(2_000_000, func() { c.Crash(c.Leader()) })
		c.At(3_000_000, func() { c.Partition([][]int{{1}, {2, 3}}) })
		c.At(5_000_000, func() { c.Heal(); c.Start() })
		c.RunFor(8_000_000)
	}
	for r := range missing {
		t.Errorf("no Chinese for reason %q", r)
	}
}

func TestTranslateNested(t *testing.T) {
	got := Translate("adopt 3's vote: higher zxid 0x100000002 > 0x100000001", Zh)
	want := "采用 3 的投票：zxid 更大 0x100000002 > 0x100000001"
	if got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}
