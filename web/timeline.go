package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/describe"
	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
	"github.com/zablab/zablab/lessons"
)

// Mark is a moment on a room's history tape.
type Mark struct {
	T    float64 `json:"t"` // simulated ms
	Kind string  `json:"kind"`
	Node int     `json:"node,omitempty"`
	Text string  `json:"text"`
	// Seq is the event the mark stands for; Count merges writes close together.
	Seq   uint64 `json:"seq"`
	Count int    `json:"count,omitempty"`
	ev    engine.Event
	title lessons.Text // a lesson step's title
}

// Limits of the history kept for the tape.
const (
	maxMarks = 50_000
	// writeMergeUs merges the write marks of one burst.
	writeMergeUs = 200_000
)

// marker turns a cluster's events into the marks of its history tape: elections and their
// winners, epochs, crashes and restarts, partitions and heals, syncs, writes, violations.
type marker struct {
	marks        []Mark
	down         map[int]bool
	electionOpen bool
	maxEpoch     int64
	dropped      int
}

func newMarker() *marker { return &marker{down: map[int]bool{}} }

func (m *marker) add(kind string, e *engine.Event, node int) {
	if len(m.marks) >= maxMarks {
		m.dropped++
		return
	}
	m.marks = append(m.marks, Mark{T: float64(e.TimeUs) / 1000, Kind: kind, Node: node, Seq: e.Seq, ev: *e})
}

// observe looks at one event of c (called as the event happens, so c's state is current).
func (m *marker) observe(c *engine.Cluster, e *engine.Event) {
	switch e.Kind {
	case engine.EvState:
		switch {
		case e.State == engine.Down:
			m.down[e.Node] = true
			m.add("crash", e, e.Node)
		case e.State == engine.Looking && m.down[e.Node]:
			delete(m.down, e.Node)
			m.add("restart", e, e.Node)
		case e.Reason.Code == reason.StateStarted && c.Config().Timing.StartSkewMs > 0:
			m.add("start", e, e.Node) // servers of one start come up apart
		}
		if e.State == engine.Looking && !m.electionOpen {
			m.electionOpen = true
			m.add("election", e, e.Node)
		}
		if e.State == engine.Leading && e.Phase == engine.PhaseBroadcast {
			m.electionOpen = false
			m.add("leader", e, e.Node)
		}
	case engine.EvEpoch:
		if e.Epoch > m.maxEpoch && e.Reason.Code == reason.EpochCurrent {
			m.maxEpoch = e.Epoch
			m.add("epoch", e, e.Node)
		}
	case engine.EvLinks:
		rules := c.Rules()
		switch {
		case len(rules.Groups) > 0:
			m.add("partition", e, 0)
		case len(rules.Cuts) == 0 && len(rules.Links) == 0 && rules.LossPct == 0:
			m.add("heal", e, 0)
		default:
			m.add("link", e, 0)
		}
	case engine.EvSyncMode:
		m.add("sync", e, e.Peer)
	case engine.EvCommit:
		if e.Node != c.Leader() || e.Err != zkdb.OK || e.Op == zkdb.OpCreateSession || e.Op == zkdb.OpCloseSession {
			return
		}
		if n := len(m.marks); n > 0 && m.marks[n-1].Kind == "write" && e.TimeUs-m.marks[n-1].ev.TimeUs < writeMergeUs {
			m.marks[n-1].Count++
			return
		}
		m.add("write", e, e.Node)
		m.marks[len(m.marks)-1].Count = 1
	case engine.EvViolation:
		m.add("violation", e, e.Node)
	}
}

// lesson marks the start of a lesson step (Count is the step's number, from 1).
func (m *marker) lesson(c *engine.Cluster, step int, title lessons.Text) {
	if len(m.marks) >= maxMarks {
		return
	}
	m.marks = append(m.marks, Mark{T: float64(c.Now()) / 1000, Kind: "lesson", Seq: c.Events(),
		ev: engine.Event{Seq: c.Events(), TimeUs: c.Now()}, Count: step + 1, title: title})
}

// follow makes m observe c's events from now on.
func (m *marker) follow(c *engine.Cluster) {
	c.OnEvent(func(e *engine.Event) { m.observe(c, e) })
}

// replayMarked replays a run to its end, finding the marks of its history on the way; the
// marks go on following the cluster (a room adopts both).
func replayMarked(rf *engine.RunFile) (*engine.Cluster, *marker, error) {
	m := newMarker()
	c, err := engine.Replay(rf, -1, m.follow)
	return c, m, err
}

