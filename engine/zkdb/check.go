package zkdb

import (
	"fmt"
	"strings"
)

// CheckConsistency verifies the tree's structural invariants and returns the first one
// broken, or nil: the root exists; every other node has a valid path, a parent that lists
// it and is not ephemeral; every listed child exists; pzxid ≥ czxid and mzxid ≥ czxid; every
// ephemeral node belongs to a live session and is indexed under it, and the index holds
// nothing else; the size counter and the watch indexes agree. It costs O(nodes + watches).
func (t *DataTree) CheckConsistency() error {
	if t.nodes[rootPath] == nil {
		return fmt.Errorf("zkdb: root node missing")
	}
	bytes := 0
	for p, n := range t.nodes {
		bytes += len(p) + len(n.data)
		if err := t.checkNode(p, n); err != nil {
			return err
		}
	}
	if bytes != t.pathDataBytes {
		return fmt.Errorf("zkdb: size counter %d, actual %d", t.pathDataBytes, bytes)
	}
	for id, set := range t.ephemerals {
		if len(set) == 0 {
			return fmt.Errorf("zkdb: empty ephemeral set for session %#x", id)
		}
		for p := range set {
			if n := t.nodes[p]; n == nil || n.stat.EphemeralOwner != id {
				return fmt.Errorf("zkdb: ephemeral index lists %s for session %#x", p, id)
			}
		}
	}
	if err := t.dataWatches.check("data"); err != nil {
		return err
	}
	return t.childWatches.check("child")
}

func (t *DataTree) checkNode(p string, n *node) error {
	if n.stat.Pzxid < n.stat.Czxid || n.stat.Mzxid < n.stat.Czxid {
		return fmt.Errorf("zkdb: %s: pzxid %s / mzxid %s below czxid %s", p, n.stat.Pzxid, n.stat.Mzxid, n.stat.Czxid)
	}
	for name := range n.children {
		if strings.Contains(name, "/") || t.nodes[childPath(p, name)] == nil {
			return fmt.Errorf("zkdb: %s lists missing child %q", p, name)
		}
	}
	if owner := n.stat.EphemeralOwner; isSessionOwner(owner) {
		if len(n.children) > 0 {
			return fmt.Errorf("zkdb: ephemeral %s has children", p)
		}
		if _, ok := t.sessions[owner]; !ok {
			return fmt.Errorf("zkdb: ephemeral %s owned by unknown session %#x", p, owner)
		}
		if _, ok := t.ephemerals[owner][p]; !ok {
			return fmt.Errorf("zkdb: ephemeral %s missing from the index of session %#x", p, owner)
		}
	}
	if p == rootPath {
		return nil
	}
	if err := ValidatePath(p); err != nil {
		return err
	}
	parentPath, name := splitPath(p)
	parent := t.nodes[parentPath]
	if parent == nil {
		return fmt.Errorf("zkdb: %s has no parent", p)
	}
	if _, ok := parent.children[name]; !ok {
		return fmt.Errorf("zkdb: parent of %s does not list it", p)
	}
	return nil
}

func (m *watchManager) check(kind string) error {
	n := 0
	for p, ws := range m.byPath {
		if len(ws) == 0 {
			return fmt.Errorf("zkdb: empty %s watch set for %s", kind, p)
		}
		for w := range ws {
			if _, ok := m.byWatcher[w][p]; !ok {
				return fmt.Errorf("zkdb: %s watch %s/%d missing from the watcher index", kind, p, w)
			}
			n++
		}
	}
	for _, ps := range m.byWatcher {
		n -= len(ps)
	}
	if n != 0 {
		return fmt.Errorf("zkdb: %s watch indexes disagree", kind)
	}
	return nil
}
