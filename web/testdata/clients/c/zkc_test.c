/*
 * zkc_test.c: ZooKeeper's C client (Debian's libzookeeper-mt, 3.8) against zablab.
 *
 * Usage: zkc_test HOSTS LEADER_FIRST_HOSTS
 *   HOSTS               every server, as a connect string
 *   LEADER_FIRST_HOSTS  the same servers with the leader first (used with deterministic
 *                       connection order so the session sits on the leader when it crashes)
 *
 * Prints one line per check: "PASS name" or "FAIL name: detail". It asks its harness
 * (web/cclient_test.go) for cluster actions with a line "@crash-leader" or "@restart" and
 * reads one reply line from stdin before going on.
 */
#define THREADED
#include <zookeeper/zookeeper.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void pass(const char *name) { printf("PASS %s\n", name); fflush(stdout); }

static void fail(const char *name, const char *fmt, ...) {
    va_list ap;
    failures++;
    printf("FAIL %s: ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

#define CHECK(name, cond, ...) do { if (cond) pass(name); else fail(name, __VA_ARGS__); } while (0)

/* Events seen by watchers, kept for the checks to wait on. */
#define MAXEV 256
struct ev { zhandle_t *zh; int type; int state; char path[256]; };
static struct ev events[MAXEV];
static int nevents;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    (void)ctx;
    pthread_mutex_lock(&mu);
    if (nevents < MAXEV) {
        events[nevents].zh = zh;
        events[nevents].type = type;
        events[nevents].state = state;
        snprintf(events[nevents].path, sizeof events[nevents].path, "%s", path ? path : "");
        nevents++;
    }
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static void deadline_in(struct timespec *ts, int ms) {
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000;
    if (ts->tv_nsec >= 1000000000) { ts->tv_sec++; ts->tv_nsec -= 1000000000; }
}

/* wait_event waits for an event of zh with the type (and, for a session event, state) and
 * path, seen at index from or later; it returns its index or -1 on timeout. */
static int wait_event(zhandle_t *zh, int from, int type, int state, const char *path, int ms) {
    struct timespec ts;
    deadline_in(&ts, ms);
    pthread_mutex_lock(&mu);
    for (;;) {
        for (int i = from; i < nevents; i++) {
            struct ev *e = &events[i];
            if (e->zh == zh && e->type == type && (state == 0 || e->state == state) &&
                (path == NULL || strcmp(e->path, path) == 0)) {
                pthread_mutex_unlock(&mu);
                return i;
            }
        }
        if (pthread_cond_timedwait(&cv, &mu, &ts) != 0) {
            pthread_mutex_unlock(&mu);
            return -1;
        }
    }
}

static int event_count(void) {
    pthread_mutex_lock(&mu);
    int n = nevents;
    pthread_mutex_unlock(&mu);
    return n;
}

static zhandle_t *connect_to(const char *hosts, const char *name) {
    int from = event_count();
    zhandle_t *zh = zookeeper_init(hosts, watcher, 10000, 0, NULL, 0);
    if (!zh) {
        fail(name, "zookeeper_init(%s) returned NULL", hosts);
        return NULL;
    }
    if (wait_event(zh, from, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, NULL, 20000) < 0) {
        fail(name, "no session with %s within 20 s (state %d)", hosts, zoo_state(zh));
        zookeeper_close(zh);
        return NULL;
    }
    return zh;
}

static int connected_port(zhandle_t *zh) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (!zookeeper_get_connected_host(zh, (struct sockaddr *)&ss, &len)) return -1;
    if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

/* ask asks the harness for a cluster action and returns its reply line. */
static char *ask(const char *what, char *reply, int len) {
    printf("@%s\n", what);
    fflush(stdout);
    if (!fgets(reply, len, stdin)) { reply[0] = 0; return reply; }
    reply[strcspn(reply, "\n")] = 0;
    return reply;
}

/* Completion of zoo_add_auth. */
static int auth_rc = 1;
static void auth_done(int rc, const void *data) {
    (void)data;
    pthread_mutex_lock(&mu);
    auth_rc = rc;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static int add_auth(zhandle_t *zh, const char *userpass) {
    struct timespec ts;
    pthread_mutex_lock(&mu);
    auth_rc = 1;
    pthread_mutex_unlock(&mu);
    int rc = zoo_add_auth(zh, "digest", userpass, (int)strlen(userpass), auth_done, NULL);
    if (rc != ZOK) return rc;
    deadline_in(&ts, 10000);
    pthread_mutex_lock(&mu);
    while (auth_rc == 1)
        if (pthread_cond_timedwait(&cv, &mu, &ts) != 0) break;
    rc = auth_rc;
    pthread_mutex_unlock(&mu);
    return rc == 1 ? ZOPERATIONTIMEOUT : rc;
}

/* retry_create retries a create while the client reconnects (CONNECTIONLOSS). */
static int retry_create(zhandle_t *zh, const char *path, int mode) {
    int rc = ZCONNECTIONLOSS;
    for (int i = 0; i < 200; i++) {
        rc = zoo_create(zh, path, "x", 1, &ZOO_OPEN_ACL_UNSAFE, mode, NULL, 0);
        if (rc != ZCONNECTIONLOSS && rc != ZOPERATIONTIMEOUT) return rc;
        usleep(100000);
    }
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s HOSTS LEADER_FIRST_HOSTS\n", argv[0]);
        return 2;
    }
    const char *hosts = argv[1], *leaderFirst = argv[2];
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    zoo_deterministic_conn_order(1);

    /* connect */
    zhandle_t *zh = connect_to(leaderFirst, "connect");
    if (!zh) return 1;
    const clientid_t *cid = zoo_client_id(zh);
    CHECK("connect", cid->client_id != 0 && zoo_recv_timeout(zh) > 0,
          "session 0x%llx, timeout %d", (long long)cid->client_id, zoo_recv_timeout(zh));
    int64_t session = cid->client_id;

    char buf[512], path[256];
    int len, rc;
    struct Stat st;

    /* create: persistent, duplicate, ephemeral, sequential, missing parent */
    rc = zoo_create(zh, "/c", "v0", 2, &ZOO_OPEN_ACL_UNSAFE, 0, path, sizeof path);
    CHECK("create persistent", rc == ZOK && strcmp(path, "/c") == 0, "rc %d (%s) path %s", rc, zerror(rc), path);
    rc = zoo_create(zh, "/c", "v0", 2, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
    CHECK("create existing is NODEEXISTS", rc == ZNODEEXISTS, "rc %d (%s)", rc, zerror(rc));
    rc = zoo_create(zh, "/nope/child", "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
    CHECK("create under missing parent is NONODE", rc == ZNONODE, "rc %d (%s)", rc, zerror(rc));
    rc = zoo_create2(zh, "/c/eph", "e", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, path, sizeof path, &st);
    CHECK("create ephemeral (create2 stat)", rc == ZOK && st.ephemeralOwner == session && st.dataLength == 1,
          "rc %d (%s) owner 0x%llx session 0x%llx", rc, zerror(rc), (long long)st.ephemeralOwner, (long long)session);
    char seq1[256] = "", seq2[256] = "";
    rc = zoo_create(zh, "/c/seq-", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_SEQUENCE, seq1, sizeof seq1);
    int rc2 = zoo_create(zh, "/c/seq-", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL | ZOO_SEQUENCE, seq2, sizeof seq2);
    CHECK("create sequential (persistent and ephemeral)",
          rc == ZOK && rc2 == ZOK && strcmp(seq1, "/c/seq-0000000001") == 0 && strcmp(seq2, "/c/seq-0000000002") == 0,
          "rc %d %d names %s %s", rc, rc2, seq1, seq2);

    /* get/set with versions */
    len = sizeof buf;
    rc = zoo_get(zh, "/c", 0, buf, &len, &st);
    CHECK("get", rc == ZOK && len == 2 && memcmp(buf, "v0", 2) == 0 && st.version == 0 && st.numChildren == 3,
          "rc %d len %d version %d children %d", rc, len, st.version, st.numChildren);
    rc = zoo_set2(zh, "/c", "v1", 2, 0, &st);
    CHECK("set with the right version", rc == ZOK && st.version == 1, "rc %d (%s) version %d", rc, zerror(rc), st.version);
    rc = zoo_set(zh, "/c", "v2", 2, 0);
    CHECK("set with a stale version is BADVERSION", rc == ZBADVERSION, "rc %d (%s)", rc, zerror(rc));
    rc = zoo_set2(zh, "/c", "v2", 2, -1, &st);
    len = sizeof buf;
    int rcg = zoo_get(zh, "/c", 0, buf, &len, NULL);
    CHECK("set with version -1", rc == ZOK && st.version == 2 && rcg == ZOK && len == 2 && memcmp(buf, "v2", 2) == 0,
          "rc %d version %d get %d len %d", rc, st.version, rcg, len);
    rc = zoo_exists(zh, "/c/none", 0, &st);
    CHECK("exists on a missing node is NONODE", rc == ZNONODE, "rc %d (%s)", rc, zerror(rc));

    /* watches */
    int from = event_count();
    rc = zoo_wexists(zh, "/c/w", watcher, NULL, &st);
    rc2 = zoo_create(zh, "/c/w", "a", 1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
    CHECK("exists watch fires on create", rc == ZNONODE && rc2 == ZOK &&
          wait_event(zh, from, ZOO_CREATED_EVENT, 0, "/c/w", 5000) >= 0, "exists rc %d create rc %d", rc, rc2);
    from = event_count();
    len = sizeof buf;
    rc = zoo_wget(zh, "/c/w", watcher, NULL, buf, &len, &st);
    rc2 = zoo_set(zh, "/c/w", "b", 1, -1);
    CHECK("get watch fires on set", rc == ZOK && rc2 == ZOK &&
          wait_event(zh, from, ZOO_CHANGED_EVENT, 0, "/c/w", 5000) >= 0, "get rc %d set rc %d", rc, rc2);
    from = event_count();
    rc = zoo_wexists(zh, "/c/w", watcher, NULL, &st);
    rc2 = zoo_delete(zh, "/c/w", -1);
    CHECK("exists watch fires on delete", rc == ZOK && rc2 == ZOK &&
          wait_event(zh, from, ZOO_DELETED_EVENT, 0, "/c/w", 5000) >= 0, "exists rc %d delete rc %d", rc, rc2);
    from = event_count();
    struct String_vector kids;
    rc = zoo_wget_children(zh, "/c", watcher, NULL, &kids);
    if (rc == ZOK) deallocate_String_vector(&kids);
    rc2 = zoo_create(zh, "/c/k", "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
    CHECK("child watch fires on a new child", rc == ZOK && rc2 == ZOK &&
          wait_event(zh, from, ZOO_CHILD_EVENT, 0, "/c", 5000) >= 0, "children rc %d create rc %d", rc, rc2);

    /* children */
    rc = zoo_get_children2(zh, "/c", 0, &kids, &st);
    int seen = 0;
    if (rc == ZOK) {
        for (int i = 0; i < kids.count; i++)
            if (!strcmp(kids.data[i], "eph") || !strcmp(kids.data[i], "k") || !strcmp(kids.data[i], "seq-0000000001") ||
                !strcmp(kids.data[i], "seq-0000000002"))
                seen++;
        CHECK("get children (and stat)", kids.count == 4 && seen == 4 && st.numChildren == 4,
              "count %d known %d numChildren %d", kids.count, seen, st.numChildren);
        deallocate_String_vector(&kids);
    } else {
        fail("get children (and stat)", "rc %d (%s)", rc, zerror(rc));
    }

    /* delete */
    rc = zoo_delete(zh, "/c/k", 5);
    rc2 = zoo_delete(zh, "/c/k", 0);
    int rc3 = zoo_delete(zh, "/c/k", -1);
    CHECK("delete (BADVERSION, then OK, then NONODE)", rc == ZBADVERSION && rc2 == ZOK && rc3 == ZNONODE,
          "rc %d %d %d", rc, rc2, rc3);
    rc = zoo_delete(zh, "/c", -1);
    CHECK("delete a node with children is NOTEMPTY", rc == ZNOTEMPTY, "rc %d (%s)", rc, zerror(rc));

    /* multi */
    {
        zoo_op_t ops[3];
        zoo_op_result_t res[3];
        char p1[64];
        struct Stat sst;
        zoo_create_op_init(&ops[0], "/c/m1", "m", 1, &ZOO_OPEN_ACL_UNSAFE, 0, p1, sizeof p1);
        zoo_set_op_init(&ops[1], "/c", "v3", 2, 2, &sst);
        zoo_check_op_init(&ops[2], "/c", 3);
        rc = zoo_multi(zh, 3, ops, res);
        CHECK("multi of create, set and check", rc == ZOK && res[0].err == ZOK && res[1].err == ZOK && res[2].err == ZOK &&
              strcmp(p1, "/c/m1") == 0 && sst.version == 3,
              "rc %d results %d %d %d path %s version %d", rc, res[0].err, res[1].err, res[2].err, p1, sst.version);
        zoo_create_op_init(&ops[0], "/c/m2", "m", 1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
        zoo_check_op_init(&ops[1], "/c", 99);
        zoo_delete_op_init(&ops[2], "/c/m1", -1);
        rc = zoo_multi(zh, 3, ops, res);
        rc2 = zoo_exists(zh, "/c/m2", 0, NULL);
        rc3 = zoo_exists(zh, "/c/m1", 0, NULL);
        CHECK("multi with a failing check rolls back", rc == ZBADVERSION && res[0].err == ZOK && res[1].err == ZBADVERSION &&
              res[2].err == ZRUNTIMEINCONSISTENCY && rc2 == ZNONODE && rc3 == ZOK,
              "rc %d results %d %d %d; /c/m2 %d /c/m1 %d", rc, res[0].err, res[1].err, res[2].err, rc2, rc3);
    }

    /* ACLs */
    zhandle_t *other = connect_to(hosts, "second session");
    if (other) {
        rc = zoo_create(other, "/c/acl0", "", 0, &ZOO_CREATOR_ALL_ACL, 0, NULL, 0);
        CHECK("CREATOR_ALL_ACL without auth is INVALIDACL", rc == ZINVALIDACL, "rc %d (%s)", rc, zerror(rc));
    }
    rc = add_auth(zh, "user:pass");
    CHECK("add_auth digest", rc == ZOK, "rc %d (%s)", rc, zerror(rc));
    rc = zoo_create(zh, "/c/acl", "secret", 6, &ZOO_CREATOR_ALL_ACL, 0, NULL, 0);
    CHECK("create with CREATOR_ALL_ACL after auth", rc == ZOK, "rc %d (%s)", rc, zerror(rc));
    {
        struct ACL_vector acl;
        rc = zoo_get_acl(zh, "/c/acl", &acl, &st);
        CHECK("get_acl shows the creator's digest", rc == ZOK && acl.count == 1 && acl.data[0].perms == ZOO_PERM_ALL &&
              !strcmp(acl.data[0].id.scheme, "digest") && !strcmp(acl.data[0].id.id, "user:smGaoVKd/cQkjm7b88GyorAUz20="),
              "rc %d count %d first %s:%s", rc, rc == ZOK ? acl.count : -1,
              rc == ZOK && acl.count ? acl.data[0].id.scheme : "", rc == ZOK && acl.count ? acl.data[0].id.id : "");
        if (rc == ZOK) deallocate_ACL_vector(&acl);
    }
    len = sizeof buf;
    rc = zoo_get(zh, "/c/acl", 0, buf, &len, NULL);
    CHECK("the creator reads its node", rc == ZOK && len == 6, "rc %d (%s)", rc, zerror(rc));
    if (other) {
        len = sizeof buf;
        rc = zoo_get(other, "/c/acl", 0, buf, &len, NULL);
        rc2 = zoo_set(other, "/c/acl", "x", 1, -1);
        CHECK("another session without auth gets NOAUTH", rc == ZNOAUTH && rc2 == ZNOAUTH,
              "get rc %d set rc %d", rc, rc2);
        rc = add_auth(other, "user:wrong");
        len = sizeof buf;
        rc2 = zoo_get(other, "/c/acl", 0, buf, &len, NULL);
        CHECK("a wrong password still gets NOAUTH", rc == ZOK && rc2 == ZNOAUTH, "auth rc %d get rc %d", rc, rc2);
        zookeeper_close(other);
    }

    /* a session surviving a leader crash */
    int before = connected_port(zh);
    char reply[256];
    from = event_count();
    ask("crash-leader", reply, sizeof reply);
    int leaderPort = atoi(reply);
    int lost = wait_event(zh, from, ZOO_SESSION_EVENT, ZOO_CONNECTING_STATE, NULL, 10000);
    int back = lost >= 0 ? wait_event(zh, lost, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, NULL, 30000) : -1;
    int after = connected_port(zh);
    CHECK("reconnects to another server after the leader crash",
          before == leaderPort && lost >= 0 && back >= 0 && after > 0 && after != before,
          "before %d (leader %d) lost %d back %d after %d", before, leaderPort, lost, back, after);
    CHECK("same session after the crash", zoo_client_id(zh)->client_id == session,
          "session 0x%llx, was 0x%llx", (long long)zoo_client_id(zh)->client_id, (long long)session);
    rc = retry_create(zh, "/c/after-crash", 0);
    rc2 = zoo_exists(zh, "/c/eph", 0, &st);
    CHECK("the ephemeral persists and writes go on", rc == ZOK && rc2 == ZOK && st.ephemeralOwner == session,
          "create rc %d, exists /c/eph rc %d owner 0x%llx", rc, rc2, (long long)st.ephemeralOwner);
    len = sizeof buf;
    rc = zoo_get(zh, "/c/acl", 0, buf, &len, NULL);
    CHECK("auth follows the session to the new server", rc == ZOK, "rc %d (%s)", rc, zerror(rc));

    /* the crashed server restarts and serves the same tree */
    ask("restart", reply, sizeof reply);
    zhandle_t *third = connect_to(reply, "restarted server serves");
    if (third) {
        rc = zoo_exists(third, "/c/after-crash", 0, NULL);
        rc2 = zoo_exists(third, "/c/eph", 0, &st);
        CHECK("restarted server serves", rc == ZOK && rc2 == ZOK && st.ephemeralOwner == session,
              "exists /c/after-crash rc %d, /c/eph rc %d", rc, rc2);
        zookeeper_close(third);
    }

    /* closing the session deletes its ephemerals */
    zookeeper_close(zh);
    zh = connect_to(hosts, "close deletes ephemerals");
    if (zh) {
        rc = zoo_exists(zh, "/c/eph", 0, NULL);
        rc2 = zoo_exists(zh, "/c/seq-0000000002", 0, NULL);
        rc3 = zoo_exists(zh, "/c/seq-0000000001", 0, NULL);
        CHECK("close deletes ephemerals", rc == ZNONODE && rc2 == ZNONODE && rc3 == ZOK,
              "exists rc %d %d %d", rc, rc2, rc3);
        zookeeper_close(zh);
    }
    printf("DONE %d failures\n", failures);
    return failures ? 1 : 0;
}
