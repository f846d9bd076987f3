package zk

// This file is zablab's, not go-zookeeper's. zablab's web/gozksuite_test.go copies
// go-zookeeper v1.0.4's package into a temporary directory, removes server_help_test.go and
// server_java_test.go (which start Java ZooKeeper servers with zkServer.sh) and adds this file
// in their place: the same helper API, backed by room main of a running zablab lab whose
// HTTP address is in ZABLAB_URL.
//
//   - StartTestCluster(t, n) resets room main to n servers with the Java config's timing
//     (tickTime 500, initLimit 10, syncLimit 5, as ServerConfig.Marshall writes zoo.cfg) and
//     waits until a leader exists and every server serves; Servers[i].Port is server i+1's
//     ZooKeeper client port.
//   - server.Stop (StopServer, StopAllServers, Stop) crashes the server over HTTP; its port
//     closes, as a stopped JVM's does.
//   - server.Start (StartServer, StartAllServers) restarts it and waits until it serves.
//
// The Java helper's waitForStart (after StartTestCluster and StartAllServers) polls srvr with
// FLWSrvr, whose regular expression wants 3.4–3.6's build date ("built on 02/20/2014 09:09
// GMT"); ZooKeeper 3.7 and later print "built on 2022-02-25 08:49 UTC" (pom.xml's
// build.time pattern yyyy-MM-dd HH:mm zz), as zablab does, so against a real 3.8 it never
// parses (go-zookeeper PR #72, unmerged) and each wait would run out after 20-30 s. This
// helper asks zablab's HTTP API whether the servers serve instead.
//
// The lab runs with what the Java helper configures: the super digest super:test,
// extended types (TTL nodes) and every four-letter word whitelisted.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/ioutil"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// zablabSkips are the tests that cannot work against zablab, with the reason. StartTestCluster
// skips them (each calls it first).
var zablabSkips = map[string]string{
	"TestIntegration_IncrementalReconfig": "dynamic reconfiguration: zablab answers reconfig with RECONFIGDISABLED, as ZooKeeper does without reconfigEnabled=true (its default), and its ensembles have a fixed membership; the test also starts a fourth Java server from its own zoo.cfg (NewIntegrationTestServer)",
	"TestIntegration_Reconfig":            "dynamic reconfiguration: zablab answers reconfig with RECONFIGDISABLED, as ZooKeeper does without reconfigEnabled=true (its default), and its ensembles have a fixed membership",
}

const (
	_testConfigName   = "zoo.cfg"
	_testMyIDFileName = "myid"
)

type ErrMissingServerConfigField string

func (e ErrMissingServerConfigField) Error() string {
	return fmt.Sprintf("zk: missing server config field '%s'", string(e))
}

const (
	DefaultServerTickTime                 = 500
	DefaultServerInitLimit                = 10
	DefaultServerSyncLimit                = 5
	DefaultServerAutoPurgeSnapRetainCount = 3
	DefaultPeerPort                       = 2888
	DefaultLeaderElectionPort             = 3888
)

type TestServer struct {
	Port   int
	Path   string
	Srv    *server
	Config ServerConfigServer
}

type TestCluster struct {
	Path    string
	Config  ServerConfig
	Servers []TestServer
}

type ServerConfigServer struct {
	ID                 int
	Host               string
	PeerPort           int
	LeaderElectionPort int
}

type ServerConfig struct {
	TickTime                 int
	InitLimit                int
	SyncLimit                int
	DataDir                  string
	ClientPort               int
	AutoPurgeSnapRetainCount int
	AutoPurgePurgeInterval   int
	Servers                  []ServerConfigServer
}

// Marshall writes the zoo.cfg the Java helper would (nothing starts from it here).
func (sc ServerConfig) Marshall(w io.Writer) error {
	fmt.Fprintln(w, "admin.enableServer=false")
	if sc.DataDir == "" {
		return ErrMissingServerConfigField("dataDir")
	}
	fmt.Fprintf(w, "dataDir=%s\n", sc.DataDir)
	fmt.Fprintf(w, "tickTime=%d\n", orDefault(sc.TickTime, DefaultServerTickTime))
	fmt.Fprintf(w, "initLimit=%d\n", orDefault(sc.InitLimit, DefaultServerInitLimit))
	fmt.Fprintf(w, "syncLimit=%d\n", orDefault(sc.SyncLimit, DefaultServerSyncLimit))
	fmt.Fprintf(w, "clientPort=%d\n", orDefault(sc.ClientPort, DefaultPort))
	for _, srv := range sc.Servers {
		fmt.Fprintf(w, "server.%d=%s:%d:%d\n", srv.ID, srv.Host, orDefault(srv.PeerPort, DefaultPeerPort), orDefault(srv.LeaderElectionPort, DefaultLeaderElectionPort))
	}
	return nil
}

