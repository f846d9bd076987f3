// The REST API (design.md, "HTTP JSON API"). Errors come back as {"error", "code"} with a 4xx
// status; every function here resolves to a CommandResult instead of throwing.

import type { ClusterSpec, Command, CommandResult, Lesson, LessonRoom, LessonSummary, OpResult, RoomView, ZNode } from "./types";

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

async function request<T>(method: string, url: string, body?: unknown): Promise<CommandResult<T>> {
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
  }
}
