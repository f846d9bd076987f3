package zkdb

import (
	"fmt"
	"strconv"
	"strings"
)

// Zxid is a ZooKeeper transaction id: epoch<<32 | counter.
type Zxid int64

// MakeZxid builds the zxid (epoch, counter).
func MakeZxid(epoch, counter uint32) Zxid {
	return Zxid(int64(uint64(epoch)<<32 | uint64(counter)))
}

// Epoch is the high 32 bits of z: the epoch of the leader that proposed it.
func (z Zxid) Epoch() uint32 { return uint32(uint64(z) >> 32) }

// Counter is the low 32 bits of z: the position of the txn within its epoch.
func (z Zxid) Counter() uint32 { return uint32(uint64(z)) }

// String formats z as ZooKeeper logs it: lowercase hex with a 0x prefix ("0x100000003",
// "0x0"), except -1 (no zxid), which is "-1".
func (z Zxid) String() string {
	if z == -1 {
		return "-1"
	}
	return "0x" + strconv.FormatUint(uint64(z), 16)
}

// ParseZxid parses "0x…" hex (up to 64 bits, as String writes it) or a signed decimal.
func ParseZxid(s string) (Zxid, error) {
	if rest, ok := strings.CutPrefix(s, "0x"); ok || strings.HasPrefix(s, "0X") {
		if !ok {
			rest = s[2:]
		}
		u, err := strconv.ParseUint(rest, 16, 64)
		if err != nil {
			return 0, fmt.Errorf("zkdb: bad zxid %q: %w", s, err)
		}
		return Zxid(int64(u)), nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("zkdb: bad zxid %q: %w", s, err)
	}
	return Zxid(v), nil
}

// MarshalText writes z as String does, so JSON carries zxids as "0x…" strings.
func (z Zxid) MarshalText() ([]byte, error) { return []byte(z.String()), nil }

// UnmarshalText reads what ParseZxid accepts.
func (z *Zxid) UnmarshalText(b []byte) error {
	v, err := ParseZxid(string(b))
	if err != nil {
		return err
	}
	*z = v
	return nil
}
