package web

import (
	"bufio"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// ZooKeeper's four-letter words: a connection whose first four bytes spell one gets a plain
// text answer and is closed (NIOServerCnxn.checkFourLetterWord). Only the words in the
// whitelist run (4lw.commands.whitelist, default "srvr"); the others get ZooKeeper's refusal.

// zkVersion is what the port reports as its ZooKeeper version.
const zkVersion = "3.8.0-zablab, built on 2022-02-25 08:49 UTC"

// fourLetterWords are the words ZooKeeper 3.8 knows.
var fourLetterWords = []string{"conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "isro", "mntr",
	"ruok", "srst", "srvr", "stat", "stmk", "wchc", "wchp", "wchs"}

func isFourLetterWord(b []byte) bool {
	for _, w := range fourLetterWords {
		if string(b) == w {
			return true
		}
	}
	return false
}

// ParseFourLetterWhitelist reads a 4lw.commands.whitelist value: comma-separated words, or
// "*" for all of them.
func ParseFourLetterWhitelist(s string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, w := range strings.Split(s, ",") {
		w = strings.TrimSpace(w)
		switch {
		case w == "":
		case w == "*":
			for _, x := range fourLetterWords {
				out[x] = true
			}
		case isFourLetterWord([]byte(w)):
			out[w] = true
		default:
			return nil, fmt.Errorf("unknown four-letter word %q (ZooKeeper 3.8 knows %s)", w, strings.Join(fourLetterWords, ", "))
		}
	}
	return out, nil
}

// SetFourLetterWhitelist sets the words the ports answer (default: srvr).
func (z *ZKPorts) SetFourLetterWhitelist(words map[string]bool) { z.fourLW.Store(&words) }

func (z *ZKPorts) fourLetterAllowed(w string) bool {
	if m := z.fourLW.Load(); m != nil {
		return (*m)[w]
	}
	return w == "srvr"
}

// serverStats are the counters of one server's port (ServerStats).
type serverStats struct {
	received, sent atomic.Int64
}

// fourLetter answers a four-letter word on connection c and closes it.
func (c *zkConn) fourLetter(word string) {
	defer c.close("")
	w := bufio.NewWriter(c.nc)
	c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if !c.z.fourLetterAllowed(word) {
		fmt.Fprintf(w, "%s is not executed because it is not in the whitelist.\n", word)
		w.Flush()
		return
	}
	var out string
	switch word {
	case "ruok":
		out = "imok"
	case "crst":
		c.z.resetConnStats(c.id)
		out = "Connection stats reset.\n"
	case "srst":
		c.st.received.Store(0)
		c.st.sent.Store(0)
		out = "Server stats reset.\n"
	case "envi":
		out = fmt.Sprintf("Environment:\nzookeeper.version=%s\nhost.name=localhost\njava.version=zablab (Go %s)\n"+
			"java.vendor=zablab\nos.name=%s\nos.arch=%s\nuser.dir=/\n", zkVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	default:
		v, err := c.z.room.do(func() (any, error) { return c.z.describe(word, c.id), nil })
		if err != nil {
			out = "This ZooKeeper instance is not currently serving requests\n"
		} else {
			out = v.(string)
		}
	}
	w.WriteString(out)
	w.Flush()
}

func (z *ZKPorts) stats(id int) *serverStats {
	z.mu.Lock()
	defer z.mu.Unlock()
	s := z.serverStats[id]
	if s == nil {
		s = &serverStats{}
		z.serverStats[id] = s
	}
	return s
}

func (z *ZKPorts) resetConnStats(id int) {
	z.mu.Lock()
	defer z.mu.Unlock()
	for c := range z.conns {
		if c.id == id {
			c.recv.Store(0)
			c.flushed.Store(0)
		}
	}
}

// connsOf lists server id's client connections (not the one asking), in a stable order.
func (z *ZKPorts) connsOf(id int) []*zkConn {
	z.mu.Lock()
	defer z.mu.Unlock()
	var out []*zkConn
	for c := range z.conns {
		if c.id == id && c.conn != 0 && c.cluster != nil {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].conn < out[j].conn })
	return out
}

// describe answers the words that read the server's state (on the room goroutine).
func (z *ZKPorts) describe(word string, id int) string {
	f := factsOf(z.room, z, id)
	if f.tree == nil {
		return "This ZooKeeper instance is not currently serving requests\n"
	}
	if word == "isro" {
		switch {
		case f.p.ReadOnly():
			return "ro"
		case f.serving():
			return "rw"
		}
		return "null"
	}
	if !f.serving() {
		return "This ZooKeeper instance is not currently serving requests\n"
	}
	c, p, tree, conns, mode := f.c, f.p, f.tree, f.conns, f.mode
	cfg := c.Config()
	var b strings.Builder
	connLine := func(k *zkConn, long bool) {
		fmt.Fprintf(&b, " /%s[1](queued=%d,recved=%d,sent=%d", k.nc.RemoteAddr(), k.outstanding.Load(), k.recv.Load(), k.flushed.Load())
		if long {
			if ecl := c.ExternalClient(k.conn); ecl != nil {
				fmt.Fprintf(&b, ",sid=0x%x,lop=NA,est=%d,to=%d,lzxid=0x%x", uint64(ecl.SessionID()), k.started.UnixMilli(), ecl.TimeoutMs(), uint64(ecl.LastZxid()))
			}
			b.WriteString(",llat=0,minlat=0,avglat=0,maxlat=0")
		}
		b.WriteString(")\n")
	}
	switch word {
	case "srvr", "stat":
		fmt.Fprintf(&b, "Zookeeper version: %s\n", zkVersion)
		if word == "stat" {
			b.WriteString("Clients:\n")
			for _, k := range conns {
				connLine(k, false)
			}
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "Latency min/avg/max: 0/0.0/0\nReceived: %d\nSent: %d\nConnections: %d\nOutstanding: %d\nZxid: 0x%x\nMode: %s\nNode count: %d\n",
			f.received, f.sent, len(conns), f.outstanding, uint64(p.LastProcessedZxid()), mode, tree.NodeCount())
		if mode == "leader" {
			b.WriteString("Proposal sizes last/min/max: -1/-1/-1\n")
		}
	case "cons":
		for _, k := range conns {
			connLine(k, true)
		}
		b.WriteString("\n")
	case "conf":
		fmt.Fprintf(&b, "clientPort=%d\nsecureClientPort=-1\ndataDir=%s\ndataDirSize=%d\n", f.port, dataDir(z.room, id), p.Disk().Bytes())
		fmt.Fprintf(&b, "dataLogDir=%s\ndataLogSize=%d\n", dataDir(z.room, id), p.Disk().Bytes())
		fmt.Fprintf(&b, "tickTime=%d\nmaxClientCnxns=60\nminSessionTimeout=%d\nmaxSessionTimeout=%d\nclientPortListenBacklog=-1\n",
			cfg.Timing.TickTimeMs, 2*cfg.Timing.TickTimeMs, 20*cfg.Timing.TickTimeMs)
		fmt.Fprintf(&b, "serverId=%d\ninitLimit=%d\nsyncLimit=%d\nelectionAlg=3\nelectionPort=%d\nquorumPort=%d\npeerType=%d\nmembership: \n",
			id, cfg.Timing.InitLimit, cfg.Timing.SyncLimit, 3887+id, 2887+id, map[bool]int{false: 0, true: 1}[p.IsObserver()])
		if data, _, err := tree.GetData("/zookeeper/config", 0); err == 0 {
			b.Write(data)
			if len(data) > 0 && data[len(data)-1] != '\n' {
				b.WriteString("\n")
			}
		}
	case "mntr":
		for _, e := range f.monitor() {
			v := e.V
			if x, ok := v.(float64); ok {
				v = strconv.FormatFloat(x, 'f', 1, 64) // Java prints a double as 0.0
			}
			fmt.Fprintf(&b, "zk_%s\t%v\n", e.K, v)
		}
	case "wchs":
		// WatchManager.toString, then a newline.
		sessions, _, paths, byPath := f.watches()
		total := 0
		for _, ss := range byPath {
			total += len(ss)
		}
		fmt.Fprintf(&b, "%d connections watching %d paths\nTotal watches:%d\n", len(sessions), len(paths), total)
	case "wchc":
		sessions, bySession, _, _ := f.watches()
		for _, s := range sessions {
			fmt.Fprintf(&b, "0x%x\n", uint64(s))
			for _, p := range bySession[s] {
				fmt.Fprintf(&b, "\t%s\n", p)
			}
		}
		b.WriteString("\n")
	case "wchp":
		_, _, paths, byPath := f.watches()
		for _, p := range paths {
			fmt.Fprintf(&b, "%s\n", p)
			for _, s := range byPath[p] {
				fmt.Fprintf(&b, "\t0x%x\n", uint64(s))
			}
		}
		b.WriteString("\n")
	case "dump":
		b.WriteString("SessionTracker dump:\n")
		sessions, eph := f.ephemerals()
		b.WriteString("ephemeral nodes dump:\n")
		fmt.Fprintf(&b, "Sessions with Ephemerals (%d):\n", len(sessions))
		for _, s := range sessions {
			fmt.Fprintf(&b, "0x%x:\n", uint64(s))
			for _, e := range eph[s] {
				fmt.Fprintf(&b, "\t%s\n", e)
			}
		}
	case "dirs":
		fmt.Fprintf(&b, "datadir_size: %d\nlogdir_size: %d\n", p.Disk().Bytes(), p.Disk().Bytes())
	case "gtmk", "stmk":
		b.WriteString("0\n")
	}
	return b.String()
}

// dataDir is where a ZooKeeper server of the room would keep its data (conf, configuration).
func dataDir(r *Room, id int) string { return fmt.Sprintf("/zablab/%s/server%d/version-2", r.Name, id) }
