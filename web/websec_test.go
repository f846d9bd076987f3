package web

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/gorilla/websocket"

	"github.com/zablab/zablab/engine"
)

// dialWS opens room's websocket and reads the first view.
func dialWS(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var first map[string]any
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := conn.ReadJSON(&first); err != nil || first["type"] != "view" {
		t.Fatalf("first message should be the view: %v %v", first["type"], err)
	}
	return conn
}

func wsURL(httpURL, room string) string {
	return "ws" + strings.TrimPrefix(httpURL, "http") + "/api/rooms/" + room + "/ws"
}

// readResults reads websocket messages until it holds n results (or the deadline passes).
func readResults(t *testing.T, conn *websocket.Conn, n int, within time.Duration) map[float64]map[string]any {
	t.Helper()
	got := map[float64]map[string]any{}
	deadline := time.Now().Add(within)
	for len(got) < n && time.Now().Before(deadline) {
		var m map[string]any
		conn.SetReadDeadline(deadline)
		if err := conn.ReadJSON(&m); err != nil {
			break
		}
		if m["type"] == "result" {
			got[m["id"].(float64)] = m
		}
	}
	return got
}

// Issue 11 item 11: one strict decoder for HTTP bodies and websocket commands.
func TestStrictJSONEverywhere(t *testing.T) {
	_, ts := newTestServer(t)
	waitLeader(t, ts, "main")
	for _, c := range []struct{ name, path, body string }{
		{"upper-case field name", "/api/rooms/main/partition", `{"GROUPS":[[1]]}`},
		{"mixed-case field name", "/api/rooms/main/partition", `{"Groups":[[1],[2,3]]}`},
		{"invalid UTF-8", "/api/rooms/main/partition", "{\"groups\":[[1],[2,3]],\"x\":\"\xff\"}"},
		{"invalid UTF-8 in a known field", "/api/rooms/main/ops", "{\"server\":1,\"op\":\"create\",\"path\":\"/u\",\"data\":\"\xff\"}"},
		{"trailing data", "/api/rooms/main/partition", `{"groups":[[1],[2,3]]} {"groups":[[1]]}`},
		{"trailing garbage", "/api/rooms/main/partition", `{"groups":[[1],[2,3]]}x`},
		{"case inside timing", "/api/rooms/main/reset", `{"nodes":3,"timing":{"TICKTIME":100}}`},
		{"empty body", "/api/rooms/main/partition", ``},
	} {
		r := call(t, ts, "POST", c.path, c.body)
		if r.status != 400 || (r.body["code"] != "bad_json" && r.body["code"] != "bad_timing") || r.body["error"] == "" {
			t.Errorf("%s: got %d %s, want 400 bad_json", c.name, r.status, r.raw)
		}
	}
	conn := dialWS(t, wsURL(ts.URL, "main"))
	for _, m := range []string{
		"{\"id\":27,\"cmd\":\"crash\",\"node\":1,\"x\":\"\xff\"}",
		"{\"id\":28,\"cmd\":\"crash\",\"node\":1,\"path\":\"\xff\"}",
		`{"id":29,"CMD":"crash","node":1}`,
		`{"id":30,"cmd":"crash","Node":1}`,
		`{"id":31,"cmd":"crash","node":1,"extra":true}`,
		`{"id":32,"cmd":"crash","node":1} {"id":33}`,
		`{"id":34,"cmd":"partition","groups":[[1]],"GROUPS":[[1],[2]]}`,
	} {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	got := readResults(t, conn, 7, 10*time.Second)
	for _, id := range []float64{27, 28, 29, 30, 31, 32, 34} {
		if got[id]["ok"] != false || got[id]["code"] != "bad_json" {
			t.Errorf("websocket command %v: got %v, want bad_json", id, got[id])
		}
	}
	v := call(t, ts, "GET", "/api/rooms/main", "")
	for _, n := range v.body["nodes"].([]any) {
		if n.(map[string]any)["state"] == "DOWN" {
			t.Fatal("a refused command crashed a server")
		}
	}
	if links := v.body["links"].(map[string]any); len(links["groups"].([]any)) != 0 {
		t.Fatalf("a refused command partitioned the room: %v", links)
	}
	// The strict decoder still accepts what the page sends.
	conn.WriteJSON(map[string]any{"id": 40, "cmd": "lesson", "action": "stop"})
	conn.WriteJSON(map[string]any{"id": 41, "cmd": "op", "server": 1, "op": "get", "path": "/", "data": "", "ephemeral": false, "sequential": false})
	got = readResults(t, conn, 2, 10*time.Second)
	if got[41]["ok"] != true || got[40] == nil || got[40]["code"] == "bad_json" {
		t.Fatalf("well-formed commands: %v", got)
	}
}

// Issue 11 item 8 and issue 10 item 1: a command's reply is never dropped, even while the
// viewer is marked behind (a room at full speed makes more events than a batch may carry)
// and after the hub resets every viewer.
func TestWebsocketRepliesNeverDropped(t *testing.T) {
	_, ts := newTestServer(t)
	waitLeader(t, ts, "main")
	if r := call(t, ts, "POST", "/api/rooms/main/speed", `{"speed": 1000}`); r.status != 200 {
		t.Fatalf("speed: %s", r.raw)
	}
	conn := dialWS(t, wsURL(ts.URL, "main"))
	const burst = 300
	for i := 1; i <= burst; i++ {
		cmd := map[string]any{"id": i, "cmd": "heal"}
		if i%3 == 0 {
			cmd = map[string]any{"id": i, "cmd": "speed", "speed": 1000}
		}
		if err := conn.WriteJSON(cmd); err != nil {
			t.Fatal(err)
		}
	}
	got := readResults(t, conn, burst, 30*time.Second)
	if len(got) != burst {
		t.Fatalf("a burst of %d commands at full speed got %d replies", burst, len(got))
	}
	for id, m := range got {
		if m["ok"] != true {
			t.Fatalf("command %v failed: %v", id, m)
		}
	}
	// A reset marks every viewer behind; the reset's reply and the replies to the commands
	// right after it still arrive.
	conn.WriteJSON(map[string]any{"id": 1001, "cmd": "reset", "nodes": 3, "observers": 0, "seed": 4, "bug": ""})
	for i := 1002; i < 1022; i++ {
		conn.WriteJSON(map[string]any{"id": i, "cmd": "heal"})
	}
	got = readResults(t, conn, 21, 30*time.Second)
	if len(got) != 21 {
		t.Fatalf("after a reset: %d of 21 replies", len(got))
	}
	if got[1001]["ok"] != true {
		t.Fatalf("reset: %v", got[1001])
	}
}

// rawCreate is a create request frame for path (persistent, open ACL).
func rawCreate(xid int32, path string) []byte {
	body := be32(be32(nil, xid), 1) // xid, create
	body = be32(body, int32(len(path)))
	body = append(body, path...)
	body = be32(body, 0) // no data
	body = be32(body, 1) // one ACL
	body = be32(body, 31)
	body = be32(body, 5)
	body = append(body, "world"...)
	body = be32(body, 6)
	body = append(body, "anyone"...)
	body = be32(body, 0) // persistent
	return append(be32(nil, int32(len(body))), body...)
}

// Issue 11 item 12: when a server drops a client, the requests it had not answered get no
// reply at all (ZooKeeper never sends CONNECTIONLOSS, −4, on the wire: the client makes it up).
func TestZKDisconnectSendsNoConnectionLoss(t *testing.T) {
	l := startLab(t, 3, 1)
	nc, _, err := rawConnect(t, l.addr(1), 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if r := call(t, l.ts, "POST", "/api/rooms/main/pause", ""); r.status != 200 {
		t.Fatalf("pause: %s", r.raw)
	}
	// The room is paused: these writes stay outstanding.
	for i := int32(1); i <= 5; i++ {
		nc.Write(rawCreate(i, fmt.Sprintf("/pending-%d", i)))
	}
	// Wait until the five are outstanding in the (paused) engine.
	outstanding := func() (n int64) {
		l.zk.mu.Lock()
		defer l.zk.mu.Unlock()
		for c := range l.zk.conns {
			n += c.outstanding.Load()
		}
		return n
	}
	for deadline := time.Now().Add(5 * time.Second); outstanding() < 5 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n := outstanding(); n != 5 {
		t.Fatalf("%d requests outstanding, want 5", n)
	}
	if r := call(t, l.ts, "POST", "/api/rooms/main/nodes/1/crash", ""); r.status != 200 {
		t.Fatalf("crash: %s", r.raw)
	}
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(nc)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("the connection of a crashed server stayed open")
		}
	}
	for len(got) >= 16 {
		n := int(binary.BigEndian.Uint32(got))
		if n < 12 || len(got) < 4+n {
			break
		}
		xid := int32(binary.BigEndian.Uint32(got[4:]))
		code := int32(binary.BigEndian.Uint32(got[16:]))
		t.Errorf("reply on the wire after the crash: xid %d, err %d", xid, code)
		got = got[4+n:]
	}
}

