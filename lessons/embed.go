package lessons

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// files holds the lesson files, so the binary carries them (`go run ./cmd/zablab` works
// from anywhere).
//
//go:embed *.md
var files embed.FS

// Embedded parses the lessons compiled into the binary, in file-name order.
func Embedded() ([]*Lesson, error) { return LoadFS(files) }

// LoadFS parses every lesson file (*.md except README.md) at the root of fsys, in file-name
// order.
func LoadFS(fsys fs.FS) ([]*Lesson, error) {
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
	slugs := map[string]bool{}
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		l, err := Parse("lessons/"+n, data)
		if err != nil {
			return nil, err
		}
		if slugs[l.Slug] {
			return nil, fmt.Errorf("lessons/%s: slug %q is used twice", n, l.Slug)
		}
		slugs[l.Slug] = true
		out = append(out, l)
	}
	return out, nil
}
