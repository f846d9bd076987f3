package lessons

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

// CheckResult is one evaluated checkpoint.
type CheckResult struct {
	Line  int    `json:"line"`
	Check string `json:"check"` // the line as written
	Pass  bool   `json:"pass"`
	// Detail says what was found, in both languages.
	Detail Text `json:"detail"`
}

// condition parses a checkpoint (the words after "expect", or after "run until").
func (p *parser) condition(w *words) (*condition, error) {
	switch head := w.next(); head {
	case "leader":
		return p.leaderCond(w)
	case "server", "servers":
		return p.serverCond(w)
	case "queue":
		return p.queueCond(w)
	case "proposal":
		return p.proposalCond(w)
	case "client":
		return p.clientCond(w)
	case "no":
		if !w.accept("violations") {
			return nil, fmt.Errorf("write: no violations")
		}
		return violationsCond(false, ""), nil
	case "violations":
		return violationsCond(true, ""), nil
	case "violation":
		name := w.next()
		if name == "" {
			return nil, fmt.Errorf("violation: name the invariant, e.g. violation ElectionOrder")
		}
		return violationsCond(true, name), nil
	case "settled":
		return settledCond(), nil
	case "":
		return nil, fmt.Errorf("empty checkpoint")
	default:
		return nil, fmt.Errorf("unknown checkpoint %q (want leader, server, queue, proposal, client, no violations, violations, violation NAME or settled)", head)
	}
}

func (p *parser) leaderCond(w *words) (*condition, error) {
	switch tok := w.next(); tok {
	case "none":
		return &condition{eval: func(r *Run) (bool, Text) {
			l := r.Cluster.Leader()
			return l == 0, leaderText(l)
		}}, nil
	case "any":
		return &condition{eval: func(r *Run) (bool, Text) {
			l := r.Cluster.Leader()
			return l != 0, leaderText(l)
		}}, nil
	case "not":
		id, err := p.serverID(w.next())
		if err != nil {
			return nil, err
		}
		return &condition{eval: func(r *Run) (bool, Text) {
			l := r.Cluster.Leader()
			return l != id, leaderText(l)
		}}, nil
	default:
		id, err := p.serverID(tok)
		if err != nil {
			return nil, fmt.Errorf("leader: want a server id, none, any or not ID")
		}
		return &condition{eval: func(r *Run) (bool, Text) {
			l := r.Cluster.Leader()
			return l == id, leaderText(l)
		}}, nil
	}
}

func leaderText(l int) Text {
	if l == 0 {
		return tx("no established leader", "没有已确立的 leader")
	}
	return tx("leader is %d", "leader 是 %d", l)
}

// serverProp checks one server; it returns pass and what it found.
type serverProp func(r *Run, id int) (bool, Text)

// serverCond reads "server LIST|all|leader [not] PROPERTY".
func (p *parser) serverCond(w *words) (*condition, error) {
	var ids func(r *Run) ([]int, error)
	switch {
	case w.accept("all"):
		ids = func(r *Run) ([]int, error) {
			out := make([]int, r.Cluster.Size())
			for i := range out {
				out[i] = i + 1
			}
			return out, nil
		}
	case w.peek() == "leader":
		ref, _ := p.serverRef(w)
		ids = func(r *Run) ([]int, error) {
			id, err := ref(r)
			return []int{id}, err
		}
	default:
		list, err := p.serverIDs(w)
		if err != nil {
			return nil, err
		}
		ids = func(*Run) ([]int, error) { return list, nil }
	}
	neg := w.accept("not")
	prop, err := p.serverProp(w)
	if err != nil {
		return nil, err
	}
	return &condition{eval: func(r *Run) (bool, Text) {
		list, err := ids(r)
		if err != nil {
			return false, tx("%v", "%v", err)
		}
		pass := true
		var en, zh []string
		for _, id := range list {
			ok, d := prop(r, id)
			if neg {
				ok = !ok
			}
			pass = pass && ok
			en = append(en, fmt.Sprintf("server %d: %s", id, d[engine.En]))
			zh = append(zh, fmt.Sprintf("服务器 %d：%s", id, d[engine.Zh]))
		}
		return pass, Text{engine.En: strings.Join(en, "; "), engine.Zh: strings.Join(zh, "；")}
	}}, nil
}

