package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"github.com/zablab/zablab/engine"
)

const (
	wsWriteWait  = 10 * time.Second
	wsPongWait   = 60 * time.Second
	wsPingEvery  = 25 * time.Second
	wsMaxMessage = maxBody
)

// The guard middleware already checked Origin against Host.
var upgrader = websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 16384,
	CheckOrigin: func(r *http.Request) bool { return true }}

// wsCommand is a command sent over the websocket; the fields of the REST bodies, flattened.
type wsCommand struct {
	ID            int64           `json:"id"`
	Cmd           string          `json:"cmd"`
	Node          int             `json:"node"`
	Groups        [][]int         `json:"groups"`
	From          int             `json:"from"`
	To            int             `json:"to"`
	Up            *bool           `json:"up"`
	On            *bool           `json:"on"` // cmd "slowmotion"
	Speed         float64         `json:"speed"`
	OpRequest                     // cmd "op"
	LessonRequest                 // cmd "lesson"
	Nodes         int             `json:"nodes"`
	Observers     int             `json:"observers"`
	Seed          *int64          `json:"seed"`
	Bug           string          `json:"bug"`
	Timing        json.RawMessage `json:"timing"`
	// Command is cmd "apply": one command of the run-file vocabulary.
	Command *engine.Command `json:"command"`
	// cmd "autopilot": the body of POST /autopilot (all zero turns it off).
	WritesPerSec  float64  `json:"writesPerSec"`
	FaultEverySec float64  `json:"faultEverySec"`
	Faults        []string `json:"faults"`
}

