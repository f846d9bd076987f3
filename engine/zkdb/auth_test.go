package zkdb

import (
	"reflect"
	"testing"
)

func TestDigestID(t *testing.T) {
	// The example of ZooKeeper's administrator guide (the "super" digest of "super:admin").
	if got := DigestID("super:admin"); got != "super:xQJmxLMiHGwaqBvst5y6rkB6HQs=" {
		t.Fatalf("DigestID = %q", got)
	}
	if (ID{"digest", DigestID("bob:pw")}).UserName() != "bob" || (ID{"ip", "10.0.0.1"}).UserName() != "10.0.0.1" {
		t.Fatal("UserName")
	}
}

func TestPermits(t *testing.T) {
	alice := ID{"digest", DigestID("alice:secret")}
	local := ID{"ip", "127.0.0.1"}
	cases := []struct {
		acl  []ACL
		perm int32
		ids  []ID
		want bool
	}{
		{nil, PermAdmin, nil, true},
		{OpenACL, PermWrite, nil, true},
		{[]ACL{{PermRead, "world", "anyone"}}, PermWrite, nil, false},
		{[]ACL{{PermAll, "digest", alice.ID}}, PermWrite, []ID{local}, false},
		{[]ACL{{PermAll, "digest", alice.ID}}, PermWrite, []ID{local, alice}, true},
		{[]ACL{{PermRead, "digest", alice.ID}}, PermWrite, []ID{alice}, false},
		{[]ACL{{PermRead | PermAdmin, "digest", alice.ID}}, PermRead | PermAdmin, []ID{alice}, true},
		{[]ACL{{PermAll, "ip", "127.0.0.0/8"}}, PermDelete, []ID{local}, true},
		{[]ACL{{PermAll, "ip", "10.0.0.0/8"}}, PermDelete, []ID{local}, false},
		{[]ACL{{PermAll, "ip", "127.0.0.1"}}, PermDelete, []ID{{"ip", "::1"}}, false},
		{[]ACL{{PermAll, "ip", "::1"}}, PermDelete, []ID{{"ip", "::1"}}, true},
		{[]ACL{{PermRead, "digest", alice.ID}}, PermWrite, []ID{{"super", ""}}, true},
	}
	for i, c := range cases {
		if got := Permits(c.acl, c.perm, c.ids); got != c.want {
			t.Errorf("case %d: Permits(%v, %d, %v) = %v", i, c.acl, c.perm, c.ids, got)
		}
	}
}

// TestACLChecks: each op checks its permission at ZooKeeper's place in the order of checks.
func TestACLChecks(t *testing.T) {
	f := newFixture(t)
	alice := []ID{{"ip", "127.0.0.1"}, {"digest", DigestID("alice:secret")}}
	bob := []ID{{"ip", "127.0.0.1"}, {"digest", DigestID("bob:pw")}}
	owner := []ACL{{PermAll, "auth", ""}}
	// "auth" expands to the session's digest ids; an ip id alone is not enough.
	f.expectErr(0, Op{Type: OpCreate, Path: "/x", ACL: owner, Auth: []ID{{"ip", "127.0.0.1"}}}, ErrInvalidACL)
	f.must(0, Op{Type: OpCreate, Path: "/a", ACL: owner, Auth: alice})
	acl, _, _ := f.tree.GetACL("/a")
	if want := []ACL{{PermAll, "digest", DigestID("alice:secret")}}; !reflect.DeepEqual(acl, want) {
		t.Fatalf("auth expanded to %v, want %v", acl, want)
	}
	as := func(ids []ID, op Op) Op { op.Auth = ids; return op }
	f.expectErr(0, as(bob, create("/a/c", "")), ErrNoAuth)
	f.expectErr(0, as(bob, create("/a/c/d", "")), ErrNoNode)  // NONODE first
	f.expectErr(0, as(bob, setData("/a", "x", 5)), ErrNoAuth) // before BADVERSION
	f.expectErr(0, as(bob, check("/a", 5)), ErrNoAuth)
	f.expectErr(0, as(bob, Op{Type: OpSetACL, Path: "/a", ACL: OpenACL, Version: 9}), ErrNoAuth)
	f.must(0, as(alice, create("/a/c", "")))
	f.expectErr(0, as(bob, del("/a/c", 7)), ErrNoAuth)        // DELETE on the parent, before BADVERSION
	f.expectErr(0, as(bob, del("/a/missing", -1)), ErrNoAuth) // before the node lookup
	f.must(0, as(alice, setData("/a", "x", 0)))
	// A multi checks its ops with its own ids.
	res, _ := f.apply(0, as(bob, multi(create("/b", ""), setData("/a", "y", -1))))
	if res.FirstErr() != ErrNoAuth {
		t.Fatalf("multi as bob: %+v", res)
	}
	f.must(0, as(alice, multi(setData("/a", "y", -1), del("/a/c", -1))))
	// Reads.
	for _, typ := range []OpType{OpGetData, OpGetChildren, OpGetChildren2, OpGetACL, OpGetAllChildrenNumber} {
		if err := f.tree.CheckRead(&Op{Type: typ, Path: "/a", Auth: bob}); err != ErrNoAuth {
			t.Errorf("%v as bob: %v", typ, err)
		}
		if err := f.tree.CheckRead(&Op{Type: typ, Path: "/a", Auth: alice}); err != OK {
			t.Errorf("%v as alice: %v", typ, err)
		}
	}
	if f.tree.CheckRead(&Op{Type: OpExists, Path: "/a", Auth: bob}) != OK ||
		f.tree.CheckRead(&Op{Type: OpGetData, Path: "/missing", Auth: bob}) != OK {
		t.Error("exists and missing nodes are not refused")
	}
}
