package web

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/zkdb"
)

// Limits of what a room may be asked to do.
const (
	MinSpeed = 0.01
	// MaxSpeed means full speed: no pacing, the room simulates as fast as it can.
	MaxSpeed = 1000.0
	// frameInterval is how often a live room advances simulated time and publishes events.
	frameInterval = 20 * time.Millisecond
	// maxStepsPerFrame bounds the engine work of one frame so commands stay responsive; a
	// room asked to go faster than the machine can simulate just runs behind.
	maxStepsPerFrame = 200_000
	// historyEvents is how many recent events a room keeps for reconnecting viewers.
	historyEvents = 4096
	viewEvery     = 100 * time.Millisecond
	publishEvery  = 16 * time.Millisecond
)

// RoomView is GET /api/rooms/{room}: the engine view plus the room's controls.
type RoomView struct {
	engine.View
	Room       string  `json:"room"`
	Paused     bool    `json:"paused"`
	Speed      float64 `json:"speed"`
	CanControl bool    `json:"canControl"`
	// Generation counts the clusters the room has had: it changes exactly when the room gets
	// a new cluster (reset, a lesson's start, back or goto, a fork), so pages never guess.
	Generation uint64 `json:"generation"`
	// Autopilot is set while the room runs by itself.
	Autopilot *Autopilot `json:"autopilot,omitempty"`
	// Lesson is set while the room plays a lesson.
	Lesson *LessonView `json:"lesson,omitempty"`
	// Pace is how simulated time maps to wall time now (slow motion at key moments).
	Pace *Pace `json:"pace,omitempty"`
}

// Room is one live cluster. One goroutine (run) owns the engine; everything else talks to
// it through cmds.
type Room struct {
	Name  string
	Token string
	// Sandbox rooms always need their token for commands.
	Sandbox bool

	cmds chan func()
	quit chan struct{}
	done chan struct{}
	hub  *hub
	// zkPort maps a server id to its ZooKeeper client port (0: none). Set before run.
	zkPort func(id int) int

	// Owned by the room goroutine.
	c           *engine.Cluster
	cfg         engine.Config
	paused      bool
	speed       float64
	simAnchor   int64
	wallAnchor  time.Time
	pending     []engine.Event
	watched     bool // some viewer was connected at the last publish
	lastView    time.Time
	lastPublish time.Time
	dirty       bool
	uiClients   map[int]*engine.Client
	gen         uint64
	// class is the room's classroom (students, questions), made on first use.
	class     *class
	classOnce sync.Once
	// pilot runs the room by itself (writes, faults) when set.
	pilot *pilot
	// stepping: a step is looking for its first event, stepped.
	stepping bool
	stepped  *engine.Event
	// marks is the history tape of the room's cluster.
	marks *marker
	// cursors replay the room's run to answer questions about its past (any goroutine).
	curMu   sync.Mutex
	cursors []*cursor
	les     *lessonState
	// slowMo: slow motion at key moments is on; slowUntil is when the last key message on
	// the wire arrives (simulated µs); paceChanged: viewers need the new pace at once.
	slowMo      bool
	slowUntil   int64
	paceChanged bool
	paceSlow    bool // the pace the clock anchors are for
	// onNewCluster runs (on the room goroutine) when the room replaces its cluster.
	onNewCluster func()
	// sink gets the engine's answers to real ZooKeeper clients (the room's ZooKeeper ports).
	sink       engine.ExternalSink
	lastActive time.Time

	mu sync.Mutex // guards lastActive for readers outside the goroutine
}

func newRoom(name, token string, sandbox bool, cfg engine.Config, zkPort func(int) int) (*Room, error) {
	r := &Room{Name: name, Token: token, Sandbox: sandbox, cmds: make(chan func(), 64), quit: make(chan struct{}),
		done: make(chan struct{}), zkPort: zkPort, speed: 1, lastActive: time.Now()}
	r.hub = newHub()
	if err := r.build(cfg); err != nil {
		return nil, err
	}
	go r.run()
	return r, nil
}

// newReplayRoom makes a room whose cluster is a replayed run (marks from replayMarked),
// paused at the run's end.
func newReplayRoom(name, token string, sandbox bool, c *engine.Cluster, marks *marker, zkPort func(int) int) *Room {
	r := &Room{Name: name, Token: token, Sandbox: sandbox, cmds: make(chan func(), 64), quit: make(chan struct{}),
		done: make(chan struct{}), zkPort: zkPort, speed: 1, lastActive: time.Now(), paused: true}
	r.hub = newHub()
	r.adopt(c, c.Config(), marks)
	go r.run()
	return r
}

