package lessons

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/zkdb"
)

// Command is one line of a script, goal or solution block.
type Command struct {
	Line int    `json:"line"`
	Text string `json:"text"`
	// Kind is "action" (instant), "wait" (advances simulated time) or "check" (a checkpoint).
	Kind string `json:"kind"`
	// Hidden marks a goal line the learner is not shown until the goal is reached (written
	// "hidden leader 5"): it would give away the answer of the step's prediction.
	Hidden bool `json:"hidden,omitempty"`

	act   func(r *Run) (Text, error) // instant part (actions, and the submit of a client op)
	until *condition                 // wait: run until this holds (or forUs/events)
	forUs int64                      // wait: run this long
	steps int                        // wait: process this many events
	limit int64                      // wait: give up (error) after this long
	chk   *condition                 // check
}

// condition is a checkpoint: it holds or not, with a detail in both languages.
type condition struct {
	eval func(r *Run) (bool, Text)
}

// defaultLimitUs bounds "run until" and client requests that wait for their answer.
const defaultLimitUs = 120 * 1_000_000

// tokenize splits a script line into words; "double quoted" strings are one word (with \"
// and \\ escapes), and a zxid written "(2, 1)" is one word "(2,1)".
func tokenize(s string) ([]string, error) {
	var out []string
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unclosed quote")
			}
			out = append(out, "\""+b.String())
			i = j + 1
		case c == '(':
			j := strings.IndexByte(s[i:], ')')
			if j < 0 {
				return nil, fmt.Errorf("unclosed parenthesis")
			}
			out = append(out, strings.ReplaceAll(s[i:i+j+1], " ", ""))
			i += j + 1
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' {
				j++
			}
			out = append(out, s[i:j])
			i = j
		}
	}
	return out, nil
}

// words is a cursor over a line's tokens.
type words struct {
	t []string
	i int
}

func (w *words) more() bool   { return w.i < len(w.t) }
func (w *words) peek() string { return w.at(w.i) }
func (w *words) at(i int) string {
	if i < len(w.t) {
		return w.t[i]
	}
	return ""
}
func (w *words) next() string { s := w.peek(); w.i++; return s }
func (w *words) accept(s string) bool {
	if w.peek() == s {
		w.i++
		return true
	}
	return false
}

// str returns a word as a string value (quoted or bare).
func str(tok string) string { return strings.TrimPrefix(tok, "\"") }

var zxidPairRe = regexp.MustCompile(`^\(([0-9a-fA-Fx]+),([0-9a-fA-Fx]+)\)$`)

// parseZxid reads "(epoch,counter)" (each decimal or 0x hex) or "0x..." hex.
func parseZxid(tok string) (engine.Zxid, error) {
	if m := zxidPairRe.FindStringSubmatch(tok); m != nil {
		e, err1 := strconv.ParseUint(m[1], 0, 32)
		c, err2 := strconv.ParseUint(m[2], 0, 32)
		if err1 != nil || err2 != nil {
			return 0, fmt.Errorf("bad zxid %q: epoch and counter are 32-bit numbers", tok)
		}
		return zkdb.MakeZxid(uint32(e), uint32(c)), nil
	}
	if strings.HasPrefix(tok, "0x") {
		if u, err := strconv.ParseUint(tok[2:], 16, 64); err == nil {
			return engine.Zxid(int64(u)), nil
		}
	}
	return 0, fmt.Errorf("bad zxid %q: write (epoch, counter) such as (1, 3), or hex such as 0x100000003", tok)
}

// fmtZxid shows a zxid as (epoch, counter) with its hex form.
func fmtZxid(z engine.Zxid) string {
	if z < 0 {
		return z.String()
	}
	c := fmt.Sprint(z.Counter())
	if z.Counter() > 0xffff0000 {
		c = fmt.Sprintf("%#x", z.Counter())
	}
	return fmt.Sprintf("(%d, %s) %s", z.Epoch(), c, z)
}

