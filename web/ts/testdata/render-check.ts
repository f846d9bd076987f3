// Renders the events of sentences.json as the page does (reasons.ts, catalogue.gen.ts) and
// compares them with the sentences Go rendered for the same events (web/samples_test.go writes
// both). `make render-check` runs it under node; nothing here is bundled into the page.

import { describeEvent } from "../reasons";
import type { ZEvent } from "../types";
import samples from "./sentences.json";

const bad: string[] = [];
for (const s of samples) {
  const e = s.event as unknown as ZEvent;
  for (const lang of ["en", "zh"] as const) {
    const got = describeEvent(e, lang);
    const want = lang === "en" ? s.en : s.zh;
    if (got !== want) bad.push(`${lang} event ${e.seq} (${e.kind}):\n  page: ${got}\n  go:   ${want}`);
  }
}
if (bad.length > 0) {
  throw new Error(`${bad.length} sentences differ between the page and Go:\n${bad.slice(0, 10).join("\n")}`);
}
console.log(`render-check: ${samples.length} events render as in Go, in English and Chinese`);
