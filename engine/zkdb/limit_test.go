package zkdb

import "testing"

// A tree with a data limit refuses creates and growing setData beyond it (QUOTAEXCEEDED),
// and takes shrinking writes; the limit survives a snapshot clone.
func TestDataLimit(t *testing.T) {
	tr := NewDataTreeFor(Ensemble{DataLimit: 10_000})
	zx := Zxid(1)
	apply := func(op Op) Err {
		zx++
		res, _ := tr.Apply(&Txn{Zxid: zx, Op: op})
		return res.Err
	}
	big := make([]byte, 3000)
	for i := 0; i < 3; i++ {
		if err := apply(Op{Type: OpCreate, Path: "/n" + string(rune('a'+i)), Data: big, ACL: OpenACL}); err != OK {
			t.Fatalf("create %d: %v", i, err)
		}
	}
	if err := apply(Op{Type: OpCreate, Path: "/nd", Data: big, ACL: OpenACL}); err != ErrQuotaExceeded {
		t.Fatalf("create beyond the limit: %v, want QUOTAEXCEEDED", err)
	}
	if err := apply(Op{Type: OpSetData, Path: "/na", Data: make([]byte, 4000), Version: -1}); err != ErrQuotaExceeded {
		t.Fatalf("growing setData beyond the limit: %v", err)
	}
	if err := apply(Op{Type: OpSetData, Path: "/na", Data: []byte("small"), Version: -1}); err != OK {
		t.Fatalf("shrinking setData: %v", err)
	}
	c := tr.Clone()
	zx++
	if res, _ := c.Apply(&Txn{Zxid: zx, Op: Op{Type: OpCreate, Path: "/ne", Data: make([]byte, 9000), ACL: OpenACL}}); res.Err != ErrQuotaExceeded {
		t.Fatalf("the clone lost the limit: %v", res.Err)
	}
	if err := tr.CheckConsistency(); err != nil {
		t.Fatal(err)
	}
}
