package engine

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/zablab/zablab/engine/zkdb"

	"github.com/zablab/zablab/engine/reason"
)

// CommandVersion is the version of the command vocabulary. A command without "v" is version 1.
const CommandVersion = 1

// CommandKind names what a Command does. The names are part of the run-file format.
type CommandKind string

// The command vocabulary: everything that can change a cluster from outside.
const (
	CmdStart     CommandKind = "start"     // boot every server that is down
	CmdCrash     CommandKind = "crash"     // Node
	CmdRestart   CommandKind = "restart"   // Node
	CmdPartition CommandKind = "partition" // Groups
	CmdLink      CommandKind = "link"      // From, To, Up: one direction of a link
	CmdHeal      CommandKind = "heal"      // every link up, no network faults
	// CmdNet sets latency, jitter and loss on one directed link (From, To), or on every link
	// when both are 0. Fields left out keep their value; LatencyUs -1 returns to the timing's.
	CmdNet CommandKind = "net"
	CmdBug CommandKind = "bug" // Bug: turn a teaching variant on ("" or "none": off)
	// In-process clients (the lab's, lessons', check workloads').
	CmdClientOpen  CommandKind = "client.open"  // Client (id), Server (0: any), TimeoutMs, Pinned
	CmdClientOp    CommandKind = "client.op"    // Client, Ref, Op, Watch
	CmdClientClose CommandKind = "client.close" // Client: closeSession
	// CmdClientKill: the client process dies without closing its session (Client).
	CmdClientKill CommandKind = "client.kill"
	// Real ZooKeeper clients on TCP connections outside the engine, keyed by connection.
	CmdZkConnect CommandKind = "zk.connect" // Conn, Server, Session, LastZxid, TimeoutMs, Addr
	CmdZkRequest CommandKind = "zk.request" // Conn, Xid, Op, Watch
	CmdZkWatches CommandKind = "zk.watches" // Conn, Xid, Watches: setWatches after a reconnect
	CmdZkDetach  CommandKind = "zk.detach"  // Conn: the TCP connection closed
	// CmdLiveness turns the checker's liveness monitor on or off (On).
	CmdLiveness CommandKind = "checker.liveness"
	// CmdMark records a labelled moment (a lesson step, a note) without changing the cluster.
	CmdMark CommandKind = "mark" // Text, Lesson, Step
)

// Command is one serialisable change to a cluster. Only the fields its Kind lists are used.
type Command struct {
	V    int         `json:"v,omitempty"`
	Kind CommandKind `json:"kind"`

	Node   int     `json:"node,omitempty"`
	From   int     `json:"from,omitempty"`
	To     int     `json:"to,omitempty"`
	Up     *bool   `json:"up,omitempty"`
	On     *bool   `json:"on,omitempty"`
	Groups [][]int `json:"groups,omitempty"`

	LatencyUs *int64   `json:"latencyUs,omitempty"`
	JitterUs  *int64   `json:"jitterUs,omitempty"`
	LossPct   *float64 `json:"lossPct,omitempty"`

	Bug string `json:"bug,omitempty"`

	Client    int64   `json:"client,omitempty"`
	Server    int     `json:"server,omitempty"`
	TimeoutMs int32   `json:"timeoutMs,omitempty"`
	Pinned    bool    `json:"pinned,omitempty"`
	Ref       uint64  `json:"ref,omitempty"`
	Op        *OpSpec `json:"op,omitempty"`
	Watch     bool    `json:"watch,omitempty"`

	Conn     uint64     `json:"conn,omitempty"`
	Xid      int32      `json:"xid,omitempty"`
	Session  HexID      `json:"session,omitempty"`
	LastZxid HexID      `json:"lastZxid,omitempty"`
	Addr     string     `json:"addr,omitempty"`
	Watches  *WatchSpec `json:"watches,omitempty"`
	// ReadOnly: the client's ConnectRequest had readOnly set (it accepts a read-only server).
	ReadOnly bool `json:"readOnly,omitempty"`

	Text   string `json:"text,omitempty"`
	Lesson string `json:"lesson,omitempty"`
	Step   int    `json:"step,omitempty"`
}

