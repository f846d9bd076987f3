package lessons

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/zablab/zablab/engine"
)

// parser reads a lesson file line by line. Errors carry the line they are about.
type parser struct {
	file  string
	lines []string
	i     int // index of the next line
	l     *Lesson
	// clients declared so far, in file order (a later step may reuse an earlier client).
	clients map[string]bool
	// size is the number of servers of the cluster in force (the header's, or a reset's).
	size int
	// resetOK is the line where "reset" may appear (the first line of a script), else 0.
	resetOK int
}

func (p *parser) fail(line int, format string, args ...any) error {
	return &ParseError{File: p.file, Line: line, Reason: fmt.Sprintf(format, args...)}
}

// Parse reads one lesson file. name is used in error messages (file:line: reason).
func Parse(name string, data []byte) (*Lesson, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	p := &parser{file: name, lines: strings.Split(text, "\n"), l: &Lesson{File: name}, clients: map[string]bool{}}
	if err := p.header(); err != nil {
		return nil, err
	}
	if err := p.steps(); err != nil {
		return nil, err
	}
	return p.l, nil
}

var slugRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// header reads the block between the two "---" lines.
func (p *parser) header() error {
	if len(p.lines) == 0 || strings.TrimSpace(p.lines[0]) != "---" {
		return p.fail(1, `a lesson starts with a header: a line "---", then "key: value" lines, then "---"`)
	}
	p.i = 1
	s := Setup{Timing: "watch", CommitLogCount: 500, SnapCount: 1000, SnapshotSizeFactor: 0.33}
	l := p.l
	l.Title, l.Summary = Text{}, Text{}
	seen := map[string]int{}
	for ; p.i < len(p.lines); p.i++ {
		ln := p.i + 1
		raw := strings.TrimSpace(p.lines[p.i])
		if raw == "---" {
			p.i++
			return p.finishHeader(&s, seen)
		}
		if raw == "" || strings.HasPrefix(raw, "#") {
			continue
		}
		key, val, ok := strings.Cut(raw, ":")
		if !ok {
			return p.fail(ln, "header line %q is not \"key: value\"", raw)
		}
		key, val = strings.TrimSpace(key), unquote(strings.TrimSpace(val))
		if prev, dup := seen[key]; dup {
			return p.fail(ln, "header key %q already given on line %d", key, prev)
		}
		seen[key] = ln
		if err := p.headerKey(&s, key, val, ln); err != nil {
			return err
		}
	}
	return p.fail(len(p.lines), `the header is not closed by a line "---"`)
}

func (p *parser) headerKey(s *Setup, key, val string, ln int) error {
	l := p.l
	num := func(lo, hi int64) (int64, error) {
		v, err := strconv.ParseInt(val, 0, 64)
		if err != nil || v < lo || v > hi {
			return 0, p.fail(ln, "%s: %q is not a number in [%d, %d]", key, val, lo, hi)
		}
		return v, nil
	}
	var err error
	var v int64
	switch key {
	case "slug":
		if !slugRe.MatchString(val) {
			return p.fail(ln, "slug %q: use lowercase letters, digits and dashes", val)
		}
		l.Slug = val
	case "title.en", "title.zh", "summary.en", "summary.zh":
		if val == "" {
			return p.fail(ln, "%s is empty", key)
		}
		name, lang, _ := strings.Cut(key, ".")
		if name == "title" {
			l.Title[Lang(lang)] = val
		} else {
			l.Summary[Lang(lang)] = val
		}
	case "voters":
		v, err = num(1, engine.MaxVoters)
		s.Voters = int(v)
	case "observers":
		v, err = num(0, engine.MaxObservers)
		s.Observers = int(v)
	case "seed":
		s.Seed, err = num(-1<<62, 1<<62)
	case "timing":
		if _, terr := engine.TimingByName(val); terr != nil || val == "" {
			return p.fail(ln, "timing %q: want watch, zookeeper or fast", val)
		}
		s.Timing = val
	case "bug":
		b, berr := engine.ParseBug(val)
		if berr != nil {
			return p.fail(ln, "bug %q: want none, commit-without-quorum, skip-truncate or elect-by-myid", val)
		}
		s.Bug = string(b)
	case "commitLogCount":
		v, err = num(1, 1_000_000)
		if err == nil && v < engine.MinCommitLogCount {
			return p.fail(ln, "commitLogCount %d: ZooKeeper 3.8 raises any value below %d to %d, so a lesson cannot show it", v, engine.MinCommitLogCount, engine.MinCommitLogCount)
		}
		s.CommitLogCount = int(v)
	case "snapCount":
		v, err = num(2, 1_000_000)
		s.SnapCount = int(v)
	case "snapshotSizeFactor":
		f, ferr := strconv.ParseFloat(val, 64)
		if ferr != nil || f > 100 {
			return p.fail(ln, "snapshotSizeFactor %q is not a number (negative turns txn-log sync off)", val)
		}
		s.SnapshotSizeFactor = f
	case "startCounter":
		v, err = num(0, 0xfffffffe)
		s.StartCounter = uint32(v)
	default:
		return p.fail(ln, "unknown header key %q (want slug, title.en, title.zh, summary.en, summary.zh, voters, observers, seed, timing, bug, commitLogCount, snapCount, snapshotSizeFactor, startCounter)", key)
	}
	return err
}

