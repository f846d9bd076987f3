package web

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/zablab/zablab/engine/zkdb"
	"github.com/zablab/zablab/web/zkwire"
)

// readResult is one decoded result of a multiRead reply.
type readResult struct {
	typ      zkdb.OpType
	err      zkdb.Err
	data     string
	stat     []byte
	children []string
}

// multiReadResults decodes the results of a multiRead reply body.
func multiReadResults(t *testing.T, b []byte) []readResult {
	t.Helper()
	i32 := func() int32 { v := int32(binary.BigEndian.Uint32(b)); b = b[4:]; return v }
	bytes := func() string {
		n := i32()
		if n < 0 {
			return "<null>"
		}
		s := string(b[:n])
		b = b[n:]
		return s
	}
	var out []readResult
	for {
		typ := zkdb.OpType(i32())
		done := b[0] != 0
		b = b[1:]
		err := zkdb.Err(i32())
		if done {
			if len(b) != 0 {
				t.Fatalf("%d bytes after the terminator", len(b))
			}
			return out
		}
		r := readResult{typ: typ, err: err}
		switch typ {
		case zkdb.OpGetData:
			r.data = bytes()
			r.stat = b[:zkwire.StatSize]
			b = b[zkwire.StatSize:]
		case zkdb.OpGetChildren:
			n := i32()
			for range n {
				r.children = append(r.children, bytes())
			}
		case zkdb.OpError:
			r.err = zkdb.Err(i32())
		default:
			t.Fatalf("result type %v", typ)
		}
		out = append(out, r)
	}
}

// event reads frames up to the next notification.
func (c *rawConn) event() zkwire.WatcherEvent {
	c.t.Helper()
	for {
		c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		frame, err := zkwire.ReadFrame(c.nc, 0)
		if err != nil {
			c.t.Fatalf("waiting for a notification: %v", err)
		}
		if int32(binary.BigEndian.Uint32(frame)) != zkwire.XidNotification {
			continue
		}
		body := frame[zkwire.ReplyHeaderSize:]
		n := int(binary.BigEndian.Uint32(body[8:]))
		return zkwire.WatcherEvent{Type: zkdb.EventType(binary.BigEndian.Uint32(body)), Path: string(body[12 : 12+n])}
	}
}

// readOp appends a multiRead op (getData or getChildren: path, watch).
func readOp(b []byte, typ zkdb.OpType, path string, watch bool) []byte {
	b = str(multiHeader(b, typ, false, -1), path)
	if watch {
		return append(b, 1)
	}
	return append(b, 0)
}

// TestZKMultiRead: multiRead (opcode 22) answers each getData and getChildren op on its own,
// as ZooKeeper 3.8's FinalRequestProcessor does: a failing op gets an ErrorResult with its
// code (NONODE, NOAUTH), the others their data; the reply header has err 0 and the server's
// last processed zxid; a watch asked for by an op is set.
func TestZKMultiRead(t *testing.T) {
	l := startLab(t, 3, 1)
	c := rawSession(t, l.addr(1))
	writer := rawSession(t, l.addr(2))
	for i, p := range []string{"/a", "/a/x", "/a/y"} {
		if r := writer.call(int32(i+1), zkdb.OpCreate, createBody(p, []byte("v"+p), zkdb.Persistent)); r.err != zkdb.OK {
			t.Fatalf("create %s: %v", p, r.err)
		}
	}
	// /s is readable only by digest bob:... (no one here).
	b := str(nil, "/s")
	b = be32(b, -1)
	b = str(str(be32(be32(b, 1), 31), "digest"), "bob:AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	last := writer.call(9, zkdb.OpCreate, be32(b, 0))
	if last.err != zkdb.OK {
		t.Fatalf("create /s: %v", last.err)
	}
	// c is connected to server 1: sync so that it has applied every write.
	c.call(1, zkdb.OpSync, str(nil, "/"))
	b = readOp(nil, zkdb.OpGetData, "/a", true)
	b = readOp(b, zkdb.OpGetChildren, "/a", false)
	b = readOp(b, zkdb.OpGetData, "/missing", false)
	b = readOp(b, zkdb.OpGetChildren, "/a/x", false)
	b = readOp(b, zkdb.OpGetData, "/s", false)
	b = readOp(b, zkdb.OpGetChildren, "/missing", true)
	b = multiHeader(b, -1, true, -1)
	r := c.call(2, zkdb.OpMultiRead, b)
	if r.err != zkdb.OK || r.zxid != last.zxid {
		t.Fatalf("multiRead: header err %v zxid %v, want OK and %v", r.err, r.zxid, last.zxid)
	}
	got := multiReadResults(t, r.body)
	if len(got) != 6 {
		t.Fatalf("%d results, want 6: %+v", len(got), got)
	}
	if got[0].typ != zkdb.OpGetData || got[0].data != "v/a" || len(got[0].stat) != zkwire.StatSize {
		t.Errorf("getData /a: %+v", got[0])
	}
	if got[1].typ != zkdb.OpGetChildren || len(got[1].children) != 2 || got[1].children[0]+got[1].children[1] != "xy" && got[1].children[0]+got[1].children[1] != "yx" {
		t.Errorf("getChildren /a: %+v", got[1])
	}
	if got[2].typ != zkdb.OpError || got[2].err != zkdb.ErrNoNode {
		t.Errorf("getData /missing: %+v, want an ErrorResult NONODE", got[2])
	}
	if got[3].typ != zkdb.OpGetChildren || len(got[3].children) != 0 {
		t.Errorf("getChildren /a/x: %+v, want no children", got[3])
	}
	if got[4].typ != zkdb.OpError || got[4].err != zkdb.ErrNoAuth {
		t.Errorf("getData /s: %+v, want an ErrorResult NOAUTH", got[4])
	}
	if got[5].typ != zkdb.OpError || got[5].err != zkdb.ErrNoNode {
		t.Errorf("getChildren /missing: %+v, want an ErrorResult NONODE", got[5])
	}
	// The watch of the first op is set: a change of /a fires NodeDataChanged on c.
	if r := writer.call(10, zkdb.OpSetData, be32(str(str(nil, "/a"), "w"), -1)); r.err != zkdb.OK {
		t.Fatalf("setData: %v", r.err)
	}
	ev := c.event()
	if ev.Type != zkdb.EventNodeDataChanged || ev.Path != "/a" {
		t.Fatalf("watch event %+v, want NodeDataChanged /a", ev)
	}
	// An empty multiRead is answered with no results.
	if r := c.call(3, zkdb.OpMultiRead, multiHeader(nil, -1, true, -1)); r.err != zkdb.OK || len(multiReadResults(t, r.body)) != 0 {
		t.Fatalf("empty multiRead: %v", r.err)
	}
}
