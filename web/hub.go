package web

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/zablab/zablab/engine"
)

// hub fans a room's event batches out to its viewers. A viewer that cannot keep up is never
// waited for: its batches are dropped and it gets a fresh view instead.
type hub struct {
	mu      sync.Mutex
	viewers map[*viewer]struct{}
	// history keeps the most recent events for reconnecting viewers (encoded on demand).
	history []engine.Event
	// view holds the latest view JSON: [canControl]. Events and views are encoded once for
	// viewers of every language: their reasons are typed and the page renders them.
	view [2][]byte
	seq  uint64
	// lastLeave is when the last viewer left.
	lastLeave time.Time
}

type viewer struct {
	canControl bool
	// teacher: the room's controller and not a student (gets the live answer counts).
	teacher bool
	send    chan wsOut
	// wake tells the writer that replies wait in replies (capacity 1).
	wake   chan struct{}
	mu     sync.Mutex
	behind bool
	closed bool
	// replies holds command results that came while the viewer was behind or its queue was
	// full: event batches may be dropped (a fresh view replaces them), replies never are.
	replies    [][]byte
	replyBytes int
	// overflow: replies exceeded maxReplyBytes because the client does not read; the
	// connection is closed rather than holding more.
	overflow bool
}

// wsOut is one queued websocket message; reply marks a command's result.
type wsOut struct {
	b     []byte
	reply bool
}

const viewerQueue = 256

// maxReplyBytes bounds the results held for a viewer that does not read them.
const maxReplyBytes = 16 << 20

func newViewer(canControl bool) *viewer {
	return &viewer{canControl: canControl, send: make(chan wsOut, viewerQueue), wake: make(chan struct{}, 1)}
}

// maxBatchEvents is the largest batch sent to viewers; beyond it they get a fresh view.
const maxBatchEvents = 2000

func newHub() *hub { return &hub{viewers: map[*viewer]struct{}{}} }

func ctlIdx(b bool) int {
	if b {
		return 1
	}
	return 0
}

// publish is called by the room goroutine with new events and, sometimes, a new view.
func (h *hub) publish(evs []engine.Event, view *RoomView) {
	h.mu.Lock()
	watched := len(h.viewers) > 0
	tail := evs
	if len(tail) > historyEvents {
		tail = tail[len(tail)-historyEvents:]
	}
	h.history = append(h.history, tail...)
	if n := len(h.history); n > 2*historyEvents {
		h.history = append([]engine.Event(nil), h.history[n-historyEvents:]...)
	}
	if len(evs) > 0 {
		h.seq = evs[len(evs)-1].Seq
	}
	h.mu.Unlock()
	if !watched && view == nil {
		return // nobody is watching: encode nothing
	}
	if len(evs) > maxBatchEvents {
		// A full-speed room makes more events than a browser can show: send a fresh view
		// (a reset) instead of the batch.
		views := encodeViews(view)
		h.mu.Lock()
		if view != nil {
			h.view = views
		}
		h.markAllBehind()
		h.mu.Unlock()
		return
	}
	var encoded []json.RawMessage
	if watched {
		encoded = encodeEvents(evs)
	}
	views := encodeViews(view)
	var msgs [2][]byte
	for c := 0; c < 2; c++ {
		if !watched || (len(encoded) == 0 && views[c] == nil) {
			continue
		}
		msgs[c] = batchMessage(encoded, views[c])
	}
	h.mu.Lock()
	if view != nil {
		h.view = views
	}
	for v := range h.viewers {
		m := msgs[ctlIdx(v.canControl)]
		if m != nil {
			v.offer(m)
		}
	}
	h.mu.Unlock()
}

// encodeViews encodes a view for each canControl value; nil when view is nil.
func encodeViews(view *RoomView) [2][]byte {
	var views [2][]byte
	if view == nil {
		return views
	}
	tv := *view
	for c := 0; c < 2; c++ {
		tv.CanControl = c == 1
		views[c], _ = json.Marshal(tv)
	}
	return views
}

func batchMessage(evs []json.RawMessage, view []byte) []byte {
	var b bytes.Buffer
	// wall: when the server published the batch (Unix ms), so a viewer can measure its lag.
	b.WriteString(`{"type":"events","wall":`)
	b.WriteString(strconv.FormatInt(time.Now().UnixMilli(), 10))
	b.WriteString(`,"events":[`)
	for i, e := range evs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(e)
	}
	b.WriteByte(']')
	if view != nil {
		b.WriteString(`,"view":`)
		b.Write(view)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// offer queues an event batch without blocking; a full queue marks the viewer behind (it
// then gets a fresh view instead of the batches it missed).
func (v *viewer) offer(m []byte) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed || v.behind {
		return
	}
	select {
	case v.send <- wsOut{b: m}:
	default:
		v.behind = true
	}
}

