package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-zookeeper/zk"
)

// TestZKLargeReply: a reply larger than the reply backlog bound (16 MiB) is sent when it is
// the only one waiting, as ZooKeeper 3.8 sends any reply: jute.maxbuffer bounds the frames a
// server reads, not the ones it writes. go-zookeeper's own TestIntegration_Children lists
// 10,000 children of 2,000-byte names (a 20 MB reply); zablab used to close the connection.
//
// The bound is lowered to 2 MiB here so that the test moves 3.6 MB, not 18 MB (slow under -race).
func TestZKLargeReply(t *testing.T) {
	defer func(old int64) { maxQueuedReplyBytes = old }(maxQueuedReplyBytes)
	maxQueuedReplyBytes = 2 << 20
	l := startLab(t, 1, 1)
	c, _ := l.connect(l.addr(1))
	if _, err := c.Create("/big", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	const n, size = 4, 900_000 // 3.6 MB of names, each create frame under jute.maxbuffer
	for i := range n {
		name := fmt.Sprintf("%02d", i) + strings.Repeat("x", size-2)
		if _, err := c.Create("/big/"+name, nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
			t.Fatalf("create child %d: %v", i, err)
		}
	}
	children, _, err := c.Children("/big")
	if err != nil {
		t.Fatalf("getChildren with an %d-byte reply: %v", n*size, err)
	}
	if len(children) != n {
		t.Fatalf("got %d children, want %d", len(children), n)
	}
	if _, _, err := c.Get("/big"); err != nil {
		t.Fatalf("the session goes on after the large reply: %v", err)
	}
}
