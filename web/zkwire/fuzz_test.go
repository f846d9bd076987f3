package zkwire

import (
	"bytes"
	"reflect"
	"testing"
)

func FuzzDecodeRequest(f *testing.F) {
	for i, r := range allRequests() {
		f.Add(encodeRequest(RequestHeader{Xid: int32(i), Type: r.Type}, r))
	}
	for _, s := range []string{
		``, `00000001`, `00000001 00000004 | ffffffff 00`,
		`00000001 0000000e | 0000000d 00 ffffffff | 00000002 2f61 | ffffffff`,
		`00000001 00000065 | 00000000 00000000 | 7fffffff | 00000000 | 00000000`,
		`00000003 00000010 | 00000001 61 | 00000000 | ffffffff | ffffffff ffffffff`,
	} {
		f.Add(hx(f, s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		h, r, err := DecodeRequest(frame)
		if err != nil {
			if r != nil {
				t.Fatalf("error %v with a request", err)
			}
			return
		}
		enc := encodeRequest(h, r)
		if len(enc) > len(frame) {
			t.Fatalf("re-encoding is longer (%d) than the frame (%d)", len(enc), len(frame))
		}
		h2, r2, err := DecodeRequest(enc)
		if err != nil {
			t.Fatalf("re-encoded %+v does not decode: %v\n% x", r, err, enc)
		}
		// The test encoder writes a null path as "", which decodes without the flag.
		want := *r
		want.NullPath = false
		if h2 != h || !reflect.DeepEqual(*r2, want) {
			t.Fatalf("round trip changed the request:\n%+v %+v\n%+v %+v", h, r, h2, r2)
		}
		if op, ok := r.WriteOp(); ok && len(op.Ops) != len(r.Ops) {
			t.Fatalf("WriteOp lost ops: %+v", op)
		}
	})
}

func FuzzConnectRequest(f *testing.F) {
	f.Add(hx(f, connectGoZK))
	f.Add(hx(f, connectGoZK+"01"))
	f.Add(hx(f, `00000000 00000000 00000000 00001388 00000000 00000000 ffffffff`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, frame []byte) {
		var r ConnectRequest
		if err := r.Decode(frame); err != nil {
			return
		}
		enc := encodeConnectRequest(r)
		if len(enc) > len(frame) {
			t.Fatalf("re-encoding is longer (%d) than the frame (%d)", len(enc), len(frame))
		}
		var r2 ConnectRequest
		if err := r2.Decode(enc); err != nil || !reflect.DeepEqual(r, r2) {
			t.Fatalf("round trip: %+v -> %+v, %v", r, r2, err)
		}
		resp := ConnectResponse{TimeOut: r.TimeOut, SessionID: r.SessionID, Passwd: r.Passwd,
			ReadOnly: r.ReadOnly, IncludeReadOnly: r.HasReadOnly}
		out := resp.Encode(nil)
		if p, err := ReadFrame(bytes.NewReader(out), len(out)); err != nil || len(p) != len(out)-4 {
			t.Fatalf("ConnectResponse frame: %d bytes, %v", len(p), err)
		}
	})
}

func FuzzReadFrame(f *testing.F) {
	f.Add(AppendFrame(AppendFrame(nil, []byte("abc")), nil), uint16(16))
	f.Add(hx(f, `ffffffff`), uint16(0))
	f.Add(hx(f, `00000005 0102`), uint16(100))
	f.Add(hx(f, `00010001 00`), uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, limit uint16) {
		r := bytes.NewReader(data)
		var rebuilt []byte
		for {
			frame, err := ReadFrame(r, int(limit))
			if err != nil {
				break
			}
			if max := int(limit); max > 0 && len(frame) > max {
				t.Fatalf("frame of %d bytes over limit %d", len(frame), max)
			}
			rebuilt = AppendFrame(rebuilt, frame)
		}
		if !bytes.HasPrefix(data, rebuilt) {
			t.Fatalf("frames read do not re-frame to a prefix of the input")
		}
	})
}