// build (re)creates the cluster; the room goroutine calls it for reset.
func (r *Room) build(cfg engine.Config) error {
	if cfg.Timing.Name == "zookeeper" {
		cfg.SnapCount = 100_000 // ZooKeeper's default snapCount, for rooms measured against it
	}
	if cfg.EpochMs == 0 {
		// Stat times are dates from the room's start (recorded in its run file).
		cfg.EpochMs = time.Now().UnixMilli()
	}
	c, err := engine.NewCluster(cfg)
	if err != nil {
		return err
	}
	r.les = nil
	r.adopt(c, cfg, nil)
	c.Start()
	return nil
}

// adopt makes c the room's cluster (already started, or driven by a lesson). Connections
// of real clients to the old cluster end (their sessions went with it). marks are the
// timeline marks of c's history when they were kept while c ran (replayMarked); nil: they
// are found here.
func (r *Room) adopt(c *engine.Cluster, cfg engine.Config, marks *marker) {
	if r.c != nil && r.onNewCluster != nil {
		r.onNewCluster()
	}
	r.c, r.cfg = c, cfg
	r.gen++
	if marks == nil {
		marks = newMarker()
		if c.Now() > 0 || c.Events() > 0 {
			_, marks, _ = replayMarked(c.RunFile()) // the history before the room took the cluster
		}
		marks.follow(c)
	}
	r.marks = marks
	c.OnEvent(func(e *engine.Event) {
		if r.stepping && r.stepped == nil {
			cp := *e
			r.stepped = &cp
		}
	})
	r.curMu.Lock()
	r.cursors = nil
	r.curMu.Unlock()
	r.armPilot()
	r.uiClients = map[int]*engine.Client{}
	if r.sink != nil {
		c.SetExternalSink(r.sink)
	}
	r.slowUntil = 0
	c.OnEvent(r.notePace)
	c.OnEvent(func(e *engine.Event) {
		if r.watched {
			r.pending = append(r.pending, *e)
		}
	})
	r.simAnchor, r.wallAnchor = c.Now(), time.Now()
	r.dirty = true
}

