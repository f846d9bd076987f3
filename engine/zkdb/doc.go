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
//     (ZooKeeper accepts it and then fails to apply the txn).
//   - TTL nodes need Ensemble.ExtendedTypes (UNIMPLEMENTED without, as ZooKeeper without
//     zookeeper.extendedTypesEnabled). Nothing here deletes empty containers or expired TTL
//     nodes: ReapCandidates lists them, and the engine's leader submits OpDeleteContainer
//     txns for them, as ZooKeeper's ContainerManager does.
//   - Children lists are returned sorted; ZooKeeper returns them in hash-set order.
package zkdb
