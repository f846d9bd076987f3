#!/usr/bin/env bash
# Starts (or stops) a real 3-server ZooKeeper 3.8 ensemble from Debian's `zookeeper`
# package on loopback, for comparing `zablab bench zk` figures with real ZooKeeper:
#
#   cmd/zablab/scripts/zk-ensemble.sh start     # prints the --servers list
#   go run ./cmd/zablab bench zk --servers 127.0.0.1:22181,127.0.0.1:22182,127.0.0.1:22183 --label "ZooKeeper 3.8"
#   cmd/zablab/scripts/zk-ensemble.sh stop
#
# Each server uses the sample configuration's timing (tickTime 2000, initLimit 10,
# syncLimit 5), its own data directory under $ZK_ENSEMBLE_DIR (default /tmp/zablab-zk) and
# fsyncs its txn log as ZooKeeper always does. Only 127.0.0.1 is used.
set -euo pipefail
dir=${ZK_ENSEMBLE_DIR:-/tmp/zablab-zk}
base=${ZK_ENSEMBLE_PORT_BASE:-22180}
cp="/etc/zookeeper/conf:/usr/share/java/zookeeper.jar"
for jar in /usr/share/java/*.jar; do cp="$cp:$jar"; done

stop() {
  for i in 1 2 3; do
    if [ -f "$dir/$i/pid" ]; then kill "$(cat "$dir/$i/pid")" 2>/dev/null || true; rm -f "$dir/$i/pid"; fi
  done
}

case "${1:-}" in
start)
  command -v java >/dev/null || { echo "java is missing: apt-get install zookeeper" >&2; exit 1; }
  [ -f /usr/share/java/zookeeper.jar ] || { echo "ZooKeeper is missing: apt-get install zookeeper" >&2; exit 1; }
  stop
  rm -rf "$dir"
  for i in 1 2 3; do
    mkdir -p "$dir/$i/data"
    echo "$i" > "$dir/$i/data/myid"
    cat > "$dir/$i/zoo.cfg" <<CFG
tickTime=2000
initLimit=10
syncLimit=5
dataDir=$dir/$i/data
clientPort=$((base + i))
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok
server.1=127.0.0.1:$((base + 100 + 1)):$((base + 200 + 1))
server.2=127.0.0.1:$((base + 100 + 2)):$((base + 200 + 2))
server.3=127.0.0.1:$((base + 100 + 3)):$((base + 200 + 3))
CFG
    nohup java -Xmx512m -Dzookeeper.log.dir="$dir/$i" -Dzookeeper.root.logger=WARN,CONSOLE \
      -cp "$cp" org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/$i/zoo.cfg" \
      > "$dir/$i/server.log" 2>&1 &
    echo $! > "$dir/$i/pid"
  done
  # Wait until every server answers "srvr" as leader or follower.
  for _ in $(seq 1 120); do
    ok=0
    for i in 1 2 3; do
      if { exec 3<>/dev/tcp/127.0.0.1/$((base + i)); } 2>/dev/null; then
        printf 'srvr' >&3
        if grep -qE 'Mode: (leader|follower)' <&3; then ok=$((ok + 1)); fi
        exec 3<&- 3>&- || true
      fi
    done
    if [ "$ok" = 3 ]; then
      echo "127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2)),127.0.0.1:$((base + 3))"
      exit 0
    fi
    sleep 0.5
  done
  echo "the ensemble did not come up; logs in $dir/*/server.log" >&2
  stop
  exit 1
  ;;
stop)
  stop
  ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
