package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

// TestAdminCommands: the AdminServer's JSON commands (ZooKeeper 3.8 serves them on port 8080
// at /commands/<name>) answer for one server of room main with 3.8's names and JSON fields
// ("command" and "error" in every answer), and their figures agree with the four-letter
// words of the same server.
func TestAdminCommands(t *testing.T) {
	l := startLab(t, 3, 1)
	words, _ := ParseFourLetterWhitelist("*")
	l.zk.SetFourLetterWhitelist(words)
	c, _ := l.connect(l.addr(1))
	defer c.Close()
	if _, err := c.Create("/e", nil, zk.FlagEphemeral, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Create("/w", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := c.GetW("/w"); err != nil {
		t.Fatal(err)
	}
	sid := fmt.Sprint(c.SessionID())
	get := func(path string) map[string]any {
		t.Helper()
		r := call(t, l.ts, "GET", path, "")
		var body map[string]any
		d := json.NewDecoder(strings.NewReader(r.raw))
		d.UseNumber() // session ids need 64 bits
		if r.status != 200 || d.Decode(&body) != nil {
			t.Fatalf("GET %s: %d %s", path, r.status, r.raw)
		}
		return body
	}
	list := call(t, l.ts, "GET", "/commands?server=1", "")
	for _, name := range []string{"configuration", "connections", "dirs", "dump", "environment", "is_read_only",
		"leader", "monitor", "ruok", "server_stats", "stats", "voting_view", "watch_summary", "watches", "watches_by_path"} {
		if !strings.Contains(list.raw, `<a href="/commands/`+name+`?server=1">`+name+`</a>`) {
			t.Errorf("/commands does not link %s:\n%s", name, list.raw)
		}
	}
	mntr := fourLetter(t, l.addr(1), "mntr")
	m := get("/commands/monitor?server=1")
	if m["command"] != "monitor" || m["error"] != nil {
		t.Fatalf("monitor: %v", m)
	}
	for _, k := range []string{"znode_count", "num_alive_connections", "ephemerals_count", "server_state", "watch_count"} {
		if want := fmt.Sprintf("zk_%s\t%v\n", k, m[k]); !strings.Contains(mntr, want) {
			t.Errorf("monitor %s = %v, mntr says:\n%s", k, m[k], mntr)
		}
	}
	srvr := get("/commands/srvr?server=1")
	stats, _ := srvr["server_stats"].(map[string]any)
	if srvr["command"] != "server_stats" || srvr["read_only"] != false || stats == nil ||
		!strings.Contains(fourLetter(t, l.addr(1), "srvr"), fmt.Sprintf("Node count: %v\nMode: ", srvr["node_count"])) &&
			!strings.Contains(fourLetter(t, l.addr(1), "srvr"), fmt.Sprintf("Mode: %v\nNode count: %v", stats["server_state"], srvr["node_count"])) {
		t.Errorf("server_stats: %v\nsrvr:\n%s", srvr, fourLetter(t, l.addr(1), "srvr"))
	}
	if ro := get("/commands/isro?server=1"); ro["command"] != "is_read_only" || ro["read_only"] != false {
		t.Errorf("is_read_only: %v", ro)
	}
	w := get("/commands/watches?server=1")["session_id_to_watched_paths"].(map[string]any)
	if fmt.Sprint(w[sid]) != "[/w]" {
		t.Errorf("watches: %v, want session %s watching /w", w, sid)
	}
	if wchc := fourLetter(t, l.addr(1), "wchc"); !strings.Contains(wchc, fmt.Sprintf("0x%x\n\t/w\n", c.SessionID())) {
		t.Errorf("wchc:\n%s", wchc)
	}
	byPath := get("/commands/watches_by_path?server=1")["path_to_session_ids"].(map[string]any)
	if fmt.Sprint(byPath["/w"]) != "["+sid+"]" {
		t.Errorf("watches_by_path: %v", byPath)
	}
	sum := get("/commands/watch_summary?server=1")
	if fmt.Sprintf("%v %v %v", sum["num_connections"], sum["num_paths"], sum["num_total_watches"]) != "1 1 1" {
		t.Errorf("watch_summary: %v", sum)
	}
	if wchs := fourLetter(t, l.addr(1), "wchs"); wchs != "1 connections watching 1 paths\nTotal watches:1\n" {
		t.Errorf("wchs: %q", wchs)
	}
	dump := get("/commands/dump?server=1")["session_id_to_ephemeral_paths"].(map[string]any)
	if fmt.Sprint(dump[sid]) != "[/e]" {
		t.Errorf("dump: %v", dump)
	}
	conns := get("/commands/cons?server=1")["connections"].([]any)
	if len(conns) != 1 || fmt.Sprint(conns[0].(map[string]any)["session_id"]) != sid {
		t.Errorf("connections: %v", conns)
	}
	leader := l.leader()
	if ld := get(fmt.Sprintf("/commands/leader?server=%d", leader)); ld["is_leader"] != true || fmt.Sprint(ld["leader_id"]) != fmt.Sprint(leader) {
		t.Errorf("leader: %v", ld)
	}
	if vv := get("/commands/voting_view?server=1")["current_config"].(map[string]any); len(vv) != 3 {
		t.Errorf("voting_view: %v", vv)
	}
	if conf := get("/commands/conf?server=1"); fmt.Sprint(conf["client_port"]) != fmt.Sprint(l.zk.Port(1)) || fmt.Sprint(conf["server_id"]) != "1" {
		t.Errorf("configuration: %v", conf)
	}
	if u := get("/commands/bogus?server=1"); u["error"] != "Unknown command: bogus" {
		t.Errorf("unknown command: %v", u)
	}
	if ok := get("/api/rooms/main/nodes/2/commands/ruok"); ok["command"] != "ruok" || ok["error"] != nil {
		t.Errorf("ruok on server 2: %v", ok)
	}
	if r := call(t, l.ts, "GET", "/commands/ruok?server=9", ""); r.status != 404 {
		t.Errorf("unknown server: %d %s", r.status, r.raw)
	}
	call(t, l.ts, "POST", "/api/rooms/main/nodes/3/crash", "")
	time.Sleep(100 * time.Millisecond)
	if down := get("/commands/srvr?server=3"); down["error"] != "This ZooKeeper instance is not currently serving requests" {
		t.Errorf("a crashed server: %v", down)
	}
}