func (p *parser) finishHeader(s *Setup, seen map[string]int) error {
	ln := p.i // the closing "---"
	for _, k := range []string{"slug", "title.en", "title.zh", "voters", "seed"} {
		if _, ok := seen[k]; !ok {
			return p.fail(ln, "the header lacks %q", k)
		}
	}
	if _, ok := seen["summary.en"]; ok != (seen["summary.zh"] != 0) {
		return p.fail(ln, "give summary.en and summary.zh together")
	}
	cfg, err := s.config()
	if err != nil {
		return p.fail(ln, "bad cluster: %v", err)
	}
	p.l.Setup, p.l.Config = *s, cfg
	p.size = s.Voters + s.Observers
	return nil
}

// config builds the engine configuration a Setup describes.
func (s Setup) config() (engine.Config, error) {
	t, err := engine.TimingByName(s.Timing)
	if err != nil {
		return engine.Config{}, err
	}
	cfg := engine.DefaultConfig(s.Voters, s.Observers, s.Seed)
	cfg.Timing = t
	cfg.Bug = engine.Bug(s.Bug)
	cfg.CommitLogCount = s.CommitLogCount
	cfg.SnapCount = s.SnapCount
	cfg.SnapshotSizeFactor = s.SnapshotSizeFactor
	cfg.StartCounter = s.StartCounter
	return cfg, cfg.Validate()
}

// unquote strips one pair of surrounding double quotes, as YAML writers expect; a value
// needs none, since only the first colon of a line separates the key.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// blockKinds are the fenced blocks a step may hold (```script and so on).
var blockKinds = map[string]bool{"script": true, "predict": true, "goal": true, "solution": true}

func fenceInfo(line string) (string, bool) {
	t := strings.TrimSpace(line)
	if !strings.HasPrefix(t, "```") {
		return "", false
	}
	return strings.TrimSpace(strings.TrimLeft(t, "`")), true
}

var stepHeadRe = regexp.MustCompile(`^##\s+(\S+)\s*$`)

// steps reads every "## id" step to the end of the file.
func (p *parser) steps() error {
	ids := map[string]int{}
	for p.i < len(p.lines) {
		raw := p.lines[p.i]
		t := strings.TrimSpace(raw)
		switch {
		case t == "":
			p.i++
		case strings.HasPrefix(t, "## "):
			m := stepHeadRe.FindStringSubmatch(t)
			if m == nil || !slugRe.MatchString(m[1]) {
				return p.fail(p.i+1, "a step heading is \"## id\" with a lowercase id such as \"## crash-the-leader\" (titles go in title.en and title.zh)")
			}
			if prev, dup := ids[m[1]]; dup {
				return p.fail(p.i+1, "step id %q already used on line %d", m[1], prev)
			}
			ids[m[1]] = p.i + 1
			st := &Step{Index: len(p.l.Steps), ID: m[1], Line: p.i + 1, Title: Text{}, Body: Text{}}
			p.i++
			if err := p.step(st); err != nil {
				return err
			}
			p.l.Steps = append(p.l.Steps, st)
		default:
			return p.fail(p.i+1, "text outside a step: steps start with \"## id\"")
		}
	}
	if len(p.l.Steps) == 0 {
		return p.fail(len(p.lines), "the lesson has no steps (\"## id\")")
	}
	return nil
}

