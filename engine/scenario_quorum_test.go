package engine

import (
	"testing"
)

func TestExploreSweep(t *testing.T) {
	bad := 0
	for s := int64(1); s <= 300; s++ {
		n := []int{3, 5, 7}[s%3]
		r := RunCheck(CheckOptions{Voters: n, Observers: int(s/3) % 3, Seed: s})
		if r.Count > 0 {
			bad++
			if bad < 6 {
				t.Logf("n=%d obs=%d seed=%d count=%d first=%v", n, int(s/3)%3, s, r.Count, r.Violations[0])
			}
		}
	}
	t.Logf("bad %d", bad)
	for _, b := range Bugs() {
		found := int64(-1)
		for s := int64(1); s <= 300; s++ {
			r := RunCheck(CheckOptions{Voters: 3, Seed: s, Bug: b})
			if r.Count > 0 {
				found = s
				t.Logf("bug %s caught at seed %d: %v", b, s, r.Violations[0])
				break
			}
		}
		if found < 0 {
			t.Logf("bug %s not caught", b)
		}
	}
}
