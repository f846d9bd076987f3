package zkwire

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/zablab/zablab/engine/zkdb"
)

var okHeader = ReplyHeader{Xid: 5, Zxid: 0x100000009}

const okHeaderHex = `00000005 | 00000001 00000009 | 00000000`

func TestReplyGolden(t *testing.T) {
	cases := []struct {
		name string
		got  []byte
		body string // after okHeaderHex
	}{
		{"empty", AppendReply(nil, okHeader), ``},
		{"create", AppendPathReply(nil, okHeader, "/a0000000001"), `0000000c 2f6130303030303030303031`},
		{"create2", AppendCreate2Reply(nil, okHeader, "/a", sampleStat), `00000002 2f61` + sampleStatHex},
		{"stat", AppendStatReply(nil, okHeader, sampleStat), sampleStatHex},
		{"getData", AppendDataReply(nil, okHeader, []byte("hi"), sampleStat), `00000002 6869` + sampleStatHex},
		{"getData null", AppendDataReply(nil, okHeader, nil, sampleStat), `ffffffff` + sampleStatHex},
		{"getData empty", AppendDataReply(nil, okHeader, []byte{}, sampleStat), `00000000` + sampleStatHex},
		{"getACL", AppendACLReply(nil, okHeader, zkdb.OpenACL, sampleStat),
			`00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65` + sampleStatHex},
		{"getACL empty", AppendACLReply(nil, okHeader, nil, sampleStat), `00000000` + sampleStatHex},
		{"getChildren", AppendChildrenReply(nil, okHeader, []string{"a", "bc"}), `00000002 00000001 61 00000002 6263`},
		{"getChildren none", AppendChildrenReply(nil, okHeader, nil), `00000000`},
		{"getChildren2", AppendChildren2Reply(nil, okHeader, []string{"z"}, sampleStat), `00000001 00000001 7a` + sampleStatHex},
		{"getEphemerals", AppendEphemeralsReply(nil, okHeader, []string{"/e"}), `00000001 00000002 2f65`},
		{"getAllChildrenNumber", AppendAllChildrenNumberReply(nil, okHeader, 42), `0000002a`},
		{"addWatch", AppendAddWatchReply(nil, okHeader), `00000000`},
		{"whoAmI", AppendWhoAmIReply(nil, okHeader, []ClientInfo{{"ip", "127.0.0.1"}}),
			`00000001 00000002 6970 00000009 3132372e302e302e31`},
		{"whoAmI none", AppendWhoAmIReply(nil, okHeader, nil), `00000000`},
	}
	for _, c := range cases {
		payload := hx(t, okHeaderHex+c.body)
		want := AppendFrame(nil, payload)
		if !bytes.Equal(c.got, want) {
			t.Errorf("%s:\n got % x\nwant % x", c.name, c.got, want)
		}
	}
}

func TestReplySpecial(t *testing.T) {
	if got, want := AppendPingReply(nil, 0x300000001), hx(t, `00000010 fffffffe 00000003 00000001 00000000`); !bytes.Equal(got, want) {
		t.Errorf("ping:\n got % x\nwant % x", got, want)
	}
	ev := WatcherEvent{Type: zkdb.EventNodeDataChanged, State: StateSyncConnected, Path: "/a"}
	want := hx(t, `0000001e ffffffff ffffffff ffffffff 00000000 | 00000003 00000003 00000002 2f61`)
	if got := AppendWatcherEvent(nil, ev); !bytes.Equal(got, want) {
		t.Errorf("event:\n got % x\nwant % x", got, want)
	}
	// Appending keeps what was in dst.
	got := AppendWatcherEvent([]byte("xy"), ev)
	if !bytes.Equal(got[:2], []byte("xy")) || !bytes.Equal(got[2:], want) {
		t.Errorf("append to non-empty dst: % x", got)
	}
}

// TestReplyBodyOmittedOnError checks that every reply helper writes only the header when the
// header carries an error.
func TestReplyBodyOmittedOnError(t *testing.T) {
	h := ReplyHeader{Xid: 3, Zxid: 0x100000001, Err: zkdb.ErrNoNode}
	want := hx(t, `00000010 00000003 00000001 00000001 ffffff9b`)
	all := map[string][]byte{
		"reply":      AppendReply(nil, h),
		"path":       AppendPathReply(nil, h, "/a"),
		"create2":    AppendCreate2Reply(nil, h, "/a", sampleStat),
		"stat":       AppendStatReply(nil, h, sampleStat),
		"data":       AppendDataReply(nil, h, []byte("x"), sampleStat),
		"acl":        AppendACLReply(nil, h, zkdb.OpenACL, sampleStat),
		"children":   AppendChildrenReply(nil, h, []string{"a"}),
		"children2":  AppendChildren2Reply(nil, h, []string{"a"}, sampleStat),
		"ephemerals": AppendEphemeralsReply(nil, h, []string{"a"}),
		"count":      AppendAllChildrenNumberReply(nil, h, 1),
		"addWatch":   AppendAddWatchReply(nil, h),
		"whoAmI":     AppendWhoAmIReply(nil, h, []ClientInfo{{"ip", "x"}}),
		"multi":      AppendMultiReply(nil, h, []MultiResult{{Type: zkdb.OpDelete}}),
	}
	for name, got := range all {
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got % x\nwant % x", name, got, want)
		}
	}
}

