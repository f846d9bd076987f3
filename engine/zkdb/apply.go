package zkdb

import "sort"

// Apply applies a committed txn and returns its result and the watch events it fires
// (ZooKeeper: PrepRequestProcessor's checks, then DataTree.processTxn). A write that fails its
// checks changes nothing but the last processed zxid, and fails the same way on every
// replica. The last processed zxid becomes txn.Zxid if that is higher (DataTree.processTxn).
//
// Apply keeps references to the op's Data and ACL slices; they must not be modified later.
func (t *DataTree) Apply(txn *Txn) (Result, []WatchEvent) {
	var res Result
	switch txn.Op.Type {
	case OpMulti:
		res = t.applyMulti(txn)
	case OpCreateSession:
		// ZooKeeperServer.processTxn: sessionTracker.commitSession(id, timeout).
		t.sessions[txn.SessionID] = txn.Op.Timeout
	case OpCloseSession:
		t.closeSession(txn.SessionID, txn.Zxid)
	default:
		res = t.applyOp(txn, &txn.Op)
	}
	if txn.Zxid > t.lastProcessedZxid {
		t.lastProcessedZxid = txn.Zxid
	}
	if len(t.pending) == 0 {
		return res, nil
	}
	return res, t.fireTriggers()
}

// applyOp applies one write op, alone or inside a multi.
func (t *DataTree) applyOp(txn *Txn, op *Op) Result {
	switch op.Type {
	case OpCreate, OpCreate2, OpCreateContainer, OpCreateTTL:
		return t.create(txn, op)
	case OpDelete:
		return Result{Err: t.delete(op.Path, op.Version, txn.Zxid, txn.Op.Auth)}
	case OpDeleteContainer:
		return Result{Err: t.deleteContainer(op.Path, txn.Zxid)}
	case OpSetData:
		return t.setData(txn, op)
	case OpSetACL:
		return t.setACL(op, txn.Op.Auth)
	case OpCheck:
		return Result{Err: t.check(op, txn.Op.Auth)}
	case OpReconfig:
		// PrepRequestProcessor refuses it in a txn while reconfigEnabled is false.
		return Result{Err: ErrReconfigDisabled}
	case OpError:
		// A write request PrepRequestProcessor could not process (a null path): its error txn.
		return Result{Err: ErrMarshallingError}
	}
	return Result{Err: ErrUnimplemented}
}

// create checks and applies a create (PrepRequestProcessor.pRequest2TxnCreate, then
// DataTree.createNode). Checks in ZooKeeper's order: flags (BADARGUMENTS), TTL mode without
// extended types (UNIMPLEMENTED), a TTL mode without a ttl in (0, MaxTTLMs] or createTTL
// with another mode (BADARGUMENTS; EphemeralType.validateTTL), session of an ephemeral
// (SESSIONEXPIRED), a "/" and no NUL in the path (BADARGUMENTS), ACL (INVALIDACL), the
// parent, everything before the last "/", exists (NONODE), CREATE on the parent (NOAUTH),
// sequence suffix from the parent's
// count of creates, the whole path valid and the data size (BADARGUMENTS), node absent
// (NODEEXISTS), parent not ephemeral (NOCHILDRENFOREPHEMERALS). So a create under a missing
// parent is NONODE whatever else is wrong with its name.
func (t *DataTree) create(txn *Txn, op *Op) Result {
	mode := op.Mode
	if !mode.valid() {
		return Result{Err: ErrBadArguments}
	}
	if mode.IsTTL() && !t.extendedTypes {
		return Result{Err: ErrUnimplemented} // TTL nodes need extended types
	}
	ttlOwner, ttlOK := TTLEphemeralOwner(op.TTL)
	if mode.IsTTL() && !ttlOK || !mode.IsTTL() && op.Type == OpCreateTTL {
		// EphemeralType.validateTTL. A createTTL with another mode is refused whatever its
		// ttl (ZooKeeper lets a negative one through, then fails to apply the txn).
		return Result{Err: ErrBadArguments}
	}
	container := op.Type == OpCreateContainer || mode == Container
	ephemeral := !container && mode.IsEphemeral()
	if ephemeral && !t.HasSession(txn.SessionID) {
		return Result{Err: ErrSessionExpired}
	}
	parentPath, ok := parentOf(op.Path)
	if !ok {
		return Result{Err: ErrBadArguments}
	}
	acl, err := fixupACL(op.ACL, txn.Op.Auth)
	if err != OK {
		return Result{Err: err}
	}
	parent := t.nodes[parentPath]
	if parent == nil {
		return Result{Err: ErrNoNode}
	}
	if err := allowed(parent, PermCreate, txn.Op.Auth); err != OK {
		return Result{Err: err}
	}
	path := op.Path
	if mode.IsSequential() {
		path = sequentialPath(path, parent.stat.Cversion)
	}
	if validatePath(path, false) != nil || len(op.Data) > MaxDataBytes {
		return Result{Err: ErrBadArguments}
	}
	parentPath, _ = splitPath(path) // the same node; "/" rather than ""
	if t.nodes[path] != nil {
		return Result{Err: ErrNodeExists}
	}
	if isSessionOwner(parent.stat.EphemeralOwner) {
		return Result{Err: ErrNoChildrenForEphemerals}
	}
	if t.overLimit(len(path) + len(op.Data)) {
		return Result{Err: ErrQuotaExceeded}
	}
	var owner int64
	switch {
	case container:
		owner = ContainerEphemeralOwner
	case mode.IsTTL():
		owner = ttlOwner
	case ephemeral:
		owner = txn.SessionID
	}
	n := t.createNode(path, parentPath, parent, op.Data, acl, owner, txn.Zxid, txn.TimeMs)
	return Result{Path: path, Stat: n.statValue()}
}

