package zkdb

import (
	"crypto/sha1"
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
)

// ID is one identity a session has authenticated as (ZooKeeper's Id): scheme "ip" with the
// client's address, or "digest" with "user:base64(sha1(user:password))" after an addauth.
type ID struct {
	Scheme string `json:"scheme"`
	ID     string `json:"id"`
}

// DigestID is the digest id of "user:password" (DigestAuthenticationProvider.generateDigest):
// the user, ":", and the base64 SHA-1 of the whole "user:password".
func DigestID(userPassword string) string {
	user, _, _ := strings.Cut(userPassword, ":")
	sum := sha1.Sum([]byte(userPassword))
	return user + ":" + base64.StdEncoding.EncodeToString(sum[:])
}

// UserName is what whoAmI shows for an id: the user of a digest id, the id itself otherwise.
func (id ID) UserName() string {
	if id.Scheme == "digest" {
		user, _, _ := strings.Cut(id.ID, ":")
		return user
	}
	return id.ID
}

// Permits reports whether ids may do perm on a node with this ACL
// (ZooKeeperServer.checkACL): an empty ACL permits everything; a "super" id everything; else
// some entry granting a bit of perm must be world:anyone, or match one of the ids of its
// scheme (digest: the same id; ip: the client's address within the entry's address/bits).
func Permits(acl []ACL, perm int32, ids []ID) bool {
	if len(acl) == 0 {
		return true
	}
	for _, id := range ids {
		if id.Scheme == "super" {
			return true
		}
	}
	for _, a := range acl {
		if a.Perms&perm == 0 {
			continue
		}
		if a.Scheme == "world" && a.ID == "anyone" {
			return true
		}
		for _, id := range ids {
			if id.Scheme != a.Scheme {
				continue
			}
			switch a.Scheme {
			case "digest":
				if id.ID == a.ID {
					return true
				}
			case "ip":
				if ipMatches(id.ID, a.ID) {
					return true
				}
			}
		}
	}
	return false
}

// ipMatches is IPAuthenticationProvider.matches: the client address within the ACL's
// address masked to its bits (all of them without "/bits").
func ipMatches(client, aclExpr string) bool {
	addrText, bitsText, hasBits := strings.Cut(aclExpr, "/")
	acl, err := netip.ParseAddr(addrText)
	if err != nil {
		return false
	}
	bits := acl.BitLen()
	if hasBits {
		if bits, err = strconv.Atoi(bitsText); err != nil || bits < 0 || bits > acl.BitLen() {
			return false
		}
	}
	remote, err := netip.ParseAddr(client)
	if err != nil || remote.BitLen() != acl.BitLen() {
		return false
	}
	p1, _ := acl.Prefix(bits)
	p2, _ := remote.Prefix(bits)
	return p1 == p2
}

// allowed is the permission check of a write or read: OK, or NOAUTH.
func allowed(n *node, perm int32, ids []ID) Err {
	if Permits(n.acl, perm, ids) {
		return OK
	}
	return ErrNoAuth
}
