package web

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestCClient compiles web/testdata/clients/c/zkc_test.c against ZooKeeper's own C client
// (Debian's libzookeeper-mt-dev, 3.8) and runs it against room main: create in every mode,
// get/set with versions, watches, children, delete, multi, digest ACLs, and a session that
// survives a leader crash and a restart. Each check is a subtest.
func TestCClient(t *testing.T) {
	if _, err := os.Stat("/usr/include/zookeeper/zookeeper.h"); err != nil {
		t.Skip("SKIPPED: no /usr/include/zookeeper/zookeeper.h: the C client (Debian libzookeeper-mt-dev) is not installed; `make test` installs it when run as root")
	}
	cc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("SKIPPED: no gcc to compile the C client's test program")
	}
	bin := filepath.Join(t.TempDir(), "zkc_test")
	if out, err := exec.Command(cc, "-Wall", "-O1", "-o", bin, "testdata/clients/c/zkc_test.c", "-lzookeeper_mt").CombinedOutput(); err != nil {
		t.Fatalf("compiling the C client test: %v\n%s", err, out)
	}
	h := startClientHarness(t)
	h.runChecks(t, 90*time.Second, exec.Command(bin, h.hosts(), h.leaderFirst()))
}
