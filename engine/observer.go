package engine

import (
	"errors"
	"fmt"

	"github.com/zablab/zablab/engine/reason"
)

// Violation is one broken invariant.
type Violation struct {
	Invariant string        `json:"invariant"`
	Node      int           `json:"node"`
	Detail    reason.Reason `json:"detail"`
	TimeUs    int64         `json:"timeUs"`
}

func (v Violation) String() string {
	return fmt.Sprintf("%s at server %d, t=%.3fs: %s", v.Invariant, v.Node, float64(v.TimeUs)/1e6, v.Detail)
}

// Checker is the invariant checker as the cluster sees it. It stands outside the protocol,
// like TigerBeetle's state checker: the cluster hands it every event first (Observe), with
// the servers in the state that produced the event, and it reads them through the read-only
// inspection methods (inspect.go). Violations it finds while an event is being emitted wait
// until that emission ends: the cluster then calls Flush, which emits them as EvViolation
// events (through Cluster.EmitViolation), so they follow the event that revealed them.
//
// The implementation lives in package engine/check, which imports engine; engine cannot
// import it back. Each cluster gets its checker from the constructor that package registers
// in its init (RegisterChecker): a program (or test) that builds clusters imports
// engine/check, blank if it uses nothing else from it.
type Checker interface {
	// Observe sees every event as it is emitted.
	Observe(e *Event)
	// Flush emits the violations found while observing; the cluster calls it after the
	// outermost emission returns.
	Flush()
	// Report records a violation found by the simulator's own monitors (liveness, the
	// linearizability check of a workload's history).
	Report(node int, why reason.Reason)
	// Violations returns the violations found (a bounded number); Count how many.
	Violations() []Violation
	Count() int
	// Committed is the number of txns in the committed sequence.
	Committed() int
	// IsCommitted reports whether zxid z is in the committed history.
	IsCommitted(z Zxid) bool
	// CheckConverged is the end-of-run check after faults heal.
	CheckConverged(settled bool, waitedUs int64)
	// NewestEpoch is the highest epoch a quorum accepted and when (zero before any).
	NewestEpoch() (epoch, sinceUs int64)
}

// newChecker builds the checker of each new cluster (set by RegisterChecker).
var newChecker func(*Cluster) Checker

// RegisterChecker sets the constructor of every new cluster's invariant checker. Package
// engine/check calls it in its init.
func RegisterChecker(f func(*Cluster) Checker) { newChecker = f }

var errNoChecker = errors.New("engine: no invariant checker registered (import github.com/zablab/zablab/engine/check)")