// step reads a step's fields, narration sections and blocks, up to the next step.
func (p *parser) step(st *Step) error {
	inFields := true
	bodyStart := map[Lang]int{}
	var lang Lang // narration section being read, "" if none
	var body []string
	inCode := false // inside a code fence of the narration
	flush := func() {
		if lang != "" {
			text := strings.Join(body, "\n")
			if before, after, ok := cutAfter(body); ok {
				text = before
				if st.After == nil {
					st.After = Text{}
				}
				st.After[lang] = strings.TrimSpace(after)
			}
			st.Body[lang] = strings.TrimSpace(text)
		}
		lang, body = "", nil
	}
	blocks := map[string]int{}
	for p.i < len(p.lines) {
		raw := p.lines[p.i]
		t := strings.TrimSpace(raw)
		ln := p.i + 1
		info, isFence := fenceInfo(raw)
		switch {
		case inCode:
			body = append(body, raw)
			if isFence && info == "" {
				inCode = false
			}
			p.i++
			continue
		case strings.HasPrefix(t, "## "):
			flush()
			return p.finishStep(st, bodyStart, blocks)
		case strings.HasPrefix(t, "### "):
			flush()
			inFields = false
			name := strings.TrimSpace(t[4:])
			if name != "en" && name != "zh" {
				return p.fail(ln, "unknown section %q (want \"### en\" or \"### zh\")", t)
			}
			if prev, dup := bodyStart[Lang(name)]; dup {
				return p.fail(ln, "section \"### %s\" already given on line %d", name, prev)
			}
			lang = Lang(name)
			bodyStart[lang] = ln
			p.i++
			continue
		case isFence && blockKinds[info]:
			flush()
			inFields = false
			if prev, dup := blocks[info]; dup {
				return p.fail(ln, "block ```%s already given on line %d", info, prev)
			}
			blocks[info] = ln
			if err := p.block(st, info); err != nil {
				return err
			}
			continue
		case lang != "":
			if isFence {
				inCode = true
			}
			body = append(body, raw)
			p.i++
			continue
		case t == "":
			p.i++
			continue
		case isFence:
			return p.fail(ln, "unknown block ```%s (want script, predict, goal or solution)", info)
		case inFields:
			if err := p.stepField(st, t, ln); err != nil {
				return err
			}
			p.i++
			continue
		}
		return p.fail(ln, "text outside a section: narration goes under \"### en\" or \"### zh\"")
	}
	flush()
	if inCode {
		return p.fail(len(p.lines), "a code fence in the narration is not closed")
	}
	return p.finishStep(st, bodyStart, blocks)
}

func (p *parser) stepField(st *Step, t string, ln int) error {
	key, val, ok := strings.Cut(t, ":")
	key, val = strings.TrimSpace(key), unquote(strings.TrimSpace(val))
	if !ok {
		return p.fail(ln, "step field %q is not \"key: value\"", t)
	}
	switch key {
	case "title.en", "title.zh":
		if val == "" {
			return p.fail(ln, "%s is empty", key)
		}
		st.Title[Lang(key[6:])] = val
	case "try":
		switch val {
		case "yes", "true":
			st.Try = true
		case "no", "false":
		default:
			return p.fail(ln, "try: want yes or no, not %q", val)
		}
	default:
		return p.fail(ln, "unknown step field %q (want title.en, title.zh or try)", key)
	}
	return nil
}

// afterMarker is the narration line that starts the part told once the step has played.
const afterMarker = "<!-- after -->"

// cutAfter splits narration lines at the first afterMarker line outside a code fence.
func cutAfter(lines []string) (before, after string, ok bool) {
	inCode := false
	for i, raw := range lines {
		if _, isFence := fenceInfo(raw); isFence {
			inCode = !inCode
			continue
		}
		if !inCode && strings.TrimSpace(raw) == afterMarker {
			return strings.Join(lines[:i], "\n"), strings.Join(lines[i+1:], "\n"), true
		}
	}
	return "", "", false
}

func (p *parser) finishStep(st *Step, bodyStart map[Lang]int, blocks map[string]int) error {
	if st.After != nil {
		for _, lang := range Langs {
			if st.After[lang] == "" {
				return p.fail(bodyStart[lang], "step %q: every language's narration needs a non-empty part after %q, or none does", st.ID, afterMarker)
			}
		}
	}
	for _, g := range st.Goal {
		if g.Hidden && st.Predict == nil {
			return p.fail(g.Line, "a hidden goal line keeps a prediction's answer secret: step %q has no ```predict block", st.ID)
		}
	}
	if len(st.Goal) > 0 && allHidden(st.Goal) {
		return p.fail(st.Goal[0].Line, "step %q: at least one goal line must be shown (not hidden), so the learner knows what to do", st.ID)
	}
	for _, lang := range Langs {
		if st.Title[lang] == "" {
			return p.fail(st.Line, "step %q lacks title.%s", st.ID, lang)
		}
		if _, ok := bodyStart[lang]; !ok {
			return p.fail(st.Line, "step %q lacks its \"### %s\" narration", st.ID, lang)
		}
		if st.Body[lang] == "" {
			return p.fail(bodyStart[lang], "step %q: the \"### %s\" narration is empty", st.ID, lang)
		}
	}
	if st.Try {
		if len(st.Goal) == 0 {
			return p.fail(st.Line, "try step %q needs a ```goal block with at least one checkpoint", st.ID)
		}
		if len(st.Solution) == 0 {
			return p.fail(st.Line, "try step %q needs a ```solution block (the actions that reach the goal)", st.ID)
		}
	} else {
		for _, b := range []string{"goal", "solution"} {
			if ln, ok := blocks[b]; ok {
				return p.fail(ln, "a ```%s block belongs to a try step (add \"try: yes\" under the step heading)", b)
			}
		}
	}
	return nil
}

