package zkwire

import (
	"encoding/binary"

	"github.com/zablab/zablab/engine/zkdb"
)

// decoder reads jute values from a byte slice. The first failure is sticky: later reads
// return zero values and err keeps the first error, so a record can be decoded field by field
// and checked once at the end.
type decoder struct {
	b   []byte
	off int
	err error
	// nullPath is set when readPath met a null string.
	nullPath bool
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// remaining is the number of unread bytes (0 after a failure).
func (d *decoder) remaining() int {
	if d.err != nil {
		return 0
	}
	return len(d.b) - d.off
}

// take returns the next n bytes (aliasing d.b), or nil and a failure if fewer remain.
func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b)-d.off {
		d.fail(ErrTruncated)
		return nil
	}
	p := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return p
}

func (d *decoder) readInt32() int32 {
	p := d.take(4)
	if p == nil {
		return 0
	}
	return int32(binary.BigEndian.Uint32(p))
}

func (d *decoder) readInt64() int64 {
	p := d.take(8)
	if p == nil {
		return 0
	}
	return int64(binary.BigEndian.Uint64(p))
}

// readBool reads one byte; like Java's DataInput.readBoolean any non-zero byte is true.
func (d *decoder) readBool() bool {
	p := d.take(1)
	return p != nil && p[0] != 0
}

// readLength reads a length prefix of items at least minSize bytes each. It returns -1 for
// null (when nullOK), and fails on other negative values and on counts the rest of the input
// cannot hold.
func (d *decoder) readLength(minSize int, nullOK bool) int {
	n := int(d.readInt32())
	if d.err != nil {
		return 0
	}
	if n == -1 && nullOK {
		return -1
	}
	if n < 0 || n > d.remaining()/minSize {
		d.fail(ErrBadLength)
		return 0
	}
	return n
}

// readBuffer reads a jute buffer: null (-1) is nil, empty is a non-nil empty slice, anything
// else a copy.
func (d *decoder) readBuffer() []byte {
	n := d.readLength(1, true)
	switch {
	case d.err != nil, n < 0:
		return nil
	case n == 0:
		return []byte{}
	}
	return append([]byte(nil), d.take(n)...)
}

// readString reads a jute ustring; null (-1) reads as "", as ZooKeeper's
// BinaryInputArchive.readString accepts it everywhere (kazoo sends the id of an "auth" ACL
// as null).
func (d *decoder) readString() string {
	n := d.readLength(1, true)
	if n < 0 {
		return ""
	}
	return string(d.take(n))
}

// readPath reads a path: a ustring that may be null on the wire (ZooKeeper decodes it and
// then fails the request with MARSHALLINGERROR); a null path reads as "" and sets nullPath.
func (d *decoder) readPath() string {
	n := d.readLength(1, true)
	if n < 0 {
		d.nullPath = true
		return ""
	}
	return string(d.take(n))
}

// readStrings reads a vector<ustring>; null and empty vectors read as nil, null elements
// as "".
func (d *decoder) readStrings() []string {
	n := d.readLength(4, true)
	if n <= 0 {
		return nil
	}
	s := make([]string, n)
	for i := range s {
		s[i] = d.readString()
	}
	if d.err != nil {
		return nil
	}
	return s
}

// aclMinSize is the smallest encoded ACL: perms plus two empty strings.
const aclMinSize = 4 + 4 + 4

// readACLs reads a vector<ACL>; null and empty vectors read as nil, a null scheme or id
// as "" (ZooKeeper then refuses the ACL with INVALIDACL, or ignores the id of "auth").
func (d *decoder) readACLs() []zkdb.ACL {
	n := d.readLength(aclMinSize, true)
	if n <= 0 {
		return nil
	}
	acl := make([]zkdb.ACL, n)
	for i := range acl {
		acl[i] = zkdb.ACL{Perms: d.readInt32(), Scheme: d.readString(), ID: d.readString()}
	}
	if d.err != nil {
		return nil
	}
	return acl
}

// readStat reads a 68-byte Stat.
func (d *decoder) readStat() zkdb.Stat {
	var s zkdb.Stat
	s.Czxid = zkdb.Zxid(d.readInt64())
	s.Mzxid = zkdb.Zxid(d.readInt64())
	s.Ctime = d.readInt64()
	s.Mtime = d.readInt64()
	s.Version = d.readInt32()
	s.Cversion = d.readInt32()
	s.Aversion = d.readInt32()
	s.EphemeralOwner = d.readInt64()
	s.DataLength = d.readInt32()
	s.NumChildren = d.readInt32()
	s.Pzxid = zkdb.Zxid(d.readInt64())
	return s
}
