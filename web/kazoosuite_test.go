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
	args := []string{"-m", "pytest", "-p", "zablab_kazoo", "-p", "no:cacheprovider", "-q", "-rN", "--color=no"}
	timeout := 90 * time.Second
	if full {
		args = append(args, dir)
		timeout = 6 * time.Minute
	} else {
		for _, id := range kazooSuiteFast {
			args = append(args, filepath.Join(dir, id))
		}
	}

	l := startLabWith(t, 3, 1, func(o *Options) { o.ReadOnlyMode = true })
	words, _ := ParseFourLetterWhitelist("*")
	l.zk.SetFourLetterWhitelist(words)
	l.zk.SetSuperDigest("super:D/InIHSb7yEEbrWz8b9l71RjZJU=") // kazoo's harness: super:test

	report := filepath.Join(t.TempDir(), "report.jsonl")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "PYTHONPATH="+plugin, "PYTHONDONTWRITEBYTECODE=1",
		"ZABLAB_HTTP="+l.ts.URL, "ZABLAB_REPORT="+report, "ZABLAB_TEST_TIMEOUT=60")
	output, runErr := cmd.CombinedOutput()

	f, err := os.Open(report)
	if err != nil {
		t.Fatalf("pytest reported no test (%v): %v\n%s", err, runErr, tail(output, 4000))
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	for sc.Scan() {
		var r struct{ Test, Outcome, Detail string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Errorf("report line %q: %v", sc.Text(), err)
			continue
		}
		n++
		t.Run(r.Test, func(t *testing.T) {
			switch r.Outcome {
			case "failed":
				t.Error(r.Detail)
			case "skipped":
				t.Skip("SKIPPED: " + r.Detail)
			}
		})
	}
	if ctx.Err() != nil {
		t.Errorf("kazoo's suite did not finish within %v (%d tests reported)", timeout, n)
	}
	// pytest exits 1 when a test failed (reported above); anything else is the run failing
	if ee, ok := runErr.(*exec.ExitError); runErr != nil && !(ok && ee.ExitCode() == 1 && t.Failed()) {
		t.Errorf("pytest: %v\n%s", runErr, tail(output, 4000))
	}
	if n == 0 {
		t.Errorf("pytest ran no test\n%s", tail(output, 4000))
	}
}

// tail is the end of b, at most n bytes.
func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
