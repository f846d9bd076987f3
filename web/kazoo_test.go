package web

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const kazooScript = `
import sys, time
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1], timeout=10)
zk.start(timeout=20)
zk.ensure_path("/kazoo/app")
zk.create("/kazoo/app/node", b"hello", ephemeral=True, sequence=True)
print("children", zk.get_children("/kazoo/app"))
zk.set("/kazoo", b"v2")
seen = []
@zk.DataWatch("/kazoo")
def w(data, stat):
    seen.append(data)
zk.set("/kazoo", b"v3")
for _ in range(50):
    if len(seen) >= 2: break
    time.sleep(0.1)
print("watch", seen)
tx = zk.transaction(); tx.create("/kazoo/t1", b"x"); tx.check("/kazoo", 99)
print("txn", [type(r).__name__ for r in tx.commit()])
lock = zk.Lock("/kazoo/lock", "me")
with lock:
    print("locked", lock.is_acquired)
from kazoo.security import CREATOR_ALL_ACL
from kazoo.exceptions import InvalidACLError
try:
    zk.create("/kazoo/owned", b"mine", acl=CREATOR_ALL_ACL)
except InvalidACLError:
    print("creator acl refused without auth")
zk.add_auth("digest", "alice:secret")
zk.create("/kazoo/owned", b"mine", acl=CREATOR_ALL_ACL)
print("owned by", zk.get_acls("/kazoo/owned")[0][0].id.id)
zk.stop()
print("done")
`

// TestKazoo runs Python's kazoo client (Debian's python3-kazoo) against zablab.
func TestKazoo(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("SKIPPED: no /usr/bin/python3")
	}
	if exec.Command(py, "-c", "import kazoo").Run() != nil {
		t.Skip("SKIPPED: python3-kazoo is not installed; `make test` installs it when run as root")
	}
	l := startLab(t, 3, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "-c", kazooScript, strings.Join(l.addrs(), ",")).CombinedOutput()
	if err != nil {
		t.Fatalf("kazoo: %v\n%s", err, out)
	}
	for _, want := range []string{"children ['node0000000000']", "watch [b'v2', b'v3']",
		"txn ['RolledBackError', 'BadVersionError']", "locked True",
		"creator acl refused without auth", "owned by alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=", "done"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("kazoo output lacks %q:\n%s", want, out)
		}
	}
}
