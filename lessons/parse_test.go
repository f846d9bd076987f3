package lessons

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/zablab/zablab/engine"
)

// good is a small valid lesson; the malformed cases below edit it.
const good = `---
slug: tiny
title.en: Tiny
title.zh: 小课
voters: 3
seed: 1
timing: fast
---

## boot
title.en: Boot
title.zh: 启动

### en
Three servers elect a leader.

### zh
三台服务器选出 leader。

` + "```predict" + `
question.en: Who leads?
question.zh: 谁是 leader？
- [ ] Server 1 | 服务器 1
- [x] Server 3 | 服务器 3
` + "```" + `

` + "```script" + `
start
run until settled
expect leader 3
client a at 1
a: create /x "v 1"
expect client a ok
run until server 1 2 3 has /x = "v 1"
` + "```" + `

## crash
title.en: Crash it
title.zh: 让它崩溃
try: yes

### en
Crash the leader.

### zh
让 leader 崩溃。

` + "```goal" + `
leader 2
` + "```" + `

` + "```solution" + `
crash 3
run until leader any
` + "```" + `
`

func TestParseGood(t *testing.T) {
	l, err := Parse("tiny.md", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if l.Slug != "tiny" || len(l.Steps) != 2 || l.Steps[0].Predict.Answer != 1 || !l.Steps[1].Try {
		t.Fatalf("parsed %+v", l)
	}
	if got := l.Steps[0].Body[engine.Zh]; got != "三台服务器选出 leader。" {
		t.Errorf("zh body %q", got)
	}
	if n := len(l.Steps[0].Script); n != 7 || l.Steps[0].Script[0].Line != 28 {
		t.Errorf("script: %d commands, first on line %d", n, l.Steps[0].Script[0].Line)
	}
	_, res, err := l.Play(2)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !r.Pass {
			t.Errorf("step %d failed: %+v", r.Index, r.Checks)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name      string
		from, to  string // replace the first from by to in good
		line      int
		reasonHas string
	}{
		{"no header", "---\nslug", "slug", 1, "starts with a header"},
		{"unknown header key", "seed: 1", "seeds: 1", 6, `unknown header key "seeds"`},
		{"missing title", "title.zh: 小课\n", "", 7, `lacks "title.zh"`},
		{"bad voters", "voters: 3", "voters: 30", 5, "voters"},
		{"bad timing", "timing: fast", "timing: slow", 7, `timing "slow"`},
		{"bad bug", "seed: 1", "seed: 1\nbug: all", 7, `bug "all"`},
		{"commitLogCount below 500", "seed: 1", "seed: 1\ncommitLogCount: 5", 7, "raises any value below 500 to 500"},
		{"text before steps", "## boot", "hello\n## boot", 10, "text outside a step"},
		{"bad step heading", "## boot", "## Boot the cluster", 10, "a step heading"},
		{"unknown step field", "title.zh: 启动", "title.zh: 启动\ncolor: red", 13, `unknown step field "color"`},
		{"missing language", "### zh\n三台服务器选出 leader。", "", 10, `lacks its "### zh" narration`},
		{"empty narration", "Three servers elect a leader.", "", 14, "narration is empty"},
		{"missing step title", "title.zh: 启动\n", "", 10, "lacks title.zh"},
		{"unknown section", "### zh", "### fr", 17, `unknown section "### fr"`},
		{"unknown block", "title.zh: 启动\n", "title.zh: 启动\n```yaml\nx\n```\n", 13, "unknown block ```yaml"},
		{"unknown action", "start\n", "explode 3\n", 28, `unknown action "explode"`},
		{"bad server id", "start\n", "crash 7\n", 28, "bad server id 7"},
		{"bad zxid", "expect leader 3", "expect server 1 lastZxid (1,x)", 30, `bad zxid "(1,x)"`},
		{"bad duration", "run until settled", "run 5 parsecs", 29, `bad duration "5"`},
		{"unknown checkpoint", "expect leader 3", "expect happiness", 30, `unknown checkpoint "happiness"`},
		{"unknown client", "a: create", "b: create", 32, `unknown client "b"`},
		{"unknown state", "expect leader 3", "expect server 1 is SLEEPING", 30, "is: want LOOKING"},
		{"unclosed quote", `"v 1"`, `"v 1`, 32, "unclosed quote"},
		{"predict without answer", "- [x] Server 3", "- [ ] Server 3", 25, "one correct choice"},
		{"predict choice lacks zh", "- [ ] Server 1 | 服务器 1", "- [ ] Server 1", 23, "both languages"},
		{"predict lacks question", "question.zh: 谁是 leader？\n", "", 20, "lacks question.zh"},
		{"try without goal", "```goal\nleader 2\n```", "", 37, "needs a ```goal block"},
		{"goal outside try", "try: yes\n", "", 47, "belongs to a try step"},
		{"check in solution", "run until leader any\n", "expect leader 2\n", 54, "checkpoints go in the ```goal block"},
		{"unclosed block", "```\n\n## crash", "\n## crash", 27, "not closed"},
		{"reset not first", "run until settled", "reset voters 5", 29, "reset must be the first line"},
		{"reset bad key", "start\nrun", "reset colour blue\nrun", 28, `unknown setting "colour"`},
		{"duplicate step", "## crash", "## boot", 37, `step id "boot" already used`},
		{"bad partition", "start\n", "partition 1 2 3\n", 28, "at least two groups"},
		{"bad path", "a: create /x", "a: create x/", 32, "create"},
		{"times without sequential", `a: create /x "v 1"`, `a: create /x "v 1" times 3`, 32, "times N needs sequential"},
		{"bad times", `a: create /x "v 1"`, `a: create /x "v 1" sequential times 0`, 32, "times N wants N in [1, 5000]"},
		{"after in one language only", "Three servers elect a leader.", "Three servers elect a leader.\n<!-- after -->\nServer 3.", 19, "part after"},
		{"hidden goal without predict", "```goal\nleader 2", "```goal\nhidden leader 2", 49, "has no ```predict block"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.from) {
				t.Fatalf("the test's from text %q is not in the good lesson", tc.from)
			}
			src := strings.Replace(good, tc.from, tc.to, 1)
			_, err := Parse("bad.md", []byte(src))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a ParseError", err)
			}
			if pe.Line != tc.line || !strings.Contains(pe.Reason, tc.reasonHas) {
				t.Errorf("got %q, want bad.md:%d: …%s…", err, tc.line, tc.reasonHas)
			}
			if !strings.HasPrefix(err.Error(), "bad.md:") {
				t.Errorf("error %q does not start with file:line", err)
			}
		})
	}
}

