package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// Limits of a class.
const (
	maxStudents      = 500
	maxNameRunes     = 40
	maxQuestions     = 200
	maxChoices       = 10
	maxChoiceRunes   = 100
	maxQuestionRunes = 500
	// answerEvery is the least time between two answers of one student (rate limit).
	answerEvery = 200 * time.Millisecond
)

// class is a room's classroom: joined students, the teacher's questions and who drives.
// Its own lock: HTTP handlers use it without going through the room goroutine.
type class struct {
	mu        sync.Mutex
	students  map[string]*student // by token
	byName    map[string]*student
	questions map[string]*question
	order     []string
	control   string // token of the student who drives ("" : the teacher)
	nextID    int
	hands     hands
}

type student struct {
	token    string
	name     string
	joined   time.Time
	lastSeen time.Time
}

// Text is a sentence in English and Simplified Chinese.
type Text map[string]string

type question struct {
	ID       string         `json:"id"`
	Text     Text           `json:"text"`
	Choices  []Text         `json:"choices"`
	answer   int            // the right choice (-1: none, an opinion)
	answers  map[string]int // student token → choice
	last     map[string]time.Time
	revealed bool
	asked    time.Time
	// sub, for a template question, is what the cluster decides at the reveal.
	sub *quizSubject
}

func newClass() *class {
	return &class{students: map[string]*student{}, byName: map[string]*student{}, questions: map[string]*question{}}
}

// classOf returns the room's class, making it on first use.
func (r *Room) classOf() *class {
	r.classOnce.Do(func() { r.class = newClass() })
	return r.class
}

// studentOf finds the student a request speaks for (header X-Zablab-Student or the room's
// student cookie), or nil.
func (r *Room) studentOf(c echo.Context) *student {
	tok := c.Request().Header.Get("X-Zablab-Student")
	if tok == "" {
		if ck, err := c.Cookie("zablab_student_" + r.Name); err == nil {
			tok = ck.Value
		}
	}
	if tok == "" {
		return nil
	}
	k := r.classOf()
	k.mu.Lock()
	defer k.mu.Unlock()
	for t, s := range k.students {
		if subtle.ConstantTimeCompare([]byte(t), []byte(tok)) == 1 {
			s.lastSeen = time.Now()
			return s
		}
	}
	return nil
}

// drives reports whether the teacher handed control of the room to student s.
func (r *Room) drives(s *student) bool {
	k := r.classOf()
	k.mu.Lock()
	defer k.mu.Unlock()
	return s != nil && k.control == s.token
}

// JoinRequest is POST /api/rooms/{room}/join.
type JoinRequest struct {
	Name string `json:"name"`
	Code string `json:"code"`
}

func cleanName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", badInput("bad_name", "the name is not valid UTF-8")
	}
	if utf8.RuneCountInString(s) > maxNameRunes {
		return "", badInput("bad_name", "names have at most %d characters", maxNameRunes)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "", badInput("bad_name", "the name holds a control character")
		}
	}
	return s, nil
}