// TimelineJSON is GET /api/rooms/{room}/timeline.
type TimelineJSON struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	Marks []Mark  `json:"marks"`
	// Dropped counts marks beyond the limit (a long run at full speed).
	Dropped int `json:"dropped,omitempty"`
}

func (s *Server) getTimeline(c echo.Context) error {
	r, err := s.roomOf(c)
	if err != nil {
		return err
	}
	lang := reason.En
	if c.QueryParam("lang") == "zh" {
		lang = reason.Zh
	}
	v, err := r.do(func() (any, error) {
		out := TimelineJSON{End: float64(r.c.Now()) / 1000, Marks: make([]Mark, len(r.marks.marks)), Dropped: r.marks.dropped}
		copy(out.Marks, r.marks.marks)
		return out, nil
	})
	if err != nil {
		return err
	}
	tl := v.(TimelineJSON)
	for i := range tl.Marks {
		mk := &tl.Marks[i]
		if mk.Kind == "lesson" {
			mk.Text = mk.title.In(lang)
		} else {
			mk.Text = describe.Event(&mk.ev, lang)
		}
	}
	return c.JSON(http.StatusOK, tl)
}

// A cursor is a replay of a room's run, kept to answer questions about the past: moving it
// forward is cheap, so scrubbing forward (and the diagram's windows) reuse it.
type cursor struct {
	mu  sync.Mutex
	gen uint64
	end int64 // the run it replays is known up to here
	c   *engine.Cluster
	// recent holds the latest events (the /at answer's "events" and the diagram's).
	recent []engine.Event
	keep   func(*engine.Event) bool
	// walked, while walking a window (GET /events), is the last event already read from recent:
	// compaction keeps every later one, however many one step makes.
	walking bool
	walked  uint64
}

// maxReplayEvents bounds the events one question about the past may replay (about 5 s of
// work): a room that ran long at full speed answers only for moments its kept replays reach.
var maxReplayEvents = 15_000_000

// replayEstimate is how many events replaying rf from fromUs to toUs takes, from the run's
// average event rate (0 for a run of no time).
func replayEstimate(rf *engine.RunFile, fromUs, toUs int64) float64 {
	if rf.End <= 0 {
		return 0
	}
	return float64(toUs-fromUs) * float64(rf.Events) / float64(rf.End)
}

// tooFar refuses a moment whose replay from cursor k would exceed maxReplayEvents (estimated
// from the run's average event rate).
func tooFar(k *cursor, rf *engine.RunFile, tUs int64) error {
	if rf.End <= 0 || tUs <= k.c.Now() {
		return nil
	}
	est := replayEstimate(rf, k.c.Now(), tUs)
	if est <= float64(maxReplayEvents) {
		return nil
	}
	return errStatus(http.StatusUnprocessableEntity, "too_far",
		"showing %.3f ms would replay about %.0f million events (this room ran %d million in %.1f s of simulated time); at most %d million are replayed for one request: choose a moment nearer one already shown",
		float64(tUs)/1000, est/1e6, rf.Events/1_000_000, float64(rf.End)/1e6, maxReplayEvents/1_000_000)
}

// maxCursors is how many replays a room keeps for its past.
const maxCursors = 4

// recentUs is how much history before a moment /at returns.
const recentUs = 2_000_000

// maxRecent bounds the events a cursor holds (a busy room at full speed); a variable so that
// a test can make the window small.
var maxRecent = 20_000

// cursorFor returns a cursor of run rf (generation gen) at or before tUs, locked.
func (r *Room) cursorFor(gen uint64, rf *engine.RunFile, tUs int64) (*cursor, error) {
	r.curMu.Lock()
	var best *cursor
	for _, k := range r.cursors {
		if k.gen != gen || tUs > k.end {
			continue
		}
		if !k.mu.TryLock() {
			continue
		}
		if k.c.Now() <= tUs && (best == nil || k.c.Now() > best.c.Now()) {
			if best != nil {
				best.mu.Unlock()
			}
			best = k
		} else {
			k.mu.Unlock()
		}
	}
	if best == nil {
		c, err := engine.NewCluster(rf.Config)
		if err != nil {
			r.curMu.Unlock()
			return nil, err
		}
		best = &cursor{gen: gen, end: rf.End, c: c}
		best.mu.Lock()
		k := best
		c.OnEvent(func(e *engine.Event) {
			k.recent = append(k.recent, *e)
			if len(k.recent) > maxRecent {
				cut := len(k.recent) - maxRecent/2
				for k.walking && cut > 0 && k.recent[cut-1].Seq > k.walked {
					cut--
				}
				k.recent = append(k.recent[:0], k.recent[cut:]...)
			}
		})
		c.Load(rf.Commands)
		if len(r.cursors) >= maxCursors {
			r.cursors = r.cursors[1:]
		}
		r.cursors = append(r.cursors, best)
	}
	r.curMu.Unlock()
	return best, nil
}

