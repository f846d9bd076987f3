package zkdb

import "testing"

// TestCheckConsistencyDetects corrupts a tree in each way CheckConsistency looks for.
func TestCheckConsistencyDetects(t *testing.T) {
	build := func() *DataTree {
		f := newFixture(t)
		f.must(1, createSession(100))
		f.must(0, create("/a", "x"))
		f.must(0, create("/a/b", ""))
		f.must(1, createMode("/e", Ephemeral))
		f.tree.Exists("/a", 3)
		return f.tree
	}
	corruptions := map[string]func(*DataTree){
		"root missing":          func(t *DataTree) { delete(t.nodes, "/") },
		"child not listed":      func(t *DataTree) { delete(t.nodes["/a"].children, "b") },
		"listed child missing":  func(t *DataTree) { delete(t.nodes, "/a/b") },
		"orphan":                func(t *DataTree) { t.nodes["/x/y"] = &node{} },
		"invalid path":          func(t *DataTree) { t.nodes["/a/"] = &node{}; t.nodes["/a"].children[""] = struct{}{} },
		"pzxid below czxid":     func(t *DataTree) { t.nodes["/a"].stat.Pzxid = 0 },
		"size counter":          func(t *DataTree) { t.pathDataBytes++ },
		"ephemeral no session":  func(t *DataTree) { delete(t.sessions, 1) },
		"ephemeral not indexed": func(t *DataTree) { delete(t.ephemerals, 1) },
		"index extra":           func(t *DataTree) { t.ephemerals[1]["/a"] = struct{}{} },
		"ephemeral children": func(t *DataTree) {
			t.nodes["/e/c"] = &node{}
			t.nodes["/e"].children = map[string]struct{}{"c": {}}
		},
		"watch index": func(t *DataTree) { delete(t.dataWatches.byWatcher, 3) },
	}
	for name, corrupt := range corruptions {
		tree := build()
		if err := tree.CheckConsistency(); err != nil {
			t.Fatal(err)
		}
		corrupt(tree)
		if tree.CheckConsistency() == nil {
			t.Errorf("%s not detected", name)
		}
	}
}