// postJoin lets a student join a room's class: a student token (view-only unless the
// teacher hands over control). On a classroom server the join code is required.
func (s *Server) postJoin(c echo.Context) error {
	r, err := s.roomOf(c)
	if err != nil {
		return err
	}
	var q JoinRequest
	if err := bind(c, &q); err != nil {
		return err
	}
	switch {
	case s.opts.JoinCode != "":
		if subtle.ConstantTimeCompare([]byte(strings.ToUpper(strings.TrimSpace(q.Code))), []byte(s.opts.JoinCode)) != 1 {
			return errStatus(http.StatusForbidden, "bad_code", "wrong join code for this class")
		}
	case !s.loopback && !s.hasToken(c, r):
		// Beyond loopback without a class code, joining (and so watching) needs the room's token.
		return tokenError(c, r, "joining its class")
	}
	name, err := cleanName(q.Name)
	if err != nil {
		return err
	}
	k := r.classOf()
	k.mu.Lock()
	if len(k.students) >= maxStudents {
		k.mu.Unlock()
		return errStatus(http.StatusTooManyRequests, "class_full", "this class already has %d students", maxStudents)
	}
	if name == "" {
		name = fmt.Sprintf("Student %d", len(k.students)+1)
	}
	base := name
	for i := 2; k.byName[name] != nil; i++ {
		name = fmt.Sprintf("%s (%d)", base, i)
	}
	st := &student{token: newToken(), name: name, joined: time.Now(), lastSeen: time.Now()}
	k.students[st.token] = st
	k.byName[name] = st
	k.mu.Unlock()
	c.SetCookie(&http.Cookie{Name: "zablab_student_" + r.Name, Value: st.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	r.broadcastClass("students", map[string]int{"students": r.studentCount()})
	return c.JSON(http.StatusOK, map[string]string{"student": st.token, "name": name})
}

func (r *Room) studentCount() int {
	k := r.classOf()
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.students)
}

// teacherRoom finds the request's room and checks that the request controls it and is not a
// student's.
func (s *Server) teacherRoom(c echo.Context) (*Room, error) {
	r, err := s.roomOf(c)
	if err != nil {
		return nil, err
	}
	if r.studentOf(c) != nil {
		return nil, errStatus(http.StatusForbidden, "teacher_only", "only the teacher may do this")
	}
	if !s.canControl(c, r) {
		return nil, tokenError(c, r, "teaching")
	}
	return r, nil
}

// QuestionRequest is POST /api/rooms/{room}/questions.
type QuestionRequest struct {
	Text    Text              `json:"text"`
	Choices []json.RawMessage `json:"choices"`
	// Answer is the right choice's index; -1 (or left out with "opinion") asks an opinion.
	Answer *int `json:"answer"`
	// Template, instead of text and choices, makes the question from the cluster's state:
	// "next-leader", "epoch", "sync-mode" or "write-survives"; the cluster then decides the
	// answer at the reveal.
	Template string `json:"template"`
}

func textOK(t Text, max int) error {
	if len(t) == 0 || (t["en"] == "" && t["zh"] == "") {
		return badInput("bad_question", "a text needs \"en\" or \"zh\"")
	}
	for lang, s := range t {
		if lang != "en" && lang != "zh" {
			return badInput("bad_question", "unknown language %q (want en or zh)", lang)
		}
		if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
			return badInput("bad_question", "texts have at most %d characters", max)
		}
	}
	return nil
}

func (s *Server) postQuestion(c echo.Context) error {
	r, err := s.teacherRoom(c)
	if err != nil {
		return err
	}
	var q QuestionRequest
	if err := bind(c, &q); err != nil {
		return err
	}
	if q.Template != "" {
		if q.Text != nil || q.Choices != nil || q.Answer != nil {
			return badInput("bad_question", "a template question takes no text, choices or answer")
		}
		v, err := r.do(func() (any, error) {
			text, choices, sub, err := templateQuestion(r.c, q.Template)
			if err != nil {
				return nil, err
			}
			return r.askAbout(text, choices, answerAtReveal, &sub)
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, map[string]string{"id": v.(string)})
	}
	if err := textOK(q.Text, maxQuestionRunes); err != nil {
		return err
	}
	if len(q.Choices) < 2 || len(q.Choices) > maxChoices {
		return badInput("bad_question", "a question has 2 to %d choices", maxChoices)
	}
	var choices []Text
	for _, raw := range q.Choices {
		var str string
		var t Text
		switch {
		case json.Unmarshal(raw, &str) == nil:
			t = Text{"en": str, "zh": str}
		case json.Unmarshal(raw, &t) == nil:
		default:
			return badInput("bad_question", "a choice is a string or {\"en\": …, \"zh\": …}")
		}
		if err := textOK(t, maxChoiceRunes); err != nil {
			return err
		}
		choices = append(choices, t)
	}
	answer := -1
	if q.Answer != nil {
		answer = *q.Answer
	}
	if answer < -1 || answer >= len(choices) {
		return badInput("bad_answer", "answer %d is not one of the %d choices (or -1 for an opinion)", answer, len(choices))
	}
	id, err := r.ask(q.Text, choices, answer)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]string{"id": id})
}

// ask opens a question (the teacher's, or a lesson's predict moment).
func (r *Room) ask(text Text, choices []Text, answer int) (string, error) {
	return r.askAbout(text, choices, answer, nil)
}

// askAbout opens a question; sub, for a template question, decides its answer at the reveal.
func (r *Room) askAbout(text Text, choices []Text, answer int, sub *quizSubject) (string, error) {
	k := r.classOf()
	k.mu.Lock()
	if len(k.questions) >= maxQuestions {
		k.mu.Unlock()
		return "", errStatus(http.StatusTooManyRequests, "too_many_questions", "this class already has %d questions", maxQuestions)
	}
	k.nextID++
	id := fmt.Sprintf("q%d", k.nextID)
	qu := &question{ID: id, Text: text, Choices: choices, answer: answer, answers: map[string]int{}, last: map[string]time.Time{}, asked: time.Now(), sub: sub}
	k.questions[id] = qu
	k.order = append(k.order, id)
	k.mu.Unlock()
	r.broadcastClass("question", map[string]any{"id": id, "text": text, "choices": choices})
	return id, nil
}

