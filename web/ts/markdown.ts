// A small, safe Markdown renderer for lesson narration. It builds DOM nodes directly (never
// innerHTML), so any HTML in the source shows as text. Blocks: paragraphs, headings, ordered
// and unordered lists (nested by indentation), fenced code, block quotes, tables, rules.
// Inline: `code`, **bold**, *em* / _em_, [links](url), <autolinks>, backslash escapes.

import { h } from "./dom";

type Inline = Node[];

const FENCE = /^\s{0,3}(`{3,}|~{3,})\s*([\w+-]*)\s*$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_SEP = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

/** renderMarkdown turns Markdown into a fragment of safe DOM nodes. */
export function renderMarkdown(src: string): DocumentFragment {
  const frag = document.createDocumentFragment();
  frag.append(...blocks(src.replace(/\r\n?/g, "\n").split("\n")));
  return frag;
}

/** renderInline renders one line of inline Markdown (no blocks). */
export function renderInline(src: string): DocumentFragment {
  const frag = document.createDocumentFragment();
  frag.append(...inline(src));
  return frag;
}

function isBlank(line: string): boolean {
  return line.trim() === "";
}

/** startsBlock: the line opens a block other than a paragraph (it interrupts one). */
function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || ITEM.test(line);
}

function blocks(lines: string[]): Node[] {
  const out: Node[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const mark = fence[1]!;
      const body: string[] = [];
      i++;
      while (i < lines.length && !new RegExp(`^\\s{0,3}${mark[0] === "`" ? "`" : "~"}{${mark.length},}\\s*$`).test(lines[i]!)) {
        body.push(lines[i]!);
        i++;
      }
      i++; // the closing fence (or the end)
      const code = h("code", fence[2] ? { "data-lang": fence[2] } : {}, body.join("\n"));
      out.push(h("pre", {}, code));
      continue;
    }
    const head = HEADING.exec(line);
    if (head) {
      // Narration sits under the step's own heading (h3): its headings start at h4.
      const level = Math.min(6, head[1]!.length + 3);
      const el = document.createElement(`h${level}`);
      el.append(...inline(head[2]!));
      out.push(el);
      i++;
      continue;
    }
    if (RULE.test(line)) {
      out.push(h("hr"));
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && !isBlank(lines[i]!)) {
        const q = QUOTE.exec(lines[i]!);
        body.push(q ? q[1]! : lines[i]!);
        i++;
      }
      const bq = h("blockquote");
      bq.append(...blocks(body));
      out.push(bq);
      continue;
    }
    if (line.includes("|") && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]!) && lines[i + 1]!.includes("-")) {
      const rows: string[] = [line];
      i += 2;
      while (i < lines.length && !isBlank(lines[i]!) && lines[i]!.includes("|")) {
        rows.push(lines[i]!);
        i++;
      }
      out.push(table(rows));
      continue;
    }
    if (ITEM.test(line)) {
      i = list(lines, i, out);
      continue;
    }
    const para: string[] = [line];
    i++;
    while (i < lines.length && !isBlank(lines[i]!) && !startsBlock(lines[i]!)) {
      para.push(lines[i]!);
      i++;
    }
    const p = h("p");
    p.append(...inline(joinLines(para)));
    out.push(p);
  }
  return out;
}

function cells(row: string): string[] {
  let r = row.trim();
  if (r.startsWith("|")) r = r.slice(1);
  if (r.endsWith("|") && !r.endsWith("\\|")) r = r.slice(0, -1);
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < r.length; i++) {
    const c = r[i]!;
    if (c === "\\" && r[i + 1] === "|") {
      cur += "|";
      i++;
    } else if (c === "|") {
      out.push(cur.trim());
      cur = "";
    } else {
      cur += c;
    }
  }
  out.push(cur.trim());
  return out;
}

function table(rows: string[]): HTMLElement {
  const [headRow, ...bodyRows] = rows;
  const thead = h("thead");
  const tr = h("tr");
  for (const c of cells(headRow!)) {
    const th = h("th", { scope: "col" });
    th.append(...inline(c));
    tr.append(th);
  }
  thead.append(tr);
  const tbody = h("tbody");
  for (const row of bodyRows) {
    const r = h("tr");
    for (const c of cells(row)) {
      const td = h("td");
      td.append(...inline(c));
      r.append(td);
    }
    tbody.append(r);
  }
  return h("div", { class: "table-scroll" }, h("table", { class: "md-table" }, thead, tbody));
}

/** list parses a list starting at line i into out and returns the next line's index. */
function list(lines: string[], i: number, out: Node[]): number {
  const first = ITEM.exec(lines[i]!)!;
  const indent = first[1]!.length;
  const ordered = /\d/.test(first[2]!);
  const el = ordered ? h("ol") : h("ul");
  if (ordered) {
    const start = parseInt(first[2]!, 10);
    if (start !== 1) el.setAttribute("start", String(start));
  }
  let loose = false;
  const items: string[][] = [];
  while (i < lines.length) {
    const m = ITEM.exec(lines[i]!);
    if (!m || m[1]!.length !== indent || /\d/.test(m[2]!) !== ordered) break;
    const contentIndent = m[1]!.length + m[2]!.length + 1;
    const body: string[] = [m[3]!];
    i++;
    while (i < lines.length) {
      const l = lines[i]!;
      if (isBlank(l)) {
        // A blank line continues the item only when indented content follows.
        const nextLine = lines[i + 1];
        if (nextLine !== undefined && !isBlank(nextLine) && leading(nextLine) >= contentIndent) {
          body.push("");
          loose = true;
          i++;
          continue;
        }
        const nm = nextLine !== undefined ? ITEM.exec(nextLine) : null;
        if (nm && nm[1]!.length === indent && /\d/.test(nm[2]!) === ordered) loose = true;
        i++;
        break;
      }
      const sub = ITEM.exec(l);
      if (sub && sub[1]!.length <= indent) break; // a sibling or an outer item
      if (leading(l) >= Math.min(contentIndent, indent + 2)) {
        body.push(l.slice(Math.min(leading(l), contentIndent)));
      } else if (!startsBlock(l)) {
        body.push(l.trim()); // a lazy continuation line
      } else {
        break;
      }
      i++;
    }
    items.push(body);
    if (i < lines.length && isBlank(lines[i - 1] ?? "x") && !ITEM.test(lines[i]!)) break;
  }
  for (const body of items) {
    const li = h("li");
    const kids = blocks(body);
    if (!loose && kids.length > 0 && kids[0] instanceof HTMLParagraphElement) {
      // A tight list: no paragraph around the item's first line.
      li.append(...Array.from(kids[0].childNodes), ...kids.slice(1));
    } else {
      li.append(...kids);
    }
    el.append(li);
  }
  out.push(el);
  return i;
}

function leading(line: string): number {
  return line.length - line.trimStart().length;
}

const CJK = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/;

/** joinLines joins a paragraph's lines: a space between words, none between Chinese characters. */
function joinLines(lines: string[]): string {
  let s = lines[0]!.trim();
  for (let k = 1; k < lines.length; k++) {
    const l = lines[k]!.trim();
    if (/( {2,}|\\)$/.test(lines[k - 1]!)) {
      // A hard line break: two spaces or a backslash at the end of the line.
      s = s.replace(/\\$/, "") + "\n" + l;
      continue;
    }
    const a = s[s.length - 1] ?? "";
    const b = l[0] ?? "";
    s += CJK.test(a) || CJK.test(b) ? l : " " + l;
  }
  return s;
}

/** safeHref allows web, mail and relative links; anything else (javascript:, data:) is refused. */
export function safeHref(url: string): string | null {
  const u = url.trim();
  if (/^(https?:|mailto:)/i.test(u)) return u;
  if (/^[a-z][a-z0-9+.-]*:/i.test(u)) return null;
  if (/[\u0000-\u001f]/.test(u)) return null;
  return u;
}

function link(label: Inline, url: string): Node[] {
  const href = safeHref(url);
  if (href === null) return label;
  const external = /^https?:/i.test(href);
  const a = h("a", external ? { href, target: "_blank", rel: "noopener noreferrer" } : { href });
  a.append(...label);
  return [a];
}

const PUNCT = /[!-\/:-@[-`{-~]/;

function inline(src: string): Inline {
  const out: Node[] = [];
  let text = "";
  const flush = () => {
    if (text) out.push(document.createTextNode(text));
    text = "";
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "\\" && i + 1 < src.length && PUNCT.test(src[i + 1]!)) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    if (c === "\n") {
      flush();
      out.push(h("br"));
      i++;
      continue;
    }
    if (c === "`") {
      let n = 1;
      while (src[i + n] === "`") n++;
      const ticks = "`".repeat(n);
      const end = src.indexOf(ticks, i + n);
      if (end > 0) {
        flush();
        let code = src.slice(i + n, end);
        if (/^ .* $/.test(code)) code = code.slice(1, -1);
        out.push(h("code", {}, code));
        i = end + n;
        continue;
      }
      text += ticks;
      i += n;
      continue;
    }
    if ((c === "*" || c === "_") && src[i + 1] === c) {
      const end = src.indexOf(c + c, i + 2);
      if (end > i + 2 && src[i + 2] !== " ") {
        flush();
        const strong = h("strong");
        strong.append(...inline(src.slice(i + 2, end)));
        out.push(strong);
        i = end + 2;
        continue;
      }
    }
    if (c === "*" || c === "_") {
      const wordBefore = i > 0 && /\w/.test(src[i - 1]!);
      if (!(c === "_" && wordBefore) && src[i + 1] !== " " && src[i + 1] !== undefined) {
        const end = findSingle(src, c, i + 1);
        if (end > i + 1) {
          flush();
          const em = h("em");
          em.append(...inline(src.slice(i + 1, end)));
          out.push(em);
          i = end + 1;
          continue;
        }
      }
    }
    if (c === "[") {
      const close = matchBracket(src, i);
      if (close > 0 && src[close + 1] === "(") {
        const end = matchParen(src, close + 1);
        if (end > 0) {
          flush();
          const url = src.slice(close + 2, end).split(/\s+/)[0] ?? "";
          out.push(...link(inline(src.slice(i + 1, close)), url));
          i = end + 1;
          continue;
        }
      }
    }
    if (c === "<") {
      const m = /^<(https?:\/\/[^\s<>]+)>/i.exec(src.slice(i));
      if (m) {
        flush();
        out.push(...link([document.createTextNode(m[1]!)], m[1]!));
        i += m[0].length;
        continue;
      }
    }
    text += c;
    i++;
  }
  flush();
  return out;
}

/** findSingle finds the closing single * or _ (not part of a double one). */
function findSingle(src: string, c: string, from: number): number {
  for (let j = from; j < src.length; j++) {
    if (src[j] === "\\") {
      j++;
      continue;
    }
    if (src[j] === "`") {
      const end = src.indexOf("`", j + 1);
      if (end > 0) j = end;
      continue;
    }
    if (src[j] === c) {
      if (src[j + 1] === c) {
        const end = src.indexOf(c + c, j + 2);
        if (end < 0) return -1;
        j = end + 1;
        continue;
      }
      if (src[j - 1] === " ") continue;
      if (c === "_" && /\w/.test(src[j + 1] ?? "")) continue;
      return j;
    }
  }
  return -1;
}

/** matchParen finds the ")" closing the "(" at open, allowing balanced parentheses inside. */
function matchParen(src: string, open: number): number {
  let depth = 0;
  for (let j = open; j < src.length; j++) {
    if (src[j] === "(") depth++;
    else if (src[j] === ")") {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

function matchBracket(src: string, open: number): number {
  let depth = 0;
  for (let j = open; j < src.length; j++) {
    if (src[j] === "\\") {
      j++;
      continue;
    }
    if (src[j] === "[") depth++;
    else if (src[j] === "]") {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}
