package web

import (
	"time"

	"github.com/zablab/zablab/engine"
)

// Slow motion at key moments: while a message a person follows is on the wire (a vote, a
// discovery or sync packet, a PROPOSAL, ACK, COMMIT, INFORM, a forwarded REQUEST — anything
// but PING and REVALIDATE), the room runs at SlowMotionFactor of its speed; timeouts and
// quiet stretches run at the speed itself. With the watch timing's 90–150 ms links, each
// such message is in sight for 0.7–1.2 s at 1×. Only the mapping of simulated time to wall
// time changes: the engine, its latencies and every event log stay exactly the same.

// SlowMotionFactor is the share of the room's speed kept at key moments.
const SlowMotionFactor = 0.125

// maxPaceChanges bounds how often one frame re-anchors the clock at a change of pace.
const maxPaceChanges = 64

// lessonSliceUs is the simulated time a lesson step plays at once while slow motion is on,
// so a change of pace inside a frame is noticed within that much simulated time.
const lessonSliceUs = 2_000

// Pace is the room's mapping of simulated time to wall time, as its view reports it.
type Pace struct {
	// SlowMotion is the setting: slow down at key moments.
	SlowMotion bool `json:"slowMotion"`
	// Factor is the share of the speed kept at key moments.
	Factor float64 `json:"factor"`
	// Slow: a key message is on the wire now, so the room runs at Rate = speed × Factor.
	Slow bool `json:"slow"`
	// Rate is simulated ms per wall ms right now.
	Rate float64 `json:"rate"`
	// Applies: the room's timing has links slow enough to watch (the watch timing), so slow
	// motion takes effect there.
	Applies bool `json:"applies"`
}

// keyPacket: a message slow motion waits for (pings come every half tick and are not).
func keyPacket(p engine.PacketType) bool {
	return p != engine.Ping && p != engine.Revalidate
}

// notePace follows the key messages put on the wire (an engine event sink).
func (r *Room) notePace(e *engine.Event) {
	if e.Kind == engine.EvSend && keyPacket(e.Packet) && e.AtUs > r.slowUntil {
		r.slowUntil = e.AtUs
	}
}

// watchable: the room's links are slow enough to follow a message (the watch timing);
// with sub-millisecond or millisecond links slow motion would show nothing more.
func (r *Room) watchable() bool {
	return r.cfg.Timing.LinkLatencyUs >= 50_000
}

// slow reports whether the room runs in slow motion now.
func (r *Room) slow() bool {
	return r.slowMo && r.speed < MaxSpeed && r.c.Now() < r.slowUntil && r.watchable()
}

// rateOf is the pace, in simulated µs per wall µs, with or without slow motion.
func (r *Room) rateOf(slow bool) float64 {
	if slow {
		return r.speed * SlowMotionFactor
	}
	return r.speed
}

func (r *Room) pace() *Pace {
	s := r.slow() && !r.paused
	return &Pace{SlowMotion: r.slowMo, Factor: SlowMotionFactor, Slow: s, Rate: r.rateOf(s), Applies: r.watchable()}
}

// repace re-anchors the clock at the simulated now, which the wall clock reached at the pace
// in force until now; from here the new pace applies.
func (r *Room) repace(wasSlow bool) {
	sim := r.c.Now()
	r.wallAnchor = r.wallAnchor.Add(time.Duration(float64(sim-r.simAnchor)/r.rateOf(wasSlow)) * time.Microsecond)
	r.simAnchor = sim
	r.paceChanged = true
}

// setSlowMotion turns slow motion at key moments on or off.
func (r *Room) setSlowMotion(on bool) (any, error) {
	r.simAnchor, r.wallAnchor = r.c.Now(), time.Now()
	r.slowMo = on
	r.paceChanged = true
	return r.view(), nil
}