// logBook collects log lines (safe for concurrent use).
type logBook struct {
	mu    sync.Mutex
	lines []string
	t     *testing.T
}

func (b *logBook) logf(format string, args ...any) {
	b.mu.Lock()
	b.lines = append(b.lines, fmt.Sprintf(format, args...))
	b.mu.Unlock()
}

func (b *logBook) has(s string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range b.lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// Issue 11 item 5: a client that pipelines large reads and never reads the replies is closed
// once 16 MiB of answered replies wait for it; other clients carry on.
func TestZKUnreadRepliesAreBounded(t *testing.T) {
	l := startLab(t, 3, 1)
	book := &logBook{t: t}
	z, _ := StartZKPorts(l.s.Main(), "127.0.0.1", -1, 3, book.logf) // a second set of ports, logging to book
	t.Cleanup(z.Close)
	good, _ := l.connect(l.addr(2))
	big := make([]byte, engine.MaxDataBytes-1024) // within the 0xfffff-byte frame limit
	if _, err := good.Create("/big", big, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", z.Port(1))
	nc, _, err := rawConnect(t, addr, 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if tcp, ok := nc.(*net.TCPConn); ok {
		tcp.SetReadBuffer(64 << 10)
	}
	req := be32(be32(nil, 0), 4) // getData
	req = be32(req, 4)
	req = append(req, "/big"...)
	req = append(req, 0) // no watch
	var frames []byte
	for i := 0; i < 80; i++ {
		binary.BigEndian.PutUint32(req, uint32(i+1)) // xid
		frames = append(frames, be32(nil, int32(len(req)))...)
		frames = append(frames, req...)
	}
	nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	nc.Write(frames)
	deadline := time.Now().Add(8 * time.Second)
	for !book.has("answered and unsent") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !book.has("answered and unsent") {
		t.Fatalf("a client holding 80 MiB of unread replies was not closed for it; log: %v", book.lines)
	}
	if _, _, err := good.Get("/big"); err != nil {
		t.Fatalf("another client suffered: %v", err)
	}
}

func newServerWith(t *testing.T, o Options) (*Server, *httptest.Server) {
	t.Helper()
	o.Voters, o.Observers, o.Seed, o.Timing, o.Logf = 3, 0, 7, engine.FastTiming(), t.Logf
	s, err := NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		s.Shutdown(t.Context())
	})
	return s, ts
}

// Issue 11 item 9: every response says who may frame it, not to sniff types, and how much
// referrer to send.
func TestSecurityHeaders(t *testing.T) {
	_, ts := newTestServer(t)
	for _, path := range []string{"/", "/lessons", "/api/rooms/main", "/api/rooms/nope", "/static/app.js", "/healthz"} {
		res, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'self'") || strings.Contains(csp, "frame-ancestors 'self' ") ||
			!strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") != "same-origin" ||
			res.Header.Get("X-Frame-Options") != "SAMEORIGIN" {
			t.Errorf("%s: headers %v", path, res.Header)
		}
	}
	// The page needs nothing the policy forbids: no inline script, only its own assets.
	page := call(t, ts, "GET", "/", "")
	if strings.Count(page.raw, "<script") != strings.Count(page.raw, "<script src=") || strings.Contains(page.raw, "<style") {
		t.Fatalf("the page has inline code the CSP would block: %s", page.raw)
	}
}

// --embed-origins adds origins to frame-ancestors; room main then needs its token for
// commands even on loopback (a page framed by another site gets no SameSite cookie).
func TestEmbedOrigins(t *testing.T) {
	if _, err := ParseEmbedOrigins("https://ok.example, javascript:alert(1)"); err == nil {
		t.Fatal("a non-http origin was accepted")
	}
	if _, err := ParseEmbedOrigins("https://a.example/path"); err == nil {
		t.Fatal("an origin with a path was accepted")
	}
	if _, err := ParseEmbedOrigins("https://a.example; script-src *"); err == nil {
		t.Fatal("an origin that injects a directive was accepted")
	}
	origins, err := ParseEmbedOrigins("https://course.example.edu, http://localhost:3000")
	if err != nil || len(origins) != 2 {
		t.Fatal(origins, err)
	}
	s, ts := newServerWith(t, Options{Addr: "127.0.0.1:0", EmbedOrigins: origins})
	res, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' https://course.example.edu http://localhost:3000") {
		t.Fatalf("CSP %q", csp)
	}
	if s.MainToken() == "" {
		t.Fatal("with embedding on, room main needs a token")
	}
	if v := call(t, ts, "GET", "/api/rooms/main", ""); v.status != 200 || v.body["canControl"] != false {
		t.Fatalf("a framed view without the token is read-only: %d %v", v.status, v.body["canControl"])
	}
	if r := call(t, ts, "POST", "/api/rooms/main/nodes/1/crash", ""); r.status != 401 {
		t.Fatalf("a command without the token: %d %s", r.status, r.raw)
	}
	if r := call(t, ts, "POST", "/api/rooms/main/heal", "", "X-Zablab-Token", s.MainToken()); r.status != 200 {
		t.Fatalf("a command with the token: %d %s", r.status, r.raw)
	}
}

