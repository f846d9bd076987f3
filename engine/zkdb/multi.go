package zkdb

// multiOpAllowed reports whether an op may appear inside a multi (the write ops ZooKeeper's
// MultiOperationRecord can carry).
func multiOpAllowed(o OpType) bool {
	switch o {
	case OpCreate, OpCreate2, OpCreateContainer, OpCreateTTL, OpDelete, OpSetData, OpCheck:
		return true
	}
	return false
}

// applyMulti applies the ops of a multi in order, all or nothing. Each op sees the effects
// of the ops before it and all share the txn's zxid and time. If an op fails, the ops already
// applied are rolled back, no watch fires, and the per-op results are OK for the ops before
// the failing one, its code for the failing one and RUNTIMEINCONSISTENCY for the rest
// (DataTree.processTxn for a MultiTxn). On success the ops' watches fire in op order.
func (t *DataTree) applyMulti(txn *Txn) Result {
	ops := txn.Op.Ops
	for i := range ops {
		if !multiOpAllowed(ops[i].Type) {
			// ZooKeeper cannot even decode such a request.
			return Result{Err: ErrMarshallingError}
		}
	}
	results := make([]Result, len(ops))
	savedBytes := t.pathDataBytes
	t.inMulti = true
	failed := -1
	for i := range ops {
		results[i] = t.applyOp(txn, &ops[i])
		if results[i].Err != OK {
			failed = i
			break
		}
	}
	t.inMulti = false
	if failed < 0 {
		t.resetUndo()
		return Result{Multi: results}
	}
	t.rollback()
	t.pathDataBytes = savedBytes
	clear(t.pending)
	t.pending = t.pending[:0]
	code := results[failed].Err
	for i := range results {
		switch {
		case i < failed:
			results[i] = Result{}
		case i == failed:
			results[i] = Result{Err: code}
		default:
			results[i] = Result{Err: ErrRuntimeInconsistency}
		}
	}
	return Result{Multi: results}
}

// undoKind says how to revert one change made inside a multi.
type undoKind uint8

const (
	undoFields undoKind = iota // restore data, acl and stat of the node at path
	undoCreate                 // remove the node created at path
	undoDelete                 // put back node n, deleted from path
)

// undoEntry is one step of a multi's rollback log.
type undoEntry struct {
	kind undoKind
	path string
	n    *node
	data []byte
	acl  []ACL
	stat Stat
}

// saveFields records a node's data, acl and stat before a change inside a multi.
func (t *DataTree) saveFields(path string, n *node) {
	if t.inMulti {
		t.undo = append(t.undo, undoEntry{kind: undoFields, path: path, data: n.data, acl: n.acl, stat: n.stat})
	}
}

// rollback reverts the changes of the multi being applied, newest first.
func (t *DataTree) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		u := &t.undo[i]
		switch u.kind {
		case undoFields:
			n := t.nodes[u.path]
			n.data, n.acl, n.stat = u.data, u.acl, u.stat
		case undoCreate:
			n := t.nodes[u.path]
			parentPath, name := splitPath(u.path)
			delete(t.nodes[parentPath].children, name)
			delete(t.nodes, u.path)
			t.removeEphemeral(u.path, n.stat.EphemeralOwner)
		case undoDelete:
			parentPath, name := splitPath(u.path)
			t.nodes[parentPath].children[name] = struct{}{}
			t.nodes[u.path] = u.n
			t.addEphemeral(u.path, u.n.stat.EphemeralOwner)
		}
	}
	t.resetUndo()
}

func (t *DataTree) resetUndo() {
	clear(t.undo)
	t.undo = t.undo[:0]
}
