package zkdb

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// fixupACL validates the ACL of a create or setACL as PrepRequestProcessor.fixupACL does and
// returns what the node stores: exact duplicates dropped, then INVALIDACL for an empty list
// or an entry no server authentication provider accepts. An "auth" entry stands for every
// authenticated id of the session (its digest ids; an ip id does not count), each with the
// entry's permissions; without one it is INVALIDACL.
func fixupACL(acl []ACL, ids []ID) ([]ACL, Err) {
	if len(acl) == 0 {
		return nil, ErrInvalidACL
	}
	if len(acl) == 1 && acl[0] == openACL[0] {
		return openACL, OK // the common case; keep no reference to the caller's slice
	}
	changed := false
	for i, a := range acl {
		if a.Scheme == "auth" || slices.Contains(acl[:i], a) {
			changed = true
		} else if !validACLID(a.Scheme, a.ID) {
			return nil, ErrInvalidACL
		}
	}
	if !changed {
		return acl, OK
	}
	var uniq []ACL
	for _, a := range acl {
		if !slices.Contains(uniq, a) {
			uniq = append(uniq, a)
		}
	}
	out := make([]ACL, 0, len(uniq))
	for _, a := range uniq {
		if a.Scheme != "auth" {
			out = append(out, a)
			continue
		}
		authenticated := false
		for _, id := range ids {
			if id.Scheme == "digest" {
				out = append(out, ACL{Perms: a.Perms, Scheme: id.Scheme, ID: id.ID})
				authenticated = true
			}
		}
		if !authenticated {
			return nil, ErrInvalidACL
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
