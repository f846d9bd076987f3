package zkdb

import (
	"fmt"
	"math"
	"testing"
)

func TestValidatePath(t *testing.T) {
	good := []string{"/", "/a", "/a/b", "/zookeeper", "/a.b", "/.a", "/a.", "/...", "/a/..b",
		"/a b", "/ü", "/日本", "/a-b_c:d", "/\u00a0"}
	bad := []string{"", "a", "a/b", "/a/", "//", "/a//b", "/.", "/..", "/a/.", "/a/..", "/./a",
		"/../a", "/a\x00b", "/a\x01", "/a\x1f", "/a\x7f", "/a\u0080", "/a\u009f", "/\ud7ff\ue000",
		"/\uf8ff", "/\ufff0", "/\uffff", "/\U0001F600", "/\xff", "/a\xc3"}
	for _, p := range good {
		if err := ValidatePath(p); err != nil {
			t.Errorf("ValidatePath(%q): %v", p, err)
		}
	}
	for _, p := range bad {
		if ValidatePath(p) == nil {
			t.Errorf("ValidatePath(%q) accepted", p)
		}
	}
}

func TestValidateCreatePathSequential(t *testing.T) {
	// A sequential create validates path+"1" (PathUtils.validatePath(path, true)).
	cases := []struct {
		path string
		ok   bool
	}{
		{"/a/", true}, {"/", true}, {"/a", true}, {"/a/.", true}, {"/a//", false}, {"", false},
		{"a", false}, {"/a//b", false},
	}
	for _, c := range cases {
		if err := ValidateCreatePath(c.path, true); (err == nil) != c.ok {
			t.Errorf("ValidateCreatePath(%q, true): %v", c.path, err)
		}
	}
	if ValidateCreatePath("/a/", false) == nil {
		t.Error("non-sequential /a/ accepted")
	}
}

func TestSequentialSuffix(t *testing.T) {
	for _, v := range []int32{0, 1, 9, 10, 123, 999999999, 1000000000, math.MaxInt32, -1, -42, math.MinInt32} {
		want := "/p/n-" + fmt.Sprintf("%010d", v)
		if got := sequentialPath("/p/n-", v); got != want {
			t.Errorf("cversion %d: %q, want %q", v, got, want)
		}
	}
	long := "/" + string(make([]byte, 40))
	if got := sequentialPath(long, 7); got != long+"0000000007" {
		t.Errorf("long path: %q", got)
	}
}

// TestReadPaths: reads look the path up as given, except that "" is the root (ZooKeeper's
// DataTree aliases it) and exists refuses a NUL (FinalRequestProcessor).
func TestReadPaths(t *testing.T) {
	tree := NewDataTree()
	if _, st, err := tree.GetData("", 0); err != OK || st.NumChildren != 1 {
		t.Fatalf("getData(\"\"): %v %+v", err, st)
	}
	if kids, _, err := tree.GetChildren("", 0); err != OK || len(kids) != 1 || kids[0] != "zookeeper" {
		t.Fatalf("getChildren(\"\"): %v %v", kids, err)
	}
	if _, err := tree.Exists("", 0); err != OK {
		t.Fatalf("exists(\"\"): %v", err)
	}
	if _, _, err := tree.GetACL(""); err != OK {
		t.Fatalf("getACL(\"\"): %v", err)
	}
	if _, err := tree.Exists("/a\x00", 5); err != ErrBadArguments || tree.WatchCount() != 0 {
		t.Fatalf("exists with NUL: %v, %d watches", err, tree.WatchCount())
	}
	for _, p := range []string{"/zookeeper/", "//zookeeper", "/zookeeper/.", "zookeeper", "/a\x00"} {
		if _, _, err := tree.GetData(p, 0); err != ErrNoNode {
			t.Errorf("getData(%q): %v, want NONODE", p, err)
		}
	}
}
