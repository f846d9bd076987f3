// Package zkdb is ZooKeeper's data model for zablab: the znode tree with its Stat fields,
// sessions and their ephemeral nodes, one-shot watches, and the deterministic application of
// write transactions (ZooKeeper: DataTree, WatchManager, the session table of ZKDatabase and
// the checks of PrepRequestProcessor).
//
// Everything here is pure: no goroutines, no clock, no randomness, no I/O. Applying the same
// sequence of Txns to equal trees yields equal trees, equal results and equal watch events.
// A DataTree is not safe for concurrent use.
//
// Where ZooKeeper runs its checks in the leader's PrepRequestProcessor and then applies an
// already-checked txn (or an error txn) in every replica's DataTree, zkdb keeps the client's
// Op in the Txn and runs the same checks when the txn is applied. Because every replica applies
// the same txns in the same order to the same state, they all reach the same verdict, so the
// outcome is the same as ZooKeeper's.
//
// Differences from ZooKeeper 3.8, on purpose:
//   - ACLs are checked (NOAUTH) against the ids an Op carries (Op.Auth), which the client
//     port fills from its connection; there is no "super" id and no SASL.
//   - Only ephemeral creates check the session (SESSIONEXPIRED); other writes do not.
//   - Data larger than MaxDataBytes is refused with BADARGUMENTS (ZooKeeper closes the
//     connection when a packet exceeds jute.maxbuffer, so its clients never get that far).
//   - A createTTL whose mode is not a TTL mode is BADARGUMENTS even with a negative ttl
//     (zkdb does not keep the ttl).
//   - TTL nodes are not supported (UNIMPLEMENTED, as ZooKeeper without extended types), and
//     empty containers are not deleted automatically (ZooKeeper's ContainerManager does that
//     on a timer; a driver may submit OpDeleteContainer).
//   - Children lists are returned sorted; ZooKeeper returns them in hash-set order.
package zkdb
