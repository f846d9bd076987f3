package engine

import (
	"github.com/zablab/zablab/engine/reason"
	"github.com/zablab/zablab/engine/zkdb"
)

// Lang is a user language: "en" or "zh" (Simplified Chinese). Events are rendered as
// sentences by package engine/describe.
type Lang = reason.Lang

// Languages.
const (
	En = reason.En
	Zh = reason.Zh
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
	EvEpoch                          // acceptedEpoch (Reason EpochAccepted) or currentEpoch (EpochCurrent) persisted
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
	EvWatch                          // a watch fired (Client, Path, Reason = WatchFired with the event type)
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
	AtUs int64
	// Reason says why, as a code plus typed arguments (reason.Render makes it a sentence).
	Reason reason.Reason
	// Txn is the txn proposed (EvPropose) or delivered as committed (EvCommit; nil for the
	// commits a SNAP or TRUNC sync applies, which the sync point covers). Not serialised.
	Txn *zkdb.Txn `json:"-"`
}

// digester hashes the event log without allocating per event: a 64-bit multiply-xorshift
// mix over the event's fixed fields, then its strings.
type digester struct {
	h uint64
}

const (
	digestSeed  = 14695981039346656037
	digestPrime = 0x9E3779B97F4A7C15
)

func newDigester() *digester { return &digester{h: digestSeed} }

func (d *digester) word(v uint64) {
	h := (d.h ^ v) * digestPrime
	d.h = h ^ (h >> 29)
}

func (d *digester) str(s string) {
	for len(s) >= 8 {
		d.word(uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56)
		s = s[8:]
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		v |= uint64(s[i]) << (8 * i)
	}
	d.word(v ^ uint64(len(s))<<56)
}

func (d *digester) add(e *Event) {
	d.word(e.Seq)
	d.word(uint64(e.TimeUs))
	d.word(uint64(e.Kind) | uint64(uint8(e.Node))<<8 | uint64(uint8(e.Peer))<<16 | uint64(uint8(e.Packet))<<24 |
		uint64(uint8(e.State))<<32 | uint64(uint8(e.Phase))<<40 | uint64(uint8(e.Mode))<<48 | uint64(uint8(e.Vote.State))<<56)
	d.word(e.MsgID)
	d.word(uint64(e.Zxid))
	d.word(uint64(e.Epoch))
	d.word(uint64(e.Vote.Leader))
	d.word(uint64(e.Vote.Zxid))
	d.word(uint64(e.Vote.Round))
	d.word(uint64(e.Vote.PeerEpoch))
	d.word(uint64(e.N)<<32 | uint64(uint32(e.M)))
	d.word(uint64(e.Client))
	d.word(uint64(e.Session))
	d.word(uint64(uint32(e.Op))<<32 | uint64(uint32(e.Err)))
	d.word(uint64(e.AtUs))
	d.str(e.Path)
	d.word(uint64(e.Reason.Code))
	for _, v := range e.Reason.Used() {
		d.word(uint64(v))
	}
	if e.Reason.S != "" {
		d.str(e.Reason.S)
	}
}

func (d *digester) sum() uint64 { return d.h }