func (r *Room) run() {
	defer close(r.done)
	timer := time.NewTimer(frameInterval)
	defer timer.Stop()
	for {
		if r.unpaced() {
			// Full speed: simulate in small chunks and take commands between them.
			if _, ok := r.c.NextAt(); !ok {
				// Nothing to simulate (every server down): wait for a command.
				select {
				case f := <-r.cmds:
					f()
				case <-r.quit:
					return
				case <-time.After(frameInterval):
				}
				continue
			}
			select {
			case f := <-r.cmds:
				f()
				r.drainCmds()
			case <-r.quit:
				return
			default:
				r.runChunkShared()
			}
			if time.Since(r.lastPublish) >= frameInterval {
				r.publish(false)
			}
			continue
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(r.nextWake())
		select {
		case f := <-r.cmds:
			f()
			r.advance()
		case <-timer.C:
			r.advance()
		case <-r.quit:
			return
		}
		r.publish(false)
	}
}

// drainCmds runs every command already waiting.
func (r *Room) drainCmds() {
	for {
		select {
		case f := <-r.cmds:
			f()
		default:
			return
		}
	}
}

// unpaced: the room runs as fast as the machine can simulate (speed = MaxSpeed).
func (r *Room) unpaced() bool {
	return !r.paused && r.speed >= MaxSpeed && (r.les == nil || !r.les.playing)
}

// nextWake is the wall time until the next engine event is due, at most one frame.
func (r *Room) nextWake() time.Duration {
	if r.paused {
		return frameInterval
	}
	at, ok := r.c.NextAt()
	if !ok {
		return frameInterval
	}
	due := r.wallAnchor.Add(time.Duration(float64(at-r.simAnchor)/r.rateOf(r.slow())) * time.Microsecond)
	d := time.Until(due)
	if d < 0 {
		return 0
	}
	if d > frameInterval {
		return frameInterval
	}
	return d
}

// runChunk runs engine steps for about a tenth of a millisecond of wall time.
func (r *Room) runChunk() {
	start := time.Now()
	r.dirty = true
	for i := 0; ; i++ {
		if !r.c.Step() {
			return
		}
		if i%64 == 63 && time.Since(start) > 100*time.Microsecond {
			return
		}
	}
}

// advance moves simulated time along with the wall clock at the room's pace: its speed, or
// a share of it in slow motion (pace.go). Where the pace changes within the frame, the clock
// is re-anchored there and the rest of the frame runs at the new pace.
func (r *Room) advance() { r.advanceAt(time.Now()) }

// advanceAt is advance with the wall clock reading now.
func (r *Room) advanceAt(now time.Time) {
	if r.paused {
		r.wallAnchor = now
		r.simAnchor = r.c.Now()
		return
	}
	for n := 0; ; n++ {
		slow := r.slow()
		if slow != r.paceSlow {
			// The pace changed (at an event, or when the last key message's delivery time
			// passed between frames): the anchors were for the old pace.
			r.repace(r.paceSlow)
			r.paceSlow = slow
		}
		target := r.simAnchor + int64(float64(now.Sub(r.wallAnchor).Microseconds())*r.rateOf(slow))
		if !r.advanceTo(target, now, slow) || n == maxPaceChanges || r.paused {
			return
		}
	}
}

// advanceTo runs the engine (or the lesson step) up to target; it stops early and reports
// true where the pace changes.
func (r *Room) advanceTo(target int64, now time.Time, slow bool) bool {
	if handled, changed := r.advanceLesson(target, slow); handled {
		return changed
	}
	defer r.cpuShare()()
	steps, behind := 0, false
	for steps < maxStepsPerFrame && !behind {
		at, ok := r.c.NextAt()
		if !ok || at > target {
			break
		}
		r.c.Step()
		steps++
		if r.slow() != slow {
			r.dirty = true
			return true
		}
		behind = r.overBudget(steps, now)
	}
	if steps == maxStepsPerFrame || behind {
		// Running behind: re-anchor so the room slows down instead of bursting later.
		r.simAnchor, r.wallAnchor = r.c.Now(), now
		return false
	}
	r.c.RunUntil(target)
	if steps > 0 {
		r.dirty = true
	}
	return false
}

// publish sends pending events (and, at most every viewEvery, the view) to the viewers.
func (r *Room) publish(force bool) {
	if len(r.pending) == 0 && !r.dirty && !force {
		return
	}
	if !force && time.Since(r.lastPublish) < publishEvery {
		return // coalesce: viewers get at most one batch per publishEvery
	}
	r.lastPublish = time.Now()
	var view *RoomView
	if force || r.paceChanged || (r.dirty && time.Since(r.lastView) >= viewEvery) {
		r.paceChanged = false
		v := r.view()
		view = &v
		r.lastView = time.Now()
		r.dirty = false
	}
	evs := r.pending
	r.pending = nil
	r.watched = r.hub.watchedRecently() // nobody watching: events are not even collected
	if len(evs) > 0 {
		r.dirty = true
	}
	r.hub.publish(evs, view)
}

func (r *Room) view() RoomView {
	v := RoomView{View: r.c.View(r.zkPort), Room: r.Name, Paused: r.paused, Speed: r.speed, Generation: r.gen, Pace: r.pace()}
	if r.les != nil {
		v.Lesson = r.les.view()
	}
	if r.pilot != nil && (r.pilot.set.WritesPerSec > 0 || r.pilot.set.FaultEverySec > 0) {
		a := r.pilot.set
		v.Autopilot = &a
	}
	return v
}

// errRoomClosed answers commands sent to a room that shut down.
var errRoomClosed = errors.New("room closed")

// do runs f on the room goroutine and waits for it.
func (r *Room) do(f func() (any, error)) (any, error) {
	type res struct {
		v   any
		err error
	}
	ch := make(chan res, 1)
	cmd := func() { v, err := f(); ch <- res{v, err}; r.dirty = true; r.touch() }
	select {
	case r.cmds <- cmd:
	default:
		t := time.NewTimer(5 * time.Second)
		defer t.Stop()
		select {
		case r.cmds <- cmd:
		case <-r.done:
			return nil, errRoomClosed
		case <-t.C:
			return nil, errors.New("room busy")
		}
	}
	select {
	case x := <-ch:
		return x.v, x.err
	case <-r.done:
		return nil, errRoomClosed
	}
}

// idleFor is how long nobody commanded the room (read without counting as activity).
func (r *Room) idleFor() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return time.Since(r.lastActive)
}

func (r *Room) touch() {
	r.mu.Lock()
	r.lastActive = time.Now()
	r.mu.Unlock()
}

// post runs f on the room goroutine without waiting (it keeps the order of posts). It
// reports false when the room is closed or stays busy for 5 s.
func (r *Room) post(f func()) bool {
	cmd := func() { f(); r.dirty = true; r.touch() }
	select {
	case r.cmds <- cmd:
		return true
	default:
	}
	t := time.NewTimer(5 * time.Second)
	defer t.Stop()
	select {
	case r.cmds <- cmd:
		return true
	case <-r.done:
	case <-t.C:
	}
	return false
}