// isSessionOwner reports whether an ephemeralOwner names a session, i.e. the node is a
// plain ephemeral (EphemeralType.NORMAL), not persistent (0), a container nor a TTL node.
func isSessionOwner(owner int64) bool {
	_, ttl := TTLOf(owner)
	return owner != 0 && owner != ContainerEphemeralOwner && !ttl
}

// TTL is the ttl (ms) of the TTL node at path; ok is false if there is no such node.
func (t *DataTree) TTL(path string) (ttlMs int64, ok bool) {
	if n := t.nodes[path]; n != nil {
		return TTLOf(n.stat.EphemeralOwner)
	}
	return 0, false
}

// ReapCandidates are the nodes ZooKeeper's ContainerManager would delete at nowMs (the
// leader's clock, on the scale of the txns' TimeMs), in path order: childless containers
// that have had a child (cversion > 0), and childless TTL nodes whose mtime is more than
// their ttl ago (ContainerManager.getCandidates).
func (t *DataTree) ReapCandidates(nowMs int64) []string {
	var out []string
	for path, n := range t.nodes {
		if len(n.children) > 0 {
			continue
		}
		owner := n.stat.EphemeralOwner
		if owner == ContainerEphemeralOwner && n.stat.Cversion > 0 {
			out = append(out, path)
		} else if ttl, ok := TTLOf(owner); ok && nowMs-n.stat.Mtime > ttl {
			out = append(out, path)
		}
	}
	sort.Strings(out)
	return out
}

// createNode adds a checked node (DataTree.createNode): czxid = mzxid = pzxid = zxid,
// ctime = mtime = timeMs; the parent's cversion goes up by one and its pzxid becomes zxid.
func (t *DataTree) createNode(path, parentPath string, parent *node, data []byte, acl []ACL,
	owner int64, zxid Zxid, timeMs int64) *node {
	t.saveFields(parentPath, parent)
	parent.stat.Cversion++
	parent.stat.Pzxid = zxid
	if parent.children == nil {
		parent.children = make(map[string]struct{})
	}
	_, name := splitPath(path)
	parent.children[name] = struct{}{}
	n := &node{data: data, acl: acl, stat: Stat{
		Czxid: zxid, Mzxid: zxid, Pzxid: zxid, Ctime: timeMs, Mtime: timeMs, EphemeralOwner: owner,
	}}
	t.nodes[path] = n
	t.addEphemeral(path, owner)
	t.pathDataBytes += len(path) + len(data)
	if t.inMulti {
		t.undo = append(t.undo, undoEntry{kind: undoCreate, path: path})
	}
	t.raise(path, EventNodeCreated)
	t.raise(parentPath, EventNodeChildrenChanged)
	return n
}

// delete checks and applies a delete. Checks in ZooKeeper's order
// (PrepRequestProcessor.getParentPathAndValidate, then the records): a "/" and no NUL in the
// path, not one of the built-in nodes (BADARGUMENTS), parent exists (NONODE), DELETE on the
// parent (NOAUTH), node exists (NONODE), version (BADVERSION), no children (NOTEMPTY). The path is not validated further: "/a/" or "/a/.."
// name no node, so they are NONODE.
func (t *DataTree) delete(path string, version int32, zxid Zxid, ids []ID) Err {
	parentPath, ok := parentOf(path)
	if !ok || isSpecialPath(path) {
		return ErrBadArguments
	}
	parent := t.nodes[parentPath]
	if parent == nil {
		return ErrNoNode
	}
	if err := allowed(parent, PermDelete, ids); err != OK {
		return err
	}
	n := t.nodes[path]
	if n == nil {
		return ErrNoNode
	}
	if version != -1 && version != n.stat.Version {
		return ErrBadVersion
	}
	if len(n.children) > 0 {
		return ErrNotEmpty
	}
	t.deleteNode(path, n, zxid)
	return OK
}

// deleteContainer is the delete ZooKeeper's ContainerManager submits for an empty container:
// BADARGUMENTS, NONODE, NOTEMPTY, then BADVERSION if the node is a plain ephemeral (ZooKeeper
// refuses only those; a persistent node is deleted like a container).
func (t *DataTree) deleteContainer(path string, zxid Zxid) Err {
	if _, ok := parentOf(path); !ok || isSpecialPath(path) {
		return ErrBadArguments
	}
	n := t.nodes[path]
	if n == nil {
		return ErrNoNode
	}
	if len(n.children) > 0 {
		return ErrNotEmpty
	}
	if isSessionOwner(n.stat.EphemeralOwner) {
		return ErrBadVersion
	}
	t.deleteNode(path, n, zxid)
	return OK
}

