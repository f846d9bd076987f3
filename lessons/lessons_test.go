package lessons

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/zablab/zablab/engine"
)

func loadAll(t *testing.T) []*Lesson {
	t.Helper()
	ls, err := Load(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 12 {
		t.Fatalf("%d lessons, want 12", len(ls))
	}
	return ls
}

// TestLessons plays every lesson headless and fails on any failed checkpoint or action.
func TestLessons(t *testing.T) {
	for _, l := range loadAll(t) {
		t.Run(l.Slug, func(t *testing.T) {
			t.Parallel()
			_, results, err := l.Play(len(l.Steps))
			for _, res := range results {
				st := l.Steps[res.Index]
				for _, c := range res.Checks {
					if !c.Pass {
						t.Errorf("%s:%d: step %d %q: FAIL %s — %s", l.File, c.Line, res.Index+1, st.ID, c.Check, c.Detail[engine.En])
					}
				}
				for _, e := range res.Log {
					for _, lang := range Langs {
						if e.Text[lang] == "" {
							t.Errorf("%s: step %q: a %s entry has no %s text: %v", l.File, st.ID, e.Kind, lang, e.Text)
						}
					}
				}
			}
			if err != nil {
				t.Fatalf("%v", err)
			}
		})
	}
}

// TestLessonShape checks what every lesson must offer a class: both languages, 5–12 steps,
// and at least one predict moment and one try-it-yourself step in the election lesson.
func TestLessonShape(t *testing.T) {
	predicts, tries := 0, 0
	for _, l := range loadAll(t) {
		if n := len(l.Steps); n < 5 || n > 12 {
			t.Errorf("%s: %d steps, want 5–12", l.File, n)
		}
		for _, lang := range Langs {
			if l.Title[lang] == "" || l.Summary[lang] == "" {
				t.Errorf("%s: title or summary missing in %s", l.File, lang)
			}
		}
		p, y := 0, 0
		for _, st := range l.Steps {
			if st.Predict != nil {
				p++
			}
			if st.Try {
				y++
			}
		}
		if l.Slug == "first-election" && (p == 0 || y == 0) {
			t.Errorf("%s: %d predict and %d try steps, want at least one of each", l.File, p, y)
		}
		predicts += p
		tries += y
	}
	if predicts < 12 || tries < 6 {
		t.Errorf("%d predict moments and %d try steps in all; want at least 12 and 6", predicts, tries)
	}
}

// TestPlayTextBothLanguages runs every lesson through the `zablab run` printer in English
// and in Chinese.
func TestPlayTextBothLanguages(t *testing.T) {
	for _, l := range loadAll(t) {
		t.Run(l.Slug, func(t *testing.T) {
			t.Parallel()
			for _, lang := range Langs {
				var b bytes.Buffer
				ok, err := PlayText(&b, l, lang)
				out := b.String()
				if err != nil || !ok {
					var fails []string
					for _, line := range strings.Split(out, "\n") {
						if strings.Contains(line, "FAIL") || strings.Contains(line, "ERROR") || strings.Contains(line, "错误") {
							fails = append(fails, line)
						}
					}
					t.Fatalf("%s (%s): ok %v, err %v\n%s", l.File, lang, ok, err, strings.Join(fails, "\n"))
				}
				for _, want := range []string{l.Title.In(lang), l.Steps[0].Title.In(lang), "PASS"} {
					if !strings.Contains(out, want) {
						t.Errorf("%s (%s): the timeline lacks %q", l.File, lang, want)
					}
				}
			}
		})
	}
}

func digestOf(t *testing.T, c *engine.Cluster) string {
	t.Helper()
	v, err := json.Marshal(c.View(nil))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%016x %d %s", c.Digest(), c.Now(), v)
}

// TestReplayDeterministic: Replay(n) twice gives the same cluster, and replaying to n then
// playing one more step equals replaying to n+1 — what Back and deep links rely on.
func TestReplayDeterministic(t *testing.T) {
	for _, l := range loadAll(t) {
		t.Run(l.Slug, func(t *testing.T) {
			t.Parallel()
			for n := 0; n < len(l.Steps); n++ {
				a, _, err := l.Replay(n)
				if err != nil {
					t.Fatal(err)
				}
				b, _, err := l.Replay(n)
				if err != nil {
					t.Fatal(err)
				}
				if digestOf(t, a) != digestOf(t, b) {
					t.Fatalf("Replay(%d) differs between two runs", n)
				}
				r, _, err := l.Play(n)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := r.Apply(); err != nil {
					t.Fatal(err)
				}
				next, _, err := l.Replay(n + 1)
				if err != nil {
					t.Fatal(err)
				}
				if digestOf(t, r.Cluster) != digestOf(t, next) {
					t.Fatalf("Replay(%d) then one step differs from Replay(%d)", n, n+1)
				}
			}
		})
	}
}

// TestAdvanceInSlices plays each lesson as the browser does, in slices of simulated time
// (solving try steps with the "show me" button), and must end where Apply ends.
func TestAdvanceInSlices(t *testing.T) {
	for _, l := range loadAll(t) {
		whole, _, err := l.Replay(len(l.Steps))
		if err != nil {
			t.Fatal(err)
		}
		r, err := l.NewRun()
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() < len(l.Steps) {
			if err := r.Begin(); err != nil {
				t.Fatal(err)
			}
			for solved := false; ; {
				done, err := r.Advance(250_000)
				if err != nil {
					t.Fatalf("%s: %v", l.File, err)
				}
				if !done {
					continue
				}
				if l.Steps[r.Next()].Try && !solved {
					if r.GoalMet() {
						t.Errorf("%s: step %d: the goal holds before the learner did anything", l.File, r.Next())
					}
					r.Solve()
					solved = true
					continue
				}
				break
			}
			if l.Steps[r.Next()].Try && !r.GoalMet() {
				t.Errorf("%s: step %d: the solution does not reach the goal", l.File, r.Next())
			}
			if res := r.Finish(); !res.Pass {
				t.Errorf("%s: step %d failed when played in slices", l.File, res.Index)
			}
		}
		if digestOf(t, r.Cluster) != digestOf(t, whole) {
			t.Errorf("%s: playing in slices ends elsewhere than Replay", l.File)
		}
	}
}

func TestJSON(t *testing.T) {
	l := loadAll(t)[0]
	_, res, err := l.Replay(2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(struct {
		L *Lesson      `json:"lesson"`
		R []StepResult `json:"results"`
	}{l, res})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"slug":"why-coordination"`, `"zh":`, `"script":[{"line":`, `"checks":[{"line":`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("JSON lacks %s", want)
		}
	}
}
