package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/zablab/zablab/engine"
)

// The AdminServer's commands (ZooKeeper 3.8: JettyAdminServer on port 8080, /commands/<name>,
// Commands.java), answered for one simulated server: GET /commands/{name}?server=N for room
// main, GET /api/rooms/{room}/nodes/{id}/commands/{name} for any room. Every answer is a
// JSON object with the command's fields, then "command" (its primary name) and "error"
// (null, or why it could not run), with status 200 as ZooKeeper answers. GET /commands lists
// the commands as links.

// adminCommand is one command: its primary name, its other names, and what it answers for
// a serving server.
type adminCommand struct {
	names []string
	// anyState: the command runs when the server is not serving (serverRequired false).
	anyState bool
	run      func(f *serverFacts) kvList
}

var adminCommands = []adminCommand{
	{names: []string{"configuration", "conf", "config"}, run: adminConf},
	{names: []string{"connections", "cons"}, run: func(f *serverFacts) kvList {
		return kvList{{"connections", connInfos(f, false)}, {"secure_connections", []any{}}}
	}},
	{names: []string{"dirs"}, run: func(f *serverFacts) kvList {
		return kvList{{"datadir_size", f.p.Disk().Bytes()}, {"logdir_size", f.p.Disk().Bytes()}}
	}},
	{names: []string{"dump"}, run: adminDump},
	{names: []string{"environment", "env", "envi"}, anyState: true, run: adminEnv},
	{names: []string{"is_read_only", "isro"}, run: func(f *serverFacts) kvList { return kvList{{"read_only", f.p.ReadOnly()}} }},
	{names: []string{"leader", "lead"}, run: adminLeader},
	{names: []string{"monitor", "mntr"}, run: func(f *serverFacts) kvList { return f.monitor() }},
	{names: []string{"ruok"}, run: func(f *serverFacts) kvList { return nil }},
	{names: []string{"server_stats", "srvr"}, run: adminSrvr},
	{names: []string{"stats", "stat"}, run: func(f *serverFacts) kvList {
		return append(adminSrvr(f), kv{"connections", connInfos(f, true)}, kv{"secure_connections", []any{}})
	}},
	{names: []string{"voting_view"}, run: adminVotingView},
	{names: []string{"watch_summary", "wchs"}, run: func(f *serverFacts) kvList {
		sessions, _, paths, byPath := f.watches()
		total := 0
		for _, ss := range byPath {
			total += len(ss)
		}
		return kvList{{"num_connections", len(sessions)}, {"num_paths", len(paths)}, {"num_total_watches", total}}
	}},
	{names: []string{"watches", "wchc"}, run: func(f *serverFacts) kvList {
		sessions, bySession, _, _ := f.watches()
		m := make(kvList, 0, len(sessions))
		for _, s := range sessions {
			m = append(m, kv{strconv.FormatInt(s, 10), bySession[s]})
		}
		return kvList{{"session_id_to_watched_paths", m}}
	}},
	{names: []string{"watches_by_path", "wchp"}, run: func(f *serverFacts) kvList {
		_, _, paths, byPath := f.watches()
		m := make(kvList, 0, len(paths))
		for _, p := range paths {
			m = append(m, kv{p, byPath[p]})
		}
		return kvList{{"path_to_session_ids", m}}
	}},
}

// findAdminCommand finds a command by any of its names.
func findAdminCommand(name string) *adminCommand {
	for i := range adminCommands {
		for _, n := range adminCommands[i].names {
			if n == name {
				return &adminCommands[i]
			}
		}
	}
	return nil
}

// notServing is ZooKeeper's answer for a server that does not serve clients.
const notServing = "This ZooKeeper instance is not currently serving requests"

// runAdminCommand answers command name for server id of room r (on the room goroutine):
// the command's fields, then "command" and "error" (Commands.runCommand, CommandResponse).
func runAdminCommand(r *Room, id int, name string) kvList {
	cmd := findAdminCommand(name)
	if cmd == nil {
		return kvList{{"command", name}, {"error", "Unknown command: " + name}}
	}
	primary := cmd.names[0]
	f := factsOf(r, roomPorts(r), id)
	if !cmd.anyState && !f.serving() {
		return kvList{{"command", primary}, {"error", notServing}}
	}
	out := cmd.run(&f)
	var errv any
	for i := 0; i < len(out); i++ {
		if out[i].K == "error" { // a command's own error replaces the null (CommandResponse.toMap)
			errv = out[i].V
			out = append(out[:i], out[i+1:]...)
			i--
		}
	}
	return append(out, kv{"command", primary}, kv{"error", errv})
}

