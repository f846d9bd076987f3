package lessons

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/describe"
	"github.com/zablab/zablab/engine/zkdb"
)

// StepResult is what playing one step did: its timeline and its checkpoints.
type StepResult struct {
	Index   int     `json:"index"`
	ID      string  `json:"id"`
	StartMs float64 `json:"startMs"`
	EndMs   float64 `json:"endMs"`
	// Log is the step's timeline: actions, notable engine events, client answers and
	// checkpoints, in the order they happened.
	Log    []Entry       `json:"log"`
	Checks []CheckResult `json:"checks"`
	// Solved is set when a try step was completed by its solution rather than by the learner.
	Solved bool `json:"solved,omitempty"`
	// Reset is set when the step began with "reset": Run.Cluster is a new cluster.
	Reset bool `json:"reset,omitempty"`
	// Pass: every checkpoint passed and no action failed.
	Pass bool `json:"pass"`
	// Digest is the cluster's event-log digest after the step (hex); equal digests mean
	// identical runs.
	Digest string `json:"digest"`
	Error  string `json:"error,omitempty"`
}

// Entry is one line of a step's timeline.
type Entry struct {
	// Kind is "action", "event", "result" (a client's answer), "check", "predict" or "note".
	Kind   string  `json:"kind"`
	TimeMs float64 `json:"timeMs"`
	Line   int     `json:"line,omitempty"`
	Text   Text    `json:"text"`
	// Pass is a checkpoint's outcome (kind "check").
	Pass bool `json:"pass,omitempty"`
}

// maxEvents bounds the engine events a step's log keeps.
const maxEvents = 400

// maxTimes bounds "times N" in a client request.
const maxTimes = 5000

// Run plays a lesson on a cluster it owns. It is not safe for concurrent use.
type Run struct {
	Lesson  *Lesson
	Cluster *engine.Cluster
	next    int
	cur     *playing
	clients map[string]*lessonClient
	res     *StepResult // the step being played; nil between steps (events are not kept)
	dropped int
}

// playing is the step in progress.
type playing struct {
	step     *Step
	cmds     []*Command
	pc       int   // next command
	started  bool  // cmds[pc] has begun
	deadline int64 // of the current wait
	solving  bool
}

type lessonClient struct {
	cl   *engine.Client
	last *opRecord
}

// opRecord is a client's request and, once answered, its reply.
type opRecord struct {
	client string
	verb   string
	path   string
	done   bool
	reply  engine.Reply
}

func (o *opRecord) describe() Text {
	if !o.done {
		return tx("%s: %s %s is pending", "%s：%s %s 尚未返回", o.client, o.verb, o.path)
	}
	r := o.reply
	var en, zh strings.Builder
	fmt.Fprintf(&en, "%s: %s %s → %s", o.client, o.verb, o.path, r.Err.Name())
	fmt.Fprintf(&zh, "%s：%s %s → %s", o.client, o.verb, o.path, r.Err.Name())
	if r.Err == zkdb.OK {
		switch {
		case o.verb == "get":
			fmt.Fprintf(&en, " %q", r.Data)
			fmt.Fprintf(&zh, " %q", r.Data)
		case o.verb == "ls":
			fmt.Fprintf(&en, " %v", r.Children)
			fmt.Fprintf(&zh, " %v", r.Children)
		case o.verb == "create" && r.Path != o.path:
			fmt.Fprintf(&en, " %s", r.Path)
			fmt.Fprintf(&zh, " %s", r.Path)
		}
	}
	if r.TxnZxid != 0 {
		fmt.Fprintf(&en, ", txn %s", fmtZxid(r.TxnZxid))
		fmt.Fprintf(&zh, "，事务 %s", fmtZxid(r.TxnZxid))
	}
	if r.Server != 0 {
		fmt.Fprintf(&en, ", answered by server %d", r.Server)
		fmt.Fprintf(&zh, "，由服务器 %d 应答", r.Server)
	}
	return Text{engine.En: en.String(), engine.Zh: zh.String()}
}

// NewRun builds a fresh cluster from the lesson's configuration, with every server down and
// no step played.
func (l *Lesson) NewRun() (*Run, error) {
	c, err := engine.NewCluster(l.Config)
	if err != nil {
		return nil, err
	}
	r := &Run{Lesson: l, Cluster: c, clients: map[string]*lessonClient{}}
	c.OnEvent(r.onEvent)
	return r, nil
}