// View returns the current room view (from the room goroutine).
func (r *Room) View() (RoomView, error) {
	v, err := r.do(func() (any, error) { return r.view(), nil })
	if err != nil {
		return RoomView{}, err
	}
	return v.(RoomView), nil
}

func (r *Room) close() {
	select {
	case <-r.quit:
	default:
		close(r.quit)
	}
	<-r.done
	r.hub.closeAll()
}

// Commands. Each returns a userError for bad input; the cluster is unchanged then.

type userError struct {
	code string
	msg  string
}

func (e *userError) Error() string { return e.msg }

func badInput(code, format string, args ...any) error {
	return &userError{code: code, msg: fmt.Sprintf(format, args...)}
}

func (r *Room) checkServer(id int) error {
	if id < 1 || id > r.c.Size() {
		return badInput("unknown_server", "unknown server %d (this room has servers 1 to %d)", id, r.c.Size())
	}
	return nil
}

func (r *Room) crash(id int) (any, error) {
	if err := r.checkServer(id); err != nil {
		return nil, err
	}
	if err := r.c.Crash(id); err != nil {
		return nil, badInput("conflict", "%v", err)
	}
	return r.view(), nil
}

func (r *Room) restart(id int) (any, error) {
	if err := r.checkServer(id); err != nil {
		return nil, err
	}
	if err := r.c.Restart(id); err != nil {
		return nil, badInput("conflict", "%v", err)
	}
	return r.view(), nil
}

func (r *Room) partition(groups [][]int) (any, error) {
	if len(groups) == 0 {
		return nil, badInput("bad_groups", "groups must list at least one group")
	}
	if err := r.c.Partition(groups); err != nil {
		return nil, badInput("bad_groups", "%v", err)
	}
	return r.view(), nil
}

func (r *Room) link(from, to int, up bool) (any, error) {
	if err := r.c.SetLink(from, to, up); err != nil {
		return nil, badInput("bad_link", "%v", err)
	}
	return r.view(), nil
}

func (r *Room) heal() (any, error) {
	r.c.Heal()
	return r.view(), nil
}

func (r *Room) setPaused(p bool) (any, error) {
	r.paused = p
	r.simAnchor, r.wallAnchor = r.c.Now(), time.Now()
	return r.view(), nil
}

// StepResult is the answer to a step: the view, and the event the step showed.
type StepResult struct {
	RoomView
	// Stepped is the first event of the step (nil when nothing is left to happen).
	Stepped *EventJSON `json:"stepped,omitempty"`
}

// maxStepItems bounds the queue items one step may process looking for a visible event.
const maxStepItems = 100_000

// step pauses the room and advances it to the next event a person can see (a message sent,
// delivered or dropped, a vote, a state change, a commit …), never just to an invisible
// timer; it finishes the items due at that same moment that show nothing more.
func (r *Room) step() (any, error) {
	r.paused = true
	r.stepping, r.stepped = true, nil
	for i := 0; i < maxStepItems && r.stepped == nil; i++ {
		if !r.c.Step() {
			break
		}
	}
	r.stepping = false
	r.simAnchor, r.wallAnchor = r.c.Now(), time.Now()
	out := StepResult{RoomView: r.view()}
	if r.stepped != nil {
		j := eventJSON(r.stepped)
		out.Stepped = &j
	}
	return out, nil
}

func (r *Room) setSpeed(s float64) (any, error) {
	if !(s >= MinSpeed && s <= MaxSpeed) {
		return nil, badInput("bad_speed", "speed %g out of range [%g, %g]", s, MinSpeed, MaxSpeed)
	}
	r.speed = s
	r.simAnchor, r.wallAnchor = r.c.Now(), time.Now()
	return r.view(), nil
}

func (r *Room) reset(cfg engine.Config) (any, error) {
	if err := cfg.Validate(); err != nil {
		return nil, badInput("bad_config", "%v", err)
	}
	if err := r.build(cfg); err != nil {
		return nil, badInput("bad_config", "%v", err)
	}
	r.pending = nil
	r.publish(true)
	r.hub.resetAll()
	return r.view(), nil
}

// OpRequest is POST /api/rooms/{room}/ops.
type OpRequest struct {
	Server     int    `json:"server"`
	Op         string `json:"op"`
	Path       string `json:"path"`
	Data       string `json:"data"`
	Ephemeral  bool   `json:"ephemeral"`
	Sequential bool   `json:"sequential"`
	Watch      bool   `json:"watch"`
}

