package reason

import (
	"bytes"
	"encoding/json"
)

// TypeScript is the catalogue as a TypeScript module (web/ts/catalogue.gen.ts), so the page
// renders reasons and event sentences from the same templates as Go.
func TypeScript() []byte {
	var b bytes.Buffer
	b.WriteString(`// Code generated from engine/reason (catalogue.go, sentences.go) by TestCatalogueTS; DO NOT EDIT.
// Regenerate with: make catalogue  (go test ./engine/reason -run TestCatalogueTS -args -rewrite)

/** How an argument of a reason is carried in JSON and shown. */
export type ArgKind = "int" | "zxid" | "hex" | "text" | "tenths" | "groups" | "ids" | "reason" | "bytes";

/** One reason code: its arguments in order, and its templates ({name} fills an argument). */
export interface ReasonEntry {
  args: [string, ArgKind][];
  en: string;
  zh: string;
}

/** One event sentence: the event fields it names, and its templates. */
export interface SentenceEntry {
  args: string[];
  en: string;
  zh: string;
}

`)
	b.WriteString("export const REASONS: Record<string, ReasonEntry> = {\n")
	for _, e := range catalogue[1:] {
		args := make([][2]string, len(e.Args))
		for i, a := range e.Args {
			args[i] = [2]string{a.Name, a.Kind.String()}
		}
		b.WriteString("  " + jsonText(e.Name) + ": { args: " + jsonText(args) + ", en: " + jsonText(e.En) + ", zh: " + jsonText(e.Zh) + " },\n")
	}
	b.WriteString("};\n\nexport const SENTENCES: Record<string, SentenceEntry> = {\n")
	for _, s := range Sentences {
		b.WriteString("  " + jsonText(s.Key) + ": { args: " + jsonText(s.Args) + ", en: " + jsonText(s.En) + ", zh: " + jsonText(s.Zh) + " },\n")
	}
	b.WriteString("};\n")
	return b.Bytes()
}

func jsonText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return string(bytes.TrimRight(b.Bytes(), "\n"))
}
