package web

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/zablab/zablab/engine"
	"github.com/zablab/zablab/lessons"
	"github.com/zablab/zablab/static"
)

// maxBody bounds request bodies (a znode's data is at most 1 MiB; JSON escaping can double it).
const maxBody = 3 << 20

// apiError is every error the API returns: {"error": "...", "code": "..."}.
type apiError struct {
	Status int    `json:"-"`
	Msg    string `json:"error"`
	Code   string `json:"code"`
}

func (e *apiError) Error() string { return e.Msg }

func errStatus(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Msg: fmt.Sprintf(format, args...)}
}

// statusOf maps a user error code to its HTTP status.
func statusOf(code string) int {
	switch code {
	case "unknown_room", "unknown_server":
		return http.StatusNotFound
	case "conflict", "server_down", "not_serving":
		return http.StatusConflict
	case "too_many_rooms":
		return http.StatusTooManyRequests
	}
	return http.StatusBadRequest
}

func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.Use(s.secureHeaders, s.guard)
	e.GET("/", s.page)
	e.GET("/r/:room", s.page)
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/favicon.ico", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/static/favicon.svg") })
	e.StaticFS("/static", static.FS)

	api := e.Group("/api")
	api.POST("/rooms", s.postRoom)
	api.GET("/rooms/:room", s.getRoom, s.readable)
	api.GET("/rooms/:room/ws", s.websocket, s.readable)
	api.GET("/rooms/:room/nodes/:id/tree", s.getTree, s.readable)
	api.GET("/rooms/:room/nodes/:id/commands/:name", s.getNodeCommand, s.readable)
	e.GET("/commands", s.getCommands)
	e.GET("/commands/", s.getCommands)
	e.GET("/commands/:name", s.getMainCommand)
	cmd := api.Group("/rooms/:room", s.control)
	cmd.POST("/nodes/:id/crash", s.nodeCmd(func(r *Room, id int) (any, error) { return r.crash(id) }))
	cmd.POST("/nodes/:id/restart", s.nodeCmd(func(r *Room, id int) (any, error) { return r.restart(id) }))
	cmd.POST("/partition", s.postPartition)
	cmd.POST("/links", s.postLink)
	cmd.POST("/heal", s.simple(func(r *Room) (any, error) { return r.heal() }))
	cmd.POST("/pause", s.simple(func(r *Room) (any, error) { return r.setPaused(true) }))
	cmd.POST("/resume", s.simple(func(r *Room) (any, error) { return r.setPaused(false) }))
	cmd.POST("/step", s.simple(func(r *Room) (any, error) { return r.step() }))
	cmd.POST("/speed", s.postSpeed)
	cmd.POST("/slowmotion", s.postSlowMotion)
	cmd.POST("/reset", s.postReset)
	cmd.POST("/ops", s.postOp)
	cmd.POST("/lesson", s.postLesson)
	cmd.POST("/commands", s.postCommand)
	cmd.POST("/autopilot", s.postAutopilot)
	api.GET("/rooms/:room/run", s.getRun, s.readable)
	api.POST("/rooms/:room/join", s.postJoin)
	api.POST("/rooms/:room/questions", s.postQuestion)
	api.GET("/rooms/:room/questions/:id", s.getQuestion)
	api.POST("/rooms/:room/questions/:id/answers", s.postAnswer)
	api.POST("/rooms/:room/questions/:id/reveal", s.postReveal)
	api.POST("/rooms/:room/control", s.postControl)
	api.DELETE("/rooms/:room/control", s.deleteControl)
	api.GET("/rooms/:room/results.csv", s.getResults)
	api.GET("/rooms/:room/class", s.getClass)
	api.POST("/rooms/:room/hand", s.postHand)
	api.DELETE("/rooms/:room/hands", s.deleteHands)
	api.GET("/rooms/:room/qr.svg", s.getQR)
	api.GET("/rooms/:room/me", s.getMe)
	api.GET("/rooms/:room/timeline", s.getTimeline, s.readable)
	api.GET("/rooms/:room/at", s.getAt, s.readable)
	api.GET("/rooms/:room/events", s.getEvents, s.readable)
	api.POST("/rooms/:room/fork", s.postFork, s.readable)
	api.POST("/runs", s.postRun)
	e.GET("/lessons", s.lessonsPage)
	e.GET("/lessons/:slug", s.lessonsPage)
	api.GET("/lessons", s.getLessons)
	api.GET("/lessons/:slug", s.getLesson)
	api.POST("/lessons/:slug/rooms", s.postLessonRoom)
	return e
}

