package lessons

import (
	"regexp"
	"strings"
	"testing"

	"github.com/zablab/zablab/engine"
)

// The player shows a step's narration and, once the step has played, its picture: the
// cluster as the step left it. These tests keep the two in agreement, and keep a step from
// telling its outcome before the learner has predicted it or done it.

// transient reports whether a checkpoint describes a passing moment (a leader's queue, a
// proposal's acks) rather than a state that lasts.
func transient(cmd *Command) bool {
	t := strings.TrimPrefix(strings.TrimSpace(cmd.Text), "expect ")
	return strings.HasPrefix(t, "queue ") || strings.HasPrefix(t, "proposal ")
}

// TestTransientMomentsStayInThePicture: a step whose script checks a passing moment (what a
// leader's queue holds, how many ACKs a proposal has) describes that moment in its
// narration, so the step must end there: the picture at its end shows the queue or the
// proposal as the narration tells it, not the later state after everything committed.
func TestTransientMomentsStayInThePicture(t *testing.T) {
	for _, l := range loadAll(t) {
		run, _, err := l.Play(0)
		if err != nil {
			t.Fatal(err)
		}
		for range l.Steps {
			res, err := run.Apply()
			if err != nil {
				t.Fatalf("%s: %v", l.File, err)
			}
			st := l.Steps[res.Index]
			for _, c := range run.Check() {
				for _, cmd := range st.Script {
					if cmd.Line == c.Line && transient(cmd) && !c.Pass {
						t.Errorf("%s:%d: step %d %q checks a passing moment, but the step runs on past it: at its end %s — end the step there (a later step can go on)",
							l.File, c.Line, res.Index+1, st.ID, c.Detail[engine.En])
					}
				}
			}
		}
	}
}

var quotedZxidRe = regexp.MustCompile("`\\((\\d+), (0x[0-9a-fA-F]+|\\d+)\\)`")

// TestNarrationZxidsExistAtStepEnd: a zxid the narration quotes as `(epoch, counter)` has
// been taken by the step's end — some server holds it, or the timeline so far shows it
// (a truncated one) — so the narration never quotes a zxid the picture cannot show yet,
// unless it says the zxid is the "next" one or "would be" taken.
func TestNarrationZxidsExistAtStepEnd(t *testing.T) {
	for _, l := range loadAll(t) {
		run, _, err := l.Play(0)
		if err != nil {
			t.Fatal(err)
		}
		var seen strings.Builder
		for range l.Steps {
			res, err := run.Apply()
			if err != nil {
				t.Fatalf("%s: %v", l.File, err)
			}
			for _, e := range res.Log {
				seen.WriteString(e.Text[engine.En])
				seen.WriteByte('\n')
			}
			st := l.Steps[res.Index]
			var newest engine.Zxid
			for _, n := range run.Cluster.View(nil).Nodes {
				if z := n.LastZxid; z > newest {
					newest = z
				}
			}
			for _, lang := range Langs {
				text := st.Body[lang] + "\n" + st.After[lang]
				for _, m := range quotedZxidRe.FindAllStringSubmatchIndex(text, -1) {
					z, err := parseZxid("(" + text[m[2]:m[3]] + "," + text[m[4]:m[5]] + ")")
					if err != nil || z <= newest || strings.Contains(seen.String(), z.String()) {
						continue
					}
					around := strings.ToLower(text[max(0, m[0]-40):m[0]])
					if strings.Contains(around, "next") || strings.Contains(around, "would") || strings.Contains(around, "下一个") {
						continue
					}
					t.Errorf("%s: step %d %q (%s) quotes %s, but at the step's end the newest zxid anywhere is %s",
						l.File, res.Index+1, st.ID, lang, text[m[0]:m[1]], fmtZxid(newest))
				}
			}
		}
	}
}

// giveaway matches a narration paragraph that opens with the answer to the question just
// asked ("Does it take over? No. …"): such text belongs after "<!-- after -->".
var giveaway = regexp.MustCompile(`(?m)^(No[.:,]|Yes[.:,]|It is not\.|It does not\.|It must be|It cannot|不会[。：，]|不够[。：，]|会的|必须在|它不会|但它没有)`)

