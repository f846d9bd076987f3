// Type-level check that types.ts mirrors the Go JSON: the samples in this folder were written
// by the engine (see README.md here) and must fit the TypeScript types, field for field, with
// no field the types do not know. `npm run typecheck` runs it; nothing here is bundled.

import type { Lesson, LessonSummary, LessonView, NodeView, RoomView, Step, StepResult, ZEvent, ZNode } from "../types";
import events from "./events.json";
import tree from "./tree.json";
import view from "./view.json";
import lesson from "./lesson.json";
import lessonList from "./lessons.json";
import lessonView from "./lesson-view.json";

/** Loose turns string-literal unions into string, as JSON imports are typed. */
type Loose<T> = T extends string
  ? string
  : T extends (infer U)[]
    ? Loose<U>[]
    : T extends [infer A, infer B]
      ? [Loose<A>, Loose<B>]
      : T extends object
        ? { [K in keyof T]: Loose<T[K]> }
        : T;

/** NoExtra is true when S has no key that T lacks. */
type NoExtra<S, T> = Exclude<keyof S, keyof T> extends never ? true : false;

type LinkRulesJSON = { groups: number[][]; cuts: number[][]; lossPct: number };

export const roomView: Omit<Loose<RoomView>, "links"> & { links: LinkRulesJSON } = view;
export const nodeView: Omit<Loose<NodeView>, "queues" | "outstanding"> = view.nodes[0]!;
export const znode: Loose<ZNode> | { stat: { ephemeralOwner: number } } = tree[0]!;
export const event: Loose<ZEvent> = events[0]!;
export const events_: Loose<ZEvent>[] = events;

export const viewHasNoUnknownField: NoExtra<typeof view, RoomView> = true;
export const nodeHasNoUnknownField: NoExtra<(typeof view.nodes)[number], NodeView> = true;
export const eventHasNoUnknownField: NoExtra<(typeof events)[number], ZEvent> = true;
export const znodeHasNoUnknownField: NoExtra<(typeof tree)[number], ZNode> = true;

export const lessonSummary: Loose<LessonSummary> = lessonList[0]!;
export const lessonSample: Loose<Lesson> = lesson;
export const lessonViewSample: Loose<LessonView> = lessonView;

export const lessonSummaryHasNoUnknownField: NoExtra<(typeof lessonList)[number], LessonSummary> = true;
export const lessonHasNoUnknownField: NoExtra<typeof lesson, Lesson> = true;
export const stepHasNoUnknownField: NoExtra<(typeof lesson.steps)[number], Step> = true;
export const lessonViewHasNoUnknownField: NoExtra<typeof lessonView, LessonView> = true;
export const stepResultHasNoUnknownField: NoExtra<NonNullable<typeof lessonView.last>, StepResult> = true;