// Play builds a fresh run and plays steps 0..upTo-1 (try steps by their solution).
func (l *Lesson) Play(upTo int) (*Run, []StepResult, error) {
	if upTo < 0 || upTo > len(l.Steps) {
		return nil, nil, fmt.Errorf("%s: no step %d (the lesson has %d)", l.File, upTo, len(l.Steps))
	}
	r, err := l.NewRun()
	if err != nil {
		return nil, nil, err
	}
	var out []StepResult
	for r.next < upTo {
		res, err := r.Apply()
		out = append(out, res)
		if err != nil {
			return r, out, err
		}
	}
	return r, out, nil
}

// Replay builds a fresh cluster and plays steps 0..upTo-1, so the web player can restore
// any step exactly (Back, deep links). Use Play to keep playing afterwards.
func (l *Lesson) Replay(upTo int) (*engine.Cluster, []StepResult, error) {
	r, res, err := l.Play(upTo)
	if r == nil {
		return nil, res, err
	}
	return r.Cluster, res, err
}

// ClientIDs maps the lesson's client names to their ids in the cluster.
func (r *Run) ClientIDs() map[string]int64 {
	out := make(map[string]int64, len(r.clients))
	for name, lc := range r.clients {
		out[name] = lc.cl.ID()
	}
	return out
}

// Rebase makes c the run's cluster between steps: a replay of what the learner really did up
// to this step (their own moves included), whose clients ids names the lesson's clients.
// Requests still waiting for an answer at that moment are not followed any more.
func (r *Run) Rebase(c *engine.Cluster, ids map[string]int64) error {
	if r.cur != nil {
		return fmt.Errorf("step %d is playing", r.cur.step.Index)
	}
	clients := map[string]*lessonClient{}
	for name, id := range ids {
		cl := c.ClientByID(id)
		if cl == nil {
			return fmt.Errorf("client %s (%d) is not in the replayed cluster", name, id)
		}
		lc := &lessonClient{cl: cl}
		if old := r.clients[name]; old != nil && old.last != nil && old.last.done {
			lc.last = old.last
		}
		clients[name] = lc
	}
	r.Cluster, r.clients = c, clients
	c.OnEvent(r.onEvent)
	return nil
}

// Next is the index of the next step to play (len(Steps) when the lesson is over).
func (r *Run) Next() int { return r.next }

// Playing reports whether a step has begun and not finished.
func (r *Run) Playing() bool { return r.cur != nil }

// Apply plays the next step whole: its script, then for a try step its solution, then its
// goal. It is what the headless runner and Replay use.
func (r *Run) Apply() (StepResult, error) {
	if err := r.Begin(); err != nil {
		return StepResult{}, err
	}
	if _, err := r.Advance(-1); err != nil {
		return r.fail(err)
	}
	if r.cur.step.Try {
		r.Solve()
		if _, err := r.Advance(-1); err != nil {
			return r.fail(err)
		}
	}
	return r.Finish(), nil
}

func (r *Run) fail(err error) (StepResult, error) {
	r.res.Error = err.Error()
	res := r.Finish()
	return res, err
}

// Begin starts the next step. The browser then calls Advance until it reports done; for a
// try step it waits until GoalMet (or calls Solve and Advance), then Finish.
func (r *Run) Begin() error {
	if r.cur != nil {
		return fmt.Errorf("step %d has not finished", r.cur.step.Index)
	}
	if r.next >= len(r.Lesson.Steps) {
		return fmt.Errorf("the lesson is over")
	}
	st := r.Lesson.Steps[r.next]
	// A recorded mark: the run shows where each lesson step began.
	r.Cluster.Apply(engine.Command{Kind: engine.CmdMark, Lesson: r.Lesson.Slug, Step: st.Index, Text: st.ID})
	r.cur = &playing{step: st, cmds: st.Script}
	now := r.ms()
	r.res = &StepResult{Index: st.Index, ID: st.ID, StartMs: now}
	if pr := st.Predict; pr != nil {
		r.entry(Entry{Kind: "predict", Text: Text{
			engine.En: pr.Question[engine.En] + " → " + pr.Choices[pr.Answer].Text[engine.En],
			engine.Zh: pr.Question[engine.Zh] + " → " + pr.Choices[pr.Answer].Text[engine.Zh]}})
	}
	return nil
}