// Issue 11 item 10: on a non-loopback address, reading a room needs its token, and the Host
// header must name the lab.
func TestNonLoopbackNeedsTokenToRead(t *testing.T) {
	s, ts := newServerWith(t, Options{Addr: "0.0.0.0:0", Hosts: []string{"lab.example.edu"}})
	tok := s.MainToken()
	for _, path := range []string{"/api/rooms/main", "/api/rooms/main/nodes/1/tree"} {
		if r := call(t, ts, "GET", path, ""); r.status != 401 || r.body["code"] != "token_required" {
			t.Errorf("%s without a token: %d %s", path, r.status, r.raw)
		}
		if r := call(t, ts, "GET", path, "", "X-Zablab-Token", "nope"); r.status != 403 || r.body["code"] != "bad_token" {
			t.Errorf("%s with a wrong token: %d %s", path, r.status, r.raw)
		}
		if r := call(t, ts, "GET", path, "", "Cookie", cookieName("main")+"="+tok); r.status != 200 {
			t.Errorf("%s with the token cookie: %d %s", path, r.status, r.raw)
		}
	}
	if r := call(t, ts, "GET", "/", ""); r.status != 401 || !strings.Contains(r.raw, "?token=") {
		t.Errorf("the lab page without a token: %d %s", r.status, r.raw)
	}
	if r := call(t, ts, "GET", "/", "", "Cookie", cookieName("main")+"="+tok); r.status != 200 {
		t.Errorf("the lab page with the token cookie: %d", r.status)
	}
	if r := call(t, ts, "GET", "/lessons", ""); r.status != 200 {
		t.Errorf("the lesson index (lessons run in their own sandboxes): %d", r.status)
	}
	if _, res, err := websocket.DefaultDialer.Dial(wsURL(ts.URL, "main"), nil); err == nil || res == nil || res.StatusCode != 401 {
		t.Fatalf("websocket without a token: %v %v", res, err)
	}
	hdr := http.Header{"X-Zablab-Token": {tok}}
	conn, _, err := websocket.DefaultDialer.Dial(wsURL(ts.URL, "main"), hdr)
	if err != nil {
		t.Fatalf("websocket with the token: %v", err)
	}
	conn.Close()
	// A sandbox's token reads that sandbox only.
	sb := call(t, ts, "POST", "/api/rooms", `{"nodes":3}`)
	room, stok := sb.body["room"].(string), sb.body["token"].(string)
	if r := call(t, ts, "GET", "/api/rooms/"+room, "", "X-Zablab-Token", stok); r.status != 200 {
		t.Fatalf("sandbox with its token: %d %s", r.status, r.raw)
	}
	if r := call(t, ts, "GET", "/api/rooms/"+room, "", "X-Zablab-Token", tok); r.status != 403 {
		t.Fatalf("sandbox with main's token: %d %s", r.status, r.raw)
	}
	// Host: the names the lab is reached by, never a foreign name (DNS rebinding).
	for _, c := range []struct {
		host string
		ok   bool
	}{{"lab.example.edu:8080", true}, {"LAB.example.edu", true}, {"10.1.2.3:8080", true}, {"[::1]:8080", true},
		{"localhost:8080", true}, {"evil.example", false}, {"lab.example.edu.evil.example", false}} {
		r := call(t, ts, "GET", "/healthz", "", "Host", c.host)
		if (r.status == 200) != c.ok {
			t.Errorf("Host %s: %d %s", c.host, r.status, r.raw)
		}
	}
	// Bound to one address: that address (and loopback names), no other.
	s2, _ := newServerWith(t, Options{Addr: "192.0.2.7:8080"})
	for host, ok := range map[string]bool{"192.0.2.7:8080": true, "192.0.2.8:8080": false, "127.0.0.1:8080": true, "lab.example.edu": false} {
		if s2.hostAllowed(host) != ok {
			t.Errorf("bound to 192.0.2.7, Host %s allowed=%v", host, !ok)
		}
	}
}