func TestMultiReplyGolden(t *testing.T) {
	results := []MultiResult{
		{Type: zkdb.OpCreate, Path: "/m", Stat: sampleStat},
		{Type: zkdb.OpCreate2, Path: "/n", Stat: sampleStat},
		{Type: zkdb.OpCreateContainer, Path: "/c", Stat: sampleStat},
		{Type: zkdb.OpSetData, Stat: sampleStat},
		{Type: zkdb.OpDelete},
		{Type: zkdb.OpCheck},
	}
	want := hx(t, okHeaderHex+`
		| 00000001 00 00000000 | 00000002 2f6d
		| 0000000f 00 00000000 | 00000002 2f6e`+sampleStatHex+`
		| 0000000f 00 00000000 | 00000002 2f63`+sampleStatHex+`
		| 00000005 00 00000000 |`+sampleStatHex+`
		| 00000002 00 00000000
		| 0000000d 00 00000000
		| ffffffff 01 ffffffff`)
	if got := AppendMultiReply(nil, okHeader, results); !bytes.Equal(got, AppendFrame(nil, want)) {
		t.Errorf("success:\n got % x\nwant % x", got, AppendFrame(nil, want))
	}

	// A failed multi: header OK, every result an error result.
	failed := []MultiResult{
		{Type: zkdb.OpError, Err: zkdb.OK},
		{Type: zkdb.OpError, Err: zkdb.ErrNodeExists},
		{Type: zkdb.OpSetData, Err: zkdb.ErrRuntimeInconsistency}, // Err wins over Type
	}
	want = hx(t, okHeaderHex+`
		| ffffffff 00 00000000 | 00000000
		| ffffffff 00 ffffff92 | ffffff92
		| ffffffff 00 fffffffe | fffffffe
		| ffffffff 01 ffffffff`)
	if got := AppendMultiReply(nil, okHeader, failed); !bytes.Equal(got, AppendFrame(nil, want)) {
		t.Errorf("failure:\n got % x\nwant % x", got, AppendFrame(nil, want))
	}

	// multiRead results.
	reads := []MultiResult{
		{Type: zkdb.OpGetData, Data: []byte("v"), Stat: sampleStat},
		{Type: zkdb.OpGetChildren, Children: []string{"k"}},
		{Type: zkdb.OpError, Err: zkdb.ErrNoNode},
		{Type: zkdb.OpSetACL}, // not a result type: written as APIERROR
	}
	want = hx(t, okHeaderHex+`
		| 00000004 00 00000000 | 00000001 76`+sampleStatHex+`
		| 00000008 00 00000000 | 00000001 00000001 6b
		| ffffffff 00 ffffff9b | ffffff9b
		| ffffffff 00 ffffff9c | ffffff9c
		| ffffffff 01 ffffffff`)
	if got := AppendMultiReply(nil, okHeader, reads); !bytes.Equal(got, AppendFrame(nil, want)) {
		t.Errorf("multiRead:\n got % x\nwant % x", got, AppendFrame(nil, want))
	}
}

// TestMultiReplyDecodes reads AppendMultiReply's output back with a decoder written from the
// spec (MultiResponse.deserialize).
func TestMultiReplyDecodes(t *testing.T) {
	results := []MultiResult{
		{Type: zkdb.OpCreate, Path: "/a"},
		{Type: zkdb.OpCreate2, Path: "/b", Stat: sampleStat},
		{Type: zkdb.OpSetData, Stat: sampleStat},
		{Type: zkdb.OpDelete},
		{Type: zkdb.OpCheck},
		{Type: zkdb.OpGetData, Data: []byte("d"), Stat: sampleStat},
		{Type: zkdb.OpGetChildren, Children: []string{"x", "y"}},
		{Type: zkdb.OpError, Err: zkdb.ErrBadVersion},
	}
	r := parseReply(t, AppendMultiReply(nil, okHeader, results))
	if r.h != okHeader {
		t.Fatalf("header %+v", r.h)
	}
	var got []MultiResult
	for {
		typ, done, herr := zkdb.OpType(r.d.readInt32()), r.d.readBool(), zkdb.Err(r.d.readInt32())
		if r.d.err != nil {
			t.Fatalf("decoding: %v", r.d.err)
		}
		if done {
			if typ != -1 || herr != -1 {
				t.Errorf("terminator {%d, true, %d}", typ, herr)
			}
			break
		}
		m := MultiResult{Type: typ}
		switch typ {
		case zkdb.OpCreate:
			m.Path = r.d.readString()
		case zkdb.OpCreate2:
			m.Path, m.Stat = r.d.readString(), r.d.readStat()
		case zkdb.OpSetData:
			m.Stat = r.d.readStat()
		case zkdb.OpGetData:
			m.Data, m.Stat = r.d.readBuffer(), r.d.readStat()
		case zkdb.OpGetChildren:
			m.Children = r.d.readStrings()
		case zkdb.OpError:
			m.Err = zkdb.Err(r.d.readInt32())
			if m.Err != herr {
				t.Errorf("error result %v under header err %v", m.Err, herr)
			}
		}
		got = append(got, m)
	}
	r.done(t)
	if !reflect.DeepEqual(got, results) {
		t.Errorf("got %+v\nwant %+v", got, results)
	}
}

func TestConnectResponseFrame(t *testing.T) {
	frame := ConnectResponse{TimeOut: 4000, SessionID: 1, Passwd: []byte("0123456789abcdef")}.Encode(nil)
	got, err := ReadFrame(bytes.NewReader(frame), 0)
	if err != nil || len(got) != 4+4+8+4+16 {
		t.Fatalf("%d bytes, %v", len(got), err)
	}
	if fmt.Sprintf("%x", got[:8]) != "0000000000000fa0" {
		t.Errorf("prefix % x", got[:8])
	}
}
