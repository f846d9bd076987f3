package zkdb

// MaxDataBytes is the largest znode data accepted (1 MiB, ZooKeeper's jute.maxbuffer).
const MaxDataBytes = 1 << 20

// Op is one client write operation as submitted (also one element of a multi).
//
// Apply keeps references to Data and ACL in the tree: they must not be modified afterwards.
type Op struct {
	// Type is OpCreate, OpCreate2, OpCreateContainer, OpCreateTTL, OpDelete,
	// OpDeleteContainer, OpSetData, OpSetACL, OpCheck, OpMulti, OpCreateSession,
	// OpCloseSession, OpReconfig (always RECONFIGDISABLED) or OpError (a request the server
	// could not process, such as one with a null path: always MARSHALLINGERROR).
	Type OpType `json:"type"`
	Path string `json:"path,omitempty"`
	Data []byte `json:"data,omitempty"`
	// ACL of a create, or the new ACL of a setACL. It must not be empty (INVALIDACL); use
	// OpenACL for "anyone may do anything".
	ACL  []ACL      `json:"acl,omitempty"`
	Mode CreateMode `json:"mode,omitempty"`
	// Version is the expected version for delete, setData, check (the node's version) and
	// setACL (the node's aversion); -1 matches any. On a getData or getChildren op of a
	// multiRead, 1 asks for a watch.
	Version int32 `json:"version,omitempty"`
	// TTL is the ttl of a createTTL, ms (CreateTTLRequest.ttl); 0 for every other op, which
	// ZooKeeper reads as -1 (no ttl).
	TTL int64 `json:"ttl,omitempty"`
	// Timeout is the negotiated session timeout of a createSession, ms.
	Timeout int32 `json:"timeout,omitempty"`
	// Ops are the operations of a multi (or the getData and getChildren ops of a multiRead,
	// which the serving server answers and never makes a txn of).
	Ops []Op `json:"ops,omitempty"`
	// Auth holds the ids of the connection that sent the op (ZooKeeper's Request.authInfo),
	// for the ACL checks (NOAUTH) and the expansion of "auth" ACL entries. A multi's ops are
	// checked with the multi's Auth. Nil means no identity: only world:anyone grants.
	Auth []ID `json:"auth,omitempty"`
}

// Txn is a proposal's content: what the leader assigned (zxid, time, session, cxid) plus the
// client's op. Applying a Txn is deterministic: every replica applying the same sequence of
// txns to the same starting tree reaches the same state and the same results, errors included.
type Txn struct {
	Zxid      Zxid
	SessionID int64
	Cxid      int32
	// TimeMs is the leader's simulated clock when it proposed the txn; it becomes the
	// ctime/mtime of the nodes the txn creates or changes.
	TimeMs int64
	Op     Op
}

// Hash is a stable FNV-1a-64 hash of every field of t, nested ops included. Nil and empty
// byte slices and op lists hash alike. It does not allocate.
func (t *Txn) Hash() uint64 {
	h := uint64(fnvOffset)
	h = fnvUint64(h, uint64(t.Zxid))
	h = fnvUint64(h, uint64(t.SessionID))
	h = fnvUint64(h, uint64(uint32(t.Cxid)))
	h = fnvUint64(h, uint64(t.TimeMs))
	return hashOp(h, &t.Op)
}

func hashOp(h uint64, op *Op) uint64 {
	h = fnvUint64(h, uint64(uint32(op.Type)))
	h = fnvString(h, op.Path)
	h = fnvBytes(h, op.Data)
	h = hashACL(h, op.ACL)
	h = fnvUint64(h, uint64(uint32(op.Mode)))
	h = fnvUint64(h, uint64(uint32(op.Version)))
	h = fnvUint64(h, uint64(uint32(op.Timeout)))
	h = fnvUint64(h, uint64(len(op.Ops)))
	for i := range op.Ops {
		h = hashOp(h, &op.Ops[i])
	}
	if op.TTL != 0 { // absent from older txns' hashes
		h = fnvUint64(h, uint64(op.TTL))
	}
	if len(op.Auth) > 0 { // absent from older txns' hashes
		h = fnvUint64(h, uint64(len(op.Auth)))
		for _, id := range op.Auth {
			h = fnvString(h, id.Scheme)
			h = fnvString(h, id.ID)
		}
	}
	return h
}

func hashACL(h uint64, acl []ACL) uint64 {
	h = fnvUint64(h, uint64(len(acl)))
	for _, a := range acl {
		h = fnvUint64(h, uint64(uint32(a.Perms)))
		h = fnvString(h, a.Scheme)
		h = fnvString(h, a.ID)
	}
	return h
}

// txnHeaderBytes is the size of ZooKeeper's TxnHeader: clientId, cxid, zxid, time, type.
const txnHeaderBytes = 8 + 4 + 8 + 8 + 4

// SizeBytes approximates the serialized size of t in a txn log (TxnHeader plus the txn
// record ZooKeeper would write), for sync-mode decisions.
func (t *Txn) SizeBytes() int {
	return txnHeaderBytes + opBytes(&t.Op)
}

// opBytes approximates the jute size of the txn record of one op.
func opBytes(op *Op) int {
	switch {
	case op.Type == OpCreateTTL:
		// CreateTTLTxn: path, data, acl, parentCVersion, ttl.
		return 4 + len(op.Path) + 4 + len(op.Data) + aclBytes(op.ACL) + 4 + 8
	case op.Type.IsCreate():
		// CreateTxn: path, data, acl, ephemeral bool, parentCVersion.
		return 4 + len(op.Path) + 4 + len(op.Data) + aclBytes(op.ACL) + 1 + 4
	case op.Type == OpSetData:
		return 4 + len(op.Path) + 4 + len(op.Data) + 4
	case op.Type == OpSetACL:
		return 4 + len(op.Path) + aclBytes(op.ACL) + 4
	case op.Type == OpDelete || op.Type == OpDeleteContainer:
		return 4 + len(op.Path)
	case op.Type == OpCheck:
		return 4 + len(op.Path) + 4
	case op.Type == OpCreateSession:
		return 4
	case op.Type == OpMulti:
		n := 4
		for i := range op.Ops {
			n += 4 + 4 + opBytes(&op.Ops[i]) // Txn{type, data buffer}
		}
		return n
	}
	return 0
}

func aclBytes(acl []ACL) int {
	n := 4
	for _, a := range acl {
		n += 4 + 4 + len(a.Scheme) + 4 + len(a.ID)
	}
	return n
}

// Result is the outcome of applying a txn or of a read.
type Result struct {
	// Err is the op's error code. For a multi it is OK even when an op failed (the per-op
	// results carry the error, as in ZooKeeper's reply header); see MultiFailed. A multi that
	// cannot be decoded (a nested multi, a session op inside it) fails as a whole with
	// MARSHALLINGERROR and has no per-op results.
	Err Err
	// Path is the path actually created (with its sequence suffix) by a create.
	Path string
	// Stat is the node's stat after a create (any create op), setData or setACL.
	Stat Stat
	// Multi holds one result per op of a multi. If an op failed, the ops before it report
	// OK, the failing one its code and the later ones RUNTIMEINCONSISTENCY, and no op took
	// effect.
	Multi []Result
}

// MultiFailed reports whether r is a failed multi (or any failed result).
func (r Result) MultiFailed() bool { return r.FirstErr() != OK }

// FirstErr is r.Err if it is not OK, else the first per-op error of a multi, else OK.
func (r Result) FirstErr() Err {
	if r.Err != OK {
		return r.Err
	}
	for _, m := range r.Multi {
		if m.Err != OK {
			return m.Err
		}
	}
	return OK
}
