package engine

import (
	"sort"

	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

// sessionTracker is the leader's SessionTrackerImpl: when each global session was last
// heard of, so it can expire the silent ones.
type sessionTracker struct {
	s map[int64]*trackedSession
}

type trackedSession struct {
	timeoutMs int32
	lastUs    int64
	closing   bool
}

// newSessionTracker starts tracking every session in the tree, as if all were just touched
// (a new leader gives every session a full timeout).
func newSessionTracker(tree *zkdb.DataTree, nowUs int64) sessionTracker {
	st := sessionTracker{s: map[int64]*trackedSession{}}
	for id, to := range tree.Sessions() {
		st.s[id] = &trackedSession{timeoutMs: to, lastUs: nowUs}
	}
	return st
}

func (st *sessionTracker) add(id int64, timeoutMs int32, nowUs int64) {
	if st.s == nil {
		st.s = map[int64]*trackedSession{}
	}
	st.s[id] = &trackedSession{timeoutMs: timeoutMs, lastUs: nowUs}
}

func (st *sessionTracker) remove(id int64) { delete(st.s, id) }

func (st *sessionTracker) touch(id int64, nowUs int64) {
	if s := st.s[id]; s != nil && !s.closing {
		s.lastUs = nowUs
	}
}

func (st *sessionTracker) valid(id int64) bool {
	s := st.s[id]
	return s != nil && !s.closing
}

// expired lists, in id order, sessions silent for longer than their timeout, and marks them
// closing so each is expired once.
func (st *sessionTracker) expired(nowUs int64) []int64 {
	var out []int64
	for id, s := range st.s {
		if !s.closing && nowUs-s.lastUs > int64(s.timeoutMs)*1000 {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	for _, id := range out {
		st.s[id].closing = true
	}
	return out
}

// expireSessions submits closeSession for every expired session (leader, once per tick).
func (p *Peer) expireSessions() {
	for _, id := range p.lead.sessions.expired(p.c.now) {
		p.c.emit(&Event{Kind: EvSession, Node: p.id, Session: id, Reason: reason.Of(reason.SessionExpired)})
		if _, ok := p.propose(id, 0, zkdb.Op{Type: zkdb.OpCloseSession}); !ok {
			return
		}
	}
}
