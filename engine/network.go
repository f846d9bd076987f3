package engine

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/zablab/zablab/engine/reason"
)

// LinkRules is the network as the user set it: partition groups, one-way cuts and loss. The
// UI, tests and lessons all edit this one object.
type LinkRules struct {
	// Groups splits the servers: two servers in different groups cannot talk. A server in no
	// group is cut off from everyone. Empty means no partition.
	Groups [][]int `json:"groups"`
	// Cuts are one-way: {from, to} means nothing from `from` reaches `to`.
	Cuts [][2]int `json:"cuts"`
	// LossPct drops this share of messages (on a learner connection a loss resets it).
	LossPct float64 `json:"lossPct"`
	// Latency overrides the timing's latency and jitter (From=To=0: every link), and sets
	// loss on single links.
	Links []LinkNet `json:"links,omitempty"`
}

// LinkNet is the network quality of one directed link (or of all, From=To=0).
type LinkNet struct {
	From      int     `json:"from"`
	To        int     `json:"to"`
	LatencyUs int64   `json:"latencyUs"` // -1: the timing's
	JitterUs  int64   `json:"jitterUs"`  // -1: the timing's
	LossPct   float64 `json:"lossPct"`
}

// net returns the settings for a link: the link's own, else the all-links entry, else nil.
func (r *LinkRules) net(from, to int) *LinkNet {
	var all *LinkNet
	for i := range r.Links {
		l := &r.Links[i]
		if l.From == from && l.To == to {
			return l
		}
		if l.From == 0 {
			all = l
		}
	}
	return all
}

// withNet applies a net command to a copy of the rules.
func (r LinkRules) withNet(cmd *Command) LinkRules {
	out := r.clone()
	var cur *LinkNet
	for i := range out.Links {
		if out.Links[i].From == cmd.From && out.Links[i].To == cmd.To {
			cur = &out.Links[i]
		}
	}
	if cur == nil {
		out.Links = append(out.Links, LinkNet{From: cmd.From, To: cmd.To, LatencyUs: -1, JitterUs: -1})
		if cmd.From == 0 {
			out.Links[len(out.Links)-1].LossPct = out.LossPct
		}
		cur = &out.Links[len(out.Links)-1]
	}
	if cmd.LatencyUs != nil {
		cur.LatencyUs = *cmd.LatencyUs
	}
	if cmd.JitterUs != nil {
		cur.JitterUs = *cmd.JitterUs
	}
	if cmd.LossPct != nil {
		cur.LossPct = *cmd.LossPct
		if cmd.From == 0 {
			out.LossPct = *cmd.LossPct
		}
	}
	if cur.LatencyUs == -1 && cur.JitterUs == -1 && cur.LossPct == 0 {
		kept := out.Links[:0]
		for _, l := range out.Links {
			if l.From != cmd.From || l.To != cmd.To {
				kept = append(kept, l)
			}
		}
		out.Links = kept
	}
	if len(out.Links) == 0 {
		out.Links = nil
	}
	return out
}

// Up reports whether messages from one server reach another.
func (r *LinkRules) Up(from, to int) bool {
	if from == to {
		return true
	}
	for _, c := range r.Cuts {
		if c[0] == from && c[1] == to {
			return false
		}
	}
	if len(r.Groups) == 0 {
		return true
	}
	return r.group(from) >= 0 && r.group(from) == r.group(to)
}

func (r *LinkRules) group(id int) int {
	for i, g := range r.Groups {
		for _, x := range g {
			if x == id {
				return i
			}
		}
	}
	return -1
}

