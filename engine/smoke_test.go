package engine

import (
	"fmt"
	"testing"
)

func TestSmokeCheck(t *testing.T) {
	for _, bug := range []Bug{"", BugCommitWithoutQuorum, BugSkipTruncate, BugElectByMyid} {
		for _, n := range []int{3, 5} {
			bad, committed := 0, 0
			names := map[string]int{}
			for seed := int64(1); seed <= 200; seed++ {
				r := RunCheck(CheckOptions{Voters: n, Observers: int(seed % 2), Seed: seed, Bug: bug})
				committed += r.Committed
				if r.Count > 0 {
					bad++
					for _, v := range r.Violations {
						names[v.Invariant]++
					}
					if bug == "" && bad < 4 {
						fmt.Println(seed, r.Violations[0])
					}
				}
			}
			fmt.Println(bug, n, "bad runs", bad, "committed", committed, names)
		}
	}
}
