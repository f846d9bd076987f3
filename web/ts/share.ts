// Share a moment: a link that reopens this run at this moment for anyone. A small run travels
// inside the link (its gzipped run file in the fragment, never sent to a server until opened);
// a larger one is saved on the server as a sandbox room (POST /api/runs) and the link names it.
// Opening a link with #run= loads the run into a new sandbox and goes to its moment (#t=).

import { request } from "./api";

/** maxFragment bounds a run carried in the link itself (characters of base64url). */
const maxFragment = 6000;

function b64url(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function unb64url(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** shareLink makes the link to a room's run at simulated time tMs. */
export async function shareLink(room: string, tMs: number): Promise<string> {
  const res = await fetch(`/api/rooms/${encodeURIComponent(room)}/run`, { credentials: "same-origin" });
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  const run = await res.text();
  const at = `t=${tMs.toFixed(3)}`;
  const packed = b64url(await gzip(run));
  if (packed.length <= maxFragment) return `${location.origin}/#run=${packed}&${at}`;
  const r = await request<{ room: string; url: string }>("POST", "/api/runs", JSON.parse(run));
  if (!r.ok || !r.result) throw new Error(r.error ?? "the run could not be saved");
  return `${location.origin}${r.result.url}#${at}`;
}

/** momentOfLink is the moment (ms) a link asks for, or null. */
export function momentOfLink(): number | null {
  const m = /(?:^#|&)t=([0-9.]+)/.exec(location.hash);
  return m ? Number(m[1]) : null;
}

/** openSharedRun loads a run carried in the link into a sandbox and goes there (true), or
 * does nothing when the link carries none (false). */
export async function openSharedRun(): Promise<boolean> {
  const m = /(?:^#|&)run=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (!m) return false;
  const res = await fetch("/api/runs", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: new Blob([unb64url(m[1]!) as BlobPart]) });
  const body = (await res.json()) as { url?: string; error?: string };
  if (!res.ok || !body.url) throw new Error(body.error ?? `${res.status}`);
  const t = momentOfLink();
  location.replace(`${body.url}${t !== null ? `#t=${t}` : ""}`);
  return true;
}
