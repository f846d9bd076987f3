// Package describe renders engine events as sentences a person reads (English and Chinese),
// from the catalogue in engine/reason. It is a view: it reads events, never the servers.
package describe

import (
	"strconv"
	"strings"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/reason"
)

// Lang is a user language (engine.En, engine.Zh).
type Lang = engine.Lang

// SentenceKey names the catalogue sentence (reason.Sentences) that describes an event.
func SentenceKey(e *engine.Event) string {
	switch e.Kind {
	case engine.EvEpoch:
		if e.Reason.Code == reason.EpochAccepted {
			return "ev.epoch.accepted"
		}
		return "ev.epoch.current"
	case engine.EvPropose:
		if !e.Reason.IsZero() {
			return "ev.propose.why"
		}
	case engine.EvClient:
		if e.Op == 0 && !e.Reason.IsZero() {
			return "ev.client.note"
		}
		if e.Zxid != 0 {
			return "ev.client.replyTxn"
		}
		return "ev.client.reply"
	}
	return "ev." + e.Kind.String()
}

// Event renders an event as one sentence a person can read, from the catalogue.
func Event(e *engine.Event, lang Lang) string {
	tmpl := reason.SentenceTemplate(SentenceKey(e), lang)
	if tmpl == "" {
		return e.Kind.String()
	}
	var b strings.Builder
	reason.Fill(&b, tmpl, func(b *strings.Builder, name string) { b.WriteString(eventArg(e, name, lang)) })
	return b.String()
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// eventArg is one named argument of an event sentence (see reason.Sentence).
func eventArg(e *engine.Event, name string, lang Lang) string {
	switch name {
	case "node":
		return itoa(int64(e.Node))
	case "peer":
		return itoa(int64(e.Peer))
	case "client":
		return itoa(e.Client)
	case "packet":
		return e.Packet.String()
	case "state":
		return e.State.String()
	case "phase":
		return e.Phase.String()
	case "mode":
		return e.Mode.String()
	case "op":
		return e.Op.String()
	case "path":
		return e.Path
	case "err":
		return e.Err.Name()
	case "n":
		return itoa(int64(e.N))
	case "m":
		return itoa(int64(e.M))
	case "epoch":
		return itoa(e.Epoch)
	case "session":
		return "0x" + strconv.FormatUint(uint64(e.Session), 16)
	case "zxid":
		return e.Zxid.String()
	case "zepoch":
		return itoa(int64(e.Zxid.Epoch()))
	case "counter":
		return itoa(int64(e.Zxid.Counter()))
	case "vleader":
		return itoa(int64(e.Vote.Leader))
	case "vzxid":
		return e.Vote.Zxid.String()
	case "vepoch":
		return itoa(e.Vote.PeerEpoch)
	case "vround":
		return itoa(e.Vote.Round)
	case "vstate":
		return e.Vote.State.String()
	case "reason":
		return reason.Render(e.Reason, lang)
	case "invariant":
		return e.Reason.Code.Invariant()
	case "detail":
		return msgDetail(e, lang)
	}
	return "{" + name + "}"
}

func msgDetail(e *engine.Event, lang Lang) string {
	if e.Packet == engine.Notification {
		var b strings.Builder
		reason.Fill(&b, reason.SentenceTemplate("msg.vote", lang), func(b *strings.Builder, name string) { b.WriteString(eventArg(e, name, lang)) })
		return b.String()
	}
	if e.Zxid == 0 || e.Zxid == -1 {
		return ""
	}
	return e.Zxid.String()
}
