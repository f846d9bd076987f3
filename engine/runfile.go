package engine

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// Limits of a run file: its size (uncompressed), its simulated time, its commands.
const (
	MaxRunFileBytes = 64 << 20
	MaxRunUs        = 24 * 3600 * 1_000_000
	MaxRunCommands  = 2_000_000
)

// RunFormat names the run-file format and its version.
const RunFormat = "zablab-run/1"

// RunFile is a run as data: the configuration plus every command with the simulated time
// and queue sequence at which it applied. Replaying it reproduces the same events (and so
// the same digest) in any process, at any wall-clock pace.
type RunFile struct {
	Format   string  `json:"format"`
	Config   Config  `json:"config"`
	Commands []Entry `json:"commands"`
	// End is the simulated time (µs) the run covers; Events how many events it had then.
	End    int64  `json:"end"`
	Events uint64 `json:"events"`
	// Digest hashes the event log up to End (16 hex digits).
	Digest string `json:"digest"`
}

// SetRecording turns the command log on (the default) or off; a cluster that does not
// record cannot be saved as a run file (benchmarks measure what recording costs).
func (c *Cluster) SetRecording(on bool) { c.recording = on }

// Log returns the commands applied so far.
func (c *Cluster) Log() []Entry { return c.log }

// Events is the number of events emitted so far.
func (c *Cluster) Events() uint64 { return c.evSeq }

// RunFile returns the run so far.
func (c *Cluster) RunFile() *RunFile {
	return &RunFile{Format: RunFormat, Config: c.cfg0, Commands: append([]Entry(nil), c.log...),
		End: c.now, Events: c.evSeq, Digest: DigestString(c.Digest())}
}

// DigestString formats a digest as the run file and `zablab check` print it.
func DigestString(d uint64) string { return fmt.Sprintf("%016x", d) }

// ParseRunFile decodes and validates a run file: format and version, configuration, every
// command (kind, ids and values in range), times and sequence numbers in order.
//
// A gzip-compressed run file (as GET /api/rooms/{room}/run sends to clients that accept
// gzip) is read as well.
func ParseRunFile(b []byte) (*RunFile, error) {
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("not a run file: %v", err)
		}
		plain, err := io.ReadAll(io.LimitReader(zr, MaxRunFileBytes+1))
		if err != nil {
			return nil, fmt.Errorf("not a run file: %v", err)
		}
		if len(plain) > MaxRunFileBytes {
			return nil, fmt.Errorf("run file larger than %d bytes uncompressed", MaxRunFileBytes)
		}
		b = plain
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("not a run file: invalid UTF-8")
	}
	var rf RunFile
	if err := strictUnmarshal(b, &rf); err != nil {
		return nil, fmt.Errorf("not a run file: %v", err)
	}
	if err := rf.Validate(); err != nil {
		return nil, err
	}
	return &rf, nil
}

// Validate checks a decoded run file.
func (rf *RunFile) Validate() error {
	if rf.Format != RunFormat {
		return fmt.Errorf("format %q not supported (want %q)", rf.Format, RunFormat)
	}
	if err := rf.Config.Validate(); err != nil {
		return fmt.Errorf("config: %v", err)
	}
	if rf.End < 0 || rf.End > MaxRunUs {
		return fmt.Errorf("end %d µs out of range [0, %d] (a day of simulated time)", rf.End, int64(MaxRunUs))
	}
	if len(rf.Commands) > MaxRunCommands {
		return fmt.Errorf("%d commands; a run file holds at most %d", len(rf.Commands), MaxRunCommands)
	}
	if rf.Digest != "" {
		if _, err := strconv.ParseUint(rf.Digest, 16, 64); err != nil || len(rf.Digest) != 16 {
			return fmt.Errorf("digest %q is not 16 hex digits", rf.Digest)
		}
	}
	shape, err := NewCluster(rf.Config)
	if err != nil {
		return fmt.Errorf("config: %v", err)
	}
	var lastT int64
	var lastSeq uint64
	for i := range rf.Commands {
		e := &rf.Commands[i]
		if e.T < lastT || e.T > rf.End {
			return fmt.Errorf("command %d: time %d µs out of order or after the end %d", i, e.T, rf.End)
		}
		if e.Seq <= lastSeq {
			return fmt.Errorf("command %d: seq %d not after %d", i, e.Seq, lastSeq)
		}
		if e.Cmd == nil {
			return fmt.Errorf("command %d: \"cmd\" is missing", i)
		}
		if err := shape.Validate(e.Cmd); err != nil {
			return fmt.Errorf("command %d (%s at %d µs): %v", i, e.Cmd.Kind, e.T, err)
		}
		lastT, lastSeq = e.T, e.Seq
	}
	return nil
}

