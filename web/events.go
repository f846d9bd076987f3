package web

import (
	"encoding/json"
	"fmt"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/reason"
)

// EventJSON is an event as the websocket sends it.
type EventJSON struct {
	Seq     uint64    `json:"seq"`
	T       float64   `json:"t"`
	Kind    string    `json:"kind"`
	Node    int       `json:"node,omitempty"`
	Peer    int       `json:"peer,omitempty"`
	Packet  string    `json:"packet,omitempty"`
	MsgID   uint64    `json:"msgId,omitempty"`
	Zxid    string    `json:"zxid,omitempty"`
	At      float64   `json:"at,omitempty"`
	State   string    `json:"state,omitempty"`
	Phase   string    `json:"phase,omitempty"`
	Mode    string    `json:"mode,omitempty"`
	Vote    *VoteJSON `json:"vote,omitempty"`
	N       int       `json:"n,omitempty"`
	M       int       `json:"m,omitempty"`
	Client  int64     `json:"client,omitempty"`
	Session string    `json:"session,omitempty"`
	Op      string    `json:"op,omitempty"`
	Err     string    `json:"err,omitempty"`
	Path    string    `json:"path,omitempty"`
	Epoch   int64     `json:"epoch,omitempty"`
	// Reason is {"code": ..., "args": {...}}: the page renders it (and the sentence of the
	// event) from the generated catalogue in its own language.
	Reason reason.Reason `json:"reason,omitzero"`
}

// VoteJSON is a vote inside an event.
type VoteJSON struct {
	Leader    int    `json:"leader"`
	Zxid      string `json:"zxid"`
	PeerEpoch int64  `json:"peerEpoch"`
	Round     int64  `json:"round"`
	State     string `json:"state"`
}

func eventJSON(e *engine.Event) EventJSON {
	j := EventJSON{Seq: e.Seq, T: float64(e.TimeUs) / 1000, Kind: e.Kind.String(), Node: e.Node, Peer: e.Peer,
		MsgID: e.MsgID, N: e.N, M: e.M, Client: e.Client, Path: e.Path, Epoch: e.Epoch, Reason: e.Reason}
	switch e.Kind {
	case engine.EvSend, engine.EvDeliver, engine.EvDrop, engine.EvQueue:
		j.Packet = e.Packet.String()
	}
	if e.Kind == engine.EvSend {
		j.At = float64(e.AtUs) / 1000
	}
	if e.Zxid != 0 {
		j.Zxid = e.Zxid.String()
	}
	if e.Kind == engine.EvState {
		j.State, j.Phase = e.State.String(), e.Phase.String()
	}
	if e.Kind == engine.EvSyncMode {
		j.Mode = e.Mode.String()
	}
	if e.Kind == engine.EvVote || e.Kind == engine.EvDecided || (e.Packet == engine.Notification && (e.Kind == engine.EvSend || e.Kind == engine.EvDeliver || e.Kind == engine.EvDrop)) {
		j.Vote = &VoteJSON{Leader: e.Vote.Leader, Zxid: e.Vote.Zxid.String(), PeerEpoch: e.Vote.PeerEpoch, Round: e.Vote.Round, State: e.Vote.State.String()}
	}
	if e.Session != 0 {
		j.Session = fmt.Sprintf("0x%x", uint64(e.Session))
	}
	if e.Op != 0 {
		j.Op = e.Op.String()
	}
	if e.Kind == engine.EvClient || e.Kind == engine.EvCommit {
		j.Err = e.Err.Name()
	}
	return j
}

// encodeEvents encodes events once, for viewers in every language.
func encodeEvents(evs []engine.Event) []json.RawMessage {
	out := make([]json.RawMessage, len(evs))
	for i := range evs {
		out[i], _ = json.Marshal(eventJSON(&evs[i]))
	}
	return out
}
