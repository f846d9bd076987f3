package engine

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/zablab/zablab/engine/zkdb"
)

// A check run (faults, workload, liveness monitor) saved as a run file and replayed from
// its JSON reaches the same digest and the same final state.
func TestRunFileReplaysCheckRuns(t *testing.T) {
	for _, o := range []CheckOptions{
		{Voters: 3, Seed: 11}, {Voters: 5, Observers: 1, Seed: 12}, {Voters: 7, Seed: 13, FaultMs: 3000},
	} {
		res := RunCheck(o)
		b, err := json.Marshal(res.Run)
		if err != nil {
			t.Fatal(err)
		}
		rf, err := ParseRunFile(b)
		if err != nil {
			t.Fatalf("seed %d: %v", o.Seed, err)
		}
		if len(rf.Commands) < 20 {
			t.Fatalf("seed %d: only %d commands recorded", o.Seed, len(rf.Commands))
		}
		c, err := Replay(rf, -1)
		if err != nil {
			t.Fatal(err)
		}
		if got := DigestString(c.Digest()); got != rf.Digest {
			t.Errorf("seed %d: replayed digest %s, recorded %s (%d vs %d events)", o.Seed, got, rf.Digest, c.Events(), rf.Events)
		}
		if c.Leader() == 0 {
			t.Errorf("seed %d: replay ends without a leader", o.Seed)
		}
	}
}

// Replaying to a moment and then running on to the end gives the recorded run.
func TestReplayUntilThenContinue(t *testing.T) {
	res := RunCheck(CheckOptions{Voters: 5, Seed: 21})
	c, err := Replay(res.Run, res.Run.End/2)
	if err != nil {
		t.Fatal(err)
	}
	if c.Now() != res.Run.End/2 {
		t.Fatalf("replay stopped at %d, want %d", c.Now(), res.Run.End/2)
	}
	c.RunTo(res.Run.End, res.Run.Events)
	if got := DigestString(c.Digest()); got != res.Run.Digest {
		t.Fatalf("digest %s after continuing, want %s", got, res.Run.Digest)
	}
}

// Bad run files are refused with the reason.
func TestParseRunFileErrors(t *testing.T) {
	good := RunCheck(CheckOptions{Voters: 3, Seed: 5, FaultMs: 1000}).Run
	mut := func(f func(m map[string]any)) []byte {
		b, _ := json.Marshal(good)
		var m map[string]any
		json.Unmarshal(b, &m)
		f(m)
		out, _ := json.Marshal(m)
		return out
	}
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"not json", []byte("{"), "not a run file"},
		{"format", mut(func(m map[string]any) { m["format"] = "zablab-run/9" }), "format"},
		{"unknown field", mut(func(m map[string]any) { m["extra"] = 1 }), "unknown field"},
		{"config", mut(func(m map[string]any) { m["config"].(map[string]any)["voters"] = 0 }), "config"},
		{"unknown command", mut(func(m map[string]any) {
			m["commands"].([]any)[0].(map[string]any)["cmd"].(map[string]any)["kind"] = "explode"
		}), "unknown command kind"},
		{"server out of range", mut(func(m map[string]any) {
			cmds := m["commands"].([]any)
			cmds = append(cmds, map[string]any{"t": m["end"], "seq": 1 << 40, "cmd": map[string]any{"kind": "crash", "node": 9}})
			m["commands"] = cmds
		}), "unknown server 9"},
		{"seq order", mut(func(m map[string]any) {
			cmds := m["commands"].([]any)
			cmds[1].(map[string]any)["seq"] = 0
		}), "seq"},
		{"digest", mut(func(m map[string]any) { m["digest"] = "xyz" }), "digest"},
	}
	for _, tc := range cases {
		_, err := ParseRunFile(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to mention %q", tc.name, err, tc.want)
		}
	}
}

