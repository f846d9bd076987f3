package zkdb

import (
	"strconv"
	"testing"
)

// BenchmarkApplySetData: setData on an existing node with no watches set.
func BenchmarkApplySetData(b *testing.B) {
	tree := NewDataTree()
	tree.Apply(&Txn{Zxid: 1, Op: create("/node", "")})
	txn := &Txn{Zxid: 2, Op: setData("/node", "some data", -1)}
	b.ReportAllocs()
	for b.Loop() {
		txn.Zxid++
		tree.Apply(txn)
	}
}

// BenchmarkApplyCreate: persistent creates of distinct children under one parent, a fresh
// tree every 65536 creates (map growth included).
func BenchmarkApplyCreate(b *testing.B) {
	const batch = 1 << 16
	txns := make([]Txn, batch)
	for i := range txns {
		txns[i] = Txn{Op: create("/parent/n"+strconv.Itoa(i), "some data")}
	}
	fresh := func() *DataTree {
		tree := NewDataTree()
		tree.Apply(&Txn{Zxid: 1, Op: create("/parent", "")})
		return tree
	}
	tree := fresh()
	zxid := Zxid(1)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if i == batch {
			b.StopTimer()
			tree, i = fresh(), 0
			b.StartTimer()
		}
		zxid++
		txns[i].Zxid = zxid
		tree.Apply(&txns[i])
		i++
	}
}

// BenchmarkApplyCreateSequential: sequential creates (one name allocated per create), a
// fresh tree every 65536 creates.
func BenchmarkApplyCreateSequential(b *testing.B) {
	fresh := func() *DataTree {
		tree := NewDataTree()
		tree.Apply(&Txn{Zxid: 1, Op: create("/q", "")})
		return tree
	}
	tree := fresh()
	txn := &Txn{Zxid: 1, Op: createMode("/q/n-", PersistentSequential)}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if i == 1<<16 {
			b.StopTimer()
			tree, i = fresh(), 0
			b.StartTimer()
		}
		txn.Zxid++
		tree.Apply(txn)
		i++
	}
}

// BenchmarkApplyCreateDelete: a create then a delete of the same node (steady state, no map
// growth); one iteration is both txns.
func BenchmarkApplyCreateDelete(b *testing.B) {
	tree := NewDataTree()
	tree.Apply(&Txn{Zxid: 1, Op: create("/parent", "")})
	for i := 0; i < 1000; i++ {
		tree.Apply(&Txn{Zxid: Zxid(2 + i), Op: create("/parent/n"+strconv.Itoa(i), "")})
	}
	c := &Txn{Op: create("/parent/x", "some data")}
	d := &Txn{Op: del("/parent/x", -1)}
	zxid := Zxid(5000)
	b.ReportAllocs()
	for b.Loop() {
		zxid++
		c.Zxid = zxid
		tree.Apply(c)
		zxid++
		d.Zxid = zxid
		tree.Apply(d)
	}
}

// BenchmarkApplySetDataWatched: setData that fires one getData watch, re-armed each time.
func BenchmarkApplySetDataWatched(b *testing.B) {
	tree := NewDataTree()
	tree.Apply(&Txn{Zxid: 1, Op: create("/node", "")})
	txn := &Txn{Zxid: 2, Op: setData("/node", "some data", -1)}
	b.ReportAllocs()
	for b.Loop() {
		tree.GetData("/node", 7)
		txn.Zxid++
		tree.Apply(txn)
	}
}

func BenchmarkApplyMulti(b *testing.B) {
	tree := NewDataTree()
	tree.Apply(&Txn{Zxid: 1, Op: create("/node", "")})
	txn := &Txn{Zxid: 2, Op: multi(check("/node", -1), setData("/node", "a", -1), setData("/node", "b", -1))}
	b.ReportAllocs()
	for b.Loop() {
		txn.Zxid++
		tree.Apply(txn)
	}
}

func benchTree(n int) *DataTree {
	tree := NewDataTree()
	z := Zxid(0)
	for i := 0; i < n/100; i++ {
		z++
		dir := "/d" + strconv.Itoa(i)
		tree.Apply(&Txn{Zxid: z, Op: create(dir, "")})
		for j := 0; j < 99; j++ {
			z++
			tree.Apply(&Txn{Zxid: z, Op: create(dir+"/n"+strconv.Itoa(j), "some data")})
		}
	}
	return tree
}

func BenchmarkClone10k(b *testing.B) {
	tree := benchTree(10000)
	b.ReportAllocs()
	for b.Loop() {
		tree.Clone()
	}
}

func BenchmarkDigest10k(b *testing.B) {
	tree := benchTree(10000)
	b.ReportAllocs()
	for b.Loop() {
		tree.Digest()
	}
}

func BenchmarkTxnHash(b *testing.B) {
	txn := &Txn{Zxid: 5, SessionID: 7, Op: create("/some/path/here", "some data of a typical size")}
	b.ReportAllocs()
	for b.Loop() {
		txn.Hash()
	}
}

// TestApplyAllocations pins the allocation budget of the hot paths.
func TestApplyAllocations(t *testing.T) {
	tree := NewDataTree()
	tree.Apply(&Txn{Zxid: 1, Op: create("/node", "")})
	txn := &Txn{Zxid: 2, Op: setData("/node", "some data", -1)}
	if n := testing.AllocsPerRun(1000, func() { txn.Zxid++; tree.Apply(txn) }); n > 0 {
		t.Errorf("setData allocates %.1f times, want 0", n)
	}
	i := 0
	if n := testing.AllocsPerRun(1000, func() {
		i++
		tree.Apply(&Txn{Zxid: Zxid(10000 + i), Op: createMode("/node/", PersistentSequential)})
	}); n > 3 {
		t.Errorf("sequential create allocates %.1f times, want ≤ 3", n)
	}
}
