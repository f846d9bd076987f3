package engine

import (
	"testing"

	"github.com/zablab/zablab/engine/reason"
)

// The digest covers the reason's code, its arguments and its text.
func TestDigestHashesReason(t *testing.T) {
	sum := func(r reason.Reason) uint64 {
		d := newDigester()
		d.add(&Event{Seq: 1, Kind: EvState, Node: 1, Reason: r})
		return d.sum()
	}
	base := reason.Of(reason.StateElected, 2)
	for _, other := range []reason.Reason{reason.Of(reason.StateElected, 3), reason.Of(reason.StateLeaderClosed, 2),
		reason.Text(reason.StateSynced, "SNAP", 2), reason.Nest(reason.ConnReset, reason.Of(reason.ResetLinkDown))} {
		if sum(other) == sum(base) {
			t.Errorf("%v and %v hash the same", other, base)
		}
	}
	if sum(reason.Text(reason.StateSynced, "SNAP", 2)) == sum(reason.Text(reason.StateSynced, "DIFF", 2)) {
		t.Error("the text argument is not hashed")
	}
	if sum(reason.Nest(reason.ConnReset, reason.Of(reason.ResetLinkDown))) == sum(reason.Nest(reason.ConnReset, reason.Of(reason.ResetLinkCut))) {
		t.Error("a nested reason is not hashed")
	}
}