// makeIdle makes room r look idle (no command) for d.
func makeIdle(r *Room, d time.Duration) {
	r.mu.Lock()
	r.lastActive = time.Now().Add(-d)
	r.mu.Unlock()
}

// Issue 11 item 7: one address holds at most RoomsPerClient sandboxes; a new one evicts that
// address's longest-idle sandbox no page shows, never a watched one and never room main.
func TestRoomsPerClientEvictLongestIdle(t *testing.T) {
	s, ts := newServerWith(t, Options{Addr: "127.0.0.1:0"})
	var rooms []string
	create := func() resp {
		r := call(t, ts, "POST", "/api/rooms", `{"nodes":3,"timing":"fast"}`)
		if r.status == 201 {
			rooms = append(rooms, r.body["room"].(string))
		}
		return r
	}
	for i := 0; i < DefaultRoomsPerClient; i++ {
		if r := create(); r.status != 201 {
			t.Fatalf("room %d: %d %s", i, r.status, r.raw)
		}
	}
	// Room 0's page was open a moment ago: for its own client it may still make way.
	conn := dialWS(t, wsURL(ts.URL, rooms[0]))
	conn.Close()
	for deadline := time.Now().Add(5 * time.Second); s.room(rooms[0]).hub.count() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	for i, room := range rooms {
		makeIdle(s.room(room), time.Duration(10-i)*time.Minute) // room 0 idle longest
	}
	if r := create(); r.status != 201 {
		t.Fatalf("a fifth room should evict the longest-idle one: %d %s", r.status, r.raw)
	}
	if r := call(t, ts, "GET", "/api/rooms/"+rooms[0], ""); r.status != 404 {
		t.Fatalf("the longest-idle room %s should be gone: %d", rooms[0], r.status)
	}
	for _, room := range rooms[1:] {
		if r := call(t, ts, "GET", "/api/rooms/"+room, ""); r.status != 200 {
			t.Fatalf("room %s was evicted too: %d", room, r.status)
		}
		dialWS(t, wsURL(ts.URL, room)) // watched from now on
	}
	if r := create(); r.status != 429 || r.body["code"] != "too_many_rooms" {
		t.Fatalf("with every room watched, a new one is refused: %d %s", r.status, r.raw)
	}
	if s.room(MainRoom) == nil {
		t.Fatal("room main was evicted")
	}
	// Another address still gets rooms.
	if _, err := s.createRoom(engine.DefaultConfig(3, 0, 1), "192.0.2.9"); err != nil {
		t.Fatalf("another address: %v", err)
	}
}