// roomPorts finds the client ports serving room r, if any (room goroutine).
func roomPorts(r *Room) *ZKPorts {
	if ps, ok := r.sink.(portSets); ok {
		for _, z := range ps {
			if z.room == r {
				return z
			}
		}
	}
	return nil
}

func adminConf(f *serverFacts) kvList {
	t := f.c.Config().Timing
	return kvList{{"client_port", f.port}, {"data_dir", dataDir(f.room(), f.id)}, {"data_log_dir", dataDir(f.room(), f.id)},
		{"tick_time", t.TickTimeMs}, {"max_client_cnxns", 60}, {"min_session_timeout", 2 * t.TickTimeMs},
		{"max_session_timeout", 20 * t.TickTimeMs}, {"server_id", f.id}, {"client_port_listen_backlog", -1}}
}

func adminDump(f *serverFacts) kvList {
	sessions, eph := f.ephemerals()
	m := make(kvList, 0, len(sessions))
	for _, s := range sessions {
		paths := eph[s]
		if paths == nil {
			paths = []string{}
		}
		m = append(m, kv{strconv.FormatInt(s, 10), paths})
	}
	// The session tracker's expiry buckets are not shown, as dump's first part.
	return kvList{{"expiry_time_to_session_ids", kvList{}}, {"session_id_to_ephemeral_paths", m}}
}

func adminEnv(f *serverFacts) kvList {
	return kvList{{"zookeeper.version", zkVersion}, {"host.name", "localhost"},
		{"java.version", "zablab (Go " + runtime.Version() + ")"}, {"java.vendor", "zablab"},
		{"os.name", runtime.GOOS}, {"os.arch", runtime.GOARCH}, {"user.dir", "/"}}
}

func adminLeader(f *serverFacts) kvList {
	if f.p.ReadOnly() {
		return kvList{{"error", "server is not initialized"}} // not a QuorumZooKeeperServer
	}
	return kvList{{"is_leader", f.p.State() == engine.Leading}, {"leader_id", f.p.LeaderID()}, {"leader_ip", "127.0.0.1"}}
}

func adminSrvr(f *serverFacts) kvList {
	buf := kvList{{"last_buffer_size", -1}, {"min_buffer_size", -1}, {"max_buffer_size", -1}}
	stats := kvList{{"packets_sent", f.sent}, {"packets_received", f.received}, {"fsync_threshold_exceed_count", 0},
		{"client_response_stats", buf}, {"data_dir_size", f.p.Disk().Bytes()}, {"log_dir_size", f.p.Disk().Bytes()},
		{"last_processed_zxid", int64(f.p.LastProcessedZxid())}, {"outstanding_requests", f.outstanding},
		{"server_state", f.mode}, {"avg_latency", 0.0}, {"max_latency", 0}, {"min_latency", 0},
		{"num_alive_client_connections", len(f.conns)}, {"auth_failed_count", 0}, {"non_mtlsremote_conn_count", 0},
		{"non_mtlslocal_conn_count", 0}}
	out := kvList{{"version", zkVersion}, {"read_only", f.p.ReadOnly()}, {"server_stats", stats}, {"client_response", buf}}
	if f.mode == "leader" {
		out = append(out, kv{"proposal_stats", buf})
	}
	return append(out, kv{"node_count", f.tree.NodeCount()})
}

