package web

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gozkModule is the client whose own test suite TestGoZKSuite runs (go.mod pins its version).
const gozkModule = "github.com/go-zookeeper/zk"

// gozkReplaced are go-zookeeper's test helpers that start Java ZooKeeper servers (zkServer.sh);
// web/testdata/clients/gozk/server_zablab_test.go replaces both with room main of this lab.
var gozkReplaced = map[string]bool{"server_help_test.go": true, "server_java_test.go": true}

// TestGoZKSuite runs go-zookeeper's own tests (its package's _test.go files, from the module
// cache) against room main: it copies the package into a temporary directory, swaps its
// Java-launching helpers for web/testdata/clients/gozk/server_zablab_test.go, starts a lab
// configured as the Java helper configures its servers (super digest super:test, TTL nodes,
// every four-letter word) and runs `go test -json` there with ZABLAB_URL set. Each of
// go-zookeeper's tests (and subtests) becomes a subtest here, passing, failing or skipped as
// it did; the tests zablab cannot run are skipped with the reason (zablabSkips in the helper).
// The suite takes a few minutes, so it runs only with ZABLAB_CLIENT_SUITES=1 (make
// test-clients), not in `go test ./...`.
func TestGoZKSuite(t *testing.T) {
	if os.Getenv("ZABLAB_CLIENT_SUITES") != "1" {
		t.Skip("SKIPPED: go-zookeeper's own suite runs only with ZABLAB_CLIENT_SUITES=1 (make test-clients)")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("SKIPPED: no go command to build go-zookeeper's tests")
	}
	out, err := exec.Command(goBin, "list", "-m", "-f", "{{.Dir}} {{.Version}}", gozkModule).Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", gozkModule, err)
	}
	modDir, version, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	if modDir == "" {
		t.Skipf("SKIPPED: %s %s is not in the module cache (go mod download)", gozkModule, version)
	}
	dir := t.TempDir()
	entries, err := os.ReadDir(modDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || gozkReplaced[name] || !(strings.HasSuffix(name, ".go") || name == "go.mod") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(modDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	helper, err := os.ReadFile("testdata/clients/gozk/server_zablab_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "server_zablab_test.go"), helper, 0o644); err != nil {
		t.Fatal(err)
	}

	l := startLabWith(t, 3, 1, func(o *Options) { o.ExtendedTypes = true })
	l.zk.SetSuperDigest("super:D/InIHSb7yEEbrWz8b9l71RjZJU=") // password "test", as server_java_test.go sets
	words, _ := ParseFourLetterWhitelist("*")
	l.zk.SetFourLetterWhitelist(words)
	t.Logf("running %s %s's tests in %s against %s", gozkModule, version, dir, l.ts.URL)

	ctx, cancel := context.WithTimeout(context.Background(), 7*time.Minute)
	defer cancel()
	args := []string{"test", "-count=1", "-json", "-timeout", "6m"}
	if run := os.Getenv("ZABLAB_GOZK_RUN"); run != "" { // to run some of them: a -run pattern
		args = append(args, "-run", run)
	}
	cmd := exec.CommandContext(ctx, goBin, append(args, ".")...)
	cmd.Dir = dir
	// ZK_VERSION is the server version go-zookeeper's CI gives its tests: 3.8.0, the one zablab
	// simulates (version-gated tests then reach StartTestCluster and its skip list).
	cmd.Env = append(os.Environ(), "ZABLAB_URL="+l.ts.URL, "ZK_VERSION=3.8.0", "GOWORK=off", "GOFLAGS=", "GOPROXY=off", "GOTOOLCHAIN=local")
	stdout, stderr := startPiped(t, cmd)
	tests := map[string]*gozkTest{}
	var pkgOutput []string
	pkgResult, ran := "", 0
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e struct{ Action, Test, Output string }
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			pkgOutput = append(pkgOutput, sc.Text())
			continue
		}
		if e.Test == "" {
			switch e.Action {
			case "output":
				pkgOutput = append(pkgOutput, strings.TrimRight(e.Output, "\n"))
			case "pass", "fail", "skip":
				pkgResult = e.Action
			}
			continue
		}
		it := tests[e.Test]
		if it == nil {
			it = &gozkTest{}
			tests[e.Test] = it
			if i := strings.LastIndex(e.Test, "/"); i > 0 {
				if p := tests[e.Test[:i]]; p != nil {
					p.children = append(p.children, e.Test)
				}
			}
		}
		switch e.Action {
		case "output":
			it.output = append(it.output, strings.TrimRight(e.Output, "\n"))
		case "pass", "fail", "skip":
			it.result = e.Action
			if !strings.Contains(e.Test, "/") {
				ran++
				replayGoZK(t, e.Test, tests)
			}
		}
	}
	err = cmd.Wait()
	if ctx.Err() != nil {
		t.Errorf("go-zookeeper's tests did not finish within 7 minutes")
	}
	if err != nil && pkgResult != "fail" || ran == 0 || pkgResult == "" {
		t.Errorf("go test in %s: %v; %d tests; package result %q\n%s\n%s", dir, err, ran, pkgResult,
			lastLines(pkgOutput, 40), lastLines(strings.Split(stderr.String(), "\n"), 40))
	}
}

// gozkTest is one of go-zookeeper's tests as `go test -json` reported it.
type gozkTest struct {
	output   []string
	children []string
	result   string // pass, fail or skip
}

// replayGoZK reports go-zookeeper's test name (and its subtests) as a subtest of t with the
// same verdict: the failure's output, or the skip's reason.
func replayGoZK(t *testing.T, name string, tests map[string]*gozkTest) {
	it := tests[name]
	t.Run(name[strings.LastIndex(name, "/")+1:], func(t *testing.T) {
		for _, c := range it.children {
			replayGoZK(t, c, tests)
		}
		var own []string
		for _, l := range it.output {
			s := strings.TrimSpace(l)
			switch {
			case strings.HasPrefix(s, "--- "):
				t.Log("go-zookeeper: " + s) // its verdict and how long it took there
			case strings.Contains(s, "zablab: room main reset"):
				t.Log(s)
			case s != "" && !strings.HasPrefix(s, "=== "):
				own = append(own, l)
			}
		}
		if it.result == "pass" && len(own) > 0 {
			t.Logf("its output:\n%s", lastLines(own, 60))
		}
		switch it.result {
		case "fail":
			t.Errorf("go-zookeeper's %s failed:\n%s", name, lastLines(own, 60))
		case "skip":
			reason := "no reason given"
			if len(own) > 0 {
				reason = strings.TrimSpace(own[len(own)-1])
			}
			for _, l := range own {
				if i := strings.Index(l, "SKIPPED"); i >= 0 {
					reason = strings.TrimSpace(strings.TrimPrefix(l[i:], "SKIPPED:"))
				}
			}
			t.Skip("SKIPPED: " + reason)
		case "":
			t.Errorf("go-zookeeper's %s has no result (the test binary stopped?)", name)
		}
	})
}

func lastLines(lines []string, n int) string {
	if len(lines) > n {
		lines = append([]string{"…"}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
