// Reasons and event sentences rendered on the page, in the current language, from the
// catalogue generated out of the Go one (catalogue.gen.ts): the server sends typed reasons
// ({code, args}) and event fields, never sentences.

import { REASONS, SENTENCES } from "./catalogue.gen";
import { currentLang, type Lang } from "./i18n";
import type { Reason, ReasonArg, ZEvent } from "./types";
import { parseZxid } from "./zxid";

/** fill expands {name} placeholders (as reason.Fill does in Go). */
function fill(tmpl: string, value: (name: string) => string): string {
  let out = "";
  for (;;) {
    const i = tmpl.indexOf("{");
    const j = i < 0 ? -1 : tmpl.indexOf("}", i);
    if (j < 0) return out + tmpl;
    out += tmpl.slice(0, i) + value(tmpl.slice(i + 1, j));
    tmpl = tmpl.slice(j + 1);
  }
}

/**
 * num prints an integer as Go does. JSON numbers beyond 2^53 arrive rounded; the one such
 * value the engine sends (an observer vote's epoch, -2^63) is exact as a double, and BigInt
 * prints it in full.
 */
function num(v: number | undefined): string {
  if (v === undefined) return "0";
  return Number.isSafeInteger(v) || !Number.isInteger(v) ? String(v) : BigInt(v).toString();
}

function argText(kind: string, v: ReasonArg | undefined, lang: Lang): string {
  if (v === undefined || v === null) return "";
  switch (kind) {
    case "reason":
      return typeof v === "object" && !Array.isArray(v) ? renderReason(v, lang) : "";
    case "tenths":
      return typeof v === "number" ? v.toFixed(1) : String(v);
    case "groups":
      return Array.isArray(v) ? (v as number[][]).map((g) => `[${g.join(" ")}]`).join(" | ") : "";
    case "ids":
      return Array.isArray(v) ? `[${(v as number[]).join(", ")}]` : "";
    case "bytes":
      return typeof v === "number" ? formatBytes(v) : String(v);
  }
  return typeof v === "number" ? num(v) : String(v);
}

/** formatBytes renders a size as reason.FormatBytes does: "512 B", "36 KB", "2.1 MB", "67 MB". */
export function formatBytes(v: number): string {
  if (v < 1000) return `${v} B`;
  const units = ["KB", "MB", "GB", "TB", "PB"];
  let unit = 1000;
  let u = 0;
  while (v >= unit * 1000 && u < units.length - 1) {
    unit *= 1000;
    u++;
  }
  if (v < 10 * unit) {
    const tenths = Math.floor((v * 10 + unit / 2) / unit);
    return `${Math.floor(tenths / 10)}.${tenths % 10} ${units[u]}`;
  }
  return `${Math.floor((v + unit / 2) / unit)} ${units[u]}`;
}

/** renderReason renders a typed reason; an unknown code shows as the code itself. */
export function renderReason(r: Reason | null | undefined, lang: Lang = currentLang()): string {
  if (!r) return "";
  const entry = REASONS[r.code];
  if (!entry) return r.code;
  const kinds = new Map(entry.args);
  return fill(lang === "zh" ? entry.zh : entry.en, (name) => argText(kinds.get(name) ?? "text", r.args?.[name], lang));
}

/** invariantOf is the invariant a violation reason names ("violation.<Invariant>.<what>"). */
export function invariantOf(r: Reason | null | undefined): string {
  const parts = r?.code.split(".") ?? [];
  return parts[0] === "violation" ? (parts[1] ?? "") : "";
}

/** sentenceKey mirrors engine.SentenceKey. */
export function sentenceKey(e: ZEvent): string {
  if (e.kind === "epoch") return e.reason?.code === "epoch.accepted" ? "ev.epoch.accepted" : "ev.epoch.current";
  if (e.kind === "propose" && e.reason) return "ev.propose.why";
  if (e.kind === "client") {
    if (!e.op && e.reason) return "ev.client.note";
    return e.zxid ? "ev.client.replyTxn" : "ev.client.reply";
  }
  return "ev." + e.kind;
}

/** eventArg mirrors engine's eventArg: one named field of an event sentence. */
function eventArg(e: ZEvent, name: string, lang: Lang): string {
  const v = e.vote;
  switch (name) {
    case "node":
      return num(e.node);
    case "peer":
      return num(e.peer);
    case "client":
      return num(e.client);
    case "packet":
      return e.packet ?? "";
    case "state":
      return e.state ?? "";
    case "phase":
      return e.phase ?? "";
    case "mode":
      return e.mode ?? "";
    case "op":
      return e.op ?? "";
    case "path":
      return e.path ?? "";
    case "err":
      return e.err ?? "";
    case "n":
      return num(e.n);
    case "m":
      return num(e.m);
    case "epoch":
      return num(e.epoch);
    case "session":
      return e.session ?? "0x0";
    case "zxid":
      return e.zxid ?? "0x0";
    case "zepoch":
      return String(parseZxid(e.zxid ?? "0x0").epoch);
    case "counter":
      return String(parseZxid(e.zxid ?? "0x0").counter);
    case "vleader":
      return num(v?.leader);
    case "vzxid":
      return v?.zxid ?? "0x0";
    case "vepoch":
      return num(v?.peerEpoch);
    case "vround":
      return num(v?.round);
    case "vstate":
      return v?.state ?? "";
    case "reason":
      return renderReason(e.reason, lang);
    case "invariant":
      return invariantOf(e.reason);
    case "detail":
      if (e.packet === "NOTIFICATION") return sentence("msg.vote", e, lang);
      return e.zxid && e.zxid !== "-1" ? e.zxid : "";
  }
  return `{${name}}`;
}

function sentence(key: string, e: ZEvent, lang: Lang): string {
  const s = SENTENCES[key];
  if (!s) return e.kind;
  return fill(lang === "zh" ? s.zh : s.en, (name) => eventArg(e, name, lang));
}

/** describeEvent is the event's sentence in a language (the current one by default). */
export function describeEvent(e: ZEvent, lang: Lang = currentLang()): string {
  return sentence(sentenceKey(e), e, lang);
}
