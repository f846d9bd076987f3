package zkwire

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/zablab/zablab/engine/zkdb"
)

func TestDecoderPrimitives(t *testing.T) {
	b := hx(t, `fffffffe | 00000001 00000002 | 00 | 07 | ffffffff | 00000000 | 00000002 6869
		| 00000002 2f61 | 00000000 | ffffffff`)
	d := decoder{b: b}
	if v := d.readInt32(); v != -2 {
		t.Errorf("readInt32 = %d", v)
	}
	if v := d.readInt64(); v != 0x100000002 {
		t.Errorf("readInt64 = %#x", v)
	}
	if d.readBool() {
		t.Error("readBool(0) = true")
	}
	if !d.readBool() {
		t.Error("readBool(7) = false; Java reads any non-zero byte as true")
	}
	if v := d.readBuffer(); v != nil {
		t.Errorf("null buffer = %q, want nil", v)
	}
	if v := d.readBuffer(); v == nil || len(v) != 0 {
		t.Errorf("empty buffer = %#v, want non-nil empty", v)
	}
	if v := d.readBuffer(); string(v) != "hi" {
		t.Errorf("buffer = %q", v)
	}
	if v := d.readString(); v != "/a" {
		t.Errorf("string = %q", v)
	}
	if v := d.readString(); v != "" {
		t.Errorf("empty string = %q", v)
	}
	if v := d.readString(); v != "" || d.err != nil {
		t.Errorf("null string = %q, %v", v, d.err)
	}
	if d.err != nil || d.remaining() != 0 {
		t.Fatalf("err %v, %d left", d.err, d.remaining())
	}
	// Sticky error: reading past the end fails and keeps failing with zero values.
	if v := d.readInt32(); v != 0 || !errors.Is(d.err, ErrTruncated) {
		t.Fatalf("read past end = %d, %v", v, d.err)
	}
	d.b = append(d.b, 0, 0, 0, 9)
	if v := d.readInt32(); v != 0 || !errors.Is(d.err, ErrTruncated) {
		t.Fatalf("read after failure = %d, %v; the error must be sticky", v, d.err)
	}
}

func TestDecoderBufferDoesNotAlias(t *testing.T) {
	b := hx(t, `00000002 6869`)
	d := decoder{b: b}
	v := d.readBuffer()
	b[4] = 'X'
	if string(v) != "hi" {
		t.Fatalf("buffer aliases its input: %q", v)
	}
}

func TestDecoderVectors(t *testing.T) {
	d := decoder{b: hx(t, `00000002 00000001 61 00000000 | ffffffff | 00000000
		| 00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65 | ffffffff`)}
	if v := d.readStrings(); !reflect.DeepEqual(v, []string{"a", ""}) {
		t.Errorf("strings = %q", v)
	}
	if v := d.readStrings(); v != nil {
		t.Errorf("null vector = %q, want nil", v)
	}
	if v := d.readStrings(); v != nil {
		t.Errorf("empty vector = %q, want nil", v)
	}
	if v := d.readACLs(); !reflect.DeepEqual(v, zkdb.OpenACL) {
		t.Errorf("acl = %v", v)
	}
	if v := d.readACLs(); v != nil || d.err != nil {
		t.Errorf("null acl = %v, %v", v, d.err)
	}
	if d.remaining() != 0 {
		t.Errorf("%d bytes left", d.remaining())
	}
}

func TestDecoderBadLengths(t *testing.T) {
	cases := []struct {
		name string
		in   string
		read func(d *decoder)
		want error
	}{
		{"string -2", "fffffffe", func(d *decoder) { d.readString() }, ErrBadLength},
		{"string min int32", "80000000", func(d *decoder) { d.readString() }, ErrBadLength},
		{"string too long", "00000003 6162", func(d *decoder) { d.readString() }, ErrBadLength},
		{"string length truncated", "0000", func(d *decoder) { d.readString() }, ErrTruncated},
		{"buffer -2", "fffffffe", func(d *decoder) { d.readBuffer() }, ErrBadLength},
		{"buffer too long", "7fffffff 00", func(d *decoder) { d.readBuffer() }, ErrBadLength},
		{"strings -2", "fffffffe", func(d *decoder) { d.readStrings() }, ErrBadLength},
		{"strings count > bytes", "00000002 00000000", func(d *decoder) { d.readStrings() }, ErrBadLength},
		{"strings huge count", "7fffffff 00000000", func(d *decoder) { d.readStrings() }, ErrBadLength},
		{"acl count > bytes", "00000001 0000001f 00000000", func(d *decoder) { d.readACLs() }, ErrBadLength},
		{"acl -5", "fffffffb", func(d *decoder) { d.readACLs() }, ErrBadLength},
		{"stat short", "00000001", func(d *decoder) { d.readStat() }, ErrTruncated},
	}
	for _, c := range cases {
		d := decoder{b: hx(t, c.in)}
		c.read(&d)
		if !errors.Is(d.err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, d.err, c.want)
		}
	}
}

func TestEncoderNeverWritesNullStringsOrVectors(t *testing.T) {
	var b []byte
	b = appendString(b, "")
	b = appendStrings(b, nil)
	b = appendACLs(b, nil)
	b = appendBuffer(b, []byte{})
	if want := hx(t, "00000000 00000000 00000000 00000000"); !bytes.Equal(b, want) {
		t.Errorf("got % x, want % x", b, want)
	}
	if b := appendBuffer(nil, nil); !bytes.Equal(b, hx(t, "ffffffff")) {
		t.Errorf("nil buffer = % x, want null", b)
	}
}

func TestStatLayout(t *testing.T) {
	b := appendStat(nil, sampleStat)
	want := hx(t, sampleStatHex)
	if len(b) != StatSize || !bytes.Equal(b, want) {
		t.Fatalf("stat = % x\nwant   % x", b, want)
	}
	d := decoder{b: b}
	if s := d.readStat(); s != sampleStat || d.remaining() != 0 {
		t.Fatalf("decoded stat = %+v", s)
	}
}