// HexID is a 64-bit id (session, zxid) that crosses JSON as a "0x…" hex string, since
// JavaScript numbers cannot hold 64 bits.
type HexID int64

// MarshalJSON writes "0x…".
func (h HexID) MarshalJSON() ([]byte, error) {
	return []byte(`"0x` + strconv.FormatUint(uint64(h), 16) + `"`), nil
}

// UnmarshalJSON reads "0x…" (or a decimal string).
func (h *HexID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a hex string like \"0x1f\"")
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"), 16, 64)
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		v, err = strconv.ParseUint(s, 10, 64)
	}
	if err != nil {
		return fmt.Errorf("bad id %q: want a hex string like \"0x1f\"", s)
	}
	*h = HexID(v)
	return nil
}

// OpSpec is a ZooKeeper operation inside a command.
type OpSpec = zkdb.Op

// WatchSpec is a setWatches request.
type WatchSpec struct {
	RelZxid HexID    `json:"relZxid"`
	Data    []string `json:"data,omitempty"`
	Exist   []string `json:"exist,omitempty"`
	Child   []string `json:"child,omitempty"`
	// Persistent and Recursive re-register addWatch watches (setWatches2).
	Persistent []string `json:"persistent,omitempty"`
	Recursive  []string `json:"recursive,omitempty"`
}

// boolp returns a pointer to b (for Command.Up and Command.On).
func boolp(b bool) *bool { return &b }

// Validate checks a command against the cluster's shape (not its state): known kind, ids in
// range, values in range. A command that fails here is never applied nor recorded.
func (c *Cluster) Validate(cmd *Command) error {
	if cmd.V != 0 && cmd.V != CommandVersion {
		return fmt.Errorf("command version %d not supported (want %d)", cmd.V, CommandVersion)
	}
	n := c.Size()
	server := func(id int, what string) error {
		if id < 1 || id > n {
			return fmt.Errorf("%s: unknown server %d (servers are 1 to %d)", what, id, n)
		}
		return nil
	}
	switch cmd.Kind {
	case CmdStart, CmdHeal:
	case CmdCrash, CmdRestart:
		return server(cmd.Node, string(cmd.Kind))
	case CmdPartition:
		if len(cmd.Groups) == 0 {
			return fmt.Errorf("partition: groups must list at least one group")
		}
		return validateGroups(cmd.Groups, n)
	case CmdLink:
		if cmd.Up == nil {
			return fmt.Errorf("link: \"up\" is required")
		}
		if err := server(cmd.From, "link"); err != nil {
			return err
		}
		if err := server(cmd.To, "link"); err != nil {
			return err
		}
		if cmd.From == cmd.To {
			return fmt.Errorf("link: from and to are the same server %d", cmd.From)
		}
	case CmdNet:
		if (cmd.From == 0) != (cmd.To == 0) {
			return fmt.Errorf("net: give both from and to, or neither (every link)")
		}
		if cmd.From != 0 {
			if err := server(cmd.From, "net"); err != nil {
				return err
			}
			if err := server(cmd.To, "net"); err != nil {
				return err
			}
			if cmd.From == cmd.To {
				return fmt.Errorf("net: from and to are the same server %d", cmd.From)
			}
		}
		if cmd.LatencyUs == nil && cmd.JitterUs == nil && cmd.LossPct == nil {
			return fmt.Errorf("net: set latencyUs, jitterUs or lossPct")
		}
		if v := cmd.LatencyUs; v != nil && (*v < -1 || *v > 10_000_000) {
			return fmt.Errorf("net: latency %d µs out of range [0, 10 s] (-1: the timing's)", *v)
		}
		if v := cmd.JitterUs; v != nil && (*v < -1 || *v > 10_000_000) {
			return fmt.Errorf("net: jitter %d µs out of range [0, 10 s] (-1: the timing's)", *v)
		}
		if v := cmd.LossPct; v != nil && !(*v >= 0 && *v <= 100) {
			return fmt.Errorf("net: loss %g%% out of range [0, 100]", *v)
		}
	case CmdBug:
		if _, err := ParseBug(cmd.Bug); err != nil {
			return err
		}
	case CmdClientOpen:
		if cmd.Server != 0 {
			return server(cmd.Server, "client.open")
		}
	case CmdClientOp:
		if cmd.Op == nil {
			return fmt.Errorf("client.op: \"op\" is required")
		}
		if cmd.Client <= 0 {
			return fmt.Errorf("client.op: \"client\" is required")
		}
		return validateOp(cmd.Op)
	case CmdClientClose, CmdClientKill:
		if cmd.Client <= 0 {
			return fmt.Errorf("%s: \"client\" is required", cmd.Kind)
		}
	case CmdZkConnect:
		if cmd.Conn == 0 {
			return fmt.Errorf("zk.connect: \"conn\" is required")
		}
		return server(cmd.Server, "zk.connect")
	case CmdZkRequest:
		if cmd.Conn == 0 || cmd.Op == nil {
			return fmt.Errorf("zk.request: \"conn\" and \"op\" are required")
		}
		return validateOp(cmd.Op)
	case CmdZkWatches:
		if cmd.Conn == 0 || cmd.Watches == nil {
			return fmt.Errorf("zk.watches: \"conn\" and \"watches\" are required")
		}
	case CmdZkDetach:
		if cmd.Conn == 0 {
			return fmt.Errorf("zk.detach: \"conn\" is required")
		}
	case CmdLiveness:
		if cmd.On == nil {
			return fmt.Errorf("checker.liveness: \"on\" is required")
		}
	case CmdMark:
		if len(cmd.Text) > 200 || len(cmd.Lesson) > 100 {
			return fmt.Errorf("mark: text too long")
		}
	default:
		return fmt.Errorf("unknown command kind %q", cmd.Kind)
	}
	return nil
}

