package web

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

func fourLetter(t *testing.T, addr, word string) string {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	nc.Write([]byte(word))
	b, err := io.ReadAll(nc)
	if err != nil {
		t.Fatalf("%s: %v", word, err)
	}
	return string(b)
}

// The client ports answer ZooKeeper's four-letter words with 3.8's formats, within the
// whitelist (default srvr), and their figures agree with the page.
func TestFourLetterWords(t *testing.T) {
	l := startLab(t, 3, 1)
	c, _ := l.connect(l.addr(1))
	if _, err := c.Create("/flw", []byte("x"), zk.FlagEphemeral, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	leader := l.leader()
	srvr := fourLetter(t, l.addr(leader), "srvr")
	for _, want := range []string{"Zookeeper version: 3.8.0", "Latency min/avg/max: ", "Received: ", "Sent: ", "Connections: ", "Outstanding: 0", "Zxid: 0x", "Mode: leader", "Node count: "} {
		if !strings.Contains(srvr, want) {
			t.Fatalf("srvr lacks %q:\n%s", want, srvr)
		}
	}
	// The zxid and the node count are the page's.
	view := call(t, l.ts, "GET", "/api/rooms/main", "")
	var lastZxid string
	for _, n := range view.body["nodes"].([]any) {
		m := n.(map[string]any)
		if int(m["id"].(float64)) == leader {
			lastZxid = m["lastZxid"].(string)
		}
	}
	if !strings.Contains(srvr, "Zxid: "+lastZxid+"\n") {
		t.Errorf("srvr's zxid differs from the page's %s:\n%s", lastZxid, srvr)
	}
	if got := fourLetter(t, l.addr(leader), "ruok"); got != "ruok is not executed because it is not in the whitelist.\n" {
		t.Fatalf("ruok outside the whitelist: %q", got)
	}
	all, _ := ParseFourLetterWhitelist("*")
	l.zk.SetFourLetterWhitelist(all)
	if oks := zk.FLWRuok([]string{l.addr(1)}, 5*time.Second); len(oks) != 1 || !oks[0] {
		t.Fatalf("go-zookeeper's FLWRuok: %v", oks)
	}
	follower := 1
	if follower == leader {
		follower = 2
	}
	stat := fourLetter(t, l.addr(1), "stat")
	if !strings.Contains(stat, "Clients:\n /127.0.0.1:") || !strings.Contains(stat, "Connections: 1\n") {
		t.Errorf("stat does not list the connected client:\n%s", stat)
	}
	mntr := fourLetter(t, l.addr(leader), "mntr")
	for _, want := range []string{"zk_server_state\tleader\n", "zk_znode_count\t", "zk_ephemerals_count\t1\n", "zk_synced_followers\t"} {
		if !strings.Contains(mntr, want) {
			t.Errorf("mntr lacks %q:\n%s", want, mntr)
		}
	}
	if conf := fourLetter(t, l.addr(follower), "conf"); !strings.Contains(conf, fmt.Sprintf("serverId=%d\n", follower)) || !strings.Contains(conf, "server.1=") {
		t.Errorf("conf:\n%s", conf)
	}
	if got := fourLetter(t, l.addr(follower), "isro"); got != "rw" {
		t.Errorf("isro: %q", got)
	}
	if got := fourLetter(t, l.addr(1), "cons"); !strings.Contains(got, "sid=0x") {
		t.Errorf("cons: %q", got)
	}
	// The port still serves sessions after the words.
	if _, _, err := c.Get("/flw"); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseFourLetterWhitelist("srvr,nope"); err == nil {
		t.Fatal("an unknown word was accepted in the whitelist")
	}
}

// Stat times are dates: the room's start in wall-clock time plus the simulated clock
// (zkCli no longer shows 1970), and they replay the same (the run file keeps the epoch).
func TestStatTimesAreDates(t *testing.T) {
	l := startLab(t, 3, 1)
	c, _ := l.connect(l.addr(1))
	before := time.Now().Add(-time.Hour).UnixMilli()
	if _, err := c.Create("/dated", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	_, st, err := c.Get("/dated")
	if err != nil {
		t.Fatal(err)
	}
	if st.Ctime < before || st.Ctime > time.Now().Add(time.Hour).UnixMilli() || st.Mtime != st.Ctime {
		t.Fatalf("ctime %d (%v), mtime %d: not a date near now", st.Ctime, time.UnixMilli(st.Ctime), st.Mtime)
	}
	run := call(t, l.ts, "GET", "/api/rooms/main/run", "")
	if !strings.Contains(run.raw, `"epochMs":`) {
		t.Fatal("the run file does not keep the room's epoch")
	}
}
