package zkdb

import (
	"reflect"
	"testing"
)

// fixture applies txns with increasing zxids (epoch 1) and times (1000 ms apart), checking
// the tree's consistency after every txn.
type fixture struct {
	t       *testing.T
	tree    *DataTree
	counter uint32
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return &fixture{t: t, tree: NewDataTree()}
}

// nextTxn builds the next txn for op from session.
func (f *fixture) nextTxn(session int64, op Op) *Txn {
	f.counter++
	return &Txn{Zxid: MakeZxid(1, f.counter), SessionID: session, Cxid: int32(f.counter),
		TimeMs: int64(f.counter) * 1000, Op: op}
}

// zxid is the zxid the next txn will get.
func (f *fixture) zxid() Zxid { return MakeZxid(1, f.counter+1) }

// time is the time the next txn will get.
func (f *fixture) time() int64 { return int64(f.counter+1) * 1000 }

func (f *fixture) apply(session int64, op Op) (Result, []WatchEvent) {
	f.t.Helper()
	res, ev := f.tree.Apply(f.nextTxn(session, op))
	if err := f.tree.CheckConsistency(); err != nil {
		f.t.Fatalf("after %v %s: %v", op.Type, op.Path, err)
	}
	return res, ev
}

// must applies op and fails the test unless it succeeds.
func (f *fixture) must(session int64, op Op) (Result, []WatchEvent) {
	f.t.Helper()
	res, ev := f.apply(session, op)
	if res.FirstErr() != OK {
		f.t.Fatalf("%v %s: %v", op.Type, op.Path, res.FirstErr())
	}
	return res, ev
}

// expectErr applies op, expects want, and checks that the failed txn changed nothing but
// the last processed zxid and fired nothing.
func (f *fixture) expectErr(session int64, op Op, want Err) {
	f.t.Helper()
	before := f.tree.Digest()
	z := f.zxid()
	res, ev := f.apply(session, op)
	if got := res.FirstErr(); got != want {
		f.t.Fatalf("%v %q: got %v, want %v", op.Type, op.Path, got, want)
	}
	if f.tree.Digest() != before {
		f.t.Fatalf("%v %q failed with %v but changed the tree", op.Type, op.Path, want)
	}
	if len(ev) != 0 {
		f.t.Fatalf("%v %q failed but fired %v", op.Type, op.Path, ev)
	}
	if f.tree.LastProcessedZxid() != z {
		f.t.Fatalf("lastProcessedZxid %v, want %v after a failed txn", f.tree.LastProcessedZxid(), z)
	}
}

func (f *fixture) stat(path string) Stat {
	f.t.Helper()
	st, err := f.tree.Exists(path, 0)
	if err != OK {
		f.t.Fatalf("exists %s: %v", path, err)
	}
	return st
}

func create(path string, data string) Op {
	return Op{Type: OpCreate, Path: path, Data: []byte(data), ACL: OpenACL}
}

func createMode(path string, mode CreateMode) Op {
	return Op{Type: OpCreate, Path: path, ACL: OpenACL, Mode: mode}
}

func setData(path, data string, version int32) Op {
	return Op{Type: OpSetData, Path: path, Data: []byte(data), Version: version}
}

func del(path string, version int32) Op {
	return Op{Type: OpDelete, Path: path, Version: version}
}

func check(path string, version int32) Op {
	return Op{Type: OpCheck, Path: path, Version: version}
}

func multi(ops ...Op) Op { return Op{Type: OpMulti, Ops: ops} }

func createSession(timeoutMs int32) Op { return Op{Type: OpCreateSession, Timeout: timeoutMs} }

var closeSession = Op{Type: OpCloseSession}

func expectEvents(t *testing.T, got []WatchEvent, want ...WatchEvent) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events:\n got %v\nwant %v", got, want)
	}
}

func ev(watcher int64, typ EventType, path string) WatchEvent {
	return WatchEvent{Watcher: watcher, Type: typ, Path: path}
}