var stateByName = map[string]engine.ServerState{"LOOKING": engine.Looking, "FOLLOWING": engine.Following,
	"LEADING": engine.Leading, "OBSERVING": engine.Observing, "DOWN": engine.Down}

var phaseByName = map[string]engine.ZabPhase{"ELECTION": engine.PhaseElection, "DISCOVERY": engine.PhaseDiscovery,
	"SYNCHRONIZATION": engine.PhaseSynchronization, "BROADCAST": engine.PhaseBroadcast}

func (p *parser) serverProp(w *words) (serverProp, error) {
	prop := w.next()
	switch prop {
	case "is":
		st, ok := stateByName[w.next()]
		if !ok {
			return nil, fmt.Errorf("is: want LOOKING, FOLLOWING, LEADING, OBSERVING or DOWN")
		}
		ph, hasPhase := phaseByName[w.peek()]
		if hasPhase {
			w.next()
		}
		return func(r *Run, id int) (bool, Text) {
			pe := r.Cluster.Peer(id)
			d := tx("%s (%s)", "%s（%s）", pe.State(), pe.Phase())
			return pe.State() == st && (!hasPhase || pe.Phase() == ph), d
		}, nil
	case "phase":
		ph, ok := phaseByName[w.next()]
		if !ok {
			return nil, fmt.Errorf("phase: want ELECTION, DISCOVERY, SYNCHRONIZATION or BROADCAST")
		}
		return func(r *Run, id int) (bool, Text) {
			pe := r.Cluster.Peer(id)
			return pe.Phase() == ph, tx("phase %s", "阶段 %s", pe.Phase())
		}, nil
	case "currentEpoch", "acceptedEpoch":
		n, err := strconv.ParseInt(w.next(), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: want a number", prop)
		}
		return func(r *Run, id int) (bool, Text) {
			d := r.Cluster.Peer(id).Disk()
			v := d.CurrentEpoch
			if prop == "acceptedEpoch" {
				v = d.AcceptedEpoch
			}
			return v == n, tx("%s %d", "%s %d", prop, v)
		}, nil
	case "lastZxid", "lastCommitted":
		z, err := parseZxid(w.next())
		if err != nil {
			return nil, err
		}
		return func(r *Run, id int) (bool, Text) {
			v := r.Cluster.Peer(id).LastLoggedZxid()
			if prop == "lastCommitted" {
				v = lastCommitted(r, id)
			}
			return v == z, tx("%s %s", "%s %s", prop, fmtZxid(v))
		}, nil
	case "logged":
		z, err := parseZxid(w.next())
		if err != nil {
			return nil, err
		}
		return func(r *Run, id int) (bool, Text) {
			for _, t := range r.Cluster.Peer(id).Disk().Log() {
				if t.Zxid == z {
					return true, tx("its log holds %s (%s %s)", "日志中有 %s（%s %s）", fmtZxid(z), t.Op.Type, t.Op.Path)
				}
			}
			return false, tx("its log does not hold %s", "日志中没有 %s", fmtZxid(z))
		}, nil
	case "has", "lacks":
		return p.znodeProp(w, prop == "has")
	case "synced":
		mode := w.next()
		if mode != "DIFF" && mode != "TRUNC" && mode != "SNAP" {
			return nil, fmt.Errorf("synced: want DIFF, TRUNC or SNAP")
		}
		return func(r *Run, id int) (bool, Text) {
			n := nodeView(r, id)
			if n.SyncMode == "NONE" {
				return false, tx("never synced with a leader", "从未与 leader 同步过")
			}
			return n.SyncMode == mode, Text{
				engine.En: fmt.Sprintf("last synced by %s (%s)", n.SyncMode, reason.Render(n.SyncReason, engine.En)),
				engine.Zh: fmt.Sprintf("最近一次同步方式 %s（%s）", n.SyncMode, reason.Render(n.SyncReason, engine.Zh))}
		}, nil
	case "serving":
		return func(r *Run, id int) (bool, Text) {
			if r.Cluster.Peer(id).Serving() {
				return true, tx("serving clients", "正在服务客户端")
			}
			return false, tx("not serving clients", "不服务客户端")
		}, nil
	case "votes":
		want, err := p.serverID(w.next())
		if err != nil {
			return nil, err
		}
		return func(r *Run, id int) (bool, Text) {
			v := nodeView(r, id).Vote
			return v.Leader == want, tx("votes for %d (zxid %s, epoch %d, round %d)", "投票给 %d（zxid %s，epoch %d，第 %d 轮）", v.Leader, fmtZxid(v.Zxid), v.PeerEpoch, v.Round)
		}, nil
	case "agrees":
		other, err := p.serverID(w.next())
		if err != nil {
			return nil, err
		}
		return func(r *Run, id int) (bool, Text) { return agree(r, id, other) }, nil
	}
	return nil, fmt.Errorf("unknown server property %q (want is, phase, currentEpoch, acceptedEpoch, lastZxid, lastCommitted, logged, has, lacks, synced, serving, votes or agrees)", prop)
}