// Reason describes the rules as a typed reason (links.allUp, links.partition, ...).
func (r *LinkRules) Reason() reason.Reason {
	var groups, loss int64
	var cuts string
	if len(r.Groups) > 0 {
		groups = reason.Groups(r.Groups)
	}
	if len(r.Cuts) > 0 {
		parts := make([]string, len(r.Cuts))
		for i, c := range r.Cuts {
			parts[i] = fmt.Sprintf("%d→%d", c[0], c[1])
		}
		cuts = strings.Join(parts, ", ")
	}
	if r.LossPct > 0 {
		loss = int64(math.Round(r.LossPct * 10))
	}
	if len(r.Links) > 0 {
		// Network quality set per link: one neutral description (numbers and arrows) of it
		// and of the one-way cuts (↛), beside the partition.
		var parts []string
		for _, c := range r.Cuts {
			parts = append(parts, fmt.Sprintf("%d↛%d", c[0], c[1]))
		}
		for _, l := range r.Links {
			where := "*"
			if l.From != 0 {
				where = fmt.Sprintf("%d→%d", l.From, l.To)
			}
			q := where
			if l.LatencyUs >= 0 {
				q += fmt.Sprintf(" %.1fms", float64(l.LatencyUs)/1000)
			}
			if l.JitterUs >= 0 {
				q += fmt.Sprintf(" ±%.1fms", float64(l.JitterUs)/1000)
			}
			if l.LossPct > 0 {
				q += fmt.Sprintf(" %.1f%%", l.LossPct)
			}
			parts = append(parts, q)
		}
		if l := r.LossPct; l > 0 && r.net(0, 0) == nil {
			parts = append(parts, fmt.Sprintf("* %.1f%%", l))
		}
		if groups != 0 {
			return reason.Text(reason.LinksNetPartition, strings.Join(parts, ", "), groups)
		}
		return reason.Text(reason.LinksNet, strings.Join(parts, ", "))
	}
	switch {
	case groups != 0 && cuts != "" && loss != 0:
		return reason.Text(reason.LinksAll, cuts, groups, loss)
	case groups != 0 && cuts != "":
		return reason.Text(reason.LinksPartitionCut, cuts, groups)
	case groups != 0 && loss != 0:
		return reason.Of(reason.LinksPartitionLoss, groups, loss)
	case cuts != "" && loss != 0:
		return reason.Text(reason.LinksCutLoss, cuts, loss)
	case groups != 0:
		return reason.Of(reason.LinksPartition, groups)
	case cuts != "":
		return reason.Text(reason.LinksCut, cuts)
	case loss != 0:
		return reason.Of(reason.LinksLoss, loss)
	}
	return reason.Of(reason.LinksAllUp)
}

// String describes the rules in English.
func (r *LinkRules) String() string { return r.Reason().String() }

func (r LinkRules) clone() LinkRules {
	out := LinkRules{LossPct: r.LossPct}
	for _, g := range r.Groups {
		out.Groups = append(out.Groups, append([]int(nil), g...))
	}
	out.Cuts = append(out.Cuts, r.Cuts...)
	out.Links = append(out.Links, r.Links...)
	return out
}

// validateGroups checks a partition: known ids, none twice.
func validateGroups(groups [][]int, n int) error {
	seen := map[int]bool{}
	for _, g := range groups {
		if len(g) == 0 {
			return fmt.Errorf("empty group")
		}
		for _, id := range g {
			if id < 1 || id > n {
				return fmt.Errorf("unknown server %d", id)
			}
			if seen[id] {
				return fmt.Errorf("server %d is in two groups", id)
			}
			seen[id] = true
		}
	}
	return nil
}

// qconn is a learner↔leader TCP connection. A cut link or a lost packet resets it: what is in
// flight is lost and nothing more passes; the ends find out by their own time-outs, while a
// crash closes it at once (the OS of the surviving end sees the reset).
type qconn struct {
	a, b int
}

// Partition splits the servers into groups (servers left out are isolated).
func (c *Cluster) Partition(groups [][]int) error {
	_, err := c.Apply(Command{Kind: CmdPartition, Groups: groups})
	return err
}

// SetLink cuts (up=false) or restores one direction of a link.
func (c *Cluster) SetLink(from, to int, up bool) error {
	_, err := c.Apply(Command{Kind: CmdLink, From: from, To: to, Up: boolp(up)})
	return err
}

// SetLoss sets the share of lost messages on every link, in percent.
func (c *Cluster) SetLoss(pct float64) error {
	_, err := c.Apply(Command{Kind: CmdNet, LossPct: &pct})
	return err
}

