package zkwire

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/zablab/zablab/engine/zkdb"
)

// allRequests has one request of every supported type, with non-default field values.
func allRequests() []*Request {
	acl := []zkdb.ACL{{Perms: zkdb.PermRead, Scheme: "world", ID: "anyone"},
		{Perms: zkdb.PermAll, Scheme: "digest", ID: "bob:hash="}}
	return []*Request{
		{Type: zkdb.OpCreate, Path: "/a", Data: []byte("x"), ACL: acl, Mode: zkdb.EphemeralSequential},
		{Type: zkdb.OpCreate, Path: "/nil-data", ACL: zkdb.OpenACL},
		{Type: zkdb.OpCreate, Path: "/empty-data", Data: []byte{}, ACL: zkdb.OpenACL},
		{Type: zkdb.OpCreate2, Path: "/b", Data: []byte("yy"), ACL: zkdb.OpenACL, Mode: zkdb.Persistent},
		{Type: zkdb.OpCreateContainer, Path: "/c", ACL: zkdb.OpenACL, Mode: zkdb.Container},
		{Type: zkdb.OpCreateTTL, Path: "/t", Data: []byte("t"), ACL: zkdb.OpenACL,
			Mode: zkdb.PersistentWithTTL, TTL: 60000},
		{Type: zkdb.OpDelete, Path: "/a", Version: -1},
		{Type: zkdb.OpExists, Path: "/a", Watch: true},
		{Type: zkdb.OpGetData, Path: "/zookeeper/config", Watch: true},
		{Type: zkdb.OpSetData, Path: "/a", Data: []byte("new"), Version: 7},
		{Type: zkdb.OpGetACL, Path: "/a"},
		{Type: zkdb.OpSetACL, Path: "/a", ACL: acl, Version: 2},
		{Type: zkdb.OpGetChildren, Path: "/", Watch: true},
		{Type: zkdb.OpGetChildren2, Path: "/x"},
		{Type: zkdb.OpSync, Path: "/"},
		{Type: zkdb.OpCheck, Path: "/a", Version: 4},
		{Type: zkdb.OpMulti, Ops: []Request{
			{Type: zkdb.OpCreate, Path: "/m", ACL: zkdb.OpenACL},
			{Type: zkdb.OpCreate2, Path: "/m/2", Data: []byte{}, ACL: zkdb.OpenACL, Mode: zkdb.Ephemeral},
			{Type: zkdb.OpCreateContainer, Path: "/m/c", ACL: zkdb.OpenACL, Mode: zkdb.Container},
			{Type: zkdb.OpCreateTTL, Path: "/m/t", ACL: zkdb.OpenACL, Mode: zkdb.PersistentWithTTL, TTL: 5},
			{Type: zkdb.OpSetData, Path: "/m", Data: []byte("d"), Version: -1},
			{Type: zkdb.OpCheck, Path: "/m", Version: 1},
			{Type: zkdb.OpDelete, Path: "/m/2", Version: 0},
		}},
		{Type: zkdb.OpMulti},
		{Type: zkdb.OpMultiRead, Ops: []Request{
			{Type: zkdb.OpGetChildren, Path: "/"},
			{Type: zkdb.OpGetData, Path: "/a"},
		}},
		{Type: zkdb.OpPing},
		{Type: zkdb.OpCloseSession},
		{Type: zkdb.OpAuth, Auth: &AuthPacket{Scheme: "digest", Auth: []byte("bob:secret")}},
		{Type: zkdb.OpSetWatches, Watches: &SetWatches{RelativeZxid: 0x200000003,
			DataWatches: []string{"/a", "/b"}, ExistWatches: []string{"/gone"}}},
		{Type: zkdb.OpSetWatches2, Watches: &SetWatches{RelativeZxid: 9,
			ChildWatches: []string{"/"}, PersistentWatches: []string{"/p"},
			PersistentRecursive: []string{"/r", "/s"}}},
		{Type: zkdb.OpAddWatch, Path: "/p", WatchMode: AddWatchPersistentRecursive},
		{Type: zkdb.OpRemoveWatches, Path: "/a", WatcherType: WatcherData},
		{Type: zkdb.OpCheckWatches, Path: "/a", WatcherType: WatcherAny},
		{Type: zkdb.OpGetEphemerals, Path: "/"},
		{Type: zkdb.OpGetAllChildrenNumber, Path: "/a"},
		{Type: zkdb.OpWhoAmI},
		{Type: zkdb.OpReconfig, Reconfig: &ReconfigRequest{JoiningServers: "server.4=h:2888:3888;2181",
			LeavingServers: "", NewMembers: "", CurConfigID: -1}},
		{Type: zkdb.OpSasl, Unknown: true},
		{Type: zkdb.OpType(55), Unknown: true},
	}
}