// errorHandler is the one place errors become JSON.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var ae *apiError
	var ue *userError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &ue):
		ae = errStatus(statusOf(ue.code), ue.code, "%s", ue.msg)
	case errors.As(err, &he):
		ae = errStatus(he.Code, strings.ToLower(strings.ReplaceAll(http.StatusText(he.Code), " ", "_")), "%v", he.Message)
	default:
		ae = errStatus(http.StatusInternalServerError, "internal", "%v", err)
	}
	c.JSON(ae.Status, ae)
}

// guard refuses foreign Host and Origin headers (DNS rebinding, cross-site requests).
func (s *Server) guard(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		host := req.Host
		if !s.hostAllowed(host) {
			if s.loopback {
				return errStatus(http.StatusForbidden, "bad_host", "host %q is not allowed: open the lab at 127.0.0.1 or localhost", host)
			}
			return errStatus(http.StatusForbidden, "bad_host", "host %q is not allowed: open the lab at the address it listens on, or name the host with --host", host)
		}
		if o := req.Header.Get("Origin"); o != "" {
			u, err := url.Parse(o)
			if err != nil || u.Host != host || (u.Scheme != "http" && u.Scheme != "https") {
				return errStatus(http.StatusForbidden, "bad_origin", "requests from origin %q are not allowed", o)
			}
		}
		return next(c)
	}
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) roomOf(c echo.Context) (*Room, error) {
	name := c.Param("room")
	r := s.room(name)
	if r == nil {
		return nil, errStatus(http.StatusNotFound, "unknown_room", "unknown room %q", name)
	}
	return r, nil
}

// tokenOf finds a token in the header, the query or the room's cookie.
func tokenOf(c echo.Context, room string) string {
	if t := c.Request().Header.Get("X-Zablab-Token"); t != "" {
		return t
	}
	if t := c.QueryParam("token"); t != "" {
		return t
	}
	if ck, err := c.Cookie(cookieName(room)); err == nil {
		return ck.Value
	}
	return ""
}

func cookieName(room string) string { return "zablab_" + room }

// canControl: the room's token (none needed for room main on loopback), except for a
// request that speaks for a student of the room's class: view-only unless the teacher handed
// that student control.
func (s *Server) canControl(c echo.Context, r *Room) bool {
	if st := r.studentOf(c); st != nil {
		return r.drives(st)
	}
	return s.hasToken(c, r)
}

func (s *Server) control(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r, err := s.roomOf(c)
		if err != nil {
			return err
		}
		if st := r.studentOf(c); st != nil {
			if !r.drives(st) {
				return errStatus(http.StatusForbidden, "view_only", "students watch room %q; the teacher may hand control to one of them", r.Name)
			}
		} else if !s.hasToken(c, r) {
			return tokenError(c, r, "commands")
		}
		c.Set("room", r)
		return next(c)
	}
}

// bind decodes a JSON body with decodeStrict; a refused body changes nothing.
func bind(c echo.Context, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxBody))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return errStatus(http.StatusRequestEntityTooLarge, "too_large", "the body is larger than %d bytes", maxBody)
		}
		return errStatus(http.StatusBadRequest, "bad_json", "reading the body: %v", err)
	}
	if err := decodeStrict(body, v); err != nil {
		return errStatus(http.StatusBadRequest, "bad_json", "malformed JSON: %v", err)
	}
	return nil
}

