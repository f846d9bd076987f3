package zkdb

import "slices"

// watchManager is one of ZooKeeper's two WatchManagers (data watches, child watches): which
// watchers wait on which path. Watches are one-shot: firing removes them.
type watchManager struct {
	byPath    map[string]map[int64]struct{}
	byWatcher map[int64]map[string]struct{}
}

func (m *watchManager) add(path string, watcher int64) {
	if m.byPath == nil {
		m.byPath = make(map[string]map[int64]struct{})
		m.byWatcher = make(map[int64]map[string]struct{})
	}
	ws := m.byPath[path]
	if ws == nil {
		ws = make(map[int64]struct{})
		m.byPath[path] = ws
	}
	ws[watcher] = struct{}{}
	ps := m.byWatcher[watcher]
	if ps == nil {
		ps = make(map[string]struct{})
		m.byWatcher[watcher] = ps
	}
	ps[path] = struct{}{}
}

// take removes and returns the watchers of path (nil if none).
func (m *watchManager) take(path string) map[int64]struct{} {
	ws := m.byPath[path]
	if ws == nil {
		return nil
	}
	delete(m.byPath, path)
	for w := range ws {
		ps := m.byWatcher[w]
		delete(ps, path)
		if len(ps) == 0 {
			delete(m.byWatcher, w)
		}
	}
	return ws
}

func (m *watchManager) removeWatcher(watcher int64) {
	for p := range m.byWatcher[watcher] {
		ws := m.byPath[p]
		delete(ws, watcher)
		if len(ws) == 0 {
			delete(m.byPath, p)
		}
	}
	delete(m.byWatcher, watcher)
}

func (m *watchManager) count() int {
	n := 0
	for _, ws := range m.byPath {
		n += len(ws)
	}
	return n
}

// trigger is a watch trigger raised by a write: an event type on a path.
type trigger struct {
	path string
	typ  EventType
}

// raise records a trigger of the txn being applied; the watches fire when the txn has
// succeeded (fireTriggers). With no watches set at all it records nothing.
func (t *DataTree) raise(path string, typ EventType) {
	if len(t.dataWatches.byPath) == 0 && len(t.childWatches.byPath) == 0 && len(t.persistent.byPath) == 0 && len(t.recursive.byPath) == 0 {
		return
	}
	t.pending = append(t.pending, trigger{path, typ})
}

// fireTriggers fires the pending triggers in order and returns the events. Within one
// trigger the watchers are sorted by id. NodeCreated and NodeDataChanged fire data watches,
// NodeChildrenChanged child watches, NodeDeleted both (each watcher once), as in
// DataTree.createNode, deleteNode and setData.
func (t *DataTree) fireTriggers() []WatchEvent {
	var events []WatchEvent
	for _, tr := range t.pending {
		var ws, more map[int64]struct{}
		switch tr.typ {
		case EventNodeCreated, EventNodeDataChanged:
			ws = t.dataWatches.take(tr.path)
		case EventNodeChildrenChanged:
			ws = t.childWatches.take(tr.path)
		case EventNodeDeleted:
			ws = t.dataWatches.take(tr.path)
			more = t.childWatches.take(tr.path)
		}
		// Persistent watches on the path see every event there; recursive ones on the path
		// or an ancestor see all but NodeChildrenChanged (WatchManager, 3.8). They stay.
		lasting := t.persistent.byPath[tr.path]
		var rec []int64
		if tr.typ != EventNodeChildrenChanged && len(t.recursive.byPath) > 0 {
			for p := tr.path; ; {
				for w := range t.recursive.byPath[p] {
					rec = append(rec, w)
				}
				if p == rootPath || p == "" {
					break
				}
				p, _ = splitPath(p)
			}
		}
		if len(ws)+len(more)+len(lasting)+len(rec) == 0 {
			continue
		}
		ids := make([]int64, 0, len(ws)+len(more)+len(lasting)+len(rec))
		for w := range ws {
			ids = append(ids, w)
		}
		for w := range more {
			ids = append(ids, w)
		}
		for w := range lasting {
			ids = append(ids, w)
		}
		ids = append(ids, rec...)
		slices.Sort(ids)
		ids = slices.Compact(ids) // a watcher with several watches hears one event
		for _, w := range ids {
			events = append(events, WatchEvent{Watcher: w, Type: tr.typ, Path: tr.path})
		}
	}
	clear(t.pending)
	t.pending = t.pending[:0]
	return events
}

