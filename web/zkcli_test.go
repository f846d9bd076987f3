package web

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/zablab/zablab/engine"
)

// zkCliPath finds the real zkCli.sh from Debian's zookeeper package.
func zkCliPath() string {
	for _, p := range []string{"/usr/share/zookeeper/bin/zkCli.sh", "/usr/bin/zkCli.sh", "/usr/bin/zkCli"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("zkCli.sh"); err == nil {
		return p
	}
	return ""
}

// TestZkCli drives the real zkCli.sh through create/get/set/ls/stat/delete.
func TestZkCli(t *testing.T) {
	cli := zkCliPath()
	if cli == "" {
		t.Skip("SKIPPED: zkCli.sh not installed (Debian package zookeeper); `make test` installs it when run as root")
	}
	l := startLab(t, 3, 1)
	server := l.addr(2)
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, cli, append([]string{"-server", server}, args...)...)
		cmd.Env = append(os.Environ(), "ZOO_LOG4J_PROP=ERROR,CONSOLE", "JVMFLAGS=-Xmx64m -XX:TieredStopAtLevel=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("zkCli %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := run("create", "/zkcli", "hello"); !strings.Contains(out, "Created /zkcli") {
		t.Fatalf("create: %s", out)
	}
	if out := run("get", "/zkcli"); !strings.Contains(out, "hello") {
		t.Fatalf("get: %s", out)
	}
	run("set", "/zkcli", "world")
	out := run("stat", "/zkcli")
	if !strings.Contains(out, "dataVersion = 1") || !strings.Contains(out, "dataLength = 5") {
		t.Fatalf("stat: %s", out)
	}
	if out := run("ls", "/"); !strings.Contains(out, "zkcli") || !strings.Contains(out, "zookeeper") {
		t.Fatalf("ls: %s", out)
	}
	run("delete", "/zkcli")
	if out := run("ls", "/"); strings.Contains(out, "zkcli") {
		t.Fatalf("ls after delete: %s", out)
	}
	if l.treeHas(1, "/zkcli") {
		t.Fatal("the delete did not reach server 1")
	}
}

// TestZkCliAuthAndConfig drives one zkCli.sh session through addauth, a CREATOR_ALL ACL,
// getAcl, whoami, config and stat, as ZooKeeper 3.8 prints them.
func TestZkCliAuthAndConfig(t *testing.T) {
	cli := zkCliPath()
	if cli == "" {
		t.Skip("SKIPPED: zkCli.sh not installed (Debian package zookeeper); `make test` installs it when run as root")
	}
	l := startLab(t, 3, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, "-server", l.addr(2))
	cmd.Env = append(os.Environ(), "ZOO_LOG4J_PROP=ERROR,CONSOLE", "JVMFLAGS=-Xmx64m -XX:TieredStopAtLevel=1")
	cmd.Stdin = strings.NewReader("addauth digest alice:secret\ncreate /owned mine auth::cdrwa\n" +
		"getAcl /owned\nwhoami\nconfig\nstat /\nquit\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("zkCli: %v\n%s", err, out)
	}
	for _, want := range []string{"Created /owned", "'digest,'alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=\n: cdrwa",
		"Auth scheme: User\nip: 127.0.0.1\ndigest: alice",
		"server.1=127.0.0.1:2888:3888:participant\nserver.2=127.0.0.1:2889:3889:participant\n" +
			"server.3=127.0.0.1:2890:3890:participant\nversion=0",
		"cversion = 0\n", "numChildren = 2"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("zkCli output lacks %q:\n%s", want, out)
		}
	}
}

// zkCliSession runs one zkCli.sh session (extra arguments, then commands on stdin); unless
// mayFail, it must exit 0 (zkCli exits 1 after a command that failed).
func zkCliSession(t *testing.T, cli string, args []string, stdin string, mayFail bool) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, args...)
	cmd.Env = append(os.Environ(), "ZOO_LOG4J_PROP=ERROR,CONSOLE", "JVMFLAGS=-Xmx64m -XX:TieredStopAtLevel=1")
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil && !mayFail {
		t.Fatalf("zkCli: %v\n%s", err, out)
	}
	return string(out)
}