func nodeView(r *Run, id int) engine.NodeView {
	v := r.Cluster.View(nil)
	return v.Nodes[id-1]
}

// lastCommitted is what the view shows: the leader's lastCommitted, a learner's last applied
// txn, -1 for a server that is down.
func lastCommitted(r *Run, id int) engine.Zxid { return nodeView(r, id).LastCommittedZxid }

func agree(r *Run, a, b int) (bool, Text) {
	ta, tb := r.Cluster.Peer(a).Tree(), r.Cluster.Peer(b).Tree()
	if ta == nil || tb == nil {
		return false, tx("server %d or %d is down", "服务器 %d 或 %d 已宕机", a, b)
	}
	za, zb := ta.LastProcessedZxid(), tb.LastProcessedZxid()
	if za == zb && ta.Digest() == tb.Digest() {
		return true, tx("same data as server %d at %s", "与服务器 %d 数据相同，都在 %s", b, fmtZxid(za))
	}
	return false, tx("at %s, server %d at %s, data differ", "位于 %s，服务器 %d 位于 %s，数据不同", fmtZxid(za), b, fmtZxid(zb))
}

// znodeProp reads "has PATH [= DATA]" / "lacks PATH".
func (p *parser) znodeProp(w *words, want bool) (serverProp, error) {
	path := w.next()
	if err := zkdb.ValidatePath(path); err != nil {
		return nil, err
	}
	var data *string
	if want && w.accept("=") {
		if !w.more() {
			return nil, fmt.Errorf("has %s = DATA: the data is missing", path)
		}
		s := str(w.next())
		data = &s
	}
	return func(r *Run, id int) (bool, Text) {
		t := r.Cluster.Peer(id).Tree()
		if t == nil {
			return false, tx("down", "已宕机")
		}
		got, st, err := t.GetData(path, 0)
		if err != zkdb.OK {
			return !want, tx("no %s", "没有 %s", path)
		}
		d := tx("%s = %q (mzxid %s)", "%s = %q（mzxid %s）", path, got, fmtZxid(st.Mzxid))
		if !want {
			return false, d
		}
		return data == nil || string(got) == *data, d
	}, nil
}

var packetByName = map[string]bool{"PROPOSAL": true, "COMMIT": true, "INFORM": true, "PING": true,
	"NEWLEADER": true, "UPTODATE": true, "DIFF": true, "TRUNC": true, "SNAP": true, "SYNC": true,
	"LEADERINFO": true, "REVALIDATE": true}

