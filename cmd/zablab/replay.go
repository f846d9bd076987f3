package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/engine/describe"
)

// cmdReplay is `zablab replay FILE [--until MS] [--lang en|zh]`: replay a run file headless,
// print its timeline and digest. Exit 1 when the digest differs from the file's (only
// checked when replaying to the end), 2 for bad arguments or a malformed run file.
func cmdReplay(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	until := fs.Float64("until", -1, "stop at this simulated time, in ms (default: the run's end)")
	lang := fs.String("lang", "en", "language of the timeline: en or zh")
	quiet := fs.Bool("quiet", false, "print only the digest line")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: zablab replay [--until MS] [--lang en|zh] [--quiet] FILE.run.json")
		fs.PrintDefaults()
	}
	file, b, ok := readOneFile(fs, args, lang, stderr)
	if !ok {
		return 2
	}
	rf, err := engine.ParseRunFile(b)
	if err != nil {
		fmt.Fprintf(stderr, "zablab replay: %s: %v\n", file, err)
		return 2
	}
	untilUs := int64(-1)
	if *until >= 0 {
		untilUs = int64(*until * 1000)
	}
	c, err := engine.NewCluster(rf.Config)
	if err != nil {
		fmt.Fprintln(stderr, "zablab replay:", err)
		return 2
	}
	if !*quiet {
		c.OnEvent(func(e *engine.Event) {
			if e.Kind == engine.EvSend || e.Kind == engine.EvDeliver || e.Kind == engine.EvQueue {
				return // messages: see the lab's space-time view; the timeline keeps what they cause
			}
			fmt.Fprintf(stdout, "[%10.3fs] %s\n", float64(e.TimeUs)/1e6, describe.Event(e, engine.Lang(*lang)))
		})
	}
	c.Load(rf.Commands)
	whole := untilUs < 0 || untilUs >= rf.End
	if whole {
		c.RunTo(rf.End, rf.Events)
	} else {
		c.RunUntil(untilUs)
	}
	got := engine.DigestString(c.Digest())
	fmt.Fprintf(stdout, "replayed %d commands to %.3fs: %d events, digest %s\n", len(rf.Commands), float64(c.Now())/1e6, c.Events(), got)
	for _, v := range c.Checker().Violations() {
		fmt.Fprintf(stdout, "violation: %s\n", v)
	}
	if whole && rf.Digest != "" && got != rf.Digest {
		fmt.Fprintf(stdout, "digest differs: the file says %s\n", rf.Digest)
		return 1
	}
	return 0
}
