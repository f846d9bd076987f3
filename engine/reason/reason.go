// Package reason holds the typed reasons the engine attaches to events and views, and the one
// catalogue that renders them (and every event sentence) in English and Simplified Chinese.
//
// A Reason is a code plus arguments. Numeric arguments (ids, counts, milliseconds, zxids,
// bit sets) fill N in the order the catalogue lists them; a code has at most one text argument,
// kept in S. An argument of kind KReason nests another reason: its code takes the next slot of N
// and its own numeric arguments the slots after it (so it must be the last argument).
//
// The catalogue is also generated into web/ts/catalogue.gen.ts so the page renders the same
// sentences (TestCatalogueTS keeps that file fresh).
package reason

import (
	"math/bits"
	"strconv"
	"strings"
)

// Lang is a user language: "en" or "zh" (Simplified Chinese).
type Lang string

// Languages.
const (
	En Lang = "en"
	Zh Lang = "zh"
)

// Slots is the number of numeric argument slots in a Reason.
const Slots = 6

// Reason is a code plus typed arguments. It is a plain value: building one does not allocate.
type Reason struct {
	Code Code
	N    [Slots]int64
	S    string
}

// Kind is the type of an argument.
type Kind uint8

// Argument kinds.
const (
	KInt    Kind = iota + 1 // a decimal integer (ids, counts, milliseconds, epochs)
	KZxid                   // a zxid: "0x…" (or -1)
	KHex                    // a 64-bit id shown as "0x…" (sessions, counters)
	KText                   // a text argument (protocol identifiers, addresses, errors): S
	KTenths                 // a fixed-point number with one decimal (value/10)
	KGroups                 // a partition: 4 bits per server id (group index + 1)
	KIDs                    // a set of server ids: bit i set for id i
	KReason                 // a nested reason (must be last)
	KBytes                  // a size in bytes, shown as "67 MB", "36 KB" or "512 B"
)

var kindNames = [...]string{"", "int", "zxid", "hex", "text", "tenths", "groups", "ids", "reason", "bytes"}

func (k Kind) String() string { return kindNames[k] }

// Arg is one named argument of a code.
type Arg struct {
	Name string
	Kind Kind
}

// Entry is one catalogue row: a stable dotted name, its arguments and its templates.
// Templates name arguments in braces: "elected {leader} as leader".
type Entry struct {
	Name   string
	Args   []Arg
	En, Zh string
}

// Of builds a reason from a code and its numeric arguments in catalogue order.
func Of(c Code, n ...int64) Reason {
	r := Reason{Code: c}
	copy(r.N[:], n)
	return r
}

// Text builds a reason whose code has a text argument.
func Text(c Code, s string, n ...int64) Reason {
	r := Reason{Code: c, S: s}
	copy(r.N[:], n)
	return r
}

// Nest builds a reason whose last argument is the reason sub; n are its other numeric
// arguments. sub's text argument, if any, becomes the text of the result.
func Nest(c Code, sub Reason, n ...int64) Reason {
	r := Reason{Code: c, S: sub.S}
	k := copy(r.N[:], n)
	r.N[k] = int64(sub.Code)
	copy(r.N[k+1:], sub.N[:])
	return r
}

// WithText returns r with its text argument set.
func (r Reason) WithText(s string) Reason {
	r.S = s
	return r
}

// used is, per code, how many slots of N its arguments may fill (all of them when it nests).
var used = func() (u [codeCount]uint8) {
	for c, e := range catalogue {
		for _, a := range e.Args {
			switch a.Kind {
			case KText:
			case KReason:
				u[c] = Slots
			default:
				u[c]++
			}
		}
		if u[c] > Slots {
			u[c] = Slots
		}
	}
	return u
}()

// Used is the prefix of N that r's code may fill (for hashing only what matters).
func (r *Reason) Used() []int64 {
	if int(r.Code) >= len(used) {
		return r.N[:]
	}
	return r.N[:used[r.Code]]
}

// Sub is the reason nested in r (its KReason argument); zero when r nests none.
func (r Reason) Sub() Reason {
	if int(r.Code) >= len(catalogue) {
		return Reason{}
	}
	i := 0
	for _, a := range catalogue[r.Code].Args {
		switch a.Kind {
		case KText:
		case KReason:
			sub := Reason{Code: Code(r.N[i]), S: r.S}
			copy(sub.N[:], r.N[i+1:])
			return sub
		default:
			i++
		}
	}
	return Reason{}
}

