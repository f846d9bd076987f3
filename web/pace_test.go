package web

import (
	"math"
	"testing"
	"time"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/zkdb"
	"github.com/zablab/zablab/lessons"
)

// paceRoom is a 3-voter watch-timing room whose cluster has elected its leader, paused.
func paceRoom(t *testing.T) *Room {
	t.Helper()
	cfg := engine.DefaultConfig(3, 0, 5)
	cfg.Timing = engine.WatchTiming()
	r, err := newRoom("pace", "", true, cfg, func(int) int { return 0 })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { close(r.quit); <-r.done })
	if _, err := r.do(func() (any, error) {
		r.paused = true
		r.c.RunUntilCond(30_000_000, func() bool { return r.c.Leader() != 0 })
		r.c.RunFor(2_000_000) // everyone in BROADCAST; only pings from here
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	return r
}

// simFor lets the room's clock run for wallMs of a made-up wall clock, from now; it returns
// the simulated ms that passed. It runs on the room goroutine and leaves the room paused.
func simFor(r *Room, wallMs int64) float64 {
	start := r.c.Now()
	t0 := time.Now()
	r.paused = false
	r.simAnchor, r.wallAnchor = start, t0
	for w := int64(20); w <= wallMs; w += 20 { // frames of 20 ms, as the room's loop runs them
		r.advanceAt(t0.Add(time.Duration(w) * time.Millisecond))
	}
	r.paused = true
	return float64(r.c.Now()-start) / 1000
}

func write(r *Room, path string) {
	cl := r.c.NewPinnedClient(1, 6000)
	cl.Submit(zkdb.Op{Type: zkdb.OpCreate, Path: path, Data: []byte("x"), ACL: zkdb.OpenACL, Mode: zkdb.Persistent}, false, nil)
}

// TestSlowMotionPace: with slow motion on, the room runs at 1/8 of its speed while a key
// message (here a client's write: REQUEST, PROPOSAL, ACK, COMMIT) is on the wire, and at its
// speed otherwise; the engine's simulated times are the same either way.
func TestSlowMotionPace(t *testing.T) {
	r := paceRoom(t)
	var quiet, keyOn, keyOff, whole, wholeOff, span float64
	var slowSeen bool
	var pace *Pace
	r.do(func() (any, error) {
		r.slowMo = true
		quiet = simFor(r, 400) // only pings: normal speed
		write(r, "/a")
		from := r.c.Now()
		keyOn = simFor(r, 400) // the write's messages: slow motion
		slowSeen = r.slow()
		r.paused = false
		pace = r.pace()
		r.paused = true
		whole = keyOn + simFor(r, 12000) // the rest of the write, then quiet again
		span = float64(r.slowUntil-from) / 1000
		r.slowMo = false
		write(r, "/b")
		keyOff = simFor(r, 400)
		wholeOff = keyOff + simFor(r, 1000)
		return nil, nil
	})
	near := func(got, want float64) bool { return math.Abs(got-want) <= want*0.02+0.5 }
	if !near(quiet, 400) {
		t.Errorf("quiet cluster: %.1f simulated ms in 400 wall ms, want 400 (speed 1, no slow motion)", quiet)
	}
	if !near(keyOn, 50) {
		t.Errorf("a write on the wire: %.1f simulated ms in 400 wall ms, want 50 (1/8 of speed 1)", keyOn)
	}
	if !slowSeen || pace == nil || !pace.Slow || pace.Rate != 0.125 || !pace.SlowMotion || !pace.Applies {
		t.Errorf("pace during the write: slow %v, %+v", slowSeen, pace)
	}
	if !near(keyOff, 400) {
		t.Errorf("slow motion off: %.1f simulated ms in 400 wall ms, want 400", keyOff)
	}
	// Slow motion ends when the last message of the write (a session, then a create) arrives (span simulated ms after it
	// began, 8 × span wall ms); the rest of the 12.4 wall s runs at speed 1.
	if want := span + (12400 - 8*span); span < 300 || span > 1500 || !near(whole, want) {
		t.Errorf("write then quiet: %.1f simulated ms in 12.4 wall s, want %.1f (the write's messages took %.1f simulated ms)", whole, want, span)
	}
	if !near(wholeOff, 1400) {
		t.Errorf("without slow motion: %.1f simulated ms in 1.4 wall s, want 1400", wholeOff)
	}
}

// TestSlowMotionOnlyForWatchableLinks: with fast links slow motion would show nothing, so a
// fast-timing room ignores it (and says so in its pace).
func TestSlowMotionOnlyForWatchableLinks(t *testing.T) {
	cfg := engine.DefaultConfig(3, 0, 5)
	cfg.Timing = engine.FastTiming()
	r, err := newRoom("fast", "", true, cfg, func(int) int { return 0 })
	if err != nil {
		t.Fatal(err)
	}
	defer func() { close(r.quit); <-r.done }()
	var got float64
	var p *Pace
	r.do(func() (any, error) {
		r.paused = true
		r.c.RunUntilCond(30_000_000, func() bool { return r.c.Leader() != 0 })
		r.slowMo = true
		write(r, "/a")
		got = simFor(r, 200)
		p = r.pace()
		return nil, nil
	})
	if math.Abs(got-200) > 5 || p.Applies || p.Slow {
		t.Errorf("fast timing: %.1f simulated ms in 200 wall ms (want 200), pace %+v", got, p)
	}
}

// TestSlowMotionCommand: the REST route and the view.
func TestSlowMotionCommand(t *testing.T) {
	_, ts := newTestServer(t)
	if r := call(t, ts, "POST", "/api/rooms/main/slowmotion", `{"on": true}`); r.status != 200 {
		t.Fatalf("slowmotion: %d %s", r.status, r.raw)
	}
	v := call(t, ts, "GET", "/api/rooms/main", "")
	p, _ := v.body["pace"].(map[string]any)
	if p == nil || p["slowMotion"] != true || p["factor"] != 0.125 || p["applies"] != false {
		t.Fatalf("pace in the view: %v", v.body["pace"])
	}
	if r := call(t, ts, "POST", "/api/rooms/main/slowmotion", `{}`); r.status != 400 || r.body["code"] != "bad_slow_motion" {
		t.Fatalf("missing on: %d %s", r.status, r.raw)
	}
	if r := call(t, ts, "POST", "/api/rooms/main/slowmotion", `{"on": false}`); r.status != 200 {
		t.Fatalf("off: %d %s", r.status, r.raw)
	}
	v = call(t, ts, "GET", "/api/rooms/main", "")
	if p, _ := v.body["pace"].(map[string]any); p["slowMotion"] != false {
		t.Fatalf("after off: %v", p)
	}
}

// TestSlowMotionInALessonStep: a lesson step plays its script in slices, so its messages are
// slowed as well: the a-write step "zxid" (a write forwarded to the leader, proposed, logged)
// takes 8 times its simulated time in wall time.
func TestSlowMotionInALessonStep(t *testing.T) {
	ls, err := lessons.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var aw *lessons.Lesson
	for _, l := range ls {
		if l.Slug == "a-write" {
			aw = l
		}
	}
	r := paceRoom(t)
	var sim float64
	var stillPlaying bool
	r.do(func() (any, error) {
		if _, err := r.startLesson(aw, 1); err != nil {
			return nil, err
		}
		r.slowMo = true
		if _, err := r.lessonCommand(LessonRequest{Action: "next"}, nil); err != nil {
			return nil, err
		}
		sim = simFor(r, 800)
		stillPlaying = r.les.playing
		r.paused = true
		return nil, nil
	})
	// The step's messages (REQUEST, PROPOSAL, log) take about 140 simulated ms: 800 wall ms
	// show 100 of them.
	if math.Abs(sim-100) > 3 || !stillPlaying {
		t.Errorf("a lesson step in slow motion: %.1f simulated ms in 800 wall ms (want 100), still playing %v", sim, stillPlaying)
	}
}

// TestSlowMotionKeepsTimeAcrossFrames: a lesson step played frame by frame on one wall
// clock (anchors kept between frames, as the room's loop does) never jumps: slow motion can
// end between frames (a vote to a server that is down arrives nowhere), and the clock is
// re-anchored there instead of catching up on the wall time the slow stretch took.
func TestSlowMotionKeepsTimeAcrossFrames(t *testing.T) {
	ls, err := lessons.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var fe *lessons.Lesson
	for _, l := range ls {
		if l.Slug == "first-election" {
			fe = l
		}
	}
	r := paceRoom(t)
	var frames, maxStepUs, simUs int64
	r.do(func() (any, error) {
		if _, err := r.startLesson(fe, 0); err != nil {
			return nil, err
		}
		r.slowMo = true
		if _, err := r.lessonCommand(LessonRequest{Action: "next"}, nil); err != nil {
			return nil, err
		}
		start := r.c.Now()
		t0 := time.Now()
		r.simAnchor, r.wallAnchor = start, t0
		for r.les.playing && frames < 5000 {
			frames++
			before := r.c.Now()
			r.advanceAt(t0.Add(time.Duration(frames) * 20 * time.Millisecond))
			maxStepUs = max(maxStepUs, r.c.Now()-before)
		}
		simUs = r.c.Now() - start
		r.paused = true
		return nil, nil
	})
	wallMs := frames * 20
	if maxStepUs > 20_500 {
		t.Errorf("one 20 ms frame advanced %d simulated µs at speed 1: the clock jumped", maxStepUs)
	}
	// Step 1 is an election and its synchronization, ~1.4 simulated s, nearly all of it with
	// votes or sync packets on the wire: about 8 times as long in wall time.
	if simUs < 1_000_000 || wallMs < 6*simUs/1000 {
		t.Errorf("the first election: %d simulated ms in %d wall ms; want most of it at 1/8", simUs/1000, wallMs)
	}
}
