package zkdb

import (
	"math"
	"strconv"
)

// OpType is a ZooKeeper request opcode (ZooDefs.OpCode).
type OpType int32

// ZooKeeper's opcodes (ZooDefs.OpCode).
const (
	OpNotification         OpType = 0
	OpCreate               OpType = 1
	OpDelete               OpType = 2
	OpExists               OpType = 3
	OpGetData              OpType = 4
	OpSetData              OpType = 5
	OpGetACL               OpType = 6
	OpSetACL               OpType = 7
	OpGetChildren          OpType = 8
	OpSync                 OpType = 9
	OpPing                 OpType = 11
	OpGetChildren2         OpType = 12
	OpCheck                OpType = 13
	OpMulti                OpType = 14
	OpCreate2              OpType = 15
	OpReconfig             OpType = 16
	OpCheckWatches         OpType = 17
	OpRemoveWatches        OpType = 18
	OpCreateContainer      OpType = 19
	OpDeleteContainer      OpType = 20
	OpCreateTTL            OpType = 21
	OpMultiRead            OpType = 22
	OpAuth                 OpType = 100
	OpSetWatches           OpType = 101
	OpSasl                 OpType = 102
	OpGetEphemerals        OpType = 103
	OpGetAllChildrenNumber OpType = 104
	OpSetWatches2          OpType = 105
	OpAddWatch             OpType = 106
	OpWhoAmI               OpType = 107
	OpCreateSession        OpType = -10
	OpCloseSession         OpType = -11
	OpError                OpType = -1
)

var opNames = map[OpType]string{
	OpNotification: "notification", OpCreate: "create", OpDelete: "delete", OpExists: "exists",
	OpGetData: "getData", OpSetData: "setData", OpGetACL: "getACL", OpSetACL: "setACL",
	OpGetChildren: "getChildren", OpSync: "sync", OpPing: "ping", OpGetChildren2: "getChildren2",
	OpCheck: "check", OpMulti: "multi", OpCreate2: "create2", OpReconfig: "reconfig",
	OpCheckWatches: "checkWatches", OpRemoveWatches: "removeWatches",
	OpCreateContainer: "createContainer", OpDeleteContainer: "deleteContainer",
	OpCreateTTL: "createTTL", OpMultiRead: "multiRead", OpAuth: "auth",
	OpSetWatches: "setWatches", OpSasl: "sasl", OpGetEphemerals: "getEphemerals",
	OpGetAllChildrenNumber: "getAllChildrenNumber", OpSetWatches2: "setWatches2",
	OpAddWatch: "addWatch", OpWhoAmI: "whoAmI", OpCreateSession: "createSession",
	OpCloseSession: "closeSession", OpError: "error",
}

