// CuratorCheck: Apache Curator 5.4's recipes (Debian's libcurator-*-java) against zablab.
//
// Usage: java CuratorCheck LEADER_FIRST_HOSTS OTHER_ORDER_HOSTS
// Client A connects in the first order (the leader first, tried in that order), client B in
// the second. Prints "PASS name" / "FAIL name: detail" per check and asks its harness
// (web/curator_test.go) for cluster actions with "@crash-leader" and "@restart" lines, reading
// one reply line from stdin each time.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.cache.TreeCache;
import org.apache.curator.framework.recipes.cache.TreeCacheEvent;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.queue.SimpleDistributedQueue;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.HostProvider;

public class CuratorCheck {
    static int failures;
    static final BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    static synchronized void check(String name, boolean ok, String detail) {
        if (ok) {
            System.out.println("PASS " + name);
        } else {
            failures++;
            System.out.println("FAIL " + name + ": " + detail);
        }
        System.out.flush();
    }

    static String ask(String what) throws Exception {
        System.out.println("@" + what);
        System.out.flush();
        String r = stdin.readLine();
        return r == null ? "" : r.trim();
    }

    /** Tries the servers in the order given (ZooKeeper's StaticHostProvider shuffles them). */
    static class OrderedHosts implements HostProvider {
        final List<InetSocketAddress> hosts = new ArrayList<>();
        int next, sinceConnected;

        OrderedHosts(String connect) {
            for (String hp : connect.split(",")) {
                String[] p = hp.split(":");
                hosts.add(InetSocketAddress.createUnresolved(p[0], Integer.parseInt(p[1])));
            }
        }

        public int size() { return hosts.size(); }

        public synchronized InetSocketAddress next(long spinDelay) {
            if (sinceConnected >= hosts.size()) {
                try { Thread.sleep(spinDelay); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
                sinceConnected = 0;
            }
            sinceConnected++;
            InetSocketAddress a = hosts.get(next);
            next = (next + 1) % hosts.size();
            return new InetSocketAddress(a.getHostString(), a.getPort());
        }

        public synchronized void onConnected() { sinceConnected = 0; }

        public boolean updateServerList(Collection<InetSocketAddress> s, InetSocketAddress current) { return false; }
    }

    static final List<ConnectionState> statesA = new ArrayList<>();

    static CuratorFramework client(String hosts, List<ConnectionState> states) throws Exception {
        CuratorFramework c = CuratorFrameworkFactory.builder()
            .connectString(hosts)
            .sessionTimeoutMs(10000)
            .connectionTimeoutMs(5000)
            .retryPolicy(new RetryNTimes(100, 200))
            .zookeeperFactory((connect, timeout, watcher, ro) -> new ZooKeeper(connect, timeout, watcher, ro, new OrderedHosts(connect)))
            .build();
        if (states != null) {
            c.getConnectionStateListenable().addListener((cl, s) -> { synchronized (states) { states.add(s); } });
        }
        c.start();
        if (!c.blockUntilConnected(20, TimeUnit.SECONDS)) throw new Exception("no connection to " + hosts + " within 20 s");
        return c;
    }

    static String str(byte[] b) { return b == null ? "null" : new String(b, StandardCharsets.UTF_8); }

