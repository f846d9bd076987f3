package engine

import "github.com/zablab/zablab/engine/zkdb"

// Message is what travels on a link: a Fast Leader Election notification (Packet ==
// Notification) or a quorum packet on a learner connection (Conn != 0).
type Message struct {
	ID       uint64
	From, To int
	Packet   PacketType
	// Conn is the learner connection a quorum packet travels on; 0 for election traffic.
	Conn uint64
	// Opens: the first packet of a connection. If nothing listens at the other end (the
	// server is down), the network answers it with ConnRefused, as a refused TCP connect.
	Opens bool

	// Notification fields (FastLeaderElection.Notification).
	Vote  Vote // Leader, Zxid, Round (electionEpoch), PeerEpoch, State (sender's state)
	Epoch int64

	// Quorum packet fields (QuorumPacket: type, zxid, data).
	Zxid Zxid
	Txn  *zkdb.Txn    // PROPOSAL, INFORM, and the txns a DIFF/TRUNC stream carries
	Snap *Snapshot    // SNAP
	Req  *ForwardReq  // REQUEST
	Live []SessionTTL // PING reply: sessions touched since the last ping; REVALIDATE
	Flag bool         // REVALIDATE reply: session valid
}

// ForwardReq is a client request a learner forwards to the leader (Learner.request).
type ForwardReq struct {
	SessionID int64
	Cxid      int32
	Op        zkdb.Op
}

// SessionTTL is one (sessionId, timeout) pair of a PING reply or REVALIDATE.
type SessionTTL struct {
	SessionID int64
	TimeoutMs int32
}

// Snapshot is a data tree at a zxid: what a SNAP carries and what a server keeps on disk.
type Snapshot struct {
	Zxid  Zxid
	Tree  *zkdb.DataTree
	Bytes int
}
