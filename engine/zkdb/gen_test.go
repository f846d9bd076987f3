package zkdb

// A decoder from bytes to a short sequence of txns and reads on a small path alphabet, used
// by FuzzApply and the determinism test.

var genPaths = []string{"/", "/a", "/b", "/a/a", "/a/b", "/b/a", "/a/a/a", "/zookeeper",
	"/zookeeper/quota", "/a/", "bad", "/a/b/c"}

var genACLs = [][]ACL{
	OpenACL, nil, {{PermRead, "ip", "10.0.0.1"}},
	{{PermRead, "ip", "10.0.0.1"}, {PermRead, "ip", "10.0.0.1"}}, {{PermAll, "world", "nobody"}},
}

// step is a txn to apply or, when txn is nil, a read that may set a watch.
type step struct {
	txn     *Txn
	read    OpType // OpExists, OpGetData, OpGetChildren, OpSetWatches, OpRemoveWatches
	path    string
	watcher int64
}

type byteReader struct {
	b []byte
	i int
}

func (r *byteReader) next() int {
	if r.i >= len(r.b) {
		return 0
	}
	r.i++
	return int(r.b[r.i-1])
}

func (r *byteReader) path() string { return genPaths[r.next()%len(genPaths)] }

func (r *byteReader) version() int32 { return int32(r.next()%4) - 1 }

func (r *byteReader) data() []byte {
	n := r.next() % 4
	if n == 3 {
		return nil
	}
	return []byte("xyz"[:n])
}

// writeOp decodes one write op; inMulti limits it to what a multi may hold, plus rarely an
// op a multi may not hold.
func (r *byteReader) writeOp(inMulti bool) Op {
	switch k := r.next() % 8; {
	case k <= 1:
		types := []OpType{OpCreate, OpCreate, OpCreate, OpCreate2, OpCreate2, OpCreateContainer, OpCreateTTL, OpCreate}
		op := Op{Type: types[r.next()%8], Path: r.path(), Data: r.data(), ACL: OpenACL, Mode: CreateMode(r.next() % 8)}
		if r.next()%4 == 0 {
			op.ACL = genACLs[r.next()%len(genACLs)]
		}
		return op
	case k == 2:
		return Op{Type: OpDelete, Path: r.path(), Version: r.version()}
	case k == 3:
		return Op{Type: OpSetData, Path: r.path(), Data: r.data(), Version: r.version()}
	case k == 4:
		return Op{Type: OpCheck, Path: r.path(), Version: r.version()}
	case k == 5 && !inMulti:
		return Op{Type: OpSetACL, Path: r.path(), ACL: genACLs[r.next()%len(genACLs)], Version: r.version()}
	case k == 5 && r.next()%8 == 0:
		return Op{Type: OpSetACL, Path: r.path(), ACL: OpenACL, Version: -1} // malformed multi
	case k == 6 && !inMulti:
		return Op{Type: OpDeleteContainer, Path: r.path()}
	}
	return Op{Type: OpCreate, Path: r.path(), Data: r.data(), ACL: OpenACL, Mode: CreateMode(r.next() % 4)}
}

// decodeSteps turns bytes into at most maxSteps steps; zxids count up in epoch 1.
func decodeSteps(b []byte, maxSteps int) []step {
	r := &byteReader{b: b}
	var steps []step
	counter := uint32(0)
	for r.i < len(r.b) && len(steps) < maxSteps {
		session := int64(r.next() % 4)
		var op Op
		switch k := r.next() % 12; {
		case k <= 5:
			op = r.writeOp(false)
		case k == 6:
			n := r.next() % 5
			op = Op{Type: OpMulti}
			for i := 0; i < n; i++ {
				op.Ops = append(op.Ops, r.writeOp(true))
			}
		case k == 7:
			op = Op{Type: OpCreateSession, Timeout: int32(r.next()) * 100}
		case k == 8:
			op = Op{Type: OpCloseSession}
		case k == 9:
			op = Op{Type: OpCreate, Path: r.path(), ACL: OpenACL, Mode: EphemeralSequential - CreateMode(r.next()%2)*2}
		default:
			reads := []OpType{OpExists, OpGetData, OpGetChildren, OpSetWatches, OpRemoveWatches}
			steps = append(steps, step{read: reads[r.next()%len(reads)], path: r.path(), watcher: int64(1 + r.next()%3)})
			continue
		}
		counter++
		steps = append(steps, step{txn: &Txn{Zxid: MakeZxid(1, counter), SessionID: session,
			Cxid: int32(counter), TimeMs: int64(counter) * 10, Op: op}})
	}
	return steps
}

// doRead performs a read step on tree and returns the events SetWatches fired.
func doRead(tree *DataTree, s step) []WatchEvent {
	switch s.read {
	case OpExists:
		tree.Exists(s.path, s.watcher)
	case OpGetData:
		tree.GetData(s.path, s.watcher)
	case OpGetChildren:
		tree.GetChildren(s.path, s.watcher)
	case OpSetWatches:
		list := []string{s.path}
		return tree.SetWatches(tree.LastProcessedZxid()-2, list, list, list, s.watcher)
	case OpRemoveWatches:
		tree.RemoveWatcher(s.watcher)
	}
	return nil
}