// at moves a cursor to tUs (all events up to and including tUs, as a live room shows them).
func (k *cursor) at(tUs int64) {
	k.c.RunUntil(tUs)
	cut := 0
	for cut < len(k.recent) && k.recent[cut].TimeUs < tUs-recentUs {
		cut++
	}
	if cut > 0 {
		k.recent = append(k.recent[:0], k.recent[cut:]...)
	}
}

// pastRun is the room's run and generation (and its speed), for questions about its past.
type pastRun struct {
	r     *Room
	rf    *engine.RunFile
	gen   uint64
	speed float64
}

func (s *Server) pastRun(c echo.Context) (pastRun, error) {
	r, err := s.roomOf(c)
	if err != nil {
		return pastRun{}, err
	}
	v, err := r.do(func() (any, error) { return pastRun{r, r.c.RunFile(), r.gen, r.speed}, nil })
	if err != nil {
		return pastRun{}, err
	}
	return v.(pastRun), nil
}

// momentOf reads the t query parameter (simulated ms) and checks it lies in the run.
func momentOf(q string, rf *engine.RunFile) (int64, error) {
	if q == "" {
		return 0, errStatus(http.StatusBadRequest, "bad_t", "t (simulated ms) is required")
	}
	t, err := strconv.ParseFloat(q, 64)
	if err != nil || t != t {
		return 0, errStatus(http.StatusBadRequest, "bad_t", "t must be a number of simulated milliseconds")
	}
	us := int64(math.Round(t * 1000))
	if us < 0 || us > rf.End {
		return 0, errStatus(http.StatusNotFound, "no_such_moment", "the room's run spans 0 to %.3f ms; there is no moment %g ms", float64(rf.End)/1000, t)
	}
	return us, nil
}

// AtJSON is GET /api/rooms/{room}/at: the room's view as it was, and the events before it.
type AtJSON struct {
	RoomView
	Events []EventJSON `json:"events"`
}

func (s *Server) getAt(c echo.Context) error {
	pr, err := s.pastRun(c)
	if err != nil {
		return err
	}
	r, rf, gen := pr.r, pr.rf, pr.gen
	tUs, err := momentOf(c.QueryParam("t"), rf)
	if err != nil {
		return err
	}
	k, err := r.cursorFor(gen, rf, tUs)
	if err != nil {
		return err
	}
	defer k.mu.Unlock()
	if err := tooFar(k, rf, tUs); err != nil {
		return err
	}
	k.at(tUs)
	out := AtJSON{RoomView: RoomView{View: k.c.View(r.zkPort), Room: r.Name, Paused: true, Speed: pr.speed, Generation: gen}}
	out.CanControl = s.canControl(c, r)
	out.Events = make([]EventJSON, 0, len(k.recent))
	for i := range k.recent {
		out.Events = append(out.Events, eventJSON(&k.recent[i]))
	}
	return c.JSON(http.StatusOK, out)
}

// maxEventsPage bounds one page of GET /events.
const maxEventsPage = 5000

// EventsPage is GET /api/rooms/{room}/events.
type EventsPage struct {
	Events []EventJSON `json:"events"`
	// More: the window holds more events; ask again with after = the last seq.
	More bool `json:"more"`
}