func (s *Server) answer(c echo.Context, v any, err error) error {
	if err != nil {
		return err
	}
	switch rv := v.(type) {
	case RoomView:
		rv.CanControl = true
		v = rv
	case StepResult:
		rv.CanControl = true
		v = rv
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) simple(f func(r *Room) (any, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Get("room").(*Room)
		v, err := r.do(func() (any, error) { return f(r) })
		return s.answer(c, v, err)
	}
}

// nodeParam is the server id in a /nodes/{id}/ path; anything but a number is 404.
func nodeParam(c echo.Context) (int, error) {
	id, err := strconv.Atoi(c.Param("id"))
	if err != nil {
		return 0, errStatus(http.StatusNotFound, "unknown_server", "unknown server %q", c.Param("id"))
	}
	return id, nil
}

// roomNode is the room a read reaches (roomOf) and the server id in its /nodes/{id}/ path.
func (s *Server) roomNode(c echo.Context) (*Room, int, error) {
	r, err := s.roomOf(c)
	if err != nil {
		return nil, 0, err
	}
	id, err := nodeParam(c)
	return r, id, err
}

func (s *Server) nodeCmd(f func(r *Room, id int) (any, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Get("room").(*Room)
		id, err := nodeParam(c)
		if err != nil {
			return err
		}
		v, err := r.do(func() (any, error) { return f(r, id) })
		return s.answer(c, v, err)
	}
}

func (s *Server) getRoom(c echo.Context) error {
	r, err := s.roomOf(c)
	if err != nil {
		return err
	}
	v, err := r.View()
	if err != nil {
		return err
	}
	v.CanControl = s.canControl(c, r)
	return c.JSON(http.StatusOK, v)
}

func (s *Server) getTree(c echo.Context) error {
	r, id, err := s.roomNode(c)
	if err != nil {
		return err
	}
	v, err := r.do(func() (any, error) {
		if err := r.checkServer(id); err != nil {
			return nil, err
		}
		t := r.c.TreeView(id)
		if t == nil {
			return nil, badInput("server_down", "server %d is down: its memory is gone", id)
		}
		return t, nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// createRequest is POST /api/rooms and POST /reset.
type createRequest struct {
	Nodes     int             `json:"nodes"`
	Observers int             `json:"observers"`
	Seed      *int64          `json:"seed"`
	Timing    json.RawMessage `json:"timing"`
	Bug       string          `json:"bug"`
}

func (q createRequest) config(def engine.Timing) (engine.Config, error) {
	if q.Nodes == 0 {
		q.Nodes = 5
	}
	seed := time.Now().UnixNano() % 1_000_000
	if q.Seed != nil {
		seed = *q.Seed
	}
	cfg := engine.DefaultConfig(q.Nodes, q.Observers, seed)
	cfg.Timing = def
	if len(q.Timing) > 0 && string(q.Timing) != "null" {
		var name string
		if json.Unmarshal(q.Timing, &name) == nil {
			t, err := engine.TimingByName(name)
			if err != nil {
				return cfg, badInput("bad_timing", "%v", err)
			}
			cfg.Timing = t
		} else {
			var k struct {
				TickTime      *int64   `json:"tickTime"`
				InitLimit     *int64   `json:"initLimit"`
				SyncLimit     *int64   `json:"syncLimit"`
				LinkLatencyMs *float64 `json:"linkLatencyMs"`
			}
			if err := decodeStrict(q.Timing, &k); err != nil {
				return cfg, badInput("bad_timing", "timing must be \"zookeeper\", \"watch\", \"fast\" or {tickTime, initLimit, syncLimit, linkLatencyMs}: %v", err)
			}
			if k.TickTime != nil {
				cfg.Timing.TickTimeMs = *k.TickTime
			}
			if k.InitLimit != nil {
				cfg.Timing.InitLimit = *k.InitLimit
			}
			if k.SyncLimit != nil {
				cfg.Timing.SyncLimit = *k.SyncLimit
			}
			if k.LinkLatencyMs != nil {
				cfg.Timing.LinkLatencyUs = int64(*k.LinkLatencyMs * 1000)
				cfg.Timing.LinkJitterUs = cfg.Timing.LinkLatencyUs / 4
			}
			cfg.Timing.Name = "custom"
		}
	}
	b, err := engine.ParseBug(q.Bug)
	if err != nil {
		return cfg, badInput("bad_bug", "%v", err)
	}
	cfg.Bug = b
	if err := cfg.Validate(); err != nil {
		return cfg, badInput("bad_config", "%v", err)
	}
	return cfg, nil
}

func (s *Server) postRoom(c echo.Context) error {
	var q createRequest
	if err := bind(c, &q); err != nil {
		return err
	}
	cfg, err := s.roomConfig(q)
	if err != nil {
		return err
	}
	r, err := s.createRoom(cfg, clientKey(c.Request().RemoteAddr))
	if err != nil {
		return err
	}
	return roomCreated(c, r, "/r/"+r.Name)
}

func (s *Server) postReset(c echo.Context) error {
	r := c.Get("room").(*Room)
	var q createRequest
	if err := bind(c, &q); err != nil {
		return err
	}
	cfg, err := s.roomConfig(q)
	if err != nil {
		return err
	}
	v, err := r.do(func() (any, error) { return r.reset(cfg) })
	return s.answer(c, v, err)
}

func (s *Server) postPartition(c echo.Context) error {
	r := c.Get("room").(*Room)
	var q struct {
		Groups [][]int `json:"groups"`
	}
	if err := bind(c, &q); err != nil {
		return err
	}
	v, err := r.do(func() (any, error) { return r.partition(q.Groups) })
	return s.answer(c, v, err)
}

func (s *Server) postLink(c echo.Context) error {
	r := c.Get("room").(*Room)
	var q struct {
		From int   `json:"from"`
		To   int   `json:"to"`
		Up   *bool `json:"up"`
	}
	if err := bind(c, &q); err != nil {
		return err
	}
	if q.Up == nil {
		return errStatus(http.StatusBadRequest, "bad_link", "\"up\" is required (false cuts the link from→to, true restores it)")
	}
	v, err := r.do(func() (any, error) { return r.link(q.From, q.To, *q.Up) })
	return s.answer(c, v, err)
}

func (s *Server) postSpeed(c echo.Context) error {
	r := c.Get("room").(*Room)
	var q struct {
		Speed *float64 `json:"speed"`
	}
	if err := bind(c, &q); err != nil {
		return err
	}
	if q.Speed == nil {
		return errStatus(http.StatusBadRequest, "bad_speed", "\"speed\" is required")
	}
	v, err := r.do(func() (any, error) { return r.setSpeed(*q.Speed) })
	return s.answer(c, v, err)
}

func (s *Server) postSlowMotion(c echo.Context) error {
	r := c.Get("room").(*Room)
	var q struct {
		On *bool `json:"on"`
	}
	if err := bind(c, &q); err != nil {
		return err
	}
	if q.On == nil {
		return errStatus(http.StatusBadRequest, "bad_slow_motion", "\"on\" is required (true: slow motion at key moments)")
	}
	v, err := r.do(func() (any, error) { return r.setSlowMotion(*q.On) })
	return s.answer(c, v, err)
}

// opWait is how long POST /ops waits for the engine's answer before saying "pending".
const opWait = 10 * time.Second

func (s *Server) postOp(c echo.Context) error {
	r := c.Get("room").(*Room)
	var q OpRequest
	if err := bind(c, &q); err != nil {
		return err
	}
	ch := make(chan OpResult, 1)
	if _, err := r.do(func() (any, error) {
		return nil, r.submitOp(q, func(res OpResult) { ch <- res })
	}); err != nil {
		return err
	}
	select {
	case res := <-ch:
		return c.JSON(http.StatusOK, res)
	case <-time.After(opWait):
		return c.JSON(http.StatusAccepted, OpResult{Pending: true, Server: q.Server})
	}
}

func (s *Server) page(c echo.Context) error {
	name := c.Param("room")
	if name == "" {
		name = MainRoom
	}
	r := s.room(name)
	if r == nil {
		return errStatus(http.StatusNotFound, "unknown_room", "unknown room %q", name)
	}
	if t := c.QueryParam("token"); t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(r.Token)) == 1 {
		// Jupyter-style: keep the token in a cookie and drop it from the address bar.
		setTokenCookie(c, r, t)
		return c.Redirect(http.StatusSeeOther, c.Request().URL.Path)
	}
	if !s.canRead(c, r) {
		return tokenPage(c, r)
	}
	return s.renderPage(c, name, "zablab — ZAB lab", "lab", "", "")
}

// renderPage writes the HTML shell; the language comes from ?lang= when it names one.
func (s *Server) renderPage(c echo.Context, room, title, kind, slug, step string) error {
	lang := c.QueryParam("lang")
	if lang != "en" && lang != "zh" {
		lang = ""
	}
	c.Response().Header().Set("Content-Type", "text/html; charset=utf-8")
	c.Response().Header().Set("Cache-Control", "no-store")
	return Page(room, lang, title, s.assetVer, kind, slug, step).Render(c.Request().Context(), c.Response())
}

// roomCreated answers the creation of room r (201: its name, its token and the page at
// url) and keeps its token in this browser.
func roomCreated(c echo.Context, r *Room, url string) error {
	setTokenCookie(c, r, r.Token)
	return c.JSON(http.StatusCreated, map[string]string{"room": r.Name, "token": r.Token, "url": url})
}

// setTokenCookie keeps a room's token in this browser (Jupyter-style).
func setTokenCookie(c echo.Context, r *Room, token string) {
	c.SetCookie(&http.Cookie{Name: cookieName(r.Name), Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// lessonsPage is the lesson index (/lessons) or a lesson's player (/lessons/{slug}?step=N).
func (s *Server) lessonsPage(c echo.Context) error {
	slug, kind := c.Param("slug"), "lessons"
	if slug != "" {
		if s.lesson(slug) == nil {
			return errStatus(http.StatusNotFound, "unknown_lesson", "unknown lesson %q", slug)
		}
		kind = "lesson"
	}
	step := c.QueryParam("step")
	if step != "" {
		if n, err := strconv.Atoi(step); err != nil || n < 0 {
			return errStatus(http.StatusBadRequest, "bad_step", "step must be a step number")
		}
	}
	return s.renderPage(c, MainRoom, "zablab — lessons", kind, slug, step)
}

// lessonSummary is one entry of GET /api/lessons.
type lessonSummary struct {
	Slug    string       `json:"slug"`
	Title   lessons.Text `json:"title"`
	Summary lessons.Text `json:"summary,omitempty"`
	Steps   int          `json:"steps"`
}

func (s *Server) getLessons(c echo.Context) error {
	out := []lessonSummary{}
	for _, l := range s.opts.Lessons {
		out = append(out, lessonSummary{Slug: l.Slug, Title: l.Title, Summary: l.Summary, Steps: len(l.Steps)})
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getLesson(c echo.Context) error {
	l := s.lesson(c.Param("slug"))
	if l == nil {
		return errStatus(http.StatusNotFound, "unknown_lesson", "unknown lesson %q", c.Param("slug"))
	}
	return c.JSON(http.StatusOK, l)
}

// postLessonRoom creates a sandbox room playing a lesson, replayed up to a step.
func (s *Server) postLessonRoom(c echo.Context) error {
	l := s.lesson(c.Param("slug"))
	if l == nil {
		return errStatus(http.StatusNotFound, "unknown_lesson", "unknown lesson %q", c.Param("slug"))
	}
	var q struct {
		Step int `json:"step"`
	}
	if c.Request().ContentLength != 0 {
		if err := bind(c, &q); err != nil {
			return err
		}
	}
	if q.Step < 0 || q.Step > len(l.Steps) {
		return errStatus(http.StatusBadRequest, "bad_step", "lesson %q has steps 0 to %d", l.Slug, len(l.Steps))
	}
	r, err := s.createRoom(l.Config, clientKey(c.Request().RemoteAddr))
	if err != nil {
		return err
	}
	if _, err := r.do(func() (any, error) { return r.startLesson(l, q.Step) }); err != nil {
		return err
	}
	return roomCreated(c, r, "/lessons/"+l.Slug+"?room="+r.Name)
}

func (s *Server) postLesson(c echo.Context) error {
	r := c.Get("room").(*Room)
	var q LessonRequest
	if err := bind(c, &q); err != nil {
		return err
	}
	v, err := r.do(func() (any, error) { return r.lessonCommand(q, s.lesson) })
	return s.answer(c, v, err)
}

func htmlLang(lang string) string {
	if lang == "zh" {
		return "zh-CN"
	}
	return "en"
}
