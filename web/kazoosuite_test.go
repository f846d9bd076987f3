package web

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kazooSuiteFast is the part of kazoo's suite that `go test` runs without
// ZABLAB_CLIENT_SUITES=1 (a few seconds): the harness's cluster (a crash and restart), plain
// operations, digest auth, a transaction, watches, a lock and a session expiry.
var kazooSuiteFast = []string{
	"test_client.py::TestClient::test_create",
	"test_client.py::TestClient::test_create_makepath",
	"test_client.py::TestClient::test_exists_watch",
	"test_client.py::TestClient::test_get_children",
	"test_client.py::TestClientTransactions::test_basic_create",
	"test_client.py::TestClientTransactions::test_bad_creates",
	"test_client.py::TestCallbacks::test_async_result_callbacks_are_always_called",
	"test_client.py::TestSessionCallbacks::test_session_callback_states",
	"test_client.py::TestClient::test_update_host_list",
	"test_client.py::TestConnection::test_session_expire",
	"test_client.py::TestAuthentication::test_auth",
	"test_watchers.py::KazooDataWatcherTests::test_func_style_data_watch",
	"test_watchers.py::KazooChildrenWatcherTests::test_child_watcher_once",
	"test_lock.py::KazooLockTests::test_lock_one",
	"test_paths.py",
}

// TestKazooSuite runs kazoo's own test suite — kazoo/tests of Debian's python3-kazoo 2.8,
// unchanged — with pytest against room main. web/testdata/clients/kazoo/zablab_kazoo.py (a
// pytest plugin) replaces kazoo.testing.harness.get_global_cluster with room main: its
// servers' client ports, crash and restart over the HTTP API, configured as kazoo's harness
// configures ZooKeeper (readonlymode.enabled, 4lw.commands.whitelist=*, the superDigest of
// "super:test"), and skips with a reason what zablab cannot do. Each kazoo test is a subtest.
// The whole suite (about 2 minutes) runs when ZABLAB_CLIENT_SUITES=1 (make test-clients);
// otherwise kazooSuiteFast.
func TestKazooSuite(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("SKIPPED: no /usr/bin/python3")
	}
	for mod, pkg := range map[string]string{"kazoo": "python3-kazoo", "pytest": "python3-pytest",
		"mock": "python3-mock", "objgraph": "python3-objgraph"} {
		if exec.Command(py, "-c", "import "+mod).Run() != nil {
			t.Skipf("SKIPPED: %s is not installed (kazoo's tests need it); `make test-clients` installs it when run as root", pkg)
		}
	}
	out, err := exec.Command(py, "-c", "import os, kazoo.tests; print(os.path.dirname(kazoo.tests.__file__))").Output()
	if err != nil {
		t.Skip("SKIPPED: python3-kazoo ships no kazoo.tests")
	}
	dir := strings.TrimSpace(string(out))
	plugin, err := filepath.Abs("testdata/clients/kazoo")
	if err != nil {
		t.Fatal(err)
	}
	full := os.Getenv("ZABLAB_CLIENT_SUITES") == "1"
	base := []string{"-m", "pytest", "-p", "zablab_kazoo", "-p", "no:cacheprovider", "--rootdir=" + dir, "-q", "-rN", "--color=no"}
	targets := []string{dir}
	timeout := 6 * time.Minute
	if !full {
		targets, timeout = nil, 90*time.Second
		for _, id := range kazooSuiteFast {
			targets = append(targets, filepath.Join(dir, id))
		}
	}

	l := startLabWith(t, 3, 1, func(o *Options) { o.ReadOnlyMode = true })
	words, _ := ParseFourLetterWhitelist("*")
	l.zk.SetFourLetterWhitelist(words)
	l.zk.SetSuperDigest("super:D/InIHSb7yEEbrWz8b9l71RjZJU=") // kazoo's harness: super:test

	env := append(os.Environ(), "PYTHONPATH="+plugin, "PYTHONDONTWRITEBYTECODE=1",
		"ZABLAB_HTTP="+l.ts.URL, "ZABLAB_TEST_TIMEOUT=60")
	results, err := runKazooSuite(py, append(base, targets...), env, timeout)
	if err != nil {
		t.Error(err)
	}
	// A failed test runs once more on its own (kazoo has timing races of its own, e.g.
	// TestSemaphore.test_handle_session_loss waits for an event that another thread may set
	// and clear before it waits); it counts as passed only if the second run passes, and its
	// log says so.
	var again []string
	for _, r := range results {
		if r.Outcome == "failed" {
			again = append(again, filepath.Join(dir, r.NodeID))
		}
	}
	retried := map[string]kazooResult{}
	if len(again) > 0 && len(again) <= 10 {
		rs, err := runKazooSuite(py, append(base, again...), env, 3*time.Minute)
		if err != nil {
			t.Logf("second run of the failed tests: %v", err)
		}
		for _, r := range rs {
			retried[r.Test] = r
		}
	}
	for _, r := range results {
		t.Run(r.Test, func(t *testing.T) {
			switch r.Outcome {
			case "failed":
				if r2, ok := retried[r.Test]; ok && r2.Outcome == "passed" {
					t.Logf("failed on the first run, passed when run again:\n%s", r.Detail)
					return
				}
				t.Error(r.Detail)
				if r2, ok := retried[r.Test]; ok {
					t.Errorf("run again: %s\n%s", r2.Outcome, r2.Detail)
				}
			case "skipped":
				t.Skip("SKIPPED: " + r.Detail)
			}
		})
	}
	if len(results) == 0 {
		t.Error("pytest ran no test")
	}
}

type kazooResult struct{ Test, NodeID, Outcome, Detail string }

// runKazooSuite runs pytest with args and returns what the plugin reported, test by test; the
// error says when pytest did not finish within timeout or failed otherwise than by a test.
func runKazooSuite(py string, args, env []string, timeout time.Duration) ([]kazooResult, error) {
	dir, err := os.MkdirTemp("", "kazoosuite")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	report := filepath.Join(dir, "report.jsonl")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, args...)
	cmd.Dir = dir
	cmd.Env = append(env, "ZABLAB_REPORT="+report)
	output, runErr := cmd.CombinedOutput()
	var out []kazooResult
	if b, err := os.ReadFile(report); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var r kazooResult
			if json.Unmarshal([]byte(line), &r) == nil && r.Test != "" {
				out = append(out, r)
			}
		}
	}
	failed := false
	for _, r := range out {
		failed = failed || r.Outcome == "failed"
	}
	switch {
	case ctx.Err() != nil:
		return out, fmt.Errorf("pytest did not finish within %v (%d tests reported)\n%s", timeout, len(out), tail(output, 4000))
	case runErr != nil:
		// pytest exits 1 when a test failed (reported test by test); anything else is the run failing
		if ee, ok := runErr.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !failed {
			return out, fmt.Errorf("pytest: %v\n%s", runErr, tail(output, 4000))
		}
	case len(out) == 0:
		return out, fmt.Errorf("pytest reported no test\n%s", tail(output, 4000))
	}
	return out, nil
}

// tail is the end of b, at most n bytes.
func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