func allHidden(goal []*Command) bool {
	for _, g := range goal {
		if !g.Hidden {
			return false
		}
	}
	return true
}

// blockLines returns the lines of a fenced block (p.i at its opening fence) and moves past
// the closing fence.
func (p *parser) blockLines() ([]string, int, error) {
	open := p.i + 1
	p.i++
	var out []string
	for ; p.i < len(p.lines); p.i++ {
		if info, ok := fenceInfo(p.lines[p.i]); ok && info == "" {
			p.i++
			return out, open + 1, nil
		}
		if t := strings.TrimSpace(p.lines[p.i]); strings.HasPrefix(t, "## ") || strings.HasPrefix(t, "### ") {
			break // a heading: the closing fence was forgotten
		}
		out = append(out, p.lines[p.i])
	}
	return nil, 0, p.fail(open, "block is not closed by a line ```")
}

func (p *parser) block(st *Step, kind string) error {
	lines, first, err := p.blockLines()
	if err != nil {
		return err
	}
	if kind == "predict" {
		st.Predict, err = p.predict(lines, first)
		return err
	}
	p.resetOK = 0
	for k, raw := range lines {
		ln := first + k
		t := strings.TrimSpace(raw)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if kind == "script" && len(st.Script) == 0 {
			p.resetOK = ln
		} else {
			p.resetOK = 0
		}
		cmd, err := p.command(t, ln, kind)
		if err != nil {
			return err
		}
		switch kind {
		case "script":
			st.Script = append(st.Script, cmd)
		case "goal":
			st.Goal = append(st.Goal, cmd)
		case "solution":
			st.Solution = append(st.Solution, cmd)
		}
	}
	return nil
}

var choiceRe = regexp.MustCompile(`^- \[([ xX])\]\s+(.*)$`)

// predict reads a ```predict block: question.en/zh, "- [ ] en | zh" choices with one
// "- [x]", and an optional explain.en/zh.
func (p *parser) predict(lines []string, first int) (*Predict, error) {
	pr := &Predict{Question: Text{}, Explain: Text{}, Answer: -1}
	for k, raw := range lines {
		ln := first + k
		t := strings.TrimSpace(raw)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if m := choiceRe.FindStringSubmatch(t); m != nil {
			en, zh, ok := strings.Cut(m[2], "|")
			en, zh = strings.TrimSpace(en), strings.TrimSpace(zh)
			if !ok || en == "" || zh == "" {
				return nil, p.fail(ln, "a choice is \"- [ ] English | 中文\" (both languages, split by |)")
			}
			if m[1] != " " {
				if pr.Answer >= 0 {
					return nil, p.fail(ln, "only one choice may be marked [x]")
				}
				pr.Answer = len(pr.Choices)
			}
			pr.Choices = append(pr.Choices, Choice{Text: Text{engine.En: en, engine.Zh: zh}})
			continue
		}
		key, val, ok := strings.Cut(t, ":")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch {
		case !ok:
			return nil, p.fail(ln, "predict line %q: want question.en, question.zh, explain.en, explain.zh or a choice \"- [ ] English | 中文\"", t)
		case (key == "question.en" || key == "question.zh") && val != "":
			pr.Question[Lang(key[9:])] = val
		case (key == "explain.en" || key == "explain.zh") && val != "":
			pr.Explain[Lang(key[8:])] = val
		default:
			return nil, p.fail(ln, "unknown predict field %q (want question.en, question.zh, explain.en, explain.zh)", key)
		}
	}
	end := first + len(lines)
	for _, lang := range Langs {
		if pr.Question[lang] == "" {
			return nil, p.fail(first-1, "predict lacks question.%s", lang)
		}
		if len(pr.Explain) > 0 && pr.Explain[lang] == "" {
			return nil, p.fail(first-1, "predict lacks explain.%s (give both languages or neither)", lang)
		}
	}
	if len(pr.Choices) < 2 {
		return nil, p.fail(end, "predict needs at least two choices \"- [ ] English | 中文\"")
	}
	if pr.Answer < 0 {
		return nil, p.fail(end, "predict needs one correct choice marked \"- [x]\"")
	}
	return pr, nil
}
