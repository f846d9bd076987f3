// The REST API (design.md, "HTTP JSON API"). Errors come back as {"error", "code"} with a 4xx
// status; every function here resolves to a CommandResult instead of throwing.

import type { ClusterSpec, Command, CommandResult, Lesson, LessonRoom, LessonSummary, OpResult, RoomView, ZEvent, ZNode } from "./types";

function roomPath(room: string): string {
  return `/api/rooms/${encodeURIComponent(room)}`;
}

/** Session ids (and so Stat.ephemeralOwner) arrive as "0x…" hex strings: 64 bits. */
function parseJSON(text: string): unknown {
  return JSON.parse(text);
}

/** decimalToHex renders a signed 64-bit decimal as unsigned "0x…" hex ("0" for none). */
export function decimalToHex(dec: string): string {
  if (dec === "0") return "0";
  let v = BigInt(dec);
  if (v < BigInt(0)) v += BigInt(1) << BigInt(64);
  return "0x" + v.toString(16);
}

export async function request<T>(method: string, url: string, body?: unknown): Promise<CommandResult<T>> {
  let res: Response;
  try {
    const init: RequestInit = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { Accept: "application/json", "Content-Type": "application/json" };
    }
    res = await fetch(url, init);
  } catch (err) {
    return { ok: false, error: String(err), code: "network" };
  }
  let data: unknown = null;
  const text = await res.text();
  if (text) {
    try {
      data = parseJSON(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const e = (data ?? {}) as { error?: string; code?: string };
    return { ok: false, error: e.error || `${res.status} ${res.statusText}`, code: e.code || String(res.status) };
  }
  return { ok: true, result: data as T };
}

export function getView(room: string): Promise<CommandResult<RoomView>> {
  return request<RoomView>("GET", roomPath(room));
}

export function getTree(room: string, id: number): Promise<CommandResult<ZNode[]>> {
  return request<ZNode[]>("GET", `${roomPath(room)}/nodes/${id}/tree`);
}

export function createRoom(spec: ClusterSpec): Promise<CommandResult<{ room: string; token: string }>> {
  return request("POST", "/api/rooms", spec);
}

export function getLessons(): Promise<CommandResult<LessonSummary[]>> {
  return request<LessonSummary[]>("GET", "/api/lessons");
}

export function getLesson(slug: string): Promise<CommandResult<Lesson>> {
  return request<Lesson>("GET", `/api/lessons/${encodeURIComponent(slug)}`);
}

/** createLessonRoom makes a sandbox room playing a lesson, replayed up to step (steps done). */
export function createLessonRoom(slug: string, step: number): Promise<CommandResult<LessonRoom>> {
  return request<LessonRoom>("POST", `/api/lessons/${encodeURIComponent(slug)}/rooms`, { step });
}

/** parseResult is the websocket path's counterpart of parseJSON, for op results. */
export function normaliseOpResult(r: unknown): OpResult | undefined {
  if (!r || typeof r !== "object") return undefined;
  const o = r as OpResult;
  if (o.stat && typeof (o.stat.ephemeralOwner as unknown) === "number") {
    // Precision may already be lost here; REST answers are exact.
    o.stat.ephemeralOwner = decimalToHex(String(o.stat.ephemeralOwner));
  }
  return o;
}

/** sendREST performs a command through the REST API. */
export function sendREST(room: string, c: Command): Promise<CommandResult> {
  const base = roomPath(room);
  switch (c.cmd) {
    case "apply":
      return request("POST", `${base}/commands`, c.command);
    case "pause":
    case "resume":
    case "step":
      return request("POST", `${base}/${c.cmd}`);
    case "speed":
      return request("POST", `${base}/speed`, { speed: c.speed });
    case "slowmotion":
      return request("POST", `${base}/slowmotion`, { on: c.on });
    case "op": {
      const { cmd: _cmd, ...body } = c;
      return request("POST", `${base}/ops`, body);
    }
    case "reset": {
      const { cmd: _cmd, ...body } = c;
      return request("POST", `${base}/reset`, body);
    }
    case "lesson": {
      const { cmd: _cmd, ...body } = c;
      return request("POST", `${base}/lesson`, body);
    }
    case "autopilot": {
      const { cmd: _cmd, ...body } = c;
      return request("POST", `${base}/autopilot`, body);
    }
  }
}

// ---- The room's past (web/timeline.go) ----

/** web.Mark: a moment on the history tape. */
export interface Mark {
  t: number;
  kind: string;
  node?: number;
  text: string;
  seq: number;
  count?: number;
}

/** GET /api/rooms/{room}/timeline. */
export interface Timeline {
  start: number;
  end: number;
  marks: Mark[];
  dropped?: number;
}

/** GET /api/rooms/{room}/at: the view as it was, and the 2 s of events before it. */
export type AtView = RoomView & { events: ZEvent[] };

/** GET /api/rooms/{room}/events. */
export interface EventsPage {
  events: ZEvent[];
  more: boolean;
}

export function getTimeline(room: string, lang: string): Promise<CommandResult<Timeline>> {
  return request<Timeline>("GET", `${roomPath(room)}/timeline${lang === "zh" ? "?lang=zh" : ""}`);
}

export function getAt(room: string, t: number): Promise<CommandResult<AtView>> {
  return request<AtView>("GET", `${roomPath(room)}/at?t=${t.toFixed(3)}`);
}

/** getEvents reads a window of the past; pages (at most maxPages) are joined. */
export async function getEvents(room: string, from: number, to: number, kinds: string[], maxPages = 3, hidePackets: string[] = []): Promise<CommandResult<EventsPage>> {
  const out: ZEvent[] = [];
  let after = 0;
  for (let page = 0; page < maxPages; page++) {
    const q = new URLSearchParams({ from: Math.max(0, from).toFixed(3), to: Math.max(0, to).toFixed(3) });
    if (kinds.length) q.set("kinds", kinds.join(","));
    if (hidePackets.length) q.set("hidePackets", hidePackets.join(","));
    if (after) q.set("after", String(after));
    const r = await request<EventsPage>("GET", `${roomPath(room)}/events?${q}`);
    if (!r.ok || !r.result) return r;
    out.push(...r.result.events);
    const last = r.result.events[r.result.events.length - 1];
    if (!r.result.more || !last) return { ok: true, result: { events: out, more: false } };
    after = last.seq;
  }
  return { ok: true, result: { events: out, more: true } };
}

/** fork continues the room from t (control needed) or starts a sandbox there. */
export function fork(room: string, t: number, sandbox: boolean): Promise<CommandResult<RoomView & { room?: string; token?: string; url?: string }>> {
  return request("POST", `${roomPath(room)}/fork`, sandbox ? { t, sandbox: true } : { t });
}