// Replay builds the cluster of a run file and runs it to untilUs (the file's end when
// untilUs < 0 or beyond it). The commands after untilUs stay queued: running further
// continues the recorded run. Each function in before is called with the new cluster before
// it runs (to add event sinks that see the whole run).
func Replay(rf *RunFile, untilUs int64, before ...func(*Cluster)) (*Cluster, error) {
	c, err := NewCluster(rf.Config)
	if err != nil {
		return nil, err
	}
	for _, fn := range before {
		fn(c)
	}
	c.Load(rf.Commands)
	end := rf.End
	if untilUs >= 0 && untilUs < end {
		c.RunUntil(untilUs)
		return c, nil
	}
	c.RunTo(end, rf.Events)
	return c, nil
}

// Load queues recorded commands at their times and sequence numbers (before the cluster
// has run: a fresh cluster from the same configuration).
func (c *Cluster) Load(cmds []Entry) {
	for i := range cmds {
		e := &cmds[i]
		cmd := *e.Cmd // the queue owns its copy: applying may fill in ids
		c.q.push(item{at: e.T, seq: e.Seq, ext: true, kind: itCommand, cmd: &cmd})
		if e.Seq > c.cseq {
			c.cseq = e.Seq
		}
	}
}

// RunTo runs every event before endUs, then those at endUs until the event count reaches
// events (a run saved in the middle of a moment ends exactly where it was saved).
func (c *Cluster) RunTo(endUs int64, events uint64) {
	if endUs > 0 {
		c.RunUntil(endUs - 1)
	}
	for len(c.q) > 0 && c.q[0].at <= endUs && (events == 0 || c.evSeq < events) {
		c.Step()
	}
	if endUs > c.now {
		c.now = endUs
	}
}

// strictUnmarshal decodes exactly one JSON value with no unknown fields.
func strictUnmarshal(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}

// Prefix is the first part of a run: the same configuration and commands up to endUs,
// ending after the given number of events at endUs (0: all of them). Its digest is left
// empty: replaying it tells.
func (rf *RunFile) Prefix(endUs int64, events uint64) *RunFile {
	out := &RunFile{Format: RunFormat, Config: rf.Config, End: endUs, Events: events}
	for _, e := range rf.Commands {
		if e.T <= endUs {
			out.Commands = append(out.Commands, e)
		}
	}
	return out
}

// UntilFirstViolation cuts a run file at its first violation event: it replays the run,
// and returns a run file that ends at that event (same commands up to then, its own
// digest), so opening it shows the moment of the violation. ok is false when the replay
// shows no violation event (a violation found after the run, by a post-run check).
func UntilFirstViolation(rf *RunFile) (cut *RunFile, ok bool, err error) {
	c, err := NewCluster(rf.Config)
	if err != nil {
		return nil, false, err
	}
	var at int64 = -1
	var seq uint64
	c.OnEvent(func(e *Event) {
		if e.Kind == EvViolation && at < 0 {
			at, seq = e.TimeUs, e.Seq
		}
	})
	c.Load(rf.Commands)
	for at < 0 && len(c.q) > 0 && c.q[0].at <= rf.End {
		c.Step()
	}
	if at < 0 {
		return rf, false, nil
	}
	out := rf.Prefix(at, seq)
	d, err := Replay(out, -1)
	if err != nil {
		return nil, false, err
	}
	out.Digest = DigestString(d.Digest())
	return out, true, nil
}
