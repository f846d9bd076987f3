package zkdb

// Digest is a deterministic hash of the tree's content: every node (path, data, ACL, Stat)
// and every session (id, timeout). It is a sum of per-entry hashes, so map order does not
// matter and two trees with the same content have equal digests. Watches and the last
// processed zxid are not part of it.
func (t *DataTree) Digest() uint64 {
	var sum uint64
	for p, n := range t.nodes {
		h := fnvString(fnvOffset, p)
		h = fnvBytes(h, n.data)
		h = hashACL(h, n.acl)
		h = hashStat(h, n.statValue())
		sum += mix64(h)
	}
	for id, timeout := range t.sessions {
		h := fnvUint64(fnvOffset, 's')
		h = fnvUint64(h, uint64(id))
		h = fnvUint64(h, uint64(uint32(timeout)))
		sum += mix64(h)
	}
	return mix64(sum ^ uint64(len(t.nodes))<<32 ^ uint64(len(t.sessions)))
}

func hashStat(h uint64, st Stat) uint64 {
	h = fnvUint64(h, uint64(st.Czxid))
	h = fnvUint64(h, uint64(st.Mzxid))
	h = fnvUint64(h, uint64(st.Ctime))
	h = fnvUint64(h, uint64(st.Mtime))
	h = fnvUint64(h, uint64(uint32(st.Version)))
	h = fnvUint64(h, uint64(uint32(st.Cversion)))
	h = fnvUint64(h, uint64(uint32(st.Aversion)))
	h = fnvUint64(h, uint64(st.EphemeralOwner))
	h = fnvUint64(h, uint64(uint32(st.DataLength)))
	h = fnvUint64(h, uint64(uint32(st.NumChildren)))
	return fnvUint64(h, uint64(st.Pzxid))
}
