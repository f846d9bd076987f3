package main

import "testing"

// frameHead reads what the hub writes at the head of its messages (web/hub.go batchMessage
// and wrap). If the hub's head changed, bench web stops with an error (an events frame
// without a publish time) rather than measure delays from zero.
func TestFrameHead(t *testing.T) {
	for _, c := range []struct {
		in   string
		typ  string
		wall int64
	}{
		{`{"type":"events","wall":1764556800123,"events":[{"seq":1}],"view":{}}`, "events", 1764556800123},
		{`{"type":"reset","view":null}`, "reset", 0},
		{`{"type":"answers","class":{"answered":3}}`, "answers", 0},
		{`[1,2]`, "", 0},
		{`{"type":"events`, "", 0},
	} {
		typ, wall := frameHead([]byte(c.in))
		if typ != c.typ || wall != c.wall {
			t.Errorf("frameHead(%s) = %q, %d; want %q, %d", c.in, typ, wall, c.typ, c.wall)
		}
	}
}
