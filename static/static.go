// Package static holds the lab's built front-end assets (the esbuild bundle, the stylesheet,
// the icon), embedded so `go run ./cmd/zablab` needs no Node.
package static

import "embed"

// FS holds the files of this directory.
//
//go:embed *
var FS embed.FS
