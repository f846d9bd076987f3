package web

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
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
