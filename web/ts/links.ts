// Link rules as the engine defines them (engine/network.go LinkRules.Up), for drawing.

import type { LinkRules } from "./types";

/** linkUp reports whether messages from one server reach another under the rules. */
export function linkUp(r: LinkRules, from: number, to: number): boolean {
  if (from === to) return true;
  for (const c of r.cuts) {
    if (c[0] === from && c[1] === to) return false;
  }
  if (r.groups.length === 0) return true;
  const gf = groupOf(r, from);
  return gf >= 0 && gf === groupOf(r, to);
}

/** groupOf is the index of a server's partition group, or -1 (in no group). */
export function groupOf(r: LinkRules, id: number): number {
  return r.groups.findIndex((g) => g.includes(id));
}

/** cutExists reports whether the one-way cut from → to is in force. */
export function cutExists(r: LinkRules, from: number, to: number): boolean {
  return r.cuts.some((c) => c[0] === from && c[1] === to);
}