// Solve makes the current try step play its solution next (the "show me" button).
func (r *Run) Solve() {
	pl := r.cur
	if pl == nil || !pl.step.Try || pl.solving {
		return
	}
	pl.solving = true
	pl.cmds = append(append([]*Command(nil), pl.cmds...), pl.step.Solution...)
	r.res.Solved = true
	r.entry(Entry{Kind: "note", Text: tx("the solution:", "参考解法：")})
}

var errNoStep = errors.New("no step is being played (call Begin)")

// Advance plays the current step's commands for at most budgetUs of simulated time (a
// negative budget plays to the end). It reports whether every command has run.
func (r *Run) Advance(budgetUs int64) (bool, error) {
	pl := r.cur
	if pl == nil {
		return false, errNoStep
	}
	end := int64(math.MaxInt64)
	if budgetUs >= 0 {
		end = r.Cluster.Now() + budgetUs
	}
	for pl.pc < len(pl.cmds) {
		cmd := pl.cmds[pl.pc]
		if !pl.started {
			pl.started = true
			if err := r.begin(cmd); err != nil {
				return false, fmt.Errorf("%s:%d: %s: %v", r.Lesson.File, cmd.Line, cmd.Text, err)
			}
		}
		done, err := r.progress(cmd, end)
		if err != nil {
			return false, fmt.Errorf("%s:%d: %s: %v", r.Lesson.File, cmd.Line, cmd.Text, err)
		}
		if !done {
			return false, nil
		}
		pl.pc++
		pl.started = false
	}
	return true, nil
}

// begin runs the instant part of a command and arms its wait.
func (r *Run) begin(cmd *Command) error {
	pl := r.cur
	if cmd.Kind == "check" {
		r.check(cmd, cmd.chk)
		return nil
	}
	// The entry goes first: the action may cause events (and answers) at once.
	idx := len(r.res.Log)
	r.entry(Entry{Kind: "action", Line: cmd.Line, TimeMs: r.ms(), Text: Text{engine.En: cmd.Text, engine.Zh: cmd.Text}})
	if cmd.act != nil {
		note, err := cmd.act(r)
		if err != nil {
			return err
		}
		if note != nil {
			r.res.Log[idx].Text = Text{engine.En: cmd.Text + "  — " + note[engine.En], engine.Zh: cmd.Text + "  —— " + note[engine.Zh]}
		}
	}
	switch {
	case cmd.forUs > 0:
		pl.deadline = r.Cluster.Now() + cmd.forUs
	case cmd.until != nil:
		pl.deadline = r.Cluster.Now() + cmd.limit
	}
	return nil
}

// progress advances a wait up to end; it reports whether the command is done.
func (r *Run) progress(cmd *Command, end int64) (bool, error) {
	c := r.Cluster
	pl := r.cur
	switch {
	case cmd.forUs > 0:
		if end >= pl.deadline {
			c.RunUntil(pl.deadline)
			return true, nil
		}
		c.RunUntil(end)
		return false, nil
	case cmd.steps > 0:
		for i := 0; i < cmd.steps && c.Step(); i++ {
		}
		return true, nil
	case cmd.until != nil:
		cond := func() bool { ok, _ := cmd.until.eval(r); return ok }
		stop := min(pl.deadline, end)
		if c.RunUntilCond(max(stop-c.Now(), 0), cond) {
			return true, nil
		}
		if c.Now() >= pl.deadline {
			_, d := cmd.until.eval(r)
			return false, fmt.Errorf("not reached within %s (%s)", fmtDur(cmd.limit), d[engine.En])
		}
		return false, nil
	}
	return true, nil
}

func fmtDur(us int64) string {
	if us%1_000_000 == 0 {
		return fmt.Sprintf("%ds", us/1_000_000)
	}
	return fmt.Sprintf("%gms", float64(us)/1000)
}