func orDefault(v, d int) int {
	if v <= 0 {
		return d
	}
	return v
}

// server is one simulated server of room main.
type server struct {
	api string // zablab's HTTP address
	id  int
}

// NewIntegrationTestServer would start a Java server from a zoo.cfg; zablab cannot.
func NewIntegrationTestServer(t *testing.T, configPath string, stdout, stderr io.Writer) (*server, error) {
	return nil, fmt.Errorf("zablab: no Java server to start from %s", configPath)
}

// Stop crashes the server.
func (srv *server) Stop() error {
	_, err := zablabPost(srv.api, fmt.Sprintf("/api/rooms/main/nodes/%d/crash", srv.id), "")
	return err
}

// Start restarts the server and waits (at most 30 s) until it serves.
func (srv *server) Start() error {
	if _, err := zablabPost(srv.api, fmt.Sprintf("/api/rooms/main/nodes/%d/restart", srv.id), ""); err != nil {
		return err
	}
	return zablabWait(srv.api, []int{srv.id}, 30*time.Second)
}

type zablabNode struct {
	ID      int  `json:"id"`
	ZKPort  int  `json:"zkPort"`
	Serving bool `json:"serving"`
}

type zablabView struct {
	Leader int          `json:"leader"`
	Nodes  []zablabNode `json:"nodes"`
}

var zablabHTTP = &http.Client{Timeout: 10 * time.Second}

func zablabPost(api, path, body string) ([]byte, error) {
	resp, err := zablabHTTP.Post(api+path, "application/json", strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := ioutil.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return b, fmt.Errorf("zablab: POST %s: %s: %s", path, resp.Status, bytes.TrimSpace(b))
	}
	return b, nil
}

func zablabGet(api string) (zablabView, error) {
	var v zablabView
	resp, err := zablabHTTP.Get(api + "/api/rooms/main")
	if err != nil {
		return v, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return v, fmt.Errorf("zablab: GET /api/rooms/main: %s", resp.Status)
	}
	return v, json.NewDecoder(resp.Body).Decode(&v)
}

