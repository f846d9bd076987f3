package engine

import (
	"encoding/binary"

	"github.com/zablab/zablab/engine/zkdb"
)

// EventKind says what an Event reports.
type EventKind uint8

// Event kinds. Their names (EventKind.String) are part of the websocket surface.
const (
	EvState     EventKind = iota + 1 // a server's state or phase changed (Reason says why)
	EvVote                           // a server's election proposal changed
	EvDecided                        // a server ended an election (Peer = leader)
	EvSend                           // a message was put on a link
	EvDeliver                        // a message arrived
	EvDrop                           // a message was lost (Reason)
	EvQueue                          // a learner queue at the leader changed (N = length)
	EvEpoch                          // acceptedEpoch (Reason "accepted") or currentEpoch ("current") persisted
	EvPropose                        // the leader proposed a txn
	EvLogged                         // a server appended a proposal to its txn log
	EvAcked                          // the leader counted an ACK (N acks, M needed)
	EvCommit                         // a server applied a committed txn (Node); Op/Path/Err describe it
	EvSyncMode                       // the leader chose how to sync a learner (Peer)
	EvTruncated                      // a server truncated its log (Zxid = new last zxid)
	EvSnapshot                       // a server took or installed a snapshot
	EvSession                        // a session was created, closed or expired (Reason)
	EvClient                         // a client request was answered (Client, Op, Err, Zxid)
	EvLinks                          // the link rules changed (Reason describes the rule)
	EvViolation                      // the invariant checker found a violation (Reason)
	EvConn                           // a learner connection opened or closed (Reason)
	EvWatch                          // a watch fired (Client, Path, Reason = event type)
	evKindCount
)

var kindNames = [...]string{"", "state", "vote", "decided", "send", "deliver", "drop", "queue",
	"epoch", "propose", "logged", "acked", "commit", "syncMode", "truncated", "snapshot",
	"session", "client", "links", "violation", "conn", "watch"}

func (k EventKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Event is one observable step of the simulation. Fields not used by a kind are zero.
type Event struct {
	Seq    uint64    `json:"seq"`
	TimeUs int64     `json:"timeUs"`
	Kind   EventKind `json:"-"`
	Node   int       `json:"node,omitempty"`
	Peer   int       `json:"peer,omitempty"`
	// Packet and MsgID identify a message; its send, delivery and drop events share MsgID.
	Packet  PacketType `json:"-"`
	MsgID   uint64     `json:"msgId,omitempty"`
	Zxid    Zxid       `json:"-"`
	Epoch   int64      `json:"epoch,omitempty"`
	State   ServerState
	Phase   ZabPhase
	Mode    SyncMode
	Vote    Vote
	N, M    int
	Client  int64
	Session int64
	Op      zkdb.OpType
	Err     zkdb.Err
	Path    string
	// AtUs is a message's scheduled delivery time (EvSend).
	AtUs   int64
	Reason string
}

// digester hashes the event log (FNV-1a 64) without allocating per event.
type digester struct {
	h   uint64
	buf [160]byte
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func newDigester() *digester { return &digester{h: fnvOffset} }

func (d *digester) bytes(b []byte) {
	h := d.h
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	d.h = h
}

func (d *digester) str(s string) {
	h := d.h
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	d.h = h
}

func (d *digester) add(e *Event) {
	b := d.buf[:0]
	b = binary.LittleEndian.AppendUint64(b, e.Seq)
	b = binary.LittleEndian.AppendUint64(b, uint64(e.TimeUs))
	b = append(b, byte(e.Kind), byte(e.Node), byte(e.Peer), byte(e.Packet), byte(e.State), byte(e.Phase), byte(e.Mode), byte(e.Vote.State))
	b = binary.LittleEndian.AppendUint64(b, e.MsgID)
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Zxid))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Epoch))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Vote.Leader))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Vote.Zxid))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Vote.Round))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Vote.PeerEpoch))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.N)<<32|uint64(uint32(e.M)))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Client))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Session))
	b = binary.LittleEndian.AppendUint32(b, uint32(e.Op))
	b = binary.LittleEndian.AppendUint32(b, uint32(e.Err))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.AtUs))
	d.bytes(b)
	d.str(e.Path)
	d.str(e.Reason)
}

func (d *digester) sum() uint64 { return d.h }