func validateOp(s *OpSpec) error {
	if len(s.Data) > MaxDataBytes {
		return fmt.Errorf("data is %d bytes; the limit is %d (jute.maxbuffer)", len(s.Data), MaxDataBytes)
	}
	if len(s.Ops) > 1000 {
		return fmt.Errorf("multi with %d ops; the limit is 1000", len(s.Ops))
	}
	for i := range s.Ops {
		if len(s.Ops[i].Ops) > 0 {
			return fmt.Errorf("multi inside a multi")
		}
		if err := validateOp(&s.Ops[i]); err != nil {
			return err
		}
	}
	return nil
}

// Entry is one recorded command: applied at simulated time T (µs) as the Seq-th command
// item of the cluster's event queue (commands order among themselves by Seq, after the
// protocol's own events at the same time).
type Entry struct {
	T   int64    `json:"t"`
	Seq uint64   `json:"seq"`
	Cmd *Command `json:"cmd"`
}

// CommandResult is what applying a command gave.
type CommandResult struct {
	// Client is the id of a client opened by client.open.
	Client int64
	// Deferred: the command was issued inside a step; it is queued and applies next.
	Deferred bool
}

// Apply validates a command, records it and applies it: at once when called between steps
// (after events already due now), or as the next item at this time when called from inside
// a step (a callback of an event). It returns the validation error, or the state error the
// command met when it applied (then it changed nothing, and it stays recorded, since replay
// meets the same error).
func (c *Cluster) Apply(cmd Command) (CommandResult, error) { return c.applyPtr(&cmd) }

// applyPtr is Apply for a command the cluster may keep (it is queued and recorded as is).
func (c *Cluster) applyPtr(cmd *Command) (CommandResult, error) {
	if err := c.Validate(cmd); err != nil {
		return CommandResult{}, err
	}
	if (cmd.Kind == CmdClientOpen || cmd.Kind == CmdZkConnect) && cmd.Client == 0 {
		c.nextClient++
		cmd.Client = c.nextClient
	}
	c.cseq++
	it := item{at: c.now, seq: c.cseq, ext: true, kind: itCommand, cmd: cmd}
	c.q.push(it)
	res := CommandResult{Client: cmd.Client}
	if c.inStep {
		res.Deferred = true
		return res, nil
	}
	// Run what is due now, up to and including this command.
	for len(c.q) > 0 && c.q[0].at <= c.now {
		top := c.q[0]
		c.Step()
		if top.ext && top.seq == it.seq {
			return res, c.lastCmdErr
		}
	}
	return res, c.lastCmdErr
}

