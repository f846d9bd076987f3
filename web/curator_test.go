package web

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// curatorJars are the jars CuratorCheck needs, from Debian's libcurator-*-java and their
// dependencies (libzookeeper-java, libguava-java, libslf4j-java).
var curatorJars = []string{"curator-recipes.jar", "curator-framework.jar", "curator-client.jar",
	"zookeeper.jar", "zookeeper-jute.jar", "guava.jar", "slf4j-api.jar", "slf4j-nop.jar"}

// TestCurator compiles web/testdata/clients/curator/CuratorCheck.java against Apache
// Curator 5.4 and runs it against room main: CuratorCache, TreeCache, LeaderLatch,
// InterProcessMutex, DistributedAtomicLong and SimpleDistributedQueue, before and across a
// leader crash (the client holding the mutex and the leadership sits on the crashed leader),
// then a restart. Each check is a subtest.
func TestCurator(t *testing.T) {
	var cp []string
	for _, j := range curatorJars {
		p := filepath.Join("/usr/share/java", j)
		if _, err := os.Stat(p); err != nil {
			t.Skipf("SKIPPED: no %s: Curator (Debian libcurator-recipes-java and its dependencies) is not installed; `make test-clients` installs it when run as root", p)
		}
		cp = append(cp, p)
	}
	javac, err1 := exec.LookPath("javac")
	java, err2 := exec.LookPath("java")
	if err1 != nil || err2 != nil {
		t.Skip("SKIPPED: no javac/java (a JDK) to build and run the Curator check")
	}
	dir := t.TempDir()
	classpath := strings.Join(cp, ":")
	if out, err := exec.Command(javac, "-nowarn", "-d", dir, "-cp", classpath, "testdata/clients/curator/CuratorCheck.java").CombinedOutput(); err != nil {
		t.Fatalf("compiling CuratorCheck: %v\n%s", err, out)
	}
	h := startClientHarness(t)
	addrs := h.addrs()
	other := []string{}
	for i := len(addrs) - 1; i >= 0; i-- {
		other = append(other, addrs[i])
	}
	cmd := exec.Command(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", dir+":"+classpath,
		"CuratorCheck", h.leaderFirst(), strings.Join(other, ","))
	h.runChecks(t, 150*time.Second, cmd)
}