// TestPredictionsAreNotGivenAway: what a step shows before it plays (the narration before
// "<!-- after -->", a try step's visible goal lines) does not tell the answer of the step's
// prediction.
func TestPredictionsAreNotGivenAway(t *testing.T) {
	for _, l := range loadAll(t) {
		for _, st := range l.Steps {
			if st.Predict == nil {
				continue
			}
			// The title is on screen (and in the step list) before the question is asked.
			// A word of the answer that no other choice and not the question has gives it away.
			asked := map[string]bool{}
			for _, w := range strings.FieldsFunc(strings.ToLower(st.Predict.Question[engine.En]), notWordRune) {
				asked[stem(w)] = true
			}
			answer := map[string]bool{}
			for _, w := range distinctive(st.Predict) {
				if len(w) >= 4 && !asked[stem(w)] && !stopWord[w] {
					answer[stem(w)] = true
				}
			}
			for _, w := range strings.FieldsFunc(strings.ToLower(st.Title[engine.En]), notWordRune) {
				if answer[stem(w)] {
					t.Errorf("%s:%d: step %q: its title %q names the prediction's answer (%q)", l.File, st.Line, st.ID, st.Title[engine.En], w)
				}
			}
			for _, lang := range Langs {
				if m := giveaway.FindString(st.Body[lang]); m != "" {
					t.Errorf("%s:%d: step %q (%s): the narration answers the prediction before it is asked (%q…); move the answer below a line <!-- after -->", l.File, st.Line, st.ID, lang, m)
				}
			}
			if !st.Try {
				continue
			}
			// A try step's goal is on screen while the learner acts: a visible goal line must
			// not name what only the answer names ("leader 5" when the answer is "Server 5").
			for _, tok := range distinctive(st.Predict) {
				for _, g := range st.Goal {
					if g.Hidden {
						continue
					}
					for _, w := range strings.Fields(strings.ToLower(g.Text)) {
						if w == tok {
							t.Errorf("%s:%d: try step %q shows the goal %q, which gives away the prediction's answer %q; write it as \"hidden %s\"",
								l.File, g.Line, st.ID, g.Text, st.Predict.Choices[st.Predict.Answer].Text[engine.En], g.Text)
						}
					}
				}
			}
		}
	}
}

func notWordRune(r rune) bool {
	return r == ' ' || r == ',' || r == ':' || r == '(' || r == ')' || r == '.' || r == '?' || r == '—' || r == '"'
}

// stem folds "follows", "followed" and "follow" together, well enough for titles.
func stem(w string) string {
	for _, suf := range []string{"ed", "es", "s", "d"} {
		if len(w) > 4 && strings.HasSuffix(w, suf) {
			return strings.TrimSuffix(w, suf)
		}
	}
	return w
}

// stopWord: words an answer and a title may share without telling anything.
var stopWord = map[string]bool{"with": true, "without": true, "only": true, "then": true}

// distinctive lists the words of a prediction's answer (English) that no other choice has.
func distinctive(p *Predict) []string {
	words := func(s string) []string {
		return strings.FieldsFunc(strings.ToLower(s), notWordRune)
	}
	others := map[string]bool{}
	for i, c := range p.Choices {
		if i != p.Answer {
			for _, w := range words(c.Text[engine.En]) {
				others[w] = true
			}
		}
	}
	var out []string
	for _, w := range words(p.Choices[p.Answer].Text[engine.En]) {
		if !others[w] {
			out = append(out, w)
		}
	}
	return out
}

// TestTryGoalHiddenUntilReached: the first election's try step keeps "leader 5" (the
// prediction's answer) from the learner until the goal is reached.
func TestTryGoalHiddenUntilReached(t *testing.T) {
	for _, l := range loadAll(t) {
		if l.Slug != "first-election" {
			continue
		}
		for _, st := range l.Steps {
			if st.ID != "your-turn" {
				continue
			}
			var shown, hidden []string
			for _, g := range st.Goal {
				if g.Hidden {
					hidden = append(hidden, g.Text)
				} else {
					shown = append(shown, g.Text)
				}
			}
			if strings.Join(shown, ";") != "server 4 is DOWN" || len(hidden) != 1 || !strings.Contains(hidden[0], "leader 5") {
				t.Errorf("your-turn goal: shown %q, hidden %q; want the crash shown and leader 5 hidden", shown, hidden)
			}
			return
		}
	}
	t.Fatal("first-election has no step your-turn")
}