func (r *Room) questionOf(c echo.Context) (*class, *question, error) {
	k := r.classOf()
	k.mu.Lock()
	defer k.mu.Unlock()
	q := k.questions[c.Param("id")]
	if q == nil {
		return nil, nil, errStatus(http.StatusNotFound, "unknown_question", "unknown question %q", c.Param("id"))
	}
	return k, q, nil
}

// AnswerRequest is POST /api/rooms/{room}/questions/{id}/answers.
type AnswerRequest struct {
	Choice *int `json:"choice"`
}

func (s *Server) postAnswer(c echo.Context) error {
	r, err := s.roomOf(c)
	if err != nil {
		return err
	}
	st := r.studentOf(c)
	if st == nil {
		return errStatus(http.StatusForbidden, "student_only", "answers come from students: join the class first (POST /join)")
	}
	var a AnswerRequest
	if err := bind(c, &a); err != nil {
		return err
	}
	k, q, err := r.questionOf(c)
	if err != nil {
		return err
	}
	k.mu.Lock()
	switch {
	case a.Choice == nil || *a.Choice < 0 || *a.Choice >= len(q.Choices):
		k.mu.Unlock()
		return badInput("bad_choice", "choice must be 0 to %d", len(q.Choices)-1)
	case q.revealed:
		k.mu.Unlock()
		return errStatus(http.StatusConflict, "revealed", "the answer has been revealed: no more answers")
	case time.Since(q.last[st.token]) < answerEvery:
		k.mu.Unlock()
		return errStatus(http.StatusTooManyRequests, "too_fast", "one answer every %v", answerEvery)
	}
	q.answers[st.token] = *a.Choice
	q.last[st.token] = time.Now()
	counts, answered := q.tally()
	k.mu.Unlock()
	// The live counts go to the teacher only: students see the class's answers at the reveal.
	if b, err := json.Marshal(map[string]any{"type": "answers", "class": map[string]any{"id": q.ID, "counts": counts, "answered": answered, "students": r.studentCount()}}); err == nil {
		r.hub.broadcastTeachers(b)
	}
	return c.JSON(http.StatusOK, map[string]any{"id": q.ID, "choice": *a.Choice})
}

// tally counts the answers per choice. k.mu must be held.
func (q *question) tally() ([]int, int) {
	counts := make([]int, len(q.Choices))
	for _, ch := range q.answers {
		counts[ch]++
	}
	return counts, len(q.answers)
}

// QuestionView is GET /api/rooms/{room}/questions/{id}.
type QuestionView struct {
	ID       string `json:"id"`
	Text     Text   `json:"text"`
	Choices  []Text `json:"choices"`
	Counts   []int  `json:"counts"`
	Answered int    `json:"answered"`
	Students int    `json:"students"`
	Revealed bool   `json:"revealed"`
	// Answer is the right choice, once revealed (-1: an opinion).
	Answer *int `json:"answer,omitempty"`
	// Missing lists who has not answered (the teacher only).
	Missing []string `json:"missing,omitempty"`
	// Correct is the share of right answers, once revealed.
	Correct *float64 `json:"correct,omitempty"`
	// Mine is the asking student's choice (students only).
	Mine *int `json:"mine,omitempty"`
}