// TestParseAfterAndHidden: the narration below "<!-- after -->" is kept apart (shown once the
// step has played), and a goal line may be hidden until the goal is reached.
func TestParseAfterAndHidden(t *testing.T) {
	src := strings.Replace(good, "Three servers elect a leader.", "Three servers elect a leader.\n\n<!-- after -->\n\nServer 3 won.", 1)
	src = strings.Replace(src, "三台服务器选出 leader。", "三台服务器选出 leader。\n<!-- after -->\n服务器 3 当选。", 1)
	src = strings.Replace(src, "### en\nCrash the leader.", "### en\nCrash the leader.\n\n```predict\nquestion.en: Who next?\nquestion.zh: 下一个是谁？\n- [x] Server 2 | 服务器 2\n- [ ] Server 1 | 服务器 1\n```", 1)
	src = strings.Replace(src, "```goal\nleader 2", "```goal\nserver 3 is DOWN\nhidden expect leader 2", 1)
	l, err := Parse("tiny.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	st := l.Steps[0]
	if st.Body[engine.En] != "Three servers elect a leader." || st.After[engine.En] != "Server 3 won." || st.After[engine.Zh] != "服务器 3 当选。" {
		t.Errorf("body %q, after %q", st.Body, st.After)
	}
	g := l.Steps[1].Goal
	if len(g) != 2 || g[0].Hidden || !g[1].Hidden {
		t.Fatalf("goal %+v", g)
	}
	if _, res, err := l.Play(2); err != nil || !res[1].Pass {
		t.Fatalf("play: %v %+v", err, res)
	}
	if l.Steps[1].After != nil {
		t.Errorf("a step without the marker has no after part: %q", l.Steps[1].After)
	}
}

func TestTokenize(t *testing.T) {
	got, err := tokenize(`a: create /x "two words \"q\"" ( 1 , 2 ) 0x10`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a:", "create", "/x", `"two words "q"`, "(1,2)", "0x10"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("tokenize = %q, want %q", got, want)
	}
	for in, want := range map[string]engine.Zxid{"(1,3)": 0x100000003, "(2,0xfffffffe)": 0x2fffffffe, "0x100000003": 0x100000003} {
		if z, err := parseZxid(in); err != nil || z != want {
			t.Errorf("parseZxid(%q) = %v, %v; want %v", in, z, err, want)
		}
	}
}

// TestReadmeExample keeps the example of README.md valid and passing.
func TestReadmeExample(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "````markdown\n")
	example, _, ok2 := strings.Cut(rest, "````\n")
	if !ok || !ok2 {
		t.Fatal("README.md has no ````markdown example")
	}
	l, err := Parse("README.md", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	_, res, err := l.Play(len(l.Steps))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !r.Pass {
			t.Errorf("step %d: %+v", r.Index, r.Checks)
		}
	}
}

// TestStepAndNowait covers "step N", "run D" and a request left pending.
func TestStepAndNowait(t *testing.T) {
	src := strings.Replace(good, "start\nrun until settled", "start\nstep 5 events\nrun 300ms\nrun until settled", 1)
	l, err := Parse("x.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r, err := l.NewRun()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Begin(); err != nil {
		t.Fatal(err)
	}
	if done, err := r.Advance(0); done || err != nil {
		t.Fatalf("Advance(0) = %v, %v; want a wait in progress", done, err)
	}
	t0 := r.Cluster.Now()
	if t0 == 0 || t0 > 50_000 {
		t.Fatalf("time %d µs after five events from t=0", t0)
	}
	if done, err := r.Advance(100_000); done || err != nil || r.Cluster.Now() != t0+100_000 {
		t.Fatalf("Advance(100ms) = %v, %v at %d", done, err, r.Cluster.Now())
	}
	if done, err := r.Advance(-1); !done || err != nil {
		t.Fatalf("Advance(-1) = %v, %v", done, err)
	}
	if res := r.Finish(); !res.Pass {
		t.Fatalf("step failed: %+v", res.Checks)
	}
}
