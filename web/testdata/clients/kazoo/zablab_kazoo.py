"""pytest plugin: run kazoo's own test suite against zablab's room main.

kazoo's tests (kazoo/tests, shipped by Debian's python3-kazoo) get their ZooKeeper servers from
kazoo.testing.harness.get_global_cluster(), a ZookeeperCluster of java processes. This plugin
replaces that function with one returning a cluster backed by a running zablab: a server's
address is its client port, stop() crashes it over zablab's HTTP API, run() restarts it and
waits until it serves. kazoo's files are used as they are.

zablab must serve like kazoo's harness configures ZooKeeper: room main with 3 voters,
readonlymode.enabled, 4lw.commands.whitelist=*, and the superDigest
super:D/InIHSb7yEEbrWz8b9l71RjZJU= (password "test"), e.g.

    zablab serve --nodes 3 --timing zookeeper --read-only-mode --4lw-whitelist '*' \\
        --super-digest super:D/InIHSb7yEEbrWz8b9l71RjZJU=
    ZABLAB_HTTP=http://127.0.0.1:8080 PYTHONPATH=web/testdata/clients/kazoo \\
        /usr/bin/python3 -m pytest -p zablab_kazoo -p no:cacheprovider \\
        /usr/lib/python3/dist-packages/kazoo/tests

Environment: ZABLAB_HTTP (default http://127.0.0.1:8080); ZABLAB_NO_RESET=1 keeps room main
as it is (otherwise the session starts by resetting it to 3 ZooKeeper-timed servers);
ZABLAB_REPORT=path appends one JSON line per test ({"test", "nodeid", "outcome", "detail"}) to path as
each test ends; ZABLAB_TEST_TIMEOUT seconds per test (default 90) before it is failed.

Tests that need what zablab does not simulate are skipped with the reason in SKIPS.
"""
import json
import os
import signal
import time
import urllib.request

import pytest

HTTP = os.environ.get("ZABLAB_HTTP", "http://127.0.0.1:8080").rstrip("/")
TEST_TIMEOUT = int(os.environ.get("ZABLAB_TEST_TIMEOUT", "90"))

# nodeid substring -> reason. A test whose node id contains the key is skipped.
SKIPS = {
    # kazoo's harness starts the java servers with a JAAS configuration for these.
    "test_sasl.py::TestLegacySASLDigestAuthentication":
        "needs SASL DIGEST-MD5 through a JAAS login module on the server; zablab has no SASL",
    "test_sasl.py::TestSASLDigestAuthentication":
        "needs SASL DIGEST-MD5 through a JAAS login module on the server; zablab has no SASL",
    "test_sasl.py::TestSASLGSSAPIAuthentication":
        "needs Kerberos (a KDC and SASL GSSAPI); zablab has no SASL",
    # dynamic reconfiguration (reconfigEnabled=true in kazoo's harness)
    "test_client.py::TestReconfig":
        "needs dynamic reconfiguration (kazoo's harness sets reconfigEnabled=true); zablab's "
        "ensemble is fixed by the room's reset and it answers reconfig with RECONFIGDISABLED, "
        "as ZooKeeper does without reconfigEnabled",
    # kazoo 2.8's test predates ZOOKEEPER-3863 (3.7): its client keeps its global session
    # and waits for CONNECTED_RO, but a read-only ZooKeeper 3.7+ server refuses to renew a
    # global session ("Refusing global session reconnection in RO mode"). It fails the same
    # way against Debian's ZooKeeper 3.8.0 run by kazoo's own harness; zablab refuses alike.
    "test_connection.py::TestReadOnlyMode::test_read_only":
        "fails against ZooKeeper 3.8 too: a read-only server refuses to renew a global "
        "session (ZOOKEEPER-3863, 3.7), which kazoo 2.8's test expects to reconnect "
        "(checked with Debian's ZooKeeper 3.8.0 under kazoo's own harness)",
}


# ---- the cluster --------------------------------------------------------------------------

