package reason

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite web/ts/catalogue.gen.ts from the catalogue")

const tsPath = "../../web/ts/catalogue.gen.ts"

// The page's catalogue is generated from this one and must not go stale.
func TestCatalogueTS(t *testing.T) {
	want := TypeScript()
	if *rewrite {
		if err := os.WriteFile(tsPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(tsPath)
	if err != nil {
		t.Fatalf("%v: run `make catalogue`", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("web/ts/catalogue.gen.ts is stale: run `make catalogue` (go test ./engine/reason -run TestCatalogueTS -args -rewrite), then `make bundle`")
	}
}
