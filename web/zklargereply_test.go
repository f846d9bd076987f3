package web

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zablab/zablab/engine/zkdb"
	"github.com/zablab/zablab/web/zkwire"
)

// TestZKLargeReply: a reply larger than the reply backlog bound (16 MiB) is sent when it is
// the only one waiting, as ZooKeeper 3.8 sends any reply: jute.maxbuffer bounds the frames a
// server reads, not the ones it writes. go-zookeeper's own TestIntegration_Children lists
// 10,000 children of 2,000-byte names (a 20 MB reply); zablab used to close the connection.
//
// The bound is lowered to 2 MiB here so that the test moves 3.6 MB, not 18 MB (slow under -race).
func TestZKLargeReply(t *testing.T) {
	const n, size = 4, 900_000 // 3.6 MB of names, each create frame under jute.maxbuffer
	_, c := bigChildren(t, 2<<20, n, size)
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

// TestZKLargeReplyInFlightIsNoBacklog: while a reply larger than the backlog bound is being
// written to a client that reads slowly, the pings it sends meanwhile are answered: the frame
// in flight is not a backlog, and a client reading a large reply is not one that "does not
// read its replies".
func TestZKLargeReplyInFlightIsNoBacklog(t *testing.T) {
	const n, size = 10, 900_000 // 9 MB: more than a loopback socket's send buffer holds
	l, _ := bigChildren(t, 1<<20, n, size)
	r := rawSession(t, l.addr(1))
	r.nc.(*net.TCPConn).SetReadBuffer(16 << 10) // the reply cannot sit in the kernel: it stays in flight
	r.send(1, zkdb.OpGetChildren, append(str(nil, "/big"), 0))
	// Wait until the reply is queued and not yet written (the client does not read yet).
	inFlight := func() (yes bool) {
		l.s.Main().do(func() (any, error) {
			for _, zc := range l.zk.byConn {
				if zc.nc.RemoteAddr().String() == r.nc.LocalAddr().String() {
					yes = zc.queued.Load() >= 2 && zc.flushed.Load() < zc.queued.Load()
				}
			}
			return nil, nil
		})
		return yes
	}
	for deadline := time.Now().Add(20 * time.Second); !inFlight(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the large reply was never in flight")
		}
	}
	for i := 0; i < 3; i++ {
		r.send(zkwire.XidPing, zkdb.OpPing, nil)
	}
	time.Sleep(300 * time.Millisecond) // the pings are answered (or, before, closed the connection)
	r.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	frame, err := zkwire.ReadFrame(r.nc, 16<<20)
	if err != nil || len(frame) < n*size || int32(binary.BigEndian.Uint32(frame)) != 1 {
		t.Fatalf("getChildren: %v, %d bytes", err, len(frame))
	}
	for i := 0; i < 3; i++ {
		if p, ok := r.read(); !ok || p.xid != zkwire.XidPing {
			t.Fatalf("ping %d after the large reply: ok %v xid %d (the connection was closed as a backlog)", i, ok, p.xid)
		}
	}
}

// bigChildren lowers the reply backlog bound to limit for the test, starts a one-server lab
// and creates /big with n children whose names are size bytes long (so that getChildren of
// /big is an n×size reply); it returns the lab and the client that made them.
func bigChildren(t *testing.T, limit int64, n, size int) (*lab, *zk.Conn) {
	t.Helper()
	old := maxQueuedReplyBytes
	t.Cleanup(func() { maxQueuedReplyBytes = old })
	maxQueuedReplyBytes = limit
	l := startLab(t, 1, 1)
	c, _ := l.connect(l.addr(1))
	if _, err := c.Create("/big", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := c.Create("/big/"+fmt.Sprintf("%02d", i)+strings.Repeat("x", size-2), nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
			t.Fatalf("create child %d: %v", i, err)
		}
	}
	return l, c
}
