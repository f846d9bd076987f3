// The lesson pages: /lessons (the index) and /lessons/{slug} (the player beside the live
// cluster of a lesson room).

import { createLessonRoom, getLessons, getView, sendREST } from "../api";
import { App } from "../app";
import { button, h } from "../dom";
import { currentLang, pick, setLang, t, type Lang } from "../i18n";
import type { Lesson, RoomView } from "../types";
import { lessonData } from "./model";
import { DONE_KEY, LessonPlayer } from "./player";

const ROOM_KEY = "zablab.lessonRoom.";

function langSwitch(lang: Lang, onSwitch: (l: Lang) => void): HTMLElement {
  const en = button("EN", () => onSwitch("en"), { lang: "en", "aria-pressed": String(lang === "en"), "aria-label": "English" });
  const zh = button("中文", () => onSwitch("zh"), { lang: "zh-CN", "aria-pressed": String(lang === "zh"), "aria-label": "中文" });
  return h("div", { class: "seg", role: "group", "aria-label": t("language") }, en, zh);
}

/** simpleBar is the header of pages without a live cluster. */
function simpleBar(lang: Lang, onSwitch: (l: Lang) => void): HTMLElement {
  return h(
    "header",
    { class: "topbar" },
    h("div", { class: "brand" }, h("span", { class: "logo", "aria-hidden": "true" }, "Z"), h("h1", {}, "zablab"), h("a", { href: "/", class: "to-main" }, t("toLab"))),
    h("div", { class: "view-opts" }, langSwitch(lang, onSwitch)),
  );
}

function isDone(slug: string): boolean {
  try {
    return localStorage.getItem(DONE_KEY + slug) === "1";
  } catch {
    return false;
  }
}

/** lessonsIndex renders /lessons: every lesson's title, summary and number of steps. */
export function lessonsIndex(root: HTMLElement, lang: Lang): void {
  let current = lang;
  const list = h("ol", { class: "lesson-list", "aria-labelledby": "lessons-h" });
  const status = h("p", { class: "hint", role: "status" });
  let data: Awaited<ReturnType<typeof getLessons>> | null = null;

  function draw(): void {
    root.replaceChildren(
      simpleBar(current, (l) => {
        if (l === current) return;
        current = l;
        setLang(l, true);
        draw();
        (root.querySelector(`.seg button[aria-pressed="true"]`) as HTMLElement | null)?.focus();
      }),
      h(
        "div",
        { class: "lessons-page" },
        h("h2", { id: "lessons-h" }, t("lessonsHeading")),
        h("p", { class: "lessons-intro" }, t("lessonsIntro")),
        status,
        list,
      ),
    );
    list.replaceChildren();
    if (!data) {
      status.textContent = t("lessonPreparing");
      return;
    }
    if (!data.ok || !data.result) {
      status.textContent = t("lessonsUnavailable", { error: data.error ?? "" });
      return;
    }
    status.textContent = "";
    data.result.forEach((l, i) => {
      const href = `/lessons/${encodeURIComponent(l.slug)}`;
      list.append(
        h(
          "li",
          { class: "lesson-card" },
          h("p", { class: "lesson-no" }, t("lessonNumber", { n: i + 1 }), " · ", t("lessonSteps", { n: l.steps }), isDone(l.slug) ? h("span", { class: "done" }, " ", t("lessonDone")) : null),
          h("h3", {}, h("a", { href }, pick(l.title))),
          l.summary ? h("p", { class: "lesson-summary" }, pick(l.summary)) : null,
        ),
      );
    });
  }
  draw();
  void getLessons().then((r) => {
    data = r;
    draw();
  });
}

function readStep(raw: string | null | undefined, steps: number): number | null {
  if (raw === null || raw === undefined || raw === "") return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) return null;
  return Math.min(n, steps);
}

function stored(slug: string): string {
  try {
    return sessionStorage.getItem(ROOM_KEY + slug) ?? "";
  } catch {
    return "";
  }
}

function remember(slug: string, room: string): void {
  try {
    sessionStorage.setItem(ROOM_KEY + slug, room);
  } catch {
    // no storage: a reload makes a new room
  }
}

/**
 * lessonRoom finds the room to play in: ?room= when given (room main for a teacher), else
 * this tab's room for the lesson when it still exists, else a new lesson room. A room that
 * stands at another step than ?step= is moved there.
 */
async function lessonRoom(lesson: Lesson, step: number | null, roomParam: string): Promise<{ room: string } | { error: string }> {
  const slug = lesson.slug;
  const align = async (room: string, v: RoomView): Promise<string> => {
    const l = v.lesson;
    const here = l && l.slug === slug;
    if (!v.canControl) return room; // follow whatever it plays
    if (!here) {
      const r = await sendREST(room, { cmd: "lesson", action: "start", slug, step: step ?? 0 });
      if (!r.ok) throw new Error(r.error ?? r.code ?? "?");
    } else if (step !== null && step !== l.next && !l.playing) {
      const r = await sendREST(room, { cmd: "lesson", action: "goto", step });
      if (!r.ok) throw new Error(r.error ?? r.code ?? "?");
    }
    return room;
  };
  try {
    if (roomParam) {
      const v = await getView(roomParam);
      if (!v.ok || !v.result) return { error: v.error ?? "" };
      return { room: await align(roomParam, v.result) };
    }
    const old = stored(slug);
    if (old) {
      const v = await getView(old);
      if (v.ok && v.result && v.result.canControl && v.result.lesson?.slug === slug) return { room: await align(old, v.result) };
    }
    const r = await createLessonRoom(slug, step ?? 0);
    if (!r.ok || !r.result) return { error: r.error ?? "" };
    remember(slug, r.result.room);
    return { room: r.result.room };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** lessonPage starts the player for the page's lesson. */
export async function lessonPage(root: HTMLElement, slug: string, lang: Lang): Promise<void> {
  const note = h("p", { class: "lesson-loading", role: "status" }, t("lessonPreparing"));
  root.replaceChildren(simpleBar(lang, (l) => {
    setLang(l, true);
    note.textContent = t("lessonPreparing");
  }), note);
  const lesson = await lessonData(slug);
  const fail = (error: string) => {
    note.textContent = t("lessonFailed", { error });
    note.setAttribute("role", "alert");
    note.after(h("p", {}, h("a", { href: "/lessons" }, t("allLessons"))));
  };
  if (!lesson) {
    fail(slug);
    return;
  }
  const params = new URLSearchParams(location.search);
  const step = readStep(params.get("step") ?? document.body.dataset.step, lesson.steps.length);
  const found = await lessonRoom(lesson, step, params.get("room") ?? "");
  if ("error" in found) {
    fail(found.error);
    return;
  }
  const player = new LessonPlayer(lesson, found.room);
  const app = new App(root, found.room, currentLang(), { aside: (ctx) => player.panel(ctx) });
  player.attach(app.store);
  root.replaceChildren();
  app.start();
}
