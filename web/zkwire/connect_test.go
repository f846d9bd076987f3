package zkwire

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// connectGoZK is a ConnectRequest as go-zookeeper sends it (no readOnly byte).
const connectGoZK = `00000000 | 00000001 00000005 | 00007530 | 01020304 05060708
	| 00000010 aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa`

func TestConnectRequestGolden(t *testing.T) {
	passwd := bytes.Repeat([]byte{0xaa}, 16)
	cases := []struct {
		name string
		in   string
		want ConnectRequest
	}{
		{"go-zk, no readOnly", connectGoZK, ConnectRequest{
			LastZxidSeen: 0x100000005, TimeOut: 30000, SessionID: 0x0102030405060708, Passwd: passwd}},
		{"java, readOnly false", connectGoZK + "00", ConnectRequest{
			LastZxidSeen: 0x100000005, TimeOut: 30000, SessionID: 0x0102030405060708, Passwd: passwd,
			HasReadOnly: true}},
		{"java, readOnly true", connectGoZK + "01", ConnectRequest{
			LastZxidSeen: 0x100000005, TimeOut: 30000, SessionID: 0x0102030405060708, Passwd: passwd,
			HasReadOnly: true, ReadOnly: true}},
		{"trailing bytes ignored", connectGoZK + "01 0203", ConnectRequest{
			LastZxidSeen: 0x100000005, TimeOut: 30000, SessionID: 0x0102030405060708, Passwd: passwd,
			HasReadOnly: true, ReadOnly: true}},
		{"new session, null passwd", `00000000 | 00000000 00000000 | 00001388 | 00000000 00000000 | ffffffff`,
			ConnectRequest{TimeOut: 5000}},
	}
	for _, c := range cases {
		in := hx(t, c.in)
		var got ConnectRequest
		if err := got.Decode(in); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v\nwant %+v", c.name, got, c.want)
		}
		if c.name != "trailing bytes ignored" {
			if enc := encodeConnectRequest(got); !bytes.Equal(enc, in) {
				t.Errorf("%s: re-encoded % x", c.name, enc)
			}
		}
	}
}

func TestConnectRequestErrors(t *testing.T) {
	full := hx(t, connectGoZK)
	for n := range len(full) {
		var r ConnectRequest
		if err := r.Decode(full[:n]); err == nil {
			t.Errorf("truncated to %d bytes: no error", n)
		}
	}
	bad := map[string]string{
		"passwd -2":        `00000000 | 00000000 00000000 | 00001388 | 00000000 00000000 | fffffffe`,
		"passwd too long":  `00000000 | 00000000 00000000 | 00001388 | 00000000 00000000 | 00000011 aaaa`,
		"passwd max int32": `00000000 | 00000000 00000000 | 00001388 | 00000000 00000000 | 7fffffff`,
	}
	for name, in := range bad {
		var r ConnectRequest
		if err := r.Decode(hx(t, in)); !errors.Is(err, ErrBadLength) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestConnectResponseEncode(t *testing.T) {
	passwd := bytes.Repeat([]byte{0xbb}, 16)
	body := `00000000 | 00002710 | 01020304 05060708 | 00000010 bbbbbbbb bbbbbbbb bbbbbbbb bbbbbbbb`
	r := ConnectResponse{TimeOut: 10000, SessionID: 0x0102030405060708, Passwd: passwd}
	if got, want := r.Encode(nil), hx(t, "00000024"+body); !bytes.Equal(got, want) {
		t.Errorf("without readOnly:\n got % x\nwant % x", got, want)
	}
	r.IncludeReadOnly, r.ReadOnly = true, true
	if got, want := r.Encode([]byte{7}), hx(t, "07 00000025"+body+"01"); !bytes.Equal(got, want) {
		t.Errorf("with readOnly:\n got % x\nwant % x", got, want)
	}
	// Expired session: timeout 0, session 0, 16 zero bytes.
	r = ConnectResponse{Passwd: make([]byte, 16), IncludeReadOnly: true}
	want := hx(t, `00000025 00000000 00000000 00000000 00000000 00000010
		00000000 00000000 00000000 00000000 00`)
	if got := r.Encode(nil); !bytes.Equal(got, want) {
		t.Errorf("expired:\n got % x\nwant % x", got, want)
	}
}
