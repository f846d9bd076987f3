package web

import (
	"bytes"
	"encoding/json"
	"sort"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/zkdb"
)

// serverFacts is what the four-letter words and the AdminServer's commands report about one
// server, read on the room goroutine, so that both give the same figures.
type serverFacts struct {
	r    *Room
	c    *engine.Cluster
	p    *engine.Peer
	id   int
	tree *zkdb.DataTree
	// mode is ZooKeeperServer.getState: leader, follower, observer, read-only ("" when the
	// server does not serve clients).
	mode string
	// The client port's side (zero without ports): its connections (not the asking one),
	// counters, the port.
	conns                       []*zkConn
	received, sent, outstanding int64
	port                        int
}

// factsOf reads server id of room r; z is r's client ports, or nil.
func factsOf(r *Room, z *ZKPorts, id int) serverFacts {
	f := serverFacts{r: r, c: r.c, p: r.c.Peer(id), id: id}
	if f.p == nil || f.p.State() == engine.Down {
		return f
	}
	f.tree = f.p.Tree()
	if f.p.Serving() {
		f.mode = map[engine.ServerState]string{engine.Leading: "leader", engine.Following: "follower", engine.Observing: "observer"}[f.p.State()]
	}
	if f.p.ReadOnly() {
		f.mode = "read-only" // ReadOnlyZooKeeperServer.getState
	}
	if z != nil {
		f.conns = z.connsOf(id)
		st := z.stats(id)
		f.received, f.sent = st.received.Load(), st.sent.Load()
		for _, k := range f.conns {
			f.outstanding += k.outstanding.Load()
		}
		f.port = z.Port(id)
	}
	return f
}

// serving reports whether the server answers clients (ZooKeeper: a running zkServer).
func (f *serverFacts) serving() bool { return f.tree != nil && f.mode != "" }

// ephemerals maps every session of the server's tree to its ephemeral paths, in session order.
func (f *serverFacts) ephemerals() ([]int64, map[int64][]string) {
	sessions := make([]int64, 0, len(f.tree.Sessions()))
	for s := range f.tree.Sessions() {
		sessions = append(sessions, s)
	}
	sort.Slice(sessions, func(i, j int) bool { return sessions[i] < sessions[j] })
	out := make(map[int64][]string, len(sessions))
	for _, s := range sessions {
		out[s] = f.tree.Ephemerals(s)
	}
	return sessions, out
}

// watches maps each session watching something on this server to its watched paths (data
// watches, as DataTree.getWatches reports them), in session order; paths maps each watched
// path to its sessions.
func (f *serverFacts) watches() (sessions []int64, bySession map[int64][]string, paths []string, byPath map[string][]int64) {
	bySession, byPath = map[int64][]string{}, map[string][]int64{}
	for w, ps := range f.tree.DataWatches() {
		s := f.sessionOf(w)
		if _, ok := bySession[s]; !ok {
			sessions = append(sessions, s)
		}
		bySession[s] = append(bySession[s], ps...)
		for _, p := range ps {
			if _, ok := byPath[p]; !ok {
				paths = append(paths, p)
			}
			byPath[p] = append(byPath[p], s)
		}
	}
	sort.Slice(sessions, func(i, j int) bool { return sessions[i] < sessions[j] })
	sort.Strings(paths)
	for _, ss := range byPath {
		sort.Slice(ss, func(i, j int) bool { return ss[i] < ss[j] })
	}
	return sessions, bySession, paths, byPath
}

// sessionOf is the session of a watcher (an engine client id): a real client's connection
// or one of the room's own clients.
func (f *serverFacts) sessionOf(watcher int64) int64 {
	for _, k := range f.conns {
		if ecl := f.c.ExternalClient(k.conn); ecl != nil && ecl.ID() == watcher {
			return ecl.SessionID()
		}
	}
	if cl := f.c.ClientByID(watcher); cl != nil {
		return cl.SessionID()
	}
	return 0
}

// monitor is mntr's list (ZooKeeperServer.dumpMonitorValues and its gauges), the names
// without the "zk_" that the four-letter word adds.
func (f *serverFacts) monitor() kvList {
	eph := 0
	for s := range f.tree.Sessions() {
		eph += len(f.tree.Ephemerals(s))
	}
	m := kvList{{"version", zkVersion}, {"server_state", f.mode}, {"avg_latency", 0.0}, {"max_latency", 0},
		{"min_latency", 0}, {"packets_received", f.received}, {"packets_sent", f.sent},
		{"num_alive_connections", len(f.conns)}, {"outstanding_requests", f.outstanding},
		{"znode_count", f.tree.NodeCount()}, {"watch_count", f.tree.WatchCount()}, {"ephemerals_count", eph},
		{"approximate_data_size", f.tree.ApproxBytes()}, {"last_proposal_size", -1}}
	if f.mode == "leader" {
		learners, synced := 0, 0
		for q := 1; q <= f.c.Size(); q++ {
			if q == f.id {
				continue
			}
			if pq := f.c.Peer(q); pq != nil && (pq.State() == engine.Following || pq.State() == engine.Observing) {
				learners++
				if pq.Serving() {
					synced++
				}
			}
		}
		m = append(m, kv{"learners", learners}, kv{"synced_followers", synced}, kv{"pending_syncs", 0})
	}
	return m
}

// kv is one entry of a kvList.
type kv struct {
	K string
	V any
}

// kvList is a JSON object that keeps its keys in order (ZooKeeper's LinkedHashMaps).
type kvList []kv

// MarshalJSON writes the entries in order.
func (l kvList) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.K)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(e.V)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