func (s *Server) getQuestion(c echo.Context) error {
	r, err := s.roomOf(c)
	if err != nil {
		return err
	}
	st := r.studentOf(c)
	isTeacher := st == nil && s.canControl(c, r)
	if st == nil && !isTeacher {
		return tokenError(c, r, "reading a question")
	}
	k, q, err := r.questionOf(c)
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if st != nil && !q.revealed {
		return errStatus(http.StatusForbidden, "not_revealed", "the class's answers show after the reveal")
	}
	counts, answered := q.tally()
	v := QuestionView{ID: q.ID, Text: q.Text, Choices: q.Choices, Counts: counts, Answered: answered, Students: len(k.students), Revealed: q.revealed}
	if q.revealed {
		a := q.answer
		v.Answer = &a
		if q.answer >= 0 && answered > 0 {
			share := float64(counts[q.answer]) / float64(answered)
			v.Correct = &share
		}
	}
	if isTeacher {
		for _, stu := range k.students {
			if _, ok := q.answers[stu.token]; !ok {
				v.Missing = append(v.Missing, stu.name)
			}
		}
		sort.Strings(v.Missing)
	}
	if st != nil {
		if ch, ok := q.answers[st.token]; ok {
			v.Mine = &ch
		}
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) postReveal(c echo.Context) error {
	r, err := s.teacherRoom(c)
	if err != nil {
		return err
	}
	k, q, err := r.questionOf(c)
	if err != nil {
		return err
	}
	if q.sub != nil {
		// The cluster decides (room goroutine); a question not yet decided stays open.
		sub := *q.sub
		v, err := r.do(func() (any, error) { return sub.decide(r.c, r.marks) })
		if err != nil {
			return err
		}
		k.mu.Lock()
		q.answer = v.(int)
		k.mu.Unlock()
	}
	k.mu.Lock()
	q.revealed = true
	counts, answered := q.tally()
	k.mu.Unlock()
	r.broadcastClass("reveal", map[string]any{"id": q.ID, "answer": q.answer, "counts": counts, "answered": answered})
	// A lesson step that waited for this answer plays now, for everyone.
	r.do(func() (any, error) { r.revealed(q.ID); return nil, nil })
	return c.JSON(http.StatusOK, map[string]any{"id": q.ID, "revealed": true})
}

// ControlRequest is POST /api/rooms/{room}/control.
type ControlRequest struct {
	Student string `json:"student"`
}

func (s *Server) postControl(c echo.Context) error {
	r, err := s.teacherRoom(c)
	if err != nil {
		return err
	}
	var q ControlRequest
	if err := bind(c, &q); err != nil {
		return err
	}
	k := r.classOf()
	k.mu.Lock()
	st := k.byName[strings.TrimSpace(q.Student)]
	if st == nil {
		k.mu.Unlock()
		return errStatus(http.StatusNotFound, "unknown_student", "no student named %q in this class", q.Student)
	}
	k.control = st.token
	k.mu.Unlock()
	r.broadcastClass("control", map[string]string{"student": st.name})
	return c.JSON(http.StatusOK, map[string]string{"student": st.name})
}

func (s *Server) deleteControl(c echo.Context) error {
	r, err := s.teacherRoom(c)
	if err != nil {
		return err
	}
	k := r.classOf()
	k.mu.Lock()
	k.control = ""
	k.mu.Unlock()
	r.broadcastClass("control", map[string]string{"student": ""})
	return c.JSON(http.StatusOK, map[string]string{"student": ""})
}

// broadcastClass sends a classroom message to every viewer of the room (never dropped).
func (r *Room) broadcastClass(typ string, body any) {
	b, err := json.Marshal(map[string]any{"type": typ, "class": body})
	if err != nil {
		return
	}
	r.hub.broadcast(b)
}

// NewJoinCode is a short code students type to join a class (no 0/O or 1/I to confuse).
func NewJoinCode() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	code := make([]byte, len(b))
	for i := range code {
		code[i] = alphabet[int(b[i])%len(alphabet)] // 256 is a multiple of 32: no bias
	}
	return string(code)
}

// NewToken is a fresh random token (a room's, a teacher's).
func NewToken() string { return newToken() }

// getResults is GET /api/rooms/{room}/results.csv (teacher): one line per question, in the
// order asked: the question, each choice with its count, how many answered out of how many
// students, and the share of right answers.
func (s *Server) getResults(c echo.Context) error {
	r, err := s.teacherRoom(c)
	if err != nil {
		return err
	}
	k := r.classOf()
	k.mu.Lock()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"question", "choices (count)", "answer", "answered", "students", "correct share", "revealed"})
	for _, id := range k.order {
		q := k.questions[id]
		counts, answered := q.tally()
		var cs []string
		for i, ch := range q.Choices {
			cs = append(cs, fmt.Sprintf("%s (%d)", firstText(ch), counts[i]))
		}
		answer, share := "", ""
		if q.answer >= 0 {
			answer = firstText(q.Choices[q.answer])
			if answered > 0 {
				share = fmt.Sprintf("%.2f", float64(counts[q.answer])/float64(answered))
			}
		}
		w.Write([]string{firstText(q.Text), strings.Join(cs, "; "), answer, fmt.Sprint(answered), fmt.Sprint(len(k.students)), share, fmt.Sprint(q.revealed)})
	}
	k.mu.Unlock()
	w.Flush()
	c.Response().Header().Set("Content-Disposition", `attachment; filename="zablab-class-`+r.Name+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
}

// firstText is a text in English, else Chinese.
func firstText(t Text) string {
	if t["en"] != "" {
		return t["en"]
	}
	return t["zh"]
}
