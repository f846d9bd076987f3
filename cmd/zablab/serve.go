package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/lessons"
	"github.com/zablab/zablab/web"
)

func cmdServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "HTTP listen address")
	nodes := fs.Int("nodes", 5, "voting servers in room main")
	observers := fs.Int("observers", 0, "observers in room main")
	seed := fs.Int64("seed", 1, "seed of room main")
	timing := fs.String("timing", "watch", "timing: watch (slowed for watching), zookeeper (ZooKeeper's sample config) or fast")
	zkBase := fs.Int("zk-port-base", 2180, "server N of room main listens for ZooKeeper clients on 127.0.0.1:(base+N); 0 turns the ports off")
	dataLimit := fs.Int("room-data-limit", engine.DefaultDataLimit>>20, "each room's data budget in MiB: znode paths and data per server (more: QUOTAEXCEEDED); the log is rolled by size to stay within a few budgets")
	fourLW := fs.String("4lw-whitelist", "srvr", "four-letter words the client ports answer (ZooKeeper's 4lw.commands.whitelist: comma-separated, or * for all)")
	superDigest := fs.String("super-digest", "", "ZooKeeper's superDigest (\"super:base64(sha1(super:password))\"): a client that adds this digest may do anything, whatever the ACLs")
	extended := fs.Bool("extended-types", false, "ZooKeeper's zookeeper.extendedTypesEnabled: clients may create TTL nodes (off: TTL creates are UNIMPLEMENTED)")
	containerCheck := fs.Int64("container-check-ms", engine.DefaultContainerCheckIntervalMs, "ZooKeeper's znode.container.checkIntervalMs: how often room main's leader deletes empty containers and expired TTL nodes (simulated ms)")
	localSessions := fs.Bool("local-sessions", false, "ZooKeeper's localSessionsEnabled, as read-only mode needs it: a read-only server gives new clients local sessions (without it, as in 3.8, a read-only server answers a new session with NOTREADONLY, so no new client can connect)")
	readOnly := fs.Bool("read-only-mode", false, "ZooKeeper's readonlymode.enabled: a server of room main that stays LOOKING (cut off from a quorum) for max(2 s, tickTime) serves reads to clients that connect read-only")
	open := fs.String("open", "", "a run file to replay into room main, which starts paused at the run's end (a `zablab check` violation: at the violating event)")
	embed := fs.String("embed-origins", "", "comma-separated origins allowed to frame the lab (e.g. https://course.example.edu); room main then needs its token for commands")
	hosts := fs.String("host", "", "comma-separated extra host names the lab answers to on a non-loopback --addr (the Host header is checked)")
	roomsPerClient := fs.Int("rooms-per-client", 4, "sandbox rooms one client address may hold; the longest-idle unwatched one is evicted first (-1: no bound)")
	zkAddr := fs.String("zk-addr", "", "the address the ZooKeeper client ports listen on (default 127.0.0.1; with --classroom the LAN address, so students can point zkCli.sh at the teacher's machine; 0.0.0.0 for every interface)")
	classroom := fs.Bool("classroom", false, "teach a class: listen on the LAN address (unless --addr is given), room main needs the teacher's token, students join with a code; prints the student and teacher links")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var joinCode, teacherToken string
	if *classroom {
		addrSet := false
		fs.Visit(func(f *flag.Flag) { addrSet = addrSet || f.Name == "addr" })
		if !addrSet {
			*addr = net.JoinHostPort(lanAddress(), "8080")
		}
		joinCode, teacherToken = web.NewJoinCode(), web.NewToken()
		if *zkAddr == "" {
			*zkAddr = lanAddress()
		}
	}
	if *zkAddr == "" {
		*zkAddr = "127.0.0.1"
	}
	if net.ParseIP(*zkAddr) == nil {
		fmt.Fprintf(stderr, "zablab serve: --zk-addr %q is not an IP address\n", *zkAddr)
		return 2
	}
	origins, err := web.ParseEmbedOrigins(*embed)
	if err != nil {
		fmt.Fprintln(stderr, "zablab serve: --embed-origins:", err)
		return 2
	}
	if *roomsPerClient == 0 || *roomsPerClient < -1 {
		fmt.Fprintln(stderr, "zablab serve: --rooms-per-client must be at least 1, or -1 for no bound")
		return 2
	}
	t, err := engine.TimingByName(*timing)
	if err != nil {
		fmt.Fprintln(stderr, "zablab serve:", err)
		return 2
	}
	if *zkBase < 0 || *zkBase > 65535-engine.MaxVoters-engine.MaxObservers {
		fmt.Fprintln(stderr, "zablab serve: --zk-port-base out of range")
		return 2
	}
	ls, err := lessons.Embedded()
	if err != nil {
		fmt.Fprintln(stderr, "zablab serve: lessons:", err)
		return 1
	}
	var openRun *engine.RunFile
	if *open != "" {
		b, err := os.ReadFile(*open)
		if err != nil {
			fmt.Fprintln(stderr, "zablab serve:", err)
			return 2
		}
		if openRun, err = engine.ParseRunFile(b); err != nil {
			fmt.Fprintf(stderr, "zablab serve: %s: %v\n", *open, err)
			return 2
		}
		*nodes, *observers = openRun.Config.Voters, openRun.Config.Observers
	}
	var zkp atomic.Pointer[web.ZKPorts]
	portBase := 0
	if *zkBase > 0 {
		portBase = *zkBase
	}
	whitelist, err := web.ParseFourLetterWhitelist(*fourLW)
	if err != nil {
		fmt.Fprintln(stderr, "zablab serve: --4lw-whitelist:", err)
		return 2
	}
	if *dataLimit < 1 || *dataLimit > 4096 {
		fmt.Fprintln(stderr, "zablab serve: --room-data-limit must be between 1 and 4096 (MiB)")
		return 2
	}
	opts := web.Options{JoinCode: joinCode, MainToken: teacherToken, RoomDataLimit: *dataLimit << 20, ClientPortBase: portBase, OpenRun: openRun, Addr: *addr, Voters: *nodes, Observers: *observers, Seed: *seed, Timing: t,
		ZKPort: func(id int) int { return zkp.Load().Port(id) }, Lessons: ls,
		EmbedOrigins: origins, Hosts: splitList(*hosts), RoomsPerClient: *roomsPerClient,
		ExtendedTypes: *extended, ContainerCheckIntervalMs: *containerCheck, ReadOnlyMode: *readOnly, LocalSessions: *localSessions}
	srv, err := web.NewServer(opts)
	if err != nil {
		fmt.Fprintln(stderr, "zablab serve:", err)
		return 2
	}
	if *zkBase > 0 {
		zk, warnings := web.StartZKPorts(srv.Main(), *zkAddr, *zkBase, *nodes+*observers, nil)
		zk.SetSuperDigest(*superDigest)
		zk.SetFourLetterWhitelist(whitelist)
		zkp.Store(zk)
		for _, w := range warnings {
			fmt.Fprintln(stderr, "zablab serve: warning:", w)
		}
		defer zk.Close()
		host := *zkAddr
		if host == "0.0.0.0" || host == "::" {
			host = lanAddress()
		}
		fmt.Fprintf(stdout, "ZooKeeper clients: %s … %s (server N on port %d+N)\n",
			net.JoinHostPort(host, fmt.Sprint(*zkBase+1)), net.JoinHostPort(host, fmt.Sprint(*zkBase+*nodes+*observers)), *zkBase)
	}
	url, err := srv.Listen()
	if err != nil {
		fmt.Fprintln(stderr, "zablab serve:", err)
		return 1
	}
	if joinCode != "" {
		fmt.Fprintf(stdout, "zablab classroom\n  students: %s?join=1  (join code %s)\n  teacher:  %s?token=%s  (keep this link to yourself)\n", url, joinCode, url, srv.MainToken())
	} else if tok := srv.MainToken(); tok != "" {
		fmt.Fprintf(stdout, "zablab lab: %s?token=%s\n", url, tok)
	} else {
		fmt.Fprintf(stdout, "zablab lab: %s\n", url)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve() }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case err := <-errc:
		if err != nil {
			fmt.Fprintln(stderr, "zablab serve:", err)
			return 1
		}
	case <-sig:
		fmt.Fprintln(stderr, "shutting down")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(ctx)
	return 0
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// lanAddress is this machine's first non-loopback IPv4 address (the lecture hall's network),
// or 127.0.0.1 when it has none.
func lanAddress() string {
	ifs, err := net.Interfaces()
	if err != nil {
		return "127.0.0.1"
	}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && !ipn.IP.IsLinkLocalUnicast() {
				return ipn.IP.String()
			}
		}
	}
	return "127.0.0.1"
}
