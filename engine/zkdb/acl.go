package zkdb

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// fixupACL validates the ACL of a create or setACL as PrepRequestProcessor.fixupACL does and
// returns what the node stores: INVALIDACL for an empty list or an entry no server
// authentication provider accepts; exact duplicates are dropped. Without authentication in
// zablab, the "auth" scheme (which needs an authenticated id) is always invalid.
func fixupACL(acl []ACL) ([]ACL, Err) {
	if len(acl) == 0 {
		return nil, ErrInvalidACL
	}
	if len(acl) == 1 && acl[0] == openACL[0] {
		return openACL, OK // the common case; keep no reference to the caller's slice
	}
	dup := false
	for i, a := range acl {
		if !validACLID(a.Scheme, a.ID) {
			return nil, ErrInvalidACL
		}
		if slices.Contains(acl[:i], a) {
			dup = true
		}
	}
	if !dup {
		return acl, OK
	}
	out := make([]ACL, 0, len(acl))
	for _, a := range acl {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out, OK
}

// validACLID reports whether ZooKeeper accepts scheme:id in an ACL: world:anyone, a digest
// id "user:base64hash", or an ip id "addr" or "addr/bits".
func validACLID(scheme, id string) bool {
	switch scheme {
	case "world":
		return id == "anyone"
	case "digest":
		// DigestAuthenticationProvider.isValid: id.split(":") has two parts (Java's split
		// drops trailing empty strings).
		parts := strings.Split(id, ":")
		for len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		return len(parts) == 2
	case "ip":
		return validIPACL(id)
	}
	return false
}

// validIPACL mirrors IPAuthenticationProvider.isValid: an IPv4 dotted quad or an IPv6
// address, optionally followed by "/bits" with bits within the address length.
func validIPACL(id string) bool {
	addr, bitsText, hasBits := strings.Cut(id, "/")
	var addrBits int
	if strings.Contains(addr, ":") {
		a, err := netip.ParseAddr(addr)
		if err != nil || !a.Is6() {
			return false
		}
		addrBits = 128
	} else {
		parts := strings.Split(addr, ".")
		if len(parts) != 4 {
			return false
		}
		for _, p := range parts {
			v, err := strconv.Atoi(p)
			if err != nil || v < 0 || v > 255 {
				return false
			}
		}
		addrBits = 32
	}
	if !hasBits {
		return true
	}
	bits, err := strconv.Atoi(bitsText)
	return err == nil && bits >= 0 && bits <= addrBits
}
