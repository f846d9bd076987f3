package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/zablab/zablab/engine"
)

// Questions a teacher asks at any moment, made from the cluster's state: the choices come
// from the cluster when asked, the right answer from the cluster when revealed ("Reveal"
// after the class has watched what happens).
const (
	tmplNextLeader    = "next-leader"
	tmplEpoch         = "epoch"
	tmplSyncMode      = "sync-mode"
	tmplWriteSurvives = "write-survives"
)

// answerAtReveal marks a question whose answer the cluster decides at the reveal.
const answerAtReveal = -2

// quizSubject is what a template question asks about, fixed when it is asked.
type quizSubject struct {
	template string
	askedUs  int64       // simulated time of the question
	zxid     engine.Zxid // write-survives: the newest proposal when asked
	epochs   []int64     // epoch: the epochs offered
}

// templateQuestion builds a template question from the cluster (room goroutine).
func templateQuestion(c *engine.Cluster, name string) (Text, []Text, quizSubject, error) {
	sub := quizSubject{template: name, askedUs: c.Now()}
	switch name {
	case tmplNextLeader:
		var choices []Text
		for _, id := range c.VoterIDs() {
			s := fmt.Sprintf("S%d", id)
			choices = append(choices, Text{"en": s, "zh": s})
		}
		return Text{"en": "Who leads next?", "zh": "下一个 Leader 是谁？"}, choices, sub, nil
	case tmplEpoch:
		top := int64(0)
		for _, n := range c.View(nil).Nodes {
			top = max(top, n.AcceptedEpoch, n.CurrentEpoch)
		}
		var choices []Text
		for e := top; e <= top+2; e++ {
			sub.epochs = append(sub.epochs, e)
			s := fmt.Sprint(e)
			choices = append(choices, Text{"en": "epoch " + s, "zh": "epoch " + s})
		}
		return Text{"en": "In which epoch will the next leader lead?", "zh": "下一个 Leader 将在哪个 epoch 领导？"}, choices, sub, nil
	case tmplSyncMode:
		choices := []Text{{"en": "DIFF", "zh": "DIFF"}, {"en": "TRUNC", "zh": "TRUNC"}, {"en": "SNAP", "zh": "SNAP"}}
		return Text{"en": "How will the leader sync the next server that rejoins: DIFF, TRUNC or SNAP?",
			"zh": "Leader 将如何同步下一个重新加入的服务器：DIFF、TRUNC 还是 SNAP？"}, choices, sub, nil
	case tmplWriteSurvives:
		for _, n := range c.View(nil).Nodes {
			sub.zxid = max(sub.zxid, n.LastZxid)
		}
		if sub.zxid <= 0 {
			return nil, nil, sub, badInput("no_write", "no server has logged a write yet: send one first")
		}
		z := sub.zxid.String()
		choices := []Text{{"en": "Yes: it will be committed", "zh": "会：它会被提交"}, {"en": "No: it will be lost", "zh": "不会：它会丢失"}}
		return Text{"en": "Will the newest write (" + z + ") survive?", "zh": "最新的写入（" + z + "）会保留下来吗？"}, choices, sub, nil
	}
	return nil, nil, sub, badInput("bad_template", "unknown template %q (want %s, %s, %s or %s)", name, tmplNextLeader, tmplEpoch, tmplSyncMode, tmplWriteSurvives)
}

// decide finds a template question's answer from the cluster now (room goroutine), or says
// why the cluster has not decided it yet.
func (sub quizSubject) decide(c *engine.Cluster, marks *marker) (int, error) {
	undecided := func(why string, args ...any) (int, error) {
		return 0, errStatus(http.StatusConflict, "not_decided", why, args...)
	}
	leader := c.Leader()
	switch sub.template {
	case tmplNextLeader:
		if leader == 0 {
			return undecided("no leader yet: reveal once the election is over")
		}
		for i, id := range c.VoterIDs() {
			if id == leader {
				return i, nil
			}
		}
	case tmplEpoch:
		if leader == 0 {
			return undecided("no leader yet: reveal once the election is over")
		}
		e := c.Peer(leader).Disk().CurrentEpoch
		for i, x := range sub.epochs {
			if x == e {
				return i, nil
			}
		}
		return undecided("the leader leads epoch %d, none of the choices", e)
	case tmplSyncMode:
		if marks != nil {
			for i := len(marks.marks) - 1; i >= 0; i-- {
				m := marks.marks[i]
				if m.ev.TimeUs < sub.askedUs {
					break
				}
				if m.Kind != "sync" {
					continue
				}
				switch m.ev.Mode {
				case engine.SyncDiff:
					return 0, nil
				case engine.SyncTrunc:
					return 1, nil
				case engine.SyncSnap:
					return 2, nil
				}
			}
		}
		return undecided("no server has rejoined since the question: restart one first")
	case tmplWriteSurvives:
		if c.Checker().IsCommitted(sub.zxid) {
			return 0, nil
		}
		if leader != 0 && int64(c.Peer(leader).Disk().CurrentEpoch) > int64(sub.zxid.Epoch()) {
			return 1, nil // a later epoch is established without it: it is gone
		}
		return undecided("%s is neither committed nor lost yet", sub.zxid)
	}
	return undecided("nothing to decide")
}

