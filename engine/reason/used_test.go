package reason

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every code in the catalogue is used by the engine or the server (no dead entries), and
// every reason.X the code refers to exists: found by reading the non-test Go sources.
func TestEveryCodeUsed(t *testing.T) {
	names := map[string]Code{}
	fset := token.NewFileSet()
	own, err := parser.ParseFile(fset, "catalogue.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range own.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for i, s := range g.Specs {
			for _, n := range s.(*ast.ValueSpec).Names {
				if n.Name != "None" && n.Name != "codeCount" {
					names[n.Name] = Code(i)
				}
			}
		}
	}
	if len(names) != int(codeCount)-1 {
		t.Fatalf("found %d code constants, the catalogue has %d", len(names), codeCount-1)
	}
	used := map[string]bool{}
	for _, dir := range []string{"..", "../check", "../../web", "../../lessons", "../../cmd/zablab"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			file, err := parser.ParseFile(fset, f, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "reason" {
						used[sel.Sel.Name] = true
					}
				}
				return true
			})
		}
	}
	for name := range names {
		if !used[name] {
			t.Errorf("reason.%s is in the catalogue but nothing emits it", name)
		}
	}
}
