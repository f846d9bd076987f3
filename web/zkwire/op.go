package zkwire

import "github.com/zablab/zablab/engine/zkdb"

// MultiCreateType is the type ZooKeeper gives a create op inside a multi, whatever type its
// MultiHeader names (MultiOperationRecord builds it with Op.create from the flags): createTTL
// for a TTL mode, createContainer for CONTAINER, else create (an unknown mode too; the create
// then fails with BADARGUMENTS). The type decides the result: create2 for the first two,
// a plain create result for the last.
func MultiCreateType(mode zkdb.CreateMode) zkdb.OpType {
	switch {
	case mode.IsTTL():
		return zkdb.OpCreateTTL
	case mode.IsContainer():
		return zkdb.OpCreateContainer
	}
	return zkdb.OpCreate
}

// WriteOp converts a write request (create, create2, createContainer, createTTL, delete,
// setData, setACL, check, reconfig, or a multi of the first seven) into the zkdb.Op a txn carries. It reports
// false for any other request. The Op shares Data, ACL and the strings with r (which never
// alias the frame). The TTL of a createTTL is kept (0 for other creates, which ZooKeeper
// reads as no ttl). The create ops of a multi get MultiCreateType.
func (r *Request) WriteOp() (zkdb.Op, bool) {
	switch r.Type {
	case zkdb.OpCreate, zkdb.OpCreate2, zkdb.OpCreateContainer, zkdb.OpCreateTTL:
		return zkdb.Op{Type: r.Type, Path: r.Path, Data: r.Data, ACL: r.ACL, Mode: r.Mode, TTL: r.TTL}, true
	case zkdb.OpDelete, zkdb.OpCheck:
		return zkdb.Op{Type: r.Type, Path: r.Path, Version: r.Version}, true
	case zkdb.OpSetData:
		return zkdb.Op{Type: r.Type, Path: r.Path, Data: r.Data, Version: r.Version}, true
	case zkdb.OpSetACL:
		return zkdb.Op{Type: r.Type, Path: r.Path, ACL: r.ACL, Version: r.Version}, true
	case zkdb.OpReconfig:
		return zkdb.Op{Type: r.Type}, true // refused in a txn: reconfig is disabled
	case zkdb.OpMulti:
		ops := make([]zkdb.Op, len(r.Ops))
		for i := range r.Ops {
			op, ok := r.Ops[i].WriteOp()
			if !ok || r.Ops[i].Type == zkdb.OpSetACL || r.Ops[i].Type == zkdb.OpReconfig {
				return zkdb.Op{}, false
			}
			if op.Type.IsCreate() {
				op.Type = MultiCreateType(op.Mode)
			}
			ops[i] = op
		}
		return zkdb.Op{Type: zkdb.OpMulti, Ops: ops}, true
	}
	return zkdb.Op{}, false
}