    /** poll waits up to ms for an event matching want. */
    static <T> T poll(BlockingQueue<T> q, long ms, java.util.function.Predicate<T> want) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        for (;;) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) return null;
            T e = q.poll(left, TimeUnit.MILLISECONDS);
            if (e == null) return null;
            if (want.test(e)) return e;
        }
    }

    static boolean waitFor(long ms, java.util.function.BooleanSupplier cond) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) {
            if (cond.getAsBoolean()) return true;
            Thread.sleep(20);
        }
        return cond.getAsBoolean();
    }

    static Map<String, String> cacheContents(CuratorCache cache, String root) {
        Map<String, String> m = new TreeMap<>();
        cache.stream().filter(d -> !d.getPath().equals(root)).forEach(d -> m.put(d.getPath(), str(d.getData())));
        return m;
    }

    static Map<String, String> serverContents(CuratorFramework c, String root) throws Exception {
        Map<String, String> m = new TreeMap<>();
        c.sync().forPath(root);
        for (String k : c.getChildren().forPath(root)) m.put(root + "/" + k, str(c.getData().forPath(root + "/" + k)));
        return m;
    }

    public static void main(String[] args) throws Exception {
        CuratorFramework a = client(args[0], statesA);
        CuratorFramework b = client(args[1], null);
        check("connect (two clients)", a.getZookeeperClient().isConnected() && b.getZookeeperClient().isConnected(), "not connected");

        // CuratorCache on client A.
        a.create().forPath("/cc", "root".getBytes());
        a.create().forPath("/cc/pre", "p".getBytes());
        BlockingQueue<String> ccEvents = new LinkedBlockingQueue<>();
        CountDownLatch ccInit = new CountDownLatch(1);
        CuratorCache cc = CuratorCache.build(a, "/cc");
        cc.listenable().addListener(CuratorCacheListener.builder()
            .forCreates(d -> ccEvents.add("create " + d.getPath() + " " + str(d.getData())))
            .forChanges((o, n) -> ccEvents.add("change " + n.getPath() + " " + str(n.getData())))
            .forDeletes(d -> ccEvents.add("delete " + d.getPath()))
            .forInitialized(ccInit::countDown)
            .build());
        cc.start();
        boolean init = ccInit.await(10, TimeUnit.SECONDS);
        check("CuratorCache initialises", init && cc.get("/cc/pre").map(d -> str(d.getData()).equals("p")).orElse(false),
            "initialised " + init + ", /cc/pre " + cc.get("/cc/pre"));
        b.create().forPath("/cc/x", "1".getBytes());
        String e1 = poll(ccEvents, 5000, e -> e.startsWith("create /cc/x"));
        b.setData().forPath("/cc/x", "2".getBytes());
        String e2 = poll(ccEvents, 5000, e -> e.startsWith("change /cc/x"));
        b.delete().forPath("/cc/x");
        String e3 = poll(ccEvents, 5000, e -> e.startsWith("delete /cc/x"));
        check("CuratorCache sees another client's create, change and delete",
            "create /cc/x 1".equals(e1) && "change /cc/x 2".equals(e2) && e3 != null, e1 + " / " + e2 + " / " + e3);

        // TreeCache on client A, a deeper tree.
        a.create().creatingParentsIfNeeded().forPath("/tc/d1/d2", "deep".getBytes());
        BlockingQueue<TreeCacheEvent> tcEvents = new LinkedBlockingQueue<>();
        TreeCache tc = TreeCache.newBuilder(a, "/tc").build();
        tc.getListenable().addListener((cl, e) -> tcEvents.add(e));
        tc.start();
        TreeCacheEvent ti = poll(tcEvents, 10000, e -> e.getType() == TreeCacheEvent.Type.INITIALIZED);
        ChildData deep = tc.getCurrentData("/tc/d1/d2");
        check("TreeCache initialises with the whole tree", ti != null && deep != null && str(deep.getData()).equals("deep"),
            "initialized " + (ti != null) + ", /tc/d1/d2 " + deep);
        b.create().creatingParentsIfNeeded().forPath("/tc/d1/d2/d3", "3".getBytes());
        TreeCacheEvent t1 = poll(tcEvents, 5000, e -> e.getType() == TreeCacheEvent.Type.NODE_ADDED && e.getData().getPath().equals("/tc/d1/d2/d3"));
        b.setData().forPath("/tc/d1", "u".getBytes());
        TreeCacheEvent t2 = poll(tcEvents, 5000, e -> e.getType() == TreeCacheEvent.Type.NODE_UPDATED && e.getData().getPath().equals("/tc/d1"));
        b.delete().deletingChildrenIfNeeded().forPath("/tc/d1/d2");
        TreeCacheEvent t3 = poll(tcEvents, 5000, e -> e.getType() == TreeCacheEvent.Type.NODE_REMOVED && e.getData().getPath().equals("/tc/d1/d2"));
        check("TreeCache sees adds, updates and removes deep in the tree", t1 != null && t2 != null && t3 != null,
            "added " + (t1 != null) + " updated " + (t2 != null) + " removed " + (t3 != null));

        // LeaderLatch: A's latch starts first, so it leads; B's waits.
        LeaderLatch la = new LeaderLatch(a, "/latch", "A");
        LeaderLatch lb = new LeaderLatch(b, "/latch", "B");
        la.start();
        boolean aLeads = la.await(10, TimeUnit.SECONDS);
        lb.start();
        boolean bothIn = waitFor(5000, () -> { try { return la.getParticipants().size() == 2; } catch (Exception e) { return false; } });
        Thread.sleep(300);
        check("LeaderLatch, one of two latches leads", aLeads && la.hasLeadership() && !lb.hasLeadership() && bothIn,
            "A leads " + la.hasLeadership() + ", B leads " + lb.hasLeadership() + ", both participate " + bothIn);

        // InterProcessMutex: two clients, two threads each, mutual exclusion.
        AtomicInteger holders = new AtomicInteger(), maxHolders = new AtomicInteger(), acquired = new AtomicInteger();
        List<Thread> ts = new ArrayList<>();
        for (CuratorFramework c : new CuratorFramework[] {a, b, a, b}) {
            Thread t = new Thread(() -> {
                InterProcessMutex m = new InterProcessMutex(c, "/mutex");
                for (int i = 0; i < 5; i++) {
                    try {
                        if (!m.acquire(10, TimeUnit.SECONDS)) continue;
                        try {
                            int h = holders.incrementAndGet();
                            maxHolders.accumulateAndGet(h, Math::max);
                            Thread.sleep(5);
                            acquired.incrementAndGet();
                            holders.decrementAndGet();
                        } finally {
                            m.release();
                        }
                    } catch (Exception e) {
                        System.out.println("mutex thread: " + e);
                    }
                }
            });
            t.start();
            ts.add(t);
        }
        for (Thread t : ts) t.join(60000);
        check("InterProcessMutex, mutual exclusion between two clients", acquired.get() == 20 && maxHolders.get() == 1,
            "acquired " + acquired.get() + " of 20, most holders at once " + maxHolders.get());

        // DistributedAtomicLong from both clients.
        DistributedAtomicLong ca = new DistributedAtomicLong(a, "/counter", new RetryNTimes(50, 50));
        DistributedAtomicLong cb = new DistributedAtomicLong(b, "/counter", new RetryNTimes(50, 50));
        int ok = 0;
        for (int i = 0; i < 10; i++) {
            if (ca.increment().succeeded()) ok++;
            if (cb.increment().succeeded()) ok++;
        }
        AtomicValue<Long> v = cb.get();
        check("DistributedAtomicLong, 20 increments from two clients", ok == 20 && v.succeeded() && v.postValue() == 20,
            ok + " succeeded, value " + v.postValue());

        // SimpleDistributedQueue: B offers, A takes, in order.
        SimpleDistributedQueue qa = new SimpleDistributedQueue(a, "/queue"), qb = new SimpleDistributedQueue(b, "/queue");
        for (int i = 0; i < 5; i++) qb.offer(("item" + i).getBytes());
        StringBuilder got = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            byte[] item = qa.poll(5, TimeUnit.SECONDS);
            got.append(str(item)).append(' ');
        }
        check("SimpleDistributedQueue, FIFO between two clients", got.toString().equals("item0 item1 item2 item3 item4 ") && qa.poll() == null,
            "took " + got);

        // Across a leader crash: A (on the leader) holds the mutex and leads the latch.
        InterProcessMutex ma = new InterProcessMutex(a, "/mutex"), mb = new InterProcessMutex(b, "/mutex");
        boolean held = ma.acquire(10, TimeUnit.SECONDS);
        AtomicInteger leadersAtOnce = new AtomicInteger();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                int n = (la.hasLeadership() ? 1 : 0) + (lb.hasLeadership() ? 1 : 0);
                leadersAtOnce.accumulateAndGet(n, Math::max);
                try { Thread.sleep(5); } catch (InterruptedException e) { return; }
            }
        });
        watcher.start();
        long sessionA = a.getZookeeperClient().getZooKeeper().getSessionId();
        synchronized (statesA) { statesA.clear(); }
        String crashedPort = ask("crash-leader");
        boolean onLeader = args[0].startsWith("127.0.0.1:" + crashedPort + ",");
        boolean reconnected = waitFor(30000, () -> { synchronized (statesA) { return statesA.contains(ConnectionState.RECONNECTED); } });
        long sessionA2 = a.getZookeeperClient().getZooKeeper().getSessionId();
        List<ConnectionState> seen;
        synchronized (statesA) { seen = new ArrayList<>(statesA); }
        check("client A (on the leader) reconnects with the same session",
            onLeader && reconnected && sessionA == sessionA2 && !seen.contains(ConnectionState.LOST),
            "on the crashed leader " + onLeader + ", states " + seen + ", session " + Long.toHexString(sessionA) + " -> " + Long.toHexString(sessionA2));

        // The latch: exactly one leads once things settle, and never two at once.
        boolean one = waitFor(30000, () -> la.hasLeadership() ^ lb.hasLeadership());
        boolean stable = true;
        for (int i = 0; i < 40 && stable; i++) {
            stable = la.hasLeadership() ^ lb.hasLeadership();
            Thread.sleep(25);
        }
        check("LeaderLatch, exactly one latch leads after the leader crash", one && stable && leadersAtOnce.get() <= 1,
            "one " + one + ", stable " + stable + ", most leaders at once " + leadersAtOnce.get());

        // The mutex: A still holds it, so B cannot take it; once A releases, B can.
        boolean bGot = mb.acquire(2, TimeUnit.SECONDS);
        if (bGot) mb.release();
        boolean aStill = ma.isAcquiredInThisProcess();
        ma.release();
        boolean bAfter = mb.acquire(15, TimeUnit.SECONDS);
        check("InterProcessMutex, held across the leader crash, then handed over",
            held && !bGot && aStill && bAfter, "A held " + held + ", B got it while A held it " + bGot + ", B after release " + bAfter);
        if (bAfter) mb.release();

        // The caches kept working across the crash and match the server.
        a.create().forPath("/cc/after", "a".getBytes());
        b.setData().forPath("/cc/pre", "p2".getBytes());
        String e4 = poll(ccEvents, 10000, e -> e.startsWith("create /cc/after"));
        boolean same = waitFor(10000, () -> { try { return cacheContents(cc, "/cc").equals(serverContents(b, "/cc")); } catch (Exception e) { return false; } });
        check("CuratorCache across the leader crash sees new changes and matches the server", e4 != null && same,
            "create event " + e4 + ", cache " + cacheContents(cc, "/cc") + ", server " + serverContents(b, "/cc"));
        b.create().forPath("/tc/after", "t".getBytes());
        TreeCacheEvent t4 = poll(tcEvents, 10000, e -> e.getType() == TreeCacheEvent.Type.NODE_ADDED && e.getData().getPath().equals("/tc/after"));
        boolean gone = tc.getCurrentData("/tc/d1/d2") == null && tc.getCurrentData("/tc/d1") != null;
        check("TreeCache across the leader crash sees new nodes", t4 != null && gone, "added " + (t4 != null) + ", tree right " + gone);

        // The crashed server comes back; a client on it alone sees everything.
        String restarted = ask("restart");
        CuratorFramework c = client(restarted, null);
        c.sync().forPath("/");
        boolean sees = c.checkExists().forPath("/cc/after") != null && c.checkExists().forPath("/tc/after") != null;
        DistributedAtomicLong cc3 = new DistributedAtomicLong(c, "/counter", new RetryNTimes(50, 50));
        AtomicValue<Long> v3 = cc3.increment();
        check("restarted server serves the recipes' state", sees && v3.succeeded() && v3.postValue() == 21,
            "sees nodes " + sees + ", counter " + v3.postValue());
        watching.set(false);
        watcher.join();
        la.close();
        lb.close();
        cc.close();
        tc.close();
        c.close();
        a.close();
        b.close();
        System.out.println("DONE " + failures + " failures");
        System.exit(failures == 0 ? 0 : 1);
    }
}