func (r *Run) check(cmd *Command, c *condition) CheckResult {
	ok, d := c.eval(r)
	cr := CheckResult{Line: cmd.Line, Check: cmd.Text, Pass: ok, Detail: d}
	if r.res != nil {
		r.res.Checks = append(r.res.Checks, cr)
		r.entry(Entry{Kind: "check", Line: cmd.Line, TimeMs: r.ms(), Pass: ok, Text: Text{
			engine.En: cmd.Text + "  — " + d[engine.En], engine.Zh: cmd.Text + "  —— " + d[engine.Zh]}})
	}
	return cr
}

// GoalMet reports whether the current try step's goal holds now.
func (r *Run) GoalMet() bool {
	if r.cur == nil || !r.cur.step.Try {
		return false
	}
	for _, g := range r.cur.step.Goal {
		if ok, _ := g.chk.eval(r); !ok {
			return false
		}
	}
	return true
}

// Check evaluates, on the cluster as it is now, the checkpoints of the current step (or of
// the last one played): the goal of a try step, else the expect lines of its script.
func (r *Run) Check() []CheckResult {
	st := r.lastStep()
	if st == nil {
		return nil
	}
	cmds := st.Script
	if st.Try {
		cmds = st.Goal
	}
	var out []CheckResult
	for _, cmd := range cmds {
		if cmd.chk != nil {
			ok, d := cmd.chk.eval(r)
			out = append(out, CheckResult{Line: cmd.Line, Check: cmd.Text, Pass: ok, Detail: d})
		}
	}
	return out
}

func (r *Run) lastStep() *Step {
	if r.cur != nil {
		return r.cur.step
	}
	if r.next > 0 {
		return r.Lesson.Steps[r.next-1]
	}
	return nil
}

// Finish ends the current step: a try step's goal is checked, the result is closed and the
// run moves to the next step.
func (r *Run) Finish() StepResult {
	pl := r.cur
	if pl == nil {
		return StepResult{}
	}
	if pl.step.Try && r.res.Error == "" {
		for _, g := range pl.step.Goal {
			r.check(g, g.chk)
		}
	}
	res := r.res
	res.EndMs = r.ms()
	res.Digest = fmt.Sprintf("%016x", r.Cluster.Digest())
	res.Pass = res.Error == ""
	for _, c := range res.Checks {
		res.Pass = res.Pass && c.Pass
	}
	if r.dropped > 0 {
		res.Log = append(res.Log, Entry{Kind: "note", TimeMs: res.EndMs,
			Text: tx("… and %d more events", "……另有 %d 个事件", r.dropped)})
	}
	r.cur, r.res, r.dropped = nil, nil, 0
	r.next++
	return *res
}

func (r *Run) ms() float64 { return float64(r.Cluster.Now()) / 1000 }

func (r *Run) entry(e Entry) {
	if r.res == nil {
		return
	}
	if e.TimeMs == 0 {
		e.TimeMs = r.ms()
	}
	r.res.Log = append(r.res.Log, e)
}

// onEvent keeps the notable engine events of the step being played.
func (r *Run) onEvent(e *engine.Event) {
	if r.res == nil || !notable(e) {
		return
	}
	if r.res.eventCount() >= maxEvents {
		r.dropped++
		return
	}
	r.res.Log = append(r.res.Log, Entry{Kind: "event", TimeMs: float64(e.TimeUs) / 1000,
		Text: Text{engine.En: describe.Event(e, engine.En), engine.Zh: describe.Event(e, engine.Zh)}})
}

func (s *StepResult) eventCount() int {
	n := 0
	for _, e := range s.Log {
		if e.Kind == "event" {
			n++
		}
	}
	return n
}

// notable picks the events a lesson's timeline shows: state changes, votes and decisions,
// epochs, the protocol's packets (not pings or election notifications, which have their own
// events), proposals, acks, commits, sync modes, sessions, client answers and violations.
func notable(e *engine.Event) bool {
	switch e.Kind {
	case engine.EvSend:
		switch e.Packet {
		case engine.Ping, engine.Notification, engine.Ack, engine.ConnRefused:
			return false
		}
		return true
	case engine.EvDeliver, engine.EvQueue:
		return false
	case engine.EvDrop:
		return e.Packet != engine.Ping && e.Packet != engine.Notification
	}
	return true
}

// --- actions -----------------------------------------------------------------------------