// String is the opcode's name in ZooDefs.OpCode ("create", "setData", "createSession");
// an unknown opcode is "op(<n>)".
func (o OpType) String() string {
	if s, ok := opNames[o]; ok {
		return s
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// IsCreate reports whether o creates a node (create, create2, createContainer, createTTL).
func (o OpType) IsCreate() bool {
	return o == OpCreate || o == OpCreate2 || o == OpCreateContainer || o == OpCreateTTL
}

// CreateMode is the flags field of a create request (ZooKeeper's CreateMode).
type CreateMode int32

// ZooKeeper's create modes.
const (
	Persistent                  CreateMode = 0
	Ephemeral                   CreateMode = 1
	PersistentSequential        CreateMode = 2
	EphemeralSequential         CreateMode = 3
	Container                   CreateMode = 4
	PersistentWithTTL           CreateMode = 5
	PersistentSequentialWithTTL CreateMode = 6
)

// IsEphemeral reports whether nodes of this mode die with their session.
func (m CreateMode) IsEphemeral() bool { return m == Ephemeral || m == EphemeralSequential }

// IsSequential reports whether the server appends a %010d sequence suffix to the name.
func (m CreateMode) IsSequential() bool {
	return m == PersistentSequential || m == EphemeralSequential || m == PersistentSequentialWithTTL
}

// IsContainer reports whether m is CONTAINER.
func (m CreateMode) IsContainer() bool { return m == Container }

// IsTTL reports whether m is one of the TTL modes.
func (m CreateMode) IsTTL() bool { return m == PersistentWithTTL || m == PersistentSequentialWithTTL }

// valid reports whether m is a flag value CreateMode.fromFlag accepts.
func (m CreateMode) valid() bool { return m >= Persistent && m <= PersistentSequentialWithTTL }

var modeNames = [...]string{"PERSISTENT", "EPHEMERAL", "PERSISTENT_SEQUENTIAL",
	"EPHEMERAL_SEQUENTIAL", "CONTAINER", "PERSISTENT_WITH_TTL", "PERSISTENT_SEQUENTIAL_WITH_TTL"}

// String is ZooKeeper's name for the mode ("EPHEMERAL_SEQUENTIAL").
func (m CreateMode) String() string {
	if m.valid() {
		return modeNames[m]
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// ContainerEphemeralOwner is the ephemeralOwner of a container node (0x8000000000000000,
// EphemeralType.CONTAINER_EPHEMERAL_OWNER).
const ContainerEphemeralOwner int64 = math.MinInt64

// EphemeralType.TTL's encoding of a TTL node's ttl in its ephemeralOwner: the top byte all
// ones (the extended-type marker), the next two bytes the feature (0 for TTL), the low 40
// bits the ttl in ms. Session ids start with the server id (at most 254 with extended
// types), so they never look like this.
const (
	extendedMask      = -0x0100000000000000 // 0xff00000000000000
	extendedFieldMask = 0x00ffff0000000000
	// MaxTTLMs is the largest ttl (EphemeralType.TTL.maxValue: about 34 years).
	MaxTTLMs int64 = 0x000000ffffffffff
)

// TTLEphemeralOwner is the ephemeralOwner of a TTL node (EphemeralType.TTL.toEphemeralOwner);
// ok is false for a ttl out of (0, MaxTTLMs].
func TTLEphemeralOwner(ttlMs int64) (owner int64, ok bool) {
	if ttlMs <= 0 || ttlMs > MaxTTLMs {
		return 0, false
	}
	return extendedMask | ttlMs, true
}

// TTLOf is the ttl (ms) a TTL node's ephemeralOwner encodes; ok is false for any other
// owner (a session, a container, none).
func TTLOf(owner int64) (ttlMs int64, ok bool) {
	if owner&extendedMask != extendedMask || owner&extendedFieldMask != 0 {
		return 0, false
	}
	return owner & MaxTTLMs, true
}

// EventType is the type of a watch notification (Watcher.Event.EventType).
type EventType int32

// ZooKeeper's watch event types.
const (
	EventNone                   EventType = -1
	EventNodeCreated            EventType = 1
	EventNodeDeleted            EventType = 2
	EventNodeDataChanged        EventType = 3
	EventNodeChildrenChanged    EventType = 4
	EventDataWatchRemoved       EventType = 5
	EventChildWatchRemoved      EventType = 6
	EventPersistentWatchRemoved EventType = 7
)

// String is ZooKeeper's name for the event type ("NodeCreated").
func (e EventType) String() string {
	switch e {
	case EventNone:
		return "None"
	case EventNodeCreated:
		return "NodeCreated"
	case EventNodeDeleted:
		return "NodeDeleted"
	case EventNodeDataChanged:
		return "NodeDataChanged"
	case EventNodeChildrenChanged:
		return "NodeChildrenChanged"
	case EventDataWatchRemoved:
		return "DataWatchRemoved"
	case EventChildWatchRemoved:
		return "ChildWatchRemoved"
	case EventPersistentWatchRemoved:
		return "PersistentWatchRemoved"
	}
	return "event(" + strconv.Itoa(int(e)) + ")"
}

// WatchEvent is a fired one-shot watch: Watcher (a connection id) is to be sent an event of
// Type for Path.
type WatchEvent struct {
	Watcher int64
	Type    EventType
	Path    string
}

// Permission bits of an ACL entry (ZooDefs.Perms).
const (
	PermRead   int32 = 1
	PermWrite  int32 = 2
	PermCreate int32 = 4
	PermDelete int32 = 8
	PermAdmin  int32 = 16
	PermAll    int32 = 31
)

// ACL is one access-control entry: permission bits granted to Scheme:ID.
type ACL struct {
	Perms  int32  `json:"perms"`
	Scheme string `json:"scheme"`
	ID     string `json:"id"`
}

// OpenACL is ZooDefs.Ids.OPEN_ACL_UNSAFE: everything for world:anyone.
var OpenACL = []ACL{{Perms: PermAll, Scheme: "world", ID: "anyone"}}

// openACL and readACL are the tree's own copies for the built-in nodes, safe from callers
// that modify OpenACL.
var (
	openACL = []ACL{{Perms: PermAll, Scheme: "world", ID: "anyone"}}
	readACL = []ACL{{Perms: PermRead, Scheme: "world", ID: "anyone"}}
)

// Stat is a znode's metadata, fields in jute order (68 bytes on the wire).
type Stat struct {
	Czxid          Zxid  `json:"czxid"`          // zxid of the create
	Mzxid          Zxid  `json:"mzxid"`          // zxid of the last setData (or the create)
	Ctime          int64 `json:"ctime"`          // leader's clock at create, ms
	Mtime          int64 `json:"mtime"`          // leader's clock at the last setData, ms
	Version        int32 `json:"version"`        // number of setData
	Cversion       int32 `json:"cversion"`       // number of child creates and deletes (see statValue)
	Aversion       int32 `json:"aversion"`       // number of setACL
	EphemeralOwner int64 `json:"ephemeralOwner"` // session id of an ephemeral node, else 0
	DataLength     int32 `json:"dataLength"`
	NumChildren    int32 `json:"numChildren"`
	Pzxid          Zxid  `json:"pzxid"` // zxid of the last child create or delete (or the create)
}
