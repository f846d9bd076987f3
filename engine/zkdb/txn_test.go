package zkdb

import "testing"

func sampleTxn() *Txn {
	return &Txn{Zxid: MakeZxid(3, 9), SessionID: 0x100000000000007, Cxid: 12, TimeMs: 123456,
		Op: Op{Type: OpMulti, Ops: []Op{
			{Type: OpCreate, Path: "/a", Data: []byte("x"), ACL: OpenACL, Mode: EphemeralSequential},
			{Type: OpSetData, Path: "/b", Data: []byte("yy"), Version: 4},
		}}}
}

func TestTxnHash(t *testing.T) {
	base := sampleTxn().Hash()
	// A golden value (checked against an independent FNV-1a-64 over the same byte stream):
	// the hash is compared across servers and runs, so it must not drift.
	const golden = uint64(0xe3b23489997e5b26)
	if base != golden {
		t.Fatalf("hash %#x, want %#x", base, golden)
	}
	if sampleTxn().Hash() != base {
		t.Fatal("hash not stable")
	}
	mutations := map[string]func(*Txn){
		"zxid":         func(x *Txn) { x.Zxid++ },
		"session":      func(x *Txn) { x.SessionID++ },
		"cxid":         func(x *Txn) { x.Cxid++ },
		"time":         func(x *Txn) { x.TimeMs++ },
		"type":         func(x *Txn) { x.Op.Type = OpCreate },
		"op path":      func(x *Txn) { x.Op.Path = "/" },
		"op data":      func(x *Txn) { x.Op.Data = []byte{0} },
		"op acl":       func(x *Txn) { x.Op.ACL = OpenACL },
		"op mode":      func(x *Txn) { x.Op.Mode = 1 },
		"op version":   func(x *Txn) { x.Op.Version = -1 },
		"op timeout":   func(x *Txn) { x.Op.Timeout = 1 },
		"sub path":     func(x *Txn) { x.Op.Ops[0].Path = "/b" },
		"sub data":     func(x *Txn) { x.Op.Ops[1].Data = []byte("yz") },
		"sub acl perm": func(x *Txn) { x.Op.Ops[0].ACL = []ACL{{30, "world", "anyone"}} },
		"sub acl id":   func(x *Txn) { x.Op.Ops[0].ACL = []ACL{{31, "world", "anyonf"}} },
		"sub mode":     func(x *Txn) { x.Op.Ops[0].Mode = Ephemeral },
		"sub version":  func(x *Txn) { x.Op.Ops[1].Version = 5 },
		"sub dropped":  func(x *Txn) { x.Op.Ops = x.Op.Ops[:1] },
		"sub order":    func(x *Txn) { x.Op.Ops[0], x.Op.Ops[1] = x.Op.Ops[1], x.Op.Ops[0] },
		"bytes moved":  func(x *Txn) { x.Op.Ops[0].Path, x.Op.Ops[0].Data = "/ax", nil },
	}
	seen := map[uint64]string{base: "base"}
	for name, m := range mutations {
		x := sampleTxn()
		m(x)
		h := x.Hash()
		if prev, dup := seen[h]; dup {
			t.Errorf("%s hashes like %s", name, prev)
		}
		seen[h] = name
	}
	x := sampleTxn()
	x.Op.Ops[0].Data = []byte{}
	y := sampleTxn()
	y.Op.Ops[0].Data = nil
	if x.Hash() != y.Hash() {
		t.Error("nil and empty data hash differently")
	}
	if n := testing.AllocsPerRun(100, func() { _ = x.Hash() }); n != 0 {
		t.Errorf("Hash allocates %.0f times", n)
	}
}

func TestTxnSizeBytes(t *testing.T) {
	small := &Txn{Op: setData("/a", "", -1)}
	big := &Txn{Op: setData("/a", string(make([]byte, 1000)), -1)}
	if small.SizeBytes() < txnHeaderBytes+4 || big.SizeBytes()-small.SizeBytes() != 1000 {
		t.Fatalf("sizes %d %d", small.SizeBytes(), big.SizeBytes())
	}
	m := &Txn{Op: multi(setData("/a", "", -1), setData("/a", "", -1))}
	if m.SizeBytes() <= 2*(small.SizeBytes()-txnHeaderBytes) {
		t.Fatalf("multi size %d", m.SizeBytes())
	}
	for _, op := range []Op{create("/a", "x"), del("/a", 1), check("/a", 1), createSession(5), closeSession,
		{Type: OpSetACL, Path: "/a", ACL: OpenACL}} {
		if (&Txn{Op: op}).SizeBytes() < txnHeaderBytes {
			t.Errorf("%v size", op.Type)
		}
	}
}