// queueCond reads "queue LEADER -> LEARNER has PACKET [ZXID]" or "... empty".
func (p *parser) queueCond(w *words) (*condition, error) {
	ref, err := p.serverRef(w)
	if err != nil {
		return nil, err
	}
	if !w.accept("->") {
		return nil, fmt.Errorf("write queue LEADER -> LEARNER has PACKET")
	}
	learner, err := p.serverID(w.next())
	if err != nil {
		return nil, err
	}
	empty := false
	var pkt string
	var z *engine.Zxid
	switch w.next() {
	case "empty":
		empty = true
	case "has":
		pkt = w.next()
		if !packetByName[pkt] {
			return nil, fmt.Errorf("queue: unknown packet %q (want PROPOSAL, COMMIT, INFORM, PING, NEWLEADER, UPTODATE, DIFF, TRUNC, SNAP, SYNC, LEADERINFO)", pkt)
		}
		if strings.HasPrefix(w.peek(), "(") || strings.HasPrefix(w.peek(), "0x") {
			v, err := parseZxid(w.next())
			if err != nil {
				return nil, err
			}
			z = &v
		}
	default:
		return nil, fmt.Errorf("queue: want has PACKET or empty")
	}
	return &condition{eval: func(r *Run) (bool, Text) {
		leader, err := ref(r)
		if err != nil {
			return false, tx("%v", "%v", err)
		}
		var q *engine.QueueView
		for _, x := range nodeView(r, leader).Queues {
			if x.Learner == learner {
				q = &x
				break
			}
		}
		if q == nil {
			return false, tx("server %d has no queue for %d", "服务器 %d 没有发往 %d 的队列", leader, learner)
		}
		var parts []string
		found := false
		for _, pk := range q.Packets {
			parts = append(parts, pk.Type+" "+pk.Zxid.String())
			if pk.Type == pkt && (z == nil || pk.Zxid == *z) {
				found = true
			}
		}
		d := tx("queue %d → %d: [%s]", "队列 %d → %d：[%s]", leader, learner, strings.Join(parts, ", "))
		if empty {
			return len(q.Packets) == 0, d
		}
		return found, d
	}}, nil
}

// proposalCond reads "proposal ZXID acks N": the leader's outstanding proposal has N acks.
func (p *parser) proposalCond(w *words) (*condition, error) {
	z, err := parseZxid(w.next())
	if err != nil {
		return nil, err
	}
	if !w.accept("acks") {
		return nil, fmt.Errorf("write proposal ZXID acks N")
	}
	n, err := strconv.Atoi(w.next())
	if err != nil {
		return nil, fmt.Errorf("acks: want a number")
	}
	return &condition{eval: func(r *Run) (bool, Text) {
		l := r.Cluster.Leader()
		if l == 0 {
			return false, tx("no leader", "没有 leader")
		}
		for _, pr := range nodeView(r, l).Outstanding {
			if pr.Zxid == z {
				return len(pr.Acks) == n, tx("proposal %s at leader %d: acks from %v, %d needed", "leader %[2]d 上的提案 %[1]s：已收到 %[3]v 的 ACK，需要 %[4]d 个", fmtZxid(z), l, pr.Acks, pr.Needed)
			}
		}
		return false, tx("proposal %s is not outstanding at leader %d", "提案 %s 不在 leader %d 的待确认列表中", fmtZxid(z), l)
	}}, nil
}

func violationsCond(want bool, name string) *condition {
	return &condition{eval: func(r *Run) (bool, Text) {
		vs := r.Cluster.Checker().Violations()
		var names []string
		seen := map[string]bool{}
		match := false
		for _, v := range vs {
			if !seen[v.Invariant] {
				seen[v.Invariant] = true
				names = append(names, v.Invariant)
			}
			match = match || name == "" || v.Invariant == name
		}
		if len(vs) == 0 {
			return !want, tx("no invariant violated", "没有违反任何不变式")
		}
		d := tx("%d violation(s): %s", "%d 处违反：%s", r.Cluster.Checker().Count(), strings.Join(names, ", "))
		if !want {
			return false, d
		}
		return match, d
	}}
}

// settledCond holds when a leader is established and every running server is in BROADCAST.
func settledCond() *condition {
	return &condition{eval: func(r *Run) (bool, Text) {
		c := r.Cluster
		l := c.Leader()
		if l == 0 {
			return false, tx("no established leader", "没有已确立的 leader")
		}
		for id := 1; id <= c.Size(); id++ {
			pe := c.Peer(id)
			if pe.State() != engine.Down && pe.Phase() != engine.PhaseBroadcast {
				return false, tx("server %d is %s (%s)", "服务器 %d 处于 %s（%s）", id, pe.State(), pe.Phase())
			}
		}
		return true, tx("leader %d, every running server in BROADCAST", "leader 是 %d，所有运行中的服务器都在 BROADCAST 阶段", l)
	}}
}