// IsZero says whether r carries no reason.
func (r Reason) IsZero() bool { return r.Code == 0 }

// Name is the code's stable dotted name ("" for no reason).
func (c Code) Name() string {
	if int(c) < len(catalogue) {
		return catalogue[c].Name
	}
	return "unknown"
}

func (c Code) String() string { return c.Name() }

// Invariant is the invariant a violation code belongs to: "Leadership1" for
// "violation.Leadership1.twoProposals"; "" for other codes.
func (c Code) Invariant() string {
	name, ok := strings.CutPrefix(c.Name(), "violation.")
	if !ok {
		return ""
	}
	inv, _, _ := strings.Cut(name, ".")
	return inv
}

// Lookup finds a code by its dotted name.
func Lookup(name string) (Code, bool) {
	for i := range catalogue {
		if i > 0 && catalogue[i].Name == name {
			return Code(i), true
		}
	}
	return 0, false
}

// Template is the template of code c in a language.
func (c Code) Template(lang Lang) string {
	if int(c) >= len(catalogue) {
		return ""
	}
	if lang == Zh {
		return catalogue[c].Zh
	}
	return catalogue[c].En
}

// Render renders a reason as a sentence fragment in a language ("" for no reason).
func Render(r Reason, lang Lang) string {
	if r.Code == 0 {
		return ""
	}
	var b strings.Builder
	render(&b, r.Code, r.N[:], r.S, lang)
	return b.String()
}

// String renders a reason in English.
func (r Reason) String() string { return Render(r, En) }

func render(b *strings.Builder, c Code, n []int64, s string, lang Lang) {
	if int(c) >= len(catalogue) || c == 0 {
		b.WriteString("?")
		return
	}
	args := catalogue[c].Args
	Fill(b, c.Template(lang), func(b *strings.Builder, name string) {
		i := 0
		for _, a := range args {
			if a.Name == name {
				if a.Kind == KReason {
					render(b, Code(n[i]), n[i+1:], s, lang)
				} else {
					b.WriteString(format(a.Kind, n[i], s))
				}
				return
			}
			if a.Kind != KText {
				i++
			}
		}
		b.WriteString("{" + name + "}")
	})
}

// Fill expands a template, calling value for every {name}.
func Fill(b *strings.Builder, tmpl string, value func(b *strings.Builder, name string)) {
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return
		}
		b.WriteString(tmpl[:i])
		value(b, tmpl[i+1:i+j])
		tmpl = tmpl[i+j+1:]
	}
}

// Placeholders lists the {names} of a template in order.
func Placeholders(tmpl string) []string {
	var out []string
	var b strings.Builder
	Fill(&b, tmpl, func(_ *strings.Builder, name string) { out = append(out, name) })
	return out
}

func format(k Kind, v int64, s string) string {
	switch k {
	case KZxid:
		return FormatZxid(v)
	case KHex:
		return "0x" + strconv.FormatUint(uint64(v), 16)
	case KText:
		return s
	case KTenths:
		neg := ""
		if v < 0 {
			neg, v = "-", -v
		}
		return neg + strconv.FormatInt(v/10, 10) + "." + strconv.FormatInt(v%10, 10)
	case KGroups:
		return formatGroups(v)
	case KIDs:
		return "[" + joinIDs(uint64(v)) + "]"
	case KBytes:
		return FormatBytes(v)
	}
	return strconv.FormatInt(v, 10)
}

// FormatBytes renders a size with decimal units: "512 B", "36 KB", "2.1 MB", "67 MB"
// (one decimal below 10 units; rounded half up, in integers, as the page does).
func FormatBytes(v int64) string {
	if v < 1000 {
		return strconv.FormatInt(v, 10) + " B"
	}
	units := []string{"KB", "MB", "GB", "TB", "PB"}
	unit, u := int64(1000), 0
	for v >= unit*1000 && u < len(units)-1 {
		unit *= 1000
		u++
	}
	if v < 10*unit {
		tenths := (v*10 + unit/2) / unit
		return strconv.FormatInt(tenths/10, 10) + "." + strconv.FormatInt(tenths%10, 10) + " " + units[u]
	}
	return strconv.FormatInt((v+unit/2)/unit, 10) + " " + units[u]
}