// OpResult is the answer to an op.
type OpResult struct {
	OK        bool        `json:"ok"`
	Pending   bool        `json:"pending,omitempty"`
	Err       string      `json:"err"`
	Zxid      engine.Zxid `json:"zxid"`
	ReplyZxid engine.Zxid `json:"replyZxid"`
	Server    int         `json:"server"`
	Path      string      `json:"path,omitempty"`
	Data      string      `json:"data,omitempty"`
	Children  []string    `json:"children,omitempty"`
	Stat      *zkdb.Stat  `json:"stat,omitempty"`
	Client    int64       `json:"client"`
}

func (o OpRequest) toOp() (zkdb.Op, error) {
	if len(o.Data) > engine.MaxDataBytes {
		return zkdb.Op{}, badInput("too_large", "data is %d bytes; the limit is %d (jute.maxbuffer)", len(o.Data), engine.MaxDataBytes)
	}
	if err := zkdb.ValidateCreatePath(o.Path, o.Op == "create" && o.Sequential); err != nil {
		return zkdb.Op{}, badInput("bad_path", "%v", err)
	}
	switch o.Op {
	case "create":
		mode := zkdb.Persistent
		switch {
		case o.Ephemeral && o.Sequential:
			mode = zkdb.EphemeralSequential
		case o.Ephemeral:
			mode = zkdb.Ephemeral
		case o.Sequential:
			mode = zkdb.PersistentSequential
		}
		return zkdb.Op{Type: zkdb.OpCreate, Path: o.Path, Data: []byte(o.Data), ACL: zkdb.OpenACL, Mode: mode}, nil
	case "set":
		return zkdb.Op{Type: zkdb.OpSetData, Path: o.Path, Data: []byte(o.Data), Version: -1}, nil
	case "get":
		return zkdb.Op{Type: zkdb.OpGetData, Path: o.Path}, nil
	case "delete":
		return zkdb.Op{Type: zkdb.OpDelete, Path: o.Path, Version: -1}, nil
	case "ls":
		return zkdb.Op{Type: zkdb.OpGetChildren, Path: o.Path}, nil
	case "sync":
		return zkdb.Op{Type: zkdb.OpSync, Path: o.Path}, nil
	}
	return zkdb.Op{}, badInput("bad_op", "unknown op %q (want create, set, get, delete, ls or sync)", o.Op)
}

// submitOp starts a client op at a server; done receives the result once the engine
// answers (possibly much later, when the room is paused).
func (r *Room) submitOp(req OpRequest, done func(OpResult)) error {
	if err := r.checkServer(req.Server); err != nil {
		return err
	}
	op, err := req.toOp()
	if err != nil {
		return err
	}
	p := r.c.Peer(req.Server)
	if p.State() == engine.Down {
		return badInput("server_down", "server %d is down", req.Server)
	}
	cl := r.uiClients[req.Server]
	if (cl == nil || cl.State() != engine.ClientConnected) && !p.Serving() {
		return badInput("not_serving", "server %d is not serving clients right now (%s, %s): ZooKeeper refuses clients until a leader is established and the server is in sync", req.Server, p.State(), p.Phase())
	}
	if cl == nil || cl.State() == engine.ClientExpired || cl.State() == engine.ClientClosed {
		cl = r.c.NewPinnedClient(req.Server, int32(20*r.cfg.Timing.TickTimeMs))
		r.uiClients[req.Server] = cl
	}
	cl.Submit(op, req.Watch, func(rep engine.Reply) {
		res := OpResult{OK: rep.Err == zkdb.OK, Err: rep.Err.Name(), Zxid: rep.TxnZxid, ReplyZxid: rep.Zxid, Server: rep.Server,
			Path: rep.Path, Data: string(rep.Data), Children: rep.Children, Client: cl.ID()}
		if rep.Err == zkdb.OK && (op.Type == zkdb.OpGetData || op.Type == zkdb.OpSetData || op.Type == zkdb.OpGetChildren) {
			st := rep.Stat
			res.Stat = &st
		}
		if res.Path == "" && op.Type != zkdb.OpCreate {
			res.Path = req.Path
		}
		done(res)
	})
	return nil
}

// size is the number of servers (for tests and the ZooKeeper ports).
func (r *Room) size() int {
	n, _ := r.do(func() (any, error) { return r.c.Size(), nil })
	i, _ := n.(int)
	return i
}

// SetSpeed sets the room's speed (MaxSpeed: as fast as the machine can simulate).
func (r *Room) SetSpeed(s float64) error {
	_, err := r.do(func() (any, error) { return r.setSpeed(s) })
	return err
}