// connInfos is ServerCnxn.getConnectionInfo for each connection (brief: the first five).
func connInfos(f *serverFacts, brief bool) []kvList {
	out := []kvList{}
	for _, k := range f.conns {
		info := kvList{{"remote_socket_address", k.nc.RemoteAddr().String()}, {"interest_ops", 1},
			{"outstanding_requests", k.outstanding.Load()}, {"packets_received", k.recv.Load()}, {"packets_sent", k.flushed.Load()}}
		if !brief {
			var sid, to, lzxid int64
			if ecl := f.c.ExternalClient(k.conn); ecl != nil {
				sid, to, lzxid = ecl.SessionID(), int64(ecl.TimeoutMs()), int64(ecl.LastZxid())
			}
			info = append(info, kv{"session_id", sid}, kv{"last_operation", "NA"}, kv{"established", k.started.UnixMilli()},
				kv{"session_timeout", to}, kv{"last_cxid", -1}, kv{"last_zxid", lzxid}, kv{"last_response_time", 0},
				kv{"last_latency", 0}, kv{"min_latency", 0}, kv{"avg_latency", 0}, kv{"max_latency", 0})
		}
		out = append(out, info)
	}
	return out
}

// adminVotingView is QuorumPeer.getVotingView: the voting members (observers do not vote).
func adminVotingView(f *serverFacts) kvList {
	cfg := f.c.Config()
	view := kvList{}
	for id := 1; id <= cfg.Voters; id++ {
		client := ""
		if cfg.ClientPortBase > 0 {
			client = fmt.Sprintf("127.0.0.1:%d", cfg.ClientPortBase+id)
		}
		view = append(view, kv{strconv.Itoa(id), kvList{{"server_addresses", []string{fmt.Sprintf("127.0.0.1:%d", 2887+id)}},
			{"election_addresses", []string{fmt.Sprintf("127.0.0.1:%d", 3887+id)}}, {"client_address", client},
			{"learner_type", "participant"}}})
	}
	return kvList{{"current_config", view}}
}

// room is the room the facts were read from.
func (f *serverFacts) room() *Room { return f.r }

// adminCommandNames are the primary names, sorted (JettyAdminServer.commandLinks).
func adminCommandNames() []string {
	names := make([]string, len(adminCommands))
	for i, c := range adminCommands {
		names[i] = c.names[0]
	}
	sort.Strings(names)
	return names
}

// getCommands is GET /commands?server=N: links to every command for server N (default 1)
// of room main, as the AdminServer lists them.
func (s *Server) getCommands(c echo.Context) error {
	r := s.room("main")
	if r == nil || !s.canRead(c, r) {
		return errStatus(http.StatusUnauthorized, "token_required", "room main needs its token for reading")
	}
	server := c.QueryParam("server")
	if server == "" {
		server = "1"
	}
	var b strings.Builder
	for _, n := range adminCommandNames() {
		fmt.Fprintf(&b, "<a href=\"/commands/%s?server=%s\">%s</a>\n<br/>\n", n, html.EscapeString(server), n)
	}
	return c.HTML(http.StatusOK, b.String())
}

// getMainCommand is GET /commands/{name}?server=N for room main.
func (s *Server) getMainCommand(c echo.Context) error {
	r := s.room("main")
	if r == nil {
		return errStatus(http.StatusNotFound, "unknown_room", "unknown room %q", "main")
	}
	if !s.canRead(c, r) {
		return tokenError(c, r, "reading")
	}
	id, err := strconv.Atoi(c.QueryParam("server"))
	if err != nil {
		return errStatus(http.StatusBadRequest, "bad_server", "?server=N names the server (1 to %d)", r.size())
	}
	return s.adminAnswer(c, r, id, c.Param("name"))
}

// getNodeCommand is GET /api/rooms/{room}/nodes/{id}/commands/{name}.
func (s *Server) getNodeCommand(c echo.Context) error {
	r, id, err := s.roomNode(c)
	if err != nil {
		return err
	}
	return s.adminAnswer(c, r, id, c.Param("name"))
}

func (s *Server) adminAnswer(c echo.Context, r *Room, id int, name string) error {
	v, err := r.do(func() (any, error) {
		if err := r.checkServer(id); err != nil {
			return nil, err
		}
		return runAdminCommand(r, id, name), nil
	})
	if err != nil {
		return err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	json.Indent(&out, raw, "", "  ") // JsonOutputter indents
	out.WriteByte('\n')
	return c.Blob(http.StatusOK, "application/json", out.Bytes())
}
