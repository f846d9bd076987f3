package zkdb

import (
	"slices"
	"sort"
	"strings"
)

// node is one znode (ZooKeeper's DataNode).
type node struct {
	// data and acl are never modified in place: setData and setACL replace the slices, so
	// clones share them.
	data []byte
	acl  []ACL
	// stat is the persisted part of the Stat; DataLength and NumChildren are derived from
	// data and children and stay zero here.
	stat Stat
	// children holds the names (last path segments) of the child nodes; nil when none were
	// ever added.
	children map[string]struct{}
}

// statValue is the node's Stat as clients see it (DataNode.copyStat): DataLength and
// NumChildren derived; cversion turned from the count of child creates that the node keeps
// into the count of child changes (creates plus deletes: every create but those of the
// children still present has a matching delete), so a fresh "/" reads -1; and an
// ephemeralOwner that is not a session (a container's marker) reads 0.
func (n *node) statValue() Stat {
	st := n.stat
	st.DataLength = int32(len(n.data))
	st.NumChildren = int32(len(n.children))
	st.Cversion = 2*n.stat.Cversion - st.NumChildren
	if !isSessionOwner(st.EphemeralOwner) {
		st.EphemeralOwner = 0
	}
	return st
}

// DataTree is ZooKeeper's in-memory database of one server: the znodes (DataTree), the
// ephemeral nodes of each session, the session table (ZKDatabase.sessionsWithTimeouts) and
// the server's watches (WatchManager). Writes arrive as Txns through Apply; reads may
// register watches. It is not safe for concurrent use.
type DataTree struct {
	nodes map[string]*node
	// sessions maps a live session id to its timeout, ms.
	sessions map[int64]int32
	// ephemerals maps a session id to the paths of its ephemeral nodes.
	ephemerals map[int64]map[string]struct{}
	// lastProcessedZxid is the highest zxid applied.
	lastProcessedZxid Zxid
	// pathDataBytes is Σ len(path)+len(data) over the nodes, for ApproxBytes.
	pathDataBytes int
	// dataLimit bounds pathDataBytes (0: none); see Ensemble.DataLimit.
	dataLimit int
	// extendedTypes allows TTL nodes; see Ensemble.ExtendedTypes.
	extendedTypes bool

	// dataWatches holds exists and getData watches; childWatches getChildren watches.
	dataWatches  watchManager
	childWatches watchManager
	// persistent holds addWatch(PERSISTENT) watches, recursive addWatch(PERSISTENT_RECURSIVE)
	// ones: they stay after firing.
	persistent watchManager
	recursive  watchManager
	// pending are the watch triggers of the txn being applied, fired when it succeeds.
	pending []trigger
	// undo records how to roll back the ops of the multi being applied; recorded only while
	// inMulti is set.
	undo    []undoEntry
	inMulti bool
}

// NewDataTree returns a tree for a server that knows nothing of its ensemble
// (NewDataTreeFor with no members).
func NewDataTree() *DataTree { return NewDataTreeFor(Ensemble{}) }

// NewDataTreeFor returns a tree holding what every ZooKeeper 3.8 server starts with: "/",
// "/zookeeper" and "/zookeeper/quota" with empty (not null) data, and "/zookeeper/config"
// with a read-only ACL (aversion -1, as DataTree.addConfigNode leaves it) holding the
// ensemble's membership (ZKDatabase.initConfigInZKDatabase: version -1, mzxid the config's
// version). Without members the config node is empty, with version 0. Zxids and times are
// zero.
func NewDataTreeFor(e Ensemble) *DataTree {
	t := &DataTree{
		nodes:      make(map[string]*node),
		sessions:   make(map[int64]int32),
		ephemerals: make(map[int64]map[string]struct{}),
		dataLimit:  e.DataLimit,

		extendedTypes: e.ExtendedTypes,
	}
	empty := []byte{}
	t.nodes[rootPath] = &node{data: empty, acl: openACL, children: map[string]struct{}{"zookeeper": {}}}
	t.nodes[procPath] = &node{data: empty, acl: openACL, children: map[string]struct{}{"quota": {}, "config": {}}}
	t.nodes[quotaPath] = &node{data: empty, acl: openACL}
	config := &node{data: e.ConfigData(), acl: readACL, stat: Stat{Aversion: -1}}
	if len(e.Servers) > 0 {
		config.stat.Version = -1
		config.stat.Mzxid = Zxid(e.Version)
	}
	t.nodes[configPath] = config
	for p, n := range t.nodes {
		t.pathDataBytes += len(p) + len(n.data)
	}
	return t
}

// LastProcessedZxid is the highest zxid applied to the tree (or set by SetLastProcessedZxid).
func (t *DataTree) LastProcessedZxid() Zxid { return t.lastProcessedZxid }

// SetLastProcessedZxid sets the last processed zxid, e.g. after loading a snapshot.
func (t *DataTree) SetLastProcessedZxid(z Zxid) { t.lastProcessedZxid = z }

// GetData returns the node's data and stat. A non-zero watcher sets a data watch, only if the
// node exists. The returned data is the tree's own and must not be modified.
func (t *DataTree) GetData(path string, watcher int64) ([]byte, Stat, Err) {
	n := t.nodes[lookupPath(path)]
	if n == nil {
		return nil, Stat{}, ErrNoNode
	}
	if watcher != 0 {
		t.dataWatches.add(path, watcher)
	}
	return n.data, n.statValue(), OK
}

