package web

import (
	"net/http"
	"time"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/lessons"
)

// lessonState is a room playing a lesson: the lesson's Run owns the room's cluster.
type lessonState struct {
	lesson  *lessons.Lesson
	run     *lessons.Run
	results []lessons.StepResult
	// playing: a step has begun (its script runs live with the room's clock);
	// waiting: a try-it step's script is done and the room waits for the learner's goal.
	playing bool
	waiting bool
	err     string
	// held is the class's question for the next step's prediction: with students in the
	// room, the step waits for the teacher's reveal and plays then, for everyone.
	held string
	// starts[k] is the room's run when step k began (the learner's own moves included), so
	// Back restores what the learner did rather than the script's solution.
	starts map[int]stepStart
}

// stepStart is where a lesson step began in the room's recorded run.
type stepStart struct {
	run     engine.RunFile
	clients map[string]int64
}

func (ls *lessonState) markStart(k int) {
	c := ls.run.Cluster
	rf := c.RunFile()
	ls.starts[k] = stepStart{run: *rf, clients: ls.run.ClientIDs()}
}

// LessonView is the lesson part of a room's view: every viewer of the room (a class
// following its teacher) sees the same step.
type LessonView struct {
	Slug    string              `json:"slug"`
	Title   lessons.Text        `json:"title"`
	Steps   int                 `json:"steps"`
	Next    int                 `json:"next"` // index of the next step to play (= steps done)
	Playing bool                `json:"playing"`
	Waiting bool                `json:"waiting"`
	Results []StepSummary       `json:"results"`
	Last    *lessons.StepResult `json:"last,omitempty"`
	Error   string              `json:"error,omitempty"`
}

// StepSummary is a played step's outcome.
type StepSummary struct {
	Index  int                   `json:"index"`
	Pass   bool                  `json:"pass"`
	Solved bool                  `json:"solved,omitempty"`
	Checks []lessons.CheckResult `json:"checks"`
}

func (ls *lessonState) view() *LessonView {
	v := &LessonView{Slug: ls.lesson.Slug, Title: ls.lesson.Title, Steps: len(ls.lesson.Steps), Next: ls.run.Next(),
		Playing: ls.playing, Waiting: ls.waiting, Error: ls.err, Results: []StepSummary{}}
	if ls.playing {
		v.Next = ls.run.Next()
	}
	for _, r := range ls.results {
		checks := r.Checks
		if checks == nil {
			checks = []lessons.CheckResult{}
		}
		v.Results = append(v.Results, StepSummary{Index: r.Index, Pass: r.Pass, Solved: r.Solved, Checks: checks})
	}
	if n := len(ls.results); n > 0 {
		last := ls.results[n-1]
		if k := len(last.Log); k > maxViewLog {
			// Every view carries the last step's timeline: keep it small for big classes.
			last.Log = last.Log[k-maxViewLog:]
		}
		v.Last = &last
	}
	return v
}

// maxViewLog bounds the timeline entries a room view carries.
const maxViewLog = 120

// LessonRequest is POST /api/rooms/{room}/lesson.
type LessonRequest struct {
	Action string `json:"action"` // start | next | back | goto | solve | stop
	Slug   string `json:"slug"`
	Step   int    `json:"step"`
}

// startLesson replays a lesson up to step (deterministically) and makes it the room's cluster.
func (r *Room) startLesson(l *lessons.Lesson, step int) (any, error) {
	if step < 0 || step > len(l.Steps) {
		return nil, badInput("bad_step", "lesson %q has steps 0 to %d", l.Slug, len(l.Steps))
	}
	run, results, err := l.Play(step)
	if err != nil && run == nil {
		return nil, badInput("lesson_failed", "%v", err)
	}
	ls := &lessonState{lesson: l, run: run, results: results, starts: map[int]stepStart{}}
	if err != nil {
		ls.err = err.Error()
	} else {
		ls.markStart(step)
	}
	return r.playLesson(ls, nil)
}

// playLesson makes a lesson state the room's: its cluster (marks as for adopt), paused,
// every viewer reset.
func (r *Room) playLesson(ls *lessonState, marks *marker) (any, error) {
	run := ls.run
	r.adopt(run.Cluster, run.Cluster.Config(), marks)
	r.les = ls
	r.paused = true
	r.pending = nil
	r.publish(true)
	r.hub.resetAll()
	return r.view(), nil
}

// restoreLesson goes back to the start of step target as the learner played it: the room's
// own run replayed to that moment, under a lesson runner rebuilt to that step.
func (r *Room) restoreLesson(ls *lessonState, target int, st stepStart) (any, error) {
	c, marks, err := replayMarked(&st.run)
	if err != nil {
		return nil, err
	}
	run, results, err := ls.lesson.Play(target)
	if err != nil {
		return nil, err
	}
	if err := run.Rebase(c, st.clients); err != nil {
		return nil, err
	}
	if len(ls.results) >= target {
		results = append([]lessons.StepResult(nil), ls.results[:target]...)
	}
	nls := &lessonState{lesson: ls.lesson, run: run, results: results, starts: map[int]stepStart{}}
	for k, s := range ls.starts {
		if k <= target {
			nls.starts[k] = s
		}
	}
	return r.playLesson(nls, marks)
}

