// The classroom on the page: students join (?join=1 in the link the teacher shows), see the
// teacher's question and answer it on their own device; the teacher sees the answers come in
// as a histogram and reveals the right one, which every student's page then marks.

import type { Ctx } from "./ctx";
import { button, clear, h, setText } from "./dom";
import { currentLang, t } from "./i18n";

/** A classroom message on the websocket (web/classroom.go). */
export interface ClassMsg {
  type: "question" | "answers" | "reveal" | "control" | "students" | "hands";
  class: {
    hands?: number;
    lost?: number;
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

const CLASS_TYPES = new Set(["question", "answers", "reveal", "control", "students", "hands"]);

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

  // A student's own buttons: raise a hand, say "I'm lost" (the teacher sees only counts).
  const raised = { hand: false, lost: false };
  function toggle(kind: "hand" | "lost", b: HTMLButtonElement): void {
    const up = !raised[kind];
    void post(`/api/rooms/${room}/hand`, { kind, up }).then((res) => {
      if (!res.ok) return;
      raised[kind] = up;
      b.setAttribute("aria-pressed", String(up));
      b.classList.toggle("on", up);
    });
  }
  const handBtn: HTMLButtonElement = button(t("classHand"), () => toggle("hand", handBtn), { "aria-pressed": "false", class: "class-hand" });
  const lostBtn: HTMLButtonElement = button(t("classLost"), () => toggle("lost", lostBtn), { "aria-pressed": "false", class: "class-lost" });
  const tell = h("div", { class: "class-mine", role: "group", "aria-label": t("classMineLabel") }, handBtn, lostBtn);
  tell.hidden = true;
  card.append(tell);

  function becomeStudent(name: string): void {
    me = { token: "", name };
    store.student = name;
    store.emit("student", name);
    tell.hidden = false;
  }

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
      const who = body.name ?? "";
      becomeStudent(who);
      me = { token: body.student, name: who };
      form.replaceWith(h("p", { class: "class-me", role: "status" }, t("classJoined", { name: who })));
      card.hidden = false;
      setText(text, t("classWaitQuestion"));
    }, { class: "primary" });
    const form = h("div", { class: "class-join", role: "group", "aria-label": t("classJoinLabel") }, name, code, join);
    card.insertBefore(form, text);
    card.hidden = false;
    reveal.hidden = true;
    // Back on the page after a reload: the student cookie says who this is.
    void fetch(`/api/rooms/${room}/me`, { credentials: "same-origin" })
      .then((res) => (res.ok ? (res.json() as Promise<{ student: string }>) : null))
      .then((who) => {
        if (!who || !who.student || me) return;
        becomeStudent(who.student);
        form.replaceWith(h("p", { class: "class-me", role: "status" }, t("classJoined", { name: who.student })));
        setText(text, t("classWaitQuestion"));
      })
      .catch(() => undefined);
  }
  return card;
}

/** The teacher's view of the class (GET /api/rooms/{room}/class). */
interface ClassView {
  code?: string;
  students: string[];
  control: string;
  hands: number;
  lost: number;
  question: string;
}

/** The questions a teacher asks from the cluster's state (web/classquiz.go). */
const TEMPLATES: { id: string; key: "askNextLeader" | "askEpoch" | "askSyncMode" | "askWriteSurvives" }[] = [
  { id: "next-leader", key: "askNextLeader" },
  { id: "epoch", key: "askEpoch" },
  { id: "sync-mode", key: "askSyncMode" },
  { id: "write-survives", key: "askWriteSurvives" },
];

/** studentLink is the link students open to join this room's class. */
export function studentLink(room: string): string {
  return room === "main" ? `${location.origin}/?join=1` : `${location.origin}/r/${encodeURIComponent(room)}?join=1`;
}

/**
 * teacherPanel is the teacher's class card: how students join (link, code, QR code), how many
 * joined, raised hands and "I'm lost", questions from the cluster's state, who drives, the
 * results, and the Present layout. Hidden unless this page teaches a class.
 */