// TestZkCliTTLAndReadOnly: zkCli's `create -t` makes a TTL node on a server with extended
// types, which the leader deletes once the ttl has passed; `zkCli.sh -r` (the Java client's
// canBeReadOnly) gets a read-only session on a partitioned server in read-only mode, reads,
// and is refused a write (NotReadOnlyException).
func TestZkCliTTLAndReadOnly(t *testing.T) {
	cli := zkCliPath()
	if cli == "" {
		t.Skip("SKIPPED: zkCli.sh not installed (Debian package zookeeper); `make test` installs it when run as root")
	}
	l := startLabWith(t, 3, 1, func(o *Options) {
		o.ExtendedTypes, o.ContainerCheckIntervalMs, o.ReadOnlyMode, o.LocalSessions, o.Timing = true, 200, true, true, engine.FastTiming()
	})
	leader := l.leader()
	out := zkCliSession(t, cli, []string{"-server", l.addr(leader)}, "create -t 300 /ttl data\nstat /ttl\ncreate /kept v\nquit\n", false)
	if !strings.Contains(out, "Created /ttl") || !strings.Contains(out, "ephemeralOwner = 0x0\n") {
		t.Fatalf("create -t:\n%s", out)
	}
	for deadline := time.Now().Add(10 * time.Second); l.treeHas(leader, "/ttl"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the TTL node was not deleted")
		}
	}
	lone := leader%3 + 1
	l.isolateUntilReadOnly(lone)
	out = zkCliSession(t, cli, []string{"-server", l.addr(lone), "-r"}, "get /kept\ncreate /b x\nquit\n", true)
	for _, want := range []string{"state:ConnectedReadOnly", "\nv\n", "Not a read-only call: /b"} {
		if !strings.Contains(out, want) {
			t.Fatalf("zkCli -r output lacks %q:\n%s", want, out)
		}
	}
}

// TestZkCliWatchesAndSetAcl: addWatch (persistent: it fires on both changes), removewatches
// -a (the client is told PersistentWatchRemoved, and the next change fires nothing), setAcl
// to read-only for everyone, getAcl, and the refused set ("Insufficient permission"). The
// expected text is what zkCli.sh printed for the same commands against a real ZooKeeper
// 3.8.0 ensemble (cmd/zablab/scripts/zk-ensemble.sh), byte for byte.
func TestZkCliWatchesAndSetAcl(t *testing.T) {
	cli := zkCliPath()
	if cli == "" {
		t.Skip("SKIPPED: zkCli.sh not installed (Debian package zookeeper); `make test` installs it when run as root")
	}
	l := startLab(t, 3, 1)
	out := zkCliSession(t, cli, []string{"-server", l.addr(1)}, "create /w x\naddWatch /w\nset /w y\nset /w z\n"+
		"removewatches /w -a\nset /w q\nsetAcl /w world:anyone:r\ngetAcl /w\nset /w v\nquit\n", true)
	const want = "Created /w\n\n" +
		"WATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDataChanged path:/w\n\n" +
		"WATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDataChanged path:/w\n\n" +
		"WATCHER::\n\nWatchedEvent state:SyncConnected type:PersistentWatchRemoved path:/w\n" +
		"'world,'anyone\n: r\n" +
		"Insufficient permission : /w\n"
	// The connection event is printed by the client's event thread in two lines, before,
	// around or after the first command's answer: it is not part of what is compared. It is
	// the first event, so its lines are the first of each kind.
	out = strings.Replace(out, "\nWATCHER::\n", "", 1)
	out = strings.Replace(out, "\nWatchedEvent state:SyncConnected type:None path:null\n", "", 1)
	i := strings.Index(out, "Created /w")
	if i < 0 || !strings.HasPrefix(out[i:], want) {
		t.Fatalf("zkCli printed:\n%s\nwant, from \"Created /w\":\n%s", out, want)
	}
}