// Heal restores every link.
func (c *Cluster) Heal() { c.Apply(Command{Kind: CmdHeal}) }

// Rules returns the link rules in force.
func (c *Cluster) Rules() LinkRules { return c.rules.clone() }

func (c *Cluster) setRules(r LinkRules) {
	n := len(c.peers) - 1
	for a := 1; a <= n; a++ {
		for b := 1; b <= n; b++ {
			if a != b && c.rules.Up(a, b) && !r.Up(a, b) {
				c.linkGen[a][b]++ // in-flight messages on this direction are lost
			}
		}
	}
	c.rules = r
	for a := 1; a <= n; a++ {
		for b := 1; b <= n; b++ {
			if !r.Up(a, b) || !r.Up(b, a) {
				c.elConn[a][b] = false // the election connection breaks with the link
			}
		}
	}
	for _, id := range c.sortedConnIDs() {
		k := c.conns[id]
		if !r.Up(k.a, k.b) || !r.Up(k.b, k.a) {
			c.resetConn(id, reason.ResetLinkCut)
		}
	}
	c.emit(&Event{Kind: EvLinks, Reason: r.Reason()})
}

func (c *Cluster) sortedConnIDs() []uint64 {
	ids := make([]uint64, 0, len(c.conns))
	for id := range c.conns {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

func (c *Cluster) openConn(a, b int) uint64 {
	c.nextConn++
	if c.rules.Up(a, b) && c.rules.Up(b, a) {
		c.conns[c.nextConn] = &qconn{a: a, b: b}
	} // else the connection never opens: its packets are dropped and the learner times out
	return c.nextConn
}

// electionConnect is QuorumCnxManager.connectOne before a notification from a to b: when
// the two have no election connection and b is up and reachable both ways, one comes up, and
// b at once sends a the last notification it sent it (its SendWorker's lastMessageSent),
// which a missed while it was down or cut off. A server that starts late thus hears a lone
// LOOKING server's vote now, not after that server's backed-off retry (up to 60 s).
func (c *Cluster) electionConnect(a, b int) {
	if c.elConn[a][b] || !c.reachable(a) || !c.reachable(b) || !c.rules.Up(a, b) || !c.rules.Up(b, a) {
		return
	}
	c.elConn[a][b], c.elConn[b][a] = true, true
	q := c.peers[b]
	if v, ok := q.sent[a]; ok && q.state != Down {
		c.transmit(&Message{From: b, To: a, Packet: Notification, Vote: v, Zxid: v.Zxid})
	}
}

// reachable: a server is up, or is being started by the same start command (servers started
// together are connected to, whichever boots first).
func (c *Cluster) reachable(id int) bool {
	return c.peers[id].state != Down || c.starting
}

// dropElectionConns closes a crashed server's election connections.
func (c *Cluster) dropElectionConns(id int) {
	for other := range c.elConn {
		c.elConn[id][other], c.elConn[other][id] = false, false
	}
}

// resetConn kills a connection silently (the ends time out).
func (c *Cluster) resetConn(id uint64, why reason.Code) {
	k := c.conns[id]
	if k == nil {
		return
	}
	delete(c.conns, id)
	c.emit(&Event{Kind: EvConn, Node: k.a, Peer: k.b, Reason: reason.Nest(reason.ConnReset, reason.Of(why))})
}

// closeConn closes a connection from one end; the other end learns it after one latency.
func (c *Cluster) closeConn(id uint64, by int) {
	k := c.conns[id]
	if k == nil {
		return
	}
	delete(c.conns, id)
	other := k.a
	if other == by {
		other = k.b
	}
	c.push(item{at: c.now + c.latency(by, other), kind: itConnClosed, node: int32(other), conn: id, arg: int32(by), inc: c.peers[other].inc})
}

// minLatencyUs is the least time a message between two servers takes, whatever the
// configured latency: simulated time must move on, or two servers answering each other at
// once (a lagging voter and an observer in a later round reply to every notification of the
// other, as in ZooKeeper) would exchange messages forever at one instant.
const minLatencyUs = 10

func (c *Cluster) latency(from, to int) int64 {
	t := c.cfg.Timing
	l, j := t.LinkLatencyUs, t.LinkJitterUs
	if n := c.rules.net(from, to); n != nil {
		if n.LatencyUs >= 0 {
			l = n.LatencyUs
		}
		if n.JitterUs >= 0 {
			j = n.JitterUs
		}
	}
	if j > 0 {
		l += c.netRng.Int64N(j + 1)
	}
	return max(l, minLatencyUs)
}

// lossPct is the share of lost messages on a link.
func (c *Cluster) lossPct(from, to int) float64 {
	if len(c.rules.Links) > 0 {
		if n := c.rules.net(from, to); n != nil && n.From != 0 {
			return n.LossPct
		}
	}
	return c.rules.LossPct
}

// sendOnConn puts a quorum packet on a learner connection.
func (c *Cluster) sendOnConn(from, to int, conn uint64, m *Message) {
	m.From, m.To, m.Conn = from, to, conn
	c.transmit(m)
}

// transmit puts a message on its link (election traffic directly, quorum packets through
// sendOnConn).
func (c *Cluster) transmit(m *Message) {
	c.nextMsg++
	m.ID = c.nextMsg
	c.stats.Messages++
	at := c.now
	if m.From != m.To {
		at = max(at, c.peers[m.From].busyUntil) + c.latency(m.From, m.To)
		if last := c.linkLast[m.From][m.To]; at < last {
			at = last // FIFO per directed link
		}
		c.linkLast[m.From][m.To] = at
	}
	c.emit(&Event{Kind: EvSend, Node: m.From, Peer: m.To, Packet: m.Packet, MsgID: m.ID, Zxid: m.Zxid, AtUs: at, Vote: m.Vote})
	if m.Conn != 0 && c.conns[m.Conn] == nil {
		c.drop(m, reason.Of(reason.DropConnClosed))
		return
	}
	if m.Conn == 0 && m.From != m.To && !c.reachable(m.To) {
		// Nothing listens on a crashed server's election port: the notification never
		// leaves (ZooKeeper keeps the latest queued; electionConnect sends it later).
		c.drop(m, reason.Of(reason.DropServerDown, int64(m.To)))
		return
	}
	if !c.rules.Up(m.From, m.To) {
		if m.Conn != 0 {
			c.resetConn(m.Conn, reason.ResetLinkDown)
		}
		c.drop(m, reason.Of(reason.DropLinkDown))
		return
	}
	if loss := c.lossPct(m.From, m.To); loss > 0 && m.From != m.To && c.netRng.Float64()*100 < loss {
		if m.Conn != 0 {
			c.resetConn(m.Conn, reason.ResetPacketLost)
		}
		c.drop(m, reason.Of(reason.DropLost))
		return
	}
	c.push(item{at: at, kind: itDeliver, msg: m, gen: c.linkGen[m.From][m.To]})
}

func (c *Cluster) drop(m *Message, why reason.Reason) {
	c.stats.Dropped++
	c.emit(&Event{Kind: EvDrop, Node: m.From, Peer: m.To, Packet: m.Packet, MsgID: m.ID, Zxid: m.Zxid, Vote: m.Vote, Reason: why})
}

func (c *Cluster) deliver(it *item) {
	m := it.msg
	p := c.peers[m.To]
	switch {
	case it.gen != c.linkGen[m.From][m.To]:
		c.drop(m, reason.Of(reason.DropCutInFlight))
	case m.Conn != 0 && c.conns[m.Conn] == nil:
		c.drop(m, reason.Of(reason.DropConnReset))
	case p.state == Down:
		c.drop(m, reason.Of(reason.DropServerDown, int64(m.To)))
		if m.Opens {
			// Nothing listens on a crashed server's quorum port: the connection is refused.
			c.sendOnConn(m.To, m.From, m.Conn, &Message{Packet: ConnRefused})
		}
	default:
		c.emit(&Event{Kind: EvDeliver, Node: m.To, Peer: m.From, Packet: m.Packet, MsgID: m.ID, Zxid: m.Zxid, Vote: m.Vote})
		p.onMessage(m)
	}
}
