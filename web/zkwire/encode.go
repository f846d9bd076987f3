package zkwire

import (
	"encoding/binary"

	"github.com/zablab/zablab/engine/zkdb"
)

// The append* functions write jute values at the end of a byte slice. They never write a
// null string or vector; a nil buffer is written as null (-1).

func appendInt32(b []byte, v int32) []byte { return binary.BigEndian.AppendUint32(b, uint32(v)) }

func appendInt64(b []byte, v int64) []byte { return binary.BigEndian.AppendUint64(b, uint64(v)) }

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func appendBuffer(b, v []byte) []byte {
	if v == nil {
		return appendInt32(b, -1)
	}
	b = appendInt32(b, int32(len(v)))
	return append(b, v...)
}

func appendString(b []byte, s string) []byte {
	b = appendInt32(b, int32(len(s)))
	return append(b, s...)
}

func appendStrings(b []byte, v []string) []byte {
	b = appendInt32(b, int32(len(v)))
	for _, s := range v {
		b = appendString(b, s)
	}
	return b
}

func appendACLs(b []byte, v []zkdb.ACL) []byte {
	b = appendInt32(b, int32(len(v)))
	for _, a := range v {
		b = appendInt32(b, a.Perms)
		b = appendString(b, a.Scheme)
		b = appendString(b, a.ID)
	}
	return b
}

// StatSize is the encoded size of a Stat: four int64, three int32, one int64, two int32, one
// int64.
const StatSize = 68

func appendStat(b []byte, s zkdb.Stat) []byte {
	b = appendInt64(b, int64(s.Czxid))
	b = appendInt64(b, int64(s.Mzxid))
	b = appendInt64(b, s.Ctime)
	b = appendInt64(b, s.Mtime)
	b = appendInt32(b, s.Version)
	b = appendInt32(b, s.Cversion)
	b = appendInt32(b, s.Aversion)
	b = appendInt64(b, s.EphemeralOwner)
	b = appendInt32(b, s.DataLength)
	b = appendInt32(b, s.NumChildren)
	return appendInt64(b, int64(s.Pzxid))
}

// beginFrame appends a placeholder length prefix and returns where the frame starts.
func beginFrame(dst []byte) ([]byte, int) {
	return append(dst, 0, 0, 0, 0), len(dst)
}

// endFrame fills in the length prefix of the frame that starts at start.
func endFrame(dst []byte, start int) []byte {
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start-4))
	return dst
}