// Exists returns the node's stat, or ErrNoNode. A non-zero watcher sets a data watch even if
// the node does not exist, so its creation fires NodeCreated. A path with a NUL is
// BADARGUMENTS (FinalRequestProcessor checks it for exists only).
func (t *DataTree) Exists(path string, watcher int64) (Stat, Err) {
	if strings.IndexByte(path, 0) >= 0 {
		return Stat{}, ErrBadArguments
	}
	if watcher != 0 {
		t.dataWatches.add(path, watcher)
	}
	n := t.nodes[lookupPath(path)]
	if n == nil {
		return Stat{}, ErrNoNode
	}
	return n.statValue(), OK
}

// GetChildren returns the names of the node's children, sorted, and its stat. A non-zero
// watcher sets a child watch, only if the node exists.
func (t *DataTree) GetChildren(path string, watcher int64) ([]string, Stat, Err) {
	n := t.nodes[lookupPath(path)]
	if n == nil {
		return nil, Stat{}, ErrNoNode
	}
	if watcher != 0 {
		t.childWatches.add(path, watcher)
	}
	return sortedKeys(n.children), n.statValue(), OK
}

// GetACL returns a copy of the node's ACL and its stat.
func (t *DataTree) GetACL(path string) ([]ACL, Stat, Err) {
	n := t.nodes[lookupPath(path)]
	if n == nil {
		return nil, Stat{}, ErrNoNode
	}
	return slices.Clone(n.acl), n.statValue(), OK
}

// CheckRead is the permission check of a read op from a connection with op.Auth
// (FinalRequestProcessor): getData, getChildren(2) and getAllChildrenNumber need READ, getACL
// READ or ADMIN, exists nothing. It returns NOAUTH, or OK (also when the node is missing:
// the read itself then answers NONODE), and sets no watch.
func (t *DataTree) CheckRead(op *Op) Err {
	var perm int32
	switch op.Type {
	case OpGetData, OpGetChildren, OpGetChildren2, OpGetAllChildrenNumber:
		perm = PermRead
	case OpGetACL:
		perm = PermRead | PermAdmin
	default:
		return OK
	}
	n := t.nodes[lookupPath(op.Path)]
	if n == nil {
		return OK
	}
	return allowed(n, perm, op.Auth)
}

// Sessions returns a copy of the session table: session id -> timeout, ms.
func (t *DataTree) Sessions() map[int64]int32 {
	out := make(map[int64]int32, len(t.sessions))
	for id, timeout := range t.sessions {
		out[id] = timeout
	}
	return out
}

// HasSession reports whether the session is in the session table.
func (t *DataTree) HasSession(id int64) bool {
	_, ok := t.sessions[id]
	return ok
}

// Ephemerals returns the paths of the session's ephemeral nodes, sorted.
func (t *DataTree) Ephemerals(session int64) []string {
	return sortedKeys(t.ephemerals[session])
}

// NodeCount is the number of znodes, the four built-in ones included.
func (t *DataTree) NodeCount() int { return len(t.nodes) }

// Per-record sizes of a ZooKeeper snapshot: a node is its path and data (each length
// prefixed), an ACL reference and a StatPersisted; a session is its id and timeout.
const (
	snapHeaderBytes  = 16
	snapNodeBytes    = 4 + 4 + 8 + 60
	snapSessionBytes = 8 + 4
)

// ApproxBytes approximates the size of a snapshot of the tree, for sync-mode decisions.
func (t *DataTree) ApproxBytes() int {
	return snapHeaderBytes + len(t.nodes)*snapNodeBytes + t.pathDataBytes +
		4 + len(t.sessions)*snapSessionBytes
}

// Clone returns a deep copy of the nodes, sessions, ephemerals and last processed zxid, for a
// snapshot. Data and ACL slices are shared (they are never modified in place). Watches are
// not copied: they are a server's in-memory state, which a snapshot does not hold.
func (t *DataTree) Clone() *DataTree {
	c := &DataTree{
		nodes:             make(map[string]*node, len(t.nodes)),
		sessions:          make(map[int64]int32, len(t.sessions)),
		ephemerals:        make(map[int64]map[string]struct{}, len(t.ephemerals)),
		lastProcessedZxid: t.lastProcessedZxid,
		dataLimit:         t.dataLimit,
		extendedTypes:     t.extendedTypes,
		pathDataBytes:     t.pathDataBytes,
	}
	slab := make([]node, len(t.nodes))
	i := 0
	for p, n := range t.nodes {
		cn := &slab[i]
		i++
		*cn = *n
		if len(n.children) > 0 {
			cn.children = make(map[string]struct{}, len(n.children))
			for name := range n.children {
				cn.children[name] = struct{}{}
			}
		} else {
			cn.children = nil
		}
		c.nodes[p] = cn
	}
	for id, timeout := range t.sessions {
		c.sessions[id] = timeout
	}
	for id, paths := range t.ephemerals {
		cp := make(map[string]struct{}, len(paths))
		for p := range paths {
			cp[p] = struct{}{}
		}
		c.ephemerals[id] = cp
	}
	return c
}

// Walk visits every node depth-first, parents before children, children in sorted order,
// until fn returns false. The data passed to fn must not be modified.
func (t *DataTree) Walk(fn func(path string, data []byte, st Stat) bool) {
	t.walk(rootPath, fn)
}

func (t *DataTree) walk(path string, fn func(string, []byte, Stat) bool) bool {
	n := t.nodes[path]
	if n == nil {
		return true
	}
	if !fn(path, n.data, n.statValue()) {
		return false
	}
	for _, name := range sortedKeys(n.children) {
		if !t.walk(childPath(path, name), fn) {
			return false
		}
	}
	return true
}

// sortedKeys returns the keys of a set, sorted; never nil, so that a wire encoder does not
// write a null vector.
func sortedKeys(set map[string]struct{}) []string {
	if len(set) == 0 {
		return []string{}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