func TestRequestRoundTrip(t *testing.T) {
	for i, want := range allRequests() {
		h := RequestHeader{Xid: int32(i + 1), Type: want.Type}
		frame := encodeRequest(h, want)
		gotH, got, err := DecodeRequest(frame)
		if err != nil {
			t.Errorf("%v: %v", want.Type, err)
			continue
		}
		if gotH != h {
			t.Errorf("%v: header %+v, want %+v", want.Type, gotH, h)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v:\n got %+v\nwant %+v", want.Type, got, want)
		}
		// The decoded request does not alias the frame.
		clear(frame)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: decoded request aliases the frame", want.Type)
		}
	}
}

func TestRequestGolden(t *testing.T) {
	cases := []struct {
		name string
		in   string
		h    RequestHeader
		want *Request
	}{
		{"create", `00000001 00000001 | 00000002 2f61 | 00000002 6869
			| 00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65 | 00000003`,
			RequestHeader{1, zkdb.OpCreate},
			&Request{Type: zkdb.OpCreate, Path: "/a", Data: []byte("hi"), ACL: zkdb.OpenACL,
				Mode: zkdb.EphemeralSequential}},
		{"getData", `00000007 00000004 | 00000004 2f612f62 | 01`,
			RequestHeader{7, zkdb.OpGetData},
			&Request{Type: zkdb.OpGetData, Path: "/a/b", Watch: true}},
		{"setData", `7fffffff 00000005 | 00000002 2f61 | ffffffff | ffffffff`,
			RequestHeader{0x7fffffff, zkdb.OpSetData},
			&Request{Type: zkdb.OpSetData, Path: "/a", Version: -1}},
		{"setWatches", `00000008 00000065 | 00000001 00000002
			| 00000001 00000002 2f61 | 00000000 | 00000002 00000001 2f 00000002 2f62`,
			RequestHeader{8, zkdb.OpSetWatches},
			&Request{Type: zkdb.OpSetWatches, Watches: &SetWatches{RelativeZxid: 0x100000002,
				DataWatches: []string{"/a"}, ChildWatches: []string{"/", "/b"}}}},
		{"multi", `00000009 0000000e
			| 00000001 00 ffffffff | 00000002 2f6d | ffffffff
			  | 00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65 | 00000000
			| 00000005 00 ffffffff | 00000002 2f6d | 00000001 78 | ffffffff
			| 00000002 00 ffffffff | 00000002 2f6d | 00000000
			| 0000000d 00 ffffffff | 00000002 2f6d | ffffffff
			| ffffffff 01 ffffffff`,
			RequestHeader{9, zkdb.OpMulti},
			&Request{Type: zkdb.OpMulti, Ops: []Request{
				{Type: zkdb.OpCreate, Path: "/m", ACL: zkdb.OpenACL},
				{Type: zkdb.OpSetData, Path: "/m", Data: []byte("x"), Version: -1},
				{Type: zkdb.OpDelete, Path: "/m", Version: 0},
				{Type: zkdb.OpCheck, Path: "/m", Version: -1},
			}}},
		{"ping", `fffffffe 0000000b`, RequestHeader{-2, zkdb.OpPing}, &Request{Type: zkdb.OpPing}},
		{"auth", `fffffffc 00000064 | 00000000 | 00000006 646967657374 | 00000003 613a62`,
			RequestHeader{-4, zkdb.OpAuth},
			&Request{Type: zkdb.OpAuth, Auth: &AuthPacket{Scheme: "digest", Auth: []byte("a:b")}}},
		{"reconfig, go-zk nulls", `00000003 00000010 | 00000001 61 | 00000000 | ffffffff | ffffffff ffffffff`,
			RequestHeader{3, zkdb.OpReconfig},
			&Request{Type: zkdb.OpReconfig, Reconfig: &ReconfigRequest{JoiningServers: "a", CurConfigID: -1}}},
		{"unknown opcode", `00000005 00000066 | 0000000a 0102`,
			RequestHeader{5, zkdb.OpSasl}, &Request{Type: zkdb.OpSasl, Unknown: true}},
		{"trailing bytes ignored", `00000007 00000004 | 00000002 2f61 | 00 | 0102`,
			RequestHeader{7, zkdb.OpGetData}, &Request{Type: zkdb.OpGetData, Path: "/a"}},
	}
	for _, c := range cases {
		in := hx(t, c.in)
		h, got, err := DecodeRequest(in)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if h != c.h || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v %+v\nwant %+v %+v", c.name, h, got, c.h, c.want)
		}
		switch c.name {
		case "unknown opcode", "trailing bytes ignored", "reconfig, go-zk nulls": // not byte-exact by design
		default:
			if enc := encodeRequest(h, got); !bytes.Equal(enc, in) {
				t.Errorf("%s: test encoder disagrees with the golden bytes:\n got % x\nwant % x", c.name, enc, in)
			}
		}
	}
}

func TestDecodeRequestErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"empty", ``, ErrShortHeader},
		{"short header", `00000001 000000`, ErrShortHeader},
		{"getData truncated", `00000001 00000004 | 00000002 2f61`, ErrTruncated},
		{"getData no body", `00000001 00000004`, ErrTruncated},
		{"negative path length", `00000001 00000004 | fffffff0 00`, ErrBadLength},
		{"path longer than frame", `00000001 00000004 | 00000010 2f61 00`, ErrBadLength},
		{"create truncated flags", `00000001 00000001 | 00000002 2f61 | 00000000 | 00000000 | 0000`, ErrTruncated},
		{"create negative data length", `00000001 00000001 | 00000002 2f61 | fffffffe`, ErrBadLength},
		{"create data longer than frame", `00000001 00000001 | 00000002 2f61 | 00100000 00`, ErrBadLength},
		{"create acl count exceeds buffer", `00000001 00000001 | 00000002 2f61 | 00000000
			| 00000005 0000001f 00000000 00000000 | 00000000`, ErrBadLength},
		{"create acl count -2", `00000001 00000001 | 00000002 2f61 | 00000000 | fffffffe | 00000000`, ErrBadLength},
		{"createTTL without ttl", `00000001 00000015 | 00000002 2f61 | 00000000 | 00000000 | 00000005`, ErrTruncated},
		{"setWatches count exceeds buffer", `00000001 00000065 | 00000000 00000000 | 7fffffff | 00000000 | 00000000`, ErrBadLength},
		{"setWatches count -3", `00000001 00000065 | 00000000 00000000 | fffffffd`, ErrBadLength},
		{"setWatches2 missing persistent lists", `00000001 00000069 | 00000000 00000000
			| 00000000 | 00000000 | 00000000`, ErrTruncated},
		{"multi without terminator", `00000001 0000000e | 0000000d 00 ffffffff | 00000002 2f61 | ffffffff`, ErrTruncated},
		{"multi empty body", `00000001 0000000e`, ErrTruncated},
		{"multi truncated op", `00000001 0000000e | 00000002 00 ffffffff | 00000002 2f61`, ErrTruncated},
		{"multi with read op", `00000001 0000000e | 00000004 00 ffffffff | 00000002 2f61 00 | ffffffff 01 ffffffff`, ErrBadMultiOp},
		{"multi with setACL op", `00000001 0000000e | 00000007 00 ffffffff | 00000002 2f61 | 00000000 | 00000000 | ffffffff 01 ffffffff`, ErrBadMultiOp},
		{"multi inside multi", `00000001 0000000e | 0000000e 00 ffffffff | ffffffff 01 ffffffff | ffffffff 01 ffffffff`, ErrBadMultiOp},
		{"multiRead with write op", `00000001 00000016 | 00000002 00 ffffffff | 00000002 2f61 00000000 | ffffffff 01 ffffffff`, ErrBadMultiOp},
		{"multi header truncated", `00000001 0000000e | 0000000d 00`, ErrTruncated},
	}
	for _, c := range cases {
		in := hx(t, c.in)
		h, r, err := DecodeRequest(in)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
		if r != nil {
			t.Errorf("%s: request %+v returned with an error", c.name, r)
		}
		if c.want != ErrShortHeader && h.Xid != 1 && h.Xid != -4 {
			t.Errorf("%s: header %+v not returned with a body error", c.name, h)
		}
	}
}

// TestDecodeRequestTruncations cuts every round-trip request at every length: each cut must
// fail cleanly (multi and fixed-size bodies) or, where the prefix is itself a whole request,
// decode without panicking.
func TestDecodeRequestTruncations(t *testing.T) {
	for _, r := range allRequests() {
		frame := encodeRequest(RequestHeader{Xid: 1, Type: r.Type}, r)
		for n := range len(frame) {
			_, got, err := DecodeRequest(frame[:n])
			if err == nil && !r.Unknown {
				t.Errorf("%v cut to %d of %d bytes decoded as %+v", r.Type, n, len(frame), got)
			}
		}
	}
}

