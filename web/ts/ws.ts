// The websocket: a full view first, then numbered event batches. It reconnects by itself with
// since=<last seq> and carries commands with ids, each answered by a "result" message.

import type { Command, CommandResult, ServerMsg } from "./types";

export interface SocketHandlers {
  onMessage(msg: ServerMsg): void;
  onOpen(): void;
  onClose(): void;
  /** The seq to resume from on a reconnect (0: none). */
  lastSeq(): number;
}

interface Pending {
  resolve(r: CommandResult): void;
  timer: number;
}

const COMMAND_TIMEOUT_MS = 15000;
const MIN_BACKOFF_MS = 400;
const MAX_BACKOFF_MS = 5000;

export class Socket {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private backoff = MIN_BACKOFF_MS;
  private retryTimer = 0;
  private closed = false;
  private sinceOverride = -1;

  constructor(
    private room: string,
    private h: SocketHandlers,
  ) {}

  get open(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** connect opens the socket; a first connection may ask for recent history with since. */
  connect(from = -1): void {
    if (this.closed) return;
    if (from >= 0) this.sinceOverride = from;
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const params = new URLSearchParams();
    const since = this.sinceOverride >= 0 ? this.sinceOverride : this.h.lastSeq();
    this.sinceOverride = -1;
    if (since > 0) params.set("since", String(since));
    const url = `${proto}//${location.host}/api/rooms/${encodeURIComponent(this.room)}/ws?${params}`;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.backoff = MIN_BACKOFF_MS;
      this.h.onOpen();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== "string") return;
      let msg: ServerMsg;
      try {
        msg = JSON.parse(ev.data) as ServerMsg;
      } catch {
        return;
      }
      if (msg.type === "result") {
        this.settle(msg.id, { ok: msg.ok, result: msg.result, error: msg.error, code: msg.code });
        return;
      }
      this.h.onMessage(msg);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.failPending("disconnected");
      this.h.onClose();
      this.retry();
    };
    ws.onerror = () => {
      // onclose follows and handles the retry.
    };
  }

  private retry(): void {
    if (this.closed || this.retryTimer) return;
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = 0;
      this.connect();
    }, wait);
  }

  /** send delivers a command and resolves with the server's result. */
  send(c: Command): Promise<CommandResult> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.resolve({ ok: false, error: "not connected", code: "disconnected" });
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = window.setTimeout(() => this.settle(id, { ok: false, error: "no answer", code: "timeout" }), COMMAND_TIMEOUT_MS);
      this.pending.set(id, { resolve, timer });
      ws.send(JSON.stringify({ id, ...c }));
    });
  }

  private settle(id: number, r: CommandResult): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(r);
  }

  private failPending(why: string): void {
    for (const id of Array.from(this.pending.keys())) {
      this.settle(id, { ok: false, error: why, code: "disconnected" });
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close();
      this.ws = null;
    }
    this.failPending("closed");
  }
}
