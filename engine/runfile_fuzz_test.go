package engine

import (
	"encoding/json"
	"testing"
)

// FuzzParseRunFile: any bytes either are refused with an error or parse into a run file that
// replays without panicking (short runs are replayed whole).
func FuzzParseRunFile(f *testing.F) {
	good := RunCheck(CheckOptions{Voters: 3, Seed: 9, FaultMs: 800}).Run
	b, _ := json.Marshal(good)
	f.Add(b)
	f.Add([]byte(`{"format":"zablab-run/1","config":{"voters":1,"observers":0,"seed":1,"timing":{"tickTime":100,"initLimit":10,"syncLimit":5,"finalizeWait":20,"linkLatencyUs":1000,"linkJitterUs":500,"sendGapUs":0,"name":"fast"},"commitLogCount":1,"snapCount":2,"snapshotSizeFactor":0.33},"commands":[{"t":0,"seq":1,"cmd":{"kind":"start"}},{"t":5,"seq":2,"cmd":{"kind":"zk.request","conn":3,"op":{"type":1,"path":"/a"}}}],"end":1000000,"events":0,"digest":""}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rf, err := ParseRunFile(data)
		if err != nil {
			return
		}
		if rf.End > 3_000_000 || len(rf.Commands) > 2000 {
			return
		}
		if _, err := Replay(rf, -1); err != nil {
			t.Fatalf("a parsed run file does not replay: %v", err)
		}
	})
}
