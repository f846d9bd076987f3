// Package web serves the lab: the HTTP JSON API, the websocket event stream, the page shell
// and the embedded front-end assets. Each room's cluster is owned by one goroutine; handlers
// only send it commands.
package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/lessons"
	"github.com/zablab/zablab/static"
)

// Limits.
const (
	MaxRooms       = 32
	sandboxIdleTTL = 30 * time.Minute
	MainRoom       = "main"
)

// Options configure a Server.
type Options struct {
	Addr      string // listen address, e.g. 127.0.0.1:8080
	Voters    int
	Observers int
	Seed      int64
	Timing    engine.Timing
	// ZKPort maps a server id of room main to its ZooKeeper client port (nil: none).
	ZKPort func(id int) int
	// MainToken, when set, is required for commands on room main (non-loopback addresses).
	MainToken string
	// Lessons are the lessons the lab offers (lessons.Embedded()).
	Lessons []*lessons.Lesson
	// Logf logs why a connection was closed (nil: the standard logger).
	Logf func(format string, args ...any)
	// EmbedOrigins may frame the lab (CSP frame-ancestors), besides the lab's own origin.
	// When set, room main needs its token for commands even on loopback, so a framed copy
	// on another site (which gets no SameSite cookie) stays read-only.
	EmbedOrigins []string
	// Hosts are extra names the lab answers to (the Host header) on a non-loopback address.
	Hosts []string
	// RoomsPerClient bounds the sandbox rooms one client address may hold (0: the default, 4;
	// negative: no bound).
	RoomsPerClient int
}

// Server is the lab's HTTP server.
type Server struct {
	opts     Options
	e        *echo.Echo
	mu       sync.Mutex
	rooms    map[string]*Room
	loopback bool
	assetVer string
	srv      *http.Server
	ln       net.Listener
	stop     chan struct{}
}

// NewServer builds the server and its main room.
func NewServer(o Options) (*Server, error) {
	cfg := engine.DefaultConfig(o.Voters, o.Observers, o.Seed)
	cfg.Timing = o.Timing
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{opts: o, rooms: map[string]*Room{}, stop: make(chan struct{})}
	s.loopback = isLoopbackAddr(o.Addr)
	if (!s.loopback || len(o.EmbedOrigins) > 0) && o.MainToken == "" {
		s.opts.MainToken = newToken()
	}
	main, err := newRoom(MainRoom, s.opts.MainToken, false, cfg, o.ZKPort)
	if err != nil {
		return nil, err
	}
	s.rooms[MainRoom] = main
	s.assetVer = assetVersion()
	s.e = s.routes()
	return s, nil
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// MainToken is the token commands on room main need ("" when none is needed).
func (s *Server) MainToken() string { return s.opts.MainToken }

// Main returns room main.
func (s *Server) Main() *Room { return s.room(MainRoom) }

// Handler is the HTTP handler (for tests).
func (s *Server) Handler() http.Handler { return s.e }

// Listen binds the address; it returns the URL to open.
func (s *Server) Listen() (string, error) {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return "", err
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s.e, ReadHeaderTimeout: 10 * time.Second}
	return "http://" + ln.Addr().String() + "/", nil
}

// Serve serves until Shutdown.
func (s *Server) Serve() error {
	go s.janitor()
	err := s.srv.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops the HTTP server, every websocket and every room.
func (s *Server) Shutdown(ctx context.Context) error {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	var err error
	if s.srv != nil {
		err = s.srv.Shutdown(ctx)
	}
	s.mu.Lock()
	rooms := make([]*Room, 0, len(s.rooms))
	for _, r := range s.rooms {
		rooms = append(rooms, r)
	}
	s.mu.Unlock()
	for _, r := range rooms {
		r.close() // also closes hijacked websocket connections
	}
	return err
}

func (s *Server) room(name string) *Room {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rooms[name]
}

func (s *Server) roomNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.rooms))
	for n := range s.rooms {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// lesson finds a lesson by slug.
func (s *Server) lesson(slug string) *lessons.Lesson {
	for _, l := range s.opts.Lessons {
		if l.Slug == slug {
			return l
		}
	}
	return nil
}

// createRoom adds a sandbox room with its own token.
func (s *Server) createRoom(cfg engine.Config) (*Room, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.rooms) >= MaxRooms {
		return nil, &userError{code: "too_many_rooms", msg: fmt.Sprintf("this server already runs %d rooms", MaxRooms)}
	}
	name := newToken()[:10]
	r, err := newRoom(name, newToken(), true, cfg, nil)
	if err != nil {
		return nil, &userError{code: "bad_config", msg: err.Error()}
	}
	s.rooms[name] = r
	return r, nil
}

// janitor closes sandbox rooms nobody watched or commanded for sandboxIdleTTL.
func (s *Server) janitor() {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		for _, name := range s.roomNames() {
			r := s.room(name)
			if r == nil || !r.Sandbox || r.hub.count() > 0 {
				continue
			}
			if r.idleFor() > sandboxIdleTTL {
				s.mu.Lock()
				delete(s.rooms, name)
				s.mu.Unlock()
				r.close()
			}
		}
	}
}

func newToken() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// assetVersion hashes the embedded assets so their URLs change when they do.
func assetVersion() string {
	h := sha256.New()
	fs.WalkDir(static.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := static.FS.ReadFile(path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}
