package zkdb

import (
	"encoding/json"
	"testing"
)

func TestZxidArithmetic(t *testing.T) {
	cases := []struct {
		epoch, counter uint32
		z              Zxid
		s              string
	}{
		{0, 0, 0, "0x0"},
		{0, 1, 1, "0x1"},
		{1, 0, 0x100000000, "0x100000000"},
		{1, 3, 0x100000003, "0x100000003"},
		{1, 0xffffffff, 0x1ffffffff, "0x1ffffffff"},
		{0, 0xffffffff, 0xffffffff, "0xffffffff"},
		{0x7fffffff, 0xfffffffe, 0x7ffffffffffffffe, "0x7ffffffffffffffe"},
		{0xabc, 0xdef, 0xabc00000def, "0xabc00000def"},
		{0xffffffff, 1, Zxid(-0xffffffff), "0xffffffff00000001"},
	}
	for _, c := range cases {
		z := MakeZxid(c.epoch, c.counter)
		if z != c.z {
			t.Errorf("MakeZxid(%#x, %#x) = %#x, want %#x", c.epoch, c.counter, int64(z), int64(c.z))
		}
		if z.Epoch() != c.epoch || z.Counter() != c.counter {
			t.Errorf("%#x: epoch %#x counter %#x, want %#x %#x", int64(z), z.Epoch(), z.Counter(), c.epoch, c.counter)
		}
		if z.String() != c.s {
			t.Errorf("%#x.String() = %q, want %q", int64(z), z.String(), c.s)
		}
		back, err := ParseZxid(c.s)
		if err != nil || back != z {
			t.Errorf("ParseZxid(%q) = %#x, %v", c.s, int64(back), err)
		}
	}
	// The next counter after 0xffffffff would carry into the epoch: callers must not do that
	// (ZooKeeper forces a new epoch instead).
	if z := MakeZxid(1, 0xffffffff) + 1; z.Epoch() != 2 || z.Counter() != 0 {
		t.Errorf("carry: %v", z)
	}
}

func TestZxidMinusOne(t *testing.T) {
	if s := Zxid(-1).String(); s != "-1" {
		t.Fatalf("Zxid(-1) = %q", s)
	}
	for _, s := range []string{"-1", "0xffffffffffffffff"} {
		if z, err := ParseZxid(s); err != nil || z != -1 {
			t.Errorf("ParseZxid(%q) = %v, %v", s, z, err)
		}
	}
}

func TestParseZxid(t *testing.T) {
	good := map[string]Zxid{
		"0x0": 0, "0": 0, "4294967299": 0x100000003, "0x100000003": 0x100000003,
		"0X1F": 0x1f, "0xABC": 0xabc, "-5": -5,
	}
	for s, want := range good {
		if z, err := ParseZxid(s); err != nil || z != want {
			t.Errorf("ParseZxid(%q) = %v, %v; want %v", s, z, err, want)
		}
	}
	for _, s := range []string{"", "0x", "x10", "0x1g", "1.5", "0x10000000000000000", "99999999999999999999", " 1"} {
		if _, err := ParseZxid(s); err == nil {
			t.Errorf("ParseZxid(%q) accepted", s)
		}
	}
}

func TestZxidJSON(t *testing.T) {
	b, err := json.Marshal(struct{ Z Zxid }{MakeZxid(2, 7)})
	if err != nil || string(b) != `{"Z":"0x200000007"}` {
		t.Fatalf("marshal: %s %v", b, err)
	}
	var v struct{ Z Zxid }
	if err := json.Unmarshal([]byte(`{"Z":"0x200000007"}`), &v); err != nil || v.Z != MakeZxid(2, 7) {
		t.Fatalf("unmarshal: %v %v", v.Z, err)
	}
	if err := json.Unmarshal([]byte(`{"Z":"zz"}`), &v); err == nil {
		t.Fatal("bad zxid accepted")
	}
}
