// What the lesson player and the lab's lesson banner share: the lessons fetched once, and a
// tracker that reads the room's lesson view and decides which step to show and how.

import { getLesson } from "../api";
import type { Lesson, LessonView, Step } from "../types";

const cache = new Map<string, Promise<Lesson | null>>();

/** lessonData fetches a lesson once per page (null when it cannot be had). */
export function lessonData(slug: string): Promise<Lesson | null> {
  let p = cache.get(slug);
  if (!p) {
    p = getLesson(slug).then((r) => (r.ok && r.result ? r.result : null));
    cache.set(slug, p);
    void p.then((l) => {
      if (!l) cache.delete(slug); // try again next time
    });
  }
  return p;
}

/**
 * Phase of the step shown:
 * - ready: not played yet; its narration is shown and Next plays it;
 * - asking: the learner answers its prediction before it plays (the player's own phase);
 * - playing: its script runs;
 * - waiting: a try-it step waits for the learner to reach the goal;
 * - played: it has just been played; its checkpoints and timeline are shown.
 */
export type Phase = "ready" | "asking" | "playing" | "waiting" | "played";

/**
 * LessonTracker follows the lesson views of a room. A step that finishes while watched is
 * shown as played; any other change of the next step (a deep link, Back, a jump, a teacher's
 * start) shows the next step, ready to play.
 */
export class LessonTracker {
  prev: LessonView | null = null;
  shown = 0;
  phase: Phase = "ready";
  private key = "";

  /** update reads a view's lesson; it returns true when what should be shown changed. */
  update(l: LessonView | undefined): boolean {
    if (!l) {
      const had = this.prev !== null;
      this.prev = null;
      this.key = "";
      return had;
    }
    const key = [l.slug, l.next, l.playing, l.waiting, l.results.length, l.last?.digest ?? "", l.error ?? ""].join("|");
    if (key === this.key) return false;
    this.key = key;
    const p = this.prev;
    this.prev = l;
    if (!p || p.slug !== l.slug) {
      this.show(l.next, l.playing ? (l.waiting ? "waiting" : "playing") : "ready");
      return true;
    }
    if (l.playing) {
      this.show(l.next, l.waiting ? "waiting" : "playing");
    } else if (l.next === p.next + 1 && l.results.length === p.results.length + 1) {
      this.show(l.next - 1, "played");
    } else if (l.next !== p.next || l.results.length !== p.results.length) {
      this.show(l.next, "ready");
    } else if (p.playing && !l.playing) {
      // A step stopped without moving on (an error): show it as played.
      this.show(l.next, "played");
    }
    return true;
  }

  /** reset forgets the history (the next view is read as a jump). */
  reset(): void {
    this.prev = null;
    this.key = "";
  }

  show(index: number, phase: Phase): void {
    this.shown = index;
    this.phase = phase;
  }
}

/** stepMark: how a step of the lesson went, from the room's results. */
export function stepMark(l: LessonView | undefined, index: number): "passed" | "failed" | "pending" {
  const r = l?.results.find((x) => x.index === index);
  if (!r) return "pending";
  return r.pass ? "passed" : "failed";
}

/**
 * aboutQueues: the step is about the leader's queues or a proposal's acks — it checks them,
 * or its narration talks of queues — so the player shows that panel beside the picture.
 */
export function aboutQueues(step: Step): boolean {
  const lines = [...(step.script ?? []), ...(step.goal ?? [])];
  if (lines.some((c) => c.kind === "check" && /^(expect\s+)?(queue|proposal)\b/.test(c.text))) return true;
  return /\bqueues?\b/i.test(`${step.body.en}\n${step.after?.en ?? ""}`);
}

/** Steps are numbered from 1 for people. */
export function human(index: number): number {
  return index + 1;
}