// zablabWait waits until room main has a leader and servers ids all serve.
func zablabWait(api string, ids []int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var v zablabView
	var err error
	for time.Now().Before(deadline) {
		v, err = zablabGet(api)
		if err == nil && v.Leader != 0 {
			serving := 0
			for _, n := range v.Nodes {
				for _, id := range ids {
					if n.ID == id && n.Serving {
						serving++
					}
				}
			}
			if serving == len(ids) {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("zablab: servers %v do not all serve within %v (last view %+v, error %v)", ids, limit, v, err)
}

func StartTestCluster(t *testing.T, size int, stdout, stderr io.Writer) (*TestCluster, error) {
	t.Helper()
	top := strings.SplitN(t.Name(), "/", 2)[0]
	if why, ok := zablabSkips[top]; ok {
		t.Skip("SKIPPED: " + why)
	}
	if testing.Short() {
		t.Skip("ZK cluster tests skipped in short case.")
	}
	api := os.Getenv("ZABLAB_URL")
	if api == "" {
		t.Skip("SKIPPED: ZABLAB_URL is not set: these tests run against zablab through its web/gozksuite_test.go")
	}
	body := fmt.Sprintf(`{"nodes":%d,"seed":7,"timing":{"tickTime":%d,"initLimit":%d,"syncLimit":%d}}`,
		size, DefaultServerTickTime, DefaultServerInitLimit, DefaultServerSyncLimit)
	if _, err := zablabPost(api, "/api/rooms/main/reset", body); err != nil {
		return nil, err
	}
	var ids []int
	for id := 1; id <= size; id++ {
		ids = append(ids, id)
	}
	if err := zablabWait(api, ids, 30*time.Second); err != nil {
		return nil, err
	}
	v, err := zablabGet(api)
	if err != nil {
		return nil, err
	}
	tc := &TestCluster{Path: t.TempDir()}
	var cfgServers []ServerConfigServer
	for _, n := range v.Nodes {
		if n.ID > size {
			continue
		}
		if n.ZKPort == 0 {
			return nil, fmt.Errorf("zablab: server %d has no client port", n.ID)
		}
		cfgServers = append(cfgServers, ServerConfigServer{ID: n.ID, Host: "127.0.0.1",
			PeerPort: 2888 + n.ID, LeaderElectionPort: 3888 + n.ID})
	}
	for _, n := range v.Nodes {
		if n.ID > size {
			continue
		}
		tc.Servers = append(tc.Servers, TestServer{Port: n.ZKPort, Path: tc.Path,
			Srv: &server{api: api, id: n.ID}, Config: cfgServers[len(tc.Servers)]})
		tc.Config = ServerConfig{ClientPort: n.ZKPort, DataDir: tc.Path, Servers: cfgServers}
	}
	if len(tc.Servers) != size {
		return nil, fmt.Errorf("zablab: room main has %d servers, want %d", len(tc.Servers), size)
	}
	t.Logf("zablab: room main reset to %d server(s), leader %d, client ports %v", size, v.Leader, tc.ports())
	return tc, nil
}

func (tc *TestCluster) ports() []int {
	var out []int
	for _, s := range tc.Servers {
		out = append(out, s.Port)
	}
	return out
}

func (tc *TestCluster) Connect(idx int) (*Conn, <-chan Event, error) {
	return Connect([]string{fmt.Sprintf("127.0.0.1:%d", tc.Servers[idx].Port)}, time.Second*15)
}

func (tc *TestCluster) ConnectAll() (*Conn, <-chan Event, error) {
	return tc.ConnectAllTimeout(time.Second * 15)
}

func (tc *TestCluster) ConnectAllTimeout(sessionTimeout time.Duration) (*Conn, <-chan Event, error) {
	return tc.ConnectWithOptions(sessionTimeout)
}

func (tc *TestCluster) ConnectWithOptions(sessionTimeout time.Duration, options ...connOption) (*Conn, <-chan Event, error) {
	hosts := make([]string, len(tc.Servers))
	for i, srv := range tc.Servers {
		hosts[i] = fmt.Sprintf("127.0.0.1:%d", srv.Port)
	}
	return Connect(hosts, sessionTimeout, options...)
}

// Stop crashes every server (the next StartTestCluster resets the room).
func (tc *TestCluster) Stop() error {
	for _, srv := range tc.Servers {
		srv.Srv.Stop()
	}
	return tc.waitForStop(5, time.Second)
}

// waitForStop blocks until no server answers ruok.
func (tc *TestCluster) waitForStop(maxRetry int, interval time.Duration) error {
	serverAddrs := make([]string, len(tc.Servers))
	for i, s := range tc.Servers {
		serverAddrs[i] = fmt.Sprintf("127.0.0.1:%d", s.Port)
	}
	var success bool
	for i := 0; i < maxRetry && !success; i++ {
		success = true
		for _, ok := range FLWRuok(serverAddrs, time.Second) {
			if ok {
				success = false
			}
		}
		if !success {
			time.Sleep(interval)
		}
	}
	if !success {
		return fmt.Errorf("unable to verify servers are down")
	}
	return nil
}

func (tc *TestCluster) StartServer(server string) {
	for _, s := range tc.Servers {
		if strings.HasSuffix(server, fmt.Sprintf(":%d", s.Port)) {
			if err := s.Srv.Start(); err != nil {
				panic(err)
			}
			return
		}
	}
	panic(fmt.Sprintf("unknown server: %s", server))
}

func (tc *TestCluster) StopServer(server string) {
	for _, s := range tc.Servers {
		if strings.HasSuffix(server, fmt.Sprintf(":%d", s.Port)) {
			s.Srv.Stop()
			return
		}
	}
	panic(fmt.Sprintf("unknown server: %s", server))
}

func (tc *TestCluster) StartAllServers() error {
	for _, s := range tc.Servers {
		if _, err := zablabPost(s.Srv.api, fmt.Sprintf("/api/rooms/main/nodes/%d/restart", s.Srv.id), ""); err != nil {
			return fmt.Errorf("failed to start server listening on port `%d` : %+v", s.Port, err)
		}
	}
	var ids []int
	for _, s := range tc.Servers {
		ids = append(ids, s.Srv.id)
	}
	if err := zablabWait(tc.Servers[0].Srv.api, ids, 30*time.Second); err != nil {
		return fmt.Errorf("failed to wait to startup zk servers: %v", err)
	}
	return nil
}

func (tc *TestCluster) StopAllServers() error {
	var err error
	for _, s := range tc.Servers {
		if e := s.Srv.Stop(); e != nil {
			err = fmt.Errorf("failed to stop server listening on port `%d` : %v", s.Port, e)
		}
	}
	if err != nil {
		return err
	}
	if err := tc.waitForStop(5, time.Second); err != nil {
		return fmt.Errorf("failed to wait to startup zk servers: %v", err)
	}
	return nil
}

func requireNoErrorf(t *testing.T, err error, msgAndArgs ...interface{}) {
	t.Helper()
	if err != nil {
		t.Logf("received unexpected error: %v", err)
		t.Fatal(msgAndArgs...)
	}
}

// this is a helper to wait for the zk connection to at least get to the HasSession state
func waitForSession(ctx context.Context, eventChan <-chan Event) error {
	select {
	case event, ok := <-eventChan:
		if !ok {
			return fmt.Errorf("connection closed before state reached")
		}
		if event.State == StateHasSession {
			return nil
		}
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}
