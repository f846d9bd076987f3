package web

import (
	"runtime"
	"time"
)

// Room main has CPU priority over sandboxes: at most sandboxSlots sandboxes simulate at any
// moment (one core fewer than the machine has, at least one), so room main, the HTTP
// handlers and the client ports always find a free core however many sandboxes run at full
// speed. A sandbox holds its slot for one chunk of engine work (runChunk: about 0.1 ms) or
// one paced frame (at most sandboxFrameBudget), then queues again behind the others.
var sandboxSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))

// sandboxFrameBudget bounds a sandbox's engine work in one paced frame (frameInterval); a
// sandbox asked to go faster than that runs behind, as a room does at maxStepsPerFrame.
const sandboxFrameBudget = 4 * time.Millisecond

// cpuShare takes a sandbox's CPU slot and returns its release (room main takes none).
func (r *Room) cpuShare() (release func()) {
	if !r.Sandbox {
		return func() {}
	}
	sandboxSlots <- struct{}{}
	return func() { <-sandboxSlots }
}

// overBudget: a sandbox has used its frame's share of engine work.
func (r *Room) overBudget(steps int, start time.Time) bool {
	return r.Sandbox && steps&255 == 0 && time.Since(start) > sandboxFrameBudget
}

// runChunkShared is runChunk for a room at full speed: a sandbox first waits for a CPU
// slot, still taking commands (and leaving after a frame so the loop can publish).
func (r *Room) runChunkShared() {
	if !r.Sandbox {
		r.runChunk()
		return
	}
	t := time.NewTimer(frameInterval)
	defer t.Stop()
	select {
	case sandboxSlots <- struct{}{}:
		r.runChunk()
		<-sandboxSlots
	case f := <-r.cmds:
		f()
	case <-r.quit: // the run loop sees it next
	case <-t.C:
	}
}
