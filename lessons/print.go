package lessons

import (
	"fmt"
	"io"

	"github.com/zablab/zablab/engine"
)

// PlayText plays a whole lesson headless and writes its timeline to w in lang: each step's
// title, the actions done, the notable events, the clients' answers and every checkpoint
// with PASS or FAIL. It reports whether every checkpoint passed; err is an action that
// could not be done (the run stops there).
func PlayText(w io.Writer, l *Lesson, lang Lang) (bool, error) {
	zh := lang == engine.Zh
	pick := func(en, cn string) string {
		if zh {
			return cn
		}
		return en
	}
	s := l.Setup
	fmt.Fprintf(w, "%s — %s [%s]\n", l.File, l.Title.In(lang), l.Slug)
	fmt.Fprintf(w, pick("  %d voters, %d observers, seed %d, timing %s", "  %d 个投票者，%d 个 observer，种子 %d，时间配置 %s"),
		s.Voters, s.Observers, s.Seed, s.Timing)
	if s.Bug != "" {
		fmt.Fprintf(w, pick(", bug %s", "，故障变体 %s"), s.Bug)
	}
	fmt.Fprintln(w)
	r, err := l.NewRun()
	if err != nil {
		return false, err
	}
	checks, failed := 0, 0
	for i, st := range l.Steps {
		fmt.Fprintf(w, pick("\nStep %d/%d · %s — %s\n", "\n第 %d/%d 步 · %s — %s\n"), i+1, len(l.Steps), st.ID, st.Title.In(lang))
		if st.Try {
			fmt.Fprintln(w, pick("  (try it yourself: the runner applies the solution)", "  （自己动手：这里由运行器执行参考解法）"))
		}
		res, err := r.Apply()
		writeLog(w, res.Log, lang)
		for _, c := range res.Checks {
			checks++
			if !c.Pass {
				failed++
			}
		}
		if err != nil {
			fmt.Fprintf(w, pick("  ERROR %v\n", "  错误 %v\n"), err)
			fmt.Fprintf(w, pick("\n%d checkpoints, %d failed; stopped at step %d\n", "\n%d 个检查点，%d 个失败；停在第 %d 步\n"), checks, failed, i+1)
			return false, err
		}
	}
	fmt.Fprintf(w, pick("\n%d steps, %d checkpoints, %d failed\n", "\n%d 步，%d 个检查点，%d 个失败\n"), len(l.Steps), checks, failed)
	return failed == 0, nil
}

func writeLog(w io.Writer, log []Entry, lang Lang) {
	for _, e := range log {
		t := e.Text.In(lang)
		switch e.Kind {
		case "predict":
			if lang == engine.Zh {
				fmt.Fprintf(w, "  预测：%s\n", t)
			} else {
				fmt.Fprintf(w, "  predict: %s\n", t)
			}
		case "action":
			fmt.Fprintf(w, "  [%9.3fs] > %s\n", e.TimeMs/1000, t)
		case "check":
			mark := "FAIL"
			if e.Pass {
				mark = "PASS"
			}
			fmt.Fprintf(w, "  [%9.3fs] %s %s\n", e.TimeMs/1000, mark, t)
		case "result":
			fmt.Fprintf(w, "  [%9.3fs]   = %s\n", e.TimeMs/1000, t)
		case "note":
			fmt.Fprintf(w, "  %s\n", t)
		default:
			fmt.Fprintf(w, "  [%9.3fs]     %s\n", e.TimeMs/1000, t)
		}
	}
}
