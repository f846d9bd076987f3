package zkwire

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestReadFrame(t *testing.T) {
	var stream []byte
	stream = AppendFrame(stream, []byte("hello"))
	stream = AppendFrame(stream, nil)
	big := bytes.Repeat([]byte{0xab}, 3*readChunk+17)
	stream = AppendFrame(stream, big)
	for _, name := range []string{"whole", "one byte at a time"} {
		var r io.Reader = bytes.NewReader(stream)
		if name != "whole" {
			r = iotest.OneByteReader(r)
		}
		for i, want := range [][]byte{[]byte("hello"), {}, big} {
			got, err := ReadFrame(r, MaxFrameSize)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s: frame %d: %d bytes, %v", name, i, len(got), err)
			}
		}
		if _, err := ReadFrame(r, MaxFrameSize); err != io.EOF {
			t.Fatalf("%s: at end: %v, want io.EOF", name, err)
		}
	}
}

func TestReadFrameErrors(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		limit int
		want  error
	}{
		{"negative length", "ffffffff", 0, ErrFrameLength},
		{"min int32 length", "80000000 00", 0, ErrFrameLength},
		{"over limit", "00000005 0102030405", 4, ErrFrameTooLarge},
		{"over default limit", "00100401", 0, ErrFrameTooLarge},
		{"huge", "7fffffff", 0, ErrFrameTooLarge},
		{"partial length", "0000", 0, io.ErrUnexpectedEOF},
		{"truncated payload", "00000005 0102", 0, io.ErrUnexpectedEOF},
		{"no payload", "00000005", 0, io.ErrUnexpectedEOF},
		{"large announced, little sent", "000fffff 01020304", 0, io.ErrUnexpectedEOF},
	}
	for _, c := range cases {
		_, err := ReadFrame(bytes.NewReader(hx(t, c.in)), c.limit)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	// The default limit admits exactly MaxFrameSize bytes.
	frame := AppendFrame(nil, make([]byte, MaxFrameSize))
	if got, err := ReadFrame(bytes.NewReader(frame), 0); err != nil || len(got) != MaxFrameSize {
		t.Errorf("max frame: %d bytes, %v", len(got), err)
	}
	readErr := errors.New("boom")
	if _, err := ReadFrame(iotest.ErrReader(readErr), 0); !errors.Is(err, readErr) {
		t.Errorf("reader error: %v", err)
	}
}

func TestAppendFrame(t *testing.T) {
	got := AppendFrame([]byte{9}, []byte{1, 2, 3})
	if want := hx(t, "09 00000003 010203"); !bytes.Equal(got, want) {
		t.Fatalf("got % x, want % x", got, want)
	}
}