var durRe = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)(ms|s|m)$`)

// parseDuration reads 250ms, 2s, 1.5s, 2m into microseconds.
func parseDuration(tok string) (int64, error) {
	m := durRe.FindStringSubmatch(tok)
	if m == nil {
		return 0, fmt.Errorf("bad duration %q (write 500ms, 2s or 1m)", tok)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	unit := map[string]float64{"ms": 1e3, "s": 1e6, "m": 60e6}[m[2]]
	us := int64(v * unit)
	if us <= 0 || us > 3600*1_000_000 {
		return 0, fmt.Errorf("duration %q out of range (0, 1h]", tok)
	}
	return us, nil
}

var clientNameRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// command parses one script line.
func (p *parser) command(t string, ln int, block string) (*Command, error) {
	toks, err := tokenize(t)
	if err != nil {
		return nil, p.fail(ln, "%v", err)
	}
	w := &words{t: toks}
	cmd := &Command{Line: ln, Text: t}
	if block == "goal" {
		if cmd.Hidden = w.accept("hidden"); cmd.Hidden {
			cmd.Text = strings.TrimSpace(strings.TrimPrefix(t, "hidden"))
		}
		w.accept("expect")
		cmd.Kind = "check"
		cmd.chk, err = p.condition(w)
	} else {
		err = p.action(w, cmd)
	}
	if err == nil && w.more() {
		err = fmt.Errorf("unexpected %q", w.peek())
	}
	if err != nil {
		return nil, p.fail(ln, "%v", err)
	}
	if block == "solution" && cmd.Kind == "check" {
		return nil, p.fail(ln, "a solution holds actions; checkpoints go in the ```goal block")
	}
	return cmd, nil
}

// serverID reads a server id and checks it exists in the lesson's cluster.
func (p *parser) serverID(tok string) (int, error) {
	n, err := strconv.Atoi(tok)
	if err != nil {
		return 0, fmt.Errorf("want a server id, not %q", tok)
	}
	if n < 1 || n > p.size {
		return 0, fmt.Errorf("bad server id %d: the cluster has servers 1 to %d", n, p.size)
	}
	return n, nil
}

// serverRef reads a server id or "leader" (resolved when the line runs).
func (p *parser) serverRef(w *words) (func(r *Run) (int, error), error) {
	if w.accept("leader") {
		return func(r *Run) (int, error) {
			if id := r.Cluster.Leader(); id != 0 {
				return id, nil
			}
			return 0, fmt.Errorf("there is no leader right now")
		}, nil
	}
	id, err := p.serverID(w.next())
	if err != nil {
		return nil, err
	}
	return func(*Run) (int, error) { return id, nil }, nil
}