// getEvents answers the events of a window of the past (from, to in simulated ms), of the
// kinds asked (comma-separated; default all), after an event number (paging).
func (s *Server) getEvents(c echo.Context) error {
	pr, err := s.pastRun(c)
	if err != nil {
		return err
	}
	r, rf, gen := pr.r, pr.rf, pr.gen
	from, err := momentOf(c.QueryParam("from"), rf)
	if err != nil {
		return err
	}
	to := rf.End
	if q := c.QueryParam("to"); q != "" {
		if to, err = momentOf(q, rf); err != nil {
			return err
		}
	}
	if to < from {
		return errStatus(http.StatusBadRequest, "bad_window", "to is before from")
	}
	var after uint64
	if q := c.QueryParam("after"); q != "" {
		if after, err = strconv.ParseUint(q, 10, 64); err != nil {
			return errStatus(http.StatusBadRequest, "bad_after", "after must be an event number")
		}
	}
	skipPackets := map[string]bool{}
	if q := c.QueryParam("hidePackets"); q != "" {
		for _, p := range strings.Split(q, ",") {
			skipPackets[strings.ToUpper(p)] = true
		}
	}
	kinds := map[string]bool{}
	if q := c.QueryParam("kinds"); q != "" {
		for _, k := range strings.Split(q, ",") {
			if !knownKind(k) {
				return errStatus(http.StatusBadRequest, "bad_kinds", "unknown event kind %q", k)
			}
			kinds[k] = true
		}
	}
	k, err := r.cursorFor(gen, rf, from)
	if err != nil {
		return err
	}
	defer k.mu.Unlock()
	if err := tooFar(k, rf, to); err != nil {
		return err
	}
	k.at(from)
	page := EventsPage{Events: []EventJSON{}}
	take := func(e *engine.Event) bool {
		if e.TimeUs < from || e.TimeUs > to || e.Seq <= after || (len(kinds) > 0 && !kinds[e.Kind.String()]) ||
			(len(skipPackets) > 0 && (e.Kind == engine.EvSend || e.Kind == engine.EvDeliver || e.Kind == engine.EvDrop) && skipPackets[e.Packet.String()]) {
			return true
		}
		if len(page.Events) >= maxEventsPage {
			page.More = true
			return false
		}
		page.Events = append(page.Events, eventJSON(e))
		return true
	}
	for i := range k.recent {
		k.walked = k.recent[i].Seq
		if !take(&k.recent[i]) {
			return c.JSON(http.StatusOK, page)
		}
	}
	// Walk on, event by event, to the end of the window. A step may compact k.recent, so the
	// new events are found by number, not by position.
	k.walking = true
	defer func() { k.walking = false }()
	for !page.More {
		at, ok := k.c.NextAt()
		if !ok || at > to {
			break
		}
		k.c.Step()
		i := len(k.recent)
		for i > 0 && k.recent[i-1].Seq > k.walked {
			i--
		}
		for ; i < len(k.recent); i++ {
			k.walked = k.recent[i].Seq
			if !take(&k.recent[i]) {
				break
			}
		}
	}
	return c.JSON(http.StatusOK, page)
}

func knownKind(k string) bool {
	for i := engine.EventKind(1); i < 64; i++ {
		s := i.String()
		if s == "unknown" {
			return false
		}
		if s == k {
			return true
		}
	}
	return false
}

// ForkRequest is POST /api/rooms/{room}/fork.
type ForkRequest struct {
	T       *float64 `json:"t"`
	Sandbox bool     `json:"sandbox"`
}

// postFork continues the room from a moment of its past (its later history is discarded;
// every viewer follows; a running room runs on from there), or starts a sandbox from that
// moment (paused).
func (s *Server) postFork(c echo.Context) error {
	var q ForkRequest
	if err := bind(c, &q); err != nil {
		return err
	}
	if q.T == nil {
		return errStatus(http.StatusBadRequest, "bad_t", "t (simulated ms) is required")
	}
	pr, err := s.pastRun(c)
	if err != nil {
		return err
	}
	r, rf := pr.r, pr.rf
	tUs, err := momentOf(strconv.FormatFloat(*q.T, 'f', -1, 64), rf)
	if err != nil {
		return err
	}
	if est := replayEstimate(rf, 0, tUs); est > float64(maxReplayEvents) {
		return errStatus(http.StatusUnprocessableEntity, "too_far", "forking at %.3f ms would replay about %.0f million events; at most %d million are replayed for one request",
			float64(tUs)/1000, est/1e6, maxReplayEvents/1_000_000)
	}
	// Only someone who may drive the room replays its past into it.
	if !q.Sandbox && !s.canControl(c, r) {
		if tokenOf(c, r.Name) == "" {
			return errStatus(http.StatusUnauthorized, "token_required", "forking room %q needs its token (or fork into a sandbox)", r.Name)
		}
		return errStatus(http.StatusForbidden, "bad_token", "wrong token for room %q", r.Name)
	}
	cl, marks, err := replayMarked(rf.Prefix(tUs, 0))
	if err != nil {
		return err
	}
	if q.Sandbox {
		return s.sandboxOf(c, cl, marks)
	}
	v, err := r.do(func() (any, error) {
		r.les = nil
		r.adopt(cl, cl.Config(), marks) // the room goes on as it was going: running or paused
		r.reanchor()
		r.pending = nil
		r.publish(true)
		r.hub.resetAll()
		return r.view(), nil
	})
	return s.answer(c, v, err)
}