// clientCond reads "client NAME PROPERTY", about the client's last request or session.
func (p *parser) clientCond(w *words) (*condition, error) {
	name := w.next()
	if !p.clients[name] {
		return nil, fmt.Errorf("unknown client %q", name)
	}
	prop := w.next()
	last := func(r *Run) *opRecord { return r.clients[name].last }
	switch prop {
	case "ok", "pending":
		return &condition{eval: func(r *Run) (bool, Text) {
			o := last(r)
			if o == nil {
				return false, tx("no request yet", "还没有发出请求")
			}
			if prop == "pending" {
				return !o.done, o.describe()
			}
			return o.done && o.reply.Err == zkdb.OK, o.describe()
		}}, nil
	case "error":
		code := w.next()
		want, ok := zkdb.ErrByName(code)
		if !ok {
			return nil, fmt.Errorf("error: unknown error name %q (e.g. NONODE, NODEEXISTS, CONNECTIONLOSS)", code)
		}
		return opCond(last, func(o *opRecord) bool { return o.reply.Err == want }), nil
	case "data":
		if !w.more() {
			return nil, fmt.Errorf("data: want a value")
		}
		v := str(w.next())
		return opCond(last, func(o *opRecord) bool { return o.reply.Err == zkdb.OK && string(o.reply.Data) == v }), nil
	case "children":
		var want []string
		for w.more() {
			want = append(want, str(w.next()))
		}
		return opCond(last, func(o *opRecord) bool {
			return o.reply.Err == zkdb.OK && strings.Join(o.reply.Children, " ") == strings.Join(want, " ")
		}), nil
	case "zxid":
		z, err := parseZxid(w.next())
		if err != nil {
			return nil, err
		}
		return opCond(last, func(o *opRecord) bool { return o.reply.TxnZxid == z }), nil
	case "path":
		v := w.next()
		return opCond(last, func(o *opRecord) bool { return o.reply.Path == v }), nil
	case "answered":
		w.accept("by")
		id, err := p.serverID(w.next())
		if err != nil {
			return nil, err
		}
		return opCond(last, func(o *opRecord) bool { return o.reply.Server == id }), nil
	case "at":
		id, err := p.serverID(w.next())
		if err != nil {
			return nil, err
		}
		return &condition{eval: func(r *Run) (bool, Text) {
			cl := r.clients[name].cl
			return cl.Server() == id && cl.State() == engine.ClientConnected, clientText(cl)
		}}, nil
	case "lastZxid":
		z, err := parseZxid(w.next())
		if err != nil {
			return nil, err
		}
		return &condition{eval: func(r *Run) (bool, Text) {
			cl := r.clients[name].cl
			return cl.LastZxid() == z, clientText(cl)
		}}, nil
	case "CONNECTING", "CONNECTED", "EXPIRED", "CLOSED":
		return &condition{eval: func(r *Run) (bool, Text) {
			cl := r.clients[name].cl
			return cl.State().String() == prop, clientText(cl)
		}}, nil
	}
	return nil, fmt.Errorf("unknown client property %q (want ok, pending, error NAME, data VALUE, children …, zxid Z, path P, answered by N, at N, lastZxid Z, CONNECTED, CONNECTING, EXPIRED or CLOSED)", prop)
}

func opCond(last func(*Run) *opRecord, ok func(*opRecord) bool) *condition {
	return &condition{eval: func(r *Run) (bool, Text) {
		o := last(r)
		if o == nil {
			return false, tx("no request yet", "还没有发出请求")
		}
		return o.done && ok(o), o.describe()
	}}
}

func clientText(cl *engine.Client) Text {
	return tx("session %#x %s at server %d, last zxid seen %s", "会话 %#x %s，连接服务器 %d，见过的最大 zxid %s",
		cl.SessionID(), cl.State(), cl.Server(), fmtZxid(cl.LastZxid()))
}
