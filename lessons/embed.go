package lessons

import (
	"embed"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
)

// files holds the lesson files, so the binary carries them (`go run ./cmd/zablab` works
// from anywhere).
//
//go:embed *.md
var files embed.FS

// Embedded parses the lessons compiled into the binary, in file-name order.
func Embedded() ([]*Lesson, error) { return loadFS(files, "lessons") }

// loadFS parses every lesson file (*.md except README.md) at the root of fsys, in file-name
// order; dir prefixes the file names in messages.
func loadFS(fsys fs.FS, dir string) ([]*Lesson, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && strings.HasSuffix(n, ".md") && !strings.EqualFold(n, "README.md") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out []*Lesson
	slugs := map[string]string{}
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, n)
		l, err := Parse(path, data)
		if err != nil {
			return nil, err
		}
		if other, dup := slugs[l.Slug]; dup {
			return nil, fmt.Errorf("%s: slug %q is already used by %s", path, l.Slug, other)
		}
		slugs[l.Slug] = path
		out = append(out, l)
	}
	return out, nil
}