// SetWatches re-registers a reconnecting client's watches (DataTree.setWatches). What
// changed since relativeZxid (the last zxid the client saw) fires at once and is returned:
// a data watch on a missing node fires NodeDeleted, on a node with mzxid > relativeZxid
// NodeDataChanged; an exist watch on a present node fires NodeCreated; a child watch on a
// missing node fires NodeDeleted, on a node with pzxid > relativeZxid NodeChildrenChanged.
// Every other watch is set again. Events come in the order data, exist, child, each list in
// its given order.
func (t *DataTree) SetWatches(relativeZxid Zxid, data, exist, child []string, watcher int64) []WatchEvent {
	var events []WatchEvent
	fire := func(path string, typ EventType) {
		events = append(events, WatchEvent{Watcher: watcher, Type: typ, Path: path})
	}
	for _, p := range data {
		switch n := t.nodes[p]; {
		case n == nil:
			fire(p, EventNodeDeleted)
		case n.stat.Mzxid > relativeZxid:
			fire(p, EventNodeDataChanged)
		default:
			t.dataWatches.add(p, watcher)
		}
	}
	for _, p := range exist {
		if t.nodes[p] != nil {
			fire(p, EventNodeCreated)
		} else {
			t.dataWatches.add(p, watcher)
		}
	}
	for _, p := range child {
		switch n := t.nodes[p]; {
		case n == nil:
			fire(p, EventNodeDeleted)
		case n.stat.Pzxid > relativeZxid:
			fire(p, EventNodeChildrenChanged)
		default:
			t.childWatches.add(p, watcher)
		}
	}
	return events
}

// RemoveWatcher drops every watch of a watcher (its connection closed).
func (t *DataTree) RemoveWatcher(watcher int64) {
	t.dataWatches.removeWatcher(watcher)
	t.childWatches.removeWatcher(watcher)
	t.persistent.removeWatcher(watcher)
	t.recursive.removeWatcher(watcher)
}

// The modes of addWatch (AddWatchMode) and the types of removeWatches and checkWatches
// (WatcherType), as on the wire.
const (
	AddWatchPersistent          = 0
	AddWatchPersistentRecursive = 1
	WatcherChildren             = 1
	WatcherData                 = 2
	WatcherAny                  = 3
	WatcherPersistent           = 4
	WatcherPersistentRecursive  = 5
)

// AddWatch sets a persistent watch (addWatch): it fires for every change of path (mode
// AddWatchPersistent) or of path and the nodes below it, except child-list changes
// (AddWatchPersistentRecursive), and stays set. The node need not exist.
func (t *DataTree) AddWatch(path string, mode int32, watcher int64) Err {
	if validatePath(path, false) != nil {
		return ErrBadArguments
	}
	switch mode {
	case AddWatchPersistent:
		t.persistent.add(path, watcher)
	case AddWatchPersistentRecursive:
		t.recursive.add(path, watcher)
	default:
		return ErrBadArguments
	}
	return OK
}

// managersFor are the watch managers a WatcherType names.
func (t *DataTree) managersFor(typ int32) []*watchManager {
	switch typ {
	case WatcherChildren:
		return []*watchManager{&t.childWatches}
	case WatcherData:
		return []*watchManager{&t.dataWatches}
	case WatcherAny:
		return []*watchManager{&t.dataWatches, &t.childWatches, &t.persistent, &t.recursive}
	case WatcherPersistent:
		return []*watchManager{&t.persistent}
	case WatcherPersistentRecursive:
		return []*watchManager{&t.recursive}
	}
	return nil
}

// CheckWatches reports whether the watcher has a watch of that type on path: NOWATCHER if not.
func (t *DataTree) CheckWatches(path string, typ int32, watcher int64) Err {
	ms := t.managersFor(typ)
	if ms == nil {
		return ErrBadArguments
	}
	for _, m := range ms {
		if _, ok := m.byPath[path][watcher]; ok {
			return OK
		}
	}
	return ErrNoWatcher
}

// RemoveWatches removes the watcher's watches of that type on path: NOWATCHER if none.
func (t *DataTree) RemoveWatches(path string, typ int32, watcher int64) Err {
	if err := t.CheckWatches(path, typ, watcher); err != OK {
		return err
	}
	for _, m := range t.managersFor(typ) {
		ws := m.byPath[path]
		if _, ok := ws[watcher]; !ok {
			continue
		}
		delete(ws, watcher)
		if len(ws) == 0 {
			delete(m.byPath, path)
		}
		delete(m.byWatcher[watcher], path)
		if len(m.byWatcher[watcher]) == 0 {
			delete(m.byWatcher, watcher)
		}
	}
	return OK
}

// WatchCount is the number of watches set: (path, watcher) pairs, data and child watches
// counted separately.
func (t *DataTree) WatchCount() int {
	return t.dataWatches.count() + t.childWatches.count() + t.persistent.count() + t.recursive.count()
}

// DataWatches lists, per watcher, the paths of its data-side watches in path order: exists
// and getData watches plus persistent and recursive ones, as ZooKeeper's DataTree reports its
// dataWatches manager (wchc, wchp, wchs and the AdminServer's watch commands). Child watches
// are not included there.
func (t *DataTree) DataWatches() map[int64][]string {
	out := map[int64][]string{}
	for _, m := range []*watchManager{&t.dataWatches, &t.persistent, &t.recursive} {
		for w, paths := range m.byWatcher {
			for p := range paths {
				if !slices.Contains(out[w], p) {
					out[w] = append(out[w], p)
				}
			}
		}
	}
	for _, ps := range out {
		slices.Sort(ps)
	}
	return out
}
