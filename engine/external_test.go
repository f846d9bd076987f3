package engine

import (
	"testing"

	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

// recSink records what the engine answers real clients, by connection.
type recSink struct {
	connected map[uint64]int64
	replies   map[uint64][]zkdb.Err
	closed    map[uint64]bool
}

func newRecSink() *recSink {
	return &recSink{connected: map[uint64]int64{}, replies: map[uint64][]zkdb.Err{}, closed: map[uint64]bool{}}
}
func (s *recSink) Connected(conn uint64, session int64, _ int32, _ Zxid) { s.connected[conn] = session }
func (s *recSink) Refused(conn uint64, _ reason.Reason, _ bool)          { s.closed[conn] = true }
func (s *recSink) Disconnected(conn uint64, _ reason.Reason)             { s.closed[conn] = true }
func (s *recSink) Reply(conn uint64, _ int32, _ zkdb.OpType, r Reply) {
	s.replies[conn] = append(s.replies[conn], r.Err)
}
func (s *recSink) Watch(uint64, zkdb.WatchEvent) {}

// A session that reconnects to the same server before its old connection's teardown is
// processed keeps every reply (issue 13 item 0): the old connection's detach must not unhook
// the new one, which the server now knows the session by.
func TestReconnectRaceKeepsReplies(t *testing.T) {
	for _, server := range []int{0, 1} { // the leader, then a follower
		c := newTestCluster(t, 3, 0, 5)
		sink := newRecSink()
		c.SetExternalSink(sink)
		c.Start()
		l := waitSettled(t, c, 5*sec)
		id := l
		if server == 1 {
			id = l%3 + 1
		}
		if _, err := c.Apply(Command{Kind: CmdZkConnect, Conn: 1, Server: id, TimeoutMs: 6000}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, c, sec, "the session", func() bool { return sink.connected[1] != 0 })
		session := sink.connected[1]
		// The client reconnects on a new connection at once; the old one's teardown comes after.
		c.Apply(Command{Kind: CmdZkConnect, Conn: 2, Server: id, Session: HexID(session), TimeoutMs: 6000})
		c.Apply(Command{Kind: CmdZkDetach, Conn: 1})
		waitFor(t, c, sec, "the reattach", func() bool { return sink.connected[2] == session })
		for i := 0; i < 20; i++ {
			op := zkdb.Op{Type: zkdb.OpCreate, Path: "/r" + string(rune('a'+i)), ACL: zkdb.OpenACL}
			c.Apply(Command{Kind: CmdZkRequest, Conn: 2, Xid: int32(i + 1), Op: &op})
		}
		waitFor(t, c, 2*sec, "20 replies", func() bool { return len(sink.replies[2]) == 20 })
		for i, err := range sink.replies[2] {
			if err != zkdb.OK {
				t.Fatalf("server %d: reply %d: %v", id, i, err)
			}
		}
		if sink.closed[2] {
			t.Fatalf("server %d closed the new connection", id)
		}
	}
}