// offerReply queues a command's result. It is never dropped: when the queue is full or the
// viewer is behind, it waits in v.replies and follows the fresh view.
func (v *viewer) offerReply(m []byte) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed || v.overflow {
		return
	}
	if !v.behind {
		select {
		case v.send <- wsOut{b: m, reply: true}:
			return
		default:
			v.behind = true
		}
	}
	v.replies = append(v.replies, m)
	v.replyBytes += len(m)
	if v.replyBytes > maxReplyBytes {
		v.overflow = true
		v.replies, v.replyBytes = nil, 0
	}
	select {
	case v.wake <- struct{}{}:
	default:
	}
}

// takeBehind reports whether the viewer is behind; if so it empties the queue, keeping the
// replies in it, and returns them followed by those held aside, in the order they came, and
// clears the flag. overflow reports a viewer whose connection must close.
func (v *viewer) takeBehind() (behind bool, replies [][]byte, overflow bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.behind {
		return false, nil, v.overflow
	}
drain:
	for {
		select {
		case o, ok := <-v.send:
			if !ok {
				break drain
			}
			if o.reply {
				replies = append(replies, o.b)
			}
		default:
			break drain
		}
	}
	replies = append(replies, v.replies...)
	v.replies, v.replyBytes, v.behind = nil, 0, false
	return true, replies, v.overflow
}

// join registers a viewer and returns what it must receive first: the view, then the events
// after `since` when the history still holds them.
func (h *hub) join(v *viewer, since uint64, fresh []byte) [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.viewers) == 0 && time.Since(h.lastLeave) > resumeGrace {
		h.history = nil // events were not collected while nobody watched
	}
	h.viewers[v] = struct{}{}
	view := h.view[ctlIdx(v.canControl)]
	if view == nil {
		view = fresh
	}
	first := [][]byte{wrap("view", view)}
	if since > 0 && since < h.seq && len(h.history) > 0 && h.history[0].Seq <= since+1 {
		var missed []engine.Event
		for _, e := range h.history {
			if e.Seq > since {
				missed = append(missed, e)
			}
		}
		first = append(first, batchMessage(encodeEvents(missed), nil))
	}
	return first
}

// resumeGrace is how long a room keeps collecting events after its last viewer left, so
// that viewer can reconnect and resume.
const resumeGrace = 30 * time.Second

// watchedRecently: a viewer is connected, or left less than resumeGrace ago.
func (h *hub) watchedRecently() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.viewers) > 0 || (!h.lastLeave.IsZero() && time.Since(h.lastLeave) < resumeGrace)
}

func (h *hub) leave(v *viewer) {
	h.mu.Lock()
	if _, ok := h.viewers[v]; ok {
		h.lastLeave = time.Now()
	}
	delete(h.viewers, v)
	h.mu.Unlock()
	v.mu.Lock()
	if !v.closed {
		v.closed = true
		close(v.send)
	}
	v.mu.Unlock()
}

// resetMessage is what a viewer that fell behind gets instead of the batches it missed.
func (h *hub) resetMessage(v *viewer) []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return wrap("reset", h.view[ctlIdx(v.canControl)])
}

// resetAll tells every viewer to redraw (the room got a new cluster).
func (h *hub) resetAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.history = nil
	h.markAllBehind()
}

// markAllBehind makes every viewer's next message a fresh view. h.mu must be held.
func (h *hub) markAllBehind() {
	for v := range h.viewers {
		v.mu.Lock()
		v.behind = true
		v.mu.Unlock()
	}
}

func (h *hub) closeAll() {
	for _, v := range h.snapshot() {
		h.leave(v)
	}
}

// count is the number of viewers.
func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.viewers)
}

func wrap(typ string, view []byte) []byte {
	if view == nil {
		view = []byte("null")
	}
	var b bytes.Buffer
	b.WriteString(`{"type":"` + typ + `","view":`)
	b.Write(view)
	b.WriteByte('}')
	return b.Bytes()
}

// broadcast sends a message to every viewer; like a command's reply it is never dropped.
func (h *hub) broadcast(m []byte) {
	for _, v := range h.snapshot() {
		v.offerReply(m)
	}
}

// broadcastTeachers sends a message to the teacher's viewers only (never dropped).
func (h *hub) broadcastTeachers(m []byte) {
	for _, v := range h.snapshot() {
		if v.teacher {
			v.offerReply(m)
		}
	}
}

// snapshot lists the viewers (to act on them without holding the hub's lock).
func (h *hub) snapshot() []*viewer {
	h.mu.Lock()
	defer h.mu.Unlock()
	vs := make([]*viewer, 0, len(h.viewers))
	for v := range h.viewers {
		vs = append(vs, v)
	}
	return vs
}