// exec applies a command popped from the queue.
func (c *Cluster) exec(seq uint64, cmd *Command) error {
	if c.recording {
		c.log = append(c.log, Entry{T: c.now, Seq: seq, Cmd: cmd})
	}
	switch cmd.Kind {
	case CmdStart:
		if skew := c.cfg.Timing.StartSkewMs; skew > 0 {
			c.startSkewed(skew * 1000)
			break
		}
		c.starting = true
		for id := 1; id < len(c.peers); id++ {
			if c.peers[id].state == Down {
				c.peers[id].boot()
			}
		}
		c.starting = false
	case CmdCrash:
		p := c.peers[cmd.Node]
		if p.starting {
			// Killed while it starts (start-up skew): it stays down until restarted.
			p.starting = false
			p.inc++
			p.setState(Down, PhaseNone, reason.Of(reason.StateCrashed))
			break
		}
		if p.state == Down {
			return fmt.Errorf("server %d is already down", cmd.Node)
		}
		p.crash()
	case CmdRestart:
		p := c.peers[cmd.Node]
		if p.state != Down {
			return fmt.Errorf("server %d is running", cmd.Node)
		}
		p.boot()
	case CmdPartition:
		r := c.rules.clone()
		r.Groups = nil
		for _, g := range cmd.Groups {
			gg := append([]int(nil), g...)
			sort.Ints(gg)
			r.Groups = append(r.Groups, gg)
		}
		c.setRules(r)
	case CmdLink:
		r := c.rules.clone()
		kept := r.Cuts[:0]
		for _, x := range r.Cuts {
			if x != [2]int{cmd.From, cmd.To} {
				kept = append(kept, x)
			}
		}
		r.Cuts = kept
		if !*cmd.Up {
			r.Cuts = append(r.Cuts, [2]int{cmd.From, cmd.To})
		}
		c.setRules(r)
	case CmdHeal:
		c.setRules(LinkRules{})
	case CmdNet:
		c.setRules(c.rules.withNet(cmd))
	case CmdBug:
		b, _ := ParseBug(cmd.Bug)
		c.cfg.Bug = b
	case CmdClientOpen:
		c.openClient(cmd)
	case CmdClientOp:
		cl := c.ClientByID(cmd.Client)
		if cl == nil {
			return fmt.Errorf("unknown client %d", cmd.Client)
		}
		cl.submitRef(*cmd.Op, cmd.Watch, cmd.Ref)
		cmd.Ref = 0 // only the live caller's callback needs it; the recorded run does not
	case CmdClientClose:
		cl := c.ClientByID(cmd.Client)
		if cl == nil {
			return fmt.Errorf("unknown client %d", cmd.Client)
		}
		cl.close()
	case CmdClientKill:
		cl := c.ClientByID(cmd.Client)
		if cl == nil {
			return fmt.Errorf("unknown client %d", cmd.Client)
		}
		cl.detach()
	case CmdZkConnect:
		return c.zkConnect(cmd)
	case CmdZkRequest:
		return c.zkRequest(cmd)
	case CmdZkWatches:
		return c.zkWatches(cmd)
	case CmdZkDetach:
		return c.zkDetach(cmd)
	case CmdLiveness:
		c.setLiveness(*cmd.On)
	case CmdMark:
	}
	return nil
}

// startSkewed starts the servers that are down spread over up to skewUs: the first at once,
// the others after seeded delays. A server restarted by hand meanwhile is left as it is.
func (c *Cluster) startSkewed(skewUs int64) {
	var ids []int
	var at []int64
	first := skewUs
	for id := 1; id < len(c.peers); id++ {
		if c.peers[id].state != Down {
			continue
		}
		d := c.startRng.Int64N(skewUs + 1)
		ids, at = append(ids, id), append(at, d)
		first = min(first, d)
	}
	for i, id := range ids {
		if at[i] == first {
			c.peers[id].boot()
			continue
		}
		c.peers[id].starting = true
		c.push(item{at: c.now + at[i] - first, kind: itBoot, node: int32(id), inc: c.peers[id].inc})
	}
}
