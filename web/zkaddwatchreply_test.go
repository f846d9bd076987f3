package web

import (
	"bytes"
	"testing"

	"github.com/zablab/zablab/engine/zkdb"
)

// An addWatch reply carries ZooKeeper's ErrorResponse{0} body after its header: the Java
// client (ZooKeeper.addWatch, so Curator's CuratorCache) reads it, and a header-only reply
// made it fail with an EOFException and reconnect forever. Found by TestCurator.
func TestZKAddWatchReplyBody(t *testing.T) {
	l := startLab(t, 3, 1)
	c := rawSession(t, l.addr(1))
	for i, mode := range []int32{0, 1} {
		r := c.call(int32(i+1), zkdb.OpAddWatch, be32(str(nil, "/"), mode))
		if r.err != zkdb.OK || !bytes.Equal(r.body, []byte{0, 0, 0, 0}) {
			t.Fatalf("addWatch mode %d: %v, body % x; want OK and ErrorResponse{0} (00 00 00 00)", mode, r.err, r.body)
		}
	}
}