// serverIDs reads one or more ids ("1 2 3", "1,2,3").
func (p *parser) serverIDs(w *words) ([]int, error) {
	var ids []int
	for w.more() {
		tok := w.peek()
		if _, err := strconv.Atoi(strings.Split(tok, ",")[0]); err != nil {
			break
		}
		w.next()
		for _, part := range strings.Split(tok, ",") {
			if part == "" {
				continue
			}
			id, err := p.serverID(part)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("want server ids, not %q", w.peek())
	}
	return ids, nil
}

func (p *parser) action(w *words, cmd *Command) error {
	verb := w.next()
	if name, ok := strings.CutSuffix(verb, ":"); ok && clientNameRe.MatchString(name) {
		return p.clientOp(name, w, cmd)
	}
	cmd.Kind = "action"
	switch verb {
	case "expect":
		cmd.Kind = "check"
		var err error
		cmd.chk, err = p.condition(w)
		return err
	case "start":
		var ids []int
		if w.more() {
			var err error
			if ids, err = p.serverIDs(w); err != nil {
				return err
			}
		}
		cmd.act = func(r *Run) (Text, error) { return r.start(ids) }
	case "crash", "restart":
		ref, err := p.serverRef(w)
		if err != nil {
			return err
		}
		cmd.act = func(r *Run) (Text, error) { return r.crashRestart(verb, ref) }
	case "partition":
		groups, err := p.groups(w)
		if err != nil {
			return err
		}
		var en, zh []string
		for _, g := range groups {
			en = append(en, "{"+idList(g, ", ")+"}")
			zh = append(zh, "{"+idList(g, "、")+"}")
		}
		note := Text{engine.En: "the network splits into " + strings.Join(en, " and "), engine.Zh: "网络分裂为 " + strings.Join(zh, " 和 ")}
		cmd.act = func(r *Run) (Text, error) { return note, r.Cluster.Partition(groups) }
	case "isolate":
		ref, err := p.serverRef(w)
		if err != nil {
			return err
		}
		cmd.act = func(r *Run) (Text, error) { return r.isolate(ref) }
	case "cut", "restore":
		return p.link(w, cmd, verb == "restore")
	case "heal":
		cmd.act = func(r *Run) (Text, error) {
			r.Cluster.Heal()
			return tx("all links up", "所有链路恢复"), nil
		}
	case "client":
		return p.clientDecl(w, cmd)
	case "run":
		return p.run(w, cmd)
	case "reset":
		return p.reset(w, cmd)
	case "step":
		n, err := strconv.Atoi(w.next())
		if err != nil || n < 1 || n > 100_000 {
			return fmt.Errorf("step: want a number of events in [1, 100000]")
		}
		w.accept("events")
		cmd.Kind, cmd.steps = "wait", n
	case "":
		return fmt.Errorf("empty line")
	default:
		return fmt.Errorf("unknown action %q (want start, crash, restart, partition, isolate, cut, restore, heal, client, NAME: op, run, step or expect)", verb)
	}
	return nil
}

// reset reads "reset [voters N] [observers N] [seed N] [timing NAME] [bug NAME] …": a new
// cluster, all servers down, built from the lesson's header with these changes.
func (p *parser) reset(w *words, cmd *Command) error {
	if p.resetOK != cmd.Line {
		return fmt.Errorf("reset must be the first line of a step's script")
	}
	s := p.l.Setup
	for w.more() {
		key, val := w.next(), w.next()
		if val == "" {
			return fmt.Errorf("reset %s: the value is missing", key)
		}
		switch key {
		case "voters", "observers", "seed", "timing", "bug", "commitLogCount", "snapCount", "snapshotSizeFactor", "startCounter":
		default:
			return fmt.Errorf("reset: unknown setting %q (want voters, observers, seed, timing, bug, commitLogCount, snapCount, snapshotSizeFactor or startCounter)", key)
		}
		if err := p.headerKey(&s, key, val, cmd.Line); err != nil {
			return fmt.Errorf("reset: %v", err.(*ParseError).Reason)
		}
	}
	cfg, err := s.config()
	if err != nil {
		return fmt.Errorf("reset: %v", err)
	}
	p.size = s.Voters + s.Observers
	p.clients = map[string]bool{}
	cmd.act = func(r *Run) (Text, error) { return r.reset(s, cfg) }
	return nil
}

// groups reads "1 2 | 3 4 5".
func (p *parser) groups(w *words) ([][]int, error) {
	var out [][]int
	seen := map[int]bool{}
	for {
		ids, err := p.serverIDs(w)
		if err != nil {
			return nil, fmt.Errorf("partition: %v (write partition 1 2 | 3 4 5)", err)
		}
		for _, id := range ids {
			if seen[id] {
				return nil, fmt.Errorf("partition: server %d is in two groups", id)
			}
			seen[id] = true
		}
		out = append(out, ids)
		if !w.accept("|") {
			break
		}
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("partition needs at least two groups split by | (write partition 1 2 | 3 4 5)")
	}
	return out, nil
}

// link reads "cut 1 -> 2", "cut 1 <-> 2", "restore 1 -> 2".
func (p *parser) link(w *words, cmd *Command, up bool) error {
	a, err := p.serverID(w.next())
	if err != nil {
		return err
	}
	arrow := w.next()
	if arrow != "->" && arrow != "<->" {
		return fmt.Errorf("want -> (one direction) or <-> (both), not %q", arrow)
	}
	b, err := p.serverID(w.next())
	if err != nil {
		return err
	}
	if a == b {
		return fmt.Errorf("a link joins two different servers")
	}
	both := arrow == "<->"
	cmd.act = func(r *Run) (Text, error) {
		if err := r.Cluster.SetLink(a, b, up); err != nil {
			return nil, err
		}
		if both {
			if err := r.Cluster.SetLink(b, a, up); err != nil {
				return nil, err
			}
		}
		if up {
			return tx("link %d %s %d restored", "链路 %d %s %d 已恢复", a, arrow, b), nil
		}
		return tx("link %d %s %d cut", "链路 %d %s %d 被切断", a, arrow, b), nil
	}
	return nil
}

// run reads "run 2s", "run until COND [within 30s]".
func (p *parser) run(w *words, cmd *Command) error {
	cmd.Kind = "wait"
	if !w.accept("until") {
		us, err := parseDuration(w.next())
		cmd.forUs = us
		return err
	}
	cmd.limit = defaultLimitUs
	if w.accept("settled") {
		cmd.until = settledCond()
	} else {
		// The condition ends at "within", if present.
		end := len(w.t)
		for i := w.i; i < len(w.t); i++ {
			if w.t[i] == "within" {
				end = i
			}
		}
		sub := &words{t: w.t[w.i:end]}
		c, err := p.condition(sub)
		if err != nil {
			return err
		}
		if sub.more() {
			return fmt.Errorf("unexpected %q", sub.peek())
		}
		cmd.until = c
		w.i = end
	}
	if w.accept("within") {
		us, err := parseDuration(w.next())
		if err != nil {
			return err
		}
		cmd.limit = us
	}
	return nil
}

// clientDecl reads "client NAME at N [roaming] [timeout 6s]".
func (p *parser) clientDecl(w *words, cmd *Command) error {
	name := w.next()
	if !clientNameRe.MatchString(name) {
		return fmt.Errorf("bad client name %q (lowercase letters, digits, _)", name)
	}
	if p.clients[name] {
		return fmt.Errorf("client %q is already declared", name)
	}
	if !w.accept("at") {
		return fmt.Errorf("write client %s at SERVER", name)
	}
	server, err := p.serverID(w.next())
	if err != nil {
		return err
	}
	roaming := false
	timeoutMs := int32(0)
	for w.more() {
		switch w.next() {
		case "roaming":
			roaming = true
		case "timeout":
			us, err := parseDuration(w.next())
			if err != nil {
				return err
			}
			timeoutMs = int32(us / 1000)
		default:
			return fmt.Errorf("client: unexpected %q (want roaming or timeout DURATION)", w.at(w.i-1))
		}
	}
	p.clients[name] = true
	cmd.act = func(r *Run) (Text, error) { return r.newClient(name, server, roaming, timeoutMs) }
	return nil
}

// opVerbs maps a script verb to the op it submits.
var opVerbs = map[string]zkdb.OpType{
	"create": zkdb.OpCreate, "set": zkdb.OpSetData, "get": zkdb.OpGetData, "delete": zkdb.OpDelete,
	"ls": zkdb.OpGetChildren, "exists": zkdb.OpExists, "sync": zkdb.OpSync,
}

// clientOp reads "NAME: create PATH [DATA] [ephemeral] [sequential] [times N] [nowait]" and
// friends; "times N" submits N copies at once (pipelined, as a batch writer does).
func (p *parser) clientOp(name string, w *words, cmd *Command) error {
	if !p.clients[name] {
		return fmt.Errorf("unknown client %q (declare it first: client %s at SERVER)", name, name)
	}
	cmd.Kind = "wait"
	verb := w.next()
	switch verb {
	case "close":
		cmd.act = func(r *Run) (Text, error) { return r.closeClient(name) }
		cmd.until = &condition{eval: func(r *Run) (bool, Text) {
			s := r.clients[name].cl.State()
			return s == engine.ClientClosed || s == engine.ClientExpired, nil
		}}
		cmd.limit = defaultLimitUs
		return nil
	case "kill":
		cmd.Kind = "action"
		cmd.act = func(r *Run) (Text, error) { return r.killClient(name) }
		return nil
	}
	typ, ok := opVerbs[verb]
	if !ok {
		return fmt.Errorf("unknown client op %q (want create, set, get, delete, ls, exists, sync, close or kill)", verb)
	}
	path := w.next()
	op := zkdb.Op{Type: typ, Path: path, Version: -1}
	watch, wait, times := false, true, 1
	var data *string
	for w.more() {
		tok := w.next()
		switch {
		case tok == "times":
			n, err := strconv.Atoi(w.next())
			if err != nil || n < 1 || n > maxTimes {
				return fmt.Errorf("%s: times N wants N in [1, %d]", verb, maxTimes)
			}
			times = n
		case tok == "ephemeral" && typ == zkdb.OpCreate:
			op.Mode |= zkdb.Ephemeral
		case tok == "sequential" && typ == zkdb.OpCreate:
			op.Mode |= zkdb.PersistentSequential
		case tok == "watch" && (typ == zkdb.OpGetData || typ == zkdb.OpExists || typ == zkdb.OpGetChildren):
			watch = true
		case tok == "nowait":
			wait = false
		case data == nil && (typ == zkdb.OpCreate || typ == zkdb.OpSetData):
			s := str(tok)
			data = &s
		default:
			return fmt.Errorf("%s: unexpected %q", verb, tok)
		}
	}
	if err := zkdb.ValidateCreatePath(path, op.Mode.IsSequential()); err != nil {
		return fmt.Errorf("%s: %v", verb, err)
	}
	if typ == zkdb.OpSetData && data == nil {
		return fmt.Errorf("set: write set PATH DATA")
	}
	if times > 1 && typ == zkdb.OpCreate && !op.Mode.IsSequential() {
		return fmt.Errorf("create: times N needs sequential (each create needs its own name)")
	}
	if data != nil {
		op.Data = []byte(*data)
	}
	if typ == zkdb.OpCreate {
		op.ACL = zkdb.OpenACL
	}
	cmd.act = func(r *Run) (Text, error) { return r.submit(name, verb, op, watch, times) }
	if wait {
		cmd.until = &condition{eval: func(r *Run) (bool, Text) { return r.clients[name].last.done, nil }}
		cmd.limit = defaultLimitUs
	} else {
		cmd.Kind = "action"
	}
	return nil
}