// When the server is full, the longest-idle sandbox of anyone makes way, unless a viewer
// watches it or watched it in the last resumeGrace.
func TestFullServerEvictsLongestIdle(t *testing.T) {
	s, ts := newServerWith(t, Options{Addr: "127.0.0.1:0"})
	cfg := engine.DefaultConfig(3, 0, 1)
	cfg.Timing = engine.FastTiming()
	var sandboxes []*Room
	for i := 1; i < MaxRooms; i++ {
		r, err := s.createRoom(cfg, fmt.Sprintf("192.0.2.%d", i))
		if err != nil {
			t.Fatalf("room %d: %v", i, err)
		}
		makeIdle(r, time.Minute)
		sandboxes = append(sandboxes, r)
	}
	left, idlest := sandboxes[0], sandboxes[1]
	conn := dialWS(t, wsURL(ts.URL, left.Name)) // watched a moment ago, then left
	conn.Close()
	for deadline := time.Now().Add(5 * time.Second); left.hub.count() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	makeIdle(left, time.Hour)
	makeIdle(idlest, 50*time.Minute)
	if _, err := s.createRoom(cfg, "198.51.100.1"); err != nil {
		t.Fatalf("a full server should evict the longest-idle sandbox: %v", err)
	}
	if s.room(idlest.Name) != nil || s.room(left.Name) == nil || s.room(MainRoom) == nil {
		t.Fatal("want the longest-idle unwatched sandbox evicted; the one watched a moment ago and room main kept")
	}
	if got := clientKey("[2001:db8:1:2:3:4:5:6]:5000"); got != "2001:db8:1:2::/64" {
		t.Fatalf("an IPv6 client counts by its /64: %s", got)
	}
}