func TestWriteOp(t *testing.T) {
	for _, r := range allRequests() {
		op, ok := r.WriteOp()
		want := r.Type.IsCreate() || r.Type == zkdb.OpDelete || r.Type == zkdb.OpSetData ||
			r.Type == zkdb.OpSetACL || r.Type == zkdb.OpCheck || r.Type == zkdb.OpMulti || r.Type == zkdb.OpReconfig
		if ok != want {
			t.Errorf("%v: WriteOp ok = %v", r.Type, ok)
			continue
		}
		if !ok {
			continue
		}
		if op.Type != r.Type || op.Path != r.Path || op.Version != r.Version || op.Mode != r.Mode ||
			!bytes.Equal(op.Data, r.Data) || !reflect.DeepEqual(op.ACL, r.ACL) || len(op.Ops) != len(r.Ops) {
			t.Errorf("%v: WriteOp = %+v", r.Type, op)
		}
		for i := range op.Ops {
			typ := r.Ops[i].Type
			if typ.IsCreate() {
				typ = MultiCreateType(r.Ops[i].Mode)
			}
			if op.Ops[i].Type != typ || op.Ops[i].Path != r.Ops[i].Path {
				t.Errorf("%v: op %d = %+v", r.Type, i, op.Ops[i])
			}
		}
	}
	read := &Request{Type: zkdb.OpMulti, Ops: []Request{{Type: zkdb.OpGetData, Path: "/"}}}
	if _, ok := read.WriteOp(); ok {
		t.Error("multi of a read op converted")
	}
}

// TestDecodeNullStrings: ZooKeeper's jute reads a null (-1) string anywhere. kazoo sends the
// id of CREATOR_ALL_ACL (auth scheme) as null; a null path decodes too and is flagged, for
// the server to fail the request as ZooKeeper does.
func TestDecodeNullStrings(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want Request
	}{
		{"kazoo CREATOR_ALL_ACL", `00000001 00000001 | 00000002 2f61 | ffffffff
			| 00000001 0000001f 00000004 61757468 ffffffff | 00000000`,
			Request{Type: zkdb.OpCreate, Path: "/a", ACL: []zkdb.ACL{{Perms: 31, Scheme: "auth"}}}},
		{"acl null scheme", `00000001 00000007 | 00000002 2f61 | 00000001 0000001f ffffffff 00000000
			| ffffffff`, Request{Type: zkdb.OpSetACL, Path: "/a", ACL: []zkdb.ACL{{Perms: 31}}, Version: -1}},
		{"null path", `00000001 00000004 | ffffffff 00`, Request{Type: zkdb.OpGetData, NullPath: true}},
		{"multi op null path", `00000001 0000000e | 00000002 00 ffffffff | ffffffff ffffffff
			| ffffffff 01 ffffffff`, Request{Type: zkdb.OpMulti, NullPath: true,
			Ops: []Request{{Type: zkdb.OpDelete, Version: -1}}}},
		{"auth null scheme", `fffffffc 00000064 | 00000000 | ffffffff | 00000000`,
			Request{Type: zkdb.OpAuth, Auth: &AuthPacket{Auth: []byte{}}}},
		{"setWatches null element", `00000001 00000065 | 00000000 00000000 | 00000001 ffffffff
			| ffffffff | 00000000`, Request{Type: zkdb.OpSetWatches, Watches: &SetWatches{DataWatches: []string{""}}}},
	}
	for _, c := range cases {
		_, got, err := DecodeRequest(hx(t, c.in))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, *got, c.want)
		}
	}
}

// TestMultiCreateType: inside a multi a create's type comes from its mode, as ZooKeeper's
// MultiOperationRecord builds it.
func TestMultiCreateType(t *testing.T) {
	r := &Request{Type: zkdb.OpMulti, Ops: []Request{
		{Type: zkdb.OpCreate2, Path: "/a", Mode: zkdb.Persistent},
		{Type: zkdb.OpCreate, Path: "/b", Mode: zkdb.Container},
		{Type: zkdb.OpCreateContainer, Path: "/c", Mode: zkdb.EphemeralSequential},
		{Type: zkdb.OpCreateTTL, Path: "/d", Mode: zkdb.PersistentSequentialWithTTL},
		{Type: zkdb.OpCreateTTL, Path: "/e", Mode: zkdb.Persistent},
		{Type: zkdb.OpCreate2, Path: "/f", Mode: 9},
	}}
	want := []zkdb.OpType{zkdb.OpCreate, zkdb.OpCreateContainer, zkdb.OpCreate, zkdb.OpCreateTTL, zkdb.OpCreate, zkdb.OpCreate}
	op, ok := r.WriteOp()
	if !ok {
		t.Fatal("not a write")
	}
	for i, o := range op.Ops {
		if o.Type != want[i] {
			t.Errorf("op %d (%v, %v): type %v, want %v", i, r.Ops[i].Type, r.Ops[i].Mode, o.Type, want[i])
		}
	}
}
