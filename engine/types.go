// Package engine is zablab's ZAB engine: ZooKeeper 3.8's quorum protocol (Fast Leader
// Election, discovery, synchronization, broadcast) for many servers inside one deterministic
// discrete-event simulation. The core has no goroutines, no wall clock and no global
// randomness: the same seed and the same timed commands give the same event log.
package engine

import "github.com/zablab/zablab/engine/zkdb"

// Zxid is re-exported for callers that only import engine.
type Zxid = zkdb.Zxid

// ServerState is a server's QuorumPeer state (wire ordinals as in ZooKeeper), plus DOWN for a
// crashed server, which ZooKeeper cannot report about itself.
type ServerState int8

// Server states.
const (
	Looking   ServerState = 0
	Following ServerState = 1
	Leading   ServerState = 2
	Observing ServerState = 3
	Down      ServerState = 4
)

var stateNames = [...]string{"LOOKING", "FOLLOWING", "LEADING", "OBSERVING", "DOWN"}

func (s ServerState) String() string {
	if int(s) < len(stateNames) && s >= 0 {
		return stateNames[s]
	}
	return "UNKNOWN"
}

// ZabPhase is ZooKeeper's QuorumPeer.ZabState.
type ZabPhase int8

// Zab phases.
const (
	PhaseElection ZabPhase = iota
	PhaseDiscovery
	PhaseSynchronization
	PhaseBroadcast
	PhaseNone // a crashed server
)

var phaseNames = [...]string{"ELECTION", "DISCOVERY", "SYNCHRONIZATION", "BROADCAST", "NONE"}

func (p ZabPhase) String() string {
	if int(p) < len(phaseNames) && p >= 0 {
		return phaseNames[p]
	}
	return "UNKNOWN"
}

// SyncMode is how a learner was brought up to date (QuorumPeer.SyncMode).
type SyncMode int8

// Sync modes.
const (
	SyncNone SyncMode = iota
	SyncDiff
	SyncSnap
	SyncTrunc
)

var syncNames = [...]string{"NONE", "DIFF", "SNAP", "TRUNC"}

func (m SyncMode) String() string {
	if int(m) < len(syncNames) && m >= 0 {
		return syncNames[m]
	}
	return "UNKNOWN"
}

// PacketType is a quorum packet type (Leader.java constants), or Notification for a Fast
// Leader Election message, or one of the simulator's connection-control pseudo packets.
type PacketType int8

// Packet types. The numbers match ZooKeeper's wire values.
const (
	Notification  PacketType = 0
	Request       PacketType = 1
	Proposal      PacketType = 2
	Ack           PacketType = 3
	Commit        PacketType = 4
	Ping          PacketType = 5
	Revalidate    PacketType = 6
	Sync          PacketType = 7
	Inform        PacketType = 8
	NewLeader     PacketType = 10
	FollowerInfo  PacketType = 11
	UpToDate      PacketType = 12
	Diff          PacketType = 13
	Trunc         PacketType = 14
	Snap          PacketType = 15
	ObserverInfo  PacketType = 16
	LeaderInfo    PacketType = 17
	AckEpoch      PacketType = 18
	ConnRefused   PacketType = 30 // simulator: the target accepts no learner connections
	RequestResult PacketType = 31 // simulator: the leader's answer to a forwarded request it refused
)

var packetNames = map[PacketType]string{
	Notification: "NOTIFICATION", Request: "REQUEST", Proposal: "PROPOSAL", Ack: "ACK",
	Commit: "COMMIT", Ping: "PING", Revalidate: "REVALIDATE", Sync: "SYNC", Inform: "INFORM",
	NewLeader: "NEWLEADER", FollowerInfo: "FOLLOWERINFO", UpToDate: "UPTODATE", Diff: "DIFF",
	Trunc: "TRUNC", Snap: "SNAP", ObserverInfo: "OBSERVERINFO", LeaderInfo: "LEADERINFO",
	AckEpoch: "ACKEPOCH", ConnRefused: "CONNREFUSED", RequestResult: "REQUESTRESULT",
}

func (t PacketType) String() string {
	if s, ok := packetNames[t]; ok {
		return s
	}
	return "UNKNOWN"
}

// Vote is a Fast Leader Election vote (ZooKeeper: Vote). State is the voter's state when the
// vote was cast; it decides how two votes are compared (see Vote.Equal).
type Vote struct {
	Leader    int
	Zxid      Zxid
	Round     int64 // electionEpoch: the sender's logicalclock
	PeerEpoch int64
	State     ServerState
}

// Equal is ZooKeeper's Vote.equals: when either vote was cast while LOOKING compare leader,
// zxid, round and peerEpoch; two votes of servers out of the election compare only leader and
// peerEpoch (ZOOKEEPER-1732, ZOOKEEPER-1805).
func (v Vote) Equal(o Vote) bool {
	if v.State == Looking || o.State == Looking {
		return v.Leader == o.Leader && v.Zxid == o.Zxid && v.Round == o.Round && v.PeerEpoch == o.PeerEpoch
	}
	return v.Leader == o.Leader && v.PeerEpoch == o.PeerEpoch
}

// BetterVote is FastLeaderElection.totalOrderPredicate: does the candidate (newID, newZxid,
// newEpoch) beat (curID, curZxid, curEpoch)? Epoch first, then zxid, then server id.
func BetterVote(newID int, newZxid Zxid, newEpoch int64, curID int, curZxid Zxid, curEpoch int64) bool {
	if newEpoch != curEpoch {
		return newEpoch > curEpoch
	}
	if newZxid != curZxid {
		return newZxid > curZxid
	}
	return newID > curID
}

// IsQuorum reports whether n acks out of voters form a majority (QuorumMaj.containsQuorum).
func IsQuorum(n, voters int) bool { return n > voters/2 }