// A viewer's replies survive a full queue and come back in order after its fresh view; a
// viewer that reads none is closed once they pass maxReplyBytes, not left to grow.
func TestViewerKeepsRepliesInOrder(t *testing.T) {
	v := newViewer(true)
	v.offerReply([]byte("r0"))
	for i := 0; i < viewerQueue; i++ {
		v.offer([]byte("batch"))
	}
	for i := 1; i <= 5; i++ {
		v.offerReply([]byte(fmt.Sprint("r", i)))
	}
	v.offer([]byte("late batch")) // dropped: the viewer is behind
	behind, replies, overflow := v.takeBehind()
	if !behind || overflow {
		t.Fatalf("behind %v overflow %v", behind, overflow)
	}
	if got := fmt.Sprintf("%s", replies); got != "[r0 r1 r2 r3 r4 r5]" {
		t.Fatalf("replies after catching up: %s", got)
	}
	if len(v.send) != 0 {
		t.Fatalf("%d stale batches left in the queue", len(v.send))
	}
	big := make([]byte, 1<<20)
	for i := 0; i < viewerQueue; i++ {
		v.offer([]byte("batch"))
	}
	for i := 0; i <= maxReplyBytes>>20; i++ {
		v.offerReply(big)
	}
	if _, _, overflow := v.takeBehind(); !overflow {
		t.Fatal("a viewer holding more than maxReplyBytes of unread replies must be closed")
	}
}

// The same with go-zookeeper, as the issue saw it: requests outstanding when their server
// crashes fail with the client's own connection error, never "unknown error: -4".
func TestZKDisconnectGoZookeeper(t *testing.T) {
	l := startLab(t, 3, 1)
	c, _ := l.connect(l.addr(1))
	if r := call(t, l.ts, "POST", "/api/rooms/main/pause", ""); r.status != 200 {
		t.Fatalf("pause: %s", r.raw)
	}
	errs := make(chan error, 5)
	for i := 0; i < 5; i++ {
		go func() {
			_, err := c.Create(fmt.Sprintf("/pending-%d", i), nil, 0, zk.WorldACL(zk.PermAll))
			errs <- err
		}()
	}
	outstanding := func() (n int64) {
		l.zk.mu.Lock()
		defer l.zk.mu.Unlock()
		for zc := range l.zk.conns {
			n += zc.outstanding.Load()
		}
		return n
	}
	for deadline := time.Now().Add(5 * time.Second); outstanding() < 5 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if r := call(t, l.ts, "POST", "/api/rooms/main/nodes/1/crash", ""); r.status != 200 {
		t.Fatalf("crash: %s", r.raw)
	}
	for i := 0; i < 5; i++ {
		select {
		case err := <-errs:
			if err == nil || strings.Contains(err.Error(), "-4") {
				t.Errorf("an outstanding create at a crashed server: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("an outstanding request never failed")
		}
	}
}