// Randomness comes in separate streams: a change in the network's draws does not move the
// clients' placement.
func TestRandomStreamsAreSeparate(t *testing.T) {
	place := func(jitter int64) []int {
		cfg := DefaultConfig(5, 0, 3)
		cfg.Timing = FastTiming()
		cfg.Timing.LinkJitterUs = jitter
		c, _ := NewCluster(cfg)
		c.Start()
		c.RunFor(2_000_000)
		var out []int
		for i := 0; i < 8; i++ {
			out = append(out, c.NewClient(0, 4000).home)
		}
		return out
	}
	a, b := place(100), place(900)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("client placement changed with the network's jitter: %v vs %v", a, b)
		}
	}
}

// The digest is sensitive to the commands: dropping one crash changes the replayed run.
func TestReplayDigestSeesAMissingCommand(t *testing.T) {
	res := RunCheck(CheckOptions{Voters: 3, Seed: 31})
	rf := *res.Run
	for i, e := range rf.Commands {
		if e.Cmd.Kind == CmdCrash || e.Cmd.Kind == CmdPartition {
			rf.Commands = append(append([]Entry(nil), rf.Commands[:i]...), rf.Commands[i+1:]...)
			break
		}
	}
	if len(rf.Commands) == len(res.Run.Commands) {
		t.Fatal("the run has no crash or partition to drop")
	}
	c, _ := Replay(&rf, -1)
	if DigestString(c.Digest()) == res.Run.Digest {
		t.Fatal("dropping a fault did not change the digest")
	}
}

// A gzip-compressed run file reads like the plain one.
func TestParseRunFileGzip(t *testing.T) {
	rf := RunCheck(CheckOptions{Voters: 3, Seed: 8, FaultMs: 1000}).Run
	b, _ := json.Marshal(rf)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b)
	zw.Close()
	got, err := ParseRunFile(z.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest != rf.Digest || len(got.Commands) != len(rf.Commands) {
		t.Fatalf("gzip run file: %s %d, want %s %d", got.Digest, len(got.Commands), rf.Digest, len(rf.Commands))
	}
	if _, err := ParseRunFile([]byte{0x1f, 0x8b, 1, 2, 3}); err == nil {
		t.Fatal("a broken gzip stream was accepted")
	}
}

// A room's data budget: big writes beyond it fail with QUOTAEXCEEDED on every server, and
// overwriting big values rolls the log by size, so each server's disk stays within a few
// budgets (issue 11 item 6: 1.26 GB of log for 400 MiB of live data).
func TestRoomDataBudget(t *testing.T) {
	cfg := DefaultConfig(3, 0, 4)
	cfg.Timing = FastTiming()
	cfg.SnapCount = 100_000 // ZooKeeper's: no roll by count
	cfg.DataLimitBytes = 4 << 20
	c, _ := NewCluster(cfg)
	c.Start()
	c.RunFor(2_000_000)
	cl := c.NewClient(0, 4000)
	big := make([]byte, 900<<10)
	var errs []zkdb.Err
	for i := 0; i < 8; i++ {
		cl.Submit(zkdb.Op{Type: zkdb.OpCreate, Path: fmt.Sprintf("/b%d", i), Data: big, ACL: zkdb.OpenACL}, false, func(r Reply) { errs = append(errs, r.Err) })
		c.RunFor(200_000)
	}
	ok, quota := 0, 0
	for _, e := range errs {
		switch e {
		case zkdb.OK:
			ok++
		case zkdb.ErrQuotaExceeded:
			quota++
		}
	}
	if ok != 4 || quota != 4 {
		t.Fatalf("creates of 900 KiB under a 4 MiB budget: %d ok, %d QUOTAEXCEEDED (%v)", ok, quota, errs)
	}
	for i := 0; i < 200; i++ {
		cl.Submit(zkdb.Op{Type: zkdb.OpSetData, Path: "/b0", Data: big, Version: -1}, false, nil)
		c.RunFor(50_000)
	}
	for id := 1; id <= 3; id++ {
		d := c.Peer(id).disk
		if d.logBytes > 3*cfg.DataLimitBytes {
			t.Errorf("server %d keeps %d MiB of log for a 4 MiB budget (200 × 900 KiB overwrites)", id, d.logBytes>>20)
		}
	}
	if c.Checker().Count() != 0 {
		t.Fatal(c.Checker().Violations())
	}
}
