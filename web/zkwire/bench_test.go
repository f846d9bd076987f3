package zkwire

import (
	"bytes"
	"testing"

	"github.com/zablab/zablab/engine/zkdb"
)

func benchmarkDecode(b *testing.B, r *Request) {
	frame := encodeRequest(RequestHeader{Xid: 42, Type: r.Type}, r)
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := DecodeRequest(frame); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeRequest(b *testing.B) {
	b.Run("getData", func(b *testing.B) {
		benchmarkDecode(b, &Request{Type: zkdb.OpGetData, Path: "/app/config/service-7", Watch: true})
	})
	b.Run("setData-128B", func(b *testing.B) {
		benchmarkDecode(b, &Request{Type: zkdb.OpSetData, Path: "/app/config/service-7",
			Data: bytes.Repeat([]byte("x"), 128), Version: 3})
	})
	b.Run("setData-1MiB", func(b *testing.B) {
		benchmarkDecode(b, &Request{Type: zkdb.OpSetData, Path: "/big",
			Data: make([]byte, MaxDataSize), Version: -1})
	})
}

func BenchmarkAppendDataReply(b *testing.B) {
	data := bytes.Repeat([]byte("x"), 128)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendDataReply(buf[:0], ReplyHeader{Xid: 42, Zxid: 0x100000001}, data, sampleStat)
	}
}