// FormatZxid renders a zxid as the engine does: "0x…", or "-1".
func FormatZxid(v int64) string {
	if v == -1 {
		return "-1"
	}
	return "0x" + strconv.FormatUint(uint64(v), 16)
}

// Groups encodes a partition: groups[i] holds server ids (1..15).
func Groups(groups [][]int) int64 {
	var v uint64
	for g, ids := range groups {
		for _, id := range ids {
			if id > 0 && id < 16 && g < 15 {
				v |= uint64(g+1) << (4 * id)
			}
		}
	}
	return int64(v)
}

// DecodeGroups is the inverse of Groups (ids ascending within a group).
func DecodeGroups(v int64) [][]int {
	var out [][]int
	for g := 1; g < 16; g++ {
		var ids []int
		for id := 1; id < 16; id++ {
			if int(uint64(v)>>(4*id)&15) == g {
				ids = append(ids, id)
			}
		}
		if ids == nil {
			break
		}
		out = append(out, ids)
	}
	return out
}

func formatGroups(v int64) string {
	gs := DecodeGroups(v)
	parts := make([]string, len(gs))
	for i, g := range gs {
		var b strings.Builder
		b.WriteByte('[')
		for j, id := range g {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.Itoa(id))
		}
		b.WriteByte(']')
		parts[i] = b.String()
	}
	return strings.Join(parts, " | ")
}

// IDs encodes a set of server ids (0..63) as a bit set.
func IDs(ids ...int) int64 {
	var v uint64
	for _, id := range ids {
		v |= 1 << uint(id&63)
	}
	return int64(v)
}

func idList(v uint64) []int {
	var out []int
	for v != 0 {
		i := bits.TrailingZeros64(v)
		out = append(out, i)
		v &^= 1 << uint(i)
	}
	return out
}

func joinIDs(v uint64) string {
	ids := idList(v)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(id)
	}
	return strings.Join(parts, ", ")
}

// MarshalJSON encodes {"code": ..., "args": {...}} with the arguments in catalogue order
// (zxids and 64-bit ids as "0x…" strings, partitions as arrays of ids, nested reasons as
// objects), or null for no reason.
func (r Reason) MarshalJSON() ([]byte, error) {
	if r.Code == 0 {
		return []byte("null"), nil
	}
	return r.AppendJSON(nil), nil
}

// AppendJSON appends the JSON form of a reason (see MarshalJSON) to b.
func (r Reason) AppendJSON(b []byte) []byte {
	if r.Code == 0 {
		return append(b, "null"...)
	}
	return appendJSON(b, r.Code, r.N[:], r.S)
}

func appendJSON(b []byte, c Code, n []int64, s string) []byte {
	b = append(b, `{"code":`...)
	b = appendString(b, c.Name())
	if int(c) >= len(catalogue) || len(catalogue[c].Args) == 0 {
		return append(b, '}')
	}
	b = append(b, `,"args":{`...)
	i := 0
	for j, a := range catalogue[c].Args {
		if j > 0 {
			b = append(b, ',')
		}
		b = appendString(b, a.Name)
		b = append(b, ':')
		switch a.Kind {
		case KText:
			b = appendString(b, s)
			continue
		case KZxid, KHex:
			b = appendString(b, format(a.Kind, n[i], s))
		case KTenths:
			b = strconv.AppendFloat(b, float64(n[i])/10, 'f', -1, 64)
		case KGroups:
			b = append(b, '[')
			for k, g := range DecodeGroups(n[i]) {
				if k > 0 {
					b = append(b, ',')
				}
				b = appendInts(b, g)
			}
			b = append(b, ']')
		case KIDs:
			b = appendInts(b, idList(uint64(n[i])))
		case KReason:
			b = appendJSON(b, Code(n[i]), n[i+1:], s)
		default:
			b = strconv.AppendInt(b, n[i], 10)
		}
		i++
	}
	return append(b, "}}"...)
}

func appendInts(b []byte, xs []int) []byte {
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(x), 10)
	}
	return append(b, ']')
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
