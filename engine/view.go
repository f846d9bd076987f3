package engine

import (
	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

// VoteView is a server's current election vote, as the API shows it.
type VoteView struct {
	Leader    int   `json:"leader"`
	Zxid      Zxid  `json:"zxid"`
	PeerEpoch int64 `json:"peerEpoch"`
	Round     int64 `json:"round"`
}

// NodeView is one server as the API shows it (design.md, GET /api/rooms/{room}).
type NodeView struct {
	ID            int    `json:"id"`
	Role          string `json:"role"` // participant | observer
	State         string `json:"state"`
	Phase         string `json:"phase"`
	AcceptedEpoch int64  `json:"acceptedEpoch"`
	CurrentEpoch  int64  `json:"currentEpoch"`
	LastZxid      Zxid   `json:"lastZxid"`
	// LastCommittedZxid is the newest zxid the server knows to be committed (0 until a
	// restarted server has synced; -1 when down); LastProcessedZxid is the newest txn in its
	// tree, which after leaving a role includes logged proposals that may never commit.
	LastCommittedZxid Zxid           `json:"lastCommittedZxid"`
	LastProcessedZxid Zxid           `json:"lastProcessedZxid"`
	Vote              VoteView       `json:"vote"`
	ZKPort            int            `json:"zkPort"`
	Reason            reason.Reason  `json:"reason"`
	SyncMode          string         `json:"syncMode"`
	SyncReason        reason.Reason  `json:"syncReason"`
	Leader            int            `json:"following"` // the leader it follows or leads, 0 if none
	Serving           bool           `json:"serving"`
	Log               []LogEntryView `json:"log"`
	Snapshots         []Zxid         `json:"snapshots"`
	Queues            []QueueView    `json:"queues,omitempty"`
	Outstanding       []ProposalView `json:"outstanding,omitempty"`
	Clients           int            `json:"clients"`
}

// LogEntryView is one txn of a server's log tail.
type LogEntryView struct {
	Zxid      Zxid   `json:"zxid"`
	Op        string `json:"op"`
	Path      string `json:"path"`
	Committed bool   `json:"committed"`
}

// QueueView is a learner's FIFO queue at the leader.
type QueueView struct {
	Learner int          `json:"learner"`
	Stage   string       `json:"stage"`
	Packets []PacketView `json:"packets"`
	Synced  bool         `json:"synced"`
}

// PacketView is a queued packet.
type PacketView struct {
	Type string `json:"type"`
	Zxid Zxid   `json:"zxid"`
}

// ProposalView is an outstanding proposal at the leader with its acks.
type ProposalView struct {
	Zxid   Zxid   `json:"zxid"`
	Op     string `json:"op"`
	Path   string `json:"path"`
	Acks   []int  `json:"acks"`
	Needed int    `json:"needed"`
}

// View is the whole cluster at one instant.
type View struct {
	TimeMs     float64     `json:"timeMs"`
	Tick       int64       `json:"tick"`
	Leader     int         `json:"leader"`
	Nodes      []NodeView  `json:"nodes"`
	Links      LinkRules   `json:"links"`
	Timing     Timing      `json:"timing"`
	Bug        string      `json:"bug"`
	Seed       int64       `json:"seed"`
	Voters     int         `json:"voters"`
	Observers  int         `json:"observers"`
	Violations []Violation `json:"violations"`
	Committed  int         `json:"committed"`
	EventSeq   uint64      `json:"eventSeq"`
}

var stageNames = [...]string{"EPOCH", "ACKEPOCH", "ELECTING", "NEWLEADER", "ACKED", "BROADCAST"}

// maxLogView bounds the log tail a view carries per server.
const maxLogView = 24

// View builds the cluster view. zkPort maps a server id to its client port (nil: none).
func (c *Cluster) View(zkPort func(id int) int) View {
	v := View{TimeMs: float64(c.now) / 1000, Leader: c.Leader(), Links: c.Rules(), Timing: c.cfg.Timing,
		Bug: string(c.cfg.Bug), Seed: c.cfg.Seed, Voters: c.cfg.Voters, Observers: c.cfg.Observers,
		Violations: c.checker.Violations(), Committed: c.checker.Committed(), EventSeq: c.evSeq}
	if v.Violations == nil {
		v.Violations = []Violation{}
	}
	if v.Links.Groups == nil {
		v.Links.Groups = [][]int{}
	}
	if v.Links.Cuts == nil {
		v.Links.Cuts = [][2]int{}
	}
	if l := c.peer(v.Leader); l != nil {
		v.Tick = l.lead.tick
	}
	for _, p := range c.peers[1:] {
		v.Nodes = append(v.Nodes, p.view(zkPort))
	}
	return v
}

func (p *Peer) view(zkPort func(int) int) NodeView {
	n := NodeView{ID: p.id, Role: "participant", State: p.state.String(), Phase: p.phase.String(),
		AcceptedEpoch: p.disk.AcceptedEpoch, CurrentEpoch: p.disk.CurrentEpoch, LastZxid: p.LastLoggedZxid(),
		Reason: p.reason, SyncMode: p.c.lastSync[p.id].mode.String(), SyncReason: p.c.lastSync[p.id].why, Serving: p.srv.serving,
		Snapshots: p.disk.SnapshotZxids(), Clients: len(p.srv.clients)}
	if p.observer {
		n.Role = "observer"
	}
	if zkPort != nil {
		n.ZKPort = zkPort(p.id)
	}
	if p.state != Down {
		v := p.el.current
		if p.state == Looking {
			v = p.el.proposal
		}
		n.Vote = VoteView{Leader: v.Leader, Zxid: v.Zxid, PeerEpoch: v.PeerEpoch, Round: p.el.round}
		if p.observer && p.state == Looking {
			n.Vote = VoteView{Round: p.el.round}
		}
		n.LastCommittedZxid = p.committed
		n.LastProcessedZxid = p.tree.LastProcessedZxid()
	} else {
		n.LastCommittedZxid, n.LastProcessedZxid = -1, -1
	}
	switch {
	case p.lead != nil:
		n.Leader = p.id
		n.Queues, n.Outstanding = p.leaderViews()
	case p.learn != nil:
		n.Leader = p.learn.leader
	}
	log := p.disk.Log()
	if len(log) > maxLogView {
		log = log[len(log)-maxLogView:]
	}
	n.Log = make([]LogEntryView, 0, len(log))
	for _, t := range log {
		n.Log = append(n.Log, LogEntryView{Zxid: t.Zxid, Op: t.Op.Type.String(), Path: t.Op.Path, Committed: p.tree != nil && t.Zxid <= n.LastCommittedZxid})
	}
	return n
}

func (p *Peer) leaderViews() ([]QueueView, []ProposalView) {
	l := p.lead
	qs := []QueueView{}
	for _, h := range l.sortedHandlers() {
		q := QueueView{Learner: h.sid, Stage: stageNames[h.stage], Packets: []PacketView{}, Synced: l.tick <= h.deadlineTick}
		for _, m := range h.queue {
			q.Packets = append(q.Packets, PacketView{Type: m.Packet.String(), Zxid: m.Zxid})
		}
		qs = append(qs, q)
	}
	ps := []ProposalView{}
	for _, pr := range l.outstanding {
		ps = append(ps, ProposalView{Zxid: pr.txn.Zxid, Op: pr.txn.Op.Type.String(), Path: pr.txn.Op.Path,
			Acks: append([]int{}, pr.acks...), Needed: p.c.cfg.Voters/2 + 1})
	}
	return qs, ps
}

// ZNodeView is one znode of a server's tree, with its Stat.
type ZNodeView struct {
	Path string    `json:"path"`
	Data string    `json:"data"`
	Stat zkdb.Stat `json:"stat"`
}

// TreeView lists a server's znodes in depth-first order (nil when the server is down).
func (c *Cluster) TreeView(id int) []ZNodeView {
	p := c.peer(id)
	if p == nil || p.tree == nil {
		return nil
	}
	out := []ZNodeView{}
	p.tree.Walk(func(path string, data []byte, st zkdb.Stat) bool {
		out = append(out, ZNodeView{Path: path, Data: string(data), Stat: st})
		return true
	})
	return out
}
