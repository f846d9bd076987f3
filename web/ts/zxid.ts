// Zxids: epoch in the high 32 bits, counter in the low 32 bits, sent as "0x…" hex strings
// ("-1" when there is none). Parsed without BigInt: the hex digits split at 8 from the right.

/** A parsed zxid. `none` marks "-1" or anything unparsable. */
export interface Zxid {
  epoch: number;
  counter: number;
  hex: string;
  none: boolean;
}

const NONE: Zxid = { epoch: 0, counter: 0, hex: "-1", none: true };

/** parseZxid reads "0x300000002" as epoch 3, counter 2. */
export function parseZxid(s: string | undefined | null): Zxid {
  if (!s || s === "-1") return NONE;
  const m = /^0x([0-9a-f]{1,16})$/i.exec(s);
  if (!m || m[1] === undefined) return NONE;
  const digits = m[1].toLowerCase();
  const hi = digits.length > 8 ? digits.slice(0, digits.length - 8) : "0";
  const lo = digits.length > 8 ? digits.slice(digits.length - 8) : digits;
  return { epoch: parseInt(hi, 16), counter: parseInt(lo, 16), hex: "0x" + digits, none: false };
}

/** compareZxid orders zxids; "none" sorts before everything. */
export function compareZxid(a: string | undefined, b: string | undefined): number {
  const x = parseZxid(a);
  const y = parseZxid(b);
  if (x.none || y.none) return (x.none ? 0 : 1) - (y.none ? 0 : 1);
  return x.epoch - y.epoch || x.counter - y.counter;
}

/** zxidPair is "(3, 2)", or "—" for none. */
export function zxidPair(s: string | undefined): string {
  const z = parseZxid(s);
  return z.none ? "—" : `(${z.epoch}, ${z.counter})`;
}

/** zxidFull is "(3, 2) 0x300000002", as the lab shows zxids everywhere. */
export function zxidFull(s: string | undefined): string {
  const z = parseZxid(s);
  return z.none ? "—" : `(${z.epoch}, ${z.counter}) ${z.hex}`;
}
