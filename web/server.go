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
	_ "github.com/zablab/zablab/engine/check" // every cluster is checked
	"github.com/zablab/zablab/lessons"
	"github.com/zablab/zablab/static"
)

// Limits.
const (
	MaxRooms = 32
	// DefaultRoomsPerClient is how many sandbox rooms one client address may hold.
	DefaultRoomsPerClient = 4
	sandboxIdleTTL        = 30 * time.Minute
	MainRoom              = "main"
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
	// JoinCode, when set (a classroom server), is required to join a room's class.
	JoinCode string
	// RoomDataLimit is every room's data budget in bytes (0: engine.DefaultDataLimit).
	RoomDataLimit int
	// ClientPortBase is room main's ZooKeeper client port base (server N on base+N), listed
	// in /zookeeper/config; 0 when the ports are off or not at fixed numbers.
	ClientPortBase int
	// OpenRun, when set, is replayed into room main, which starts paused at the run's end.
	OpenRun *engine.RunFile
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
	// ExtendedTypes is ZooKeeper's zookeeper.extendedTypesEnabled for room main: TTL nodes.
	ExtendedTypes bool
	// ContainerCheckIntervalMs is ZooKeeper's znode.container.checkIntervalMs for room main
	// (0: 60000).
	ContainerCheckIntervalMs int64
	// ReadOnlyMode is ZooKeeper's readonlymode.enabled for room main.
	ReadOnlyMode bool
	// LocalSessions is ZooKeeper's localSessionsEnabled, as read-only mode uses it: a
	// read-only server gives new clients local sessions (off: it refuses them, as 3.8 does).
	LocalSessions bool
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
	owners   map[string]string // sandbox room → the client address that created it
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
	cfg.ClientPortBase = o.ClientPortBase
	cfg.ExtendedTypes = o.ExtendedTypes
	cfg.ContainerCheckIntervalMs = o.ContainerCheckIntervalMs
	cfg.ReadOnlyMode = o.ReadOnlyMode
	cfg.LocalSessions = o.LocalSessions
	if o.RoomDataLimit > 0 {
		cfg.DataLimitBytes = o.RoomDataLimit
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{opts: o, rooms: map[string]*Room{}, owners: map[string]string{}, stop: make(chan struct{})}
	s.loopback = isLoopbackAddr(o.Addr)
	if (!s.loopback || len(o.EmbedOrigins) > 0) && o.MainToken == "" {
		s.opts.MainToken = newToken()
	}
	var main *Room
	var err error
	if o.OpenRun != nil {
		var c *engine.Cluster
		var marks *marker
		c, marks, err = replayMarked(o.OpenRun)
		if err == nil {
			main = newReplayRoom(MainRoom, s.opts.MainToken, false, c, marks, o.ZKPort)
		}
	} else {
		main, err = newRoom(MainRoom, s.opts.MainToken, false, cfg, o.ZKPort)
	}
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

// createRoom adds a sandbox room with its own token for the client at address client.
func (s *Server) createRoom(cfg engine.Config, client string) (*Room, error) {
	return s.addSandbox(client, func(name, token string) (*Room, error) {
		r, err := newRoom(name, token, true, cfg, nil)
		if err != nil {
			return nil, &userError{code: "bad_config", msg: err.Error()}
		}
		return r, nil
	})
}

// addSandbox names a new sandbox room of client, makes it and adds it. When that client
// already holds its share of rooms, its sandbox idle longest (no command for the longest time)
// that no page shows makes way. When the server is full, the sandbox idle longest of any
// client makes way if nobody watches it or watched it in the last resumeGrace (a viewer may
// be reconnecting). Room main never does. With nothing to evict, the answer is
// too_many_rooms (429).
func (s *Server) addSandbox(client string, make func(name, token string) (*Room, error)) (*Room, error) {
	s.mu.Lock()
	victim, err := s.makeWayFor(client)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	name := newToken()[:10]
	r, err := make(name, newToken())
	if err != nil {
		s.mu.Unlock()
		if victim != nil {
			victim.close()
		}
		return nil, err
	}
	s.rooms[name] = r
	s.owners[name] = client
	s.mu.Unlock()
	if victim != nil {
		s.logf("room %s evicted (idle %v, nobody watching) to make way for a new sandbox of %s", victim.Name, victim.idleFor().Round(time.Second), client)
		victim.close()
	}
	return r, nil
}

// makeWayFor removes (without closing) the sandbox that must make way for a new one of
// client, if one must. s.mu must be held.
func (s *Server) makeWayFor(client string) (*Room, error) {
	limit := s.opts.RoomsPerClient
	if limit == 0 {
		limit = DefaultRoomsPerClient
	}
	var own []string
	for name, owner := range s.owners {
		if owner == client {
			own = append(own, name)
		}
	}
	var candidates []string
	switch {
	case limit > 0 && len(own) >= limit:
		candidates = own
		if v := s.evictable(candidates, false); v != nil {
			return v, nil
		}
		return nil, &userError{code: "too_many_rooms", msg: fmt.Sprintf("your address already holds %d sandbox rooms in use; close one or let it idle", len(own))}
	case len(s.rooms) >= MaxRooms:
		for name := range s.owners {
			candidates = append(candidates, name)
		}
		if v := s.evictable(candidates, true); v != nil {
			return v, nil
		}
		return nil, &userError{code: "too_many_rooms", msg: fmt.Sprintf("this server already runs %d rooms, all in use", MaxRooms)}
	}
	return nil, nil
}

// evictable picks the longest-idle sandbox among names that no viewer watches (nor, when
// recently is set, watched in the last resumeGrace) and removes it from the server's rooms.
// s.mu must be held.
func (s *Server) evictable(names []string, recently bool) *Room {
	sort.Strings(names)
	var victim *Room
	var idle time.Duration
	for _, name := range names {
		r := s.rooms[name]
		if r == nil || !r.Sandbox || r.hub.count() > 0 || (recently && r.hub.watchedRecently()) {
			continue
		}
		if d := r.idleFor(); victim == nil || d > idle {
			victim, idle = r, d
		}
	}
	if victim != nil {
		delete(s.rooms, victim.Name)
		delete(s.owners, victim.Name)
	}
	return victim
}

// clientKey is the address a room limit counts against: the peer's IP address (an IPv6
// client's /64, which one machine may fill with addresses). X-Forwarded-For is not trusted.
func clientKey(remoteAddr string) string {
	host := remoteAddr
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		host = h
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
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
				delete(s.owners, name)
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

// roomConfig is the configuration of a new or reset room: the request's, within the server's
// data budget, with the server's ZooKeeper properties (extended types, container checks,
// read-only mode).
func (s *Server) roomConfig(q createRequest) (engine.Config, error) {
	cfg, err := q.config(s.opts.Timing)
	if err == nil && s.opts.RoomDataLimit > 0 {
		cfg.DataLimitBytes = s.opts.RoomDataLimit
	}
	cfg.ExtendedTypes = s.opts.ExtendedTypes
	cfg.ContainerCheckIntervalMs = s.opts.ContainerCheckIntervalMs
	cfg.ReadOnlyMode = s.opts.ReadOnlyMode
	cfg.LocalSessions = s.opts.LocalSessions
	return cfg, err
}
