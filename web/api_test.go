package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/reason"
)

func newTestServer(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	s, err := NewServer(Options{Addr: "127.0.0.1:0", Voters: 3, Observers: 1, Seed: 7, Timing: engine.FastTiming()})
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

type resp struct {
	status int
	body   map[string]any
	raw    string
}

func call(t *testing.T, ts *httptest.Server, method, path, body string, hdr ...string) resp {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var raw strings.Builder
	buf := make([]byte, 1<<16)
	for {
		n, err := res.Body.Read(buf)
		raw.Write(buf[:n])
		if err != nil {
			break
		}
	}
	r := resp{status: res.StatusCode, raw: raw.String()}
	json.Unmarshal([]byte(r.raw), &r.body)
	return r
}

// waitLeader polls the room view until a leader is established.
func waitLeader(t *testing.T, ts *httptest.Server, room string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		r := call(t, ts, "GET", "/api/rooms/"+room, "")
		if r.status == 200 && r.body["leader"].(float64) != 0 {
			return r.body
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no leader within 20 s")
	return nil
}

func TestGetRoomView(t *testing.T) {
	_, ts := newTestServer(t)
	v := waitLeader(t, ts, "main")
	nodes := v["nodes"].([]any)
	if len(nodes) != 4 {
		t.Fatalf("want 4 nodes, got %d", len(nodes))
	}
	leading := 0
	for _, n := range nodes {
		m := n.(map[string]any)
		for _, k := range []string{"id", "role", "state", "phase", "acceptedEpoch", "currentEpoch", "lastZxid", "lastCommittedZxid", "vote", "zkPort"} {
			if _, ok := m[k]; !ok {
				t.Errorf("node view lacks %q", k)
			}
		}
		if m["state"] == "LEADING" {
			leading++
		}
		if m["id"].(float64) == 4 && m["role"] != "observer" {
			t.Errorf("server 4 should be an observer, is %v", m["role"])
		}
	}
	if leading != 1 {
		t.Fatalf("want one leader, got %d", leading)
	}
	for _, k := range []string{"tick", "timeMs", "paused", "speed", "leader", "links", "canControl"} {
		if _, ok := v[k]; !ok {
			t.Errorf("room view lacks %q", k)
		}
	}
	if v["canControl"] != true {
		t.Error("loopback main room should be controllable without a token")
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	_, ts := newTestServer(t)
	waitLeader(t, ts, "main")
	cases := []struct {
		name, method, path, body string
		status                   int
		code                     string
		hdr                      []string
	}{
		{"unknown room", "GET", "/api/rooms/nope", "", 404, "unknown_room", nil},
		{"unknown room command", "POST", "/api/rooms/nope/heal", "", 404, "unknown_room", nil},
		{"unknown server crash", "POST", "/api/rooms/main/nodes/9/crash", "", 404, "unknown_server", nil},
		{"non-numeric server", "POST", "/api/rooms/main/nodes/x/restart", "", 404, "unknown_server", nil},
		{"restart running", "POST", "/api/rooms/main/nodes/1/restart", "", 409, "conflict", nil},
		{"malformed partition", "POST", "/api/rooms/main/partition", `{"groups": [[1,2],[3`, 400, "bad_json", nil},
		{"unknown field", "POST", "/api/rooms/main/partition", `{"groupz": [[1]]}`, 400, "bad_json", nil},
		{"partition unknown server", "POST", "/api/rooms/main/partition", `{"groups": [[1,2],[9]]}`, 400, "bad_groups", nil},
		{"partition duplicate", "POST", "/api/rooms/main/partition", `{"groups": [[1,2],[2,3]]}`, 400, "bad_groups", nil},
		{"link without up", "POST", "/api/rooms/main/links", `{"from":1,"to":2}`, 400, "bad_link", nil},
		{"link to self", "POST", "/api/rooms/main/links", `{"from":1,"to":1,"up":false}`, 400, "bad_link", nil},
		{"speed out of range", "POST", "/api/rooms/main/speed", `{"speed": 0}`, 400, "bad_speed", nil},
		{"speed huge", "POST", "/api/rooms/main/speed", `{"speed": 1e9}`, 400, "bad_speed", nil},
		{"op unknown", "POST", "/api/rooms/main/ops", `{"server":1,"op":"frob","path":"/a"}`, 400, "bad_op", nil},
		{"op bad path", "POST", "/api/rooms/main/ops", `{"server":1,"op":"create","path":"a/b"}`, 400, "bad_path", nil},
		{"op unknown server", "POST", "/api/rooms/main/ops", `{"server":0,"op":"get","path":"/"}`, 404, "unknown_server", nil},
		{"op too large", "POST", "/api/rooms/main/ops", `{"server":1,"op":"create","path":"/big","data":"` + strings.Repeat("x", engine.MaxDataBytes+1) + `"}`, 400, "too_large", nil},
		{"reset too many nodes", "POST", "/api/rooms/main/reset", `{"nodes": 50}`, 400, "bad_config", nil},
		{"reset bad bug", "POST", "/api/rooms/main/reset", `{"nodes": 3, "bug": "nope"}`, 400, "bad_bug", nil},
		{"reset bad timing", "POST", "/api/rooms/main/reset", `{"nodes": 3, "timing": {"tickTime": 1}}`, 400, "bad_config", nil},
		{"create room bad json", "POST", "/api/rooms", `nope`, 400, "bad_json", nil},
		{"create room negative observers", "POST", "/api/rooms", `{"nodes":3,"observers":-1}`, 400, "bad_config", nil},
		{"foreign origin", "POST", "/api/rooms/main/heal", "", 403, "bad_origin", []string{"Origin", "http://evil.example"}},
		{"foreign host", "GET", "/api/rooms/main", "", 403, "bad_host", []string{"Host", "evil.example"}},
		{"tree of unknown server", "GET", "/api/rooms/main/nodes/7/tree", "", 404, "unknown_server", nil},
	}
	before := call(t, ts, "GET", "/api/rooms/main", "")
	for _, c := range cases {
		r := call(t, ts, c.method, c.path, c.body, c.hdr...)
		if r.status != c.status || r.body["code"] != c.code || r.body["error"] == "" {
			t.Errorf("%s: got %d %v, want %d %s", c.name, r.status, r.raw[:min(len(r.raw), 200)], c.status, c.code)
		}
	}
	after := call(t, ts, "GET", "/api/rooms/main", "")
	// Nothing changed: same nodes up, same links, same config, same leader.
	if after.body["leader"] != before.body["leader"] || after.body["voters"] != before.body["voters"] {
		t.Fatalf("bad input changed the room: leader %v → %v", before.body["leader"], after.body["leader"])
	}
	links := after.body["links"].(map[string]any)
	if len(links["groups"].([]any)) != 0 || len(links["cuts"].([]any)) != 0 {
		t.Fatalf("bad input changed the links: %v", links)
	}
	for _, n := range after.body["nodes"].([]any) {
		if n.(map[string]any)["state"] == "DOWN" {
			t.Fatal("bad input crashed a server")
		}
	}
}

func TestCommandsHappyPath(t *testing.T) {
	_, ts := newTestServer(t)
	v := waitLeader(t, ts, "main")
	leader := int(v["leader"].(float64))
	follower := 1
	if leader == 1 {
		follower = 2
	}
	r := call(t, ts, "POST", "/api/rooms/main/ops", `{"server":`+itoa(follower)+`,"op":"create","path":"/lab","data":"hello"}`)
	if r.status != 200 || r.body["ok"] != true || r.body["zxid"] == "0x0" {
		t.Fatalf("create at a follower: %d %s", r.status, r.raw)
	}
	r = call(t, ts, "POST", "/api/rooms/main/ops", `{"server":`+itoa(leader)+`,"op":"sync","path":"/lab"}`)
	if r.status != 200 || r.body["ok"] != true {
		t.Fatalf("sync: %s", r.raw)
	}
	r = call(t, ts, "POST", "/api/rooms/main/ops", `{"server":`+itoa(leader)+`,"op":"get","path":"/lab"}`)
	if r.body["data"] != "hello" {
		t.Fatalf("get after sync: %s", r.raw)
	}
	r = call(t, ts, "POST", "/api/rooms/main/ops", `{"server":`+itoa(leader)+`,"op":"ls","path":"/"}`)
	if !strings.Contains(r.raw, `"lab"`) {
		t.Fatalf("ls: %s", r.raw)
	}
	r = call(t, ts, "POST", "/api/rooms/main/ops", `{"server":1,"op":"create","path":"/lab","data":"again"}`)
	if r.status != 200 || r.body["err"] != "NODEEXISTS" {
		t.Fatalf("create twice: %s", r.raw)
	}
	tree := call(t, ts, "GET", "/api/rooms/main/nodes/"+itoa(follower)+"/tree", "")
	if tree.status != 200 || !strings.Contains(tree.raw, `"/lab"`) || !strings.Contains(tree.raw, `"czxid"`) {
		t.Fatalf("tree: %d %s", tree.status, tree.raw[:min(300, len(tree.raw))])
	}
	for _, step := range []struct{ path, body string }{
		{"/api/rooms/main/pause", ""}, {"/api/rooms/main/step", ""}, {"/api/rooms/main/speed", `{"speed": 2.5}`},
		{"/api/rooms/main/resume", ""}, {"/api/rooms/main/links", `{"from":1,"to":2,"up":false}`},
		{"/api/rooms/main/partition", `{"groups":[[1,2],[3,4]]}`}, {"/api/rooms/main/heal", ""},
		{"/api/rooms/main/nodes/" + itoa(leader) + "/crash", ""}, {"/api/rooms/main/nodes/" + itoa(leader) + "/restart", ""},
	} {
		r := call(t, ts, "POST", step.path, step.body)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", step.path, r.status, r.raw)
		}
	}
	r = call(t, ts, "GET", "/api/rooms/main", "")
	if r.body["speed"].(float64) != 2.5 || r.body["paused"] != false {
		t.Fatalf("speed/paused not applied: %v %v", r.body["speed"], r.body["paused"])
	}
	r = call(t, ts, "POST", "/api/rooms/main/reset", `{"nodes":3,"observers":0,"seed":3,"bug":"skip-truncate"}`)
	if r.status != 200 || r.body["bug"] != "skip-truncate" || len(r.body["nodes"].([]any)) != 3 {
		t.Fatalf("reset: %d %s", r.status, r.raw[:min(200, len(r.raw))])
	}
}

func TestSandboxRoomNeedsToken(t *testing.T) {
	_, ts := newTestServer(t)
	r := call(t, ts, "POST", "/api/rooms", `{"nodes":3,"observers":0,"seed":5,"timing":"zookeeper"}`)
	if r.status != 201 || r.body["room"] == "" || r.body["token"] == "" {
		t.Fatalf("create room: %d %s", r.status, r.raw)
	}
	room, token := r.body["room"].(string), r.body["token"].(string)
	if v := call(t, ts, "GET", "/api/rooms/"+room, ""); v.status != 200 || v.body["canControl"] != false {
		t.Fatalf("anyone may watch, nobody without the token controls: %d %v", v.status, v.body["canControl"])
	}
	if v := call(t, ts, "GET", "/api/rooms/"+room, ""); v.body["timing"].(map[string]any)["tickTime"].(float64) != 2000 {
		t.Fatalf("zookeeper timing not in force: %v", v.body["timing"])
	}
	if x := call(t, ts, "POST", "/api/rooms/"+room+"/nodes/1/crash", ""); x.status != 401 || x.body["code"] != "token_required" {
		t.Fatalf("missing token: %d %s", x.status, x.raw)
	}
	if x := call(t, ts, "POST", "/api/rooms/"+room+"/nodes/1/crash", "", "X-Zablab-Token", "wrong"); x.status != 403 || x.body["code"] != "bad_token" {
		t.Fatalf("wrong token: %d %s", x.status, x.raw)
	}
	if x := call(t, ts, "POST", "/api/rooms/"+room+"/nodes/1/crash", "", "X-Zablab-Token", token); x.status != 200 {
		t.Fatalf("right token: %d %s", x.status, x.raw)
	}
	if x := call(t, ts, "GET", "/api/rooms/"+room, "", "Cookie", cookieName(room)+"="+token); x.body["canControl"] != true {
		t.Fatalf("token cookie not honoured")
	}
	// The page with ?token= stores the cookie and drops the token from the address.
	req, _ := http.NewRequest("GET", ts.URL+"/r/"+room+"?token="+token, nil)
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Set-Cookie"), token) {
		t.Fatalf("token page: %d %v", res.StatusCode, res.Header)
	}
}

func TestPageAndStatic(t *testing.T) {
	_, ts := newTestServer(t)
	r := call(t, ts, "GET", "/", "")
	if r.status != 200 || !strings.Contains(r.raw, `data-room="main"`) || !strings.Contains(r.raw, "/static/app.js?v=") {
		t.Fatalf("page: %d %s", r.status, r.raw)
	}
	if r := call(t, ts, "GET", "/r/nope", ""); r.status != 404 {
		t.Fatalf("unknown room page: %d", r.status)
	}
	if r := call(t, ts, "GET", "/static/favicon.svg", ""); r.status != 200 {
		t.Fatalf("favicon: %d", r.status)
	}
}

func TestWebsocketViewThenEventsAndResume(t *testing.T) {
	_, ts := newTestServer(t)
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/api/rooms/main/ws?lang=zh"
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var first map[string]any
	if err := conn.ReadJSON(&first); err != nil || first["type"] != "view" {
		t.Fatalf("first message should be the view: %v %v", first["type"], err)
	}
	var last float64
	sawReason := false
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && (last < 20 || !sawReason) {
		var m map[string]any
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		if err := conn.ReadJSON(&m); err != nil {
			t.Fatal(err)
		}
		if m["type"] != "events" {
			continue
		}
		for _, e := range m["events"].([]any) {
			ev := e.(map[string]any)
			seq := ev["seq"].(float64)
			if seq <= last {
				t.Fatalf("events out of order: %v after %v", seq, last)
			}
			last = seq
			if _, ok := ev["text"]; ok {
				t.Fatalf("events carry no rendered text: %v", ev)
			}
			// Reasons are typed: {"code": "queue.sent"} (with named "args" where the code has any).
			if r, ok := ev["reason"].(map[string]any); ok {
				code, _ := r["code"].(string)
				if !strings.Contains(code, ".") {
					t.Fatalf("reason without a code: %v", ev)
				}
				if args, ok := r["args"]; ok {
					if _, ok := args.(map[string]any); !ok {
						t.Fatalf("args is not an object: %v", ev)
					}
				}
				sawReason = sawReason || (ev["kind"] == "queue" && (code == "queue.sent" || code == "queue.queued"))
			}
		}
	}
	if last < 20 || !sawReason {
		t.Fatalf("want numbered events with typed reasons, got last=%v typed=%v", last, sawReason)
	}
	// A command over the socket gets a result; bad input gets an error and changes nothing.
	conn.WriteJSON(map[string]any{"id": 1, "cmd": "crash", "node": 99})
	conn.WriteJSON(map[string]any{"id": 2, "cmd": "heal"})
	got := map[float64]map[string]any{}
	for len(got) < 2 {
		var m map[string]any
		if err := conn.ReadJSON(&m); err != nil {
			t.Fatal(err)
		}
		if m["type"] == "result" {
			got[m["id"].(float64)] = m
		}
	}
	if got[1]["ok"] != false || got[1]["code"] != "unknown_server" || got[2]["ok"] != true {
		t.Fatalf("results: %v", got)
	}
	conn.Close()
	// Reconnect with since: the history resumes right after the last event seen.
	conn2, _, err := websocket.DefaultDialer.Dial(url+"&since="+itoa(int(last)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	var v map[string]any
	conn2.ReadJSON(&v)
	var batch map[string]any
	conn2.ReadJSON(&batch)
	evs := batch["events"].([]any)
	if len(evs) == 0 || evs[0].(map[string]any)["seq"].(float64) != last+1 {
		t.Fatalf("resume should start at %v, got %v", last+1, batch)
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// Views carry typed reasons: every server's reason is a catalogue code with its arguments.
func TestViewReasonsTyped(t *testing.T) {
	_, ts := newTestServer(t)
	r := call(t, ts, "GET", "/api/rooms/main", "")
	var v struct {
		Nodes []struct {
			ID     int             `json:"id"`
			Reason json.RawMessage `json:"reason"`
		} `json:"nodes"`
	}
	if err := json.Unmarshal([]byte(r.raw), &v); err != nil || len(v.Nodes) != 4 {
		t.Fatalf("view: %v %s", err, r.raw)
	}
	for _, n := range v.Nodes {
		var why struct {
			Code string         `json:"code"`
			Args map[string]any `json:"args"`
		}
		if err := json.Unmarshal(n.Reason, &why); err != nil {
			t.Fatalf("server %d: reason %s is not an object: %v", n.ID, n.Reason, err)
		}
		if _, ok := reason.Lookup(why.Code); !ok {
			t.Errorf("server %d: unknown reason code %q", n.ID, why.Code)
		}
	}
}