// lessonCommand runs a lesson action in the room.
func (r *Room) lessonCommand(q LessonRequest, find func(string) *lessons.Lesson) (any, error) {
	if q.Action == "start" {
		l := find(q.Slug)
		if l == nil {
			return nil, badInput("unknown_lesson", "unknown lesson %q", q.Slug)
		}
		return r.startLesson(l, q.Step)
	}
	ls := r.les
	if ls == nil {
		return nil, badInput("no_lesson", "this room is not playing a lesson (action \"start\" starts one)")
	}
	switch q.Action {
	case "next":
		if ls.playing {
			return nil, badInput("step_running", "step %d is still playing", ls.run.Next())
		}
		if ls.held != "" {
			return nil, errStatus(http.StatusConflict, "class_answering", "the class is answering this step's prediction: reveal the answer to play the step")
		}
		if n := ls.run.Next(); n < len(ls.lesson.Steps) {
			if pr := ls.lesson.Steps[n].Predict; pr != nil {
				// The step's prediction becomes the class's question (students answer it);
				// with students in the room the step waits for the reveal.
				choices := make([]Text, len(pr.Choices))
				for i, ch := range pr.Choices {
					choices[i] = textOf(ch.Text)
				}
				id, err := r.ask(textOf(pr.Question), choices, pr.Answer)
				if err == nil && r.studentCount() > 0 {
					ls.held = id
					return r.view(), nil
				}
			}
		}
		if err := r.playNextStep(ls); err != nil {
			return nil, err
		}
	case "back":
		target := ls.run.Next() - 1
		if ls.playing {
			target = ls.run.Next() // back to the start of the step being played
		}
		if target < 0 {
			target = 0
		}
		if st, ok := ls.starts[target]; ok {
			if v, err := r.restoreLesson(ls, target, st); err == nil {
				return v, nil
			}
		}
		return r.startLesson(ls.lesson, target)
	case "goto":
		return r.startLesson(ls.lesson, q.Step)
	case "solve":
		if !ls.playing || !ls.waiting {
			return nil, badInput("not_waiting", "no try-it-yourself step is waiting")
		}
		ls.run.Solve()
		ls.waiting = false
	case "stop":
		r.les = nil
	default:
		return nil, badInput("bad_action", "unknown lesson action %q (want start, next, back, goto, solve or stop)", q.Action)
	}
	return r.view(), nil
}

// playNextStep begins the lesson's next step (room goroutine).
func (r *Room) playNextStep(ls *lessonState) error {
	if ls.run.Next() < len(ls.lesson.Steps) {
		ls.markStart(ls.run.Next())
	}
	if err := ls.run.Begin(); err != nil {
		return badInput("lesson_over", "%v", err)
	}
	st := ls.lesson.Steps[ls.run.Next()]
	r.marks.lesson(r.c, st.Index, st.Title)
	ls.playing, ls.waiting, ls.err, ls.held = true, false, "", ""
	r.paused = false
	r.reanchor()
	return nil
}

// revealed plays the lesson step that waited for question id's reveal, if any (room
// goroutine): the reveal plays the step for everyone.
func (r *Room) revealed(id string) {
	if ls := r.les; ls != nil && ls.held == id && !ls.playing {
		r.playNextStep(ls)
	}
}

// advanceLesson plays the current step for this frame's share of simulated time. It
// returns whether it handled the frame, and whether it stopped early because the pace
// changed (slow motion: key messages went on or off the wire).
func (r *Room) advanceLesson(target int64, slow bool) (handled, paceChanged bool) {
	ls := r.les
	if ls == nil || !ls.playing {
		return false, false
	}
	run := ls.run
	if ls.waiting {
		// Try it yourself: the room runs normally; the learner acts with the usual controls.
		if run.GoalMet() {
			r.finishStep()
		}
		return false, false
	}
	var done bool
	var err error
	for {
		budget := max(target-r.c.Now(), 0)
		if r.slowMo && r.watchable() {
			budget = min(budget, lessonSliceUs)
		}
		before := r.c.Now()
		done, err = run.Advance(budget)
		if done || err != nil || run.Cluster != r.c || r.c.Now() >= target || r.c.Now() == before {
			break
		}
		if r.slow() != slow {
			paceChanged = true
			break
		}
	}
	r.dirty = true
	if run.Cluster != r.c {
		// The step began with "reset": the lesson built a new cluster.
		r.adopt(run.Cluster, run.Cluster.Config(), nil)
		r.pending = nil
		r.hub.resetAll()
	}
	if err != nil {
		ls.err = err.Error()
		r.finishStep()
		return true, false
	}
	if !done {
		return true, paceChanged
	}
	if step := ls.lesson.Steps[run.Next()]; step.Try && !run.GoalMet() {
		ls.waiting = true
		return true, false
	}
	r.finishStep()
	return true, false
}

func (r *Room) finishStep() {
	ls := r.les
	res := ls.run.Finish()
	ls.results = append(ls.results, res)
	ls.playing, ls.waiting = false, false
	r.paused = true
	r.dirty = true
	r.reanchor()
}

func (r *Room) reanchor() {
	r.simAnchor, r.wallAnchor = r.c.Now(), time.Now()
}

// textOf turns a lesson's text into a classroom text.
func textOf(t lessons.Text) Text {
	out := Text{}
	for lang, s := range t {
		out[string(lang)] = s
	}
	return out
}