// deleteNode removes a checked childless node (DataTree.deleteNode): the parent's pzxid
// becomes zxid and its cversion does not change.
func (t *DataTree) deleteNode(path string, n *node, zxid Zxid) {
	parentPath, name := splitPath(path)
	parent := t.nodes[parentPath]
	t.saveFields(parentPath, parent)
	delete(parent.children, name)
	if zxid > parent.stat.Pzxid {
		parent.stat.Pzxid = zxid
	}
	delete(t.nodes, path)
	t.removeEphemeral(path, n.stat.EphemeralOwner)
	t.pathDataBytes -= len(path) + len(n.data)
	if t.inMulti {
		t.undo = append(t.undo, undoEntry{kind: undoDelete, path: path, n: n})
	}
	t.raise(path, EventNodeDeleted)
	t.raise(parentPath, EventNodeChildrenChanged)
}

// setData checks (BADARGUMENTS, NONODE, WRITE: NOAUTH, BADVERSION) and applies a setData:
// version+1, mzxid = zxid, mtime = txn time.
func (t *DataTree) setData(txn *Txn, op *Op) Result {
	if validatePath(op.Path, false) != nil || len(op.Data) > MaxDataBytes {
		return Result{Err: ErrBadArguments}
	}
	n := t.nodes[op.Path]
	if n == nil {
		return Result{Err: ErrNoNode}
	}
	if err := allowed(n, PermWrite, txn.Op.Auth); err != OK {
		return Result{Err: err}
	}
	if op.Version != -1 && op.Version != n.stat.Version {
		return Result{Err: ErrBadVersion}
	}
	if t.overLimit(len(op.Data) - len(n.data)) {
		return Result{Err: ErrQuotaExceeded}
	}
	t.saveFields(op.Path, n)
	t.pathDataBytes += len(op.Data) - len(n.data)
	n.data = op.Data
	n.stat.Version++
	n.stat.Mzxid = txn.Zxid
	n.stat.Mtime = txn.TimeMs
	t.raise(op.Path, EventNodeDataChanged)
	return Result{Stat: n.statValue()}
}

// setACL checks (BADARGUMENTS, INVALIDACL, NONODE, ADMIN: NOAUTH, BADVERSION against the
// aversion) and applies a setACL: aversion+1. It fires no watch.
func (t *DataTree) setACL(op *Op, ids []ID) Result {
	if validatePath(op.Path, false) != nil {
		return Result{Err: ErrBadArguments}
	}
	acl, err := fixupACL(op.ACL, ids)
	if err != OK {
		return Result{Err: err}
	}
	n := t.nodes[op.Path]
	if n == nil {
		return Result{Err: ErrNoNode}
	}
	if err := allowed(n, PermAdmin, ids); err != OK {
		return Result{Err: err}
	}
	if op.Version != -1 && op.Version != n.stat.Aversion {
		return Result{Err: ErrBadVersion}
	}
	t.saveFields(op.Path, n)
	n.acl = acl
	n.stat.Aversion++
	return Result{Stat: n.statValue()}
}

// check verifies a node's version (BADARGUMENTS, NONODE, READ: NOAUTH, BADVERSION) and
// changes nothing.
func (t *DataTree) check(op *Op, ids []ID) Err {
	if validatePath(op.Path, false) != nil {
		return ErrBadArguments
	}
	n := t.nodes[op.Path]
	if n == nil {
		return ErrNoNode
	}
	if err := allowed(n, PermRead, ids); err != OK {
		return err
	}
	if op.Version != -1 && op.Version != n.stat.Version {
		return ErrBadVersion
	}
	return OK
}

// closeSession deletes the session's ephemeral nodes in sorted path order, firing their
// watches, and removes the session (DataTree.killSession). An unknown session is a no-op.
func (t *DataTree) closeSession(session int64, zxid Zxid) {
	for _, p := range sortedKeys(t.ephemerals[session]) {
		if n := t.nodes[p]; n != nil {
			t.deleteNode(p, n, zxid)
		}
	}
	delete(t.ephemerals, session)
	delete(t.sessions, session)
}

func (t *DataTree) addEphemeral(path string, owner int64) {
	if !isSessionOwner(owner) {
		return
	}
	set := t.ephemerals[owner]
	if set == nil {
		set = make(map[string]struct{})
		t.ephemerals[owner] = set
	}
	set[path] = struct{}{}
}

func (t *DataTree) removeEphemeral(path string, owner int64) {
	if !isSessionOwner(owner) {
		return
	}
	set := t.ephemerals[owner]
	delete(set, path)
	if len(set) == 0 {
		delete(t.ephemerals, owner)
	}
}

// overLimit reports whether growing the tree by delta bytes would pass its data limit.
func (t *DataTree) overLimit(delta int) bool {
	return t.dataLimit > 0 && delta > 0 && t.pathDataBytes+delta > t.dataLimit
}
