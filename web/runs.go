package web

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/zablab/zablab/engine"
)

// maxRunBody bounds an uploaded run file (an hour-long lecture is about 450 KB).
const maxRunBody = 32 << 20

// getRun is GET /api/rooms/{room}/run: the room's run so far, as a run file.
func (s *Server) getRun(c echo.Context) error {
	r, err := s.roomOf(c)
	if err != nil {
		return err
	}
	v, err := r.do(func() (any, error) { return r.c.RunFile(), nil })
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="zablab-`+r.Name+`.run.json"`)
	if !strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		return c.JSON(http.StatusOK, v)
	}
	// Run files compress about 17 times (an hour's lecture: 442 KiB of JSON, 26 KiB gzipped).
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	h.Set("Content-Encoding", "gzip")
	h.Set("Vary", "Accept-Encoding")
	h.Set("Content-Type", "application/json")
	c.Response().WriteHeader(http.StatusOK)
	zw := gzip.NewWriter(c.Response())
	zw.Write(b)
	return zw.Close()
}

// postRun is POST /api/runs: a run file becomes a new sandbox room, replayed to the file's
// end and paused there. A file that does not replay to its own digest is refused.
func (s *Server) postRun(c echo.Context) error {
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxRunBody))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return errStatus(http.StatusRequestEntityTooLarge, "too_large", "run file larger than %d bytes", maxRunBody)
		}
		return errStatus(http.StatusBadRequest, "bad_run", "cannot read the run file: %v", err)
	}
	rf, err := engine.ParseRunFile(body)
	if err != nil {
		return errStatus(http.StatusBadRequest, "bad_run", "%v", err)
	}
	cl, marks, err := replayMarked(rf)
	if err != nil {
		return errStatus(http.StatusBadRequest, "bad_run", "%v", err)
	}
	if got := engine.DigestString(cl.Digest()); rf.Digest != "" && got != rf.Digest {
		return errStatus(http.StatusBadRequest, "digest_mismatch",
			"the run replays to digest %s, not the file's %s: it was recorded by a different engine version or edited", got, rf.Digest)
	}
	return s.sandboxOf(c, cl, marks)
}

// sandboxOf makes a replayed cluster a new sandbox room, paused where the replay stopped,
// and answers its creation (marks: the timeline marks that follow it, from replayMarked).
func (s *Server) sandboxOf(c echo.Context, cl *engine.Cluster, marks *marker) error {
	r, err := s.addSandbox(clientKey(c.Request().RemoteAddr), func(name, token string) (*Room, error) {
		return newReplayRoom(name, token, true, cl, marks, nil), nil
	})
	if err != nil {
		return err
	}
	return roomCreated(c, r, "/r/"+r.Name)
}

// postCommand is POST /api/rooms/{room}/commands: one command of the run-file vocabulary,
// applied now and recorded. Real clients' zk.* commands only come from the ZooKeeper ports.
func (s *Server) postCommand(c echo.Context) error {
	r := c.Get("room").(*Room)
	var cmd engine.Command
	if err := bind(c, &cmd); err != nil {
		return err
	}
	v, err := r.do(func() (any, error) { return r.apply(cmd) })
	return s.answer(c, v, err)
}

// apply runs a command from a viewer (REST or websocket) on the room goroutine.
func (r *Room) apply(cmd engine.Command) (any, error) {
	switch cmd.Kind {
	case engine.CmdZkConnect, engine.CmdZkRequest, engine.CmdZkWatches, engine.CmdZkDetach:
		return nil, badInput("bad_command", "%s commands come from real clients on the ZooKeeper ports", cmd.Kind)
	}
	if err := r.c.Validate(&cmd); err != nil {
		return nil, badInput("bad_command", "%v", err)
	}
	if _, err := r.c.Apply(cmd); err != nil {
		return nil, badInput("conflict", "%v", err)
	}
	return r.view(), nil
}
