package web

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

// The classic ZooKeeper recipes, run by a real client against zablab.

func TestRecipeLock(t *testing.T) {
	l := startLab(t, 3, 1)
	acl := zk.WorldACL(zk.PermAll)
	a, _ := l.connect(l.addr(1))
	b, _ := l.connect(l.addr(2))
	la := zk.NewLock(a, "/lock", acl)
	lb := zk.NewLock(b, "/lock", acl)
	if err := la.Lock(); err != nil {
		t.Fatal(err)
	}
	// b may only get the lock once a's session has ended: checked when b gets it, not by
	// watching the wall clock for a while.
	var aClosed atomic.Bool
	got := make(chan error, 1)
	go func() {
		err := lb.Lock()
		if err == nil && !aClosed.Load() {
			err = errors.New("two clients hold the lock at once")
		}
		got <- err
	}()
	// Wait until b's lock node is queued behind a's (b is waiting on a watch).
	deadline := time.Now().Add(10 * time.Second)
	for {
		kids, _, err := a.Children("/lock")
		if err == nil && len(kids) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("b never queued for the lock: %v %v", kids, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The holder's session dies: its ephemeral lock node goes, the waiter gets the lock.
	aClosed.Store(true)
	a.Close()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiter never got the lock after the holder's session ended")
	}
	kids, _, _ := b.Children("/lock")
	if len(kids) != 1 {
		t.Fatalf("want exactly the new holder's node under /lock, got %v", kids)
	}
	lb.Unlock()
}

func TestRecipeLeaderElection(t *testing.T) {
	l := startLab(t, 3, 1)
	acl := zk.WorldACL(zk.PermAll)
	setup, _ := l.connect(l.addr(1))
	setup.Create("/election", nil, 0, acl)
	type candidate struct {
		c    *zk.Conn
		node string
	}
	var cands []candidate
	for i := 1; i <= 3; i++ {
		c, _ := l.connect(l.addr(i))
		p, err := c.Create("/election/n-", []byte(fmt.Sprint(i)), zk.FlagEphemeral|zk.FlagSequence, acl)
		if err != nil {
			t.Fatal(err)
		}
		cands = append(cands, candidate{c, p[len("/election/"):]})
	}
	leader := func(c *zk.Conn) string {
		kids, _, err := c.Children("/election")
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(kids)
		return kids[0]
	}
	if leader(cands[2].c) != cands[0].node {
		t.Fatalf("the lowest sequence number should lead: %s", leader(cands[2].c))
	}
	// Candidate 2 watches its predecessor (candidate 1), as the recipe says.
	ok, _, watch, err := cands[1].c.ExistsW("/election/" + cands[0].node)
	if !ok || err != nil {
		t.Fatal("predecessor missing", err)
	}
	cands[0].c.Close()
	select {
	case ev := <-watch:
		if ev.Type != zk.EventNodeDeleted {
			t.Fatalf("want NodeDeleted on the predecessor, got %v", ev.Type)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the next candidate was never told its predecessor left")
	}
	if got := leader(cands[1].c); got != cands[1].node {
		t.Fatalf("candidate 2 should lead now, %s does", got)
	}
}

func TestRecipeGroupMembership(t *testing.T) {
	l := startLab(t, 3, 1)
	acl := zk.WorldACL(zk.PermAll)
	watcher, _ := l.connect(l.addr(3))
	watcher.Create("/group", nil, 0, acl)
	var members []*zk.Conn
	for i := 1; i <= 3; i++ {
		c, _ := l.connect(l.addr(1 + i%3))
		if _, err := c.Create(fmt.Sprintf("/group/member-%d", i), nil, zk.FlagEphemeral, acl); err != nil {
			t.Fatal(err)
		}
		members = append(members, c)
	}
	watcher.Sync("/group")
	kids, _, ch, err := watcher.ChildrenW("/group")
	if err != nil || len(kids) != 3 {
		t.Fatalf("want 3 members, got %v %v", kids, err)
	}
	members[1].Close() // member-2 leaves
	select {
	case ev := <-ch:
		if ev.Type != zk.EventNodeChildrenChanged {
			t.Fatalf("want NodeChildrenChanged, got %v", ev.Type)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the group watcher was never told a member left")
	}
	kids, _, _ = watcher.Children("/group")
	sort.Strings(kids)
	if strings.Join(kids, ",") != "member-1,member-3" {
		t.Fatalf("members after one left: %v", kids)
	}
}