func (r *Run) start(ids []int) (Text, error) {
	if len(ids) == 0 {
		r.Cluster.Start()
		return tx("every server boots", "所有服务器启动"), nil
	}
	for _, id := range ids {
		if err := r.Cluster.Restart(id); err != nil {
			return nil, err
		}
	}
	return Text{engine.En: "servers " + idList(ids, ", ") + " boot", engine.Zh: "服务器 " + idList(ids, "、") + " 启动"}, nil
}

// idList writes server ids as "1, 2, 3" (or with another separator).
func idList(ids []int, sep string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, sep)
}

func (r *Run) crashRestart(verb string, ref func(*Run) (int, error)) (Text, error) {
	id, err := ref(r)
	if err != nil {
		return nil, err
	}
	if verb == "crash" {
		return tx("server %d crashes", "服务器 %d 崩溃", id), r.Cluster.Crash(id)
	}
	return tx("server %d restarts from its disk", "服务器 %d 从磁盘重启", id), r.Cluster.Restart(id)
}

func (r *Run) isolate(ref func(*Run) (int, error)) (Text, error) {
	id, err := ref(r)
	if err != nil {
		return nil, err
	}
	rest := []int{}
	for x := 1; x <= r.Cluster.Size(); x++ {
		if x != id {
			rest = append(rest, x)
		}
	}
	note := Text{engine.En: fmt.Sprintf("server %d is cut off from %s", id, idList(rest, ", ")),
		engine.Zh: fmt.Sprintf("服务器 %d 与 %s 断开", id, idList(rest, "、"))}
	return note, r.Cluster.Partition([][]int{{id}, rest})
}

// reset replaces the cluster by a new one (every server down, no clients).
func (r *Run) reset(s Setup, cfg engine.Config) (Text, error) {
	c, err := engine.NewCluster(cfg)
	if err != nil {
		return nil, err
	}
	c.OnEvent(r.onEvent)
	r.Cluster, r.clients = c, map[string]*lessonClient{}
	if r.res != nil {
		r.res.Reset = true
	}
	return tx("a new cluster: %d voters, %d observers, seed %d, timing %s%s", "新集群：%d 个投票者，%d 个 observer，种子 %d，时间配置 %s%s",
		s.Voters, s.Observers, s.Seed, s.Timing, bugNote(s.Bug)), nil
}

func bugNote(b string) string {
	if b == "" {
		return ""
	}
	return ", bug " + b
}

func (r *Run) newClient(name string, server int, roaming bool, timeoutMs int32) (Text, error) {
	if timeoutMs == 0 {
		timeoutMs = int32(20 * r.Lesson.Config.Timing.TickTimeMs)
	}
	var cl *engine.Client
	if roaming {
		cl = r.Cluster.NewClient(server, timeoutMs)
	} else {
		cl = r.Cluster.NewPinnedClient(server, timeoutMs)
	}
	r.clients[name] = &lessonClient{cl: cl}
	return tx("client %d connects to server %d (session timeout %d ms)", "客户端 %d 连接服务器 %d（会话超时 %d 毫秒）", cl.ID(), server, cl.TimeoutMs()), nil
}

// submit sends a client request, or n copies of it at once; the client's last request is
// answered when the last copy is, and only that answer is written to the log.
func (r *Run) submit(name, verb string, op zkdb.Op, watch bool, n int) (Text, error) {
	lc := r.clients[name]
	o := &opRecord{client: name, verb: verb, path: op.Path}
	lc.last = o
	answered := 0
	for i := 0; i < n; i++ {
		lc.cl.Submit(op, watch, func(rep engine.Reply) {
			if answered++; answered < n {
				return
			}
			o.done, o.reply = true, rep
			r.entry(Entry{Kind: "result", Text: o.describe()})
		})
	}
	if n > 1 {
		return tx("%s sends %d %s requests at once", "%s 一次发出 %d 个 %s 请求", name, n, verb), nil
	}
	return nil, nil
}

func (r *Run) closeClient(name string) (Text, error) {
	r.clients[name].cl.Close()
	return tx("the session ends with a closeSession txn", "会话以 closeSession 事务结束"), nil
}

func (r *Run) killClient(name string) (Text, error) {
	r.clients[name].cl.Kill()
	return tx("the client process dies without closing its session", "客户端进程死掉，没有关闭会话"), nil
}