// hands counts raised hands and "I'm lost" flags (anonymous to everyone).
type hands struct {
	up   map[string]bool // student token → hand raised
	lost map[string]bool
	last map[string]time.Time
}

// HandRequest is POST /api/rooms/{room}/hand.
type HandRequest struct {
	Kind string `json:"kind"` // "hand" or "lost"
	Up   *bool  `json:"up"`
}

// postHand raises or lowers a student's hand or "I'm lost" flag; everyone gets the counts.
func (s *Server) postHand(c echo.Context) error {
	r, err := s.roomOf(c)
	if err != nil {
		return err
	}
	st := r.studentOf(c)
	if st == nil {
		return errStatus(http.StatusForbidden, "students_only", "only a student who joined the class raises a hand")
	}
	var q HandRequest
	if err := bind(c, &q); err != nil {
		return err
	}
	if q.Kind != "hand" && q.Kind != "lost" || q.Up == nil {
		return badInput("bad_hand", `want {"kind": "hand" or "lost", "up": true or false}`)
	}
	k := r.classOf()
	k.mu.Lock()
	if k.hands.up == nil {
		k.hands = hands{up: map[string]bool{}, lost: map[string]bool{}, last: map[string]time.Time{}}
	}
	if time.Since(k.hands.last[st.token]) < answerEvery {
		k.mu.Unlock()
		return errStatus(http.StatusTooManyRequests, "too_fast", "one change every %v", answerEvery)
	}
	k.hands.last[st.token] = time.Now()
	set := k.hands.up
	if q.Kind == "lost" {
		set = k.hands.lost
	}
	if *q.Up {
		set[st.token] = true
	} else {
		delete(set, st.token)
	}
	counts := k.handCounts()
	k.mu.Unlock()
	r.broadcastClass("hands", counts)
	return c.JSON(http.StatusOK, counts)
}

// deleteHands lowers every hand and flag (teacher).
func (s *Server) deleteHands(c echo.Context) error {
	r, err := s.teacherRoom(c)
	if err != nil {
		return err
	}
	k := r.classOf()
	k.mu.Lock()
	clear(k.hands.up)
	clear(k.hands.lost)
	counts := k.handCounts()
	k.mu.Unlock()
	r.broadcastClass("hands", counts)
	return c.JSON(http.StatusOK, counts)
}

// handCounts: k.mu must be held.
func (k *class) handCounts() map[string]int {
	return map[string]int{"hands": len(k.hands.up), "lost": len(k.hands.lost)}
}

// ClassView is GET /api/rooms/{room}/class: what the teacher's panel shows.
type ClassView struct {
	// Code is the join code (a --classroom server; empty otherwise).
	Code string `json:"code,omitempty"`
	// Students are the names of those who joined, in the order they joined.
	Students []string `json:"students"`
	// Control names the student who drives ("" : the teacher).
	Control string `json:"control"`
	Hands   int    `json:"hands"`
	Lost    int    `json:"lost"`
	// Question is the latest question's id ("" : none yet).
	Question string `json:"question"`
}

func (s *Server) getClass(c echo.Context) error {
	r, err := s.teacherRoom(c)
	if err != nil {
		return err
	}
	k := r.classOf()
	k.mu.Lock()
	v := ClassView{Code: s.opts.JoinCode, Students: []string{}, Hands: len(k.hands.up), Lost: len(k.hands.lost)}
	list := make([]*student, 0, len(k.students))
	for _, st := range k.students {
		list = append(list, st)
		if st.token == k.control {
			v.Control = st.name
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].joined.Before(list[j].joined) })
	for _, st := range list {
		v.Students = append(v.Students, st.name)
	}
	if n := len(k.order); n > 0 {
		v.Question = k.order[n-1]
	}
	k.mu.Unlock()
	return c.JSON(http.StatusOK, v)
}

// getQR is GET /api/rooms/{room}/qr.svg?url=…: a QR code of a link to this lab (the student
// link the teacher shows), as SVG. Only links to this server's own page are drawn.
func (s *Server) getQR(c echo.Context) error {
	if _, err := s.roomOf(c); err != nil {
		return err
	}
	link := c.QueryParam("url")
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(link) > 500 {
		return badInput("bad_url", "url must be an http(s) link of at most 500 characters")
	}
	if u.Host != c.Request().Host {
		return badInput("bad_url", "only links to this lab (%s) are drawn", c.Request().Host)
	}
	q, err := qrcode.New(link, qrcode.Medium)
	if err != nil {
		return badInput("bad_url", "%v", err)
	}
	q.DisableBorder = false
	bits := q.Bitmap()
	n := len(bits)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n, n, n)
	for y, row := range bits {
		for x, on := range row {
			if on {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "image/svg+xml", []byte(b.String()))
}

// getMe is GET /api/rooms/{room}/me: whether this browser joined the room's class (by its
// student cookie or header), as whom, and whether it drives.
func (s *Server) getMe(c echo.Context) error {
	r, err := s.roomOf(c)
	if err != nil {
		return err
	}
	st := r.studentOf(c)
	if st == nil {
		return c.JSON(http.StatusOK, map[string]any{"student": "", "drives": false})
	}
	return c.JSON(http.StatusOK, map[string]any{"student": st.name, "drives": r.drives(st)})
}