type wsResult struct {
	Type   string `json:"type"`
	ID     int64  `json:"id"`
	OK     bool   `json:"ok"`
	Result any    `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
	Code   string `json:"code,omitempty"`
}

func (s *Server) websocket(c echo.Context) error {
	r, err := s.roomOf(c)
	if err != nil {
		return err
	}
	var since uint64
	if q := c.QueryParam("since"); q != "" {
		if since, err = strconv.ParseUint(q, 10, 64); err != nil {
			return errStatus(http.StatusBadRequest, "bad_since", "since must be an event number")
		}
	}
	canControl := s.canControl(c, r)
	fresh, err := r.View()
	if err != nil {
		return err
	}
	fresh.CanControl = canControl
	freshJSON, _ := json.Marshal(fresh)
	conn, err := upgrader.Upgrade(c.Response(), c.Request(), nil)
	if err != nil {
		return nil // the upgrader already answered
	}
	v := newViewer(canControl)
	v.teacher = canControl && r.studentOf(c) == nil
	first := r.hub.join(v, since, freshJSON)
	go s.wsWriter(conn, r, v, first)
	s.wsReader(conn, r, v)
	return nil
}

// wsWriter is the connection's only writer: queued batches, resets, results, pings.
func (s *Server) wsWriter(conn *websocket.Conn, r *Room, v *viewer, first [][]byte) {
	ping := time.NewTicker(wsPingEvery)
	check := time.NewTicker(250 * time.Millisecond)
	defer func() {
		ping.Stop()
		check.Stop()
		conn.Close()
	}()
	write := func(m []byte) bool {
		conn.SetWriteDeadline(time.Now().Add(wsWriteWait))
		return conn.WriteMessage(websocket.TextMessage, m) == nil
	}
	for _, m := range first {
		if !write(m) {
			return
		}
	}
	// catchUp sends a viewer that fell behind a fresh view, then every reply it is owed
	// (first the one just taken from the queue, if any).
	catchUp := func(taken *wsOut) bool {
		behind, replies, overflow := v.takeBehind()
		if overflow {
			s.logf("websocket viewer of room %s: closing: more than %d bytes of command results unread", r.Name, maxReplyBytes)
			return false
		}
		if !behind {
			return taken == nil || write(taken.b)
		}
		if !write(r.hub.resetMessage(v)) {
			return false
		}
		if taken != nil && taken.reply {
			replies = append([][]byte{taken.b}, replies...)
		}
		for _, m := range replies {
			if !write(m) {
				return false
			}
		}
		return true
	}
	for {
		select {
		case o, ok := <-v.send:
			if !ok {
				conn.SetWriteDeadline(time.Now().Add(time.Second))
				conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "room closed"))
				return
			}
			if !catchUp(&o) {
				return
			}
		case <-v.wake:
			if !catchUp(nil) {
				return
			}
		case <-check.C:
			if !catchUp(nil) {
				return
			}
		case <-ping.C:
			conn.SetWriteDeadline(time.Now().Add(wsWriteWait))
			if conn.WriteMessage(websocket.PingMessage, nil) != nil {
				return
			}
		}
	}
}

// wsReader reads commands until the connection closes.
func (s *Server) wsReader(conn *websocket.Conn, r *Room, v *viewer) {
	defer r.hub.leave(v)
	conn.SetReadLimit(wsMaxMessage)
	conn.SetReadDeadline(time.Now().Add(wsPongWait))
	conn.SetPongHandler(func(string) error { conn.SetReadDeadline(time.Now().Add(wsPongWait)); return nil })
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		conn.SetReadDeadline(time.Now().Add(wsPongWait))
		var cmd wsCommand
		if err := decodeStrict(data, &cmd); err != nil {
			// Answer with the command's id when it can be read at all.
			var idOnly struct {
				ID int64 `json:"id"`
			}
			json.NewDecoder(bytes.NewReader(data)).Decode(&idOnly)
			s.reply(r, v, wsResult{Type: "result", ID: idOnly.ID, Error: "malformed JSON: " + err.Error(), Code: "bad_json"})
			continue
		}
		if !v.canControl {
			s.reply(r, v, wsResult{Type: "result", ID: cmd.ID, Error: "this room needs its token for commands", Code: "token_required"})
			continue
		}
		s.runCommand(r, v, cmd)
	}
}

func (s *Server) runCommand(r *Room, v *viewer, cmd wsCommand) {
	done := func(res any, err error) {
		out := wsResult{Type: "result", ID: cmd.ID, OK: err == nil}
		if err != nil {
			out.Error = err.Error()
			var ue *userError
			var ae *apiError
			switch {
			case errors.As(err, &ue):
				out.Code = ue.code
			case errors.As(err, &ae):
				out.Code = ae.Code
			default:
				out.Code = "internal"
			}
		} else if _, isView := res.(RoomView); !isView {
			out.Result = res
		}
		s.reply(r, v, out)
	}
	var f func() (any, error)
	switch cmd.Cmd {
	case "crash":
		f = func() (any, error) { return r.crash(cmd.Node) }
	case "restart":
		f = func() (any, error) { return r.restart(cmd.Node) }
	case "partition":
		f = func() (any, error) { return r.partition(cmd.Groups) }
	case "link":
		if cmd.Up == nil {
			done(nil, badInput("bad_link", "\"up\" is required"))
			return
		}
		f = func() (any, error) { return r.link(cmd.From, cmd.To, *cmd.Up) }
	case "heal":
		f = r.heal
	case "pause":
		f = func() (any, error) { return r.setPaused(true) }
	case "resume":
		f = func() (any, error) { return r.setPaused(false) }
	case "step":
		f = r.step
	case "speed":
		f = func() (any, error) { return r.setSpeed(cmd.Speed) }
	case "slowmotion":
		if cmd.On == nil {
			done(nil, badInput("bad_slow_motion", "\"on\" is required"))
			return
		}
		f = func() (any, error) { return r.setSlowMotion(*cmd.On) }
	case "reset":
		q := createRequest{Nodes: cmd.Nodes, Observers: cmd.Observers, Seed: cmd.Seed, Bug: cmd.Bug, Timing: cmd.Timing}
		cfg, err := s.roomConfig(q)
		if err != nil {
			done(nil, err)
			return
		}
		f = func() (any, error) { return r.reset(cfg) }
	case "lesson":
		f = func() (any, error) { return r.lessonCommand(cmd.LessonRequest, s.lesson) }
	case "apply":
		if cmd.Command == nil {
			done(nil, badInput("bad_command", "\"command\" is required"))
			return
		}
		f = func() (any, error) { return r.apply(*cmd.Command) }
	case "autopilot":
		a := Autopilot{WritesPerSec: cmd.WritesPerSec, FaultEverySec: cmd.FaultEverySec, Faults: cmd.Faults}
		f = func() (any, error) { return r.setAutopilot(a) }
	case "op":
		_, err := r.do(func() (any, error) {
			return nil, r.submitOp(cmd.OpRequest, func(res OpResult) { done(res, nil) })
		})
		if err != nil {
			done(nil, err)
		}
		return
	default:
		done(nil, badInput("bad_cmd", "unknown command %q", cmd.Cmd))
		return
	}
	res, err := r.do(f)
	done(res, err)
}

// reply queues a result for one viewer. Results go through the same queue as batches, so
// they keep order with the events around them, but unlike batches they are never dropped.
func (s *Server) reply(r *Room, v *viewer, res wsResult) {
	b, _ := json.Marshal(res)
	v.offerReply(b)
}
