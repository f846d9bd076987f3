// The classroom on the page: students join (?join=1 in the link the teacher shows), see the
// teacher's question and answer it on their own device; the teacher sees the answers come in
// as a histogram and reveals the right one, which every student's page then marks.

import type { Ctx } from "./ctx";
import { button, clear, h, setText } from "./dom";
import { currentLang, t } from "./i18n";

/** A classroom message on the websocket (web/classroom.go). */
export interface ClassMsg {
  type: "question" | "answers" | "reveal" | "control" | "students";
  class: {
    id?: string;
    text?: Record<string, string>;
    choices?: Record<string, string>[];
    counts?: number[];
    answered?: number;
    students?: number;
    answer?: number;
    student?: string;
  };
}

const CLASS_TYPES = new Set(["question", "answers", "reveal", "control", "students"]);

export function isClassMsg(m: { type: string }): m is ClassMsg {
  return CLASS_TYPES.has(m.type);
}

function pick(t: Record<string, string> | undefined): string {
  if (!t) return "";
  return t[currentLang()] || t.en || t.zh || "";
}

/** classPanel builds the question card (hidden until the teacher asks). */
export function classPanel(ctx: Ctx, onMsg: (fn: (m: ClassMsg) => void) => void): HTMLElement {
  const { store } = ctx;
  const room = store.room;
  let me: { token: string; name: string } | null = null;
  let qid = "";
  let choices: Record<string, string>[] = [];
  let mine = -1;
  const title = h("h2", { id: "class-h" }, t("classQuestion"));
  const text = h("p", { class: "class-text", role: "status" });
  const list = h("div", { class: "class-choices", role: "group", "aria-label": t("classChoices") });
  const tally = h("p", { class: "class-tally", role: "status" });
  const reveal = button(t("classReveal"), () => void post(`/api/rooms/${room}/questions/${qid}/reveal`, {}), { class: "primary" });
  const card = h("section", { class: "card class-card", "aria-labelledby": "class-h" }, title, text, list, tally, reveal);
  card.hidden = true;

  async function post(url: string, body: unknown): Promise<Response> {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (me) headers["X-Zablab-Student"] = me.token;
    const res = await fetch(url, { method: "POST", credentials: "same-origin", headers, body: JSON.stringify(body) });
    if (!res.ok) {
      const e = (await res.json().catch(() => ({}))) as { error?: string };
      ctx.notify(e.error ?? String(res.status), "error");
    }
    return res;
  }

  function teacher(): boolean {
    return !me && store.canControl();
  }

  function draw(answer = -1, counts?: number[]): void {
    clear(list);
    choices.forEach((c, i) => {
      const base = answer === i ? `✓ ${pick(c)}` : pick(c);
      const label = counts && teacher() ? `${base} · ${counts[i] ?? 0}` : base;
      const b = button(label, () => {
        if (!me) return;
        void post(`/api/rooms/${room}/questions/${qid}/answers`, { choice: i }).then((res) => {
          if (res.ok) {
            mine = i;
            draw(answer, counts);
          }
        });
      }, { "aria-pressed": String(mine === i), disabled: !me || answer >= 0 });
      if (answer === i) b.classList.add("right");
      if (mine === i) b.classList.add("mine");
      list.append(b);
    });
    reveal.hidden = !teacher() || answer >= 0;
  }

  onMsg((m) => {
    const c = m.class;
    switch (m.type) {
      case "question":
        qid = c.id ?? "";
        choices = c.choices ?? [];
        mine = -1;
        setText(text, pick(c.text));
        setText(tally, teacher() ? t("classWaiting") : me ? t("classAnswer") : "");
        card.hidden = false;
        draw();
        break;
      case "answers":
        if (c.id !== qid) return;
        if (teacher()) {
          setText(tally, t("classAnswered", { n: c.answered ?? 0, of: c.students ?? 0 }));
          draw(-1, c.counts);
        }
        break;
      case "reveal": {
        if (c.id !== qid) return;
        const answered = c.answered ?? 0;
        const right = c.answer ?? -1;
        const score = right >= 0 && answered > 0 ? Math.round((100 * (c.counts?.[right] ?? 0)) / answered) : 0;
        setText(tally, right >= 0 ? t("classScore", { pct: score, n: answered }) : t("classOpinion", { n: answered }));
        draw(right, c.counts);
        break;
      }
      case "control":
        if (me && c.student === me.name) ctx.notify(t("classYouDrive"));
        break;
    }
  });

  // A student's link (?join=1): join the class, with the code the teacher shows.
  if (new URLSearchParams(location.search).get("join") === "1") {
    const name = h("input", { "aria-label": t("className"), maxlength: "40", placeholder: t("className") }) as HTMLInputElement;
    const code = h("input", { "aria-label": t("classCode"), maxlength: "12", placeholder: t("classCode") }) as HTMLInputElement;
    const join = button(t("classJoin"), async () => {
      const res = await fetch(`/api/rooms/${room}/join`, {
        method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: name.value, code: code.value }),
      });
      const body = (await res.json()) as { student?: string; name?: string; error?: string };
      if (!res.ok || !body.student) {
        ctx.notify(body.error ?? String(res.status), "error");
        return;
      }
      me = { token: body.student, name: body.name ?? "" };
      form.replaceWith(h("p", { class: "class-me", role: "status" }, t("classJoined", { name: me.name })));
      card.hidden = false;
      setText(text, t("classWaitQuestion"));
    }, { class: "primary" });
    const form = h("div", { class: "class-join", role: "group", "aria-label": t("classJoinLabel") }, name, code, join);
    card.insertBefore(form, text);
    card.hidden = false;
    reveal.hidden = true;
  }
  return card;
}
