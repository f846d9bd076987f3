// Command summary reads `go test -json` output of the real-client tests (make test-clients)
// on stdin and prints, per client, how many tests and checks ran, passed, failed and were
// skipped, with each skip's reason and each failure's name. A test with subtests (the C
// client's and Curator's checks, the tests of kazoo's suite) counts its subtests, not itself.
// It exits 1 when anything failed or the test binary did not finish.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action string
	Test   string
	Output string
}

// clients maps a top-level test's name prefix to the client it exercises, in table order.
var clients = []struct{ prefix, name string }{
	{"TestCClient", "C client (libzookeeper_mt 3.8, Debian)"},
	{"TestCurator", "Apache Curator 5.4 (Java, Debian)"},
	{"TestKazooSuite", "kazoo 2.8's own test suite (pytest)"},
	{"TestKazoo", "kazoo (Python, Debian python3-kazoo)"},
	{"TestZkCli", "zkCli.sh (ZooKeeper 3.8 Java CLI, Debian)"},
	{"TestZK", "go-zookeeper v1.0.4 and raw frames (Go)"},
	{"TestRecipe", "go-zookeeper recipes (Go)"},
	{"TestGoZKSuite", "go-zookeeper v1.0.4's own tests (Go)"},
}

func clientOf(test string) string {
	top, _, _ := strings.Cut(test, "/")
	for _, c := range clients {
		if strings.HasPrefix(top, c.prefix) {
			return c.name
		}
	}
	return "other"
}

func main() {
	result := map[string]string{}   // test → pass | fail | skip
	output := map[string][]string{} // test → its output lines
	parent := map[string]bool{}     // tests that have subtests
	pkgFailed, pkgDone := false, false
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			fmt.Println(sc.Text()) // a build error or other non-JSON line
			continue
		}
		if e.Test == "" {
			switch e.Action {
			case "fail":
				pkgFailed, pkgDone = true, true
			case "pass":
				pkgDone = true
			case "output":
				if strings.Contains(e.Output, "panic:") || strings.Contains(e.Output, "build failed") {
					fmt.Print(e.Output)
				}
			}
			continue
		}
		if i := strings.LastIndex(e.Test, "/"); i > 0 {
			parent[e.Test[:i]] = true
		}
		switch e.Action {
		case "output":
			output[e.Test] = append(output[e.Test], strings.TrimRight(e.Output, "\n"))
		case "pass", "fail", "skip":
			result[e.Test] = e.Action
		}
	}
	type row struct {
		pass, fail, skip int
		notes            []string
	}
	rows := map[string]*row{}
	var names []string
	for t := range result {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		if parent[t] && result[t] != "fail" {
			continue // counted through its subtests
		}
		c := clientOf(t)
		r := rows[c]
		if r == nil {
			r = &row{}
			rows[c] = r
		}
		switch result[t] {
		case "pass":
			r.pass++
		case "fail":
			if parent[t] {
				// a parent fails with its failing subtests (counted) or on its own
				own := true
				for _, s := range names {
					if strings.HasPrefix(s, t+"/") && result[s] == "fail" {
						own = false
					}
				}
				if !own {
					continue
				}
			}
			r.fail++
			r.notes = append(r.notes, "FAILED "+t)
		case "skip":
			r.skip++
			reason := ""
			for _, l := range output[t] {
				if i := strings.Index(l, "SKIPPED"); i >= 0 {
					reason = strings.TrimSpace(l[i:])
				}
			}
			if reason == "" {
				for _, l := range output[t] {
					if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "---") && !strings.HasPrefix(l, "===") {
						reason = l
					}
				}
			}
			r.notes = append(r.notes, fmt.Sprintf("skipped %s: %s", t, reason))
		}
	}
	fmt.Println()
	fmt.Println("Real ZooKeeper clients against zablab (tests; the C client and Curator count each check, kazoo's suite each kazoo test)")
	fmt.Printf("%-44s %5s %7s %7s %8s\n", "client", "run", "passed", "failed", "skipped")
	total := row{}
	order := []string{}
	for _, c := range clients {
		order = append(order, c.name)
	}
	order = append(order, "other")
	for _, c := range order {
		r := rows[c]
		if r == nil {
			continue
		}
		fmt.Printf("%-44s %5d %7d %7d %8d\n", c, r.pass+r.fail, r.pass, r.fail, r.skip)
		total.pass += r.pass
		total.fail += r.fail
		total.skip += r.skip
	}
	fmt.Printf("%-44s %5d %7d %7d %8d\n", "all", total.pass+total.fail, total.pass, total.fail, total.skip)
	for _, c := range order {
		if r := rows[c]; r != nil {
			for _, n := range r.notes {
				fmt.Printf("  %s — %s\n", c, n)
			}
		}
	}
	if !pkgDone {
		fmt.Println("the test binary did not finish (build failure, panic or timeout): see above")
	}
	if total.fail > 0 || pkgFailed || !pkgDone {
		os.Exit(1)
	}
}
