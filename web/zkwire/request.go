package zkwire

import (
	"fmt"

	"github.com/zablab/zablab/engine/zkdb"
)

// Request is the decoded body of any request the server supports. Type says which fields
// are meaningful:
//
//	create, create2, createContainer   Path, Data, ACL, Mode
//	createTTL                          Path, Data, ACL, Mode, TTL
//	delete, check                      Path, Version
//	exists, getData                    Path, Watch
//	getChildren, getChildren2          Path, Watch
//	setData                            Path, Data, Version
//	getACL, sync                       Path
//	setACL                             Path, ACL, Version
//	multi, multiRead                   Ops
//	getEphemerals                      Path (the prefix)
//	getAllChildrenNumber               Path
//	addWatch                           Path, WatchMode
//	removeWatches, checkWatches        Path, WatcherType
//	auth                               Auth
//	setWatches, setWatches2            Watches
//	reconfig                           Reconfig
//	ping, closeSession, whoAmI         nothing
//
// An opcode the package does not know (sasl, deleteContainer, createSession, ...) decodes to
// a Request with only Type and Unknown set, so the server can reply UNIMPLEMENTED.
type Request struct {
	Type zkdb.OpType
	// Unknown is set for opcodes without a decoder here; the body was not read.
	Unknown bool
	// NullPath is set when a path (of the request or of one of its ops) was sent as a null
	// string; it reads as "". ZooKeeper decodes such a request and then fails it with
	// MARSHALLINGERROR (its path handling meets a null).
	NullPath bool

	Path string
	// Data is nil if the client sent a null buffer (go-zookeeper does for nil data).
	Data []byte
	// ACL is nil if the client sent an empty or null vector.
	ACL []zkdb.ACL
	// Mode is the flags field of a create, as sent (not validated).
	Mode zkdb.CreateMode
	// TTL is the ttl of a createTTL, ms.
	TTL int64
	// Version is the expected version (-1 = any).
	Version int32
	// Watch asks for a one-shot watch (exists, getData, getChildren, getChildren2).
	Watch bool
	// Ops are the ops of a multi (create, create2, createContainer, createTTL, delete,
	// setData, check) or of a multiRead (getChildren, getData), each with its Type. The
	// type is the one in the op's MultiHeader; ZooKeeper itself re-derives the type of a
	// create op from its mode (container → createContainer, TTL → createTTL, else create).
	Ops []Request
	// WatchMode is the mode of an addWatch (AddWatchPersistent, AddWatchPersistentRecursive).
	WatchMode int32
	// WatcherType is the type of a removeWatches or checkWatches (WatcherChildren,
	// WatcherData, WatcherAny).
	WatcherType int32

	Auth     *AuthPacket
	Watches  *SetWatches
	Reconfig *ReconfigRequest
}

// AuthPacket is the body of an auth request (op 100).
type AuthPacket struct {
	Type   int32 // always 0
	Scheme string
	Auth   []byte
}

// SetWatches is the body of setWatches (op 101) and setWatches2 (op 105; only setWatches2
// carries the persistent lists).
type SetWatches struct {
	// RelativeZxid is the last zxid the client saw: changes after it fire at once.
	RelativeZxid        zkdb.Zxid
	DataWatches         []string
	ExistWatches        []string
	ChildWatches        []string
	PersistentWatches   []string
	PersistentRecursive []string
}

// ReconfigRequest is the body of a reconfig request (op 16). Null strings (the Java client
// and go-zookeeper send them for unused lists) decode as "", like every null string.
type ReconfigRequest struct {
	JoiningServers string
	LeavingServers string
	NewMembers     string
	CurConfigID    int64
}

// DecodeRequest decodes a request frame payload (RequestHeader, then the body).
//
// If the frame is shorter than the header it returns ErrShortHeader and a zero header. If the
// body is malformed (truncated, bad lengths, a multi op of the wrong type or a multi without
// its terminator) it returns the valid header, a nil Request and an error:
// ZooKeeper answers such a request with MARSHALLINGERROR under the request's xid. Bytes after
// a complete body are ignored, as ZooKeeper does. An unknown opcode is not an error: the
// Request has Unknown set. The Request never aliases frame.
func DecodeRequest(frame []byte) (RequestHeader, *Request, error) {
	if len(frame) < RequestHeaderSize {
		return RequestHeader{}, nil, ErrShortHeader
	}
	d := decoder{b: frame}
	h := RequestHeader{Xid: d.readInt32(), Type: zkdb.OpType(d.readInt32())}
	r := &Request{Type: h.Type}
	if h.Type == zkdb.OpMulti || h.Type == zkdb.OpMultiRead {
		r.Ops = d.readOps(h.Type)
	} else if !d.readBody(r) {
		r.Unknown = true
	}
	if d.err != nil {
		return h, nil, fmt.Errorf("zkwire: %v request: %w", h.Type, d.err)
	}
	r.NullPath = d.nullPath
	return h, r, nil
}

// readBody reads the body of r.Type into r. It reports false for an opcode it does not know
// (and for multi, which readOps handles).
func (d *decoder) readBody(r *Request) bool {
	switch r.Type {
	case zkdb.OpCreate, zkdb.OpCreate2, zkdb.OpCreateContainer, zkdb.OpCreateTTL:
		r.Path = d.readPath()
		r.Data = d.readBuffer()
		r.ACL = d.readACLs()
		r.Mode = zkdb.CreateMode(d.readInt32())
		if r.Type == zkdb.OpCreateTTL {
			r.TTL = d.readInt64()
		}
	case zkdb.OpDelete, zkdb.OpCheck:
		r.Path = d.readPath()
		r.Version = d.readInt32()
	case zkdb.OpExists, zkdb.OpGetData, zkdb.OpGetChildren, zkdb.OpGetChildren2:
		r.Path = d.readPath()
		r.Watch = d.readBool()
	case zkdb.OpSetData:
		r.Path = d.readPath()
		r.Data = d.readBuffer()
		r.Version = d.readInt32()
	case zkdb.OpGetACL, zkdb.OpSync, zkdb.OpGetEphemerals, zkdb.OpGetAllChildrenNumber:
		r.Path = d.readPath()
	case zkdb.OpSetACL:
		r.Path = d.readPath()
		r.ACL = d.readACLs()
		r.Version = d.readInt32()
	case zkdb.OpAddWatch:
		r.Path = d.readPath()
		r.WatchMode = d.readInt32()
	case zkdb.OpRemoveWatches, zkdb.OpCheckWatches:
		r.Path = d.readPath()
		r.WatcherType = d.readInt32()
	case zkdb.OpAuth:
		r.Auth = &AuthPacket{Type: d.readInt32(), Scheme: d.readString(), Auth: d.readBuffer()}
	case zkdb.OpSetWatches, zkdb.OpSetWatches2:
		w := &SetWatches{RelativeZxid: zkdb.Zxid(d.readInt64())}
		w.DataWatches = d.readStrings()
		w.ExistWatches = d.readStrings()
		w.ChildWatches = d.readStrings()
		if r.Type == zkdb.OpSetWatches2 {
			w.PersistentWatches = d.readStrings()
			w.PersistentRecursive = d.readStrings()
		}
		r.Watches = w
	case zkdb.OpReconfig:
		r.Reconfig = &ReconfigRequest{
			JoiningServers: d.readString(),
			LeavingServers: d.readString(),
			NewMembers:     d.readString(),
			CurConfigID:    d.readInt64(),
		}
	case zkdb.OpPing, zkdb.OpCloseSession, zkdb.OpWhoAmI:
	default:
		return false
	}
	return true
}
