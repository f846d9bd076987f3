package lessons

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rewrite regenerates the pinned lesson timelines: `make golden`.
var rewrite = flag.Bool("rewrite", false, "rewrite the pinned timelines in testdata/golden")

// TestGoldenTimelines pins the timeline of every lesson in both languages (what `zablab run`
// prints): a change to the engine, the catalogue or a lesson that alters what a learner sees
// fails here, naming the first differing line.
func TestGoldenTimelines(t *testing.T) {
	dir := filepath.Join("testdata", "golden")
	for _, l := range loadAll(t) {
		for _, lang := range Langs {
			var b bytes.Buffer
			if _, err := PlayText(&b, l, lang); err != nil {
				t.Fatalf("%s (%s): %v", l.File, lang, err)
			}
			path := filepath.Join(dir, fmt.Sprintf("%s.%s.txt", l.Slug, lang))
			if *rewrite {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run `make golden` to write the pinned timelines)", err)
			}
			if bytes.Equal(want, b.Bytes()) {
				continue
			}
			wl, gl := strings.Split(string(want), "\n"), strings.Split(b.String(), "\n")
			for i := 0; i < max(len(wl), len(gl)); i++ {
				var w, g string
				if i < len(wl) {
					w = wl[i]
				}
				if i < len(gl) {
					g = gl[i]
				}
				if w != g {
					t.Errorf("%s (%s): the timeline changed at line %d:\n  pinned: %s\n  now:    %s\n"+
						"if the change is intended, run `make golden` and say why in the commit", l.File, lang, i+1, w, g)
					break
				}
			}
		}
	}
}
