package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/lessons"
)

// cmdRun is `zablab run [--lang en|zh] FILE`: play a lesson headless and print its timeline
// and checkpoints. Exit 0 when every checkpoint passes, 1 when one fails or an action cannot
// be done, 2 for bad arguments or a malformed lesson file (file:line: reason).
func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "en", "language of the timeline: en or zh")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: zablab run [--lang en|zh] lessons/FILE.md")
		fs.PrintDefaults()
	}
	file, data, ok := readOneFile(fs, args, lang, stderr)
	if !ok {
		return 2
	}
	l, err := lessons.Parse(file, data)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	passed, err := lessons.PlayText(stdout, l, engine.Lang(*lang))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if !passed {
		return 1
	}
	return 0
}

// readOneFile parses the arguments of a command that takes one file and a --lang flag
// (value lang, already parsed by the time it is checked) and reads the file. ok is false,
// the reason already written to stderr, on a bad flag, a file count other than one, a
// language other than en or zh, or an unreadable file.
func readOneFile(fs *flag.FlagSet, args []string, lang *string, stderr io.Writer) (file string, data []byte, ok bool) {
	files, ok := parseFileArgs(fs, args)
	if !ok {
		return "", nil, false
	}
	if len(files) != 1 {
		fs.Usage()
		return "", nil, false
	}
	if *lang != "en" && *lang != "zh" {
		fmt.Fprintf(stderr, "zablab %s: --lang %q: want en or zh\n", fs.Name(), *lang)
		return "", nil, false
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "zablab %s: %v\n", fs.Name(), err)
		return "", nil, false
	}
	return files[0], data, true
}

// parseFileArgs parses flags that may come before or after the file arguments, and returns
// the files (ok false on a bad flag, already reported).
func parseFileArgs(fs *flag.FlagSet, args []string) ([]string, bool) {
	var files []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return nil, false
		}
		if fs.NArg() == 0 {
			return files, true
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
}