def api(method, path, body=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(HTTP + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


def view():
    return api("GET", "/api/rooms/main")


def node(v, sid):
    for n in v["nodes"]:
        if n["id"] == sid:
            return n
    raise KeyError(sid)


def wait_for(what, cond, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        v = view()
        if cond(v):
            return v
        time.sleep(0.05)
    raise AssertionError("zablab: %s not within %d s: %s" % (what, seconds, json.dumps(
        [{k: n.get(k) for k in ("id", "state", "serving")} for n in view()["nodes"]])))


class ZablabServer(object):
    """One server of room main, with ManagedZooKeeper's interface."""

    host = "127.0.0.1"

    def __init__(self, sid, port):
        self.server_id = sid
        self.client_port = port

    @property
    def address(self):
        return "%s:%s" % (self.host, self.client_port)

    @property
    def running(self):
        return node(view(), self.server_id)["state"] != "DOWN"

    def run(self):
        """Restart the server (if crashed) and wait until it serves clients."""
        if not self.running:
            api("POST", "/api/rooms/main/nodes/%d/restart" % self.server_id)
        # like a java server that has just started, it serves only once it has a quorum
        sid = self.server_id
        if sum(n["state"] != "DOWN" for n in view()["nodes"]) * 2 > len(view()["nodes"]):
            wait_for("server %d serving" % sid, lambda v: node(v, sid)["serving"])

    def stop(self):
        """Crash the server (ZooKeeper's process.terminate(): its clients lose the connection)."""
        if self.running:
            api("POST", "/api/rooms/main/nodes/%d/crash" % self.server_id)

    def reset(self):
        # ManagedZooKeeper.reset also wipes the data dir; the room's reset does that for all
        self.stop()

    def destroy(self):
        pass  # zablab outlives the session; whoever started it stops it


class ZablabCluster(object):
    """Room main as kazoo.testing.common.ZookeeperCluster."""

    def __init__(self):
        v = view()
        self._servers = [ZablabServer(n["id"], n["zkPort"]) for n in v["nodes"]
                         if n["role"] == "participant"]

    def __getitem__(self, k):
        return self._servers[k]

    def __iter__(self):
        return iter(self._servers)

    def __len__(self):
        return len(self._servers)

    def start(self):
        for s in reversed(self._servers):
            if not s.running:
                api("POST", "/api/rooms/main/nodes/%d/restart" % s.server_id)
        wait_for("every server serving", lambda v: all(
            n["serving"] for n in v["nodes"] if n["role"] == "participant"))

    def stop(self):
        for s in self._servers:
            s.stop()

    def terminate(self):
        pass

    def reset(self):
        reset_room()


def reset_room():
    api("POST", "/api/rooms/main/reset", {"nodes": 3, "seed": 7, "timing": "zookeeper"})
    wait_for("a leader serving", lambda v: v["leader"] != 0 and node(v, v["leader"])["serving"])
    wait_for("every server serving", lambda v: all(n["serving"] for n in v["nodes"]))


CLUSTER = None


def get_global_cluster():
    global CLUSTER
    if CLUSTER is None:
        CLUSTER = ZablabCluster()
    return CLUSTER


# ---- pytest hooks -------------------------------------------------------------------------

def pytest_configure(config):
    import kazoo.testing.harness as harness
    if os.environ.get("ZABLAB_NO_RESET") != "1":
        reset_room()
    # KazooTestHarness.cluster looks the function up in its module at each call
    harness.get_global_cluster = get_global_cluster


def pytest_collection_modifyitems(config, items):
    for item in items:
        for key, why in SKIPS.items():
            if key in item.nodeid:
                item.add_marker(pytest.mark.skip(reason="zablab: " + why))


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout("zablab harness: test still running after %d s" % TEST_TIMEOUT)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TEST_TIMEOUT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


_results = {}


def _name(nodeid):
    # kazoo/tests/test_client.py::TestClient::test_create -> test_client.TestClient.test_create
    path, _, rest = nodeid.partition("::")
    mod = os.path.basename(path)
    if mod.endswith(".py"):
        mod = mod[:-3]
    return ".".join([mod] + rest.split("::"))


def pytest_runtest_logreport(report):
    r = _results.setdefault(report.nodeid, {"outcome": "passed", "detail": ""})
    if report.failed and r["outcome"] != "failed":
        r["outcome"] = "failed"
        r["detail"] = "%s failed:\n%s" % (report.when, report.longreprtext[-6000:])
    elif report.skipped and r["outcome"] == "passed":
        r["outcome"] = "skipped"
        if isinstance(report.longrepr, tuple):
            r["detail"] = str(report.longrepr[2])
        else:
            r["detail"] = report.longreprtext
        if r["detail"].startswith("Skipped: "):
            r["detail"] = r["detail"][len("Skipped: "):]
    if report.when == "teardown":
        out = os.environ.get("ZABLAB_REPORT")
        if out:
            with open(out, "a") as f:
                f.write(json.dumps({"test": _name(report.nodeid), "nodeid": report.nodeid,
                                    "outcome": r["outcome"], "detail": r["detail"]}) + "\n")
