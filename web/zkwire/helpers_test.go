package zkwire

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/zablab/zablab/engine/zkdb"
)

// This file holds test-only encoders for what clients send and decoders for what servers
// send, written from the spec, to round-trip the package's own decoders and encoders.

// encodeConnectRequest encodes a ConnectRequest payload (no frame length).
func encodeConnectRequest(r ConnectRequest) []byte {
	var b []byte
	b = appendInt32(b, r.ProtocolVersion)
	b = appendInt64(b, int64(r.LastZxidSeen))
	b = appendInt32(b, r.TimeOut)
	b = appendInt64(b, r.SessionID)
	b = appendBuffer(b, r.Passwd)
	if r.HasReadOnly {
		b = appendBool(b, r.ReadOnly)
	}
	return b
}

// encodeRequest encodes a request payload (header and body, no frame length).
func encodeRequest(h RequestHeader, r *Request) []byte {
	var b []byte
	b = appendInt32(b, h.Xid)
	b = appendInt32(b, int32(h.Type))
	if r.Unknown {
		return b
	}
	if r.Type == zkdb.OpMulti || r.Type == zkdb.OpMultiRead {
		for i := range r.Ops {
			b = appendMultiHeader(b, r.Ops[i].Type, false, -1)
			b = appendBody(b, &r.Ops[i])
		}
		return appendMultiHeader(b, -1, true, -1)
	}
	return appendBody(b, r)
}

// appendNullableString writes "" as null, as the Java client does for unused reconfig lists.
func appendNullableString(b []byte, s string) []byte {
	if s == "" {
		return appendInt32(b, -1)
	}
	return appendString(b, s)
}

func appendBody(b []byte, r *Request) []byte {
	switch r.Type {
	case zkdb.OpCreate, zkdb.OpCreate2, zkdb.OpCreateContainer, zkdb.OpCreateTTL:
		b = appendString(b, r.Path)
		b = appendBuffer(b, r.Data)
		b = appendACLs(b, r.ACL)
		b = appendInt32(b, int32(r.Mode))
		if r.Type == zkdb.OpCreateTTL {
			b = appendInt64(b, r.TTL)
		}
	case zkdb.OpDelete, zkdb.OpCheck:
		b = appendString(b, r.Path)
		b = appendInt32(b, r.Version)
	case zkdb.OpExists, zkdb.OpGetData, zkdb.OpGetChildren, zkdb.OpGetChildren2:
		b = appendString(b, r.Path)
		b = appendBool(b, r.Watch)
	case zkdb.OpSetData:
		b = appendString(b, r.Path)
		b = appendBuffer(b, r.Data)
		b = appendInt32(b, r.Version)
	case zkdb.OpGetACL, zkdb.OpSync, zkdb.OpGetEphemerals, zkdb.OpGetAllChildrenNumber:
		b = appendString(b, r.Path)
	case zkdb.OpSetACL:
		b = appendString(b, r.Path)
		b = appendACLs(b, r.ACL)
		b = appendInt32(b, r.Version)
	case zkdb.OpAddWatch:
		b = appendString(b, r.Path)
		b = appendInt32(b, r.WatchMode)
	case zkdb.OpRemoveWatches, zkdb.OpCheckWatches:
		b = appendString(b, r.Path)
		b = appendInt32(b, r.WatcherType)
	case zkdb.OpAuth:
		b = appendInt32(b, r.Auth.Type)
		b = appendString(b, r.Auth.Scheme)
		b = appendBuffer(b, r.Auth.Auth)
	case zkdb.OpSetWatches, zkdb.OpSetWatches2:
		w := r.Watches
		b = appendInt64(b, int64(w.RelativeZxid))
		b = appendStrings(b, w.DataWatches)
		b = appendStrings(b, w.ExistWatches)
		b = appendStrings(b, w.ChildWatches)
		if r.Type == zkdb.OpSetWatches2 {
			b = appendStrings(b, w.PersistentWatches)
			b = appendStrings(b, w.PersistentRecursive)
		}
	case zkdb.OpReconfig:
		c := r.Reconfig
		b = appendNullableString(b, c.JoiningServers)
		b = appendNullableString(b, c.LeavingServers)
		b = appendNullableString(b, c.NewMembers)
		b = appendInt64(b, c.CurConfigID)
	}
	return b
}

// hx parses hex with arbitrary spaces, newlines and |-separators.
func hx(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.NewReplacer(" ", "", "\n", "", "\t", "", "|", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

// reply is a decoded reply frame, for tests.
type reply struct {
	h ReplyHeader
	d decoder // positioned at the body
}

// parseReply splits a reply frame (with its length prefix) into header and body decoder.
func parseReply(t testing.TB, frame []byte) *reply {
	t.Helper()
	d := decoder{b: frame}
	n := d.readInt32()
	if d.err != nil || int(n) != len(frame)-4 {
		t.Fatalf("frame length prefix %d, frame has %d bytes after it", n, len(frame)-4)
	}
	h := ReplyHeader{Xid: d.readInt32(), Zxid: zkdb.Zxid(d.readInt64()), Err: zkdb.Err(d.readInt32())}
	if d.err != nil {
		t.Fatalf("short reply header: %v", d.err)
	}
	return &reply{h: h, d: d}
}

// done fails the test if the body had an error or bytes are left.
func (r *reply) done(t testing.TB) {
	t.Helper()
	if r.d.err != nil {
		t.Fatalf("reply body: %v", r.d.err)
	}
	if n := r.d.remaining(); n != 0 {
		t.Fatalf("reply body: %d bytes left over", n)
	}
}

// sampleStat has a distinct value in every field.
var sampleStat = zkdb.Stat{
	Czxid: 0x100000001, Mzxid: 0x100000002, Ctime: 1700000000001, Mtime: 1700000000002,
	Version: 3, Cversion: 4, Aversion: 5, EphemeralOwner: 0x0600000000000007,
	DataLength: 8, NumChildren: 9, Pzxid: 0x10000000a,
}

// sampleStatHex is sampleStat in jute order.
const sampleStatHex = `
	00000001 00000001 | 00000001 00000002 | 0000018b cfe56801 | 0000018b cfe56802
	00000003 | 00000004 | 00000005 | 06000000 00000007 | 00000008 | 00000009 | 00000001 0000000a`