export function teacherPanel(ctx: Ctx, onMsg: (fn: (m: ClassMsg) => void) => void): HTMLElement {
  const { store } = ctx;
  const room = store.room;
  const join = h("p", { class: "class-join-how" });
  const qr = h("img", { class: "class-qr", alt: t("classQRAlt"), width: "160", height: "160" }) as HTMLImageElement;
  const counts = h("p", { class: "class-counts", role: "status", "aria-live": "polite" });
  const lower = button(t("classLowerHands"), () => void send("DELETE", `/api/rooms/${room}/hands`));
  const asks = h("div", { class: "class-asks", role: "group", "aria-label": t("classAskLabel") },
    ...TEMPLATES.map((q) => button(t(q.key), () => void send("POST", `/api/rooms/${room}/questions`, { template: q.id }))));
  const drives = h("p", { class: "class-drives", role: "status" });
  const takeBack = button(t("classTakeBack"), () => void send("DELETE", `/api/rooms/${room}/control`));
  const list = h("ul", { class: "class-students" });
  const roster = h("details", { class: "class-roster" }, h("summary", {}, t("classRoster")), list);
  const results = button(t("classResults"), () => void download());
  // Present survives the page's rebuild (large mode rebuilds every panel).
  const presenting = document.body.classList.contains("present");
  const present = button(presenting ? t("classLeavePresent") : t("classPresent"),
    () => setPresent(!document.body.classList.contains("present")), { "aria-pressed": String(presenting) });
  const card = h("section", { class: "card teacher-card", "aria-labelledby": "teacher-h" },
    h("h2", { id: "teacher-h" }, t("classTeacher")),
    h("div", { class: "class-how" }, join, qr),
    h("div", { class: "class-row class-hands" }, counts, lower),
    h("p", { class: "class-ask-h" }, t("classAskLabel")), asks,
    h("div", { class: "class-row class-driver" }, drives, takeBack),
    roster,
    h("div", { class: "class-row class-end" }, results, present));
  card.hidden = true;

  function setPresent(on: boolean): void {
    document.body.classList.toggle("present", on);
    present.setAttribute("aria-pressed", String(on));
    setText(present, on ? t("classLeavePresent") : t("classPresent"));
    if (on !== ctx.large) ctx.setLarge(on);
  }

  async function send(method: string, url: string, body?: unknown): Promise<void> {
    const res = await fetch(url, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) {
      const e = (await res.json().catch(() => ({}))) as { error?: string };
      ctx.notify(e.error ?? String(res.status), "error");
      return;
    }
    void refresh();
  }

  async function download(): Promise<void> {
    const res = await fetch(`/api/rooms/${room}/results.csv`, { credentials: "same-origin" });
    if (!res.ok) {
      ctx.notify(String(res.status), "error");
      return;
    }
    const a = h("a", { href: URL.createObjectURL(await res.blob()), download: `zablab-class-${room}.csv` }) as HTMLAnchorElement;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  function draw(v: ClassView): void {
    // A class exists once the server has a join code or a student joined.
    card.hidden = !store.canControl() || store.student !== "" || (!v.code && v.students.length === 0);
    if (card.hidden) return;
    const link = studentLink(room);
    setText(join, v.code ? t("classJoinHow", { link, code: v.code }) : t("classJoinHowNoCode", { link }));
    const src = `/api/rooms/${encodeURIComponent(room)}/qr.svg?url=${encodeURIComponent(link)}`;
    if (qr.getAttribute("src") !== src) qr.src = src;
    setText(counts, t("classCounts", { n: v.students.length, hands: v.hands, lost: v.lost }));
    lower.disabled = v.hands + v.lost === 0;
    setText(drives, v.control ? t("classDrives", { name: v.control }) : t("classTeacherDrives"));
    takeBack.hidden = !v.control;
    clear(list);
    for (const name of v.students) {
      const give = button(name === v.control ? t("classDriving") : t("classLetDrive"),
        () => void send("POST", `/api/rooms/${room}/control`, { student: name }), { disabled: name === v.control });
      list.append(h("li", {}, h("span", { class: "class-name" }, name), give));
    }
  }

  let pending = false;
  async function refresh(): Promise<void> {
    if (!store.canControl() || store.student !== "") {
      card.hidden = true;
      return;
    }
    const res = await fetch(`/api/rooms/${room}/class`, { credentials: "same-origin" }).catch(() => null);
    if (!res || !res.ok) {
      card.hidden = true;
      return;
    }
    draw((await res.json()) as ClassView);
  }
  function soon(): void {
    if (pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      void refresh();
    }, 150);
  }
  onMsg((m) => {
    if (m.type === "students" || m.type === "control" || m.type === "hands" || m.type === "question") soon();
  });
  let could = false;
  ctx.scope.on(store, "view", () => {
    if (store.canControl() !== could) {
      could = store.canControl();
      soon();
    }
  });
  ctx.scope.on(store, "student", () => soon());
  return card;
}
