package web

import (
	"testing"
	"time"
)

// The websocket takes the autopilot like the REST route: on, shown in the view, bad settings
// refused with the same code, and off.
func TestWebsocketAutopilot(t *testing.T) {
	_, ts := newTestServer(t)
	waitLeader(t, ts, "main")
	conn := dialWS(t, wsURL(ts.URL, "main"))
	conn.WriteJSON(map[string]any{"id": 1, "cmd": "autopilot", "writesPerSec": 2, "faultEverySec": 30, "faults": []string{"leader"}})
	conn.WriteJSON(map[string]any{"id": 2, "cmd": "autopilot", "writesPerSec": 2, "faultEverySec": 30})
	got := readResults(t, conn, 2, 10*time.Second)
	if got[1]["ok"] != true {
		t.Fatalf("autopilot on: %v", got[1])
	}
	if got[2]["ok"] != false || got[2]["code"] != "bad_autopilot" {
		t.Fatalf("faults without kinds: %v", got[2])
	}
	v := call(t, ts, "GET", "/api/rooms/main", "")
	a, _ := v.body["autopilot"].(map[string]any)
	if a == nil || a["writesPerSec"] != 2.0 || a["faultEverySec"] != 30.0 {
		t.Fatalf("the view's autopilot: %v", v.body["autopilot"])
	}
	conn.WriteJSON(map[string]any{"id": 3, "cmd": "autopilot"})
	if got := readResults(t, conn, 1, 10*time.Second); got[3]["ok"] != true {
		t.Fatalf("autopilot off: %v", got[3])
	}
	if v := call(t, ts, "GET", "/api/rooms/main", ""); v.body["autopilot"] != nil {
		t.Fatalf("still on: %v", v.body["autopilot"])
	}
}
