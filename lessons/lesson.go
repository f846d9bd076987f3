// Package lessons reads zablab's lesson files and plays them on the engine.
//
// A lesson is one Markdown file holding both languages (English and Simplified Chinese) and
// one script: a header with the cluster to build, then steps, each with a title and
// narration per language, an optional "predict" question, and a script of actions (crash,
// partition, client requests, advance time) and checkpoints (who leads, which zxids, which
// sync mode, which znodes). The format is documented in README.md in this directory.
//
// Playing is deterministic: a lesson's seed and script give the same cluster, event for
// event, every time, so the web player's Back button and deep links replay a lesson from
// the start (Replay). The package has no goroutines and no wall clock; a Run belongs to one
// goroutine, like the cluster it drives.
package lessons

import (
	"fmt"
	"os"

	"github.com/zablab/zablab/engine"
	_ "github.com/zablab/zablab/engine/check" // every cluster is checked
)

// Lang is a language of the lessons: engine.En or engine.Zh.
type Lang = engine.Lang

// Langs lists the languages every lesson must provide, in display order.
var Langs = []Lang{engine.En, engine.Zh}

// Text is one piece of text in every language.
type Text map[Lang]string

// In returns the text in lang, falling back to English.
func (t Text) In(lang Lang) string {
	if s, ok := t[lang]; ok {
		return s
	}
	return t[engine.En]
}

// tx builds a Text from an English and a Chinese format with the same arguments. The
// Chinese format may use explicit argument indexes (%[2]d) to reorder them.
func tx(en, zh string, args ...any) Text {
	return Text{engine.En: fmt.Sprintf(en, args...), engine.Zh: fmt.Sprintf(zh, args...)}
}

// Lesson is one parsed lesson file.
type Lesson struct {
	// File is the name the lesson was parsed under (its path, for messages).
	File string `json:"file"`
	// Slug names the lesson in URLs; unique within a directory.
	Slug    string `json:"slug"`
	Title   Text   `json:"title"`
	Summary Text   `json:"summary,omitempty"`
	// Setup is the header as written; Config is the engine configuration built from it.
	Setup  Setup         `json:"setup"`
	Config engine.Config `json:"-"`
	Steps  []*Step       `json:"steps"`
}

// Setup is the cluster a lesson builds, as its header gives it.
type Setup struct {
	Voters             int     `json:"voters"`
	Observers          int     `json:"observers"`
	Seed               int64   `json:"seed"`
	Timing             string  `json:"timing"`
	Bug                string  `json:"bug,omitempty"`
	CommitLogCount     int     `json:"commitLogCount"`
	SnapCount          int     `json:"snapCount"`
	SnapshotSizeFactor float64 `json:"snapshotSizeFactor"`
	StartCounter       uint32  `json:"startCounter,omitempty"`
}

// Step is one step of a lesson.
type Step struct {
	Index int    `json:"index"`
	ID    string `json:"id"`
	Line  int    `json:"line"`
	Title Text   `json:"title"`
	// Body is the narration, Markdown, per language.
	Body Text `json:"body"`
	// After is the part of the narration written below a "<!-- after -->" line: it tells
	// the outcome, so the player shows it only once the step has played (for a try step,
	// once the learner reached the goal). Empty when the narration has no such line.
	After   Text     `json:"after,omitempty"`
	Predict *Predict `json:"predict,omitempty"`
	// Try marks a "try it yourself" step: after Script, the learner must make Goal true;
	// the headless runner applies Solution instead.
	Try bool `json:"try"`
	// Script holds actions and checkpoints, run in order.
	Script   []*Command `json:"script"`
	Goal     []*Command `json:"goal,omitempty"`
	Solution []*Command `json:"solution,omitempty"`
}

// Predict is a question asked before a step's actions reveal the answer. The browser asks
// it; the headless runner only records it.
type Predict struct {
	Question Text     `json:"question"`
	Choices  []Choice `json:"choices"`
	// Answer is the index of the correct choice.
	Answer  int  `json:"answer"`
	Explain Text `json:"explain,omitempty"`
}

// Choice is one answer offered by a Predict.
type Choice struct {
	Text Text `json:"text"`
}

// Load parses every lesson file (*.md except README.md) of dir, in file-name order.
func Load(dir string) ([]*Lesson, error) { return loadFS(os.DirFS(dir), dir) }

// ParseError is a malformed lesson file: its name, the 1-based line and why.
type ParseError struct {
	File   string
	Line   int
	Reason string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason) }
